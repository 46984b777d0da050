import { Errno, errno, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { onRealPid } from './pids.js';

/**
 * sysPrlimit64 implements Linux syscall prlimit64(2) on virtual pids of the caller's host (0: the
 * caller): the kernel applies the limits to the real process behind the virtual pid, and checks
 * the resource, the limits and the permission itself. No pid reaches a process outside the host,
 * so a limit such as RLIMIT_CPU can end a managed process but never the simulator.
 */
export function sysPrlimit64(ctx: SyscallContext): SyscallResult {
  // The kernel reads the new limits before it looks the pid up (kernel/sys.c).
  const newLimits = ctx.args.ptr(2);
  if (newLimits !== 0n && !ctx.memory.read(newLimits, 16)) return errno(Errno.EFAULT);
  return onRealPid(ctx, 0);
}
