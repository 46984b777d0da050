import { NS_PER_SEC, SIM_START, type HostNetwork, type HostView, type SimTime } from '@shadow-ts/plugin-sdk';
import { EventClass, EventQueue, orderKey, type SimEvent } from '../sim/event-queue.js';
import type { RandomStream } from '../sim/random.js';
import type { Process } from './process.js';

/** The network of a host no Network has attached (unit tests): no interfaces, nothing is sent. */
const DETACHED: HostNetwork = {
  interfaces: [],
  send(): never {
    throw new Error('host is not attached to a network');
  },
  setReceiver(): void {},
  isLocal: () => false,
  hostOf: () => undefined,
};

/** A simulated machine: its clock, its event queue, its processes and its id counter. */
export class Host implements HostView {
  /** One second before the simulation starts (HostView.bootTime). */
  readonly bootTime: SimTime = SIM_START - NS_PER_SEC;
  /** Current simulated time of this host (time of the event being executed). */
  current: SimTime = SIM_START;
  /** End (exclusive) of the round being executed: the host may not run past it. */
  roundEnd: SimTime = SIM_START;
  /**
   * The scheduler's interest: told when an event is queued before `dueAt` (the time the host is
   * due in the scheduler's queue, null: not queued) while the host is not running its events.
   */
  dueAt: SimTime | null = null;
  onEarlierEvent: ((host: Host) => void) | null = null;
  private executing = false;
  /** Live processes by virtual pid. */
  readonly live = new Map<number, Process>();
  /** Virtual pid of every process the host ever had, by real pid (to translate siginfo). */
  readonly virtualPids = new Map<number, number>();
  /** Its connection to the simulated network: set once by the Network that attaches the host. */
  network: HostNetwork = DETACHED;
  /** Modelled CPU time not yet applied to the clock (model_unblocked_syscall_latency). */
  private unappliedLatency = 0n;
  private readonly queue = new EventQueue();
  private nextEventSeq = 0;
  private nextId = 1000;

  constructor(
    readonly id: number,
    readonly name: string,
    readonly ipAddress: string,
    readonly random: RandomStream,
    /** Directory of this host's output files and its processes' working directory. */
    readonly dataDir: string,
    /** Every host's name and address, sorted by address (shared by all hosts). */
    private readonly directory: readonly { readonly name: string; readonly ipAddress: string }[],
  ) {}

  now(): SimTime {
    return this.current;
  }

  processCount(): number {
    return this.live.size;
  }

  schedule(at: SimTime, callback: () => void): () => void {
    const event = this.addEvent(at, callback);
    return () => {
      event.cancelled = true;
    };
  }

  processes(): readonly Process[] {
    return [...this.live.values()];
  }

  knownHosts(): readonly { readonly name: string; readonly ipAddress: string }[] {
    return this.directory;
  }

  /** Adds a new live process (and its real pid, to translate siginfo later). */
  addProcess(process: Process): void {
    this.live.set(process.pid, process);
    this.virtualPids.set(process.realPid, process.pid);
  }

  /** A process is no longer live (its real pid stays known). */
  removeProcess(process: Process): void {
    this.live.delete(process.pid);
  }

  /**
   * The time a running thread's modelled latency may not carry the clock to: the round's end, or
   * the host's next event if that comes first (Shadow's `Worker::max_event_runahead_time`). A
   * thread that would pass it yields, so a packet arriving or a timer due meanwhile runs first.
   */
  runLimit(): SimTime {
    const next = this.nextEventTime();
    return next !== null && next < this.roundEnd ? next : this.roundEnd;
  }

  /**
   * Charges `cost` of modelled CPU time. Once `maxUnapplied` has built up it is applied: the clock
   * moves on before the run limit (`runLimit`), and returns null (go on running); at or past it
   * returns the time the thread must resume at.
   */
  chargeLatency(cost: SimTime, maxUnapplied: SimTime): SimTime | null {
    this.unappliedLatency += cost;
    if (this.unappliedLatency < maxUnapplied) return null;
    const target = this.current + this.unappliedLatency;
    this.unappliedLatency = 0n;
    if (target < this.runLimit()) {
      this.current = target;
      return null;
    }
    return target;
  }

  /** Modelled latency charged and not yet applied to the clock. */
  get pendingLatency(): SimTime {
    return this.unappliedLatency;
  }

  /** After time reads answered in a process (fast-time.ts): the clock and latency they left. */
  adoptReads(now: SimTime, unapplied: SimTime): void {
    this.current = now;
    this.unappliedLatency = unapplied;
  }

  /** A thread blocked: Shadow discards the modelled latency not yet applied. */
  discardLatency(): void {
    this.unappliedLatency = 0n;
  }

  /** Next virtual pid/tid (one counter for both, from 1000, as in Shadow). */
  allocateId(): number {
    return this.nextId++;
  }

  /** Queues `run` at `time` on this host (never earlier than now). */
  addEvent(time: SimTime, run: () => void): SimEvent {
    const at = time < this.current ? this.current : time;
    const event: SimEvent = {
      time: at,
      key: orderKey(at),
      cls: EventClass.Local,
      sourceHost: this.id,
      seq: this.nextEventSeq++,
      run,
      cancelled: false,
    };
    this.push(event);
    return event;
  }

  /**
   * Queues a packet arrival at `time` (never earlier than now). Packets run before local events
   * of the same time, ordered by the sending host and that host's packet counter.
   */
  addPacketEvent(time: SimTime, sourceHost: number, seq: number, run: () => void): SimEvent {
    const at = time < this.current ? this.current : time;
    const event: SimEvent = {
      time: at,
      key: orderKey(at),
      cls: EventClass.Packet,
      sourceHost,
      seq,
      run,
      cancelled: false,
    };
    this.push(event);
    return event;
  }

  private push(event: SimEvent): void {
    this.queue.push(event);
    if (!this.executing && this.onEarlierEvent && (this.dueAt === null || event.time < this.dueAt)) this.onEarlierEvent(this);
  }

  /** Time of the next pending event, or null. */
  nextEventTime(): SimTime | null {
    return this.queue.peek()?.time ?? null;
  }

  /** Runs every event before `until`. */
  execute(until: SimTime): void {
    this.roundEnd = until;
    this.executing = true;
    try {
      for (let event = this.queue.peek(); event && event.time < until; event = this.queue.peek()) {
        this.queue.pop();
        // Modelled latency may have moved the clock past an event's time; the clock never goes back.
        if (event.time > this.current) this.current = event.time;
        event.run();
      }
    } finally {
      this.executing = false;
    }
  }
}
