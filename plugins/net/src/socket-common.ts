import { Errno, block, callDeadline, errno, waitFor, type OpenFile, type SimTime, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';

/**
 * What every socket kind shares at the syscall boundary: flag and option numbers, user-memory
 * helpers (ints, socket addresses, iovecs, msghdr) and the receive loop of recv/recvfrom/recvmsg.
 */

export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;
export const SOCK_TYPE_MASK = 0xf;
/** AF_MAX: families beyond it are EAFNOSUPPORT before anything else (__sock_create()). */
export const AF_MAX = 46;
/** SOCK_MAX: types beyond it are EINVAL (__sock_create()). */
export const SOCK_MAX = 11;
export const SOCK_RAW = 3;
/** Linux's ESOCKTNOSUPPORT (node's errno table lacks it). */
export const ESOCKTNOSUPPORT = 94;

/** send(2)/recv(2) flags. */
export const MSG_OOB = 0x1;
export const MSG_PEEK = 0x2;
export const MSG_TRUNC = 0x20;
export const MSG_DONTWAIT = 0x40;
export const MSG_EOR = 0x80;
export const MSG_WAITALL = 0x100;
export const MSG_CONFIRM = 0x800;
export const MSG_NOSIGNAL = 0x4000;
export const MSG_MORE = 0x8000;
export const MSG_CMSG_CLOEXEC = 0x40000000;

export const SOL_SOCKET = 1;
/** SOL_SOCKET option names (asm-generic/socket.h). */
export const SO_DEBUG = 1;
export const SO_REUSEADDR = 2;
export const SO_TYPE = 3;
export const SO_ERROR = 4;
export const SO_DONTROUTE = 5;
export const SO_BROADCAST = 6;
export const SO_SNDBUF = 7;
export const SO_RCVBUF = 8;
export const SO_KEEPALIVE = 9;
export const SO_OOBINLINE = 10;
export const SO_LINGER = 13;
export const SO_REUSEPORT = 15;
export const SO_PASSCRED = 16;
export const SO_RCVLOWAT = 18;
export const SO_SNDLOWAT = 19;
export const SO_RCVTIMEO = 20;
export const SO_SNDTIMEO = 21;
export const SO_ACCEPTCONN = 30;
export const SO_PROTOCOL = 38;
export const SO_DOMAIN = 39;

/** Linux's MAX_RW_COUNT: no single transfer is larger. */
export const MAX_RW_COUNT = 0x7ffff000;
/** UIO_MAXIOV: more iovecs in a msghdr is EMSGSIZE. */
export const IOV_MAX = 1024;
/** sizeof(struct sockaddr_storage): longer addresses are EINVAL (sendto) or cut (sendmsg). */
export const SOCKADDR_STORAGE = 128;


export const fail = (e: number): SyscallResult => errno(e);

export function readInt(ctx: SyscallContext, addr: bigint): number | null {
  const raw = ctx.memory.read(addr, 4);
  return raw ? new DataView(raw.buffer, raw.byteOffset, 4).getInt32(0, true) : null;
}

export function intBytes(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value, true);
  return out;
}

/**
 * move_addr_to_user(): copies as much of `name` as the program's *lenPtr allows and stores the
 * full length there. Null on success, else the errno result.
 */
export function putAddress(ctx: SyscallContext, addr: bigint, lenPtr: bigint, name: Uint8Array): SyscallResult | null {
  const room = readInt(ctx, lenPtr);
  if (room === null) return fail(Errno.EFAULT);
  const n = Math.min(room, name.length);
  if (n < 0) return fail(Errno.EINVAL);
  if (n > 0 && !ctx.memory.write(addr, name.subarray(0, n))) return fail(Errno.EFAULT);
  return ctx.memory.write(lenPtr, intBytes(name.length)) ? null : fail(Errno.EFAULT);
}

/** move_addr_to_kernel(): the `addrlen` bytes at `addr` (EINVAL beyond sockaddr_storage). */
export function getAddress(ctx: SyscallContext, addr: bigint, addrlen: number): Uint8Array | SyscallResult {
  if (addrlen < 0 || addrlen > SOCKADDR_STORAGE) return fail(Errno.EINVAL);
  if (addrlen === 0) return new Uint8Array(0);
  return ctx.memory.read(addr, addrlen) ?? fail(Errno.EFAULT);
}

export interface Iovec {
  readonly base: bigint;
  readonly length: number;
}

export function readIovecs(ctx: SyscallContext, addr: bigint, count: number): Iovec[] | null {
  const raw = ctx.memory.read(addr, count * 16);
  if (!raw) return null;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: count }, (_, i) => ({
    base: view.getBigUint64(i * 16, true),
    length: Math.min(Number(view.getBigUint64(i * 16 + 8, true)), MAX_RW_COUNT),
  }));
}

/** The bytes of all `iovecs`, concatenated; null on a fault. */
export function gather(ctx: SyscallContext, iovecs: readonly Iovec[]): Uint8Array | null {
  const parts: Uint8Array[] = [];
  for (const { base, length } of iovecs) {
    const part = length > 0 ? ctx.memory.read(base, length) : new Uint8Array(0);
    if (!part) return null;
    parts.push(part);
  }
  const data = Buffer.concat(parts);
  return data.subarray(0, MAX_RW_COUNT);
}

/** Copies `data` into the iovecs' space from byte `offset` on; false on a fault. */
export function scatter(ctx: SyscallContext, iovecs: readonly Iovec[], offset: number, data: Uint8Array): boolean {
  let at = 0;
  let skip = offset;
  for (const { base, length } of iovecs) {
    if (at >= data.length) break;
    if (skip >= length) {
      skip -= length;
      continue;
    }
    const part = data.subarray(at, at + length - skip);
    if (!ctx.memory.write(base + BigInt(skip), part)) return false;
    at += part.length;
    skip = 0;
  }
  return true;
}

/** The fields of a `struct msghdr` (56 bytes on x86_64). */
export interface Msghdr {
  readonly name: bigint;
  readonly namelen: number;
  readonly iov: bigint;
  readonly iovlen: bigint;
  readonly controllen: bigint;
}

export const MSG_NAMELEN = 8n;
export const MSG_CONTROLLEN = 40n;
export const MSG_FLAGS = 48n;

/** The msghdr at `addr` with its iovecs, or the errno result (__copy_msghdr()). */
export function readMsghdr(ctx: SyscallContext, addr: bigint): { msg: Msghdr; iovecs: Iovec[] } | SyscallResult {
  const raw = ctx.memory.read(addr, 56);
  if (!raw) return fail(Errno.EFAULT);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const name = v.getBigUint64(0, true);
  const msg: Msghdr = {
    name,
    namelen: name === 0n ? 0 : v.getInt32(8, true),
    iov: v.getBigUint64(16, true),
    iovlen: v.getBigUint64(24, true),
    controllen: v.getBigUint64(40, true),
  };
  if (msg.iovlen > BigInt(IOV_MAX)) return fail(Errno.EMSGSIZE);
  if (msg.namelen < 0) return fail(Errno.EINVAL);
  const iovecs = readIovecs(ctx, msg.iov, Number(msg.iovlen));
  return iovecs ? { msg, iovecs } : fail(Errno.EFAULT);
}

/** What a receive found: the bytes (empty at end of file), for datagrams their full length, and the sender. */
export interface Received {
  readonly data: Uint8Array;
  readonly length: number;
  /** The sender's socket address as recvfrom reports it (absent: none, *addrlen becomes 0). */
  readonly from?: Uint8Array;
}

/** How one receive or send behaves (the description's O_NONBLOCK or MSG_DONTWAIT; MSG_PEEK; MSG_NOSIGNAL). */
export interface TransferOptions {
  readonly nonBlocking: boolean;
  readonly peek?: boolean;
  readonly noSignal?: boolean;
}

/** What a send answers: the count queued, 'again' (no room now), or an errno. */
export type SendResult = number | 'again' | { readonly errno: number };

/** A socket the receive loop can read from (every kind: unix, UDP, TCP). */
export interface ReceivingSocket extends OpenFile {
  readonly stream: boolean;
  receive(length: number, opts: TransferOptions): Received | 'again' | { readonly errno: number };
  /** Removes what a receive returned: `count` bytes of a stream, or the first datagram. */
  consume(count: number): void;
  /** SO_RCVTIMEO in nanoseconds (0: none). */
  readonly receiveTimeout?: bigint;
}

/**
 * EAGAIN for a non-blocking call, else park the thread until the socket's readiness changes
 * (up to `timeout` ns of SO_RCVTIMEO/SO_SNDTIMEO, fixed at the call's first run; EAGAIN once
 * it passed).
 */
export function wouldBlock(ctx: SyscallContext, sock: OpenFile, nonBlocking: boolean, timeout = 0n): SyscallResult {
  if (nonBlocking) return fail(Errno.EAGAIN);
  if (timeout <= 0n) return block(waitFor.trigger(sock.readiness));
  if (ctx.wake === 'timeout') return fail(Errno.EAGAIN);
  const deadline = callDeadline(ctx, () => ctx.now + timeout) as SimTime;
  return block(waitFor.trigger(sock.readiness, deadline));
}

/** What a receive delivered: the count the call returns, whether a datagram was cut, the sender. */
export interface Delivered {
  readonly count: number;
  readonly truncated: boolean;
  readonly from?: Uint8Array;
}

export const RECV_FLAGS = MSG_OOB | MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT | MSG_WAITALL | MSG_CMSG_CLOEXEC;

/**
 * Receives into `iovecs` with recv(2) `flags`. The bytes leave the queue only once they reached
 * the program (a fault loses nothing). MSG_WAITALL makes a blocking stream receive wait for the
 * full length (or end of file, or an error), delivering what arrives on the way; its progress is
 * the call's `transferred` count across the restarts, so a signal or SO_RCVTIMEO ends it with
 * the bytes delivered (the core's partial-transfer rule).
 */
export function receiveInto(
  ctx: SyscallContext,
  sock: ReceivingSocket,
  iovecs: readonly Iovec[],
  flags: number,
  warnFlags: (flags: number) => void,
): Delivered | SyscallResult {
  if (flags & MSG_OOB) return fail(sock.stream ? Errno.EINVAL : Errno.EOPNOTSUPP); // no urgent byte is ever queued
  warnFlags(flags & ~RECV_FLAGS);
  const total = Math.min(
    iovecs.reduce((n, v) => n + v.length, 0),
    MAX_RW_COUNT,
  );
  const peek = (flags & MSG_PEEK) !== 0;
  const nonBlocking = sock.nonBlocking || (flags & MSG_DONTWAIT) !== 0;
  const waitAll = sock.stream && !peek && (flags & MSG_WAITALL) !== 0;
  const progress = ctx.call;
  for (;;) {
    const done = progress.transferred;
    const result = sock.receive(total - done, { nonBlocking, peek });
    if (result === 'again') return wouldBlock(ctx, sock, nonBlocking, sock.receiveTimeout);
    if (!('data' in result)) return fail(result.errno);
    const { data } = result;
    if (data.length > 0 && !scatter(ctx, iovecs, done, data)) return fail(Errno.EFAULT);
    if (!peek) sock.consume(data.length);
    if (waitAll && data.length > 0 && done + data.length < total) {
      progress.transferred += data.length;
      continue; // more may be queued already, or end of file
    }
    if (sock.stream) return { count: done + data.length, truncated: false };
    // A datagram cut to the buffer: MSG_TRUNC in msg_flags; the flag on input asks for its real length.
    const delivered = { count: flags & MSG_TRUNC ? result.length : data.length, truncated: result.length > data.length };
    return result.from ? { ...delivered, from: result.from } : delivered;
  }
}

export const isResult = (value: object): value is SyscallResult => 'kind' in value;

/** A timeval (SO_RCVTIMEO/SO_SNDTIMEO) in nanoseconds, or null when invalid (EDOM as Linux). */
export function timevalNs(bytes: Uint8Array): bigint | null {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sec = v.getBigInt64(0, true);
  const usec = v.getBigInt64(8, true);
  if (usec < 0n || usec >= 1_000_000n) return null;
  if (sec < 0n) return 0n; // a negative timeout means none (sock_set_timeout())
  return sec * 1_000_000_000n + usec * 1_000n;
}

/** Encodes `ns` as a struct timeval. */
export function timevalOf(ns: bigint): Uint8Array {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setBigInt64(0, ns / 1_000_000_000n, true);
  v.setBigInt64(8, (ns % 1_000_000_000n) / 1_000n, true);
  return out;
}

