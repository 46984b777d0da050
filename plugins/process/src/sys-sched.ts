import { Errno, block, errno, ok, waitFor, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';

/**
 * sysSchedYield implements Linux syscall sched_yield(2): the thread steps back behind every
 * other event of this instant, so the host's other threads run before it goes on.
 */
export function sysSchedYield(ctx: SyscallContext): SyscallResult {
  return ctx.restarted ? ok() : block(waitFor.deadline(ctx.now));
}

/** sysSchedGetaffinity implements Linux syscall sched_getaffinity(2): one simulated CPU, CPU 0. */
export function sysSchedGetaffinity(ctx: SyscallContext): SyscallResult {
  const pid = ctx.args.int(0);
  const size = ctx.args.sizeT(1);
  if (pid < 0) return errno(Errno.EINVAL);
  if (pid !== 0 && !ctx.host.processes().some((p) => p.threads().some((t) => t.tid === pid))) return errno(Errno.ESRCH);
  // The kernel copies whole longs and refuses buffers smaller than its CPU mask.
  if (size < 8 || size % 8 !== 0) return errno(Errno.EINVAL);
  const mask = new Uint8Array(8);
  mask[0] = 1;
  return ctx.memory.write(ctx.args.ptr(2), mask) ? ok(8) : errno(Errno.EFAULT);
}
