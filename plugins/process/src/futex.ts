import { readFileSync } from 'node:fs';
import type { ProcessView, Trigger } from '@shadow-ts/plugin-sdk';

/**
 * Futex wait queues. Threads of a host run one at a time and a thread parked in the kernel would
 * stall the simulation, so futexes are emulated: a waiter is a parked syscall subscribed to its
 * own Trigger, queued on (process, address) in arrival order.
 *
 * A private futex (FUTEX_PRIVATE_FLAG) is keyed by process and address: threads share their
 * process's memory. A shared one in a MAP_SHARED mapping is keyed, as get_futex_key() does, by
 * the mapped object (device and inode, the same for every process that maps it, anonymous
 * shared memory included) and the offset in it, so processes that share the memory meet.
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

  /** The key of a shared futex at `addr`: its mapping's object and offset when that mapping is shared. */
  static sharedKey(process: ProcessView, addr: bigint): string {
    let maps: string;
    try {
      maps = readFileSync(`/proc/${process.nativePid}/maps`, 'latin1');
    } catch {
      return FutexTable.key(process, addr);
    }
    for (const line of maps.split('\n')) {
      // start-end perms offset dev inode [path]
      const [range, perms, offset, dev, inode] = line.split(' ', 5);
      if (!range || !perms || !offset || !dev || !inode) continue;
      const [start, end] = range.split('-').map((h) => BigInt(`0x${h}`)) as [bigint, bigint];
      if (addr < start || addr >= end) continue;
      if (perms[3] !== 's') break;
      return `shared:${dev}:${inode}:${BigInt(`0x${offset}`) + (addr - start)}`;
    }
    return FutexTable.key(process, addr);
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
