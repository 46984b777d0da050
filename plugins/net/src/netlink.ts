import { Errno, O, POLL, type SyscallContext } from '@shadow-ts/plugin-sdk';
import { AF_NETLINK, ESOCKTNOSUPPORT, SOCKET_BUFFER, SOCK_DGRAM, SOCK_RAW, SOL_SOCKET, SO_DOMAIN, SO_RCVBUF, SO_SNDBUF, SO_TYPE } from './constants.js';
import type { Family } from './families.js';
import { routeAnswer, splitMessages } from './netlink-route.js';
import { AGAIN, Socket, failure, intBytes, isFailure, type Failure, type Outcome, type Received, type SendOptions, type TransferOptions } from './socket.js';
import type { HostNet } from './state.js';

/**
 * AF_NETLINK sockets (netlink(7)) of protocol NETLINK_ROUTE only, talking to the simulated
 * kernel: requests sent to port id 0 are answered at once with rtnetlink(7) messages (see
 * netlink-route.ts) queued on the socket. No multicast group ever gets an event, and sending to
 * another socket's port id is ECONNREFUSED. Port ids are per host (one network namespace each).
 */

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

/** netlink_create()'s checks of the type and the protocol number. */
function checkType(type: number, protocol: number): Failure | null {
  if (type !== SOCK_RAW && type !== SOCK_DGRAM) return failure(ESOCKTNOSUPPORT);
  if (protocol < 0 || protocol >= MAX_LINKS) return failure(Errno.EPROTONOSUPPORT);
  return null;
}

/** checkType(), then: only NETLINK_ROUTE is simulated. */
function checkCreate(ctx: SyscallContext, type: number, protocol: number): Failure | null {
  const bad = checkType(type, protocol);
  if (bad) return bad;
  if (protocol !== NETLINK_ROUTE) {
    ctx.warnOnce(`socket:netlink:${protocol}`, `socket: netlink protocol ${protocol} is not simulated (NETLINK_ROUTE only); answering EPROTONOSUPPORT`);
    return failure(Errno.EPROTONOSUPPORT);
  }
  return null;
}

/** socket(AF_NETLINK, …) (netlink_create()): SOCK_RAW or SOCK_DGRAM, protocol NETLINK_ROUTE; socketpair is sock_no_socketpair()'s EOPNOTSUPP. */
export const netlinkFamily: Family = {
  create(net, type, protocol, nonBlocking, ctx) {
    return checkCreate(ctx, type, protocol) ?? new NetlinkSocket(type, nonBlocking, net);
  },
  pair(_net, type, protocol) {
    return checkType(type, protocol) ?? failure(Errno.EOPNOTSUPP);
  },
};

/** A sockaddr_nl from the program: [pid, groups], or the failure (EINVAL: short or another family). */
function parseAddress(bytes: Uint8Array): [number, number] | Failure {
  if (bytes.length < SOCKADDR_NL) return failure(Errno.EINVAL);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (v.getUint16(0, true) !== AF_NETLINK) return failure(Errno.EINVAL);
  return [v.getInt32(4, true), v.getUint32(8, true)];
}

/** A NETLINK_ROUTE socket. */
export class NetlinkSocket extends Socket {
  readonly kind = 'netlink';
  readonly family = AF_NETLINK;
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

  constructor(
    readonly type: number,
    nonBlocking: boolean,
    /** The namespace of the host the socket was made on (its port ids). */
    readonly net: HostNet,
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
  private bindPort(ctx: SyscallContext, pid: number): Failure | null {
    if (this.portId !== 0) return pid === 0 || pid === this.portId ? null : failure(Errno.EINVAL);
    const taken = this.net.netlinkPorts;
    if (pid !== 0) {
      if (taken.has(pid)) return failure(Errno.EADDRINUSE);
    } else {
      pid = ctx.process.pid;
      for (let rover = -4096; taken.has(pid); rover--) pid = rover;
    }
    this.portId = pid;
    taken.set(pid, this);
    return null;
  }

  /** bind(2) (netlink_bind()): the port id (0: assigned), and multicast groups (recorded; no events come). */
  bind(ctx: SyscallContext, address: Uint8Array): Outcome {
    const parsed = parseAddress(address);
    if (isFailure(parsed)) return parsed;
    const [pid, groups] = parsed;
    const failed = this.bindPort(ctx, pid);
    if (failed) return failed;
    this.groups = groups;
    return undefined;
  }

  /** connect(2) (netlink_connect()): AF_UNSPEC disconnects; else the default destination. Autobinds. */
  connect(ctx: SyscallContext, address: Uint8Array): Outcome {
    if (address.length >= 2 && new DataView(address.buffer, address.byteOffset, 2).getUint16(0, true) === 0) {
      this.peerPort = 0;
      this.peerGroups = 0;
      return undefined;
    }
    const parsed = parseAddress(address);
    if (isFailure(parsed)) return parsed;
    const failed = this.bindPort(ctx, 0);
    if (failed) return failed;
    [this.peerPort, this.peerGroups] = parsed;
    return undefined;
  }

  /**
   * netlink_sendmsg() to sendto's sockaddr_nl when given (EINVAL if not one), else the
   * connected port: autobinds, then hands every message of `data` to rtnetlink and queues the
   * answers. The whole buffer is accepted (its length is returned).
   */
  send(ctx: SyscallContext, data: Uint8Array, opts: SendOptions): Outcome<number> {
    let toPort = this.peerPort;
    if (opts.to?.length) {
      const parsed = parseAddress(opts.to);
      if (isFailure(parsed)) return parsed;
      toPort = parsed[0];
    }
    if (data.length > SOCKET_BUFFER - 32) return failure(Errno.EMSGSIZE);
    const bound = this.bindPort(ctx, 0);
    if (bound) return bound;
    if (toPort !== 0) {
      ctx.warnOnce('netlink:unicast', 'netlink: messages to user-space port ids are not simulated; answering ECONNREFUSED');
      return failure(Errno.ECONNREFUSED);
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
  receive(length: number, _opts: TransferOptions): Outcome<Received> {
    const first = this.queue[0];
    if (!first) return AGAIN;
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

  /** getsockopt(2): the SOL_SOCKET basics, and whatever setsockopt stored. */
  getsockopt(_ctx: SyscallContext, level: number, name: number): Outcome<Uint8Array> {
    const stored = this.options.get(`${level}:${name}`);
    if (stored) return stored;
    if (level === SOL_SOCKET) {
      if (name === SO_TYPE) return intBytes(this.type);
      if (name === SO_DOMAIN) return intBytes(AF_NETLINK);
      if (name === SO_SNDBUF || name === SO_RCVBUF) return intBytes(SOCKET_BUFFER);
      return intBytes(0); // SO_PROTOCOL (NETLINK_ROUTE), SO_ERROR, flags never set
    }
    if (level === SOL_NETLINK) return intBytes(0);
    return failure(Errno.ENOPROTOOPT);
  }

  /** setsockopt(2): SOL_SOCKET and SOL_NETLINK values are recorded (EINVAL when shorter than an int). */
  setsockopt(ctx: SyscallContext, level: number, name: number, value: Uint8Array | null): Outcome {
    if (!value) return failure(Errno.EFAULT);
    if (level !== SOL_SOCKET && level !== SOL_NETLINK) return failure(Errno.ENOPROTOOPT);
    if (value.length < 4) return failure(Errno.EINVAL);
    if (level === SOL_NETLINK) {
      ctx.warnOnce(`setsockopt:netlink:${name}`, `setsockopt: SOL_NETLINK option ${name} is recorded but changes nothing`);
    }
    this.options.set(`${level}:${name}`, value.slice(0, 4));
    return undefined;
  }

  /** The socket's own address: its port id (0 before binding) and groups. */
  getsockname(): Uint8Array {
    return nlAddress(this.portId, this.groups);
  }

  /** netlink_getname(): the destination, even unconnected. */
  getpeername(): Outcome<Uint8Array> {
    return nlAddress(this.peerPort, this.peerGroups);
  }

  /** The last descriptor closed: the port id is free again, the queue dropped. */
  override release(): void {
    if (this.net.netlinkPorts.get(this.portId) === this) this.net.netlinkPorts.delete(this.portId);
    this.queue.length = 0;
  }
}
