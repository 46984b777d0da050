import { ok, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';

/** sysGetpid implements Linux syscall getpid(2). */
export function sysGetpid(ctx: SyscallContext): SyscallResult {
  return ok(ctx.process.pid);
}

/** sysGetppid implements Linux syscall getppid(2). */
export function sysGetppid(ctx: SyscallContext): SyscallResult {
  return ok(ctx.process.parentPid);
}

/** sysGettid implements Linux syscall gettid(2). */
export function sysGettid(ctx: SyscallContext): SyscallResult {
  return ok(ctx.thread.tid);
}

/** Each thread's clear_child_tid address (set_tid_address(2)), kept for thread exit. */
export const clearChildTid = new WeakMap<object, bigint>();

/** sysSetTidAddress implements Linux syscall set_tid_address(2). */
export function sysSetTidAddress(ctx: SyscallContext): SyscallResult {
  clearChildTid.set(ctx.thread, ctx.args.ptr(0));
  return ok(ctx.thread.tid);
}
