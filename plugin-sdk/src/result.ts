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
  | { readonly kind: 'block'; readonly on: WaitCondition; readonly restartable: boolean }
  | { readonly kind: 'native'; readonly mapResult?: ResultMapper }
  | {
      readonly kind: 'rewrite';
      readonly nr: number;
      readonly args: readonly bigint[];
      readonly mapResult?: ResultMapper;
    };

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
 */
export function block(on: WaitCondition, options: { restartable?: boolean } = {}): SyscallResult {
  return { kind: 'block', on, restartable: options.restartable ?? true };
}

/** Let the kernel run the syscall as the program issued it; `mapResult` rewrites what it returns. */
export function native(mapResult?: ResultMapper): SyscallResult {
  return mapResult ? { kind: 'native', mapResult } : { kind: 'native' };
}

/** Run syscall `nr` with `args` natively instead (how vfork becomes fork). */
export function rewrite(nr: number, args: readonly bigint[], mapResult?: ResultMapper): SyscallResult {
  return mapResult ? { kind: 'rewrite', nr, args, mapResult } : { kind: 'rewrite', nr, args };
}
