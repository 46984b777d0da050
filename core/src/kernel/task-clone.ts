/**
 * New tasks: the fork/vfork/clone event that creates one, the simulator's side of it (virtual
 * id, process or thread, tid words), the clone's result at the caller's syscall exit, and the
 * vfork hold — the parent kept from running until its child execs or exits.
 */
import { Resume, StopKind } from '@shadow-ts/native';
import type { CloneRequest } from '@shadow-ts/plugin-sdk';
import { Process } from './process.js';
import type { TaskEnv } from './runner.js';
import type { PendingClone, Thread } from './thread.js';

/**
 * A fork/vfork/clone event in the caller: the new task exists. Registers it, parks it until it
 * is scheduled, and lets the caller go on to its syscall exit. A native vfork leaves the caller
 * waiting in the kernel: it is not waited for until the child releases it. False when the
 * caller must not run on.
 */
export function onCloneEvent(env: TaskEnv, thread: Thread, childTid: number, nativeVfork: boolean): boolean {
  const pending = thread.pendingClone;
  if (!pending) {
    env.log.error({ host: thread.process.host.name }, `${thread.process.displayName} created a task outside a clone result; it is left stopped`);
    return true;
  }
  const child = createChild(env, thread, childTid, pending.request, pending.stack);
  thread.cloneCreated(child);
  if (nativeVfork && child) {
    env.backend.resumeWait(thread.realTid, Resume.ToExit, 0n, 0);
    thread.resumeWith(Resume.None); // its syscall exit comes once the kernel releases it
    thread.hold();
    child.process.holdVforkParent({ thread, stack: null });
    return false;
  }
  thread.resumeWith(Resume.ToExit);
  return true;
}

/**
 * The caller's syscall-exit stop after a clone: it returns the child's virtual tid (or the
 * kernel's error). False when it must not run on (held by vfork).
 */
export function cloneReturned(thread: Thread, pending: PendingClone, value: bigint): boolean {
  const child = pending.child;
  if (value < 0n || !child) {
    thread.resumeWith(Resume.SetReturn, value);
    return true;
  }
  if (pending.request.parentTidAddress !== 0n) writeU32(thread.process, pending.request.parentTidAddress, child.tid);
  thread.resumeWith(Resume.SetReturn, BigInt(child.tid));
  if (pending.request.holdParent && child.process.vforkParent) {
    thread.hold(); // released when the child execs or exits (releaseVforkParent)
    return false;
  }
  return true;
}

/** A vfork child execs or exits: its parent runs again. */
export function releaseVforkParent(env: TaskEnv, process: Process): void {
  const held = process.takeVforkParent();
  if (!held) return;
  held.thread.release();
  env.scheduleRun(held.thread, held.thread.process.host);
}

/** Creates the simulator's side of a task the kernel just created, and schedules it. */
function createChild(env: TaskEnv, parent: Thread, realTid: number, request: CloneRequest, stack: bigint): Thread | null {
  // The new task's first stop must be collected before anything else touches it (docs/ptrace-notes.md §6).
  const first = env.backend.resumeWait(realTid, Resume.None, 0n, realTid);
  if (first === StopKind.Exited || first === StopKind.Signaled || first === StopKind.None) return null;
  const host = parent.process.host;
  const vtid = host.allocateId();
  let child: Thread;
  if (request.thread) {
    child = env.newThread(vtid, realTid, parent.process);
  } else {
    const source = parent.process;
    const process = new Process(
      host,
      vtid,
      request.sameParent ? source.parent : source,
      source.name,
      realTid,
      env.backend,
      host.current,
      null,
      request.shareFiles ? source.fds.share() : source.fds.copy(),
    );
    process.inheritExecState(source);
    host.addProcess(process);
    if (request.holdParent) process.holdVforkParent({ thread: parent, stack: request.restoreParentStack ? stack : null });
    child = env.newThread(vtid, realTid, process);
  }
  child.process.addTask(child);
  if (request.childTidAddress !== 0n) writeU32(child.process, request.childTidAddress, vtid);
  child.resumeWith(Resume.Continue);
  env.kernel.hooks.clone.call({ parent, child, thread: request.thread });
  if (!request.thread) env.kernel.hooks.processStart.call(child.process);
  env.scheduleRun(child, host);
  return child;
}

/** Stores a 32-bit tid in a process's memory (CLONE_PARENT_SETTID / CHILD_SETTID words). */
function writeU32(process: Process, addr: bigint, value: number): void {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, value, true);
  process.memory.write(addr, bytes);
}
