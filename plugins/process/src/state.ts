import type { CloneEvent, HostView, ProcessView, StrategyRegistry, ThreadView, VforkStrategy } from '@shadow-ts/plugin-sdk';
import { FutexTable } from './futex.js';
import type { PosixTimer } from './sys-timer.js';

/** A process's ITIMER_REAL: next expiry, interval, and the pending host event. */
export interface RealTimer {
  next: bigint;
  interval: bigint;
  cancel: () => void;
}

/**
 * What the process family remembers between syscalls, for one kernel. `apply` creates it and
 * the taps close over it, so two simulations in one Node process share nothing. Keys are the
 * views the kernel hands out, which are stable objects.
 */
export class ProcessState {
  /** Each thread's clear_child_tid address (CLONE_CHILD_CLEARTID, set_tid_address(2)). */
  readonly clearChildTid = new WeakMap<ThreadView, bigint>();
  /** The CLONE_CHILD_CLEARTID address a caller's clone in progress gives its child. */
  readonly pendingClearTid = new WeakMap<ThreadView, bigint>();
  /** Each process's ITIMER_REAL while it is armed. */
  readonly realTimers = new WeakMap<ProcessView, RealTimer>();
  /** Each process's POSIX timers (timer_create(2)), by timer id. */
  readonly posixTimers = new WeakMap<ProcessView, Map<number, PosixTimer>>();
  /**
   * Which signals of a process have handlers installed with SA_RESTART. rt_sigaction runs in the
   * kernel; this copy of one bit per signal is what the simulator needs to decide whether a call
   * it parked restarts after a handler (signal(7)).
   */
  private readonly restartingSignals = new WeakMap<ProcessView, Set<number>>();
  /**
   * Each thread's PR_SET_PDEATHSIG signal. A new task starts without one (prctl(2): cleared on
   * fork), which keying by the new thread's view gives.
   */
  readonly deathSignals = new WeakMap<ThreadView, number>();
  /**
   * The threads that set PR_SET_NO_NEW_PRIVS themselves. The kernel's flag is on for every
   * managed task (the seccomp filter needs it); a new task inherits the program's view (prctl(2)).
   */
  readonly noNewPrivs = new WeakSet<ThreadView>();
  /** One futex table per host: keys already name the process. */
  private readonly futexTables = new WeakMap<HostView, FutexTable>();

  constructor(
    /** The vfork strategies, whose per-host instances answer vfork-like calls. */
    readonly vfork: StrategyRegistry<VforkStrategy>,
  ) {}

  /** The signals of `process` whose handlers have SA_RESTART. */
  restartSet(process: ProcessView): Set<number> {
    let set = this.restartingSignals.get(process);
    if (!set) this.restartingSignals.set(process, (set = new Set()));
    return set;
  }

  /** exec resets caught signals to their default action (execve(2)). */
  forgetHandlers(process: ProcessView): void {
    this.restartingSignals.delete(process);
  }

  futexTable(host: HostView): FutexTable {
    let table = this.futexTables.get(host);
    if (!table) this.futexTables.set(host, (table = new FutexTable()));
    return table;
  }

  /** A new task inherits what the kernel copies for it: CLONE_CHILD_CLEARTID, SA_RESTART handlers, no_new_privs. */
  onClone({ parent, child, thread }: CloneEvent): void {
    if (this.noNewPrivs.has(parent)) this.noNewPrivs.add(child);
    const clearTid = this.pendingClearTid.get(parent);
    this.pendingClearTid.delete(parent);
    if (clearTid !== undefined) this.clearChildTid.set(child, clearTid);
    if (!thread) this.restartingSignals.set(child.process, new Set(this.restartSet(parent.process)));
  }

  /**
   * A thread ended: the kernel cleared its clear_child_tid word and woke that futex in the real
   * kernel, where nobody waits — the joiners wait in the simulator, so they are woken here.
   */
  onThreadExit(thread: ThreadView): void {
    const process = thread.process;
    if (process.threads().length === 0) return this.sendDeathSignals(process);
    const addr = this.clearChildTid.get(thread);
    if (addr === undefined || addr === 0n) return;
    this.futexTable(process.host).wake(FutexTable.key(process, addr), 1);
  }

  /**
   * The last thread of `parent` ended: each live child thread that asked for PR_SET_PDEATHSIG
   * gets its signal now, at the simulated time of the parent's end. Linux ties the signal to the
   * parent *thread* that created the child; here it follows the parent process (a child of a
   * thread that ends while its process lives on gets nothing). The signal reaches the child after
   * the parent's end has re-parented it, so the handler's getppid() sees the new parent.
   */
  private sendDeathSignals(parent: ProcessView): void {
    for (const child of parent.children()) {
      for (const thread of child.threads()) {
        const sig = this.deathSignals.get(thread);
        if (sig) thread.signal(sig, { pid: parent.pid });
      }
    }
  }
}
