import type { SimTime } from '@shadow-ts/plugin-sdk';
import { INITIAL_WINDOW_SEGMENTS } from './congestion.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt } from './seq.js';
import type {
  BufferSizes,
  CongestionControl,
  Keepalive,
  TcpConnectionApi,
  TcpEnvironment,
  TcpError,
  TcpFlags,
  TcpInfo,
  TcpOptions,
  TcpSegment,
  TcpState,
} from './types.js';

/**
 * A sans-I/O TCP connection (RFC 9293, 5681, 6298, 6582, 7323, 1122) with Linux-like defaults.
 * It never touches the clock or the network directly: time is `env.now()`, timers are
 * `env.schedule()`, segments leave through `env.emit()`.
 */

const MS = 1_000_000n;
const SEC = 1_000_000_000n;

/** Timing and retry constants (Linux defaults). */
export const TCP_TIMING = {
  /** RFC 6298 initial RTO (Linux TCP_TIMEOUT_INIT). */
  initialRto: 1n * SEC,
  /** Linux TCP_RTO_MIN / TCP_RTO_MAX. */
  minRto: 200n * MS,
  maxRto: 120n * SEC,
  /** Delayed ACK (Linux TCP_DELACK_MIN). */
  delayedAck: 40n * MS,
  /** TIME_WAIT length (Linux TCP_TIMEWAIT_LEN) and the orphaned FIN_WAIT_2 timeout (tcp_fin_timeout). */
  timeWait: 60n * SEC,
  finWait2: 60n * SEC,
  /** net.ipv4.tcp_syn_retries, tcp_synack_retries, tcp_retries2. */
  synRetries: 6,
  synAckRetries: 5,
  dataRetries: 15,
} as const;

/** The MSS assumed when the peer announces none (RFC 9293 §3.7.1). */
export const DEFAULT_PEER_MSS = 536;
/** Largest window scale (RFC 7323 §2.3). */
export const MAX_WINDOW_SCALE = 14;

const EMPTY = new Uint8Array(0);

/**
 * The window a receive buffer of `bytes` advertises, and the buffer a window needs: Linux counts
 * the buffer in kernel memory, about twice the payload it holds (tcp_win_from_space with its
 * initial scaling ratio of one half).
 */
const windowOfSpace = (bytes: number): number => Math.floor(bytes / 2);
const spaceOfWindow = (window: number): number => 2 * window;

/**
 * The kernel memory one segment of `mss` bytes takes in a send buffer (tcp_sndbuf_expand's
 * per_mss on x86_64: payload, the largest TCP header and skb_shared_info, rounded up to a power
 * of two, plus struct sk_buff): 4352 for an MSS of 1460.
 */
const bufferPerSegment = (mss: number): number => 2 ** Math.ceil(Math.log2(mss + 320 + 320)) + 256;

/** The smallest window scale that lets a window of `receiveBuffer` bytes fit the 16-bit field. */
export function windowScaleFor(receiveBuffer: number): number {
  let scale = 0;
  while (scale < MAX_WINDOW_SCALE && receiveBuffer / 2 ** scale > 0xffff) scale++;
  return scale;
}

/** Sequence space a segment occupies (SYN and FIN count one each). */
export function segmentLength(segment: TcpSegment): number {
  return segment.payload.length + (segment.flags.syn ? 1 : 0) + (segment.flags.fin ? 1 : 0);
}

/**
 * The RST a host sends for `segment` when it reaches no socket (RFC 9293 §3.10.7.1): none for a
 * RST; `<SEQ=SEG.ACK><CTL=RST>` if the segment has an ACK; otherwise
 * `<SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>`.
 */
export function resetFor(segment: TcpSegment): TcpSegment | null {
  if (segment.flags.rst) return null;
  const base = { srcPort: segment.dstPort, dstPort: segment.srcPort, window: 0, payload: EMPTY };
  if (segment.flags.ack) return { ...base, seq: segment.ack, ack: 0, flags: { rst: true } };
  return { ...base, seq: 0, ack: seqAdd(segment.seq, segmentLength(segment)), flags: { rst: true, ack: true } };
}

/**
 * A FIFO of bytes kept as the chunks written into it, so that bytes are not copied on their way
 * through a connection: a write's buffer is queued as it is, a segment's payload is a view of it,
 * and the receiver queues that view. Queued bytes are never changed (a chunk is given up by its
 * writer, small writes go to the free end of an append-only block), so views stay valid for as
 * long as anyone holds them. Only a read or a segment that spans chunks is copied.
 */
class ChunkQueue {
  /** Writes up to this size are copied into a shared block instead of becoming a chunk of their own. */
  private static readonly SMALL = 512;
  /**
   * The first block is small and each next one twice the last, up to the largest: most
   * connections see a few small writes (a request, a reply's header), and a block is memory
   * outside the JS heap that a long-lived collection frees late.
   */
  private static readonly FIRST_BLOCK = 1024;
  private static readonly LARGEST_BLOCK = 16384;
  private chunks: Uint8Array[] = [];
  /** The stream offset of each chunk's first byte (offsets count every byte ever pushed). */
  private starts: number[] = [];
  /** The first chunk still holding queued bytes. */
  private head = 0;
  /** Stream offsets of the first queued byte and of the end. */
  private first = 0;
  private end = 0;
  /** The block small writes are copied into, and how much of it is used. */
  private block: Uint8Array | null = null;
  private blockUsed = 0;

  get length(): number {
    return this.end - this.first;
  }

  /** Queues `data`, which the caller gives up: it must not change it afterwards. */
  push(data: Uint8Array): void {
    const n = data.length;
    if (n === 0) return;
    if (n > ChunkQueue.SMALL) {
      this.append(data);
      return;
    }
    if (this.block === null || this.blockUsed + n > this.block.length) {
      const size = this.block === null ? ChunkQueue.FIRST_BLOCK : Math.min(2 * this.block.length, ChunkQueue.LARGEST_BLOCK);
      this.block = new Uint8Array(size);
      this.blockUsed = 0;
    }
    const from = this.blockUsed;
    this.block.set(data, from);
    this.blockUsed += n;
    const last = this.chunks.length - 1;
    const chunk = this.chunks[last];
    if (chunk !== undefined && chunk.buffer === this.block.buffer && chunk.byteOffset + chunk.length === from) {
      // The last chunk ends where this write began in the block: it grows over it.
      this.chunks[last] = this.block.subarray(chunk.byteOffset, this.blockUsed);
      this.end += n;
    } else {
      this.append(this.block.subarray(from, this.blockUsed));
    }
  }

  private append(chunk: Uint8Array): void {
    this.chunks.push(chunk);
    this.starts.push(this.end);
    this.end += chunk.length;
  }

  /** The index of the chunk holding stream offset `at` (first ≤ at < end). */
  private chunkAt(at: number): number {
    let lo = this.head;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= at) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** `length` bytes from `offset` on (fewer at the end): a view within one chunk, else a copy. */
  peek(offset: number, length: number): Uint8Array {
    const from = this.first + Math.max(0, offset);
    const to = Math.min(from + length, this.end);
    if (to <= from) return new Uint8Array(0);
    let i = this.chunkAt(from);
    const start = from - this.starts[i]!;
    const chunk = this.chunks[i]!;
    if (start + (to - from) <= chunk.length) return chunk.subarray(start, start + (to - from));
    const out = new Uint8Array(to - from);
    let done = 0;
    for (let at = start; done < out.length; i++, at = 0) {
      const piece = this.chunks[i]!.subarray(at, at + out.length - done);
      out.set(piece, done);
      done += piece.length;
    }
    return out;
  }

  drop(n: number): void {
    this.first = Math.min(this.first + Math.max(0, n), this.end);
    while (this.head < this.chunks.length && this.starts[this.head]! + this.chunks[this.head]!.length <= this.first) this.head++;
    if (this.head === this.chunks.length) {
      // Empty: keep the block's free end for the next small write, drop the rest.
      this.chunks = [];
      this.starts = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.starts = this.starts.slice(this.head);
      this.head = 0;
    }
  }

  take(n: number): Uint8Array {
    const out = this.peek(0, n);
    this.drop(out.length);
    return out;
  }

  clear(): void {
    this.drop(this.length);
    this.block = null;
  }
}

/**
 * One timer on the environment's clock; re-arming replaces the previous expiry. The RTO timer
 * is re-armed at nearly every ACK, always later: so one scheduled event serves many expiries.
 * When it comes due before the current expiry it schedules itself again for that one.
 * Cancelling removes the event (a keepalive's may be hours away and would keep the connection).
 */
class Timer {
  /** When the timer fires, or null while it is not armed. */
  private due: SimTime | null = null;
  /** The time of the event scheduled for it, if one is (it may be earlier than `due`). */
  private scheduled: SimTime | null = null;
  private cancelScheduled: (() => void) | null = null;
  constructor(
    private readonly env: TcpEnvironment,
    private readonly fire: () => void,
  ) {}

  get armed(): boolean {
    return this.due !== null;
  }

  set(at: SimTime): void {
    if (this.scheduled !== null && this.scheduled <= at) {
      this.due = at; // the scheduled event reschedules itself for `at`
      return;
    }
    this.cancel();
    this.due = at;
    this.schedule(at);
  }

  cancel(): void {
    this.due = null;
    this.scheduled = null;
    const cancel = this.cancelScheduled;
    this.cancelScheduled = null;
    cancel?.();
  }

  private schedule(at: SimTime): void {
    this.scheduled = at;
    let ran = false;
    const cancel = this.env.schedule(at, () => {
      ran = true;
      this.scheduled = null;
      this.cancelScheduled = null;
      this.expired();
    });
    if (!ran) this.cancelScheduled = cancel;
  }

  private expired(): void {
    const due = this.due;
    if (due === null) return;
    if (due > this.env.now()) {
      this.schedule(due);
      return;
    }
    this.due = null;
    this.fire();
  }
}

/** A run of out-of-order bytes waiting for the gap before it to fill. */
interface Chunk {
  seq: number;
  data: Uint8Array;
}

/** What env.changed() reports a change of. */
interface Snapshot {
  state: TcpState;
  error: TcpError | null;
  bytes: number;
  eof: boolean;
  writable: number;
}

/** States in which our side has a sequence space the peer knows (RFC "synchronized"). */
const SYNCHRONIZED: ReadonlySet<TcpState> = new Set([
  'SYN_RECEIVED',
  'ESTABLISHED',
  'FIN_WAIT_1',
  'FIN_WAIT_2',
  'CLOSE_WAIT',
  'CLOSING',
  'LAST_ACK',
  'TIME_WAIT',
]);
/** States that may (re)transmit data or our FIN. */
const SENDING: ReadonlySet<TcpState> = new Set(['ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT_1', 'CLOSING', 'LAST_ACK']);
/** The states keepalive probes run in: the connection is up and idle traffic means nothing. */
const KEEPALIVE: ReadonlySet<TcpState> = new Set(['ESTABLISHED', 'CLOSE_WAIT']);
/** States that accept data from the peer (it has not sent its FIN yet). */
const RECEIVING: ReadonlySet<TcpState> = new Set(['ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2']);

/**
 * One connection. Every entry point (application calls, `receive`, timer expiries) runs to
 * completion, then calls `env.changed()` once if the state, the error, the readable bytes, EOF or
 * the writable space changed — synchronously, before the entry point returns, so a `changed`
 * handler may re-enter (a `write` can observe `changed()` before it returns its count).
 */
export class TcpConnection implements TcpConnectionApi {
  private _state: TcpState = 'CLOSED';
  private _error: TcpError | null = null;
  private cc: CongestionControl;
  /** Opened by connect() or fromSyn (a connection is used once). */
  private opened = false;
  private passive = false;
  /** close() was called: the application reads no more (new data gets a RST, as in Linux). */
  private appClosed = false;

  // Send sequence space (RFC 9293 §3.3.1), plus the highest sequence sent (before a go-back-N).
  private iss = 0;
  private sndUna = 0;
  private sndNxt = 0;
  private sndMax = 0;
  private sndWnd = 0;
  private sndWl1 = 0;
  private sndWl2 = 0;
  private sndScale = 0;
  private peerMss = DEFAULT_PEER_MSS;
  /** Queued data not yet acknowledged; its first byte has sequence `sendSeq`. */
  private readonly sendQueue = new ChunkQueue();
  private sendSeq = 0;
  /** shutdown(SHUT_WR)/close(): a FIN follows the queued data. */
  private finQueued = false;

  // Receive sequence space.
  private irs = 0;
  private rcvNxt = 0;
  /** Right edge of the window we last advertised (never moved left: RFC 9293 §3.8.6.2.2). */
  private rcvAdvEdge = 0;
  private rcvScale: number;
  /** Window scaling on: always offered in our SYN; used only if the peer offers it too (RFC 7323). */
  private windowScaling = true;
  private readonly recvQueue = new ChunkQueue();
  private ooo: Chunk[] = [];
  private oooBytes = 0;
  /** Sequence number of the peer's FIN once seen (possibly out of order). */
  private peerFinSeq: number | null = null;
  /** No more data will arrive (FIN consumed, reset, timeout, abort). */
  private rcvShut = false;
  /** Received bytes not acknowledged yet, and whether an ACK must go out now. */
  private ackPendingBytes = 0;
  private ackPending = false;
  private ackNow = false;
  /** rcv_nxt in the last ACK we sent. */
  private lastAckSent = 0;

  // RTT estimation (RFC 6298) and retransmission.
  private srtt: SimTime | null = null;
  private rttvar: SimTime = 0n;
  private rto: SimTime = TCP_TIMING.initialRto;
  private backoff = 0;
  private rttSeq: number | null = null;
  private rttStart: SimTime = 0n;
  private synSentAt: SimTime = 0n;
  /** Consecutive RTO expiries without progress (SYN, SYN-ACK or data). */
  private retries = 0;
  private persistProbes = 0;
  /** Zero-window probes sent since the peer last acknowledged anything (it may be gone). */
  private probesUnanswered = 0;

  // Fast retransmit / NewReno fast recovery (RFC 5681, 6582).
  private dupAcks = 0;
  private inRecovery = false;
  private recover = 0;
  private inflation = 0;

  // Counters.
  private stats = {
    retransmits: 0,
    fastRetransmits: 0,
    timeouts: 0,
    segmentsSent: 0,
    segmentsReceived: 0,
    bytesAcked: 0,
  };

  private readonly rtoTimer: Timer;
  private readonly delAckTimer: Timer;
  private readonly persistTimer: Timer;
  /** TIME_WAIT expiry or the orphaned FIN_WAIT_2 timeout. */
  private readonly waitTimer: Timer;
  /** Keepalive (tcp_keepalive_timer): the settings, its timer, probes unanswered, the last segment in. */
  private keepalive: Keepalive | null = null;
  private readonly keepaliveTimer: Timer;
  private keepaliveProbes = 0;
  private lastReceived: SimTime = 0n;

  // Buffer autotuning (tcp_sndbuf_expand, tcp_rcv_space_adjust): the sizes now, and the
  // receiver's measure of what the application read in the last round trip.
  private sndBuf: number;
  private rcvBuf: number;
  private sndBufMax: number | null;
  private rcvBufMax: number | null;
  private rcvSpace = 0;
  private rcvCopied = 0;
  private rcvSpaceTime: SimTime = 0n;

  private depth = 0;

  constructor(
    readonly options: TcpOptions,
    private readonly env: TcpEnvironment,
  ) {
    this.sndBuf = options.sendBuffer;
    this.rcvBuf = options.receiveBuffer;
    this.sndBufMax = options.sendBufferMax;
    this.rcvBufMax = options.receiveBufferMax;
    // Linux sizes the scale for the largest the buffer may grow to (tcp_select_initial_window).
    this.rcvScale = windowScaleFor(Math.max(options.receiveBuffer, options.receiveBufferMax ?? 0));
    this.cc = options.congestion(options.mss);
    this.rtoTimer = new Timer(env, () => this.run(() => this.onRto()));
    this.delAckTimer = new Timer(env, () =>
      this.run(() => {
        if (this.ackPending && SYNCHRONIZED.has(this._state)) this.sendAck();
      }),
    );
    this.persistTimer = new Timer(env, () => this.run(() => this.onPersist()));
    this.waitTimer = new Timer(env, () => this.run(() => this.toClosed()));
    this.keepaliveTimer = new Timer(env, () => this.run(() => this.onKeepalive()));
  }

  /**
   * Passive open: the connection a listener creates for an incoming SYN. It answers SYN-ACK
   * (state SYN_RECEIVED) and becomes ESTABLISHED, calling env.changed(), when the final ACK
   * arrives.
   */
  static fromSyn(syn: TcpSegment, options: TcpOptions, env: TcpEnvironment): TcpConnection {
    if (!syn.flags.syn || syn.flags.ack || syn.flags.rst) throw new RangeError('TcpConnection.fromSyn: not a SYN');
    const conn = new TcpConnection(options, env);
    conn.acceptSyn(syn);
    return conn;
  }

  get state(): TcpState {
    return this._state;
  }

  get error(): TcpError | null {
    return this._error;
  }

  takeError(): TcpError | null {
    return this.run(() => {
      const error = this._error;
      this._error = null;
      return error;
    });
  }

  info(): TcpInfo {
    return {
      state: this._state,
      congestion: this.cc.name,
      cwnd: this.cc.cwnd,
      ssthresh: this.cc.ssthresh,
      srtt: this.srtt,
      rttvar: this.srtt === null ? null : this.rttvar,
      rto: this.currentRto(),
      sendMss: this.sendMss,
      receiveWindowScale: this.rcvScale,
      sendWindowScale: this.sndScale,
      sendWindow: this.sndWnd,
      unacked: Math.max(0, seqDiff(this.sndMax, this.sndUna)),
      unsent: Math.max(0, seqDiff(this.dataEnd, this.sndNxt)),
      ...this.stats,
    };
  }

  // ---------------------------------------------------------------- application calls

  connect(): void {
    this.run(() => {
      if (this.opened || this._state !== 'CLOSED') return;
      this.opened = true;
      this.initSend();
      this.setState('SYN_SENT');
      this.synSentAt = this.env.now();
      this.sendSyn(false);
      this.armRto();
    });
  }

  readable(): { readonly bytes: number; readonly eof: boolean } {
    return { bytes: this.recvQueue.length, eof: this.rcvShut };
  }

  read(max: number, peek = false): Uint8Array {
    return this.run(() => {
      const n = Math.max(0, Math.min(max, this.recvQueue.length));
      if (n === 0) return EMPTY;
      if (peek) return this.recvQueue.peek(0, n);
      const data = this.recvQueue.take(n);
      this.adjustReceiveBuffer(n);
      this.maybeWindowUpdate();
      return data;
    });
  }

  writable(): number {
    if (!this.canWrite()) return 0;
    return Math.max(0, this.sndBuf - this.sendQueue.length);
  }

  /** SO_SNDBUF and SO_RCVBUF as they are now (autotuning grows them). */
  bufferSizes(): BufferSizes {
    return { send: this.sndBuf, receive: this.rcvBuf };
  }

  /** setsockopt(SO_SNDBUF / SO_RCVBUF) on the connection: the size is fixed from now on. */
  fixBufferSizes(sizes: Partial<BufferSizes>): void {
    this.run(() => {
      if (sizes.send !== undefined) {
        this.sndBuf = sizes.send;
        this.sndBufMax = null;
      }
      if (sizes.receive !== undefined) {
        this.rcvBuf = sizes.receive;
        this.rcvBufMax = null;
      }
    });
  }

  write(data: Uint8Array): number {
    return this.run(() => {
      if (!this.canWrite()) {
        // Writing after a reset, a timeout or our own shutdown: EPIPE (an unreported reset
        // error is reported first, as Linux does).
        if (this.finQueued || this._state === 'CLOSED' || this._state === 'TIME_WAIT') {
          if (this._error === null) this._error = 'EPIPE';
        }
        return 0;
      }
      const n = Math.min(data.length, this.writable());
      if (n === 0) return 0;
      this.sendQueue.push(data.subarray(0, n));
      this.output();
      return n;
    });
  }

  shutdownWrite(): void {
    this.run(() => {
      switch (this._state) {
        case 'SYN_SENT':
          // Linux: shutdown(SHUT_WR) before the connection exists closes it.
          this.toClosed();
          break;
        case 'ESTABLISHED':
        case 'CLOSE_WAIT':
          this.queueFin();
          break;
        default:
          break;
      }
    });
  }

  /** Our side is done sending: a FIN follows the queued data (ESTABLISHED or CLOSE_WAIT only). */
  private queueFin(): void {
    this.finQueued = true;
    this.setState(this._state === 'ESTABLISHED' ? 'FIN_WAIT_1' : 'LAST_ACK');
    this.output();
  }

  close(): void {
    this.run(() => {
      this.appClosed = true;
      const state = this._state;
      if (state === 'CLOSED' || state === 'LISTEN' || state === 'SYN_SENT') {
        this.toClosed();
        return;
      }
      if (state === 'SYN_RECEIVED' || (this.recvQueue.length > 0 && state !== 'TIME_WAIT')) {
        // Unread data (or a connection never accepted): RST instead of FIN, as Linux does.
        this.abort();
        return;
      }
      switch (state) {
        case 'ESTABLISHED':
        case 'CLOSE_WAIT':
          this.queueFin();
          break;
        case 'FIN_WAIT_2':
          this.waitTimer.set(this.env.now() + TCP_TIMING.finWait2);
          break;
        default:
          break;
      }
    });
  }

  abort(): void {
    this.run(() => {
      if (SYNCHRONIZED.has(this._state) && this._state !== 'TIME_WAIT') {
        this.emit(this.sndNxt, { rst: true, ack: true }, EMPTY);
      }
      this.recvQueue.clear();
      this.toClosed();
    });
  }

  /** SO_KEEPALIVE on (with its settings) or off; turning it on arms the timer at idle from now, as Linux does. */
  setKeepalive(keepalive: Keepalive | null): void {
    this.keepalive = keepalive;
    if (keepalive && KEEPALIVE.has(this._state)) this.keepaliveTimer.set(this.env.now() + keepalive.idle);
    else this.keepaliveTimer.cancel();
  }

  receive(segment: TcpSegment): void {
    this.run(() => this.handle(segment));
  }

  // ---------------------------------------------------------------- segment arrival

  private handle(seg: TcpSegment): void {
    if (seg.payload.length > 0) this.stats.segmentsReceived++;
    switch (this._state) {
      case 'CLOSED': {
        const rst = resetFor(seg);
        if (rst !== null) this.env.emit(rst);
        return;
      }
      case 'LISTEN':
        return;
      case 'SYN_SENT':
        this.handleSynSent(seg);
        return;
      default:
        this.handleSynchronized(seg);
    }
  }

  /** RFC 9293 §3.10.7.3. */
  private handleSynSent(seg: TcpSegment): void {
    const f = seg.flags;
    if (f.ack && (seqLe(seg.ack, this.iss) || seqGt(seg.ack, this.sndNxt))) {
      if (!f.rst) this.emitRaw({ seq: seg.ack, ack: 0, flags: { rst: true }, window: 0, payload: EMPTY });
      return;
    }
    if (f.rst) {
      if (f.ack) this.fail('ECONNREFUSED');
      return;
    }
    if (!f.syn) return;
    this.learnSyn(seg);
    this.sndWnd = seg.window; // never scaled in a SYN
    this.sndWl1 = seg.seq;
    this.sndWl2 = seg.ack;
    if (f.ack) {
      this.sndUna = seg.ack;
      if (this.retries === 0) this.sampleRtt(this.env.now() - this.synSentAt);
      this.establish();
      this.ackNow = true;
      this.output();
      if (this.ackNow) this.sendAck();
    } else {
      // Simultaneous open.
      this.setState('SYN_RECEIVED');
      this.sendSyn(true);
    }
  }

  private handleSynchronized(seg: TcpSegment): void {
    const f = seg.flags;
    // A retransmitted SYN while our SYN-ACK is unanswered: answer it again.
    if (this._state === 'SYN_RECEIVED' && f.syn && !f.ack && !f.rst && seg.seq === this.irs) {
      this.sendSyn(true);
      return;
    }
    if (this._state === 'TIME_WAIT' && f.fin && !f.rst) {
      // The peer did not get our ACK of its FIN: ACK again and restart the 2MSL wait.
      this.sendAck();
      this.waitTimer.set(this.env.now() + TCP_TIMING.timeWait);
      return;
    }

    // 1. Sequence number check (Linux-like acceptance: not entirely old, not beyond the window).
    const len = segmentLength(seg);
    const rcvWnd = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
    const acceptable = seqGe(seqAdd(seg.seq, len), this.rcvNxt) && seqLe(seg.seq, seqAdd(this.rcvNxt, rcvWnd));
    if (!acceptable) {
      if (!f.rst) this.sendAck();
      return;
    }
    if (f.ack && !f.rst) {
      // tcp_ack(): the peer is alive (a keepalive probe's answer lands here).
      this.lastReceived = this.env.now();
      this.keepaliveProbes = 0;
    }

    // 2. RST.
    if (f.rst) {
      if (seqLt(seg.seq, this.rcvNxt) || seqGe(seg.seq, seqAdd(this.rcvNxt, Math.max(rcvWnd, 1)))) return;
      this.onReset();
      return;
    }

    // 3. SYN. The peer's SYN-ACK in a simultaneous open completes it; otherwise a SYN in a
    // synchronized state gets a challenge ACK (RFC 5961 §4).
    if (f.syn && f.ack && this._state === 'SYN_RECEIVED' && seg.seq === this.irs) {
      if (seqGt(seg.ack, this.sndUna) && seqLe(seg.ack, this.sndNxt)) {
        this.sndUna = seg.ack;
        this.establish();
        this.sendAck();
      }
      return;
    }
    if (f.syn) {
      this.sendAck();
      return;
    }

    // 4. ACK.
    if (!f.ack) return;
    if (this._state === 'SYN_RECEIVED') {
      if (!(seqGt(seg.ack, this.sndUna) && seqLe(seg.ack, this.sndNxt))) {
        this.emitRaw({ seq: seg.ack, ack: 0, flags: { rst: true }, window: 0, payload: EMPTY });
        return;
      }
      this.sndUna = seg.ack;
      this.sndWnd = seg.window * 2 ** this.sndScale;
      this.sndWl1 = seg.seq;
      this.sndWl2 = seg.ack;
      if (this.retries === 0) this.sampleRtt(this.env.now() - this.synSentAt);
      this.establish();
    } else if (!this.processAck(seg)) {
      return;
    }
    if (this.finQueued && seqGt(this.sndUna, this.dataEnd)) {
      // Our FIN is acknowledged.
      if (this._state === 'FIN_WAIT_1') {
        this.setState('FIN_WAIT_2');
        if (this.appClosed) this.waitTimer.set(this.env.now() + TCP_TIMING.finWait2);
      } else if (this._state === 'CLOSING') {
        this.enterTimeWait();
      } else if (this._state === 'LAST_ACK') {
        this.toClosed();
        return;
      }
    }

    // 5. Data and FIN.
    if (seg.payload.length > 0 || f.fin) {
      this.processText(seg);
      if (this._state === 'CLOSED') return;
    }

    this.output();
    if (this.ackNow && SYNCHRONIZED.has(this._state)) this.sendAck();
  }

  /** ACK processing in synchronized states; false when the segment must be dropped. */
  private processAck(seg: TcpSegment): boolean {
    const ack = seg.ack;
    if (seqGt(ack, this.sndMax)) {
      // Acknowledges something never sent.
      this.sendAck();
      return false;
    }
    const window = seg.window * 2 ** this.sndScale;
    this.probesUnanswered = 0;
    if (seqGt(ack, this.sndUna)) {
      this.onNewAck(ack);
    } else if (
      ack === this.sndUna &&
      seg.payload.length === 0 &&
      !seg.flags.fin &&
      window === this.sndWnd &&
      seqGt(this.sndMax, this.sndUna)
    ) {
      this.onDupAck();
    }
    // Window update (RFC 9293 §3.10.7.4).
    if (seqLt(this.sndWl1, seg.seq) || (this.sndWl1 === seg.seq && seqLe(this.sndWl2, ack))) {
      this.sndWnd = window;
      this.sndWl1 = seg.seq;
      this.sndWl2 = ack;
      if (window > 0 && this.persistTimer.armed) {
        this.persistTimer.cancel();
        this.persistProbes = 0;
      }
    }
    return true;
  }

  private onNewAck(ack: number): void {
    const now = this.env.now();
    const acked = seqDiff(ack, this.sndUna);
    const dataAcked = Math.min(acked, this.sendQueue.length);
    this.sendQueue.drop(dataAcked);
    this.sendSeq = seqAdd(this.sendSeq, dataAcked);
    this.stats.bytesAcked += dataAcked;
    this.sndUna = ack;
    if (seqLt(this.sndNxt, this.sndUna)) this.sndNxt = this.sndUna;

    let rtt: SimTime | null = null;
    if (this.rttSeq !== null && seqGe(ack, this.rttSeq)) {
      rtt = now - this.rttStart;
      this.rttSeq = null;
      this.sampleRtt(rtt);
    }
    this.retries = 0;
    this.backoff = 0;

    if (this.inRecovery) {
      if (seqGe(ack, this.recover)) {
        // Full acknowledgment: leave fast recovery with cwnd = ssthresh (deflated).
        this.inRecovery = false;
        this.inflation = 0;
        this.dupAcks = 0;
      } else {
        // Partial acknowledgment (RFC 6582 §3.2 step 5): retransmit the next hole, deflate.
        this.retransmitFirst();
        this.inflation = Math.max(0, this.inflation - acked + (acked >= this.sendMss ? this.sendMss : 0));
      }
    } else {
      this.dupAcks = 0;
      this.cc.onAck(acked, rtt, now);
      this.expandSendBuffer();
    }

    if (this.sndUna === this.sndMax) this.rtoTimer.cancel();
    else this.armRto();
  }

  private onDupAck(): void {
    this.dupAcks++;
    if (this.inRecovery) {
      this.inflation += this.sendMss;
      return;
    }
    if (this.dupAcks === 3 && seqGe(this.sndUna, this.recover)) {
      this.inRecovery = true;
      this.recover = this.sndMax;
      this.cc.onFastRetransmit(this.env.now());
      this.inflation = 3 * this.sendMss;
      this.rttSeq = null;
      this.stats.fastRetransmits++;
      this.retransmitFirst();
    }
  }

  private onReset(): void {
    switch (this._state) {
      case 'SYN_RECEIVED':
        if (this.passive) this.toClosed();
        else this.fail('ECONNREFUSED');
        break;
      case 'ESTABLISHED':
      case 'FIN_WAIT_1':
      case 'FIN_WAIT_2':
      case 'CLOSE_WAIT':
        this.fail('ECONNRESET');
        break;
      default:
        this.toClosed();
    }
  }

  /** Data and FIN of an acceptable segment (RFC 9293 §3.10.7.4, seventh and eighth steps). */
  private processText(seg: TcpSegment): void {
    let start = seg.seq;
    let data = seg.payload;
    let fin = !!seg.flags.fin;
    const finSeq = seqAdd(seg.seq, seg.payload.length);
    // Trim what we already have.
    if (seqLt(start, this.rcvNxt)) {
      const cut = Math.min(seqDiff(this.rcvNxt, start), data.length);
      data = data.subarray(cut);
      start = seqAdd(start, cut);
    }
    if (fin && seqLt(finSeq, this.rcvNxt)) fin = false;
    // Trim to the window we advertised.
    const room = Math.max(0, seqDiff(this.rcvAdvEdge, start));
    let trimmed = false;
    if (data.length > room) {
      data = data.subarray(0, room);
      fin = false;
      trimmed = true;
    }
    if (!RECEIVING.has(this._state)) {
      // The peer already sent its FIN: anything more is a retransmission; just ACK.
      this.ackNow = true;
      return;
    }
    if (data.length === 0 && !fin) {
      // Old duplicate or beyond a zero window: tell the sender where we are.
      this.ackNow = true;
      return;
    }
    if (this.appClosed && data.length > 0) {
      // Nobody will read it (Linux: tcp_rcv_state_process resets an orphan receiving data).
      this.abort();
      return;
    }
    if (fin) this.peerFinSeq = finSeq;
    if (start === this.rcvNxt) {
      const filledGap = this.ooo.length > 0;
      this.recvQueue.push(data);
      this.rcvNxt = seqAdd(this.rcvNxt, data.length);
      this.ackPendingBytes += data.length;
      this.drainOutOfOrder();
      if (this.peerFinSeq !== null && this.peerFinSeq === this.rcvNxt) {
        this.consumeFin();
      } else if (filledGap || trimmed || this.ackPendingBytes > this.rcvMss) {
        this.ackNow = true;
      } else {
        this.ackPending = true;
        if (!this.delAckTimer.armed) this.delAckTimer.set(this.env.now() + TCP_TIMING.delayedAck);
      }
    } else {
      // Out of order: keep it, and send a duplicate ACK at once (RFC 5681 §4.2).
      if (data.length > 0) this.storeOutOfOrder(start, data);
      this.ackNow = true;
    }
  }

  private storeOutOfOrder(seq: number, data: Uint8Array): void {
    // Insert only the bytes no chunk already holds, keeping the list sorted and disjoint.
    let pieces: Chunk[] = [{ seq, data }];
    for (const chunk of this.ooo) {
      const cStart = chunk.seq;
      const cEnd = seqAdd(chunk.seq, chunk.data.length);
      const next: Chunk[] = [];
      for (const p of pieces) {
        const pEnd = seqAdd(p.seq, p.data.length);
        if (seqLe(pEnd, cStart) || seqGe(p.seq, cEnd)) {
          next.push(p);
          continue;
        }
        if (seqLt(p.seq, cStart)) next.push({ seq: p.seq, data: p.data.subarray(0, seqDiff(cStart, p.seq)) });
        if (seqGt(pEnd, cEnd)) next.push({ seq: cEnd, data: p.data.subarray(seqDiff(cEnd, p.seq)) });
      }
      pieces = next;
      if (pieces.length === 0) return;
    }
    for (const p of pieces) {
      this.ooo.push({ seq: p.seq, data: p.data });
      this.oooBytes += p.data.length;
    }
    this.ooo.sort((a, b) => seqDiff(a.seq, b.seq));
  }

  private drainOutOfOrder(): void {
    while (this.ooo.length > 0) {
      const chunk = this.ooo[0]!;
      if (seqGt(chunk.seq, this.rcvNxt)) break;
      this.ooo.shift();
      this.oooBytes -= chunk.data.length;
      const end = seqAdd(chunk.seq, chunk.data.length);
      if (seqGt(end, this.rcvNxt)) {
        const fresh = chunk.data.subarray(seqDiff(this.rcvNxt, chunk.seq));
        this.recvQueue.push(fresh);
        this.rcvNxt = end;
        this.ackPendingBytes += fresh.length;
      }
    }
  }

  private consumeFin(): void {
    this.rcvNxt = seqAdd(this.rcvNxt, 1);
    this.peerFinSeq = null;
    this.rcvShut = true;
    this.ooo = [];
    this.oooBytes = 0;
    this.ackNow = true;
    switch (this._state) {
      case 'ESTABLISHED':
        this.setState('CLOSE_WAIT');
        break;
      case 'FIN_WAIT_1':
        // Our FIN not acknowledged yet (otherwise we would be in FIN_WAIT_2): simultaneous close.
        this.setState('CLOSING');
        break;
      case 'FIN_WAIT_2':
        this.enterTimeWait();
        break;
      default:
        break;
    }
  }

  // ---------------------------------------------------------------- sending

  /** Sends what the windows, Nagle and the FIN allow. */
  private output(): void {
    if (!SENDING.has(this._state)) return;
    for (;;) {
      const dataEnd = this.dataEnd;
      const unsent = seqDiff(dataEnd, this.sndNxt);
      if (unsent <= 0) {
        if (this.finQueued && unsent === 0) {
          this.transmit(this.sndNxt, 0, true);
          this.advance(1);
        }
        return;
      }
      const inFlight = seqDiff(this.sndNxt, this.sndUna);
      const window = Math.min(this.cc.cwnd + this.inflation, this.sndWnd);
      const len = Math.min(unsent, this.sendMss, window - inFlight);
      if (len <= 0) {
        // Window-limited. With nothing in flight, only the persist timer can reopen it.
        if (this.sndWnd <= inFlight && !this.rtoTimer.armed && !this.persistTimer.armed) this.armPersist();
        return;
      }
      if (len < this.sendMss && inFlight > 0) {
        // Sender SWS avoidance (a window-limited runt) and Nagle (a data-limited runt).
        if (len < unsent) return;
        if (!this.options.noDelay && !this.finQueued) return;
      }
      const fin = this.finQueued && len === unsent;
      const fresh = seqGe(this.sndNxt, this.sndMax);
      this.transmit(this.sndNxt, len, fin);
      if (fresh && this.rttSeq === null) {
        this.rttSeq = seqAdd(this.sndNxt, len);
        this.rttStart = this.env.now();
      }
      this.advance(len + (fin ? 1 : 0));
    }
  }

  private advance(n: number): void {
    if (seqLt(this.sndNxt, this.sndMax)) this.stats.retransmits++;
    this.sndNxt = seqAdd(this.sndNxt, n);
    if (seqGt(this.sndNxt, this.sndMax)) this.sndMax = this.sndNxt;
    if (!this.rtoTimer.armed) this.armRto();
  }

  /** Retransmits the segment at snd_una (fast retransmit, partial ACK). */
  private retransmitFirst(): void {
    const unackedData = Math.max(0, seqDiff(this.dataEnd, this.sndUna));
    const len = Math.min(unackedData, this.sendMss);
    const fin = this.finQueued && len === unackedData && seqGt(this.sndMax, this.dataEnd);
    if (len === 0 && !fin) return;
    this.transmit(this.sndUna, len, fin);
    this.stats.retransmits++;
    const end = seqAdd(this.sndUna, len + (fin ? 1 : 0));
    if (seqLt(this.sndNxt, end)) this.sndNxt = end;
    this.armRto();
  }

  /** Emits `len` queued bytes starting at `seq` (plus FIN). */
  private transmit(seq: number, len: number, fin: boolean): void {
    const payload = len > 0 ? this.sendQueue.peek(seqDiff(seq, this.sendSeq), len) : EMPTY;
    const push = len > 0 && seqAdd(seq, len) === this.dataEnd;
    const flags: TcpFlags = { ack: true, ...(push ? { psh: true } : {}), ...(fin ? { fin: true } : {}) };
    if (len > 0) this.stats.segmentsSent++;
    this.emit(seq, flags, payload);
  }

  /**
   * A pure ACK carries the highest sequence number sent (BSD's snd_max; Linux never moves snd_nxt
   * back). After a timeout rewinds sndNxt, an ACK numbered from it would sit below the peer's
   * rcv.nxt; if both sides are rewound, each drops the other's ACKs as old and they ping-pong.
   */
  private sendAck(): void {
    this.emit(this.sndMax, { ack: true }, EMPTY);
  }

  /** SYN (active open) or SYN-ACK, with the MSS and window scale options. */
  private sendSyn(withAck: boolean): void {
    // Unscaled in a SYN; a multiple of our scale unit so that later (scaled) ACKs repeat it exactly.
    const unit = 2 ** this.rcvScale;
    const window = Math.floor(Math.min(windowOfSpace(this.rcvBuf), 0xffff) / unit) * unit;
    if (withAck) this.rcvAdvEdge = seqAdd(this.rcvNxt, window);
    this.emitRaw({
      seq: this.iss,
      ack: withAck ? this.rcvNxt : 0,
      flags: withAck ? { syn: true, ack: true } : { syn: true },
      window,
      mss: this.options.mss,
      ...(this.windowScaling ? { windowScale: this.rcvScale } : {}),
      payload: EMPTY,
    });
    if (withAck) {
      this.lastAckSent = this.rcvNxt;
      this.clearAckState();
    }
  }

  /** Emits a segment with ACK bookkeeping and our current window. */
  private emit(seq: number, flags: TcpFlags, payload: Uint8Array): void {
    let window = 0;
    if (!flags.rst) {
      const bytes = this.selectWindow();
      window = Math.min(0xffff, Math.ceil(bytes / 2 ** this.rcvScale));
      this.rcvAdvEdge = seqAdd(this.rcvNxt, window * 2 ** this.rcvScale);
    }
    this.emitRaw({ seq, ack: flags.ack ? this.rcvNxt : 0, flags, window, payload });
    if (flags.ack) {
      this.lastAckSent = this.rcvNxt;
      this.clearAckState();
    }
  }

  private emitRaw(fields: Omit<TcpSegment, 'srcPort' | 'dstPort'>): void {
    this.env.emit({ srcPort: this.options.localPort, dstPort: this.options.remotePort, ...fields });
  }

  private clearAckState(): void {
    this.ackPending = false;
    this.ackNow = false;
    this.ackPendingBytes = 0;
    this.delAckTimer.cancel();
  }

  /**
   * The receive window to advertise, in bytes: the free receive buffer, never moving the right
   * edge left, and growing only by at least min(buffer/2, MSS) (receiver SWS avoidance, RFC 1122
   * §4.2.3.3).
   */
  private selectWindow(): number {
    const current = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
    const unit = 2 ** this.rcvScale;
    const free = Math.max(0, windowOfSpace(this.rcvBuf) - this.recvQueue.length - this.oooBytes);
    const wanted = Math.floor(Math.min(free, 0xffff * unit) / unit) * unit;
    if (wanted <= current) return current;
    // While there is a hole and rcv_nxt has not moved, repeat the window: duplicate ACKs must
    // stay duplicates (a window update is not one).
    if (this.ooo.length > 0 && current > 0 && this.rcvNxt === this.lastAckSent) return current;
    if (wanted - current < Math.min(Math.floor(windowOfSpace(this.rcvBuf) / 2), this.rcvMss)) return current;
    return wanted;
  }

  /** After a read: ACK at once if the window opens significantly (Linux tcp_cleanup_rbuf). */
  private maybeWindowUpdate(): void {
    if (!RECEIVING.has(this._state) || this.rcvShut) return;
    const current = Math.max(0, seqDiff(this.rcvAdvEdge, this.rcvNxt));
    if (2 * current > windowOfSpace(this.rcvBuf)) return;
    const next = this.selectWindow();
    if (next > current && next >= 2 * current) this.sendAck();
  }

  /**
   * tcp_sndbuf_expand(): room for two congestion windows (at least the initial ten segments) of
   * buffers as the kernel sizes them per segment, up to tcp_wmem[2]. Called when the connection
   * is established and when an acknowledgment may have grown the window.
   */
  private expandSendBuffer(): void {
    if (this.sndBufMax === null || this.inRecovery) return;
    const segments = Math.max(INITIAL_WINDOW_SEGMENTS, Math.ceil(this.cc.cwnd / this.sendMss));
    const wanted = Math.min(2 * segments * bufferPerSegment(this.sendMss), this.sndBufMax);
    if (wanted > this.sndBuf) this.sndBuf = wanted;
  }

  /**
   * tcp_rcv_space_adjust(): once a round trip has passed since the last measure, if the
   * application read more than in the round trip before, grow the receive buffer to hold twice
   * that (plus its growth rate) as advertised window, up to tcp_rmem[2].
   */
  private adjustReceiveBuffer(copied: number): void {
    this.rcvCopied += copied;
    const rtt = this.srtt;
    if (this.rcvBufMax === null || rtt === null || this.rcvSpace === 0) return;
    const now = this.env.now();
    if (now - this.rcvSpaceTime < rtt) return;
    const read = this.rcvCopied;
    if (read > this.rcvSpace) {
      let window = 2 * read + 16 * this.rcvMss;
      window += 2 * Math.floor((window * (read - this.rcvSpace)) / this.rcvSpace);
      const size = Math.min(spaceOfWindow(window), this.rcvBufMax);
      if (size > this.rcvBuf) this.rcvBuf = size;
      this.rcvSpace = read;
    }
    this.rcvCopied = 0;
    this.rcvSpaceTime = now;
  }

  // ---------------------------------------------------------------- timers

  private currentRto(): SimTime {
    let rto = this.rto;
    for (let i = 0; i < this.backoff && rto < TCP_TIMING.maxRto; i++) rto *= 2n;
    return rto > TCP_TIMING.maxRto ? TCP_TIMING.maxRto : rto;
  }

  private armRto(): void {
    this.rtoTimer.set(this.env.now() + this.currentRto());
  }

  /** RFC 6298 §2: SRTT/RTTVAR, RTO = SRTT + 4 RTTVAR within [200 ms, 120 s]. */
  private sampleRtt(r: SimTime): void {
    if (r < 0n) return;
    if (this.srtt === null) {
      this.srtt = r;
      this.rttvar = r / 2n;
    } else {
      const delta = this.srtt > r ? this.srtt - r : r - this.srtt;
      this.rttvar = (3n * this.rttvar + delta) / 4n;
      this.srtt = (7n * this.srtt + r) / 8n;
    }
    let rto = this.srtt + 4n * this.rttvar;
    if (rto < TCP_TIMING.minRto) rto = TCP_TIMING.minRto;
    if (rto > TCP_TIMING.maxRto) rto = TCP_TIMING.maxRto;
    this.rto = rto;
  }

  private onRto(): void {
    const state = this._state;
    if (state === 'SYN_SENT' || state === 'SYN_RECEIVED') {
      const limit = state === 'SYN_SENT' ? TCP_TIMING.synRetries : TCP_TIMING.synAckRetries;
      if (this.retries >= limit) {
        if (this.passive) {
          this._error = 'ETIMEDOUT';
          this.toClosed();
        } else {
          this.fail('ETIMEDOUT');
        }
        return;
      }
      this.retries++;
      this.backoff++;
      this.stats.retransmits++;
      this.stats.timeouts++;
      this.sendSyn(state === 'SYN_RECEIVED');
      this.armRto();
      return;
    }
    if (!SENDING.has(state) || this.sndUna === this.sndMax) return;
    if (this.retries >= TCP_TIMING.dataRetries) {
      this.fail('ETIMEDOUT');
      return;
    }
    this.retries++;
    this.stats.timeouts++;
    // RFC 5681 §3.1: ssthresh is reduced once per loss, not on every backed-off expiry.
    if (this.retries === 1) this.cc.onTimeout(this.env.now());
    this.backoff++;
    this.inRecovery = false;
    this.inflation = 0;
    this.dupAcks = 0;
    this.recover = this.sndMax;
    this.rttSeq = null;
    // Go back N: resend from snd_una as the (one-segment) window allows.
    this.sndNxt = this.sndUna;
    this.output();
    if (!this.rtoTimer.armed && !this.persistTimer.armed) this.armRto();
  }

  private armPersist(): void {
    let interval = this.rto;
    for (let i = 0; i < this.persistProbes && interval < TCP_TIMING.maxRto; i++) interval *= 2n;
    if (interval > TCP_TIMING.maxRto) interval = TCP_TIMING.maxRto;
    this.persistTimer.set(this.env.now() + interval);
  }

  /** Zero-window probe: an ACK with an old sequence number makes the peer answer with its window. */
  private onPersist(): void {
    if (!SENDING.has(this._state)) return;
    const inFlight = seqDiff(this.sndNxt, this.sndUna);
    if (this.sndWnd > inFlight || seqDiff(this.dataEnd, this.sndNxt) <= 0) {
      this.persistProbes = 0;
      this.output();
      return;
    }
    if (this.probesUnanswered >= TCP_TIMING.dataRetries) {
      // Linux: tcp_probe_timer gives up after tcp_retries2 unanswered probes.
      this.fail('ETIMEDOUT');
      return;
    }
    this.emit(seqAdd(this.sndUna, -1), { ack: true }, EMPTY);
    this.persistProbes++;
    this.probesUnanswered++;
    this.armPersist();
  }

  /**
   * tcp_keepalive_timer(): after `idle` without a segment from the peer, a probe (an ACK of an old
   * sequence number, which the peer answers) every `interval`; `probes` unanswered end the
   * connection with a RST and ETIMEDOUT. While data is in flight or waiting to go the
   * retransmission and persist timers watch the peer instead.
   */
  private onKeepalive(): void {
    const keepalive = this.keepalive;
    if (!keepalive || !KEEPALIVE.has(this._state)) return;
    const now = this.env.now();
    if (this.sndMax !== this.sndUna || seqDiff(this.dataEnd, this.sndNxt) > 0) {
      this.keepaliveTimer.set(now + keepalive.idle);
      return;
    }
    const quiet = now - this.lastReceived;
    if (quiet < keepalive.idle) {
      this.keepaliveTimer.set(now + keepalive.idle - quiet);
      return;
    }
    if (this.keepaliveProbes >= keepalive.probes) {
      this.emit(this.sndNxt, { rst: true, ack: true }, EMPTY);
      this.fail('ETIMEDOUT');
      return;
    }
    this.emit(seqAdd(this.sndUna, -1), { ack: true }, EMPTY);
    this.keepaliveProbes++;
    this.keepaliveTimer.set(now + keepalive.interval);
  }

  // ---------------------------------------------------------------- state changes

  private initSend(): void {
    this.iss = this.env.initialSequence() >>> 0;
    this.sndUna = this.iss;
    this.sndNxt = seqAdd(this.iss, 1);
    this.sndMax = this.sndNxt;
    this.sendSeq = this.sndNxt;
    this.recover = this.iss;
  }

  private acceptSyn(syn: TcpSegment): void {
    this.opened = true;
    this.passive = true;
    this.learnSyn(syn);
    this.initSend();
    this.sndWnd = syn.window;
    this.sndWl1 = syn.seq;
    this.sndWl2 = this.iss;
    this._state = 'SYN_RECEIVED';
    this.synSentAt = this.env.now();
    this.sendSyn(true);
    this.armRto();
  }

  /** Records the peer's ISN and SYN options. */
  private learnSyn(syn: TcpSegment): void {
    this.irs = syn.seq;
    this.rcvNxt = seqAdd(syn.seq, 1);
    this.rcvAdvEdge = this.rcvNxt;
    this.peerMss = syn.mss !== undefined && syn.mss > 0 ? syn.mss : DEFAULT_PEER_MSS;
    if (syn.windowScale !== undefined) {
      this.sndScale = Math.min(syn.windowScale, MAX_WINDOW_SCALE);
    } else {
      // RFC 7323 §2.2: scaling only if both sides offer it.
      this.sndScale = 0;
      this.rcvScale = 0;
      this.windowScaling = false;
    }
  }

  private establish(): void {
    this.retries = 0;
    this.backoff = 0;
    this.rtoTimer.cancel();
    this.cc = this.options.congestion(this.sendMss);
    this.setState('ESTABLISHED');
    this.lastReceived = this.env.now();
    // tcp_init_buffer_space(): the send buffer for the initial window, the first measure of reads.
    this.expandSendBuffer();
    this.rcvSpace = Math.min(windowOfSpace(this.rcvBuf), INITIAL_WINDOW_SEGMENTS * this.rcvMss);
    this.rcvSpaceTime = this.lastReceived;
    if (this.keepalive) this.keepaliveTimer.set(this.lastReceived + this.keepalive.idle);
  }

  private enterTimeWait(): void {
    this.setState('TIME_WAIT');
    this.rtoTimer.cancel();
    this.persistTimer.cancel();
    this.waitTimer.set(this.env.now() + TCP_TIMING.timeWait);
  }

  private fail(error: TcpError): void {
    this._error = error;
    this.toClosed();
  }

  private toClosed(): void {
    this.setState('CLOSED');
    this.rcvShut = true;
    this.sendQueue.clear();
    this.ooo = [];
    this.oooBytes = 0;
    this.rtoTimer.cancel();
    this.delAckTimer.cancel();
    this.persistTimer.cancel();
    this.waitTimer.cancel();
    this.keepaliveTimer.cancel();
  }

  private setState(state: TcpState): void {
    this._state = state;
  }

  // ---------------------------------------------------------------- helpers

  private get dataEnd(): number {
    return seqAdd(this.sendSeq, this.sendQueue.length);
  }

  private get sendMss(): number {
    return Math.min(this.options.mss, this.peerMss);
  }

  /** Our estimate of the segment size the peer sends us (for delayed ACKs). */
  private get rcvMss(): number {
    return Math.min(this.options.mss, this.peerMss);
  }

  private canWrite(): boolean {
    return (this._state === 'ESTABLISHED' || this._state === 'CLOSE_WAIT') && !this.finQueued;
  }

  private snapshot(): Snapshot {
    return {
      state: this._state,
      error: this._error,
      bytes: this.recvQueue.length,
      eof: this.rcvShut,
      writable: this.writable(),
    };
  }

  /** Runs an entry point; calls env.changed() once afterwards if anything observable changed. */
  private run<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    const before = this.snapshot();
    this.depth++;
    let result: T;
    try {
      result = fn();
    } finally {
      this.depth--;
    }
    const after = this.snapshot();
    if (
      before.state !== after.state ||
      before.error !== after.error ||
      before.bytes !== after.bytes ||
      before.eof !== after.eof ||
      before.writable !== after.writable
    ) {
      this.env.changed();
    }
    return result;
  }
}
