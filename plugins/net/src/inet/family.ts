/** The AF_INET and AF_INET6 entry of the family table (families.ts): which socket each type makes. */
import { Errno } from '@shadow-ts/plugin-sdk';
import { ESOCKTNOSUPPORT, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM } from '../constants.js';
import type { Family } from '../families.js';
import { failure } from '../socket.js';
import type { InetFamily } from './addresses.js';
import { IPPROTO_TCP, IPPROTO_UDP } from './packet.js';
import { TcpSocket } from './tcp-socket.js';
import { UdpSocket } from './udp.js';

/**
 * socket(2) and socketpair(2) for AF_INET and AF_INET6 (inet_create() / inet6_create()): a
 * stream socket is TCP, a datagram socket UDP; raw sockets need CAP_NET_RAW (EPERM), and IP
 * sockets come in no pairs (sock_no_socketpair()).
 */
export function inetFamily(family: InetFamily): Family {
  return {
    create(net, type, protocol, nonBlocking, ctx) {
      if (type === SOCK_STREAM) {
        if (protocol !== 0 && protocol !== IPPROTO_TCP) return failure(Errno.EPROTONOSUPPORT);
        return new TcpSocket(family, net, nonBlocking);
      }
      if (type === SOCK_DGRAM) {
        if (protocol !== 0 && protocol !== IPPROTO_UDP) {
          ctx.warnOnce(`socket:dgram:${protocol}`, `socket: datagram protocol ${protocol} is not simulated (UDP only); answering EPROTONOSUPPORT`);
          return failure(Errno.EPROTONOSUPPORT);
        }
        return new UdpSocket(family, net, nonBlocking);
      }
      if (type === SOCK_RAW) {
        ctx.warnOnce('socket:raw', 'socket: raw IP sockets are not simulated; answering EPERM (no CAP_NET_RAW)');
        return failure(Errno.EPERM);
      }
      return failure(ESOCKTNOSUPPORT);
    },
    pair() {
      return failure(Errno.EOPNOTSUPP);
    },
  };
}
