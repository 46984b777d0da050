import { Errno, SYSCALL_NUMBERS, newDescriptor, ok, rewrite, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { AF_INET, AF_INET6 } from './inet/addresses.js';
import { getOption, setOption } from './inet/options.js';
import { InetSocket } from './inet/socket.js';
import { inetAccept, inetBind, inetConnect, inetDestination, inetListen, inetPeerName, inetSocket } from './inet/sys-inet.js';
import { TcpSocket } from './inet/tcp-socket.js';
import { UdpSocket } from './inet/udp.js';
import {
  AF_MAX,
  ESOCKTNOSUPPORT,
  MAX_RW_COUNT,
  MSG_CMSG_CLOEXEC,
  MSG_CONFIRM,
  MSG_CONTROLLEN,
  MSG_DONTWAIT,
  MSG_EOR,
  MSG_FLAGS,
  MSG_MORE,
  MSG_NAMELEN,
  MSG_NOSIGNAL,
  MSG_OOB,
  MSG_TRUNC,
  SOCKADDR_STORAGE,
  SOCK_CLOEXEC,
  SOCK_MAX,
  SOCK_NONBLOCK,
  SOCK_RAW,
  SOCK_TYPE_MASK,
  fail,
  gather,
  getAddress,
  intBytes,
  isResult,
  putAddress,
  readInt,
  readMsghdr,
  receiveInto,
  wouldBlock,
  type SendResult,
} from './socket-common.js';
import {
  AF_NETLINK,
  NetlinkSocket,
  netlinkBind,
  netlinkConnect,
  netlinkDestination,
  netlinkGetsockopt,
  netlinkSetsockopt,
  netlinkSocket,
  netlinkSocketpair,
} from './netlink.js';
import { UNNAMED, unixAccept, unixBind, unixConnect, unixListen, unixTarget } from './unix-named.js';
import { unixGetsockopt, unixSetsockopt } from './unix-options.js';
import { AF_UNIX, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM, UnixSocket, type UnixSocketType } from './unix.js';

/**
 * The socket syscalls, for AF_UNIX sockets (pairs and named ones), AF_INET / AF_INET6 UDP
 * and TCP sockets, and AF_NETLINK NETLINK_ROUTE sockets (netlink.ts). A descriptor that is not a simulated socket answers ENOTSOCK (or EBADF when
 * it is not open): running the call natively could reach a real socket.
 */

/** Flags af_unix and UDP/TCP ignore on send (MSG_MORE, MSG_EOR, MSG_CONFIRM) besides the ones acted on. */
const SEND_FLAGS = MSG_OOB | MSG_DONTWAIT | MSG_NOSIGNAL | MSG_MORE | MSG_EOR | MSG_CONFIRM;
/** What recvfrom/recvmsg report as the sender when there is none to name (*addrlen becomes 0). */
const NO_ADDRESS = new Uint8Array(0);

type Socket = UnixSocket | InetSocket | NetlinkSocket;

/** The simulated socket behind `fd`, or ENOTSOCK / EBADF. */
function socketOf(ctx: SyscallContext, fd: number): Socket | SyscallResult {
  const file = fd >= 0 ? ctx.process.fds.get(fd) : undefined;
  if (file instanceof UnixSocket || file instanceof InetSocket || file instanceof NetlinkSocket) return file;
  return fail(file || (fd >= 0 && ctx.process.isOpen(fd)) ? Errno.ENOTSOCK : Errno.EBADF);
}

const isSocket = (v: Socket | SyscallResult): v is Socket => v instanceof UnixSocket || v instanceof InetSocket || v instanceof NetlinkSocket;

function warnFlags(ctx: SyscallContext, flags: number): void {
  if (flags !== 0) {
    ctx.warnOnce(`${ctx.name}:flags:${flags}`, `${ctx.name}: flags 0x${flags.toString(16)} are ignored on simulated sockets`);
  }
}

/** socket(2) flags, family and type checks in __sys_socket() / __sock_create() order; the family's own after. */
function checkCreate(domain: number, type: number, flags: number): SyscallResult | null {
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) return fail(Errno.EINVAL);
  if (domain < 0 || domain >= AF_MAX) return fail(Errno.EAFNOSUPPORT);
  if (type >= SOCK_MAX) return fail(Errno.EINVAL);
  return null;
}

/** sysSocket implements Linux syscall socket(2): AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK (NETLINK_ROUTE); other families EAFNOSUPPORT. */
export function sysSocket(ctx: SyscallContext): SyscallResult {
  const domain = ctx.args.int(0);
  const flags = ctx.args.int(1) & ~SOCK_TYPE_MASK;
  const requested = ctx.args.int(1) & SOCK_TYPE_MASK;
  const protocol = ctx.args.int(2);
  const bad = checkCreate(domain, requested, flags);
  if (bad) return bad;
  if (domain === AF_INET || domain === AF_INET6) return inetSocket(ctx, domain, requested, protocol, flags);
  if (domain === AF_NETLINK) return netlinkSocket(ctx, requested, protocol, flags);
  if (domain !== AF_UNIX) {
    ctx.warnOnce(`socket:family:${domain}`, `socket: address family ${domain} is not simulated; answering EAFNOSUPPORT`);
    return fail(Errno.EAFNOSUPPORT);
  }
  if (protocol !== 0 && protocol !== AF_UNIX) return fail(Errno.EPROTONOSUPPORT);
  const type = requested === SOCK_RAW ? SOCK_DGRAM : requested;
  if (type !== SOCK_STREAM && type !== SOCK_DGRAM && type !== SOCK_SEQPACKET) return fail(ESOCKTNOSUPPORT);
  const sock = new UnixSocket(type as UnixSocketType, (flags & SOCK_NONBLOCK) !== 0);
  sock.unconnected = true;
  return newDescriptor(ctx, sock, { cloexec: (flags & SOCK_CLOEXEC) !== 0 });
}

/** sysSocketpair implements Linux syscall socketpair(2) for AF_UNIX. */
export function sysSocketpair(ctx: SyscallContext): SyscallResult {
  const domain = ctx.args.int(0);
  const flags = ctx.args.int(1) & ~SOCK_TYPE_MASK;
  const requested = ctx.args.int(1) & SOCK_TYPE_MASK;
  const protocol = ctx.args.int(2);
  const sv = ctx.args.ptr(3);
  const bad = checkCreate(domain, requested, flags);
  if (bad) return bad;
  if (domain === AF_NETLINK) return netlinkSocketpair(requested, protocol);
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

/** sysBind implements Linux syscall bind(2). */
export function sysBind(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!isSocket(sock)) return sock;
  const bytes = getAddress(ctx, ctx.args.ptr(1), ctx.args.int(2));
  if (!(bytes instanceof Uint8Array)) return bytes;
  if (sock instanceof NetlinkSocket) return netlinkBind(ctx, sock, bytes);
  return sock instanceof UnixSocket ? unixBind(ctx, sock, bytes) : inetBind(sock, bytes);
}

/** sysListen implements Linux syscall listen(2). */
export function sysListen(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!isSocket(sock)) return sock;
  const backlog = ctx.args.int(1);
  if (sock instanceof NetlinkSocket) return fail(Errno.EOPNOTSUPP); // sock_no_listen()
  return sock instanceof UnixSocket ? unixListen(sock, backlog) : inetListen(sock, backlog);
}

function acceptWith(ctx: SyscallContext, flags: number): SyscallResult {
  if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC)) return fail(Errno.EINVAL);
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!isSocket(sock)) return sock;
  if (sock instanceof NetlinkSocket) return fail(Errno.EOPNOTSUPP); // sock_no_accept()
  const addr = ctx.args.ptr(1);
  const lenPtr = ctx.args.ptr(2);
  if (addr !== 0n) {
    const room = readInt(ctx, lenPtr);
    if (room === null) return fail(Errno.EFAULT);
    if (room < 0) return fail(Errno.EINVAL);
  }
  return sock instanceof UnixSocket ? unixAccept(ctx, sock, addr, lenPtr, flags) : inetAccept(ctx, sock, addr, lenPtr, flags);
}

/** sysAccept implements Linux syscall accept(2). */
export function sysAccept(ctx: SyscallContext): SyscallResult {
  return acceptWith(ctx, 0);
}

/** sysAccept4 implements Linux syscall accept4(2) (SOCK_NONBLOCK, SOCK_CLOEXEC). */
export function sysAccept4(ctx: SyscallContext): SyscallResult {
  return acceptWith(ctx, ctx.args.int(3));
}

/** sysConnect implements Linux syscall connect(2). */
export function sysConnect(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!isSocket(sock)) return sock;
  const bytes = getAddress(ctx, ctx.args.ptr(1), ctx.args.int(2));
  if (!(bytes instanceof Uint8Array)) return bytes;
  if (sock instanceof NetlinkSocket) return netlinkConnect(ctx, sock, bytes);
  return sock instanceof UnixSocket ? unixConnect(ctx, sock, bytes) : inetConnect(ctx, sock, bytes);
}

/**
 * Sends `data` on `sock` with send(2) `flags` to the destination named by `name` (empty: none).
 * AF_UNIX: a connected stream refuses a name (EISCONN; EOPNOTSUPP unconnected), seqpacket
 * ignores it, a datagram socket sends to the socket bound there. UDP sends to it; TCP ignores it.
 */
function transmit(ctx: SyscallContext, sock: Socket, data: Uint8Array, flags: number, name: Uint8Array): SyscallResult {
  if (flags & MSG_OOB) {
    ctx.warnOnce(`${ctx.name}:MSG_OOB`, `${ctx.name}: MSG_OOB (urgent data) is not simulated; answering EOPNOTSUPP`);
    return fail(Errno.EOPNOTSUPP);
  }
  warnFlags(ctx, flags & ~SEND_FLAGS);
  const nonBlocking = sock.nonBlocking || (flags & MSG_DONTWAIT) !== 0;
  const opts = { nonBlocking, noSignal: (flags & MSG_NOSIGNAL) !== 0 };
  let result: SendResult;
  if (sock instanceof NetlinkSocket) {
    const to = netlinkDestination(sock, name);
    if (typeof to !== 'number') return fail(to.errno);
    result = sock.send(ctx, data, to);
  } else if (sock instanceof UnixSocket) {
    if (name.length > 0 && sock.type === SOCK_STREAM) return fail(sock.peer ? Errno.EISCONN : Errno.EOPNOTSUPP);
    if (name.length > 0 && sock.type === SOCK_DGRAM) {
      const target = unixTarget(ctx, name);
      if ('errno' in target) return fail(target.errno);
      result = sock.sendMessage(data, target);
    } else {
      result = sock.send(ctx, data, opts);
    }
  } else {
    const to = inetDestination(sock, name);
    if (to && 'errno' in to) return fail(to.errno);
    result = sock instanceof UdpSocket ? sock.send(ctx, data, to ? { ...opts, to } : opts) : (sock as TcpSocket).send(ctx, data, opts);
  }
  if (result === 'again') return wouldBlock(ctx, sock, nonBlocking, sock instanceof InetSocket ? sock.sendTimeout : 0n);
  return typeof result === 'number' ? ok(result) : fail(result.errno);
}

/** sysSendto implements Linux syscall sendto(2) (and send(2), which glibc makes a sendto). */
export function sysSendto(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!isSocket(sock)) return sock;
  const length = Math.min(ctx.args.sizeT(2), MAX_RW_COUNT);
  const data = length > 0 ? ctx.memory.read(ctx.args.ptr(1), length) : new Uint8Array(0);
  if (!data) return fail(Errno.EFAULT);
  const addr = ctx.args.ptr(4);
  const name = addr === 0n ? new Uint8Array(0) : getAddress(ctx, addr, ctx.args.int(5));
  if (!(name instanceof Uint8Array)) return name;
  return transmit(ctx, sock, data, ctx.args.int(3), name);
}

/** sysRecvfrom implements Linux syscall recvfrom(2) (and recv(2)). */
export function sysRecvfrom(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!isSocket(sock)) return sock;
  const got = receiveInto(ctx, sock, [{ base: ctx.args.ptr(1), length: ctx.args.sizeT(2) }], ctx.args.int(3), (f) => warnFlags(ctx, f));
  if (isResult(got)) return got;
  const from = ctx.args.ptr(4);
  const fault = from !== 0n ? putAddress(ctx, from, ctx.args.ptr(5), got.from ?? NO_ADDRESS) : null;
  return fault ?? ok(got.count);
}

/** sysSendmsg implements Linux syscall sendmsg(2). */
export function sysSendmsg(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!isSocket(sock)) return sock;
  const header = readMsghdr(ctx, ctx.args.ptr(1));
  if ('kind' in header) return header;
  const { msg, iovecs } = header;
  if (msg.controllen > 0x7fffffffn) return fail(Errno.ENOBUFS);
  const data = gather(ctx, iovecs);
  if (!data) return fail(Errno.EFAULT);
  if (msg.controllen > 0n) {
    ctx.warnOnce('sendmsg:control', 'sendmsg: control messages (SCM_RIGHTS, SCM_CREDENTIALS, …) are not simulated; they are dropped and the data is sent');
  }
  // A longer msg_namelen is cut to sockaddr_storage rather than refused.
  const name = msg.name === 0n ? new Uint8Array(0) : getAddress(ctx, msg.name, Math.min(msg.namelen, SOCKADDR_STORAGE));
  if (!(name instanceof Uint8Array)) return name;
  return transmit(ctx, sock, data, ctx.args.int(2), name);
}

/** sysRecvmsg implements Linux syscall recvmsg(2). */
export function sysRecvmsg(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!isSocket(sock)) return sock;
  const addr = ctx.args.ptr(1);
  const flags = ctx.args.int(2);
  const header = readMsghdr(ctx, addr);
  if ('kind' in header) return header;
  const got = receiveInto(ctx, sock, header.iovecs, flags, (f) => warnFlags(ctx, f));
  if (isResult(got)) return got;
  // Linux writes back msg_namelen (and the sender's address when msg_name is set),
  // msg_controllen (0: no control messages here) and msg_flags.
  const named = header.msg.name === 0n || putAddress(ctx, header.msg.name, addr + MSG_NAMELEN, got.from ?? NO_ADDRESS) === null;
  const written =
    named &&
    ctx.memory.write(addr + MSG_CONTROLLEN, new Uint8Array(8)) &&
    ctx.memory.write(addr + MSG_FLAGS, intBytes((got.truncated ? MSG_TRUNC : 0) | (flags & MSG_CMSG_CLOEXEC)));
  return written ? ok(got.count) : fail(Errno.EFAULT);
}

/** sysShutdown implements Linux syscall shutdown(2). */
export function sysShutdown(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!isSocket(sock)) return sock;
  const how = ctx.args.int(1);
  if (how < 0 || how > 2) return fail(Errno.EINVAL); // SHUT_RD, SHUT_WR, SHUT_RDWR
  if (sock instanceof NetlinkSocket) return fail(Errno.EOPNOTSUPP); // sock_no_shutdown()
  if (sock instanceof TcpSocket) return sock.shutDown(how);
  if (sock instanceof UdpSocket) {
    sock.shut(how);
    return sock.peer ? ok() : fail(Errno.ENOTCONN); // the flags stick even so (inet_shutdown())
  }
  (sock as UnixSocket).shut(how); // unix_shutdown() never fails
  return ok();
}

/** sysGetsockname implements Linux syscall getsockname(2). */
export function sysGetsockname(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!isSocket(sock)) return sock;
  const name = sock instanceof UnixSocket ? (sock.name ?? UNNAMED) : sock.localName(); // netlink: its port id
  return putAddress(ctx, ctx.args.ptr(1), ctx.args.ptr(2), name) ?? ok();
}

/** sysGetpeername implements Linux syscall getpeername(2). */
export function sysGetpeername(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!isSocket(sock)) return sock;
  let name: Uint8Array | null;
  if (sock instanceof NetlinkSocket) name = sock.peerName(); // netlink_getname(): the destination, even unconnected
  else if (sock instanceof UnixSocket) name = sock.peer ? (sock.peerName ?? UNNAMED) : null; // a datagram end that learned its peer is gone
  else name = inetPeerName(sock);
  if (!name) return fail(Errno.ENOTCONN);
  return putAddress(ctx, ctx.args.ptr(1), ctx.args.ptr(2), name) ?? ok();
}

/**
 * sysGetsockopt implements Linux syscall getsockopt(2). As getsockopt(2) says, *optlen is the
 * buffer size on input and the value's size on output; a shorter buffer gets the first bytes.
 */
export function sysGetsockopt(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!isSocket(sock)) return sock;
  const lenPtr = ctx.args.ptr(4);
  const room = readInt(ctx, lenPtr);
  if (room === null) return fail(Errno.EFAULT);
  if (room < 0) return fail(Errno.EINVAL);
  const level = ctx.args.int(1);
  const name = ctx.args.int(2);
  let value: Uint8Array | { errno: number };
  if (sock instanceof NetlinkSocket) value = netlinkGetsockopt(sock, level, name);
  else value = sock instanceof UnixSocket ? unixGetsockopt(sock, level, name) : getOption(ctx, sock, level, name);
  if (!(value instanceof Uint8Array)) return fail(value.errno);
  const n = Math.min(room, value.length);
  if (n > 0 && !ctx.memory.write(ctx.args.ptr(3), value.subarray(0, n))) return fail(Errno.EFAULT);
  return ctx.memory.write(lenPtr, intBytes(n)) ? ok() : fail(Errno.EFAULT);
}

/** sysSetsockopt implements Linux syscall setsockopt(2). */
export function sysSetsockopt(ctx: SyscallContext): SyscallResult {
  const sock = socketOf(ctx, ctx.args.int(0));
  if (!isSocket(sock)) return sock;
  const level = ctx.args.int(1);
  const name = ctx.args.int(2);
  const optlen = ctx.args.int(4);
  if (sock instanceof UnixSocket) return unixSetsockopt(ctx, sock, level, name, ctx.args.ptr(3), optlen);
  if (optlen < 0) return fail(Errno.EINVAL);
  const raw = optlen > 0 ? ctx.memory.read(ctx.args.ptr(3), Math.min(optlen, 256)) : new Uint8Array(0);
  if (!raw) return fail(Errno.EFAULT);
  if (sock instanceof NetlinkSocket) return netlinkSetsockopt(ctx, sock, level, name, raw);
  const failed = setOption(ctx, sock, level, name, raw);
  return failed ? fail(failed.errno) : ok();
}
