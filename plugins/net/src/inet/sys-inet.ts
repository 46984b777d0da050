import { Errno, errno, newDescriptor, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { ESOCKTNOSUPPORT, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_RAW, putAddress, wouldBlock } from '../socket-common.js';
import { withRequeue } from '../unix-named.js';
import { SOCK_DGRAM, SOCK_STREAM } from '../unix.js';
import { AF_INET, ANY4, SOCKADDR_IN, decodeSockaddr, encodeSockaddr, type Endpoint, type InetFamily } from './addresses.js';
import { IPPROTO_TCP, IPPROTO_UDP } from './packet.js';
import type { InetSocket } from './socket.js';
import { CONNECTING, TcpSocket } from './tcp-socket.js';
import { UdpSocket } from './udp.js';

/** The AF_INET / AF_INET6 side of socket, bind, listen, accept, connect and the destinations of sendto. */

/** socket(2) for AF_INET / AF_INET6 (inet_create() / inet6_create()). */
export function inetSocket(ctx: SyscallContext, family: InetFamily, type: number, protocol: number, flags: number): SyscallResult {
  const nonBlocking = (flags & SOCK_NONBLOCK) !== 0;
  let sock: InetSocket;
  if (type === SOCK_STREAM) {
    if (protocol !== 0 && protocol !== IPPROTO_TCP) return errno(Errno.EPROTONOSUPPORT);
    sock = new TcpSocket(family, ctx.host, nonBlocking);
  } else if (type === SOCK_DGRAM) {
    if (protocol !== 0 && protocol !== IPPROTO_UDP) {
      ctx.warnOnce(`socket:dgram:${protocol}`, `socket: datagram protocol ${protocol} is not simulated (UDP only); answering EPROTONOSUPPORT`);
      return errno(Errno.EPROTONOSUPPORT);
    }
    sock = new UdpSocket(family, ctx.host, nonBlocking);
  } else if (type === SOCK_RAW) {
    ctx.warnOnce('socket:raw', 'socket: raw IP sockets are not simulated; answering EPERM (no CAP_NET_RAW)');
    return errno(Errno.EPERM);
  } else {
    return errno(ESOCKTNOSUPPORT);
  }
  return newDescriptor(ctx, sock, { cloexec: (flags & SOCK_CLOEXEC) !== 0 });
}

/**
 * bind(2) (inet_bind() / inet6_bind()): a local address (or the wildcard; AF_UNSPEC with
 * INADDR_ANY too on AF_INET), port 0 for an ephemeral one. EADDRNOTAVAIL for an address that
 * is not the host's, EADDRINUSE when the port is taken, EINVAL when already bound or (v6only)
 * for a v4-mapped address.
 */
export function inetBind(sock: InetSocket, bytes: Uint8Array): SyscallResult {
  if (bytes.length < (sock.family === AF_INET ? SOCKADDR_IN : 24)) return errno(Errno.EINVAL);
  const decoded = decodeSockaddr(sock.family, bytes);
  if ('errno' in decoded) return errno(decoded.errno);
  let ep: Endpoint;
  if (decoded.unspec) {
    // Only AF_INET takes AF_UNSPEC, and only with INADDR_ANY (old programs' habit).
    if (sock.family !== AF_INET) return errno(Errno.EAFNOSUPPORT);
    const any = bytes.subarray(4, 8).every((b) => b === 0);
    if (!any) return errno(Errno.EAFNOSUPPORT);
    ep = { ip: ANY4, port: new DataView(bytes.buffer, bytes.byteOffset).getUint16(2, false) };
  } else {
    ep = decoded.ep;
    if (decoded.mapped && sock.v6only) return errno(Errno.EINVAL);
  }
  if (!sock.stack.isLocal(ep.ip)) return errno(Errno.EADDRNOTAVAIL);
  const failed = sock.bindTo(ep.ip, ep.port, true);
  return failed ? errno(failed.errno) : { kind: 'ok', value: 0n };
}

/** listen(2): TCP only (EOPNOTSUPP on UDP). */
export function inetListen(sock: InetSocket, backlog: number): SyscallResult {
  if (!(sock instanceof TcpSocket)) return errno(Errno.EOPNOTSUPP);
  return sock.listen(backlog);
}

/** accept(2)/accept4(2): the oldest established connection, with the peer's address. */
export function inetAccept(ctx: SyscallContext, sock: InetSocket, addr: bigint, lenPtr: bigint, flags: number): SyscallResult {
  if (!(sock instanceof TcpSocket)) return errno(Errno.EOPNOTSUPP);
  if (!sock.listening) return errno(Errno.EINVAL);
  const child = sock.takeConnection();
  if (!child) return wouldBlock(ctx, sock, sock.nonBlocking, sock.receiveTimeout);
  child.setNonBlocking((flags & SOCK_NONBLOCK) !== 0);
  if (addr !== 0n) {
    const fault = putAddress(ctx, addr, lenPtr, encodeSockaddr(sock.family, child.peer!));
    if (fault) {
      sock.putBack(child);
      return fault;
    }
  }
  sock.readiness.notify();
  return withRequeue(newDescriptor(ctx, child, { cloexec: (flags & SOCK_CLOEXEC) !== 0 }), () => sock.putBack(child));
}

/** connect(2): TCP opens a connection; UDP sets the default peer; AF_UNSPEC disconnects. */
export function inetConnect(ctx: SyscallContext, sock: InetSocket, bytes: Uint8Array): SyscallResult {
  if (sock instanceof TcpSocket && ctx.restarted && ctx.call.get(CONNECTING)) return sock.connectTo(ctx, null);
  if (bytes.length < 2) return errno(Errno.EINVAL);
  const decoded = decodeSockaddr(sock.family, bytes);
  if ('errno' in decoded) return errno(decoded.errno);
  const to = decoded.unspec ? null : decoded.ep;
  if (sock instanceof TcpSocket) return sock.connectTo(ctx, to);
  return (sock as UdpSocket).connectTo(to);
}

/**
 * The destination of sendto/sendmsg on an inet socket: undefined for none (or TCP, which
 * ignores it), the endpoint, or the errno (udp_sendmsg()'s checks).
 */
export function inetDestination(sock: InetSocket, bytes: Uint8Array): Endpoint | undefined | { readonly errno: number } {
  if (bytes.length === 0 || sock instanceof TcpSocket) return undefined;
  if (bytes.length < (sock.family === AF_INET ? SOCKADDR_IN : 24)) return { errno: Errno.EINVAL };
  const decoded = decodeSockaddr(sock.family, bytes);
  if ('errno' in decoded) return decoded;
  if (decoded.unspec) {
    if (sock.family !== AF_INET) return { errno: Errno.EAFNOSUPPORT };
    const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return { ip: `${bytes[4]}.${bytes[5]}.${bytes[6]}.${bytes[7]}`, port: v.getUint16(2, false) };
  }
  return decoded.ep;
}

/** getpeername(2): ENOTCONN without a peer (or while a TCP handshake is under way). */
export function inetPeerName(sock: InetSocket): Uint8Array | null {
  const peer = sock.remote;
  if (!peer) return null;
  if (sock instanceof TcpSocket && ['SYN_SENT', 'CLOSED', 'LISTEN'].includes(sock.tcpState)) return null;
  return encodeSockaddr(sock.family, peer);
}

