import {
  Errno,
  O,
  OpenFile,
  POLL,
  S_IF,
  newDescriptor,
  ok,
  type FileStat,
  type HostView,
  type IoResult,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import { ESOCKTNOSUPPORT, SOCK_CLOEXEC, SOCK_NONBLOCK, SOCK_RAW, fail, intBytes, type Received, type SendResult, type TransferOptions } from './socket-common.js';
import { routeAnswer, splitMessages } from './netlink-route.js';
import { SOCKET_BUFFER, SOCK_DGRAM } from './unix.js';

/**
 * AF_NETLINK sockets (netlink(7)) of protocol NETLINK_ROUTE only, talking to the simulated
 * kernel: requests sent to port id 0 are answered at once with rtnetlink(7) messages (see
 * netlink-route.ts) queued on the socket. No multicast group ever gets an event, and sending to
 * another socket's port id is ECONNREFUSED. Port ids are per host (one network namespace each).
 */

export const AF_NETLINK = 16;
const NETLINK_ROUTE = 0;
/** MAX_LINKS: protocols from here on are EPROTONOSUPPORT. */
const MAX_LINKS = 32;
/** sizeof(struct sockaddr_nl). */
const SOCKADDR_NL = 12;
/** SOL_NETLINK socket options are recorded, not acted on (NETLINK_EXT_ACK, NETLINK_GET_STRICT_CHK, …). */
export const SOL_NETLINK = 270;

/** The kernel's address as a sender: sockaddr_nl with port id 0 and no groups. */
const KERNEL = nlAddress(0, 0);

/** A sockaddr_nl: family, pad, nl_pid, nl_groups. */
function nlAddress(pid: number, groups: number): Uint8Array {
  const out = new Uint8Array(SOCKADDR_NL);
  const v = new DataView(out.buffer);
  v.setUint16(0, AF_NETLINK, true);
  v.setUint32(4, pid >>> 0, true);
  v.setUint32(8, groups >>> 0, true);
  return out;
}

/** The bound sockets of each host, by port id (nl_table's per-protocol hash). */
const ports = new WeakMap<HostView, Map<number, NetlinkSocket>>();

function portsOf(host: HostView): Map<number, NetlinkSocket> {
  let map = ports.get(host);
  if (!map) {
    map = new Map();
    ports.set(host, map);
  }
  return map;
}

/** A NETLINK_ROUTE socket. */
export class NetlinkSocket extends OpenFile {
  readonly kind = 'netlink';
  readonly stream = false;
  /** The port id once bound (explicitly or by the first send); 0 before. */
  portId = 0;
  groups = 0;
  /** connect(2)'s destination (port id and groups); the kernel by default. */
  peerPort = 0;
  peerGroups = 0;
  /** Socket options set by setsockopt(2), by `level:name`. */
  readonly options = new Map<string, Uint8Array>();
  /** Whole messages waiting to be received, oldest first. */
  private readonly queue: Uint8Array[] = [];
  private registry: Map<number, NetlinkSocket> | null = null;

  constructor(
    readonly type: number,
    nonBlocking: boolean,
  ) {
    super(O.RDWR | (nonBlocking ? O.NONBLOCK : 0));
  }

  /** netlink_poll(): readable with messages queued; always writable (replies never block a send). */
  poll(): number {
    return (this.queue.length > 0 ? POLL.IN | POLL.RDNORM : 0) | POLL.OUT | POLL.WRNORM;
  }

  /**
   * Binds port id `pid` (netlink_insert()), or with 0 autobinds (netlink_autobind()): the
   * process's pid first, else -4096 and down. EADDRINUSE when taken; EINVAL when already bound
   * to another.
   */
  bindPort(ctx: SyscallContext, pid: number): number {
    if (this.portId !== 0) return pid === 0 || pid === this.portId ? 0 : Errno.EINVAL;
    const taken = portsOf(ctx.host);
    if (pid !== 0) {
      if (taken.has(pid)) return Errno.EADDRINUSE;
    } else {
      pid = ctx.process.pid;
      for (let rover = -4096; taken.has(pid); rover--) pid = rover;
    }
    this.portId = pid;
    this.registry = taken;
    taken.set(pid, this);
    return 0;
  }

  /**
   * netlink_sendmsg(): autobinds, then hands every message of `data` to rtnetlink and queues
   * the answers. The whole buffer is accepted (its length is returned).
   */
  send(ctx: SyscallContext, data: Uint8Array, toPort: number): SendResult {
    if (data.length > SOCKET_BUFFER - 32) return { errno: Errno.EMSGSIZE };
    const bound = this.bindPort(ctx, 0);
    if (bound) return { errno: bound };
    if (toPort !== 0) {
      ctx.warnOnce('netlink:unicast', 'netlink: messages to user-space port ids are not simulated; answering ECONNREFUSED');
      return { errno: Errno.ECONNREFUSED };
    }
    for (const request of splitMessages(data)) this.queue.push(...routeAnswer(request, ctx.host.network.interfaces, this.portId));
    this.readiness.notify();
    return data.length;
  }

  /**
   * netlink_recvmsg(): as many whole messages as fit in `length` (the kernel's dump fills one
   * buffer per read), at least the first; a first message longer than `length` is cut, its
   * full length reported (MSG_TRUNC) and dropped once received.
   */
  receive(length: number, _opts: TransferOptions): Received | 'again' {
    const first = this.queue[0];
    if (!first) return 'again';
    if (first.length > length) return { data: first.subarray(0, length), length: first.length, from: KERNEL };
    let n = 0;
    let total = 0;
    while (n < this.queue.length && total + this.queue[n]!.length <= length) total += this.queue[n++]!.length;
    const data = Buffer.concat(this.queue.slice(0, n));
    return { data, length: data.length, from: KERNEL };
  }

  /** Removes the messages a receive returned (`count` bytes of whole messages, or the cut first one). */
  consume(count: number): void {
    let left = count;
    do {
      const message = this.queue.shift();
      if (!message) break;
      left -= message.length;
    } while (left > 0);
    this.readiness.notify();
  }

  /** The socket's own address: its port id (0 before binding) and groups. */
  localName(): Uint8Array {
    return nlAddress(this.portId, this.groups);
  }

  peerName(): Uint8Array {
    return nlAddress(this.peerPort, this.peerGroups);
  }

  /** read(2): recv without flags. */
  override read(_ctx: SyscallContext, length: number, offset: bigint | null): IoResult {
    if (offset !== null) return { errno: Errno.ESPIPE };
    const result = this.receive(length, { nonBlocking: this.nonBlocking });
    if (result === 'again') return result;
    this.consume(Math.max(result.data.length, 1));
    return result.data;
  }

  /** write(2): a send to the connected destination. */
  override write(ctx: SyscallContext, data: Uint8Array, offset: bigint | null): IoResult {
    if (offset !== null) return { errno: Errno.ESPIPE };
    return this.send(ctx, data, this.peerPort);
  }

  stat(): FileStat {
    return { mode: S_IF.SOCK | 0o777, blksize: 4096 };
  }

  /** The last descriptor closed: the port id is free again, the queue dropped. */
  override release(): void {
    if (this.registry?.get(this.portId) === this) this.registry.delete(this.portId);
    this.queue.length = 0;
  }
}

/** socket(AF_NETLINK, …) (netlink_create()): SOCK_RAW or SOCK_DGRAM, protocol NETLINK_ROUTE. */
export function netlinkSocket(ctx: SyscallContext, type: number, protocol: number, flags: number): SyscallResult {
  if (type !== SOCK_RAW && type !== SOCK_DGRAM) return fail(ESOCKTNOSUPPORT);
  if (protocol < 0 || protocol >= MAX_LINKS) return fail(Errno.EPROTONOSUPPORT);
  if (protocol !== NETLINK_ROUTE) {
    ctx.warnOnce(`socket:netlink:${protocol}`, `socket: netlink protocol ${protocol} is not simulated (NETLINK_ROUTE only); answering EPROTONOSUPPORT`);
    return fail(Errno.EPROTONOSUPPORT);
  }
  return newDescriptor(ctx, new NetlinkSocket(type, (flags & SOCK_NONBLOCK) !== 0), { cloexec: (flags & SOCK_CLOEXEC) !== 0 });
}

/** socketpair(AF_NETLINK, …): netlink_create()'s checks, then sock_no_socketpair()'s EOPNOTSUPP. */
export function netlinkSocketpair(type: number, protocol: number): SyscallResult {
  if (type !== SOCK_RAW && type !== SOCK_DGRAM) return fail(ESOCKTNOSUPPORT);
  if (protocol < 0 || protocol >= MAX_LINKS) return fail(Errno.EPROTONOSUPPORT);
  return fail(Errno.EOPNOTSUPP);
}

/** A sockaddr_nl from the program: [pid, groups], or the errno (EINVAL: short or another family). */
function parseAddress(bytes: Uint8Array): [number, number] | { errno: number } {
  if (bytes.length < SOCKADDR_NL) return { errno: Errno.EINVAL };
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint16(0, true) !== AF_NETLINK) return { errno: Errno.EINVAL };
  return [v.getInt32(4, true), v.getUint32(8, true)];
}

/** bind(2) (netlink_bind()): the port id (0: assigned), and multicast groups (recorded; no events come). */
export function netlinkBind(ctx: SyscallContext, sock: NetlinkSocket, bytes: Uint8Array): SyscallResult {
  const parsed = parseAddress(bytes);
  if (!Array.isArray(parsed)) return fail(parsed.errno);
  const [pid, groups] = parsed;
  const failed = sock.bindPort(ctx, pid);
  if (failed) return fail(failed);
  sock.groups = groups;
  return ok();
}

/** connect(2) (netlink_connect()): AF_UNSPEC disconnects; else the default destination. Autobinds. */
export function netlinkConnect(ctx: SyscallContext, sock: NetlinkSocket, bytes: Uint8Array): SyscallResult {
  if (bytes.length >= 2 && new DataView(bytes.buffer, bytes.byteOffset, 2).getUint16(0, true) === 0) {
    sock.peerPort = 0;
    sock.peerGroups = 0;
    return ok();
  }
  const parsed = parseAddress(bytes);
  if (!Array.isArray(parsed)) return fail(parsed.errno);
  const failed = sock.bindPort(ctx, 0);
  if (failed) return fail(failed);
  [sock.peerPort, sock.peerGroups] = parsed;
  return ok();
}

/** The destination port of a send: sendto's sockaddr_nl when given (EINVAL if not one), else the connected one. */
export function netlinkDestination(sock: NetlinkSocket, name: Uint8Array): number | { errno: number } {
  if (name.length === 0) return sock.peerPort;
  const parsed = parseAddress(name);
  return Array.isArray(parsed) ? parsed[0] : parsed;
}

/** getsockopt(2) on a netlink socket: the SOL_SOCKET basics, and whatever setsockopt stored. */
export function netlinkGetsockopt(sock: NetlinkSocket, level: number, name: number): Uint8Array | { errno: number } {
  const stored = sock.options.get(`${level}:${name}`);
  if (stored) return stored;
  if (level === 1 /* SOL_SOCKET */) {
    if (name === 3 /* SO_TYPE */) return intBytes(sock.type);
    if (name === 39 /* SO_DOMAIN */) return intBytes(AF_NETLINK);
    if (name === 7 || name === 8 /* SO_SNDBUF, SO_RCVBUF */) return intBytes(SOCKET_BUFFER);
    return intBytes(0); // SO_PROTOCOL (NETLINK_ROUTE), SO_ERROR, flags never set
  }
  if (level === SOL_NETLINK) return intBytes(0);
  return { errno: Errno.ENOPROTOOPT };
}

/** setsockopt(2) on a netlink socket: SOL_SOCKET and SOL_NETLINK values are recorded (EINVAL when shorter than an int). */
export function netlinkSetsockopt(ctx: SyscallContext, sock: NetlinkSocket, level: number, name: number, value: Uint8Array): SyscallResult {
  if (level !== 1 && level !== SOL_NETLINK) return fail(Errno.ENOPROTOOPT);
  if (value.length < 4) return fail(Errno.EINVAL);
  if (level === SOL_NETLINK) {
    ctx.warnOnce(`setsockopt:netlink:${name}`, `setsockopt: SOL_NETLINK option ${name} is recorded but changes nothing`);
  }
  sock.options.set(`${level}:${name}`, value.slice(0, 4));
  return ok();
}
