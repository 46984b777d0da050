import type { SimTime } from '@shadow-ts/plugin-sdk';
import { Heap } from 'heap-js';
import type { Host } from '../kernel/host.js';
import { orderKey } from './event-queue.js';

/** A host in the queue of due hosts, at the time of its next event when it was queued. */
interface Due {
  readonly time: SimTime;
  /** `time` as a float, compared first (SimEvent.key). */
  readonly key: number;
  readonly host: Host;
}

/**
 * Conservative rounds (Shadow's scheme). A round `[start, end)` lets every host run its events
 * before `end`; `end - start` never exceeds the runahead, the smallest latency between hosts, so
 * nothing one host does in a round can affect another host within it. Idle time is skipped: the
 * next round starts at the earliest pending event.
 *
 * Hosts wait in a queue by the time of their next event, so a round costs what happens in it —
 * the hosts with events before its end — not the number of hosts. A host is queued again after
 * it ran, and whenever an event earlier than the one it is queued for arrives from elsewhere
 * (`Host.onEarlierEvent`); an entry that no longer matches its host's `dueAt` is stale and skipped.
 * The hosts of a round run in host order, as they did when every host ran every round.
 */
export class Scheduler {
  private start: SimTime;
  /** The host whose events are running, for log lines. */
  private active: Host | null = null;
  private readonly due = new Heap<Due>((a, b) =>
    a.key !== b.key ? a.key - b.key : a.time !== b.time ? (a.time < b.time ? -1 : 1) : a.host.id - b.host.id,
  );

  constructor(
    hosts: readonly Host[],
    readonly stopTime: SimTime,
    private readonly runahead: SimTime,
  ) {
    for (const host of hosts) {
      host.dueAt = null;
      host.onEarlierEvent = (h) => this.enqueue(h);
      this.enqueue(host);
    }
    this.start = this.earliestEvent();
  }

  /** Start of the next round (or the stop time when nothing is left before it). */
  get now(): SimTime {
    return this.start;
  }

  /** Simulated time of the event running now, or of the next round between rounds. */
  clock(): SimTime {
    return this.active?.current ?? this.start;
  }

  /** Runs one round; false once the simulation has reached its stop time or has nothing left to do. */
  runRound(): boolean {
    if (this.start >= this.stopTime) return false;
    const end = this.start + this.runahead < this.stopTime ? this.start + this.runahead : this.stopTime;
    const ready: Host[] = [];
    for (let top = this.live(); top && top.time < end; top = this.live()) {
      this.due.pop();
      top.host.dueAt = null;
      ready.push(top.host);
    }
    ready.sort((a, b) => a.id - b.id);
    for (const host of ready) {
      this.active = host;
      host.execute(end);
    }
    this.active = null;
    // Queued anew at their next event: an entry made while one of them waited its turn is stale.
    for (const host of ready) {
      host.dueAt = null;
      this.enqueue(host);
    }
    this.start = this.earliestEvent();
    return this.start < this.stopTime;
  }

  /** Queues `host` at its next event, unless it is queued for that time or earlier already. */
  private enqueue(host: Host): void {
    const time = host.nextEventTime();
    if (time === null || (host.dueAt !== null && host.dueAt <= time)) return;
    host.dueAt = time;
    this.due.push({ time, key: orderKey(time), host });
  }

  /**
   * The earliest entry that is not stale (its host is still due at its time, and that event is
   * still pending), or undefined. A host whose event was cancelled is queued at its next one, so
   * rounds start where they would if every host were asked.
   */
  private live(): Due | undefined {
    for (let top = this.due.peek(); top; top = this.due.peek()) {
      if (top.host.dueAt === top.time) {
        if (top.host.nextEventTime() === top.time) return top;
        top.host.dueAt = null;
        this.due.pop();
        this.enqueue(top.host);
      } else {
        this.due.pop();
      }
    }
    return undefined;
  }

  private earliestEvent(): SimTime {
    const top = this.live();
    return top && top.time < this.stopTime ? top.time : this.stopTime;
  }
}
