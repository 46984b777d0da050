import type { SimTime } from '@shadow-ts/plugin-sdk';
import type { Host } from '../kernel/host.js';

/**
 * Conservative rounds over all hosts (Shadow's scheme). A round `[start, end)` lets every host
 * run its events before `end`; `end - start` never exceeds the runahead, the smallest latency
 * between hosts, so nothing one host does in a round can affect another host within it. Idle
 * time is skipped: the next round starts at the earliest pending event.
 */
export class Scheduler {
  private start: SimTime;
  /** The host whose events are running, for log lines. */
  private active: Host | null = null;

  constructor(
    private readonly hosts: readonly Host[],
    readonly stopTime: SimTime,
    private readonly runahead: SimTime,
  ) {
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
    for (const host of this.hosts) {
      this.active = host;
      host.execute(end);
    }
    this.active = null;
    this.start = this.earliestEvent();
    return this.start < this.stopTime;
  }

  private earliestEvent(): SimTime {
    let earliest = this.stopTime;
    for (const host of this.hosts) {
      const t = host.nextEventTime();
      if (t !== null && t < earliest) earliest = t;
    }
    return earliest;
  }
}
