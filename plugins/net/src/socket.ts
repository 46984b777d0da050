/**
 * The one interface every simulated socket offers the socket syscalls (Linux's struct
 * proto_ops; gVisor's socket.Socket), and what the kinds share behind it: read(2), write(2)
 * and the queue ioctls are a receive, a send and a queue size of the socket's own, written
 * once here. sys-socket.ts reads the arguments, calls these methods and copies results out;
 * family code lives in the subclasses (unix.ts, inet/udp.ts, inet/tcp-socket.ts, netlink.ts).
 *
 * One error channel: every method answers an Outcome — its value, a Failure (the errno the
 * call answers), or AGAIN when nothing can move now. The entry point turns AGAIN into EAGAIN
 * for a non-blocking call, else parks the thread on the socket's `readiness` (bounded by
 * SO_RCVTIMEO / SO_SNDTIMEO), and the woken call runs the method again.
 */

import {
  Errno,
  NS_PER_SEC,
  NS_PER_US,
  OpenFile,
  S_IF,
  errno,
  ok,
  readTimespec,
  timevalBytes,
  type FileStat,
  type IoCount,
  type IoResult,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import { SIOCINQ, SIOCOUTQ, SIOCOUTQNSD, SO_RCVTIMEO } from './constants.js';
import type { Control, Outgoing } from './unix-control.js';

/** How a socket method fails: the errno the call answers. */
export interface Failure {
  readonly errno: number;
}

/** Nothing can move now: wait for the socket's readiness (or EAGAIN when non-blocking). */
export const AGAIN = 'again';

/** What a socket method answers (IoResult-compatible for read and write). */
export type Outcome<T = void> = T | typeof AGAIN | Failure;

export const failure = (e: number): Failure => ({ errno: e });

/** Whether `o` is a failure (not the method's value, not AGAIN). */
export function isFailure(o: unknown): o is Failure {
  return typeof o === 'object' && o !== null && 'errno' in o;
}

/** Whether `o` is the method's value. */
export function succeeded<T>(o: Outcome<T>): o is T {
  return o !== AGAIN && !isFailure(o);
}

/** What a receive found: the bytes (empty at end of file), for datagrams their full length, and the sender. */
export interface Received {
  readonly data: Uint8Array;
  readonly length: number;
  /** The sender's socket address as recvfrom reports it (absent: none, *addrlen becomes 0). */
  readonly from?: Uint8Array;
  /**
   * What the bytes carried beside them (AF_UNIX): their credentials and descriptors. Once the
   * receive is consumed, the descriptors are the receiver's to release.
   */
  readonly control?: Control;
  /** The control messages a datagram's receive carries (AF_INET/AF_INET6: IP_PKTINFO, SCM_TIMESTAMP, …), in order. */
  readonly messages?: readonly ControlMessage[];
}

/** One control message of a receive: its cmsg_level, cmsg_type and data. */
export interface ControlMessage {
  readonly level: number;
  readonly type: number;
  readonly data: Uint8Array;
}

/** How one receive or send behaves (the description's O_NONBLOCK or MSG_DONTWAIT; MSG_PEEK; MSG_NOSIGNAL). */
export interface TransferOptions {
  readonly nonBlocking: boolean;
  readonly peek?: boolean;
  readonly noSignal?: boolean;
}

/** A send's options: those of every transfer, and sendto's destination (absent or empty: none given). */
export interface SendOptions extends TransferOptions {
  readonly to?: Uint8Array;
  /** sendmsg's control messages (AF_UNIX): a socket that queues them with the data marks them queued. */
  readonly control?: Outgoing;
}

export abstract class Socket extends OpenFile {
  /** SO_DOMAIN and SO_TYPE. */
  abstract readonly family: number;
  abstract readonly type: number;
  /** A byte stream (TCP, unix SOCK_STREAM): MSG_WAITALL applies, MSG_OOB is EINVAL on receive. */
  abstract readonly stream: boolean;
  /** SO_RCVTIMEO / SO_SNDTIMEO in ns (0: none): a blocking receive or send waits at most this long. */
  receiveTimeout = 0n;
  sendTimeout = 0n;

  /** getsockopt(2) SO_RCVTIMEO (else SO_SNDTIMEO): the timeout as a struct timeval. */
  timeoutOption(name: number): Uint8Array {
    return timevalBytes(name === SO_RCVTIMEO ? this.receiveTimeout : this.sendTimeout);
  }

  /**
   * setsockopt(2) SO_RCVTIMEO (else SO_SNDTIMEO), as sock_set_timeout() reads a struct timeval:
   * EINVAL when shorter, EDOM for microseconds outside [0, 1e6); a negative time means none.
   */
  setTimeoutOption(name: number, raw: Uint8Array): Outcome {
    if (raw.length < 16) return failure(Errno.EINVAL);
    const { sec, nsec: usec } = readTimespec(raw);
    if (usec < 0n || usec >= 1_000_000n) return failure(Errno.EDOM);
    const ns = sec < 0n ? 0n : sec * NS_PER_SEC + usec * NS_PER_US;
    if (name === SO_RCVTIMEO) this.receiveTimeout = ns;
    else this.sendTimeout = ns;
    return undefined;
  }

  /** bind(2): `address` is the sockaddr the program passed. */
  abstract bind(ctx: SyscallContext, address: Uint8Array): Outcome;

  /** connect(2). A connect that waits answers AGAIN; it handles O_NONBLOCK itself (EINPROGRESS, EAGAIN). */
  abstract connect(ctx: SyscallContext, address: Uint8Array): Outcome;

  /** listen(2) by the caller of `ctx`; sock_no_listen() unless the kind listens. */
  listen(_backlog: number, _ctx: SyscallContext): Outcome {
    return failure(Errno.EOPNOTSUPP);
  }

  /** accept(2): the next connection, and the peer's address; sock_no_accept() unless the kind listens. */
  accept(): Outcome<Accepted> {
    return failure(Errno.EOPNOTSUPP);
  }

  /** Puts back a connection accept() took whose descriptor could not be made (a fault, EMFILE). */
  requeue(_child: Socket): void {}

  /** send(2) of `data`: the count queued. Records a partial transfer in ctx.call.transferred. */
  abstract send(ctx: SyscallContext, data: Uint8Array, opts: SendOptions): Outcome<number>;

  /** recv(2) without consuming; `consume` removes what reached the program. */
  abstract receive(length: number, opts: TransferOptions): Outcome<Received>;

  /** Removes what a receive returned: `count` bytes of a stream, or the first message. */
  abstract consume(count: number): void;

  /** shutdown(2) with `how` 0..2 (checked); sock_no_shutdown() unless the kind has it. */
  shutdown(_how: number): Outcome {
    return failure(Errno.EOPNOTSUPP);
  }

  /** getsockopt(2): the option's value (the entry point cuts it to the program's buffer). */
  abstract getsockopt(ctx: SyscallContext, level: number, name: number): Outcome<Uint8Array>;

  /**
   * setsockopt(2): `value` holds the optval bytes (at most 256), null when they could not be
   * read (the kind answers EFAULT where Linux would read them); `length` is optlen (>= 0).
   */
  abstract setsockopt(ctx: SyscallContext, level: number, name: number, value: Uint8Array | null, length: number): Outcome;

  /** getsockname(2): the local address. */
  abstract getsockname(): Uint8Array;

  /** getpeername(2): the peer's address, or ENOTCONN. */
  abstract getpeername(): Outcome<Uint8Array>;

  /**
   * SIOCINQ and SIOCOUTQ: bytes to receive and bytes sent but not yet gone; `notSent`
   * (SIOCOUTQNSD, TCP only): bytes not sent at all yet. undefined: ENOTTY.
   */
  protected queueSizes(): { readonly inq: number; readonly outq: number; readonly notSent?: number } | Failure | undefined {
    return undefined;
  }

  /** Bytes to receive and bytes not gone yet, zero where the kind keeps none (host heartbeats). */
  queueUse(): { readonly inq: number; readonly outq: number } {
    const sizes = this.queueSizes();
    return sizes === undefined || isFailure(sizes) ? { inq: 0, outq: 0 } : sizes;
  }

  /** read(2): recv without flags; 0 bytes read 0 at once (sock_read_iter). A socket has no position: pread is ESPIPE. */
  override read(ctx: SyscallContext, length: number, offset: bigint | null): IoResult {
    let data: Uint8Array = new Uint8Array(0);
    const result = this.readInto(ctx, length, offset, (received) => ((data = received), true));
    return typeof result === 'number' ? data : result;
  }

  /**
   * read(2) and readv(2): recv without flags, the bytes taken only once `copyOut` placed them.
   * A read has no room for descriptors: they are closed (MSG_CTRUNC, which nobody sees).
   */
  override readInto(_ctx: SyscallContext, length: number, offset: bigint | null, copyOut: (data: Uint8Array) => boolean): IoCount {
    if (offset !== null) return failure(Errno.ESPIPE);
    if (length === 0) return 0;
    const result = this.receive(length, { nonBlocking: this.nonBlocking });
    if (!succeeded(result)) return result;
    if (result.data.length > 0 && !copyOut(result.data)) return failure(Errno.EFAULT);
    this.consume(result.data.length);
    for (const held of result.control?.rights ?? []) held.release();
    return result.data.length;
  }

  /** write(2): send without flags or destination (so a closed stream peer raises SIGPIPE). */
  override write(ctx: SyscallContext, data: Uint8Array, offset: bigint | null): IoResult {
    if (offset !== null) return failure(Errno.ESPIPE);
    return this.send(ctx, data, { nonBlocking: this.nonBlocking });
  }

  /** SIOCINQ (FIONREAD), SIOCOUTQ and (where the kind has it) SIOCOUTQNSD, as an int at *arg. */
  override ioctl(ctx: SyscallContext, request: number, arg: bigint): SyscallResult | undefined {
    if (request !== SIOCINQ && request !== SIOCOUTQ && request !== SIOCOUTQNSD) return undefined;
    const sizes = this.queueSizes();
    if (sizes === undefined) return undefined;
    if (isFailure(sizes)) return errno(sizes.errno);
    const value = request === SIOCINQ ? sizes.inq : request === SIOCOUTQ ? sizes.outq : sizes.notSent;
    if (value === undefined) return undefined;
    return ctx.memory.write(arg, intBytes(value)) ? ok() : errno(Errno.EFAULT);
  }

  /** Its inode number in sockfs, given when the socket gets its first descriptor (HostNet.socketInode). */
  ino = 0n;

  stat(): FileStat {
    return { mode: S_IF.SOCK | 0o777, blksize: 4096, ino: this.ino };
  }

  override fdLink(): string {
    return `socket:[${this.ino}]`;
  }
}

/** A connection accept(2) took: its socket and the peer's address to report. */
export interface Accepted {
  readonly socket: Socket;
  readonly peer: Uint8Array;
}

/** An int as the 4 bytes of a C int. */
export function intBytes(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, value, true);
  return out;
}

/** The C int at the start of `bytes`. */
export function intOf(bytes: Uint8Array): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(0, true);
}
