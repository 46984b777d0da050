import {
  Errno,
  SYSCALL_NUMBERS,
  block,
  errno,
  ok,
  rewrite,
  waitFor,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import { AF_UNIX, SOCKET_BUFFER, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM, UnixSocket, type UnixSocketType } from './unix.js';

/**
 * The socket syscalls on AF_UNIX socket pairs. Nothing else about sockets is simulated yet, so
 * a descriptor that is not a simulated socket answers ENOTSOCK (or EBADF when it is not open):
 * running the call natively could reach a real socket.
 */

const AF_INET = 2;
const AF_INET6 = 10;
/** AF_MAX: families beyond it are EAFNOSUPPORT before anything else (__sock_create()). */
const AF_MAX = 46;
/** SOCK_MAX: types beyond it are EINVAL (__sock_create()). */
const SOCK_MAX = 11;
const SOCK_RAW = 3;
const SOCK_TYPE_MASK = 0xf;
const SOCK_NONBLOCK = 0o4000;
const SOCK_CLOEXEC = 0o2000000;
/** Linux's ESOCKTNOSUPPORT (node's errno table lacks it). */
const ESOCKTNOSUPPORT = 94;

/** send(2)/recv(2) flags. */
const MSG_OOB = 0x1;
const MSG_PEEK = 0x2;
const MSG_TRUNC = 0x20;
const MSG_DONTWAIT = 0x40;
const MSG_EOR = 0x80;
const MSG_WAITALL = 0x100;
const MSG_CONFIRM = 0x800;
const MSG_NOSIGNAL = 0x4000;
const MSG_MORE = 0x8000;
const MSG_CMSG_CLOEXEC = 0x40000000;
/** Flags af_unix ignores on send (MSG_MORE, MSG_EOR, MSG_CONFIRM) besides the ones acted on. */
const SEND_FLAGS = MSG_OOB | MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE | MSG_EOR | MSG_CONFIRM;
/** MSG_CMSG_CLOEXEC only matters for received descriptors, which a pair never carries here. */
const RECV_FLAGS = MSG_OOB | MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT | MSG_WAITALL | MSG_CMSG_CLOEXEC;

const SOL_SOCKET = 1;
/** SOL_SOCKET option names (asm-generic/socket.h). */
const SO_DEBUG = 1;
const SO_REUSEADDR = 2;
const SO_TYPE = 3;
const SO_ERROR = 4;
const SO_DONTROUTE = 5;
const SO_BROADCAST = 6;
const SO_SNDBUF = 7;
const SO_RCVBUF = 8;
const SO_KEEPALIVE = 9;
const SO_OOBINLINE = 10;
const SO_LINGER = 13;
const SO_PASSCRED = 16;
const SO_RCVLOWAT = 18;
const SO_SNDLOWAT = 19;
const SO_ACCEPTCONN = 30;
const SO_PROTOCOL = 38;
const SO_DOMAIN = 39;
/** Boolean options setsockopt(2) records and getsockopt(2) reports; none changes a socket pair. */
const FLAG_OPTIONS = new Set([SO_DEBUG, SO_REUSEADDR, SO_DONTROUTE, SO_BROADCAST, SO_KEEPALIVE, SO_OOBINLINE]);

/** Linux's MAX_RW_COUNT: no single transfer is larger. */
const MAX_RW_COUNT = 0x7ffff000;
/** UIO_MAXIOV: more iovecs in a msghdr is EMSGSIZE. */
const IOV_MAX = 1024;
/** sizeof(struct sockaddr_storage): longer addresses are EINVAL (sendto) or cut (sendmsg). */
const SOCKADDR_STORAGE = 128;
/** sizeof(struct sockaddr_un). */
const SOCKADDR_UN = 110;
/** The address of an unnamed socket: sa_family only (unix(7) "unnamed"). */
const UNNAMED = new Uint8Array([AF_UNIX, 0]);
/** What recvfrom/recvmsg report as the sender: the peer is unnamed, so Linux copies no address. */
const NO_ADDRESS = new Uint8Array(0);

/** The ctx.state key of a blocking MSG_WAITALL receive: the bytes delivered so far. */
const RECEIVED_KEY = 'unix.received';

const fail = (e: number): SyscallResult => errno(e);

/** The simulated socket behind `fd`, or ENOTSOCK / EBADF. */
function socketOf(ctx: SyscallContext, fd: number): UnixSocket | SyscallResult {
  const file = fd >= 0 ? ctx.process.fds.get(fd) : undefined;
  if (file instanceof UnixSocket) return file;
  return fail(file || (fd >= 0 && ctx.process.isOpen(fd)) ? Errno.ENOTSOCK : Errno.EBADF);
}

/** EAGAIN for a non-blocking call, else park the thread until the socket's readiness changes. */
function wouldBlock(sock: UnixSocket, nonBlocking: boolean): SyscallResult {
  return nonBlocking ? fail(Errno.EAGAIN) : block(waitFor.trigger(sock.readiness));
}

function readInt(ctx: SyscallContext, addr: bigint): number | null {
  const raw = ctx.memory.read(addr, 4);
  return raw ? new DataView(raw.buffer, raw.byteOffset, 4).getInt32(0, true) : null;
}

function intBytes(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value, true);
  return out;
}

/**
 * move_addr_to_user(): copies as much of `name` as the program's *lenPtr allows and stores the
 * full length there. Null on success, else the errno result.
 */
function putAddress(ctx: SyscallContext, addr: bigint, lenPtr: bigint, name: Uint8Array): SyscallResult | null {
  const room = readInt(ctx, lenPtr);
  if (room === null) return fail(Errno.EFAULT);
  const n = Math.min(room, name.length);
  if (n < 0) return fail(Errno.EINVAL);
  if (n > 0 && !ctx.memory.write(addr, name.subarray(0, n))) return fail(Errno.EFAULT);
  return ctx.memory.write(lenPtr, intBytes(name.length)) ? null : fail(Errno.EFAULT);
}

interface Iovec {
  readonly base: bigint;
  readonly length: number;
}

function readIovecs(ctx: SyscallContext, addr: bigint, count: number): Iovec[] | null {
  const raw = ctx.memory.read(addr, count * 16);
  if (!raw) return null;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: count }, (_, i) => ({
    base: view.getBigUint64(i * 16, true),
    length: Math.min(Number(view.getBigUint64(i * 16 + 8, true)), MAX_RW_COUNT),
  }));
}

/** The bytes of all `iovecs`, concatenated; null on a fault. */
function gather(ctx: SyscallContext, iovecs: readonly Iovec[]): Uint8Array | null {
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
function scatter(ctx: SyscallContext, iovecs: readonly Iovec[], offset: number, data: Uint8Array): boolean {
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

/**
 * The destination of sendto/sendmsg (`addrlen` 0 or a NULL address means none). A connected
 * stream refuses one (EISCONN), seqpacket ignores it (unix_seqpacket_sendmsg()), and a datagram
 * socket would look the name up, but no named AF_UNIX socket exists in the simulation yet.
 * Null when the call may go on.
 */
function checkDestination(ctx: SyscallContext, sock: UnixSocket, addr: bigint, addrlen: number): SyscallResult | null {
  if (addr === 0n || addrlen === 0) return null;
  if (addrlen < 0 || addrlen > SOCKADDR_STORAGE) return fail(Errno.EINVAL);
  const name = ctx.memory.read(addr, addrlen);
  if (!name) return fail(Errno.EFAULT);
  if (sock.type === SOCK_STREAM) return fail(Errno.EISCONN);
  if (sock.type === SOCK_SEQPACKET) return null;
  // unix_validate_addr(): longer than sa_family, at most a sockaddr_un, family AF_UNIX.
  if (addrlen <= 2 || addrlen > SOCKADDR_UN || name[0]! + name[1]! * 256 !== AF_UNIX) return fail(Errno.EINVAL);
  ctx.warnOnce('net:named-unix', `${ctx.name}: named AF_UNIX sockets are not simulated yet; answering ECONNREFUSED`);
  return fail(Errno.ECONNREFUSED);
}

function warnFlags(ctx: SyscallContext, flags: number): void {
  if (flags !== 0) {
    ctx.warnOnce(`${ctx.name}:flags:${flags}`, `${ctx.name}: flags 0x${flags.toString(16)} are ignored on AF_UNIX socket pairs`);
  }
}

/** Sends `data` on `sock` with send(2) `flags`. */
function transmit(ctx: SyscallContext, sock: UnixSocket, data: Uint8Array, flags: number): SyscallResult {
  if (flags & MSG_OOB) {
    ctx.warnOnce(`${ctx.name}:MSG_OOB`, `${ctx.name}: MSG_OOB is not supported on AF_UNIX socket pairs; answering EOPNOTSUPP`);
    return fail(Errno.EOPNOTSUPP);
  }
  warnFlags(ctx, flags & ~SEND_FLAGS);
  const nonBlocking = sock.nonBlocking || (flags & MSG_DONTWAIT) !== 0;
  const result = sock.send(ctx, data, { nonBlocking, noSignal: (flags & MSG_NOSIGNAL) !== 0 });
  if (result === 'again') return wouldBlock(sock, nonBlocking);
  return typeof result === 'number' ? ok(result) : fail(result.errno);
}

/** What a receive delivered: the count the call returns, and whether a datagram was cut. */
interface Delivered {
  readonly count: number;
  readonly truncated: boolean;
}

/**
 * Receives into `iovecs` with recv(2) `flags`. The bytes leave the queue only once they reached
 * the program (a fault loses nothing). MSG_WAITALL makes a blocking stream receive wait for the
 * full length (or end of file, or an error), delivering what arrives on the way; its progress
 * lives in ctx.state across the restarts.
 */
function receiveInto(ctx: SyscallContext, sock: UnixSocket, iovecs: readonly Iovec[], flags: number): Delivered | SyscallResult {
  if (flags & MSG_OOB) return fail(sock.stream ? Errno.EINVAL : Errno.EOPNOTSUPP); // no urgent byte is ever queued
  warnFlags(ctx, flags & ~RECV_FLAGS);
  const total = Math.min(
    iovecs.reduce((n, v) => n + v.length, 0),
    MAX_RW_COUNT,
  );
  const peek = (flags & MSG_PEEK) !== 0;
  const nonBlocking = sock.nonBlocking || (flags & MSG_DONTWAIT) !== 0;
  const waitAll = sock.stream && !peek && (flags & MSG_WAITALL) !== 0;
  const stored = ctx.state[RECEIVED_KEY];
  let done = typeof stored === 'number' ? stored : 0;
  delete ctx.state[RECEIVED_KEY];
  for (;;) {
    const result = sock.receive(total - done, { nonBlocking, peek });
    if (result === 'again') {
      if (done === 0) return wouldBlock(sock, nonBlocking);
      if (nonBlocking) return { count: done, truncated: false };
      ctx.state[RECEIVED_KEY] = done;
      return block(waitFor.trigger(sock.readiness));
    }
    if (!('data' in result)) return done > 0 ? { count: done, truncated: false } : fail(result.errno);
    const { data } = result;
    if (data.length > 0 && !scatter(ctx, iovecs, done, data)) return done > 0 ? { count: done, truncated: false } : fail(Errno.EFAULT);
    if (!peek) sock.consume(data.length);
    done += data.length;
    if (waitAll && data.length > 0 && done < total) continue; // more may be queued already, or end of file
    if (sock.stream) return { count: done, truncated: false };
    // A datagram cut to the buffer: MSG_TRUNC in msg_flags; the flag on input asks for its real length.
    return { count: flags & MSG_TRUNC ? result.length : done, truncated: result.length > data.length };
  }
}

const isResult = (value: Delivered | SyscallResult): value is SyscallResult => 'kind' in value;

/** sysSocketpair implements Linux syscall socketpair(2) for AF_UNIX. */
export function sysSocketpair(ctx: SyscallContext): SyscallResult {
  const domain = ctx.args.int(0);
  const flags = ctx.args.int(1) & ~SOCK_TYPE_MASK;
  const requested = ctx.args.int(1) & SOCK_TYPE_MASK;
  const protocol = ctx.args.int(2);
  const sv = ctx.args.ptr(3);
  // The checks in __sys_socketpair() / __sock_create() / unix_create() order.
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) return fail(Errno.EINVAL);
  if (domain < 0 || domain >= AF_MAX) return fail(Errno.EAFNOSUPPORT);
  if (requested >= SOCK_MAX) return fail(Errno.EINVAL);
  if (domain === AF_INET || domain === AF_INET6) return fail(Errno.EOPNOTSUPP); // sock_no_socketpair()
  if (domain !== AF_UNIX) return fail(Errno.EAFNOSUPPORT);
  if (protocol !== 0 && protocol !== AF_UNIX) return fail(Errno.EPROTONOSUPPORT);
  const type = requested === SOCK_RAW ? SOCK_DGRAM : requested; // "Believe it or not BSD has AF_UNIX, SOCK_RAW"
  if (type !== SOCK_STREAM && type !== SOCK_DGRAM && type !== SOCK_SEQPACKET) return fail(ESOCKTNOSUPPORT);
  // The kernel allocates the two numbers: a real stream pair (close-on-exec if asked) holds them
  // and writes them to sv (a bad sv fails there with EFAULT). At the exit stop they are read
  // back and bound to the simulated ends; the placeholder pair never carries data.
  // ctx is reused for later calls: keep what the mapper needs.
  const memory = ctx.memory;
  const fds = ctx.process.fds;
  const nonBlocking = (flags & SOCK_NONBLOCK) !== 0;
  const placeholder = [BigInt(AF_UNIX), BigInt(SOCK_STREAM | (flags & SOCK_CLOEXEC)), 0n, sv];
  return rewrite(SYSCALL_NUMBERS.socketpair, placeholder, (ret) => {
    if (ret !== 0n) return ret;
    const bytes = memory.read(sv, 8);
    if (!bytes) return ret;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const [a, b] = UnixSocket.pair(type as UnixSocketType, nonBlocking);
    fds.bind(view.getInt32(0, true), a);
    fds.bind(view.getInt32(4, true), b);
    return ret;
  });
}

/** sysSendto implements Linux syscall sendto(2) (and send(2), which glibc makes a sendto). */
export function sysSendto(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!(sock instanceof UnixSocket)) return sock;
  const length = Math.min(ctx.args.sizeT(2), MAX_RW_COUNT);
  const data = length > 0 ? ctx.memory.read(ctx.args.ptr(1), length) : new Uint8Array(0);
  if (!data) return fail(Errno.EFAULT);
  const refused = checkDestination(ctx, sock, ctx.args.ptr(4), ctx.args.int(5));
  return refused ?? transmit(ctx, sock, data, ctx.args.int(3));
}

/** sysRecvfrom implements Linux syscall recvfrom(2) (and recv(2)). */
export function sysRecvfrom(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!(sock instanceof UnixSocket)) return sock;
  const got = receiveInto(ctx, sock, [{ base: ctx.args.ptr(1), length: ctx.args.sizeT(2) }], ctx.args.int(3));
  if (isResult(got)) return got;
  // The sender is unnamed, so Linux reports an empty address: *addrlen becomes 0.
  const from = ctx.args.ptr(4);
  const fault = from !== 0n ? putAddress(ctx, from, ctx.args.ptr(5), NO_ADDRESS) : null;
  return fault ?? ok(got.count);
}

/** The fields of a `struct msghdr` (56 bytes on x86_64). */
interface Msghdr {
  readonly name: bigint;
  readonly namelen: number;
  readonly iov: bigint;
  readonly iovlen: bigint;
  readonly controllen: bigint;
}

const MSG_NAMELEN = 8n;
const MSG_CONTROLLEN = 40n;
const MSG_FLAGS = 48n;

/** The msghdr at `addr` with its iovecs, or the errno result (__copy_msghdr()). */
function readMsghdr(ctx: SyscallContext, addr: bigint): { msg: Msghdr; iovecs: Iovec[] } | SyscallResult {
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

/** sysSendmsg implements Linux syscall sendmsg(2). */
export function sysSendmsg(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!(sock instanceof UnixSocket)) return sock;
  const header = readMsghdr(ctx, ctx.args.ptr(1));
  if ('kind' in header) return header;
  const { msg, iovecs } = header;
  if (msg.controllen > 0x7fffffffn) return fail(Errno.ENOBUFS);
  const data = gather(ctx, iovecs);
  if (!data) return fail(Errno.EFAULT);
  if (msg.controllen > 0n) {
    ctx.warnOnce(
      'sendmsg:control',
      'sendmsg: control messages (SCM_RIGHTS, SCM_CREDENTIALS) are not supported on AF_UNIX socket pairs; they are dropped and the data is sent',
    );
  }
  // A longer msg_namelen is cut to sockaddr_storage rather than refused.
  const refused = checkDestination(ctx, sock, msg.name, Math.min(msg.namelen, SOCKADDR_STORAGE));
  return refused ?? transmit(ctx, sock, data, ctx.args.int(2));
}

/** sysRecvmsg implements Linux syscall recvmsg(2). */
export function sysRecvmsg(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!(sock instanceof UnixSocket)) return sock;
  const addr = ctx.args.ptr(1);
  const flags = ctx.args.int(2);
  const header = readMsghdr(ctx, addr);
  if ('kind' in header) return header;
  const got = receiveInto(ctx, sock, header.iovecs, flags);
  if (isResult(got)) return got;
  // Linux writes back msg_namelen (when msg_name is set: 0, the sender is unnamed),
  // msg_controllen (0: a pair carries no control messages here) and msg_flags.
  const written =
    (header.msg.name === 0n || ctx.memory.write(addr + MSG_NAMELEN, intBytes(0))) &&
    ctx.memory.write(addr + MSG_CONTROLLEN, new Uint8Array(8)) &&
    ctx.memory.write(addr + MSG_FLAGS, intBytes((got.truncated ? MSG_TRUNC : 0) | (flags & MSG_CMSG_CLOEXEC)));
  return written ? ok(got.count) : fail(Errno.EFAULT);
}

/** sysShutdown implements Linux syscall shutdown(2). */
export function sysShutdown(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!(sock instanceof UnixSocket)) return sock;
  const how = ctx.args.int(1);
  if (how < 0 || how > 2) return fail(Errno.EINVAL); // SHUT_RD, SHUT_WR, SHUT_RDWR
  sock.shut(how);
  return ok();
}

/** sysGetsockname implements Linux syscall getsockname(2): a socketpair end is unnamed. */
export function sysGetsockname(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!(sock instanceof UnixSocket)) return sock;
  return putAddress(ctx, ctx.args.ptr(1), ctx.args.ptr(2), UNNAMED) ?? ok();
}

/** sysGetpeername implements Linux syscall getpeername(2): the peer is unnamed too. */
export function sysGetpeername(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!(sock instanceof UnixSocket)) return sock;
  if (!sock.peer) return fail(Errno.ENOTCONN); // a datagram end that learned its peer is gone
  return putAddress(ctx, ctx.args.ptr(1), ctx.args.ptr(2), UNNAMED) ?? ok();
}

/** The value of SOL_SOCKET option `name` (sock_getsockopt()), or null when unknown. */
function optionValue(sock: UnixSocket, name: number): Uint8Array | null {
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
    case SO_PROTOCOL:
    case SO_ACCEPTCONN:
    case SO_PASSCRED:
      return intBytes(0);
    case SO_RCVLOWAT:
    case SO_SNDLOWAT:
      return intBytes(1);
    case SO_LINGER:
      return new Uint8Array(8); // struct linger: off
    default:
      return null;
  }
}

/**
 * sysGetsockopt implements Linux syscall getsockopt(2) at SOL_SOCKET. As getsockopt(2) says,
 * *optlen is the buffer size on input and the value's size on output; a shorter buffer gets the
 * first bytes. Other levels are EOPNOTSUPP (AF_UNIX has no protocol options).
 */
export function sysGetsockopt(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!(sock instanceof UnixSocket)) return sock;
  if (ctx.args.int(1) !== SOL_SOCKET) return fail(Errno.EOPNOTSUPP);
  const lenPtr = ctx.args.ptr(4);
  const room = readInt(ctx, lenPtr);
  if (room === null) return fail(Errno.EFAULT);
  if (room < 0) return fail(Errno.EINVAL);
  const value = optionValue(sock, ctx.args.int(2));
  if (!value) return fail(Errno.ENOPROTOOPT);
  const n = Math.min(room, value.length);
  if (n > 0 && !ctx.memory.write(ctx.args.ptr(3), value.subarray(0, n))) return fail(Errno.EFAULT);
  return ctx.memory.write(lenPtr, intBytes(n)) ? ok() : fail(Errno.EFAULT);
}

/**
 * sysSetsockopt implements Linux syscall setsockopt(2) at SOL_SOCKET for the options that do
 * not change a socket pair: the boolean flags (recorded for getsockopt), buffer sizes (the
 * buffers stay at their default) and SO_LINGER (closing a unix socket never lingers).
 */
export function sysSetsockopt(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!(sock instanceof UnixSocket)) return sock;
  if (ctx.args.int(1) !== SOL_SOCKET) return fail(Errno.EOPNOTSUPP);
  const name = ctx.args.int(2);
  const optval = ctx.args.ptr(3);
  const optlen = ctx.args.int(4);
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
      ctx.warnOnce('setsockopt:buffers', `setsockopt: socket buffer sizes stay ${SOCKET_BUFFER} bytes on AF_UNIX socket pairs`);
      return ok();
    case SO_LINGER:
      if (optlen < 8) return fail(Errno.EINVAL);
      return ctx.memory.read(optval, 8) ? ok() : fail(Errno.EFAULT);
    default:
      return fail(Errno.ENOPROTOOPT);
  }
}
