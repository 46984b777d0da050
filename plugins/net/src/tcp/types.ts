import type { SimTime } from '@shadow-ts/plugin-sdk';

/**
 * The contract between the TCP state machine (tcp/*.ts, sans-I/O: no sockets, no syscalls, no
 * real time) and the socket layer that drives it (inet/*.ts).
 */

/** A TCP segment as the state machine sees it (ports, not addresses: the socket layer adds IP). */
export interface TcpSegment {
  readonly srcPort: number;
  readonly dstPort: number;
  /** Sequence and acknowledgment numbers, 32-bit unsigned (wrapping arithmetic). */
  readonly seq: number;
  readonly ack: number;
  readonly flags: TcpFlags;
  /** Advertised receive window, already shifted right by the sender's window scale. */
  readonly window: number;
  /** Options, present only on the segments that carry them (SYN, SYN-ACK). */
  readonly mss?: number;
  readonly windowScale?: number;
  readonly payload: Uint8Array;
}

export interface TcpFlags {
  readonly syn?: boolean;
  readonly ack?: boolean;
  readonly fin?: boolean;
  readonly rst?: boolean;
  readonly psh?: boolean;
}

/** RFC 793 states. */
export type TcpState =
  | 'CLOSED'
  | 'LISTEN'
  | 'SYN_SENT'
  | 'SYN_RECEIVED'
  | 'ESTABLISHED'
  | 'FIN_WAIT_1'
  | 'FIN_WAIT_2'
  | 'CLOSE_WAIT'
  | 'CLOSING'
  | 'LAST_ACK'
  | 'TIME_WAIT';

/** Why a connection failed, as the errno the socket layer reports. */
export type TcpError = 'ECONNREFUSED' | 'ECONNRESET' | 'ETIMEDOUT' | 'EPIPE';

/** What the state machine needs from its environment: the simulated clock and a way out. */
export interface TcpEnvironment {
  now(): SimTime;
  /** Runs `callback` at simulated time `at`; returns a cancel function. */
  schedule(at: SimTime, callback: () => void): () => void;
  /** Sends a segment to the peer (the socket layer wraps it in an IP packet). */
  emit(segment: TcpSegment): void;
  /** Something the application may wait for changed: readable, writable, connected, closed, error. */
  changed(): void;
  /** A 32-bit initial sequence number (from the host's seeded stream: deterministic). */
  initialSequence(): number;
}

/** A congestion control algorithm, chosen by name per connection. Values are in bytes. */
export interface CongestionControl {
  readonly name: string;
  /** Congestion window now. */
  readonly cwnd: number;
  /** Slow-start threshold now. */
  readonly ssthresh: number;
  /** New data was acknowledged (`acked` bytes), with an RTT sample when one was taken. */
  onAck(acked: number, rtt: SimTime | null, now: SimTime): void;
  /** Three duplicate ACKs (fast retransmit / recovery). */
  onFastRetransmit(now: SimTime): void;
  /** The retransmission timer expired. */
  onTimeout(now: SimTime): void;
}

/** Creates a congestion control instance for a connection with this MSS. */
export type CongestionFactory = (mss: number) => CongestionControl;

/** SO_SNDBUF and SO_RCVBUF, in bytes. */
export interface BufferSizes {
  readonly send: number;
  readonly receive: number;
}

/** Options of one connection. */
export interface TcpOptions {
  readonly localPort: number;
  readonly remotePort: number;
  /** Maximum segment size we announce and accept (1460 for IPv4 on a 1500-byte MTU, 1440 for IPv6). */
  readonly mss: number;
  /** Send and receive buffer sizes in bytes (SO_SNDBUF / SO_RCVBUF) at the start. */
  readonly sendBuffer: number;
  readonly receiveBuffer: number;
  /**
   * Autotuning: what each buffer may grow to (net.ipv4.tcp_wmem[2] / tcp_rmem[2]), or null when
   * SO_SNDBUF / SO_RCVBUF fixed its size.
   */
  readonly sendBufferMax: number | null;
  readonly receiveBufferMax: number | null;
  readonly congestion: CongestionFactory;
  /** TCP_NODELAY: no Nagle. */
  readonly noDelay: boolean;
}

/** SO_KEEPALIVE with TCP_KEEPIDLE / TCP_KEEPINTVL / TCP_KEEPCNT, the times in ns. */
export interface Keepalive {
  readonly idle: SimTime;
  readonly interval: SimTime;
  readonly probes: number;
}

/**
 * One TCP connection. The socket layer calls the application methods from syscalls and
 * `receive` for every segment addressed to it; the connection calls `env.emit` and
 * `env.changed` and sets its own timers (RTO, delayed ACK, TIME_WAIT) through `env.schedule`.
 */
export interface TcpConnectionApi {
  readonly state: TcpState;
  /** The pending error, if any (reported once through SO_ERROR / the next call). */
  readonly error: TcpError | null;
  /** Returns the pending error and clears it (SO_ERROR, or a failing call reporting it). */
  takeError(): TcpError | null;
  /** Counters and estimates for TCP_INFO, logs and tests. */
  info(): TcpInfo;
  /** SO_SNDBUF and SO_RCVBUF as they are now (autotuning grows them). */
  bufferSizes(): BufferSizes;
  /** setsockopt(SO_SNDBUF / SO_RCVBUF) on the connection: the size is fixed from now on. */
  fixBufferSizes(sizes: Partial<BufferSizes>): void;
  /** Active open: sends SYN (state SYN_SENT). */
  connect(): void;
  /** Bytes that can be read now, and whether the peer has finished sending (FIN received). */
  readable(): { readonly bytes: number; readonly eof: boolean };
  /** Takes up to `max` bytes from the receive buffer (opening the window). */
  read(max: number, peek?: boolean): Uint8Array;
  /** Free space in the send buffer. */
  writable(): number;
  /** Queues up to writable() bytes, keeping `data` (the caller must not change it afterwards); returns how many were queued. */
  write(data: Uint8Array): number;
  /** shutdown(SHUT_WR): FIN after the queued data. */
  shutdownWrite(): void;
  /** close(): FIN (or RST if unread data remains, as Linux does). */
  close(): void;
  /** Aborts with RST (SO_LINGER 0, or close with unread data). */
  abort(): void;
  /** Handles a segment from the peer. */
  receive(segment: TcpSegment): void;
  /** SO_KEEPALIVE with its settings, or null: off. */
  setKeepalive(keepalive: Keepalive | null): void;
}

/** A snapshot of one connection's internals (a small TCP_INFO). Times in ns, sizes in bytes. */
export interface TcpInfo {
  readonly state: TcpState;
  /** Congestion control algorithm name, window and threshold. */
  readonly congestion: string;
  readonly cwnd: number;
  readonly ssthresh: number;
  /** Smoothed RTT and variance (null before the first sample), current RTO with backoff. */
  readonly srtt: SimTime | null;
  readonly rttvar: SimTime | null;
  readonly rto: SimTime;
  /** MSS we send with (min of ours and the peer's) and window scales (ours, the peer's). */
  readonly sendMss: number;
  readonly receiveWindowScale: number;
  readonly sendWindowScale: number;
  /** The peer's window (scaled, bytes). */
  readonly sendWindow: number;
  /** Sent and not yet acknowledged, and queued and not yet sent. */
  readonly unacked: number;
  readonly unsent: number;
  /** Segments retransmitted (RTO, fast retransmit, SYN/SYN-ACK), fast retransmits, RTO expiries. */
  readonly retransmits: number;
  readonly fastRetransmits: number;
  readonly timeouts: number;
  /** Data segments sent and received (with payload), and payload bytes acknowledged by the peer. */
  readonly segmentsSent: number;
  readonly segmentsReceived: number;
  readonly bytesAcked: number;
}
