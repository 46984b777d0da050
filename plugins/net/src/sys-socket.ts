import {
  Errno,
  O,
  POLL_READ,
  POLL_WRITE,
  SYSCALL_NUMBERS,
  block,
  callDeadline,
  errno,
  installDescriptors,
  newDescriptor,
  ok,
  readDuration,
  rewrite,
  runCalls,
  waitFor,
  type SimTime,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import {
  AF_MAX,
  AF_UNIX,
  MAX_RW_COUNT,
  MSG_CMSG_CLOEXEC,
  MSG_CONFIRM,
  MSG_CTRUNC,
  MSG_PEEK,
  MSG_DONTWAIT,
  MSG_EOR,
  MSG_MORE,
  MSG_NOSIGNAL,
  MSG_OOB,
  MSG_TRUNC,
  SOCKADDR_STORAGE,
  SOCK_CLOEXEC,
  SOCK_MAX,
  SOCK_NONBLOCK,
  SOCK_STREAM,
  SOCK_TYPE_MASK,
  SOMAXCONN,
  SOL_SOCKET,
} from './constants.js';
import { FAMILIES, type Family } from './families.js';
import { ControlWriter, MSG_CONTROLLEN, MSG_FLAGS, MSG_NAMELEN, gather, getAddress, putAddress, readInt, readMsghdr, receiveInto, type Iovec, type Msghdr } from './socket-common.js';
import { AGAIN, Socket, failure, intBytes, isFailure, succeeded, type Failure, type Outcome } from './socket.js';
import type { NetState } from './state.js';
import { SCM_CREDENTIALS, noCreds, putRights, readControl, releaseRights, type Outgoing } from './unix-control.js';
import { UnixSocket } from './unix.js';

/**
 * The socket syscalls, over the Socket interface (socket.ts) that AF_UNIX, AF_INET / AF_INET6
 * (UDP, TCP) and AF_NETLINK (NETLINK_ROUTE) sockets implement. Each handler reads its
 * arguments, finds the socket (EBADF when the descriptor is not open, ENOTSOCK when it is not
 * a simulated socket: running the call natively could reach a real socket), calls the
 * socket's method and copies the results out.
 */

/** Flags af_unix and UDP/TCP ignore on send (MSG_MORE, MSG_EOR, MSG_CONFIRM) besides the ones acted on. */
const SEND_FLAGS = MSG_OOB | MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE | MSG_EOR | MSG_CONFIRM;
/** What recvfrom/recvmsg report as the sender when there is none to name (*addrlen becomes 0). */
const NO_ADDRESS = new Uint8Array(0);

const fail = (f: Failure): SyscallResult => errno(f.errno);

/** The simulated socket behind `fd`, or ENOTSOCK / EBADF. */
function socketOf(ctx: SyscallContext, fd: number): Socket | Failure {
  const file = fd >= 0 ? ctx.process.fds.get(fd) : undefined;
  if (file instanceof Socket) return file;
  return failure(file || (fd >= 0 && ctx.process.isOpen(fd)) ? Errno.ENOTSOCK : Errno.EBADF);
}

/**
 * The answer to a method's outcome other than its value: a failure's errno; for AGAIN, EAGAIN
 * when the call does not block, else a wait on the socket's readiness (for `events` when given:
 * a blocked send runs again when there may be room, not at every change), up to `timeout` ns of
 * SO_RCVTIMEO/SO_SNDTIMEO fixed at the call's first run (EAGAIN once it passed).
 */
function answer(ctx: SyscallContext, sock: Socket, o: typeof AGAIN | Failure, nonBlocking = true, timeout = 0n, events?: number): SyscallResult {
  if (o !== AGAIN) return fail(o);
  if (nonBlocking) return errno(Errno.EAGAIN);
  const trigger = events === undefined ? sock.readiness : sock.readiness.on(events);
  if (timeout <= 0n) return block(waitFor.trigger(trigger));
  if (ctx.wake === 'timeout') return errno(Errno.EAGAIN);
  const deadline = callDeadline(ctx, () => ctx.now + timeout) as SimTime;
  return block(waitFor.trigger(trigger, deadline));
}

/** The answer to a method without a value: 0, or answer(). */
function done(ctx: SyscallContext, sock: Socket, o: Outcome, nonBlocking?: boolean): SyscallResult {
  return succeeded(o) ? ok() : answer(ctx, sock, o, nonBlocking);
}

/** Whether a transfer with recv/send `flags` must not block. */
const nonBlockingFor = (sock: Socket, flags: number): boolean => sock.nonBlocking || (flags & MSG_DONTWAIT) !== 0;

function warnFlags(ctx: SyscallContext, flags: number): void {
  if (flags !== 0) {
    ctx.warnOnce(`${ctx.name}:flags:${flags}`, `${ctx.name}: flags 0x${flags.toString(16)} are ignored on simulated sockets`);
  }
}

/**
 * The family of socket(2)/socketpair(2), after the flags, family and type checks of
 * __sys_socket() / __sock_create(); a family the simulator lacks is EAFNOSUPPORT (warned once).
 */
function familyOf(ctx: SyscallContext, domain: number, type: number, flags: number): Family | Failure {
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) return failure(Errno.EINVAL);
  if (domain < 0 || domain >= AF_MAX) return failure(Errno.EAFNOSUPPORT);
  if (type >= SOCK_MAX) return failure(Errno.EINVAL);
  const family = FAMILIES.get(domain);
  if (family) return family;
  ctx.warnOnce(`${ctx.name}:family:${domain}`, `${ctx.name}: address family ${domain} is not simulated; answering EAFNOSUPPORT`);
  return failure(Errno.EAFNOSUPPORT);
}

/** sysSocket implements Linux syscall socket(2): AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK (NETLINK_ROUTE); other families EAFNOSUPPORT. */
export function sysSocket(ctx: SyscallContext, state: NetState): SyscallResult {
  const flags = ctx.args.int(1) & ~SOCK_TYPE_MASK;
  const type = ctx.args.int(1) & SOCK_TYPE_MASK;
  const family = familyOf(ctx, ctx.args.int(0), type, flags);
  if (isFailure(family)) return fail(family);
  const net = state.of(ctx.host);
  const sock = family.create(net, type, ctx.args.int(2), (flags & SOCK_NONBLOCK) !== 0, ctx);
  if (isFailure(sock)) return fail(sock);
  sock.ino = net.socketInode();
  return newDescriptor(ctx, sock, { cloexec: (flags & SOCK_CLOEXEC) !== 0 });
}

/** sysSocketpair implements Linux syscall socketpair(2) for AF_UNIX (the other simulated families have no pairs). */
export function sysSocketpair(ctx: SyscallContext, state: NetState): SyscallResult {
  const flags = ctx.args.int(1) & ~SOCK_TYPE_MASK;
  const type = ctx.args.int(1) & SOCK_TYPE_MASK;
  const sv = ctx.args.ptr(3);
  const family = familyOf(ctx, ctx.args.int(0), type, flags);
  if (isFailure(family)) return fail(family);
  const net = state.of(ctx.host);
  const pair = family.pair(net, type, ctx.args.int(2), (flags & SOCK_NONBLOCK) !== 0, ctx);
  if (isFailure(pair)) return fail(pair);
  for (const end of pair) end.ino = net.socketInode();
  // The kernel allocates the two numbers: a real stream pair (close-on-exec if asked) holds them
  // and writes them to sv (a bad sv fails there with EFAULT). At the exit stop they are read
  // back and bound to the simulated ends; the placeholder pair never carries data.
  // ctx is reused for later calls: keep what the mapper needs.
  const memory = ctx.memory;
  const fds = ctx.process.fds;
  const placeholder = [BigInt(AF_UNIX), BigInt(SOCK_STREAM | (flags & SOCK_CLOEXEC)), 0n, sv];
  return rewrite(SYSCALL_NUMBERS.socketpair, placeholder, (ret) => {
    if (ret !== 0n) return ret;
    const bytes = memory.read(sv, 8);
    if (!bytes) return ret;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    fds.bind(view.getInt32(0, true), pair[0]);
    fds.bind(view.getInt32(4, true), pair[1]);
    return ret;
  });
}

/** sysBind implements Linux syscall bind(2). */
export function sysBind(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  const address = getAddress(ctx, ctx.args.ptr(1), ctx.args.int(2));
  if (isFailure(address)) return fail(address);
  return done(ctx, sock, sock.bind(ctx, address));
}

/** sysListen implements Linux syscall listen(2). */
export function sysListen(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  const backlog = ctx.args.int(1);
  return done(ctx, sock, sock.listen(backlog < 0 || backlog > SOMAXCONN ? SOMAXCONN : backlog, ctx));
}

function acceptWith(ctx: SyscallContext, state: NetState, flags: number): SyscallResult {
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) return errno(Errno.EINVAL);
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  const addr = ctx.args.ptr(1);
  const lenPtr = ctx.args.ptr(2);
  if (addr !== 0n) {
    const room = readInt(ctx, lenPtr);
    if (room === null) return errno(Errno.EFAULT);
    if (room < 0) return errno(Errno.EINVAL);
  }
  const got = sock.accept();
  if (!succeeded(got)) return answer(ctx, sock, got, sock.nonBlocking, sock.receiveTimeout);
  const child = got.socket;
  if (child.ino === 0n) child.ino = state.of(ctx.host).socketInode();
  // O_NONBLOCK comes from accept4's SOCK_NONBLOCK only, never from the listener.
  if (flags & SOCK_NONBLOCK) child.statusFlags |= O.NONBLOCK;
  const fault = addr !== 0n ? putAddress(ctx, addr, lenPtr, got.peer) : null;
  if (fault) {
    sock.requeue(child);
    return fail(fault);
  }
  return withRequeue(newDescriptor(ctx, child, { cloexec: (flags & SOCK_CLOEXEC) !== 0 }), () => sock.requeue(child));
}

/** Runs `undo` when the descriptor the result creates could not be made (EMFILE…). */
function withRequeue(result: SyscallResult, undo: () => void): SyscallResult {
  if (result.kind !== 'rewrite' || !result.mapResult) return result;
  const map = result.mapResult;
  return {
    ...result,
    mapResult: (ret) => {
      if (ret < 0n) undo();
      return map(ret);
    },
  };
}

/** sysAccept implements Linux syscall accept(2). */
export function sysAccept(ctx: SyscallContext, state: NetState): SyscallResult {
  return acceptWith(ctx, state, 0);
}

/** sysAccept4 implements Linux syscall accept4(2) (SOCK_NONBLOCK, SOCK_CLOEXEC). */
export function sysAccept4(ctx: SyscallContext, state: NetState): SyscallResult {
  return acceptWith(ctx, state, ctx.args.int(3));
}

/** sysConnect implements Linux syscall connect(2). */
export function sysConnect(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  const address = getAddress(ctx, ctx.args.ptr(1), ctx.args.int(2));
  if (isFailure(address)) return fail(address);
  // The socket answers O_NONBLOCK itself (EINPROGRESS, EAGAIN); AGAIN waits.
  return done(ctx, sock, sock.connect(ctx, address), false);
}

/** Sends `data` on `sock` with send(2) `flags` to the destination `to` (empty: none). */
function transmit(ctx: SyscallContext, sock: Socket, data: Uint8Array, flags: number, to: Uint8Array, control?: Outgoing): SyscallResult {
  if (flags & MSG_OOB) {
    ctx.warnOnce(`${ctx.name}:MSG_OOB`, `${ctx.name}: MSG_OOB (urgent data) is not simulated; answering EOPNOTSUPP`);
    return errno(Errno.EOPNOTSUPP);
  }
  warnFlags(ctx, flags & ~SEND_FLAGS);
  const nonBlocking = nonBlockingFor(sock, flags);
  const sent = sock.send(ctx, data, { nonBlocking, noSignal: (flags & MSG_NOSIGNAL) !== 0, to, ...(control ? { control } : {}) });
  return succeeded(sent) ? ok(sent) : answer(ctx, sock, sent, nonBlocking, sock.sendTimeout, POLL_WRITE);
}

/** sysSendto implements Linux syscall sendto(2) (and send(2), which glibc makes a sendto). */
export function sysSendto(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  const length = Math.min(ctx.args.sizeT(2), MAX_RW_COUNT);
  const data = length > 0 ? ctx.memory.read(ctx.args.ptr(1), length) : new Uint8Array(0);
  if (!data) return errno(Errno.EFAULT);
  const addr = ctx.args.ptr(4);
  const to = addr === 0n ? NO_ADDRESS : getAddress(ctx, addr, ctx.args.int(5));
  if (isFailure(to)) return fail(to);
  return transmit(ctx, sock, data, ctx.args.int(3), to);
}

/** sysRecvfrom implements Linux syscall recvfrom(2) (and recv(2)). */
export function sysRecvfrom(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  const flags = ctx.args.int(3);
  const nonBlocking = nonBlockingFor(sock, flags);
  const got = receiveInto(ctx, sock, [{ base: ctx.args.ptr(1), length: ctx.args.sizeT(2) }], flags, nonBlocking, (f) => warnFlags(ctx, f));
  if (!succeeded(got)) return answer(ctx, sock, got, nonBlocking, sock.receiveTimeout, POLL_READ);
  const from = ctx.args.ptr(4);
  const fault = from !== 0n ? putAddress(ctx, from, ctx.args.ptr(5), got.from ?? NO_ADDRESS) : null;
  return fault ? fail(fault) : ok(got.count);
}

/** One sendmsg(2) on `sock` of the msghdr at `addr`. */
function sendMessage(ctx: SyscallContext, sock: Socket, addr: bigint, flags: number): SyscallResult {
  const header = readMsghdr(ctx, addr);
  if (isFailure(header)) return fail(header);
  const { msg, iovecs } = header;
  if (msg.controllen > 0x7fffffffn) return errno(Errno.ENOBUFS);
  let control: Outgoing | null = null;
  if (sock.family === AF_UNIX) {
    const read = readControl(ctx, msg.control, Number(msg.controllen));
    if (isFailure(read)) return fail(read);
    control = read;
  } else if (msg.controllen > 0n) {
    ctx.warnOnce(`${ctx.name}:control`, `${ctx.name}: control messages on ${sock.kind} sockets (IP_PKTINFO, …) are not simulated; they are dropped and the data is sent`);
  }
  const result = sendWithControl(ctx, sock, iovecs, msg, flags, control ?? undefined);
  control?.releaseUnqueued();
  return result;
}

/** The send of sendMessage once its control messages are read (and held). */
function sendWithControl(ctx: SyscallContext, sock: Socket, iovecs: readonly Iovec[], msg: Msghdr, flags: number, control: Outgoing | undefined): SyscallResult {
  const data = gather(ctx, iovecs);
  if (!data) return errno(Errno.EFAULT);
  // A longer msg_namelen is cut to sockaddr_storage rather than refused.
  const to = msg.name === 0n ? NO_ADDRESS : getAddress(ctx, msg.name, Math.min(msg.namelen, SOCKADDR_STORAGE));
  if (isFailure(to)) return fail(to);
  return transmit(ctx, sock, data, flags, to, control);
}

/** sysSendmsg implements Linux syscall sendmsg(2). */
export function sysSendmsg(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  return sendMessage(ctx, sock, ctx.args.ptr(1), ctx.args.int(2));
}

/** sizeof(struct mmsghdr): a msghdr, then the msg_len the call fills in (and padding). */
const MMSGHDR = 64n;
const MMSG_LEN = 56n;
/** UIO_MAXIOV: at most this many messages per call. */
const UIO_MAXIOV = 1024;

/**
 * sysSendmmsg implements Linux syscall sendmmsg(2) (__sys_sendmmsg()): a sendmsg of each
 * mmsghdr in turn, its msg_len filled in, until one fails; the count sent, or the first one's
 * error. glibc's resolver sends its A and AAAA queries with it. Only the first message may wait:
 * a later one that would block ends the call with the count so far — a short count, which
 * sendmmsg(2) allows, where Linux would wait (warned once).
 */
export function sysSendmmsg(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  const vec = ctx.args.ptr(1);
  const count = Math.min(ctx.args.int(2) >>> 0, UIO_MAXIOV);
  const flags = ctx.args.int(3);
  let sent = 0;
  while (sent < count) {
    const entry = vec + BigInt(sent) * MMSGHDR;
    // Each message is a transfer of its own; the first keeps what earlier runs of a blocked call moved.
    if (sent > 0) ctx.call.transferred = 0;
    const result = sendMessage(ctx, sock, entry, sent > 0 ? flags | MSG_DONTWAIT : flags);
    if (result.kind === 'ok') {
      if (!ctx.memory.write(entry + MMSG_LEN, intBytes(Number(result.value)))) break;
      sent++;
      continue;
    }
    if (sent === 0) return result;
    if (result.kind === 'errno' && result.errno === Errno.EAGAIN && !nonBlockingFor(sock, flags)) {
      ctx.warnOnce('sendmmsg:short', 'sendmmsg: a message after the first that would wait ends the call with the count sent so far');
    }
    // Part of a stream message went out: it counts, with its length (as Linux's msg_data_left() stop).
    const partial = ctx.call.transferred;
    if (partial > 0 && ctx.memory.write(entry + MMSG_LEN, intBytes(partial))) sent++;
    break;
  }
  ctx.call.transferred = 0;
  // None counted although messages were asked for: the first msg_len could not be stored (put_user's EFAULT).
  return sent === 0 && count > 0 ? errno(Errno.EFAULT) : ok(sent);
}

/** sysRecvmsg implements Linux syscall recvmsg(2). */
export function sysRecvmsg(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  return receiveMessage(ctx, sock, ctx.args.ptr(1), ctx.args.int(2));
}

/** MSG_WAITFORONE: recvmmsg stops waiting once one message came. */
const MSG_WAITFORONE = 0x10000;

/**
 * sysRecvmmsg implements Linux syscall recvmmsg(2): recvmsg into each mmsghdr in turn, its
 * msg_len filled in; the count received, or the first one's error. The first message waits as
 * recvmsg would; the later ones are taken if they are there (MSG_WAITFORONE's behaviour), so a
 * blocking call without it returns a short count where Linux would wait for more (warned once).
 * The timeout is checked (EFAULT, EINVAL) and, as Linux's (recvmmsg(2) BUGS), never ends a wait.
 * Descriptors (SCM_RIGHTS) are installed message by message as recvmsg installs them.
 */
export function sysRecvmmsg(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  const vec = ctx.args.ptr(1);
  const count = Math.min(ctx.args.int(2) >>> 0, UIO_MAXIOV);
  const flags = ctx.args.int(3);
  const timeout = ctx.args.ptr(4);
  if (timeout !== 0n) {
    const checked = readDuration(ctx, timeout);
    if (typeof checked !== 'bigint') return checked;
  }
  let received = 0;
  const total = (): bigint => (received === 0 && count > 0 ? -BigInt(Errno.EFAULT) : BigInt(received));
  /** Takes messages until the call ends (null) or one has descriptors to install (its runCalls result). */
  const take = (): SyscallResult | null => {
    while (received < count) {
      const entry = vec + BigInt(received) * MMSGHDR;
      const result = receiveMessage(ctx, sock, entry, received > 0 ? (flags & ~MSG_WAITFORONE) | MSG_DONTWAIT : flags & ~MSG_WAITFORONE);
      if (result.kind === 'calls') {
        installing = { result, entry };
        return result;
      }
      if (result.kind !== 'ok') {
        if (received === 0) return result;
        if (!(flags & MSG_WAITFORONE) && !nonBlockingFor(sock, flags)) {
          ctx.warnOnce('recvmmsg:short', 'recvmmsg: a blocking call returns the messages that were there after the first instead of waiting for more');
        }
        return null;
      }
      if (!ctx.memory.write(entry + MMSG_LEN, intBytes(Number(result.value)))) return null;
      received++;
    }
    return null;
  };
  let installing: { result: Extract<SyscallResult, { kind: 'calls' }>; entry: bigint } | null = null;
  const first = take();
  if (first === null) {
    const value = total();
    return value < 0n ? errno(Number(-value)) : ok(value);
  }
  if (first.kind !== 'calls') return first;
  // A message's descriptors are installed by calls the thread runs; then the loop goes on, and
  // each later message with descriptors adds its own calls.
  return runCalls(
    (previous) => {
      for (let last = previous; ; last = null) {
        const { result, entry } = installing!;
        const answer = result.next(last);
        if (typeof answer !== 'bigint') return answer;
        if (answer < 0n) return received > 0 ? BigInt(received) : answer;
        if (!ctx.memory.write(entry + MMSG_LEN, intBytes(Number(answer)))) return total();
        received++;
        if (take()?.kind !== 'calls') return total();
      }
    },
    () => installing?.result.abandoned?.(),
  );
}

/**
 * One recvmsg into the msghdr at `addr`. Linux writes back msg_namelen (and the sender's
 * address when msg_name is set), the control messages with msg_controllen, and msg_flags. A
 * receiver with SO_PASSCRED gets the sender's credentials; descriptors that came with the
 * bytes are installed in the caller (a runCalls result).
 */
function receiveMessage(ctx: SyscallContext, sock: Socket, addr: bigint, flags: number): SyscallResult {
  const header = readMsghdr(ctx, addr);
  if (isFailure(header)) return fail(header);
  const nonBlocking = nonBlockingFor(sock, flags);
  const got = receiveInto(ctx, sock, header.iovecs, flags, nonBlocking, (f) => warnFlags(ctx, f));
  if (!succeeded(got)) return answer(ctx, sock, got, nonBlocking, sock.receiveTimeout, POLL_READ);
  const { msg } = header;
  const writer = new ControlWriter(ctx, msg.control, Number(msg.controllen > 0x7fffffffn ? 0x7fffffffn : msg.controllen));
  if (sock instanceof UnixSocket && sock.passCreds) writer.put(SOL_SOCKET, SCM_CREDENTIALS, got.control?.creds ?? noCreds());
  for (const { level, type, data } of got.messages ?? []) writer.put(level, type, data);
  // The descriptors are this call's unless it only peeked (then the queue keeps them).
  const owned = (flags & MSG_PEEK) === 0;
  const rights = got.control?.rights ?? [];
  const finish = (fds: readonly number[]): bigint => {
    putRights(writer, fds, rights.length);
    if (owned) releaseRights(rights);
    const named = msg.name === 0n || putAddress(ctx, msg.name, addr + MSG_NAMELEN, got.from ?? NO_ADDRESS) === null;
    const msgFlags = (got.truncated ? MSG_TRUNC : 0) | (writer.truncated ? MSG_CTRUNC : 0) | (flags & MSG_CMSG_CLOEXEC);
    const written =
      named && ctx.memory.write(addr + MSG_CONTROLLEN, longBytes(writer.used)) && ctx.memory.write(addr + MSG_FLAGS, intBytes(msgFlags));
    return written ? BigInt(got.count) : -BigInt(Errno.EFAULT);
  };
  const room = Math.min(writer.descriptorRoom(), rights.length);
  if (room === 0) {
    const value = finish([]);
    return value < 0n ? errno(Number(-value)) : ok(value);
  }
  const abandoned = (): void => {
    if (owned) releaseRights(rights);
  };
  return installDescriptors(ctx, rights.slice(0, room), { cloexec: (flags & MSG_CMSG_CLOEXEC) !== 0, abandoned }, finish);
}

/** A size_t as its 8 bytes. */
function longBytes(value: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(value), true);
  return out;
}

/** sysShutdown implements Linux syscall shutdown(2). */
export function sysShutdown(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  const how = ctx.args.int(1);
  if (how < 0 || how > 2) return errno(Errno.EINVAL); // SHUT_RD, SHUT_WR, SHUT_RDWR
  return done(ctx, sock, sock.shutdown(how));
}

/** sysGetsockname implements Linux syscall getsockname(2). */
export function sysGetsockname(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  const fault = putAddress(ctx, ctx.args.ptr(1), ctx.args.ptr(2), sock.getsockname());
  return fault ? fail(fault) : ok();
}

/** sysGetpeername implements Linux syscall getpeername(2). */
export function sysGetpeername(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  const name = sock.getpeername();
  if (!succeeded(name)) return answer(ctx, sock, name);
  const fault = putAddress(ctx, ctx.args.ptr(1), ctx.args.ptr(2), name);
  return fault ? fail(fault) : ok();
}

/**
 * sysGetsockopt implements Linux syscall getsockopt(2). As getsockopt(2) says, *optlen is the
 * buffer size on input and the value's size on output; a shorter buffer gets the first bytes.
 */
export function sysGetsockopt(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  const lenPtr = ctx.args.ptr(4);
  const room = readInt(ctx, lenPtr);
  if (room === null) return errno(Errno.EFAULT);
  if (room < 0) return errno(Errno.EINVAL);
  const value = sock.getsockopt(ctx, ctx.args.int(1), ctx.args.int(2));
  if (!succeeded(value)) return answer(ctx, sock, value);
  const n = Math.min(room, value.length);
  if (n > 0 && !ctx.memory.write(ctx.args.ptr(3), value.subarray(0, n))) return errno(Errno.EFAULT);
  return ctx.memory.write(lenPtr, intBytes(n)) ? ok() : errno(Errno.EFAULT);
}

/** sysSetsockopt implements Linux syscall setsockopt(2). */
export function sysSetsockopt(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (isFailure(sock)) return fail(sock);
  const optlen = ctx.args.int(4);
  if (optlen < 0) return errno(Errno.EINVAL);
  // No option is longer than 256 bytes; a value that cannot be read is the socket's EFAULT to answer.
  const value = optlen > 0 ? ctx.memory.read(ctx.args.ptr(3), Math.min(optlen, 256)) : new Uint8Array(0);
  return done(ctx, sock, sock.setsockopt(ctx, ctx.args.int(1), ctx.args.int(2), value, optlen));
}
