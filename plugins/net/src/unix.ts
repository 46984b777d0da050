import type { Received, SendResult, TransferOptions } from './socket-common.js';
import {
  Errno,
  O,
  OpenFile,
  POLL,
  S_IF,
  Signal,
  errno,
  ok,
  type FileStat,
  type IoResult,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';

/**
 * AF_UNIX sockets (unix(7)), after Linux's net/unix/af_unix.c: socket pairs (socketpair(2)) and
 * sockets made by socket(2), which may be bound to a name, listen, accept and connect (see
 * unix-named.ts). Each end is an open file description holding its own receive queue; the
 * peer sends into it. A queue is bounded by the sender's send buffer (net.core.wmem_default),
 * which is what Linux charges a unix socket's writes against.
 */

export const AF_UNIX = 1;
/** Socket types (socket(2)). */
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;
export const SOCK_SEQPACKET = 5;
export type UnixSocketType = typeof SOCK_STREAM | typeof SOCK_DGRAM | typeof SOCK_SEQPACKET;

/** Linux's default socket buffer size (net.core.wmem_default and rmem_default). */
export const SOCKET_BUFFER = 212992;
/** The largest datagram: sk_sndbuf - 32 (unix_dgram_sendmsg, EMSGSIZE beyond). */
export const MAX_DATAGRAM = SOCKET_BUFFER - 32;

/** sk_shutdown bits: shutdown(2)'s SHUT_RD/SHUT_WR/SHUT_RDWR plus one. */
const RCV_SHUTDOWN = 1;
const SEND_SHUTDOWN = 2;
const SHUTDOWN_MASK = 3;

/** ioctl(2) requests of sockets (SIOCINQ is FIONREAD, SIOCOUTQ is TIOCOUTQ). */
const SIOCINQ = 0x541b;
const SIOCOUTQ = 0x5411;

export type { Received, SendResult, TransferOptions };

const EOF: Received = { data: new Uint8Array(0), length: 0 };

/** One end of a connected AF_UNIX socket pair. */
export class UnixSocket extends OpenFile {
  readonly kind = 'unix';
  /** The other end; null once a datagram socket learned its peer is gone (ECONNREFUSED). */
  peer: UnixSocket | null = null;
  /** RCV_SHUTDOWN / SEND_SHUTDOWN bits. */
  shutdown = 0;
  /** Pending socket error (sk_err), reported once by the next call that checks it or SO_ERROR. */
  error = 0;
  /** The last descriptor of this end was closed. */
  closed = false;
  /** Bytes the receive queue holds, charged to the peer's send buffer. */
  queued = 0;
  /** SOL_SOCKET flags set by setsockopt(2) that change nothing for a socket pair (SO_KEEPALIVE…). */
  readonly options = new Map<number, number>();
  /** The bound address (a sockaddr_un), or null: unnamed. */
  name: Uint8Array | null = null;
  /** The peer's address once connected by connect/accept (null for a pair: unnamed). */
  peerName: Uint8Array | null = null;
  /** Made by socket(2) and never connected: sends are ENOTCONN rather than EPIPE. */
  unconnected = false;
  /** listen(2) was called: connect(2) queues new connections here for accept(2). */
  listening = false;
  backlog = 0;
  readonly acceptQueue: UnixSocket[] = [];
  /** Called when the last descriptor closes (the name registry forgets the socket). */
  onRelease: (() => void) | null = null;
  /** Chunks (stream) or messages (datagram kinds) waiting to be received, oldest first. */
  private readonly queue: Uint8Array[] = [];
  /** The sender's address of each queued datagram (datagram kinds; null: unnamed). */
  private readonly senders: (Uint8Array | null)[] = [];
  /** Bytes of queue[0] a stream reader consumed already. */
  private head = 0;

  constructor(
    readonly type: UnixSocketType,
    nonBlocking: boolean,
  ) {
    super(O.RDWR | (nonBlocking ? O.NONBLOCK : 0));
  }

  /** Two connected ends, as socketpair(2) makes them. */
  static pair(type: UnixSocketType, nonBlocking: boolean): [UnixSocket, UnixSocket] {
    const a = new UnixSocket(type, nonBlocking);
    const b = new UnixSocket(type, nonBlocking);
    a.peer = b;
    b.peer = a;
    return [a, b];
  }

  get stream(): boolean {
    return this.type === SOCK_STREAM;
  }

  /** Bytes this end sent that its peer has not received yet (sk_wmem_alloc). */
  get inFlight(): number {
    return this.peer && !this.peer.closed ? this.peer.queued : 0;
  }

  /** Wakes both ends: whatever moved, either side's poll() bits may have changed. */
  notify(): void {
    this.readiness.notify();
    this.peer?.readiness.notify();
  }

  /** The pending error, cleared (sock_error()); 0 when none. */
  takeError(): number {
    const e = this.error;
    this.error = 0;
    return e;
  }

  /**
   * unix_poll() / unix_dgram_poll(): readable with data queued or once reading is shut down
   * (RDHUP too); HUP when both directions are shut down (the peer closed a stream or seqpacket
   * pair, or shutdown(SHUT_RDWR)); writable while at most a quarter of the send buffer is in
   * flight (unix_writable()).
   */
  poll(): number {
    if (this.listening) return this.acceptQueue.length > 0 ? POLL.IN | POLL.RDNORM : 0;
    let bits = 0;
    if (this.unconnected && this.type !== SOCK_DGRAM) bits |= POLL.HUP; // TCP_CLOSE
    if (this.error) bits |= POLL.ERR;
    if (this.shutdown === SHUTDOWN_MASK) bits |= POLL.HUP;
    if (this.shutdown & RCV_SHUTDOWN) bits |= POLL.RDHUP | POLL.IN | POLL.RDNORM;
    if (this.queue.length > 0) bits |= POLL.IN | POLL.RDNORM;
    if (this.inFlight * 4 <= SOCKET_BUFFER) bits |= POLL.OUT | POLL.WRNORM | POLL.WRBAND;
    return bits;
  }

  /**
   * recv(2) without consuming (`consume` does that once the bytes reached the program):
   * - stream: up to `length` bytes across writes; when empty, the pending error, then end of
   *   file once reading is shut down (the peer closed or shut down writing), else 'again';
   * - datagram kinds: the pending error first, then the first message cut to `length` (with its
   *   full length); when empty and reading is shut down, end of file (a non-blocking datagram
   *   socket answers EAGAIN there, as __skb_try_recv_datagram() does), else 'again'.
   *   A datagram pair never sees end of file when the peer closes: Linux leaves it waiting.
   */
  receive(length: number, opts: TransferOptions): Received | 'again' | { readonly errno: number } {
    // Never connected, or listening: stream reads are EINVAL, seqpacket ones ENOTCONN.
    if (this.type !== SOCK_DGRAM && (this.listening || (this.unconnected && !this.peer))) {
      return { errno: this.stream ? Errno.EINVAL : Errno.ENOTCONN };
    }
    if (this.stream) {
      if (this.queued > 0) {
        const data = this.peekStream(length);
        return { data, length: data.length };
      }
      if (this.error) return { errno: this.takeError() };
      return this.shutdown & RCV_SHUTDOWN ? EOF : 'again';
    }
    if (this.error) return { errno: this.takeError() };
    const message = this.queue[0];
    if (message) {
      const from = this.senders[0];
      return from ? { data: message.subarray(0, length), length: message.length, from } : { data: message.subarray(0, length), length: message.length };
    }
    if (this.shutdown & RCV_SHUTDOWN && (this.type === SOCK_SEQPACKET || !opts.nonBlocking)) return EOF;
    return 'again';
  }

  /** Removes what a receive returned: `count` bytes of a stream, or the first message. */
  consume(count: number): void {
    if (this.stream) {
      let left = count;
      while (left > 0) {
        const chunk = this.queue[0]!;
        const part = Math.min(left, chunk.length - this.head);
        this.head += part;
        left -= part;
        if (this.head === chunk.length) {
          this.queue.shift();
          this.head = 0;
        }
      }
      this.queued -= count;
    } else {
      const message = this.queue.shift();
      this.senders.shift();
      if (!message) return;
      this.queued -= charge(message);
    }
    this.notify(); // the peer may write again
  }

  /**
   * send(2) on this end. Stream (unix_stream_sendmsg()): a shut-down direction or a closed peer
   * is EPIPE with SIGPIPE (unless MSG_NOSIGNAL); a blocking send returns only when every byte is
   * queued, a non-blocking one queues what fits. Datagram kinds (unix_dgram_sendmsg()): one
   * message, all or nothing; no SIGPIPE (Linux raises it for streams only).
   */
  send(ctx: SyscallContext, data: Uint8Array, opts: TransferOptions): SendResult {
    return this.stream ? this.sendStream(ctx, data, opts) : this.sendMessage(data, this.peer);
  }

  /**
   * A stream send spans several runs of the same syscall when the peer's buffer fills (each
   * restart reads the same user buffer again): its progress is the call's `transferred` count,
   * as for large pipe writes. Each run queues what fits of the rest and answers 'again' until
   * the last byte is in; a signal, SO_SNDTIMEO or O_NONBLOCK ends it with the count (the core's
   * partial-transfer rule), and so does the peer going away: SIGPIPE comes only when nothing
   * was sent, as in unix_stream_sendmsg().
   */
  private sendStream(ctx: SyscallContext, data: Uint8Array, opts: TransferOptions): SendResult {
    const progress = ctx.call;
    const peer = this.peer;
    if (!peer && this.unconnected) return { errno: Errno.ENOTCONN };
    if (this.shutdown & SEND_SHUTDOWN || !peer || peer.closed || peer.shutdown & RCV_SHUTDOWN) {
      if (progress.transferred === 0 && !opts.noSignal) ctx.thread.signal(Signal.SIGPIPE);
      return { errno: Errno.EPIPE };
    }
    const sent = progress.transferred;
    const chunk = data.subarray(sent, sent + Math.max(0, SOCKET_BUFFER - peer.queued));
    if (chunk.length > 0) {
      peer.enqueue(new Uint8Array(chunk), chunk.length); // a copy: the program's buffer may change
      this.notify();
      progress.transferred += chunk.length;
    }
    return progress.transferred === data.length ? data.length : 'again';
  }

  /** One datagram to `target` (the connected peer, or sendto's destination). */
  sendMessage(data: Uint8Array, target: UnixSocket | null): SendResult {
    if (data.length > MAX_DATAGRAM) return { errno: Errno.EMSGSIZE };
    if (this.error) return { errno: this.takeError() };
    if (this.shutdown & SEND_SHUTDOWN) return { errno: Errno.EPIPE };
    const peer = target;
    if (!peer) return { errno: Errno.ENOTCONN };
    if (peer !== this.peer) {
      // unix_may_send(): a socket connected elsewhere takes datagrams from its peer only.
      if (peer.peer && peer.peer !== this) return { errno: Errno.EPERM };
      if (peer.closed) return { errno: Errno.ECONNREFUSED };
    } else if (peer.closed) {
      if (this.type === SOCK_SEQPACKET) return { errno: Errno.EPIPE };
      // A datagram socket whose peer died disconnects and drops what it received from it
      // (unix_dgram_disconnected()); later sends find no peer (ENOTCONN).
      this.peer = null;
      this.purge();
      this.readiness.notify();
      return { errno: Errno.ECONNREFUSED };
    }
    if (peer.shutdown & RCV_SHUTDOWN) return { errno: Errno.EPIPE };
    // sock_alloc_send_pskb() allocates while the send buffer is not yet full.
    if (peer.queued >= SOCKET_BUFFER) return 'again';
    peer.enqueue(new Uint8Array(data), charge(data), this.name);
    this.notify();
    peer.readiness.notify();
    return data.length;
  }

  /**
   * shutdown(2) (unix_shutdown()): marks this end, and for stream and seqpacket pairs the
   * mirror-image direction of the peer (SHUT_WR here is SHUT_RD there).
   */
  shut(how: number): void {
    const mode = how + 1;
    this.shutdown |= mode;
    if (this.peer && this.type !== SOCK_DGRAM) {
      this.peer.shutdown |= (mode & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) | (mode & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
    }
    this.notify();
  }

  /** read(2): recv without flags. A socket has no position: pread is ESPIPE. */
  override read(_ctx: SyscallContext, length: number, offset: bigint | null): IoResult {
    if (offset !== null) return { errno: Errno.ESPIPE };
    const result = this.receive(length, { nonBlocking: this.nonBlocking });
    if (result === 'again' || !('data' in result)) return result;
    this.consume(this.stream ? result.data.length : 0);
    return result.data;
  }

  /** write(2): send without flags (so a closed stream peer raises SIGPIPE). */
  override write(ctx: SyscallContext, data: Uint8Array, offset: bigint | null): IoResult {
    if (offset !== null) return { errno: Errno.ESPIPE };
    return this.send(ctx, data, { nonBlocking: this.nonBlocking });
  }

  /** SIOCINQ (FIONREAD) and SIOCOUTQ (unix_ioctl()): bytes to receive and bytes in flight. */
  override ioctl(ctx: SyscallContext, request: number, arg: bigint): SyscallResult | undefined {
    let amount: number;
    if (request === SIOCINQ) {
      // unix_inq_len(): a datagram socket reports its first message only.
      if (this.stream) amount = this.queued;
      else if (this.type === SOCK_DGRAM) amount = this.queue[0]?.length ?? 0;
      else amount = this.queue.reduce((n, m) => n + m.length, 0);
    } else if (request === SIOCOUTQ) {
      amount = this.inFlight;
    } else {
      return undefined;
    }
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setInt32(0, amount, true);
    return ctx.memory.write(arg, bytes) ? ok() : errno(Errno.EFAULT);
  }

  stat(): FileStat {
    return { mode: S_IF.SOCK | 0o777, blksize: 4096 };
  }

  /**
   * The last descriptor closed (unix_release_sock()): both directions are shut down and the
   * queue is dropped (the peer may write again, and will learn it is alone). A stream or
   * seqpacket peer is shut down too, with ECONNRESET pending if this end left data unread; a
   * datagram peer only finds out when it next sends.
   */
  override release(): void {
    this.closed = true;
    this.onRelease?.();
    if (this.listening) {
      // Connections nobody accepted are dropped: their clients see the end.
      this.listening = false;
      for (const child of this.acceptQueue.splice(0)) child.release();
    }
    this.shutdown = SHUTDOWN_MASK;
    const peer = this.peer;
    if (peer && this.type !== SOCK_DGRAM) {
      peer.shutdown = SHUTDOWN_MASK;
      if (this.queue.length > 0) peer.error = Errno.ECONNRESET;
    }
    this.purge();
    this.notify();
    this.peer = null;
  }

  private enqueue(data: Uint8Array, charged: number, from: Uint8Array | null = null): void {
    if (data.length > 0 || !this.stream) {
      this.queue.push(data);
      if (!this.stream) this.senders.push(from);
    }
    this.queued += charged;
  }

  private purge(): void {
    this.queue.length = 0;
    this.senders.length = 0;
    this.head = 0;
    this.queued = 0;
  }

  /** Up to `length` bytes from the front of a stream queue, left in place. */
  private peekStream(length: number): Uint8Array {
    const out = new Uint8Array(Math.min(length, this.queued));
    let at = 0;
    for (let i = 0; at < out.length; i++) {
      const chunk = this.queue[i]!;
      const part = chunk.subarray(i === 0 ? this.head : 0).subarray(0, out.length - at);
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}

/**
 * What a datagram costs the send buffer: its length, and at least one byte, so that empty
 * datagrams fill the buffer eventually as their socket buffers do on Linux.
 */
function charge(message: Uint8Array): number {
  return Math.max(1, message.length);
}
