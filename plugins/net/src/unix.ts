import { Errno, O, POLL, Signal, type SyscallContext } from '@shadow-ts/plugin-sdk';
import {
  AF_UNIX,
  ESOCKTNOSUPPORT,
  RCV_SHUTDOWN,
  SEND_SHUTDOWN,
  SHUTDOWN_MASK,
  SOCKET_BUFFER,
  SOCK_DGRAM,
  SOCK_RAW,
  SOCK_SEQPACKET,
  SOCK_STREAM,
  SO_PASSCRED,
} from './constants.js';
import type { Family } from './families.js';
import { AGAIN, Socket, failure, isFailure, type Accepted, type Failure, type Outcome, type Received, type SendOptions, type TransferOptions } from './socket.js';
import type { HostNet } from './state.js';
import { UNNAMED, bindName, findSocket } from './unix-named.js';
import { releaseRights, sameCreds, type Control, type Outgoing } from './unix-control.js';
import { credentials, unixGetsockopt, unixSetsockopt } from './unix-options.js';

/**
 * AF_UNIX sockets (unix(7)), after Linux's net/unix/af_unix.c: socket pairs (socketpair(2)) and
 * sockets made by socket(2), which may be bound to a name, listen, accept and connect (names:
 * unix-named.ts). Each end is an open file description holding its own receive queue; the
 * peer sends into it. A queue is bounded by the sender's send buffer (net.core.wmem_default),
 * which is what Linux charges a unix socket's writes against.
 */

export type UnixSocketType = typeof SOCK_STREAM | typeof SOCK_DGRAM | typeof SOCK_SEQPACKET;

/** The largest datagram: sk_sndbuf - 32 (unix_dgram_sendmsg, EMSGSIZE beyond). */
export const MAX_DATAGRAM = SOCKET_BUFFER - 32;

const EOF: Received = { data: new Uint8Array(0), length: 0 };

/** The keys of the wake-ups data causes: sock_def_readable()'s for the receiver, unix_write_space()'s for the sender. */
const READABLE = POLL.IN | POLL.PRI | POLL.RDNORM | POLL.RDBAND;
const WRITABLE = POLL.OUT | POLL.WRNORM | POLL.WRBAND;

/** unix_create(): the type (SOCK_RAW is SOCK_DGRAM: "Believe it or not BSD has AF_UNIX, SOCK_RAW"), protocol 0. */
function unixType(type: number, protocol: number): UnixSocketType | Failure {
  if (protocol !== 0 && protocol !== AF_UNIX) return failure(Errno.EPROTONOSUPPORT);
  const t = type === SOCK_RAW ? SOCK_DGRAM : type;
  if (t !== SOCK_STREAM && t !== SOCK_DGRAM && t !== SOCK_SEQPACKET) return failure(ESOCKTNOSUPPORT);
  return t;
}

/** socket(2) and socketpair(2) for AF_UNIX. */
export const unixFamily: Family = {
  create(net, type, protocol, nonBlocking) {
    const t = unixType(type, protocol);
    if (typeof t !== 'number') return t;
    const sock = new UnixSocket(t, nonBlocking, net);
    sock.unconnected = true;
    return sock;
  },
  pair(net, type, protocol, nonBlocking, ctx) {
    const t = unixType(type, protocol);
    if (typeof t !== 'number') return t;
    const pair = UnixSocket.pair(t, nonBlocking, net);
    // Each end's peer is the caller (init_peercred() on both).
    pair[0].peerCredentials = pair[1].peerCredentials = credentials(ctx);
    return pair;
  },
};

/** One AF_UNIX socket: an end of a pair, a named or unnamed socket, a listener or an accepted end. */
export class UnixSocket extends Socket {
  readonly kind = 'unix';
  readonly family = AF_UNIX;
  /** The other end; null once a datagram socket learned its peer is gone (ECONNREFUSED). */
  peer: UnixSocket | null = null;
  /** RCV_SHUTDOWN / SEND_SHUTDOWN bits. */
  shutdownBits = 0;
  /** Pending socket error (sk_err), reported once by the next call that checks it or SO_ERROR. */
  error = 0;
  /** The last descriptor of this end was closed. */
  closed = false;
  /** Bytes the receive queue holds, charged to the peer's send buffer. */
  queued = 0;
  /** SOL_SOCKET options set by setsockopt(2) that change nothing here (SO_KEEPALIVE…, the buffer sizes getsockopt reports). */
  readonly options = new Map<number, number>();
  /** The bound address (a sockaddr_un), or null: unnamed. */
  name: Uint8Array | null = null;
  /** The peer's address once connected by connect/accept (null for a pair: unnamed). */
  peerName: Uint8Array | null = null;
  /**
   * What SO_PEERCRED reports (a struct ucred): the pair's creator, the connecting process on an
   * accepted end, the listener's on the connecting end; null: none yet.
   */
  peerCredentials: Uint8Array | null = null;
  /** The credentials of the process that called listen(2), handed to each client that connects. */
  private listenerCredentials: Uint8Array | null = null;
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
  /** What each queued chunk or message carries beside its bytes (null: nothing). */
  private readonly controls: (Control | null)[] = [];
  /** Bytes of queue[0] a stream reader consumed already. */
  private head = 0;

  constructor(
    readonly type: UnixSocketType,
    nonBlocking: boolean,
    /** The namespace of the host the socket was made on (its names). */
    readonly net: HostNet,
  ) {
    super(O.RDWR | (nonBlocking ? O.NONBLOCK : 0));
  }

  /** Two connected ends, as socketpair(2) makes them. */
  static pair(type: UnixSocketType, nonBlocking: boolean, net: HostNet): [UnixSocket, UnixSocket] {
    const a = new UnixSocket(type, nonBlocking, net);
    const b = new UnixSocket(type, nonBlocking, net);
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

  /**
   * Data reached `receiver`'s queue: it is woken for reading; this end's bits can only have gone
   * (its send buffer filled), which wakes no edge-triggered entry, as in Linux.
   */
  private delivered(receiver: UnixSocket): void {
    receiver.readiness.notify(READABLE);
    this.readiness.notify(0);
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
    if (this.shutdownBits === SHUTDOWN_MASK) bits |= POLL.HUP;
    if (this.shutdownBits & RCV_SHUTDOWN) bits |= POLL.RDHUP | POLL.IN | POLL.RDNORM;
    if (this.queue.length > 0) bits |= POLL.IN | POLL.RDNORM;
    if (this.inFlight * 4 <= SOCKET_BUFFER) bits |= POLL.OUT | POLL.WRNORM | POLL.WRBAND;
    return bits;
  }

  /** bind(2) (unix_bind()): a pathname, an abstract name, or the family alone (autobind). */
  bind(ctx: SyscallContext, address: Uint8Array): Outcome {
    return bindName(ctx, this, address);
  }

  /** listen(2) (unix_listen()): stream and seqpacket only; it must be bound. */
  override listen(backlog: number, ctx: SyscallContext): Outcome {
    if (this.type === SOCK_DGRAM) return failure(Errno.EOPNOTSUPP);
    if (!this.name || this.peer || !this.unconnected) return failure(Errno.EINVAL);
    this.listenerCredentials = credentials(ctx);
    this.backlog = backlog;
    this.listening = true;
    this.readiness.notify();
    return undefined;
  }

  /**
   * connect(2). Stream/seqpacket (unix_stream_connect()): the listener gets a new connected end
   * in its accept queue at once; a full queue waits for room (EAGAIN when non-blocking).
   * Datagram: sets the default destination; AF_UNSPEC disconnects.
   */
  connect(ctx: SyscallContext, address: Uint8Array): Outcome {
    if (this.type === SOCK_DGRAM) {
      if (address.length >= 2 && address[0] === 0 && address[1] === 0) {
        this.peer = null;
        this.peerName = null;
        return undefined;
      }
      const target = findSocket(ctx, this.net, address, this.type);
      if (isFailure(target)) return target;
      this.peer = target;
      this.peerName = target.name;
      return undefined;
    }
    if (this.listening) return failure(Errno.EINVAL);
    if (this.peer || !this.unconnected) return failure(Errno.EISCONN);
    const target = findSocket(ctx, this.net, address, this.type);
    if (isFailure(target)) return target;
    if (!target.listening) return failure(Errno.ECONNREFUSED);
    if (target.acceptQueue.length > target.backlog) {
      if (this.nonBlocking) return failure(Errno.EAGAIN);
      // The call waits on this socket: the listener's next change (an accept) wakes it once.
      const stop = target.readiness.subscribe(() => {
        stop();
        this.readiness.notify();
      });
      return AGAIN;
    }
    const server = new UnixSocket(this.type, false, this.net);
    server.name = target.name;
    server.peerName = this.name;
    server.peer = this;
    server.peerCredentials = credentials(ctx);
    this.peer = server;
    this.peerName = target.name;
    this.peerCredentials = target.listenerCredentials;
    this.unconnected = false;
    target.acceptQueue.push(server);
    target.readiness.notify();
    this.readiness.notify();
    return undefined;
  }

  /** accept(2) (unix_accept()): the next connection, with its peer's address. */
  override accept(): Outcome<Accepted> {
    if (this.type === SOCK_DGRAM) return failure(Errno.EOPNOTSUPP); // sock_no_accept()
    if (!this.listening) return failure(Errno.EINVAL);
    const child = this.acceptQueue.shift();
    if (!child) return AGAIN;
    this.readiness.notify(); // room for a blocked connect
    return { socket: child, peer: child.peerName ?? UNNAMED };
  }

  override requeue(child: Socket): void {
    this.acceptQueue.unshift(child as UnixSocket);
  }

  /**
   * recv(2) without consuming (`consume` does that once the bytes reached the program):
   * - stream: up to `length` bytes across writes; when empty, the pending error, then end of
   *   file once reading is shut down (the peer closed or shut down writing), else AGAIN;
   * - datagram kinds: the pending error first, then the first message cut to `length` (with its
   *   full length); when empty and reading is shut down, end of file (a non-blocking datagram
   *   socket answers EAGAIN there, as __skb_try_recv_datagram() does), else AGAIN.
   *   A datagram pair never sees end of file when the peer closes: Linux leaves it waiting.
   */
  receive(length: number, opts: TransferOptions): Outcome<Received> {
    // Never connected, or listening: stream reads are EINVAL, seqpacket ones ENOTCONN.
    if (this.type !== SOCK_DGRAM && (this.listening || (this.unconnected && !this.peer))) {
      return failure(this.stream ? Errno.EINVAL : Errno.ENOTCONN);
    }
    if (this.stream) {
      if (this.queued > 0) {
        // unix_copy_addr(): the name of the socket that sent — the peer's, none when unnamed.
        const { data, control } = this.peekStream(length);
        const received: Received = control ? { data, length: data.length, control } : { data, length: data.length };
        return this.peerName ? { ...received, from: this.peerName } : received;
      }
      if (this.error) return failure(this.takeError());
      return this.shutdownBits & RCV_SHUTDOWN ? EOF : AGAIN;
    }
    if (this.error) return failure(this.takeError());
    const message = this.queue[0];
    if (message) {
      const from = this.senders[0];
      const control = this.controls[0];
      const received: Received = { data: message.subarray(0, length), length: message.length, ...(control ? { control } : {}) };
      return from ? { ...received, from } : received;
    }
    if (this.shutdownBits & RCV_SHUTDOWN && (this.type === SOCK_SEQPACKET || !opts.nonBlocking)) return EOF;
    return AGAIN;
  }

  /**
   * Removes what a receive returned: `count` bytes of a stream, or the first message. The
   * descriptors of what it touched leave the queue with it (a chunk read in part keeps its
   * credentials only, as unix_detach_fds() leaves it).
   */
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
          this.controls.shift();
          this.head = 0;
        } else {
          const control = this.controls[0];
          if (control?.rights.length) this.controls[0] = { creds: control.creds, rights: [] };
        }
      }
      this.queued -= count;
    } else {
      const message = this.queue.shift();
      this.senders.shift();
      this.controls.shift();
      if (!message) return;
      this.queued -= charge(message);
    }
    // The sender may write again (unix_write_space); the reader's own bits can only have gone.
    this.readiness.notify(0);
    this.peer?.readiness.notify(WRITABLE);
  }

  /**
   * send(2) on this end. Stream (unix_stream_sendmsg()): a destination is EISCONN (EOPNOTSUPP
   * unconnected); a shut-down direction or a closed peer is EPIPE with SIGPIPE (unless
   * MSG_NOSIGNAL); a blocking send returns only when every byte is queued, a non-blocking one
   * queues what fits. Datagram kinds (unix_dgram_sendmsg()): one message, all or nothing, to
   * the socket bound at the destination (seqpacket ignores it) or the peer; no SIGPIPE (Linux
   * raises it for streams only).
   */
  send(ctx: SyscallContext, data: Uint8Array, opts: SendOptions): Outcome<number> {
    const to = opts.to?.length ? opts.to : null;
    if (this.stream) return to ? failure(this.peer ? Errno.EISCONN : Errno.EOPNOTSUPP) : this.sendStream(ctx, data, opts);
    if (!to || this.type === SOCK_SEQPACKET) return this.sendMessage(ctx, data, this.peer, opts.control);
    const target = findSocket(ctx, this.net, to, SOCK_DGRAM);
    return isFailure(target) ? target : this.sendMessage(ctx, data, target, opts.control);
  }

  /** Whether SO_PASSCRED is set on this socket. */
  get passCreds(): boolean {
    return this.options.get(SO_PASSCRED) === 1;
  }

  /**
   * What a message to `receiver` carries: the control messages sent, and the sender's
   * credentials when it sent none but either side has SO_PASSCRED (maybe_add_creds()).
   * Descriptors go with the first bytes of a call only (`withRights`), which marks `sent` queued.
   */
  private controlFor(ctx: SyscallContext, receiver: UnixSocket, sent: Outgoing | undefined, withRights = true): Control | null {
    if (sent && withRights) sent.queued = true;
    const creds = sent?.creds ?? (this.passCreds || receiver.passCreds ? credentials(ctx) : null);
    const rights = withRights ? (sent?.rights ?? []) : [];
    return creds || rights.length ? { creds, rights } : null;
  }

  /**
   * A stream send spans several runs of the same syscall when the peer's buffer fills (each
   * restart reads the same user buffer again): its progress is the call's `transferred` count,
   * as for large pipe writes. Each run queues what fits of the rest and answers AGAIN until
   * the last byte is in; a signal, SO_SNDTIMEO or O_NONBLOCK ends it with the count (the core's
   * partial-transfer rule), and so does the peer going away: SIGPIPE comes only when nothing
   * was sent, as in unix_stream_sendmsg().
   */
  private sendStream(ctx: SyscallContext, data: Uint8Array, opts: SendOptions): Outcome<number> {
    const progress = ctx.call;
    const peer = this.peer;
    if (!peer && this.unconnected) return failure(Errno.ENOTCONN);
    if (this.shutdownBits & SEND_SHUTDOWN || !peer || peer.closed || peer.shutdownBits & RCV_SHUTDOWN) {
      if (progress.transferred === 0 && !opts.noSignal) ctx.thread.signal(Signal.SIGPIPE, { pid: ctx.process.pid });
      return failure(Errno.EPIPE);
    }
    const sent = progress.transferred;
    const chunk = data.subarray(sent, sent + Math.max(0, SOCKET_BUFFER - peer.queued));
    if (chunk.length > 0) {
      // Descriptors go with the first bytes of the call (unix_stream_sendmsg()'s fds_sent), credentials with each.
      const control = this.controlFor(ctx, peer, opts.control, sent === 0);
      peer.enqueue(new Uint8Array(chunk), chunk.length, null, control); // a copy: the program's buffer may change
      this.delivered(peer);
      progress.transferred += chunk.length;
    }
    return progress.transferred === data.length ? data.length : AGAIN;
  }

  /** One datagram to `target` (the connected peer, or sendto's destination), with `sent`'s control messages. */
  private sendMessage(ctx: SyscallContext, data: Uint8Array, target: UnixSocket | null, sent: Outgoing | undefined): Outcome<number> {
    if (data.length > MAX_DATAGRAM) return failure(Errno.EMSGSIZE);
    if (this.error) return failure(this.takeError());
    if (this.shutdownBits & SEND_SHUTDOWN) return failure(Errno.EPIPE);
    const peer = target;
    if (!peer) return failure(Errno.ENOTCONN);
    if (peer !== this.peer) {
      // unix_may_send(): a socket connected elsewhere takes datagrams from its peer only.
      if (peer.peer && peer.peer !== this) return failure(Errno.EPERM);
      if (peer.closed) return failure(Errno.ECONNREFUSED);
    } else if (peer.closed) {
      if (this.type === SOCK_SEQPACKET) return failure(Errno.EPIPE);
      // A datagram socket whose peer died disconnects and drops what it received from it
      // (unix_dgram_disconnected()); later sends find no peer (ENOTCONN).
      this.peer = null;
      this.purge();
      this.readiness.notify();
      return failure(Errno.ECONNREFUSED);
    }
    if (peer.shutdownBits & RCV_SHUTDOWN) return failure(Errno.EPIPE);
    // sock_alloc_send_pskb() allocates while the send buffer is not yet full.
    if (peer.queued >= SOCKET_BUFFER) return AGAIN;
    peer.enqueue(new Uint8Array(data), charge(data), this.name, this.controlFor(ctx, peer, sent));
    this.delivered(peer);
    return data.length;
  }

  /**
   * shutdown(2) (unix_shutdown(), which never fails): marks this end, and for stream and
   * seqpacket pairs the mirror-image direction of the peer (SHUT_WR here is SHUT_RD there).
   */
  override shutdown(how: number): Outcome {
    const mode = how + 1;
    this.shutdownBits |= mode;
    if (this.peer && this.type !== SOCK_DGRAM) {
      this.peer.shutdownBits |= (mode & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) | (mode & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
    }
    this.notify();
    return undefined;
  }

  getsockopt(_ctx: SyscallContext, level: number, name: number): Outcome<Uint8Array> {
    return unixGetsockopt(this, level, name);
  }

  setsockopt(ctx: SyscallContext, level: number, name: number, value: Uint8Array | null, length: number): Outcome {
    return unixSetsockopt(ctx, this, level, name, value, length);
  }

  getsockname(): Uint8Array {
    return this.name ?? UNNAMED;
  }

  /** The peer's address; ENOTCONN for a datagram end that learned its peer is gone. */
  getpeername(): Outcome<Uint8Array> {
    return this.peer ? (this.peerName ?? UNNAMED) : failure(Errno.ENOTCONN);
  }

  /** unix_inq_len() (a datagram socket reports its first message only) and unix_outq_len(). */
  protected override queueSizes(): { readonly inq: number; readonly outq: number } {
    let inq: number;
    if (this.stream) inq = this.queued;
    else if (this.type === SOCK_DGRAM) inq = this.queue[0]?.length ?? 0;
    else inq = this.queue.reduce((n, m) => n + m.length, 0);
    return { inq, outq: this.inFlight };
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
    this.shutdownBits = SHUTDOWN_MASK;
    const peer = this.peer;
    if (peer && this.type !== SOCK_DGRAM) {
      peer.shutdownBits = SHUTDOWN_MASK;
      if (this.queue.length > 0) peer.error = Errno.ECONNRESET;
    }
    this.purge();
    this.notify();
    this.peer = null;
  }

  private enqueue(data: Uint8Array, charged: number, from: Uint8Array | null, control: Control | null): void {
    if (data.length > 0 || !this.stream) {
      this.queue.push(data);
      this.controls.push(control);
      if (!this.stream) this.senders.push(from);
    } else if (control) {
      releaseRights(control.rights);
    }
    this.queued += charged;
  }

  /** Drops the queue; the descriptors in it are closed. */
  private purge(): void {
    for (const control of this.controls) if (control) releaseRights(control.rights);
    this.queue.length = 0;
    this.senders.length = 0;
    this.controls.length = 0;
    this.head = 0;
    this.queued = 0;
  }

  /**
   * Up to `length` bytes from the front of a stream queue, left in place, and what they carry.
   * As unix_stream_read_generic(), one read ends after a chunk with descriptors, and with
   * SO_PASSCRED never glues chunks of different credentials.
   */
  private peekStream(length: number): { data: Uint8Array; control: Control | null } {
    const first = this.controls[0] ?? null;
    let want = Math.min(length, this.queued);
    let control: Control | null = first;
    const parts: Uint8Array[] = [];
    for (let i = 0; want > 0 && i < this.queue.length; i++) {
      const here = this.controls[i] ?? null;
      if (i > 0 && this.passCreds && !sameCreds(first?.creds ?? null, here?.creds ?? null)) break;
      const part = this.queue[i]!.subarray(i === 0 ? this.head : 0).subarray(0, want);
      parts.push(part);
      want -= part.length;
      if (here?.rights.length) {
        control = i === 0 ? here : { creds: first?.creds ?? null, rights: here.rights };
        break;
      }
    }
    const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const part of parts) {
      data.set(part, at);
      at += part.length;
    }
    return { data, control };
  }
}

/**
 * What a datagram costs the send buffer: its length, and at least one byte, so that empty
 * datagrams fill the buffer eventually as their socket buffers do on Linux.
 */
function charge(message: Uint8Array): number {
  return Math.max(1, message.length);
}
