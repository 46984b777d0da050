import type { WaitCondition } from './wait.js';

/** Maps the native return value of a syscall before the program sees it. */
export type ResultMapper = (nativeResult: bigint) => bigint;

/**
 * What a syscall handler decided (Shadow's Done / Failed / Blocked / Native, plus rewrite).
 * Handlers return one of these, or `undefined` to pass the call to the next tap.
 */
export type SyscallResult =
  | { readonly kind: 'ok'; readonly value: bigint }
  | { readonly kind: 'errno'; readonly errno: number; readonly restartable: boolean }
  | {
      readonly kind: 'block';
      readonly on: WaitCondition;
      readonly restartable: boolean;
      /** Signals (bit n-1 for signal n) that end the wait by letting the kernel run the call. */
      readonly nativeOnSignals?: bigint;
      /** Called when a signal ends the wait with EINTR (e.g. nanosleep writes the time left). */
      readonly onInterrupt?: () => void;
      /** Rewrites what the kernel returns when a signal of `nativeOnSignals` made it run the call. */
      readonly mapResult?: ResultMapper;
    }
  | { readonly kind: 'native'; readonly mapResult?: ResultMapper }
  | {
      readonly kind: 'rewrite';
      readonly nr: number;
      readonly args: readonly bigint[];
      readonly mapResult?: ResultMapper;
    }
  | { readonly kind: 'clone'; readonly request: CloneRequest }
  | { readonly kind: 'calls'; readonly next: CallStep; readonly abandoned?: () => void };

/** A syscall the kernel runs in the calling thread for a handler (see `runCalls`). */
export interface NativeCall {
  readonly nr: number;
  readonly args: readonly bigint[];
}

/**
 * One step of `runCalls`: given what the previous call returned (null before the first), the
 * next call to run, or the value the program's syscall returns.
 */
export type CallStep = (previous: bigint | null) => NativeCall | bigint;

/**
 * A task the calling syscall creates natively (fork, vfork, clone, clone3). The kernel creates it;
 * the simulator gives it a virtual id on the host (returned to the caller), keeps it parked until
 * it is scheduled, and applies what the request says.
 */
export interface CloneRequest {
  /** A thread of the caller's process (CLONE_THREAD) rather than a new process. */
  readonly thread: boolean;
  /** The new process shares the caller's descriptor table (CLONE_FILES) instead of copying it. */
  readonly shareFiles: boolean;
  /** The new process's parent is the caller's parent (CLONE_PARENT). */
  readonly sameParent: boolean;
  /** vfork semantics: the caller does not run again until the child execs or exits. */
  readonly holdParent: boolean;
  /**
   * With `holdParent` on a copied address space (vfork as fork): when the child exits without
   * exec, copy the caller's stack back from the child, so results the child left there (e.g.
   * posix_spawn's exec error) reach the caller as with a real vfork.
   */
  readonly restoreParentStack: boolean;
  /** CLONE_PARENT_SETTID / CLONE_CHILD_SETTID addresses (0n: none): the virtual tid is stored there. */
  readonly parentTidAddress: bigint;
  readonly childTidAddress: bigint;
  /** The native syscall to run instead of the one issued (vfork → fork, flags rewritten), or null. */
  readonly rewrite: { readonly nr: number; readonly args: readonly bigint[] } | null;
}

/** The syscall succeeded with `value`. */
export function ok(value: bigint | number = 0n): SyscallResult {
  return { kind: 'ok', value: BigInt(value) };
}

/** The syscall failed with errno `e` (a positive Linux errno, e.g. `Errno.EINVAL`). */
export function errno(e: number, options: { restartable?: boolean } = {}): SyscallResult {
  return { kind: 'errno', errno: e, restartable: options.restartable ?? false };
}

/**
 * The syscall cannot complete now. The thread is parked; when the condition fires the same
 * handler chain runs again with `ctx.restarted === true` and `ctx.wake` saying why.
 * A signal that interrupts the wait ends it with EINTR (or a restart, for SA_RESTART handlers on
 * a restartable call); signals in `nativeOnSignals` instead let the kernel run the call itself
 * with the signal pending — how sigsuspend, sigtimedwait and pause see their signal — and
 * `mapResult` rewrites what that run returns.
 */
export function block(
  on: WaitCondition,
  options: { restartable?: boolean; nativeOnSignals?: bigint; onInterrupt?: () => void; mapResult?: ResultMapper } = {},
): SyscallResult {
  return { kind: 'block', on, ...options, restartable: options.restartable ?? true };
}

/** Let the kernel run the syscall as the program issued it; `mapResult` rewrites what it returns. */
export function native(mapResult?: ResultMapper): SyscallResult {
  return mapResult ? { kind: 'native', mapResult } : { kind: 'native' };
}

/** Run syscall `nr` with `args` natively instead (how vfork becomes fork). */
export function rewrite(nr: number, args: readonly bigint[], mapResult?: ResultMapper): SyscallResult {
  return mapResult ? { kind: 'rewrite', nr, args, mapResult } : { kind: 'rewrite', nr, args };
}

/**
 * Have the calling thread run syscalls of the handler's choosing, one after another, before the
 * program's call returns what `next` finally answers: how a call that must make several
 * descriptors in the caller (recvmsg with SCM_RIGHTS) gets them from the kernel. The program
 * sees none of them: its registers and signal mask are kept, and signals wait until the end.
 * `abandoned` runs instead of the last step when the thread is killed on the way.
 */
export function runCalls(next: CallStep, abandoned?: () => void): SyscallResult {
  return abandoned ? { kind: 'calls', next, abandoned } : { kind: 'calls', next };
}

/** Create a task natively as `request` says; the caller gets the child's virtual id. */
export function clone(request: CloneRequest): SyscallResult {
  return { kind: 'clone', request };
}
