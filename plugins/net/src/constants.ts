/**
 * The numbers of the socket ABI every family shares (linux/socket.h, linux/net.h,
 * asm-generic/socket.h): address families, socket types and creation flags, send/recv flags,
 * SOL_SOCKET option names, the socket ioctls and the limits of one transfer.
 */

/** Address families (socket(2)). */
export const AF_UNSPEC = 0;
export const AF_UNIX = 1;
export const AF_INET = 2;
export const AF_INET6 = 10;
export const AF_NETLINK = 16;
/** AF_MAX: families beyond it are EAFNOSUPPORT before anything else (__sock_create()). */
export const AF_MAX = 46;

/** Socket types (socket(2)). */
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_RAW = 3;
export const SOCK_SEQPACKET = 5;
/** SOCK_MAX: types beyond it are EINVAL (__sock_create()). */
export const SOCK_MAX = 11;
export const SOCK_TYPE_MASK = 0xf;
export const SOCK_NONBLOCK = 0o4000;
export const SOCK_CLOEXEC = 0o2000000;

/** Linux's ESOCKTNOSUPPORT (node's errno table lacks it). */
export const ESOCKTNOSUPPORT = 94;

/** send(2)/recv(2) flags. */
export const MSG_OOB = 0x1;
export const MSG_PEEK = 0x2;
/** recvmsg's msg_flags: control messages were cut (the buffer was too small). */
export const MSG_CTRUNC = 0x8;
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
export const SO_PEERCRED = 17;
export const SO_RCVLOWAT = 18;
export const SO_SNDLOWAT = 19;
export const SO_RCVTIMEO = 20;
export const SO_SNDTIMEO = 21;
export const SO_ACCEPTCONN = 30;
export const SO_PROTOCOL = 38;
export const SO_DOMAIN = 39;

/** ioctl(2) requests of sockets (SIOCINQ is FIONREAD, SIOCOUTQ is TIOCOUTQ). */
export const SIOCINQ = 0x541b;
export const SIOCOUTQ = 0x5411;
/** TCP only: bytes written but not yet sent (tcp_ioctl's write_seq - snd_nxt); Tor's KIST scheduler asks it. */
export const SIOCOUTQNSD = 0x894b;

/** sk_shutdown bits: shutdown(2)'s SHUT_RD/SHUT_WR/SHUT_RDWR plus one. */
export const RCV_SHUTDOWN = 1;
export const SEND_SHUTDOWN = 2;
export const SHUTDOWN_MASK = 3;

/** Linux's default socket buffer size (net.core.wmem_default and rmem_default). */
export const SOCKET_BUFFER = 212992;
/** Linux's MAX_RW_COUNT: no single transfer is larger (the SDK's, so io and net cap alike). */
export { MAX_RW_COUNT } from '@shadow-ts/plugin-sdk';
/** UIO_MAXIOV: more iovecs in a msghdr is EMSGSIZE. */
export const IOV_MAX = 1024;
/** sizeof(struct sockaddr_storage): longer addresses are EINVAL (sendto) or cut (sendmsg). */
export const SOCKADDR_STORAGE = 128;
/** net.core.somaxconn: listen(2) caps its backlog here (a negative one, taken unsigned, too). */
export const SOMAXCONN = 4096;
