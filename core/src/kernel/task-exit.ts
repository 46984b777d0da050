/**
 * Ends: a thread's exit event (a vfork child's stack copied back, a group exit collecting every
 * thread, a leader exiting alone), a thread's final status, the end of its process, and
 * killing a process at the end of the simulation.
 */
import { Resume, Stop, StopKind } from '@shadow-ts/native';
import { constants } from 'node:os';
import type { FinalState, Process } from './process.js';
import { restoreStack } from './procfs.js';
import type { TaskEnv } from './runner.js';
import { releaseVforkParent } from './task-clone.js';
import { wakeForSignal } from './task-signals.js';
import type { Thread } from './thread.js';

/**
 * A thread is exiting (PTRACE_EVENT_EXIT, memory still readable). Returns false when the
 * thread must not be waited for now: a leader leaving with other threads alive stays a zombie
 * until the last one ends, as in Linux.
 */
export function onExitEvent(env: TaskEnv, thread: Thread, status: number): boolean {
  const process = thread.process;
  const vfork = process.vforkParent;
  if (vfork?.stack != null) restoreStack(env.backend, process, vfork.thread.process, vfork.stack);
  const others = [...process.tasks.values()].filter((t) => t !== thread && !t.exited);
  if (others.length === 0) return true;
  const groupExit = thread.ctx.name === 'exit_group' || (status & 0x7f) !== 0;
  if (groupExit) {
    // exit_group or a fatal signal took every thread: collect them all, the leader last (docs/ptrace-notes.md §4).
    env.backend.resumeWait(thread.realTid, Resume.Continue, 0n, 0);
    for (const other of process.tasksLeaderLast()) {
      if (other === thread) continue;
      const kind = stopRunning(env, other);
      onThreadExit(env, other, finalOf(kind, env.backend.stop));
    }
    thread.resumeWith(Resume.None);
    return true;
  }
  if (thread.realTid === process.realPid) {
    // The leader called exit(2) alone: its final status comes after the last thread's.
    env.backend.resumeWait(thread.realTid, Resume.Continue, 0n, 0);
    thread.markExited();
    process.removeTask(thread);
    env.kernel.hooks.threadExit.call(thread);
    return false;
  }
  return true;
}

/** `thread` has ended with `final`; the last thread of a process ends the process. */
export function onThreadExit(env: TaskEnv, thread: Thread, final: FinalState): void {
  thread.markExited();
  thread.unpark();
  const process = thread.process;
  process.removeTask(thread);
  env.kernel.hooks.threadExit.call(thread);
  if (process.tasks.size > 0) return;
  const leader = process.realPid !== thread.realTid ? process.realPid : null;
  if (leader !== null) {
    // A zombie leader reports the group's final status once its last thread is gone.
    const kind = env.backend.resumeWait(leader, Resume.None, 0n, leader);
    final = finalOf(kind, env.backend.stop);
  }
  process.fds.detach();
  process.ended(final);
  releaseVforkParent(env, process);
  // The kernel queued SIGCHLD for the real parent when the child's end was collected above.
  const parentThread = process.parent?.mainThread();
  if (parentThread) wakeForSignal(env, parentThread, constants.signals.SIGCHLD);
  env.onProcessExit(process);
}

/** Kills every thread of `process` with SIGKILL and collects their ends (stop_time). */
export function killProcess(env: TaskEnv, process: Process): void {
  env.backend.signal(process.realPid, process.realPid, constants.signals.SIGKILL);
  for (const thread of process.tasksLeaderLast()) {
    stopRunning(env, thread);
    thread.markExited();
  }
  process.clearTasks();
  process.fds.detach();
}

/** Takes a thread that another's end took with it off its parked call and its schedule, and collects its final stop. */
function stopRunning(env: TaskEnv, thread: Thread): StopKind {
  thread.unpark();
  thread.cancelWake();
  return collect(env, thread, Resume.None);
}

/** Resumes `thread` as said, then continues it through its remaining stops until its final status. */
function collect(env: TaskEnv, thread: Thread, first: Resume): StopKind {
  let kind = env.backend.resumeWait(thread.realTid, first, 0n, thread.realTid);
  // A killed task stays in its EXIT stop until continued (docs/ptrace-notes.md §4).
  while (kind !== StopKind.Exited && kind !== StopKind.Signaled && kind !== StopKind.None) {
    kind = env.backend.resumeWait(thread.realTid, Resume.Continue, 0n, thread.realTid);
  }
  return kind;
}

/** The final state a final stop reports. */
function finalOf(kind: StopKind, stop: BigInt64Array): FinalState {
  if (kind === StopKind.Exited) return { exited: Number(stop[Stop.Msg]) };
  if (kind === StopKind.Signaled) return { signaled: Number(stop[Stop.Msg]) };
  return { signaled: constants.signals.SIGKILL };
}
