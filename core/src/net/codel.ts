import type { SimTime } from '@shadow-ts/plugin-sdk';

const MS = 1_000_000n;
/** Shadow's router queue parameters (network/router/codel_queue.rs): target 10 ms, interval 100 ms. */
const TARGET = 10n * MS;
const INTERVAL = 100n * MS;
/** A queue holding at most one MTU is never dropped from (RFC 8289 §5.4). */
const MTU = 1500;

/** Integer square root of a bigint (Newton), for the control law. */
function isqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = n;
  let y = (x + 1n) / 2n;
  while (y < x) {
    x = y;
    y = (x + n / x) / 2n;
  }
  return x;
}

/**
 * CoDel (RFC 8289), the active queue management of Shadow's router in front of each host: it
 * drops packets that leave the queue after waiting more than the target delay for a whole
 * interval, at a rate that grows with the square root of the drop count. Decisions are made at
 * dequeue, from the packet's sojourn time and the backlog behind it.
 */
export class CoDel {
  private firstAboveTime: SimTime = 0n;
  private dropping = false;
  private dropNext: SimTime = 0n;
  private count = 0n;
  private lastCount = 0n;

  /** True when the packet leaving the queue at `now` after waiting `sojourn` must be dropped. */
  shouldDrop(now: SimTime, sojourn: SimTime, backlogBytes: number): boolean {
    const okToDrop = this.okToDrop(now, sojourn, backlogBytes);
    if (this.dropping) {
      if (!okToDrop) {
        this.dropping = false;
        return false;
      }
      if (now < this.dropNext) return false;
      this.count++;
      this.dropNext = this.controlLaw(this.dropNext);
      return true;
    }
    if (!okToDrop) return false;
    this.dropping = true;
    // Resume near the previous drop rate when the last dropping state was recent.
    const delta = this.count - this.lastCount;
    this.count = delta > 1n && now - this.dropNext < 16n * INTERVAL ? delta : 1n;
    this.lastCount = this.count;
    this.dropNext = this.controlLaw(now);
    return true;
  }

  private okToDrop(now: SimTime, sojourn: SimTime, backlogBytes: number): boolean {
    if (sojourn < TARGET || backlogBytes <= MTU) {
      this.firstAboveTime = 0n;
      return false;
    }
    if (this.firstAboveTime === 0n) {
      this.firstAboveTime = now + INTERVAL;
      return false;
    }
    return now >= this.firstAboveTime;
  }

  /** t + interval / sqrt(count), the square root taken to six decimal places. */
  private controlLaw(t: SimTime): SimTime {
    return t + (INTERVAL * 1_000_000n) / isqrt(this.count * 1_000_000_000_000n);
  }
}
