import type { SyscallContext, SyscallResult } from '@shadow-ts/plugin-sdk';
import { onRealPid } from './pids.js';

/** sysProcessVmReadv implements Linux syscall process_vm_readv(2) on virtual pids of the caller's host. */
export function sysProcessVmReadv(ctx: SyscallContext): SyscallResult {
  return onRealPid(ctx, 0);
}

/** sysProcessVmWritev implements Linux syscall process_vm_writev(2) on virtual pids of the caller's host. */
export function sysProcessVmWritev(ctx: SyscallContext): SyscallResult {
  return onRealPid(ctx, 0);
}

/** sysGetRobustList implements Linux syscall get_robust_list(2) on virtual tids of the caller's host. */
export function sysGetRobustList(ctx: SyscallContext): SyscallResult {
  return onRealPid(ctx, 0);
}

/** sysMigratePages implements Linux syscall migrate_pages(2) on virtual pids of the caller's host. */
export function sysMigratePages(ctx: SyscallContext): SyscallResult {
  return onRealPid(ctx, 0);
}

/** sysMovePages implements Linux syscall move_pages(2) on virtual pids of the caller's host. */
export function sysMovePages(ctx: SyscallContext): SyscallResult {
  return onRealPid(ctx, 0);
}
