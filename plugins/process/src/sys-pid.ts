import { ok, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import type { ProcessState } from './state.js';

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

/** sysSetTidAddress implements Linux syscall set_tid_address(2). */
export function sysSetTidAddress(ctx: SyscallContext, state: ProcessState): SyscallResult {
  state.clearChildTid.set(ctx.thread, ctx.args.ptr(0));
  return ok(ctx.thread.tid);
}
