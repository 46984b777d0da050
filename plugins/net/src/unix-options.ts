import { readFileSync } from 'node:fs';
import { Errno, type SyscallContext } from '@shadow-ts/plugin-sdk';
import {
  AF_UNIX,
  SOCKET_BUFFER,
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
  SO_PEERCRED,
  SO_PROTOCOL,
  SO_RCVBUF,
  SO_RCVLOWAT,
  SO_RCVTIMEO,
  SO_REUSEADDR,
  SO_SNDBUF,
  SO_SNDLOWAT,
  SO_SNDTIMEO,
  SO_TYPE,
} from './constants.js';
import { bufferSize } from './inet/options.js';
import { MIN_RCVBUF, MIN_SNDBUF, RMEM_MAX, WMEM_MAX } from './inet/socket.js';
import { failure, intBytes, intOf, type Failure, type Outcome } from './socket.js';
import type { UnixSocket } from './unix.js';

/** getsockopt(2) / setsockopt(2) on AF_UNIX sockets: SOL_SOCKET only (no protocol options). */

/**
 * Boolean options setsockopt(2) records and getsockopt(2) reports; of these only SO_PASSCRED
 * changes a unix socket (its messages come with SCM_CREDENTIALS: unix-control.ts).
 */
const FLAG_OPTIONS = new Set([SO_DEBUG, SO_REUSEADDR, SO_DONTROUTE, SO_BROADCAST, SO_KEEPALIVE, SO_OOBINLINE, SO_PASSCRED]);

/** The uid and gid SO_PEERCRED shows without a peer's credentials (cred_to_ucred(): -1). */
const NO_ID = 0xffffffff;

/** A process's ids and capabilities, from /proc/<pid>/status (null when it is gone). */
export interface Identity {
  /** Uid: and Gid: list the real, effective, saved and file-system ids. */
  readonly uids: readonly number[];
  readonly gids: readonly number[];
  /** CapEff. */
  readonly caps: bigint;
}

export function identity(pid: number): Identity | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const ids = (key: string): number[] => (new RegExp(`^${key}:\\s+(.*)$`, 'm').exec(status)?.[1] ?? '').trim().split(/\s+/).map(Number);
    return { uids: ids('Uid'), gids: ids('Gid'), caps: BigInt(`0x${/^CapEff:\s+([0-9a-f]+)/m.exec(status)?.[1] ?? '0'}`) };
  } catch {
    return null;
  }
}

/**
 * The caller's credentials as SO_PEERCRED shows them to its peer (struct ucred): its virtual
 * pid, its effective uid and gid (-1 when /proc no longer has them).
 */
export function credentials(ctx: SyscallContext): Uint8Array {
  const ids = identity(ctx.process.nativePid);
  return ucred(ctx.process.pid, ids?.uids[1] ?? NO_ID, ids?.gids[1] ?? NO_ID);
}

/** A struct ucred. */
export function ucred(pid: number, uid: number, gid: number): Uint8Array {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  view.setInt32(0, pid, true);
  view.setUint32(4, uid, true);
  view.setUint32(8, gid, true);
  return out;
}

/** The value of option (`level`, `name`) (sock_getsockopt()), or the errno: EOPNOTSUPP off SOL_SOCKET. */
export function unixGetsockopt(sock: UnixSocket, level: number, name: number): Uint8Array | Failure {
  if (level !== SOL_SOCKET) return failure(Errno.EOPNOTSUPP);
  if (FLAG_OPTIONS.has(name)) return intBytes(sock.options.get(name) ?? 0);
  switch (name) {
    case SO_TYPE:
      return intBytes(sock.type);
    case SO_ERROR:
      return intBytes(sock.takeError()); // reading it clears it
    case SO_SNDBUF:
      return intBytes(sock.options.get(SO_SNDBUF) ?? SOCKET_BUFFER);
    case SO_RCVBUF:
      return intBytes(sock.options.get(SO_RCVBUF) ?? SOCKET_BUFFER);
    case SO_DOMAIN:
      return intBytes(AF_UNIX);
    case SO_PEERCRED:
      return sock.peerCredentials ?? ucred(0, NO_ID, NO_ID);
    case SO_ACCEPTCONN:
      return intBytes(sock.listening ? 1 : 0);
    case SO_PROTOCOL:
      return intBytes(0);
    case SO_RCVLOWAT:
    case SO_SNDLOWAT:
      return intBytes(1);
    case SO_LINGER:
      return new Uint8Array(8); // struct linger: off
    case SO_RCVTIMEO:
    case SO_SNDTIMEO:
      return sock.timeoutOption(name);
    default:
      return failure(Errno.ENOPROTOOPT);
  }
}

/**
 * setsockopt(2) at SOL_SOCKET: the timeouts, and the options that do not change a unix socket —
 * the boolean flags (recorded for getsockopt), buffer sizes (the buffers stay at their default)
 * and SO_LINGER (closing a unix socket never lingers). Other levels are EOPNOTSUPP.
 */
export function unixSetsockopt(ctx: SyscallContext, sock: UnixSocket, level: number, name: number, raw: Uint8Array | null, optlen: number): Outcome {
  if (level !== SOL_SOCKET) return failure(Errno.EOPNOTSUPP);
  // sk_setsockopt() reads an int for every option first.
  if (optlen < 4) return failure(Errno.EINVAL);
  if (!raw) return failure(Errno.EFAULT);
  const value = intOf(raw);
  if (FLAG_OPTIONS.has(name)) {
    sock.options.set(name, value ? 1 : 0);
    return undefined;
  }
  switch (name) {
    case SO_SNDBUF:
    case SO_RCVBUF:
      // getsockopt reports the size as Linux stores it; the queue keeps its default bound.
      ctx.warnOnce('setsockopt:buffers', `setsockopt: socket buffer sizes stay ${SOCKET_BUFFER} bytes on AF_UNIX sockets`);
      sock.options.set(name, name === SO_SNDBUF ? bufferSize(value, WMEM_MAX, MIN_SNDBUF) : bufferSize(value, RMEM_MAX, MIN_RCVBUF));
      return undefined;
    case SO_LINGER:
      return optlen < 8 ? failure(Errno.EINVAL) : undefined;
    case SO_RCVTIMEO:
    case SO_SNDTIMEO:
      return sock.setTimeoutOption(name, raw);
    default:
      return failure(Errno.ENOPROTOOPT);
  }
}
