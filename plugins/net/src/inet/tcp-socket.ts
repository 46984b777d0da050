import { Errno, NS_PER_SEC, POLL, Signal, callSlot, type SyscallContext, type TcpSample } from '@shadow-ts/plugin-sdk';
import { RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, SOCK_STREAM, SO_KEEPALIVE } from '../constants.js';
import { AGAIN, failure, isFailure, type Accepted, type Failure, type Outcome, type Received, type SendOptions, type TransferOptions } from '../socket.js';
import type { HostNet } from '../state.js';
import { TcpConnection, resetFor } from '../tcp/connection.js';
import type { BufferSizes, Keepalive, TcpEnvironment, TcpOptions, TcpState } from '../tcp/types.js';
import { AF_INET, ANY4, ANY6, LOOPBACK4, LOOPBACK6, encodeSockaddr, isV4, isWildcard, type Endpoint, type InetFamily } from './addresses.js';
import { NetStack, tupleKey, type TcpListenerEndpoint } from './demux.js';
import { getTcpOption, setTcpOption } from './options.js';
import { InetPacket } from './packet.js';
import type { PortTable } from './ports.js';
import { InetSocket, TCP_RMEM_DEFAULT, TCP_RMEM_MAX, TCP_WMEM_DEFAULT, TCP_WMEM_MAX } from './socket.js';

/**
 * TCP sockets (tcp(7)): the socket layer over the sans-I/O state machine in ../tcp. A socket
 * is unconnected, listening (with its queue of established connections waiting for accept),
 * or has one TcpConnection registered in the host's stack under its 4-tuple. The connection's
 * env.changed() wakes the socket's waiters (readiness), moves a passive connection into its
 * listener's accept queue once established, and unregisters a connection that reached CLOSED.
 */

NetStack.resetter = resetFor;

/** MSS on a 1500-byte MTU: 1500 - 20 - 20 (IPv4), 1500 - 40 - 20 (IPv6). */
const MSS4 = 1460;
const MSS6 = 1440;
/** Set while a blocking connect waits for its handshake: a restart of the call goes on waiting. */
export const CONNECTING = callSlot<boolean>('tcp.connecting');

const SYNCHRONIZING = new Set<TcpState>(['SYN_SENT', 'SYN_RECEIVED']);
/** States after our FIN was queued: SEND_SHUTDOWN. */
const SENT_FIN = new Set<TcpState>(['FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSING', 'LAST_ACK', 'TIME_WAIT']);

const errnoOf = (name: string): number => (Errno as Record<string, number>)[name] ?? Errno.EIO;

export class TcpSocket extends InetSocket implements TcpListenerEndpoint {
  readonly kind = 'tcp';
  readonly type = SOCK_STREAM;
  readonly stream = true;
  readonly protocol = 6;
  conn: TcpConnection | null = null;
  peer: Endpoint | null = null;
  /** struct socket's state: SS_UNCONNECTED, SS_CONNECTING, SS_CONNECTED. */
  sockState: 'unconnected' | 'connecting' | 'connected' = 'unconnected';
  backlog = 0;
  /** Established connections waiting for accept(2), oldest first. */
  readonly acceptQueue: TcpSocket[] = [];
  /** Passive connections still in SYN_RECEIVED. */
  readonly pending = new Set<TcpSocket>();
  /** The listener of a passive connection until it is accepted. */
  parent: TcpSocket | null = null;
  noDelay = false;
  /** The congestion control algorithm's name (TCP_CONGESTION). */
  congestion: string;
  /** TCP_MAXSEG set by the program (0: none). */
  maxSeg = 0;
  /** TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT (seconds, seconds, probes), used with SO_KEEPALIVE. */
  keepIdle = 7200;
  keepIntvl = 75;
  keepCnt = 9;
  /** The key this socket's connection is registered under in the stack, or null. */
  private key: string | null = null;

  constructor(family: InetFamily, net: HostNet, nonBlocking: boolean) {
    super(family, net, nonBlocking);
    this.congestion = net.defaultCongestion;
    this.sendBuffer = TCP_WMEM_DEFAULT;
    this.receiveBuffer = TCP_RMEM_DEFAULT;
  }

  override bufferSizes(): BufferSizes {
    return this.conn?.bufferSizes() ?? super.bufferSizes();
  }

  override fixBufferSizes(sizes: Partial<BufferSizes>): void {
    super.fixBufferSizes(sizes);
    this.conn?.fixBufferSizes(sizes);
  }

  get table(): PortTable {
    return this.stack.tcp;
  }

  get remote(): Endpoint | null {
    return this.peer;
  }

  /** The connection's TCP state (LISTEN for a listener, CLOSED without a connection). */
  get tcpState(): TcpState {
    if (this.listening) return 'LISTEN';
    return this.conn?.state ?? 'CLOSED';
  }

  /** The MSS in use or to announce: TCP_MAXSEG if set, else the MTU's for the peer's IP version. */
  get mss(): number {
    const base = this.peer && !isV4(this.peer.ip) ? MSS6 : MSS4;
    return this.maxSeg > 0 ? Math.min(this.maxSeg, base) : base;
  }

  override takeError(): number {
    const own = super.takeError();
    if (own) return own;
    const e = this.conn?.takeError();
    return e ? errnoOf(e) : 0;
  }

  private get hasError(): boolean {
    return this.error !== 0 || (this.conn?.error ?? null) !== null;
  }

  /** The effective shutdown bits: ours, plus what the connection's state implies. */
  private get shut(): number {
    let shut = this.shutdownBits;
    const conn = this.conn;
    if (!conn) return shut;
    if (conn.state === 'CLOSED') return SHUTDOWN_MASK;
    if (conn.readable().eof) shut |= RCV_SHUTDOWN;
    if (SENT_FIN.has(conn.state)) shut |= SEND_SHUTDOWN;
    return shut;
  }

  /** tcp_poll(). */
  poll(): number {
    if (this.listening) return this.acceptQueue.length > 0 ? POLL.IN | POLL.RDNORM : 0;
    const conn = this.conn;
    const state = this.tcpState;
    const shut = this.shut;
    let bits = 0;
    if (shut === SHUTDOWN_MASK || state === 'CLOSED') bits |= POLL.HUP;
    if (shut & RCV_SHUTDOWN) bits |= POLL.IN | POLL.RDNORM | POLL.RDHUP;
    if (!SYNCHRONIZING.has(state)) {
      if (conn && conn.readable().bytes > 0) bits |= POLL.IN | POLL.RDNORM;
      if (shut & SEND_SHUTDOWN || this.writableEnough()) bits |= POLL.OUT | POLL.WRNORM;
    }
    if (this.hasError) bits |= POLL.ERR;
    return bits;
  }

  /** __sk_stream_is_writeable(): free space at least half of what is queued. */
  private writableEnough(): boolean {
    if (!this.conn) return true;
    const free = this.conn.writable();
    return free > 0 && free >= (this.conn.bufferSizes().send - free) / 2;
  }

  // ---------------------------------------------------------------- the connection

  private environment(local: string, remote: string): TcpEnvironment {
    const host = this.host;
    return {
      now: () => host.now(),
      schedule: (at, callback) => host.schedule(at, callback),
      emit: (segment) => this.stack.send(InetPacket.tcp(local, remote, segment)),
      changed: () => this.changed(),
      initialSequence: () => {
        const b = host.random.bytes(4);
        return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);
      },
    };
  }

  override keepaliveChanged(): void {
    this.conn?.setKeepalive(this.keepalive());
  }

  /** Keepalive as the connection runs it: SO_KEEPALIVE with TCP_KEEPIDLE/INTVL/CNT, or null. */
  keepalive(): Keepalive | null {
    if (!this.flag(SO_KEEPALIVE)) return null;
    return { idle: BigInt(this.keepIdle) * NS_PER_SEC, interval: BigInt(this.keepIntvl) * NS_PER_SEC, probes: this.keepCnt };
  }

  private connectionOptions(remotePort: number): TcpOptions {
    return {
      localPort: this.port,
      remotePort,
      mss: this.mss,
      sendBuffer: this.sendBuffer,
      receiveBuffer: this.receiveBuffer,
      sendBufferMax: this.autotuneSend ? TCP_WMEM_MAX : null,
      receiveBufferMax: this.autotuneReceive ? TCP_RMEM_MAX : null,
      congestion: this.net.congestionFactory(this.congestion) ?? this.net.congestionFactory(this.net.defaultCongestion)!,
      noDelay: this.noDelay,
    };
  }

  private register(): void {
    this.key = tupleKey(this.ip, this.port, this.peer!.ip, this.peer!.port);
    this.stack.connections.set(this.key, this);
  }

  private unregister(): void {
    if (this.key !== null && this.stack.connections.get(this.key) === this) this.stack.connections.delete(this.key);
    this.key = null;
  }

  /** env.changed(): wake waiters; a passive connection joins its listener's queue once established. */
  private changed(): void {
    const conn = this.conn;
    if (!conn) return;
    const parent = this.parent;
    if (parent && parent.pending.has(this) && !SYNCHRONIZING.has(conn.state)) {
      parent.pending.delete(this);
      if (conn.state === 'CLOSED') {
        this.closed = true; // reset before it was ever accepted: nobody will see it
        this.parent = null;
      } else {
        parent.acceptQueue.push(this);
      }
      parent.readiness.notify();
    }
    if (conn.state === 'CLOSED') {
      this.unregister();
      if (this.closed) this.unbind();
    }
    // Keyed by the bits that are on, as Linux's wake-ups are keyed by the event that happened: a
    // blocked writer (and an epoll entry for POLLOUT) ignores changes that left no room to write.
    if (this.readiness.size > 0) this.readiness.notify(this.poll());
  }

  /** The connection's figures for the net api's tcpSegment observers; null without a peer. */
  sample(): Omit<TcpSample, 'host'> | null {
    const info = this.conn?.info();
    if (!info || !this.peer) return null;
    const text = (ip: string, port: number) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`);
    return {
      local: text(this.ip, this.port),
      remote: text(this.peer.ip, this.peer.port),
      state: info.state,
      srtt: info.srtt,
      cwnd: info.cwnd,
      inFlight: info.unacked,
    };
  }

  /** A segment for this socket: the connection's, or (a listener) a new connection's SYN. */
  segment(packet: InetPacket): void {
    if (!this.listening) {
      this.conn?.receive(packet.tcp!);
      return;
    }
    const seg = packet.tcp!;
    const f = seg.flags;
    if (f.rst) return;
    if (f.ack) {
      this.stack.reset(packet); // no such connection (tcp_v4_do_rcv() on a listener)
      return;
    }
    if (!f.syn || f.fin) return;
    // sk_acceptq_is_full(): the SYN is dropped; the client will retransmit it.
    if (this.acceptQueue.length > this.backlog) return;
    const child = new TcpSocket(this.family, this.net, false);
    child.inherit(this);
    child.ip = packet.destination;
    child.peer = { ip: packet.source, port: seg.srcPort };
    child.parent = this;
    child.sockState = 'connected';
    this.pending.add(child);
    this.table.claim(child, this.port);
    child.register();
    child.conn = TcpConnection.fromSyn(seg, child.connectionOptions(seg.srcPort), child.environment(child.ip, packet.source));
    child.conn.setKeepalive(child.keepalive());
  }

  /** What an accepted socket inherits from its listener (options set before listen). */
  private inherit(from: TcpSocket): void {
    this.sendBuffer = from.sendBuffer;
    this.receiveBuffer = from.receiveBuffer;
    this.autotuneSend = from.autotuneSend;
    this.autotuneReceive = from.autotuneReceive;
    this.noDelay = from.noDelay;
    this.keepIdle = from.keepIdle;
    this.keepIntvl = from.keepIntvl;
    this.keepCnt = from.keepCnt;
    this.congestion = from.congestion;
    this.maxSeg = from.maxSeg;
    this.reuseAddr = from.reuseAddr;
    this.reusePort = from.reusePort;
    this.v6only = from.v6only;
    this.linger = { ...from.linger };
    for (const [k, v] of from.flags) this.flags.set(k, v);
    for (const [k, v] of from.recorded) this.recorded.set(k, v);
    this.boundDevice = from.boundDevice;
  }

  // ---------------------------------------------------------------- syscalls

  /** listen(2) (inet_listen()): EINVAL unless unconnected; binds an ephemeral port when unbound. */
  override listen(backlog: number): Outcome {
    if (this.sockState !== 'unconnected' || (this.conn && this.conn.state !== 'CLOSED')) return failure(Errno.EINVAL);
    this.backlog = backlog;
    if (this.listening) return undefined;
    if (this.port === 0) {
      const bound = this.bindTo(this.ip, 0, false);
      if (bound) return bound;
    }
    // inet_csk_get_port() again, now as a listener: SO_REUSEADDR no longer shares the port.
    this.listening = true;
    if (!this.table.free(this, this.port)) {
      this.listening = false;
      return failure(Errno.EADDRINUSE);
    }
    this.readiness.notify();
    return undefined;
  }

  /** accept(2) (inet_csk_accept()): the oldest established connection, with the peer's address. */
  override accept(): Outcome<Accepted> {
    if (!this.listening) return failure(Errno.EINVAL);
    const child = this.acceptQueue.shift();
    if (!child) return AGAIN;
    child.parent = null;
    this.readiness.notify();
    return { socket: child, peer: encodeSockaddr(this.family, child.peer!) };
  }

  override requeue(child: TcpSocket): void {
    child.parent = this;
    this.acceptQueue.unshift(child);
  }

  /** getpeername(2): ENOTCONN without a peer, and while a handshake is under way. */
  override getpeername(): Outcome<Uint8Array> {
    if (['SYN_SENT', 'CLOSED', 'LISTEN'].includes(this.tcpState)) return failure(Errno.ENOTCONN);
    return super.getpeername();
  }

  /**
   * connect(2). Blocking: waits until the handshake ends (ESTABLISHED, or the error:
   * ECONNREFUSED on a RST, ETIMEDOUT after the SYN retries). Non-blocking: EINPROGRESS, then
   * POLLOUT (or POLLERR) and SO_ERROR; a later connect answers EALREADY, then 0, then EISCONN.
   * AF_UNSPEC disconnects. A restart of a connect waiting for its handshake goes on waiting.
   */
  connect(ctx: SyscallContext, address: Uint8Array): Outcome {
    if (ctx.call.get(CONNECTING)) return this.connectWait(ctx);
    const to = this.connectTarget(address);
    if (isFailure(to)) return to;
    if (!to) {
      if (this.conn && this.conn.state !== 'CLOSED') this.conn.abort();
      this.sockState = 'unconnected';
      return undefined;
    }
    if (this.listening || this.sockState === 'connected') return failure(Errno.EISCONN);
    if (this.sockState === 'connecting') {
      if (!SYNCHRONIZING.has(this.tcpState)) return this.connectWait(ctx);
      if (this.nonBlocking) return failure(Errno.EALREADY);
      ctx.call.set(CONNECTING, true);
      return AGAIN;
    }
    let dest = to;
    if (isWildcard(dest.ip)) dest = { ip: isV4(dest.ip) ? LOOPBACK4 : LOOPBACK6, port: dest.port };
    if (isV4(dest.ip) && this.family !== AF_INET && this.v6only) return failure(Errno.ENETUNREACH);
    if (this.port === 0) {
      const bound = this.bindTo(this.ip, 0, false);
      if (bound) return bound;
    }
    const local = this.stack.sourceFor(dest.ip, this.ip);
    if (this.stack.connections.has(tupleKey(local, this.port, dest.ip, dest.port))) return failure(Errno.EADDRNOTAVAIL);
    this.ip = local;
    this.peer = dest;
    this.shutdownBits = 0;
    this.register();
    this.conn = new TcpConnection(this.connectionOptions(dest.port), this.environment(local, dest.ip));
    this.conn.setKeepalive(this.keepalive());
    this.sockState = 'connecting';
    this.conn.connect();
    if (this.nonBlocking) return failure(Errno.EINPROGRESS);
    ctx.call.set(CONNECTING, true);
    return AGAIN;
  }

  private connectWait(ctx: SyscallContext): Outcome {
    if (SYNCHRONIZING.has(this.tcpState)) return AGAIN;
    ctx.call.set(CONNECTING, false);
    if (this.tcpState === 'CLOSED') {
      // The failed attempt is undone (tcp_disconnect()): the socket is as new, and gives up an
      // implicitly bound port.
      const e = this.takeError() || Errno.ECONNABORTED;
      this.conn = null;
      this.peer = null;
      this.sockState = 'unconnected';
      if (!this.explicitBind) {
        this.unbind();
        this.ip = this.family === AF_INET ? ANY4 : ANY6;
      }
      return failure(e);
    }
    this.sockState = 'connected';
    return undefined;
  }

  /**
   * send(2) (tcp_sendmsg()): waits for a connection in progress; fails with the pending error
   * or EPIPE (SIGPIPE unless MSG_NOSIGNAL) when writing is over or there never was a
   * connection. A blocking send returns once every byte is queued; its progress is the call's
   * `transferred` count across restarts, and a signal, SO_SNDTIMEO, O_NONBLOCK or an error on
   * the way end it with that count (the core's partial-transfer rule) — a pending error then
   * stays for the next call, as tcp_sendmsg() leaves it.
   */
  send(ctx: SyscallContext, data: Uint8Array, opts: SendOptions): Outcome<number> {
    const progress = ctx.call;
    const conn = this.conn;
    if (conn && SYNCHRONIZING.has(conn.state) && !this.hasError) return AGAIN;
    const state = conn?.state;
    if (!conn || this.listening || this.hasError || this.shutdownBits & SEND_SHUTDOWN || (state !== 'ESTABLISHED' && state !== 'CLOSE_WAIT')) {
      if (progress.transferred > 0) return failure(Errno.EPIPE);
      const e = this.takeError();
      if (e) return failure(e);
      if (!opts.noSignal) ctx.thread.signal(Signal.SIGPIPE, { pid: ctx.process.pid });
      return failure(Errno.EPIPE);
    }
    progress.transferred += conn.write(data.subarray(progress.transferred));
    return progress.transferred === data.length ? data.length : AGAIN;
  }

  /**
   * recv(2) without consuming (tcp_recvmsg()): queued bytes first; then the pending error;
   * then end of file once the peer finished (or reading is shut down, or the connection ended);
   * ENOTCONN without a connection.
   */
  receive(length: number, _opts: TransferOptions): Outcome<Received> {
    const conn = this.conn;
    if (this.listening) return failure(Errno.ENOTCONN);
    // tcp_recvmsg() on a socket that never connected: a pending error, then end of file if
    // reading was shut down (shutdown(2) records it even when it answers ENOTCONN), else ENOTCONN.
    if (!conn) {
      if (this.hasError) return failure(this.takeError());
      return this.shut & RCV_SHUTDOWN ? { data: new Uint8Array(0), length: 0 } : failure(Errno.ENOTCONN);
    }
    const { bytes } = conn.readable();
    if (bytes > 0) {
      const data = conn.read(Math.min(length, bytes), true);
      return { data, length: data.length };
    }
    if (this.hasError) return failure(this.takeError());
    if (this.shut & RCV_SHUTDOWN) return { data: new Uint8Array(0), length: 0 };
    return AGAIN;
  }

  consume(count: number): void {
    if (count > 0) this.conn?.read(count);
  }

  /** shutdown(2) (inet_shutdown()). */
  override shutdown(how: number): Outcome {
    const mode = how + 1;
    if (this.listening) {
      if (mode & RCV_SHUTDOWN) this.stopListening();
      return undefined;
    }
    const conn = this.conn;
    if (!conn || conn.state === 'CLOSED') {
      this.shutdownBits |= mode;
      this.readiness.notify();
      return failure(Errno.ENOTCONN);
    }
    if (conn.state === 'SYN_SENT') {
      conn.abort();
      return undefined;
    }
    this.shutdownBits |= mode;
    if (mode & SEND_SHUTDOWN) conn.shutdownWrite();
    this.readiness.notify();
    return undefined;
  }

  private stopListening(): void {
    this.listening = false;
    for (const child of [...this.acceptQueue, ...this.pending]) {
      child.closed = true;
      child.parent = null;
      child.conn?.abort();
    }
    this.acceptQueue.length = 0;
    this.pending.clear();
    this.readiness.notify();
  }

  protected override getTcpOption(ctx: SyscallContext, name: number): Outcome<Uint8Array> {
    return getTcpOption(ctx, this, name);
  }

  protected override setTcpOption(ctx: SyscallContext, name: number, value: Uint8Array): Outcome {
    return setTcpOption(ctx, this, name, value);
  }

  /**
   * SIOCINQ (FIONREAD): bytes to read; SIOCOUTQ: bytes not yet acknowledged; SIOCOUTQNSD: bytes
   * not yet sent. EINVAL on a listener.
   */
  protected override queueSizes(): { readonly inq: number; readonly outq: number; readonly notSent: number } | Failure {
    if (this.listening) return failure(Errno.EINVAL);
    const info = this.conn?.info();
    return { inq: this.conn?.readable().bytes ?? 0, outq: info ? info.unacked + info.unsent : 0, notSent: info ? info.unsent : 0 };
  }

  /**
   * The last descriptor closed: a listener resets the connections nobody accepted; a
   * connection closes (FIN, or RST with unread data or SO_LINGER 0) and keeps its port until
   * it reaches CLOSED (TIME_WAIT included, as on Linux).
   */
  override release(): void {
    this.closed = true;
    if (this.listening) {
      this.stopListening();
      this.unbind();
      return;
    }
    const conn = this.conn;
    if (conn && conn.state !== 'CLOSED') {
      if (this.linger.on && this.linger.seconds === 0) conn.abort();
      else conn.close();
      return;
    }
    this.unregister();
    this.unbind();
  }
}
