import { Heap } from 'heap-js';
import type { SimTime } from '@shadow-ts/plugin-sdk';

/** Events of the same time run packets first, then local events (Shadow's order). */
export const enum EventClass {
  Packet = 0,
  Local = 1,
}

/** A scheduled action. Cancelled events stay in the heap and are skipped when they surface. */
export interface SimEvent {
  readonly time: SimTime;
  /**
   * `time` as a float (`orderKey`): compared first, because heaps compare often and BigInt
   * comparisons are slow. Rounding is monotonic, so a smaller key means an earlier time; equal
   * keys fall back to `time` (exact up to 2^53 ns, 104 days).
   */
  readonly key: number;
  readonly cls: EventClass;
  /** Host that created the event (for packets: the sending host). */
  readonly sourceHost: number;
  /** Per-source-host sequence number: the final tie-break, never arrival order. */
  readonly seq: number;
  readonly run: () => void;
  cancelled: boolean;
}

/** The float key of a simulated time (see SimEvent.key). */
export const orderKey = (time: SimTime): number => Number(time);

function compareEvents(a: SimEvent, b: SimEvent): number {
  if (a.key !== b.key) return a.key - b.key;
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.cls !== b.cls) return a.cls - b.cls;
  if (a.sourceHost !== b.sourceHost) return a.sourceHost - b.sourceHost;
  return a.seq - b.seq;
}

/** A host's queue of future events, ordered by (time, class, source host, sequence). */
export class EventQueue {
  private readonly heap = new Heap<SimEvent>(compareEvents);

  push(event: SimEvent): void {
    this.heap.push(event);
  }

  /** The earliest live event, or undefined. */
  peek(): SimEvent | undefined {
    let top = this.heap.peek();
    while (top?.cancelled) {
      this.heap.pop();
      top = this.heap.peek();
    }
    return top;
  }

  /** Removes and returns the earliest live event. */
  pop(): SimEvent | undefined {
    const top = this.peek();
    if (top) this.heap.pop();
    return top;
  }
}
