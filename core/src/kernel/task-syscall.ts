/**
 * The syscall path of a thread: a seccomp stop is dispatched to the kernel's hooks and the
 * handler's result is settled into how the real task resumes — including the partial-transfer
 * rule, native and rewritten calls, their syscall-exit results, and modelled CPU latency.
 * Each function returns false when the thread stops running (it blocked or yielded).
 */
import { Resume, Stop } from '@shadow-ts/native';
import { Errno, type CallStep, type ResultMapper, type SyscallResult, type WakeReason } from '@shadow-ts/plugin-sdk';
import { SUPPORT, SYSCALL_NAMES } from '../abi/support.js';
import type { ReadCost, ReadsTaken } from './fast-time.js';
import type { LatencyModel, TaskEnv } from './runner.js';
import { checkCallStep } from './results.js';
import { park } from './task-block.js';
import { cloneReturned } from './task-clone.js';
import type { Thread } from './thread.js';

/** Handles a seccomp stop. */
export function onSyscall(env: TaskEnv, thread: Thread): boolean {
  const stop = env.backend.stop;
  const ctx = thread.ctx;
  const nr = Number(stop[Stop.Nr]);
  ctx.args.words.set(stop.subarray(Stop.Arg0, Stop.Arg0 + 6));
  thread.beginSyscall(nr, thread.process.host.current, BigInt.asUintN(64, stop[Stop.Sp]!));
  const name = SYSCALL_NAMES[nr];
  if (name === undefined) {
    // A number newer than our table: nobody can have tapped it.
    return settle(env, thread, env.kernel.enosys(ctx, `syscall_${nr}`));
  }
  ctx.name = name;
  return settle(env, thread, env.kernel.dispatch(ctx));
}

/** The parked call's condition fired (or its deadline passed): the same handler runs again. */
export function rerunParked(env: TaskEnv, thread: Thread, wake: WakeReason | null): boolean {
  thread.unpark();
  thread.ctx.rerun(wake, thread.process.host.current);
  return settle(env, thread, env.kernel.dispatch(thread.ctx));
}

/** The syscall-exit stop of a call let through: a clone's result, or a native result to map. */
export function onSyscallExit(env: TaskEnv, thread: Thread, value: bigint): boolean {
  const pending = thread.takePendingClone();
  if (pending) return cloneReturned(thread, pending, value);
  const map = thread.takeResultMapper();
  thread.resumeWith(Resume.SetReturn, map ? map(value) : value);
  return true;
}

/** Acts on a handler's result. */
function settle(env: TaskEnv, thread: Thread, result: SyscallResult): boolean {
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
      thread.runNatively(observed(env, thread, result.mapResult ?? null));
      break;
    case 'rewrite':
      rewriteSyscall(env, thread, result.nr, result.args);
      thread.runNatively(observed(env, thread, result.mapResult ?? null));
      break;
    case 'block':
      park(env, thread, result.on, result.restartable, result.nativeOnSignals ?? 0n, result.onInterrupt, result.mapResult);
      return false;
    case 'clone':
      if (result.request.rewrite) rewriteSyscall(env, thread, result.request.rewrite.nr, result.request.rewrite.args);
      thread.beginClone(result.request);
      return true;
    case 'calls': {
      const first = result.next(null);
      checkCallStep(first);
      if (typeof first === 'bigint') {
        thread.resumeWith(Resume.Return, first);
        break;
      }
      rewriteSyscall(env, thread, first.nr, first.args);
      thread.runNatively(observed(env, thread, (value) => runMoreCalls(env, thread, result.next, value, result.abandoned)));
      break;
    }
  }
  return applyLatency(env, thread);
}

/** The mapper of a native call, extended to show its result to nativeExit observers, if any. */
function observed(env: TaskEnv, thread: Thread, map: ResultMapper | null): ResultMapper | null {
  if (!env.kernel.observesNativeExits) return map;
  const { ctx } = thread;
  return (nativeResult) => {
    const value = map ? map(nativeResult) : nativeResult;
    env.kernel.hooks.nativeExit.call(ctx, value);
    return value;
  };
}

/**
 * The latency a thread pays for one more non-blocking call in a row: none until it has made
 * `threshold` of them without parking (counted, not timed, so runs repeat), then Shadow's
 * unblocked-call latency, with one warning naming the process.
 */
function busyLoopLatency(env: TaskEnv, thread: Thread): LatencyModel | null {
  if (!env.busyLoop || ++thread.unblockedCalls <= env.busyLoop.threshold) return null;
  warnBusyLoop(env, thread);
  return env.busyLoop.latency;
}

/** The one warning for a process whose thread is caught in a busy loop. */
function warnBusyLoop(env: TaskEnv, thread: Thread): void {
  const process = thread.process;
  const { threshold, latency } = env.busyLoop!;
  env.kernel.warnOnce(
    `busy-loop:${process.host.name}:${process.pid}`,
    `process '${process.displayName}' made ${threshold} calls in a row without blocking or simulated time ` +
      `passing; each further one costs ${latency.syscall} ns (experimental.unblocked_syscall_latency) until it ` +
      `blocks, as with model_unblocked_syscall_latency (busy_loop_threshold in .shadowrc; 0 turns this off)`,
    process.host.name,
  );
}

/**
 * The rest of a `runCalls` sequence, from the syscall-exit stop of its first call (the issued
 * call rewritten): each next call is injected at the `syscall` instruction just executed, and
 * what the last step answers is what the program's call returns. A task that stops otherwise
 * on the way (killed) leaves the sequence unfinished; the runner sees it end.
 */
function runMoreCalls(env: TaskEnv, thread: Thread, next: CallStep, first: bigint, abandoned: (() => void) | undefined): bigint {
  const inject = injector(env, thread.realTid, BigInt.asUintN(64, env.backend.stop[Stop.Ip]!) - SYSCALL_INSN_BYTES);
  let previous = first;
  for (;;) {
    const step = next(previous);
    checkCallStep(step);
    if (typeof step === 'bigint') return step;
    const result = inject(step.nr, step.args);
    if (result === null) {
      abandoned?.();
      return -BigInt(Errno.EINTR);
    }
    previous = result;
  }
}

/** The length of x86_64's `syscall` instruction (0f 05): the stopped IP is just past it. */
const SYSCALL_INSN_BYTES = 2n;

/**
 * Runs syscalls in task `tid`, stopped at a syscall exit, at the `syscall` instruction at
 * `syscallInsn` (backend.injectSyscall): each call's result, or null when the task stopped
 * otherwise first (killed).
 */
export function injector(env: TaskEnv, tid: number, syscallInsn: bigint): (nr: number, args: readonly bigint[]) => bigint | null {
  const words = new BigInt64Array(6);
  return (nr, args) => {
    words.fill(0n);
    args.forEach((a, i) => (words[i] = a));
    return env.backend.injectSyscall(tid, syscallInsn, nr, words);
  };
}

/** Makes the real task run syscall `nr` with `args` instead of the one it issued. */
function rewriteSyscall(env: TaskEnv, thread: Thread, nr: number, args: readonly bigint[]): void {
  const words = new BigInt64Array(6);
  args.forEach((a, i) => (words[i] = a));
  env.backend.setSyscall(thread.realTid, nr, words);
}

/** Adds the modelled CPU time of the call just settled (a vDSO-priced one or a syscall). */
function applyLatency(env: TaskEnv, thread: Thread): boolean {
  return chargeCpu(env, thread, SUPPORT[thread.ctx.name]?.vdso === true);
}

/** For time reads answered in the process (fast-time.ts): what a read costs `thread` now. */
export function readCost(env: TaskEnv, thread: Thread): ReadCost | null {
  if (env.latency) return { freeReads: 0, vdso: env.latency.vdso, maxUnapplied: env.latency.maxUnapplied };
  if (!env.busyLoop) return null;
  const { threshold, latency } = env.busyLoop;
  return { freeReads: Math.max(0, threshold - thread.unblockedCalls), vdso: latency.vdso, maxUnapplied: latency.maxUnapplied };
}

/** Takes back what the reads answered in the process did, as if each had trapped. */
export function adoptReads(env: TaskEnv, thread: Thread, taken: ReadsTaken): void {
  thread.process.host.adoptReads(taken.now, taken.unapplied);
  if (env.latency || !env.busyLoop) return;
  const before = thread.unblockedCalls;
  thread.unblockedCalls += taken.reads;
  if (before <= env.busyLoop.threshold && thread.unblockedCalls > env.busyLoop.threshold) warnBusyLoop(env, thread);
}

/**
 * Adds modelled CPU time for one operation that did not block — priced as a vDSO time read
 * (`vdso`: also rdtsc) or as a syscall; false when the thread must yield until its host's clock
 * catches up. Without model_unblocked_syscall_latency only a thread caught in a busy loop pays.
 */
export function chargeCpu(env: TaskEnv, thread: Thread, vdso: boolean): boolean {
  const model = env.latency ?? busyLoopLatency(env, thread);
  if (!model) return true;
  const host = thread.process.host;
  const cost = vdso ? model.vdso : model.syscall;
  const resumeAt = host.chargeLatency(cost, model.maxUnapplied);
  if (resumeAt === null) return true;
  env.scheduleRun(thread, host, resumeAt);
  return false;
}
