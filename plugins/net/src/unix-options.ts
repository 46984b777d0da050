import { Errno, ok, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import {
  SOL_SOCKET,
  SO_ACCEPTCONN,
  SO_BROADCAST,
  SO_DEBUG,
  SO_DOMAIN,
  SO_DONTROUTE,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_OOBINLINE,
  SO_PASSCRED,
  SO_PROTOCOL,
  SO_RCVBUF,
  SO_RCVLOWAT,
  SO_REUSEADDR,
  SO_SNDBUF,
  SO_SNDLOWAT,
  SO_TYPE,
  fail,
  intBytes,
  readInt,
} from './socket-common.js';
import { AF_UNIX, SOCKET_BUFFER, type UnixSocket } from './unix.js';

/** getsockopt(2) / setsockopt(2) on AF_UNIX sockets: SOL_SOCKET only (no protocol options). */

/** Boolean options setsockopt(2) records and getsockopt(2) reports; none changes a unix socket. */
const FLAG_OPTIONS = new Set([SO_DEBUG, SO_REUSEADDR, SO_DONTROUTE, SO_BROADCAST, SO_KEEPALIVE, SO_OOBINLINE]);

/** The value of option (`level`, `name`) (sock_getsockopt()), or the errno: EOPNOTSUPP off SOL_SOCKET. */
export function unixGetsockopt(sock: UnixSocket, level: number, name: number): Uint8Array | { readonly errno: number } {
  if (level !== SOL_SOCKET) return { errno: Errno.EOPNOTSUPP };
  if (FLAG_OPTIONS.has(name)) return intBytes(sock.options.get(name) ?? 0);
  switch (name) {
    case SO_TYPE:
      return intBytes(sock.type);
    case SO_ERROR:
      return intBytes(sock.takeError()); // reading it clears it
    case SO_SNDBUF:
    case SO_RCVBUF:
      return intBytes(SOCKET_BUFFER);
    case SO_DOMAIN:
      return intBytes(AF_UNIX);
    case SO_ACCEPTCONN:
      return intBytes(sock.listening ? 1 : 0);
    case SO_PROTOCOL:
    case SO_PASSCRED:
      return intBytes(0);
    case SO_RCVLOWAT:
    case SO_SNDLOWAT:
      return intBytes(1);
    case SO_LINGER:
      return new Uint8Array(8); // struct linger: off
    default:
      return { errno: Errno.ENOPROTOOPT };
  }
}

/**
 * setsockopt(2) at SOL_SOCKET for the options that do not change a unix socket: the boolean
 * flags (recorded for getsockopt), buffer sizes (the buffers stay at their default) and
 * SO_LINGER (closing a unix socket never lingers). Other levels are EOPNOTSUPP.
 */
export function unixSetsockopt(ctx: SyscallContext, sock: UnixSocket, level: number, name: number, optval: bigint, optlen: number): SyscallResult {
  if (level !== SOL_SOCKET) return fail(Errno.EOPNOTSUPP);
  // sk_setsockopt() reads an int for every option first.
  if (optlen < 4) return fail(Errno.EINVAL);
  const value = readInt(ctx, optval);
  if (value === null) return fail(Errno.EFAULT);
  if (FLAG_OPTIONS.has(name)) {
    sock.options.set(name, value ? 1 : 0);
    return ok();
  }
  switch (name) {
    case SO_SNDBUF:
    case SO_RCVBUF:
      ctx.warnOnce('setsockopt:buffers', `setsockopt: socket buffer sizes stay ${SOCKET_BUFFER} bytes on AF_UNIX sockets`);
      return ok();
    case SO_LINGER:
      if (optlen < 8) return fail(Errno.EINVAL);
      return ctx.memory.read(optval, 8) ? ok() : fail(Errno.EFAULT);
    default:
      return fail(Errno.ENOPROTOOPT);
  }
}
