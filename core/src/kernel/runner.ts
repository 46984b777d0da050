/**
 * The runner: where a backend's stop enters the kernel. `Runner.run` resumes a real task, takes
 * its next stop from the backend, and turns the stop's kind into a call on the module that owns
 * that concern — until the thread blocks, yields or exits. A second backend (a non-ptrace
 * channel) feeds its stops in here, through the same calls.
 *
 *   task-syscall.ts  seccomp stop → dispatch → settle, syscall-exit results, modelled latency
 *   task-block.ts    parking a blocked call: deadline, trigger, wake-up
 *   task-clone.ts    clone results and events, new tasks, vfork hold and release
 *   task-exec.ts     what an exec changes
 *   task-exit.ts     exit events, group exit, thread and process end, kill
 *   task-signals.ts  signal delivery, waking a parked call for a signal, the sender's identity
 *   task-preempt.ts  a run the backend ended past its limit: native preemption, or the watchdog
 */
import { Resume, Stop, StopKind } from '@shadow-ts/native';
import type { SignalSource, WakeReason } from '@shadow-ts/plugin-sdk';
import { constants } from 'node:os';
import type { Backend } from '../backend/backend.js';
import type { Logger } from '../log.js';
import type { FastTime } from './fast-time.js';
import type { Host } from './host.js';
import type { Kernel } from './kernel.js';
import type { Process } from './process.js';
import { onCloneEvent } from './task-clone.js';
import { onExec } from './task-exec.js';
import { killProcess, onExitEvent, onThreadExit } from './task-exit.js';
import { onInterrupted } from './task-preempt.js';
import { deliverSignal, onSignal } from './task-signals.js';
import { adoptReads, onSyscall, onSyscallExit, readCost, rerunParked } from './task-syscall.js';
import type { Thread } from './thread.js';

/** Modelled CPU cost of syscalls that do not block (Shadow's model_unblocked_syscall_latency). */
export interface LatencyModel {
  readonly syscall: bigint;
  readonly vdso: bigint;
  readonly maxUnapplied: bigint;
}

/**
 * Busy-loop detection: a thread that makes `threshold` non-blocking calls in a row (no park in
 * between) is charged `latency` for each further one until it blocks, so an event loop that
 * polls without time passing moves the clock on instead of livelocking the run.
 */
export interface BusyLoopModel {
  readonly threshold: number;
  readonly latency: LatencyModel;
}

/** What the task-* modules share: the backend, the kernel, and the runner's own scheduling. */
export interface TaskEnv {
  readonly backend: Backend;
  readonly kernel: Kernel;
  readonly log: Logger;
  /** model_unblocked_syscall_latency: every non-blocking call costs this; null when off. */
  readonly latency: LatencyModel | null;
  /** Used when `latency` is null; null when turned off. */
  readonly busyLoop: BusyLoopModel | null;
  /** Simulated time a preempted run charges its host (native preemption), or null: preemption is off. */
  readonly preemption: bigint | null;
  /** Time reads answered in the process, or null: they trap (`fast_time: false`). */
  readonly fastTime: FastTime | null;
  /** rdtsc/rdtscp fault and read simulated time (`.shadowrc` `rdtsc: trap`, the default). */
  readonly trapTsc: boolean;
  /** Called when the last thread of a process has exited. */
  readonly onProcessExit: (process: Process) => void;
  /** Called when the watchdog kills a process that ran too long without a stop. */
  readonly onRunaway: (process: Process) => void;
  /** Creates the simulator's object for a new task. */
  readonly newThread: (tid: number, realTid: number, process: Process) => Thread;
  scheduleRun(thread: Thread, host: Host, time?: bigint, wake?: WakeReason | null): void;
  run(thread: Thread, wake?: WakeReason | null): void;
}

/**
 * Runs managed threads: resumes the real task, takes its next stop, sends trapped syscalls
 * through the kernel, and acts on the result — until the thread blocks, yields or exits.
 * Between two runs every managed task sits in a ptrace stop.
 */
export class Runner implements TaskEnv {
  constructor(
    readonly backend: Backend,
    readonly kernel: Kernel,
    readonly log: Logger,
    readonly latency: LatencyModel | null,
    readonly busyLoop: BusyLoopModel | null,
    readonly preemption: bigint | null,
    readonly fastTime: FastTime | null,
    readonly trapTsc: boolean,
    readonly onProcessExit: (process: Process) => void,
    readonly onRunaway: (process: Process) => void,
    readonly newThread: (tid: number, realTid: number, process: Process) => Thread,
  ) {}

  /** Makes `thread` run at `time` on its host (`wake`: why its parked call runs again). */
  scheduleRun(thread: Thread, host: Host, time = host.current, wake: WakeReason | null = null): void {
    thread.setWakeEvent(
      host.addEvent(time, () => {
        thread.wakeEventRan();
        this.run(thread, wake);
      }),
    );
  }

  /** Runs `thread` until it blocks, yields or exits: the stop loop every backend stop goes through. */
  run(thread: Thread, wake: WakeReason | null = null): void {
    if (thread.exited || thread.held) return;
    const process = thread.process;
    if (process.jobStop !== null) {
      thread.stoppedRun = { wake: thread.stoppedRun?.wake ?? wake };
      return;
    }
    if (thread.blocked && !rerunParked(this, thread, wake)) return;
    const stop = this.backend.stop;
    const fastTime = this.fastTime;
    const host = process.host;
    for (;;) {
      // Stopped by job control (a stop signal, its own kill included): it goes on at SIGCONT.
      if (process.jobStop !== null) {
        thread.stoppedRun = { wake: null };
        return;
      }
      fastTime?.beforeRun(host, readCost(this, thread));
      // Watched: a run past the backend's limits (watchRuns) ends in an Interrupted stop.
      const kind = this.backend.resumeWait(thread.realTid, thread.resumeMode, thread.resumeValue, thread.realTid, thread.process.realPid);
      thread.resumeWith(Resume.Continue);
      const reads = fastTime?.takeReads(host);
      if (reads) adoptReads(this, thread, reads);
      switch (kind) {
        case StopKind.Syscall:
          if (!onSyscall(this, thread)) return;
          break;
        case StopKind.SyscallExit:
          if (!onSyscallExit(this, thread, stop[Stop.Msg]!)) return;
          break;
        case StopKind.Fork:
        case StopKind.Vfork:
        case StopKind.Clone:
          if (!onCloneEvent(this, thread, Number(stop[Stop.Msg]), kind === StopKind.Vfork)) return;
          break;
        case StopKind.Exec:
          onExec(this, thread);
          break;
        case StopKind.Signal:
          if (!onSignal(this, thread, Number(stop[Stop.Msg]))) return;
          break;
        case StopKind.Interrupted:
          if (!onInterrupted(this, thread)) return;
          break;
        case StopKind.ExitEvent:
          if (!onExitEvent(this, thread, Number(stop[Stop.Msg]))) return;
          break;
        case StopKind.Exited:
          onThreadExit(this, thread, { exited: Number(stop[Stop.Msg]) });
          return;
        case StopKind.Signaled:
          onThreadExit(this, thread, { signaled: Number(stop[Stop.Msg]) });
          return;
        case StopKind.None:
          // waitpid found no such task: it was reaped behind our back; count it as killed.
          onThreadExit(this, thread, { signaled: constants.signals.SIGKILL });
          return;
        default:
          // EventStop, GroupStop, VforkDone: nothing to decide, continue.
          break;
      }
    }
  }

  /** Kills every thread of `process` with SIGKILL and collects their ends (stop_time). */
  kill(process: Process): void {
    killProcess(this, process);
  }

  /**
   * Sends a real signal to `thread` on behalf of `sender` (none: the simulator itself), and wakes
   * the thread if the signal ends the blocking call it is parked in.
   */
  deliver(thread: Thread, sig: number, sender?: SignalSource, siginfo?: Uint8Array): void {
    deliverSignal(this, thread, sig, sender, siginfo);
  }
}
