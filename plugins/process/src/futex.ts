import type { ProcessView, Trigger } from '@shadow-ts/plugin-sdk';

/**
 * Futex wait queues. Threads of a host run one at a time and a thread parked in the kernel would
 * stall the simulation, so futexes are emulated: a waiter is a parked syscall subscribed to its
 * own Trigger, queued on (process, address) in arrival order.
 *
 * Futexes are keyed by process: threads share their process's memory. Futexes in memory shared
 * between processes (MAP_SHARED + fork) are not matched across processes.
 */
export class FutexWaiter implements Trigger {
  woken = false;
  private wake: (() => void) | null = null;

  constructor(
    readonly table: FutexTable,
    public key: string,
    readonly bitset: number,
  ) {}

  subscribe(wake: () => void): () => void {
    this.wake = wake;
    this.table.enqueue(this);
    // Removed from its queue when the wait ends for any reason: wake-up, timeout or signal.
    return () => {
      this.wake = null;
      this.table.remove(this);
    };
  }

  /** Marks the waiter woken and schedules its call to run again. */
  fire(): void {
    this.woken = true;
    this.wake?.();
  }
}

export class FutexTable {
  private readonly queues = new Map<string, FutexWaiter[]>();

  static key(process: ProcessView, addr: bigint): string {
    return `${process.pid}:${addr}`;
  }

  enqueue(waiter: FutexWaiter): void {
    const queue = this.queues.get(waiter.key);
    if (queue) queue.push(waiter);
    else this.queues.set(waiter.key, [waiter]);
  }

  remove(waiter: FutexWaiter): void {
    const queue = this.queues.get(waiter.key);
    if (!queue) return;
    const i = queue.indexOf(waiter);
    if (i >= 0) queue.splice(i, 1);
    if (queue.length === 0) this.queues.delete(waiter.key);
  }

  /** Wakes up to `count` waiters of `key` whose bitset meets `bitset`; returns how many. */
  wake(key: string, count: number, bitset = -1): number {
    const queue = this.queues.get(key);
    if (!queue) return 0;
    let woken = 0;
    for (const waiter of [...queue]) {
      if (woken >= count) break;
      if ((waiter.bitset & bitset) === 0) continue;
      this.remove(waiter);
      waiter.fire();
      woken++;
    }
    return woken;
  }

  /** Wakes `wakeCount` waiters of `from`, then moves up to `moveCount` more to `to`; returns the total. */
  requeue(from: string, to: string, wakeCount: number, moveCount: number): number {
    const woken = this.wake(from, wakeCount);
    const queue = this.queues.get(from) ?? [];
    const moving = queue.slice(0, moveCount);
    for (const waiter of moving) {
      this.remove(waiter);
      waiter.key = to;
      this.enqueue(waiter);
    }
    return woken + moving.length;
  }
}
