import { Resume, Stop, StopKind } from '@shadow-ts/native';
import type { ExecEvent, SyscallResult, WaitCondition, WakeReason } from '@shadow-ts/plugin-sdk';
import { constants } from 'node:os';
import { SUPPORT, SYSCALL_NAMES } from '../abi/support.js';
import type { Backend } from '../backend/backend.js';
import { patchVdso, readAuxv } from '../backend/image.js';
import type { Logger } from '../log.js';
import type { Host } from './host.js';
import type { Kernel } from './kernel.js';
import type { FinalState, Process } from './process.js';
import type { Thread } from './thread.js';

/** Modelled CPU cost of syscalls that do not block (Shadow's model_unblocked_syscall_latency). */
export interface LatencyModel {
  readonly syscall: bigint;
  readonly vdso: bigint;
  readonly maxUnapplied: bigint;
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n, name]));
/** Signals that would stop a process for job control: the simulation has no terminal, so they are dropped. */
const JOB_CONTROL_STOPS = new Set([constants.signals.SIGSTOP, constants.signals.SIGTSTP, constants.signals.SIGTTIN, constants.signals.SIGTTOU]);
/** Signals the kernel raises for a fault in the program itself. */
const FAULTS = new Set([constants.signals.SIGSEGV, constants.signals.SIGBUS, constants.signals.SIGILL, constants.signals.SIGFPE]);

/** Name of a signal number (SIGKILL), or its number as a string. */
export function signalName(n: number): string {
  return SIGNAL_NAMES.get(n) ?? String(n);
}

/**
 * Runs managed threads: resumes the real task, takes its next stop, sends trapped syscalls
 * through the kernel, and acts on the result — until the thread blocks, yields or exits.
 * Between two runs every managed task sits in a ptrace stop.
 */
export class Runner {
  constructor(
    private readonly backend: Backend,
    private readonly kernel: Kernel,
    private readonly log: Logger,
    private readonly latency: LatencyModel | null,
    /** Called when the last thread of a process has exited. */
    private readonly onProcessExit: (process: Process) => void,
  ) {}

  /** Makes `thread` run at `time` on its host. */
  scheduleRun(thread: Thread, host: Host, time = host.current): void {
    if (thread.wakeEvent) thread.wakeEvent.cancelled = true;
    thread.wakeEvent = host.addEvent(time, () => {
      thread.wakeEvent = null;
      this.run(thread);
    });
  }

  /** Runs `thread` until it blocks, yields or exits. */
  run(thread: Thread, wake: WakeReason | null = null): void {
    if (thread.exited) return;
    if (thread.blocked) {
      thread.blocked.release();
      thread.blocked = null;
      const ctx = thread.ctx;
      ctx.restarted = true;
      ctx.wake = wake;
      ctx.now = thread.process.host.current;
      if (!this.settle(thread, this.kernel.dispatch(ctx))) return;
    }
    const stop = this.backend.stop;
    for (;;) {
      const kind = this.backend.resumeWait(thread.realTid, thread.resumeMode, thread.resumeValue, thread.realTid);
      thread.resumeWith(Resume.Continue);
      switch (kind) {
        case StopKind.Syscall:
          if (!this.onSyscall(thread)) return;
          break;
        case StopKind.SyscallExit: {
          const map = thread.mapResult;
          thread.mapResult = null;
          thread.resumeWith(Resume.SetReturn, map ? map(stop[Stop.Msg]!) : stop[Stop.Msg]!);
          break;
        }
        case StopKind.Exec:
          this.onExec(thread);
          break;
        case StopKind.Signal:
          this.onSignal(thread, Number(stop[Stop.Msg]));
          break;
        case StopKind.Exited:
          this.onThreadExit(thread, { exited: Number(stop[Stop.Msg]) });
          return;
        case StopKind.Signaled:
          this.onThreadExit(thread, { signaled: Number(stop[Stop.Msg]) });
          return;
        case StopKind.None:
          // waitpid found no such task: it was reaped behind our back; count it as killed.
          this.onThreadExit(thread, { signaled: constants.signals.SIGKILL });
          return;
        case StopKind.Fork:
        case StopKind.Vfork:
        case StopKind.Clone:
          this.log.error(
            { host: thread.process.host.name },
            `${thread.process.displayName} created a task natively; process creation is not simulated yet`,
          );
          break;
        default:
          // ExitEvent, EventStop, GroupStop, VforkDone: nothing to decide, continue.
          break;
      }
    }
  }

  /** Kills every thread of `process` with SIGKILL and collects their ends (stop_time). */
  kill(process: Process): void {
    this.backend.signal(process.realPid, process.realPid, constants.signals.SIGKILL);
    for (const thread of process.threads.values()) {
      thread.blocked?.release();
      thread.blocked = null;
      if (thread.wakeEvent) thread.wakeEvent.cancelled = true;
      let kind = this.backend.resumeWait(thread.realTid, Resume.None, 0n, thread.realTid);
      // A killed task stays in its EXIT stop until continued (ptrace-supervisor.md §3).
      while (kind !== StopKind.Exited && kind !== StopKind.Signaled && kind !== StopKind.None) {
        kind = this.backend.resumeWait(thread.realTid, Resume.Continue, 0n, thread.realTid);
      }
      thread.exited = true;
    }
    process.threads.clear();
    process.fds.clear();
  }

  /** Handles a seccomp stop; false when the thread stops running (blocked or yielded). */
  private onSyscall(thread: Thread): boolean {
    const stop = this.backend.stop;
    const ctx = thread.ctx;
    const nr = Number(stop[Stop.Nr]);
    ctx.args.words.set(stop.subarray(Stop.Arg0, Stop.Arg0 + 6));
    ctx.begin(nr, thread.process.host.current);
    const name = SYSCALL_NAMES[nr];
    if (name === undefined) {
      // A number newer than our table: nobody can have tapped it.
      return this.settle(thread, this.kernel.enosys(ctx, `syscall_${nr}`));
    }
    ctx.name = name;
    return this.settle(thread, this.kernel.dispatch(ctx));
  }

  /** Acts on a handler's result; false when the thread stops running. */
  private settle(thread: Thread, result: SyscallResult): boolean {
    switch (result.kind) {
      case 'ok':
        thread.resumeWith(Resume.Return, result.value);
        break;
      case 'errno':
        thread.resumeWith(Resume.Return, BigInt(-result.errno));
        break;
      case 'native':
        thread.mapResult = result.mapResult ?? null;
        thread.resumeWith(result.mapResult ? Resume.ToExit : Resume.Continue);
        break;
      case 'rewrite': {
        const args = new BigInt64Array(6);
        result.args.forEach((a, i) => (args[i] = a));
        this.backend.setSyscall(thread.realTid, result.nr, args);
        thread.mapResult = result.mapResult ?? null;
        thread.resumeWith(result.mapResult ? Resume.ToExit : Resume.Continue);
        break;
      }
      case 'block':
        this.park(thread, result.on, result.restartable);
        return false;
    }
    return this.applyLatency(thread);
  }

  /** Parks `thread` at its stop until the condition fires. */
  private park(thread: Thread, condition: WaitCondition, restartable: boolean): void {
    const host = thread.process.host;
    host.unappliedLatency = 0n; // Shadow discards modelled latency when a thread blocks
    let timeout: { cancel(): void } | null = null;
    let unsubscribe: (() => void) | null = null;
    const wake = (reason: WakeReason) => {
      if (thread.blocked !== blocked) return;
      thread.wakeEvent = host.addEvent(host.current, () => {
        thread.wakeEvent = null;
        this.run(thread, reason);
      });
      blocked.release();
    };
    const blocked = {
      condition,
      restartable,
      release: () => {
        timeout?.cancel();
        unsubscribe?.();
        timeout = null;
        unsubscribe = null;
      },
    };
    thread.blocked = blocked;
    if (condition.deadline !== undefined) {
      const event = host.addEvent(condition.deadline, () => {
        if (thread.blocked !== blocked) return;
        this.run(thread, 'timeout');
      });
      timeout = { cancel: () => (event.cancelled = true) };
    }
    if (condition.trigger) unsubscribe = condition.trigger.subscribe(() => wake('trigger'));
  }

  /** Adds modelled CPU time; false when the thread must yield until its host's clock catches up. */
  private applyLatency(thread: Thread): boolean {
    if (!this.latency) return true;
    const host = thread.process.host;
    host.unappliedLatency += SUPPORT[thread.ctx.name]?.vdso ? this.latency.vdso : this.latency.syscall;
    if (host.unappliedLatency < this.latency.maxUnapplied) return true;
    const target = host.current + host.unappliedLatency;
    host.unappliedLatency = 0n;
    if (target < host.roundEnd) {
      host.current = target;
      return true;
    }
    this.scheduleRun(thread, host, target);
    return false;
  }

  private onExec(thread: Thread): void {
    const process = thread.process;
    const pid = process.realPid;
    // exec closed the close-on-exec placeholders: their virtual files go with them.
    for (const [fd] of [...process.fds.entries()]) {
      if (!process.isOpen(fd)) process.fds.unbind(fd);
    }
    patchVdso(this.backend, pid);
    process.execed = true;
    const event: ExecEvent = { process, host: process.host, memory: process.memory, auxv: readAuxv(pid) };
    this.kernel.hooks.exec.call(event);
  }

  private onSignal(thread: Thread, signal: number): void {
    const process = thread.process;
    if (JOB_CONTROL_STOPS.has(signal)) {
      thread.resumeWith(Resume.Continue, 0n);
      return;
    }
    if (FAULTS.has(signal)) {
      const stop = this.backend.stop;
      this.log.warn(
        { host: process.host.name },
        `process '${process.displayName}' received ${signalName(signal)} (si_code ${stop[Stop.Arg0]}, ` +
          `address 0x${BigInt.asUintN(64, stop[Stop.Arg0 + 1]!).toString(16)}, ip 0x${BigInt.asUintN(64, stop[Stop.Ip]!).toString(16)})`,
      );
    }
    thread.resumeWith(Resume.Continue, BigInt(signal));
  }

  private onThreadExit(thread: Thread, final: FinalState): void {
    thread.exited = true;
    thread.blocked?.release();
    thread.blocked = null;
    const process = thread.process;
    process.threads.delete(thread.tid);
    if (process.threads.size === 0) {
      process.fds.clear();
      process.final = final;
      this.onProcessExit(process);
    }
  }
}
