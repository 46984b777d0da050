/**
 * 32-bit TCP sequence number arithmetic (RFC 9293 §3.4, RFC 1982 serial numbers). Sequence
 * numbers are plain numbers in [0, 2^32); comparisons are by signed 32-bit distance, so they
 * stay correct across the wrap as long as the two values are less than 2^31 apart.
 */

/** `a + n` modulo 2^32. `n` may be negative. */
export function seqAdd(a: number, n: number): number {
  return (a + n) >>> 0;
}

/** The signed distance `a - b` (in [-2^31, 2^31)). */
export function seqDiff(a: number, b: number): number {
  return (a - b) | 0;
}

export function seqLt(a: number, b: number): boolean {
  return seqDiff(a, b) < 0;
}

export function seqLe(a: number, b: number): boolean {
  return seqDiff(a, b) <= 0;
}

export function seqGt(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

export function seqGe(a: number, b: number): boolean {
  return seqDiff(a, b) >= 0;
}

export function seqMax(a: number, b: number): number {
  return seqGe(a, b) ? a : b;
}

export function seqMin(a: number, b: number): number {
  return seqLe(a, b) ? a : b;
}

/** Whether `lo <= s < hi` in sequence space. */
export function seqInRange(s: number, lo: number, hi: number): boolean {
  return seqGe(s, lo) && seqLt(s, hi);
}
