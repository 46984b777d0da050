import type { SimTime } from '@shadow-ts/plugin-sdk';
import type { CongestionControl, CongestionFactory } from './types.js';

/**
 * Congestion control algorithms (byte-counting, deterministic: no randomness, no real time).
 * The connection reports acknowledged bytes, three-duplicate-ACK losses and retransmission
 * timeouts; the window inflation of NewReno fast recovery (RFC 6582) is the connection's
 * business, so `cwnd` here is the window outside recovery.
 */

/** Initial window: 10 segments (RFC 6928, Linux TCP_INIT_CWND). */
export const INITIAL_WINDOW_SEGMENTS = 10;
/** "Infinite" initial slow-start threshold (Linux TCP_INFINITE_SSTHRESH). */
export const INFINITE_SSTHRESH = 0x7fffffff;

const NS_PER_SEC = 1_000_000_000;

/**
 * Reno (RFC 5681): slow start (cwnd += acked, up to ssthresh), congestion avoidance
 * (+1 MSS per window of acknowledged bytes, i.e. per RTT), halving on a fast retransmit, one
 * segment after a timeout.
 */
export const reno: CongestionFactory = (mss: number): CongestionControl => {
  let cwnd = INITIAL_WINDOW_SEGMENTS * mss;
  let ssthresh = INFINITE_SSTHRESH;
  /** Bytes acknowledged in congestion avoidance since the last increase. */
  let counted = 0;
  const reduce = () => Math.max(Math.floor(cwnd / 2), 2 * mss);
  return {
    name: 'reno',
    get cwnd() {
      return cwnd;
    },
    get ssthresh() {
      return ssthresh;
    },
    onAck(acked: number): void {
      if (acked <= 0) return;
      if (cwnd < ssthresh) {
        const grow = Math.min(acked, ssthresh - cwnd);
        cwnd += grow;
        acked -= grow;
        if (acked === 0) return;
      }
      counted += acked;
      while (counted >= cwnd) {
        counted -= cwnd;
        cwnd += mss;
      }
    },
    onFastRetransmit(): void {
      ssthresh = reduce();
      cwnd = ssthresh;
      counted = 0;
    },
    onTimeout(): void {
      ssthresh = reduce();
      cwnd = mss;
      counted = 0;
    },
  };
};

/** CUBIC constants (RFC 9438 §5). */
export const CUBIC_C = 0.4;
export const CUBIC_BETA = 0.7;

/**
 * CUBIC (RFC 9438): W_cubic(t) = C (t - K)^3 + W_max with C = 0.4, multiplicative decrease
 * beta = 0.7, fast convergence, and the Reno-friendly region (W_est with
 * alpha = 3 (1 - beta) / (1 + beta), becoming 1 once W_est reaches the window before the last
 * reduction). Windows are kept in segments (floating point) and reported in whole bytes.
 * Slow start is the standard one; there is no HyStart.
 */
export const cubic: CongestionFactory = (mss: number): CongestionControl => {
  const alphaReno = (3 * (1 - CUBIC_BETA)) / (1 + CUBIC_BETA);
  /** Windows in segments. */
  let cwnd = INITIAL_WINDOW_SEGMENTS;
  let ssthresh = INFINITE_SSTHRESH / mss;
  let wMax = 0;
  let cwndPrior = 0;
  let k = 0;
  let wEst = 0;
  let epochStart: SimTime | null = null;
  let minRtt: SimTime | null = null;

  const congestionEvent = () => {
    epochStart = null;
    cwndPrior = cwnd;
    // Fast convergence (RFC 9438 §4.7): release bandwidth when the window keeps shrinking.
    wMax = cwnd < wMax ? (cwnd * (1 + CUBIC_BETA)) / 2 : cwnd;
    ssthresh = Math.max(cwnd * CUBIC_BETA, 2);
  };

  return {
    name: 'cubic',
    get cwnd() {
      return Math.floor(cwnd * mss);
    },
    get ssthresh() {
      return Math.min(INFINITE_SSTHRESH, Math.floor(ssthresh * mss));
    },
    onAck(ackedBytes: number, rtt: SimTime | null, now: SimTime): void {
      if (rtt !== null && (minRtt === null || rtt < minRtt)) minRtt = rtt;
      if (ackedBytes <= 0) return;
      let acked = ackedBytes / mss;
      if (cwnd < ssthresh) {
        const grow = Math.min(acked, ssthresh - cwnd);
        cwnd += grow;
        acked -= grow;
        if (acked <= 0) return;
      }
      if (epochStart === null) {
        epochStart = now;
        if (cwnd < wMax) {
          k = Math.cbrt((wMax - cwnd) / CUBIC_C);
        } else {
          k = 0;
          wMax = cwnd;
        }
        wEst = cwnd;
      }
      const t = Number(now - epochStart) / NS_PER_SEC;
      const rttSec = minRtt === null ? 0 : Number(minRtt) / NS_PER_SEC;
      const wCubic = (time: number) => CUBIC_C * (time - k) ** 3 + wMax;
      // Reno-friendly estimate (RFC 9438 §4.3).
      const alpha = wEst >= cwndPrior ? 1 : alphaReno;
      wEst += (alpha * acked) / cwnd;
      if (wCubic(t) < wEst) {
        cwnd = Math.max(cwnd, wEst);
        return;
      }
      // Concave and convex regions (§4.4, §4.5): aim for W_cubic(t + RTT), bounded to 1.5 cwnd.
      const target = Math.min(Math.max(wCubic(t + rttSec), cwnd), 1.5 * cwnd);
      cwnd += ((target - cwnd) / cwnd) * acked;
    },
    onFastRetransmit(): void {
      congestionEvent();
      cwnd = ssthresh;
    },
    onTimeout(): void {
      congestionEvent();
      cwnd = 1;
    },
  };
};

/** The algorithms by name (net.ipv4.tcp_congestion_control / TCP_CONGESTION). */
export const CONGESTION: Record<string, CongestionFactory> = { reno, cubic };
