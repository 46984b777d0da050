import { Resume, Stop, StopKind } from '@shadow-ts/native';
import { Errno, type CloneRequest, type ExecEvent, type SyscallResult, type WaitCondition, type WakeReason } from '@shadow-ts/plugin-sdk';
import { constants } from 'node:os';
import { SUPPORT, SYSCALL_NAMES } from '../abi/support.js';
import type { Backend } from '../backend/backend.js';
import { patchVdso, readAuxv } from '../backend/image.js';
import type { Logger } from '../log.js';
import type { Host } from './host.js';
import type { Kernel } from './kernel.js';
import { ProcessMemory } from './memory.js';
import { commandName, restoreStack } from './procfs.js';
import { FAULTS, JOB_CONTROL_STOPS, interrupts, mainThread, signalName } from './signals.js';
import { Process, type FinalState } from './process.js';
import type { Thread } from './thread.js';

/** Modelled CPU cost of syscalls that do not block (Shadow's model_unblocked_syscall_latency). */
export interface LatencyModel {
  readonly syscall: bigint;
  readonly vdso: bigint;
  readonly maxUnapplied: bigint;
}

const EINTR = BigInt(-Errno.EINTR);
/** si_code of a signal sent by kill(2) and by tkill(2)/tgkill(2). */
const SI_USER = 0;
const SI_TKILL = -6;

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
    /** Creates the simulator's object for a new task. */
    private readonly newThread: (tid: number, realTid: number, process: Process) => Thread,
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
    if (thread.exited || thread.held) return;
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
        case StopKind.SyscallExit:
          if (!this.onSyscallExit(thread, stop[Stop.Msg]!)) return;
          break;
        case StopKind.Fork:
        case StopKind.Vfork:
        case StopKind.Clone:
          if (!this.onCloneEvent(thread, Number(stop[Stop.Msg]), kind === StopKind.Vfork)) return;
          break;
        case StopKind.Exec:
          this.onExec(thread);
          break;
        case StopKind.Signal:
          this.onSignal(thread, Number(stop[Stop.Msg]));
          break;
        case StopKind.ExitEvent:
          if (!this.onExitEvent(thread, Number(stop[Stop.Msg]))) return;
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
        default:
          // EventStop, GroupStop, VforkDone: nothing to decide, continue.
          break;
      }
    }
  }

  /** Kills every thread of `process` with SIGKILL and collects their ends (stop_time). */
  kill(process: Process): void {
    this.backend.signal(process.realPid, process.realPid, constants.signals.SIGKILL);
    for (const thread of this.leaderLast(process)) {
      thread.blocked?.release();
      thread.blocked = null;
      if (thread.wakeEvent) thread.wakeEvent.cancelled = true;
      this.collect(thread, Resume.None);
      thread.exited = true;
    }
    process.tasks.clear();
    process.fds.detach();
  }

  /**
   * Sends a real signal to `thread` on behalf of `sender` (none: the simulator itself), and wakes
   * the thread if the signal ends the blocking call it is parked in.
   */
  deliver(thread: Thread, sig: number, sender?: { pid: number; tkill?: boolean }): void {
    if (thread.exited) return;
    thread.senders.set(sig, { code: sender?.tkill ? SI_TKILL : SI_USER, pid: sender?.pid ?? 0 });
    this.backend.signal(thread.process.realPid, thread.realTid, sig);
    this.wakeForSignal(thread, sig);
  }

  /**
   * A signal is pending for `thread`. If it is parked in a blocking call the signal interrupts
   * (not blocked, not ignored), the call ends so the kernel can deliver it: with the count of
   * bytes it moved, if any (the partial-transfer rule); else with EINTR — or it is restarted
   * after the handler when the handler has SA_RESTART and the call is restartable.
   * Signals the call itself waits for (sigsuspend, sigtimedwait) let the kernel run the call.
   */
  private wakeForSignal(thread: Thread, sig: number): void {
    const blocked = thread.blocked;
    if (!blocked) return;
    const bit = 1n << BigInt(sig - 1);
    const moved = thread.ctx.call.transferred;
    if (blocked.nativeOnSignals & bit) {
      thread.resumeWith(Resume.Continue); // the kernel runs the call and finds the signal pending
    } else if (!interrupts(thread.realTid, sig)) {
      return;
    } else if (moved > 0) {
      thread.resumeWith(Resume.Return, BigInt(moved));
    } else {
      const restart = blocked.restartable && this.kernel.hooks.restartOnSignal.call(thread, sig) === true;
      if (!restart) blocked.onInterrupt?.();
      thread.resumeWith(restart ? Resume.Restart : Resume.Return, restart ? BigInt(thread.ctx.nr) : EINTR);
    }
    blocked.release();
    thread.blocked = null;
    this.scheduleRun(thread, thread.process.host);
  }

  /** Resumes `thread` as said, then continues it through its remaining stops until its final status. */
  private collect(thread: Thread, first: Resume): StopKind {
    let kind = this.backend.resumeWait(thread.realTid, first, 0n, thread.realTid);
    // A killed task stays in its EXIT stop until continued (docs/ptrace-notes.md §4).
    while (kind !== StopKind.Exited && kind !== StopKind.Signaled && kind !== StopKind.None) {
      kind = this.backend.resumeWait(thread.realTid, Resume.Continue, 0n, thread.realTid);
    }
    return kind;
  }

  /** A process's threads with the leader last: the kernel reports the leader's end after all others'. */
  private leaderLast(process: Process): Thread[] {
    const threads = [...process.tasks.values()];
    return [...threads.filter((t) => t.realTid !== process.realPid), ...threads.filter((t) => t.realTid === process.realPid)];
  }

  /** The caller's syscall-exit stop; false when it must not run on (held by vfork). */
  private onSyscallExit(thread: Thread, value: bigint): boolean {
    const pending = thread.pendingClone;
    if (pending) {
      thread.pendingClone = null;
      const child = pending.child;
      if (value < 0n || !child) {
        thread.resumeWith(Resume.SetReturn, value);
        return true;
      }
      const vtid = BigInt(child.tid);
      if (pending.request.parentTidAddress !== 0n) writeU32(thread.process, pending.request.parentTidAddress, child.tid);
      thread.resumeWith(Resume.SetReturn, vtid);
      if (pending.request.holdParent && child.process.vforkParent) {
        thread.held = true; // released when the child execs or exits (releaseVforkParent)
        return false;
      }
      return true;
    }
    const map = thread.mapResult;
    thread.mapResult = null;
    thread.resumeWith(Resume.SetReturn, map ? map(value) : value);
    return true;
  }

  /**
   * A fork/vfork/clone event in the caller: the new task exists. Registers it, parks it until it
   * is scheduled, and lets the caller go on to its syscall exit. A native vfork leaves the caller
   * waiting in the kernel: it is not waited for until the child releases it.
   */
  private onCloneEvent(thread: Thread, childTid: number, nativeVfork: boolean): boolean {
    const pending = thread.pendingClone;
    if (!pending) {
      this.log.error({ host: thread.process.host.name }, `${thread.process.displayName} created a task outside a clone result; it is left stopped`);
      return true;
    }
    pending.child = this.createChild(thread, childTid, pending.request, pending.stack);
    if (nativeVfork && pending.child) {
      this.backend.resumeWait(thread.realTid, Resume.ToExit, 0n, 0);
      thread.resumeWith(Resume.None); // its syscall exit comes once the kernel releases it
      thread.held = true;
      pending.child.process.vforkParent = { thread, stack: null };
      return false;
    }
    thread.resumeWith(Resume.ToExit);
    return true;
  }

  /** Creates the simulator's side of a task the kernel just created, and schedules it. */
  private createChild(parent: Thread, realTid: number, request: CloneRequest, stack: bigint): Thread | null {
    // The new task's first stop must be collected before anything else touches it (docs/ptrace-notes.md §6).
    const first = this.backend.resumeWait(realTid, Resume.None, 0n, realTid);
    if (first === StopKind.Exited || first === StopKind.Signaled || first === StopKind.None) return null;
    const host = parent.process.host;
    const vtid = host.allocateId();
    let child: Thread;
    if (request.thread) {
      child = this.newThread(vtid, realTid, parent.process);
    } else {
      const source = parent.process;
      const process = new Process(
        host,
        vtid,
        request.sameParent ? source.parent : source,
        source.name,
        realTid,
        new ProcessMemory(this.backend, realTid),
        host.current,
        null,
        request.shareFiles ? source.fds.share() : source.fds.copy(),
      );
      process.execed = source.execed;
      host.live.set(vtid, process);
      host.virtualPids.set(realTid, vtid);
      if (request.holdParent) process.vforkParent = { thread: parent, stack: request.restoreParentStack ? stack : null };
      child = this.newThread(vtid, realTid, process);
    }
    child.process.tasks.set(vtid, child);
    if (request.childTidAddress !== 0n) writeU32(child.process, request.childTidAddress, vtid);
    child.resumeWith(Resume.Continue);
    this.kernel.hooks.clone.call({ parent, child, thread: request.thread });
    this.scheduleRun(child, host);
    return child;
  }

  /** A vfork child execs or exits: its parent runs again. */
  private releaseVforkParent(process: Process): void {
    const held = process.vforkParent;
    if (!held) return;
    process.vforkParent = null;
    held.thread.held = false;
    this.scheduleRun(held.thread, held.thread.process.host);
  }

  /**
   * A thread is exiting (PTRACE_EVENT_EXIT, memory still readable). Returns false when the
   * thread must not be waited for now: a leader leaving with other threads alive stays a zombie
   * until the last one ends, as in Linux.
   */
  private onExitEvent(thread: Thread, status: number): boolean {
    const process = thread.process;
    const vfork = process.vforkParent;
    if (vfork?.stack != null) restoreStack(this.backend, process, vfork.thread.process, vfork.stack);
    const others = [...process.tasks.values()].filter((t) => t !== thread && !t.exited);
    if (others.length === 0) return true;
    const groupExit = thread.ctx.name === 'exit_group' || (status & 0x7f) !== 0;
    if (groupExit) {
      // exit_group or a fatal signal took every thread: collect them all, the leader last.
      this.backend.resumeWait(thread.realTid, Resume.Continue, 0n, 0);
      for (const other of this.leaderLast(process)) {
        if (other === thread) continue;
        other.blocked?.release();
        other.blocked = null;
        if (other.wakeEvent) other.wakeEvent.cancelled = true;
        const kind = this.collect(other, Resume.None);
        this.onThreadExit(other, finalOf(kind, this.backend.stop));
      }
      thread.resumeWith(Resume.None);
      return true;
    }
    if (thread.realTid === process.realPid) {
      // The leader called exit(2) alone: its final status comes after the last thread's.
      this.backend.resumeWait(thread.realTid, Resume.Continue, 0n, 0);
      thread.exited = true;
      process.tasks.delete(thread.tid);
      this.kernel.hooks.threadExit.call(thread);
      return false;
    }
    return true;
  }

  /** Handles a seccomp stop; false when the thread stops running (blocked or yielded). */
  private onSyscall(thread: Thread): boolean {
    const stop = this.backend.stop;
    const ctx = thread.ctx;
    const nr = Number(stop[Stop.Nr]);
    ctx.args.words.set(stop.subarray(Stop.Arg0, Stop.Arg0 + 6));
    ctx.begin(nr, thread.process.host.current);
    thread.syscallStack = BigInt.asUintN(64, stop[Stop.Sp]!);
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
      case 'errno': {
        // A call that moved bytes before failing returns their count (the partial-transfer rule).
        const moved = thread.ctx.call.transferred;
        thread.resumeWith(Resume.Return, moved > 0 ? BigInt(moved) : BigInt(-result.errno));
        break;
      }
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
        this.park(thread, result.on, result.restartable, result.nativeOnSignals ?? 0n, result.onInterrupt);
        return false;
      case 'clone': {
        const { request } = result;
        if (request.rewrite) {
          const args = new BigInt64Array(6);
          request.rewrite.args.forEach((a, i) => (args[i] = a));
          this.backend.setSyscall(thread.realTid, request.rewrite.nr, args);
        }
        thread.pendingClone = { request, stack: thread.syscallStack, child: null };
        thread.resumeWith(Resume.ToExit);
        return true;
      }
    }
    return this.applyLatency(thread);
  }

  /** Parks `thread` at its stop until the condition fires. */
  private park(
    thread: Thread,
    condition: WaitCondition,
    restartable: boolean,
    nativeOnSignals: bigint,
    onInterrupt: (() => void) | undefined,
  ): void {
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
      nativeOnSignals,
      onInterrupt,
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
    // A configured process keeps the name of its configured path (its output files use it);
    // a forked child that execs takes the new program's name.
    if (process.execed) process.name = commandName(pid) ?? process.name;
    process.execed = true;
    this.releaseVforkParent(process);
    const event: ExecEvent = { process, host: process.host, memory: process.memory, auxv: readAuxv(pid) };
    this.kernel.hooks.exec.call(event);
  }

  private onSignal(thread: Thread, signal: number): void {
    const process = thread.process;
    this.fixSender(thread, signal);
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

  /**
   * The siginfo of a signal about to be delivered names the real sender (the simulator for
   * signals it sent, a real pid otherwise). Programs see the virtual sender: the one recorded when
   * the signal was sent, or the virtual pid of a real one (SIGCHLD from a child).
   */
  private fixSender(thread: Thread, signal: number): void {
    const stop = this.backend.stop;
    const recorded = thread.senders.get(signal);
    if (recorded) {
      thread.senders.delete(signal);
      this.backend.setSignalSender(thread.realTid, recorded.code, recorded.pid);
      return;
    }
    const code = Number(stop[Stop.Arg0]);
    const virtual = thread.process.host.virtualPids.get(Number(stop[Stop.Arg0 + 2]));
    // Only codes whose siginfo carries a pid: SI_USER/SI_TKILL/SI_QUEUE and SIGCHLD's CLD_*.
    if (virtual !== undefined && (code <= 0 || signal === constants.signals.SIGCHLD)) {
      this.backend.setSignalSender(thread.realTid, code, virtual);
    }
  }

  private onThreadExit(thread: Thread, final: FinalState): void {
    thread.exited = true;
    thread.blocked?.release();
    thread.blocked = null;
    const process = thread.process;
    process.tasks.delete(thread.tid);
    this.kernel.hooks.threadExit.call(thread);
    if (process.tasks.size > 0) return;
    const leader = process.realPid !== thread.realTid ? process.realPid : null;
    if (leader !== null) {
      // A zombie leader reports the group's final status once its last thread is gone.
      const kind = this.backend.resumeWait(leader, Resume.None, 0n, leader);
      final = finalOf(kind, this.backend.stop);
    }
    process.fds.detach();
    process.ended(final);
    this.releaseVforkParent(process);
    // The kernel queued SIGCHLD for the real parent when the child's end was collected above.
    const parentThread = process.parent && mainThread(process.parent);
    if (parentThread) this.wakeForSignal(parentThread, constants.signals.SIGCHLD);
    this.onProcessExit(process);
  }
}

/** The final state a final stop reports. */
function finalOf(kind: StopKind, stop: BigInt64Array): FinalState {
  if (kind === StopKind.Exited) return { exited: Number(stop[Stop.Msg]) };
  if (kind === StopKind.Signaled) return { signaled: Number(stop[Stop.Msg]) };
  return { signaled: constants.signals.SIGKILL };
}

/** Stores a 32-bit tid in a process's memory (CLONE_PARENT_SETTID / CHILD_SETTID words). */
function writeU32(process: Process, addr: bigint, value: number): void {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  process.memory.write(addr, bytes);
}
