import { closeSync, readlinkSync } from 'node:fs';
import { pid as simulatorPid } from 'node:process';
import { WaitQueue, type HeldDescriptor, type ProcessExit, type ProcessView, type SimTime, type ThreadView } from '@shadow-ts/plugin-sdk';
import type { Backend } from '../backend/backend.js';
import type { ExpectedFinalState, ProcessOptions } from '../config/types.js';
import type { Host } from './host.js';
import type { Thread } from './thread.js';
import { FdTable } from './fd-table.js';
import { ProcessMemory } from './memory.js';

/** How a process ended (or 'running' when the simulation stopped it). */
export type FinalState = ExpectedFinalState;

/** A parent held by vfork semantics, and the stack region to copy back to it (null: none). */
export interface VforkParent {
  readonly thread: Thread;
  readonly stack: bigint | null;
}

/**
 * A managed process: one real Linux process, its threads, and its virtual identity. Its threads,
 * its vfork parent and its exec state change only through its own methods.
 */
export class Process implements ProcessView {
  final: FinalState | null = null;
  pgid: number;
  sid: number;
  childSubreaper = false;
  readonly childEvents = new WaitQueue();
  readonly signalEvents = new WaitQueue();
  /** Job control: the signal that stopped the process, or null while it runs. */
  jobStop: number | null = null;
  stopReport: number | null = null;
  continueReport = false;
  noChildStopSignals = false;
  private readonly kids = new Set<Process>();
  private readonly taskMap = new Map<number, Thread>();
  private heldParent: VforkParent | null = null;
  private hasExeced = false;
  readonly memory: ProcessMemory;

  constructor(
    readonly host: Host,
    readonly pid: number,
    /** The parent process, or null for processes the simulation started (and orphans). */
    public parent: Process | null,
    public name: string,
    readonly realPid: number,
    private readonly backend: Backend,
    readonly startTime: SimTime,
    /** Set for processes the simulation file started: they have an expected final state. */
    readonly options: ProcessOptions | null,
    readonly fds: FdTable = new FdTable(),
  ) {
    this.memory = new ProcessMemory(backend, realPid);
    this.pgid = parent?.pgid ?? pid;
    this.sid = parent?.sid ?? pid;
    parent?.kids.add(this);
  }

  get parentPid(): number {
    return this.parent?.pid ?? 1;
  }

  get nativePid(): number {
    return this.realPid;
  }

  get exit(): ProcessExit | null {
    return this.final === null || this.final === 'running' ? null : this.final;
  }

  /** `host.exe.pid`, Shadow's display name. */
  get displayName(): string {
    return `${this.host.name}.${this.name}.${this.pid}`;
  }

  get alive(): boolean {
    return this.final === null;
  }

  /** Live threads by virtual tid. */
  get tasks(): ReadonlyMap<number, Thread> {
    return this.taskMap;
  }

  /** True once the process runs an image it exec'd (or, for configured processes, its first one). */
  get execed(): boolean {
    return this.hasExeced;
  }

  /** The parent held by vfork semantics until this process execs or exits, if any. */
  get vforkParent(): VforkParent | null {
    return this.heldParent;
  }

  addTask(thread: Thread): void {
    this.taskMap.set(thread.tid, thread);
  }

  removeTask(thread: Thread): void {
    this.taskMap.delete(thread.tid);
  }

  /** Forgets every thread at once (the process was killed). */
  clearTasks(): void {
    this.taskMap.clear();
  }

  /** Live threads with the leader last: the kernel reports the leader's end after all others'. */
  tasksLeaderLast(): Thread[] {
    const threads = [...this.taskMap.values()];
    return [...threads.filter((t) => t.realTid !== this.realPid), ...threads.filter((t) => t.realTid === this.realPid)];
  }

  /** A forked child starts in its parent's exec state (it runs the same image). */
  inheritExecState(source: Process): void {
    this.hasExeced = source.hasExeced;
    this.noChildStopSignals = source.noChildStopSignals;
  }

  /**
   * The process ran execve. A configured process keeps the name of its configured path (its
   * output files use it); a forked child that execs takes the new program's name (`comm()`).
   */
  execedImage(comm: () => string | null): void {
    if (this.hasExeced) this.name = comm() ?? this.name;
    this.hasExeced = true;
    // exec resets every handler's flags (flush_signal_handlers()).
    this.noChildStopSignals = false;
  }

  /** Records `thread` as held by vfork semantics until this process execs or exits. */
  holdVforkParent(parent: VforkParent): void {
    this.heldParent = parent;
  }

  /** Forgets the held vfork parent and returns it (null: none was held). */
  takeVforkParent(): VforkParent | null {
    const held = this.heldParent;
    this.heldParent = null;
    return held;
  }

  children(): readonly ProcessView[] {
    return [...this.kids];
  }

  reap(child: ProcessView): void {
    this.kids.delete(child as unknown as Process);
  }

  threads(): readonly ThreadView[] {
    return [...this.taskMap.values()];
  }

  mainThread(): Thread | undefined {
    return this.taskMap.get(this.pid) ?? this.taskMap.values().next().value;
  }

  resourceLimit(resource: number): number {
    const soft = this.backend.resourceLimit(this.realPid, resource);
    return soft < 0 ? Infinity : soft;
  }

  /**
   * A hold of what `fd` refers to: its virtual file (one more reference), or a real copy of an
   * ordinary descriptor in the simulator's process (pidfd_getfd), closed when released.
   */
  holdDescriptor(fd: number): HeldDescriptor | undefined {
    let held = true;
    const file = this.fds.get(fd);
    if (file) {
      file.refs++;
      const release = (): void => {
        if (held && --file.refs === 0) file.release();
        held = false;
      };
      return { file, native: undefined, release };
    }
    if (fd < 0) return undefined;
    const copy = this.backend.copyDescriptor(this.realPid, fd);
    if (copy < 0) return undefined;
    const release = (): void => {
      if (held) closeSync(copy);
      held = false;
    };
    return { file: undefined, native: { pid: simulatorPid, fd: copy }, release };
  }

  isOpen(fd: number): boolean {
    if (fd < 0) return false;
    try {
      readlinkSync(`/proc/${this.realPid}/fd/${fd}`);
      return true;
    } catch {
      return false;
    }
  }

  /** Job control: the process stopped on `sig` (its threads run no more until it is continued). */
  stopped(sig: number): void {
    this.jobStop = sig;
    this.stopReport = sig;
    this.continueReport = false;
    this.parent?.childEvents.notify();
  }

  /** Job control: SIGCONT (reported to a WCONTINUED waiter) or SIGKILL (not reported) ended the stop. */
  continued(report: boolean): void {
    this.jobStop = null;
    this.stopReport = null;
    this.continueReport = report;
    if (report) this.parent?.childEvents.notify();
  }

  takeJobReport(kind: 'stopped' | 'continued'): void {
    if (kind === 'stopped') this.stopReport = null;
    else this.continueReport = false;
  }

  /**
   * Records the end of the process: its parent learns of it, and its children go to the nearest
   * live subreaper ancestor, or become orphans of init (prctl(2) PR_SET_CHILD_SUBREAPER).
   */
  ended(final: FinalState): void {
    this.final = final;
    let reaper = this.parent;
    while (reaper && !(reaper.alive && reaper.childSubreaper)) reaper = reaper.parent;
    for (const kid of this.kids) {
      kid.parent = reaper;
      reaper?.kids.add(kid);
    }
    // A zombie handed over is the new parent's to collect: let its waits look again.
    if (reaper && [...this.kids].some((kid) => !kid.alive)) reaper.childEvents.notify();
    this.kids.clear();
    this.parent?.childEvents.notify();
    this.parent?.signalEvents.notify(); // the kernel's SIGCHLD
  }
  /** The stack pointer of thread `realTid` of this process, waiting in a syscall (backend.syscallStack). */
  syscallStack(realTid: number): bigint {
    return this.backend.syscallStack(realTid);
  }
}

/** Renders a final state as Shadow does in its messages: `{exited: 0}`, `{signaled: SIGKILL}`, `running`. */
export function formatFinalState(state: FinalState, signalName: (n: number) => string): string {
  if (state === 'running') return 'running';
  if ('exited' in state) return `{exited: ${state.exited}}`;
  return `{signaled: ${signalName(state.signaled)}}`;
}

/** Whether two final states are the same. */
export function sameFinalState(a: FinalState, b: FinalState): boolean {
  if (a === 'running' || b === 'running') return a === b;
  if ('exited' in a) return 'exited' in b && a.exited === b.exited;
  return 'signaled' in b && a.signaled === b.signaled;
}
