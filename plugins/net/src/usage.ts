/** What a host heartbeat shows of the host's sockets (host_heartbeat_log_info: socket). */
import type { HostView, SocketUsage } from '@shadow-ts/plugin-sdk';
import { AF_INET, AF_INET6, AF_NETLINK, AF_UNIX, SOCK_STREAM } from './constants.js';
import { decodeSockaddr } from './inet/addresses.js';
import { isFailure, Socket } from './socket.js';

function protocolOf(socket: Socket): string {
  const stream = socket.type === SOCK_STREAM;
  switch (socket.family) {
    case AF_INET: case AF_INET6: return stream ? 'tcp' : 'udp';
    case AF_UNIX: return stream ? 'unix-stream' : 'unix-dgram';
    case AF_NETLINK: return 'netlink';
    default: return `family-${socket.family}`;
  }
}

/** A socket address as text: `ip:port`, `[ip6]:port`, a unix path (`@name` when abstract); '' for none. */
function addressText(family: number, bytes: Uint8Array): string {
  if (family === AF_INET || family === AF_INET6) {
    const decoded = decodeSockaddr(family, bytes);
    if (isFailure(decoded) || decoded.unspec) return '';
    return decoded.ep.ip.includes(':') ? `[${decoded.ep.ip}]:${decoded.ep.port}` : `${decoded.ep.ip}:${decoded.ep.port}`;
  }
  if (family === AF_UNIX && bytes.length > 2) {
    const path = bytes.subarray(2);
    if (path[0] === 0) return `@${Buffer.from(path.subarray(1)).toString('latin1')}`;
    const end = path.indexOf(0);
    return Buffer.from(end < 0 ? path : path.subarray(0, end)).toString('latin1');
  }
  return '';
}

/** Adds a row for every socket descriptor of every live process of `host`, by pid then fd. */
export function listSockets(host: HostView, rows: SocketUsage[]): void {
  const found: SocketUsage[] = [];
  for (const process of host.processes()) {
    for (const [fd, file] of process.fds.entries()) {
      if (!(file instanceof Socket)) continue;
      const peer = file.getpeername();
      const { inq, outq } = file.queueUse();
      found.push({
        pid: process.pid,
        fd,
        protocol: protocolOf(file),
        local: addressText(file.family, file.getsockname()),
        peer: peer instanceof Uint8Array ? addressText(file.family, peer) : '',
        receiveQueued: inq,
        sendQueued: outq,
      });
    }
  }
  rows.push(...found.sort((a, b) => a.pid - b.pid || a.fd - b.fd));
}
