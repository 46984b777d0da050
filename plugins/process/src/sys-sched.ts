import { Errno, block, errno, native, ok, rewrite, waitFor, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { argsWith, hostThread, onRealPid } from './pids.js';

/**
 * sysSchedYield implements Linux syscall sched_yield(2): the thread steps back behind every
 * other event of this instant, so the host's other threads run before it goes on.
 */
export function sysSchedYield(ctx: SyscallContext): SyscallResult {
  return ctx.restarted ? ok() : block(waitFor.deadline(ctx.now));
}

/**
 * sysSchedGetaffinity implements Linux syscall sched_getaffinity(2) for one simulated CPU, CPU 0:
 * the kernel runs the call on the real task behind the pid, so the size checks and the length it
 * returns (its CPU mask size) are its own, and the mask it wrote is replaced by CPU 0 alone.
 */
export function sysSchedGetaffinity(ctx: SyscallContext): SyscallResult {
  const memory = ctx.memory;
  const addr = ctx.args.ptr(2);
  const oneCpu = (ret: bigint): bigint => {
    if (ret > 0n) {
      const mask = new Uint8Array(Number(ret));
      mask[0] = 1;
      memory.write(addr, mask);
    }
    return ret;
  };
  const pid = ctx.args.int(0);
  if (pid <= 0) return native(oneCpu);
  const thread = hostThread(ctx, pid);
  return thread ? rewrite(ctx.nr, argsWith(ctx, 0, BigInt(thread.nativeTid)), oneCpu) : errno(Errno.ESRCH);
}

/**
 * sysSchedSetaffinity implements Linux syscall sched_setaffinity(2) for the one simulated CPU: a
 * mask that holds CPU 0 is accepted and not applied (the real pinning of the run stays).
 */
export function sysSchedSetaffinity(ctx: SyscallContext): SyscallResult {
  const pid = ctx.args.int(0);
  // The kernel copies the mask first; bytes beyond its own mask size are ignored.
  const mask = ctx.memory.read(ctx.args.ptr(2), Math.min(ctx.args.sizeT(1), 8));
  if (!mask) return errno(Errno.EFAULT);
  if (pid !== 0 && !hostThread(ctx, pid)) return errno(Errno.ESRCH);
  return mask.length > 0 && (mask[0]! & 1) !== 0 ? ok() : errno(Errno.EINVAL);
}

/** sysSchedSetscheduler implements Linux syscall sched_setscheduler(2) on virtual tids of the caller's host. */
export function sysSchedSetscheduler(ctx: SyscallContext): SyscallResult {
  return onRealPid(ctx, 0);
}

/** sysSchedGetscheduler implements Linux syscall sched_getscheduler(2) on virtual tids of the caller's host. */
export function sysSchedGetscheduler(ctx: SyscallContext): SyscallResult {
  return onRealPid(ctx, 0);
}

/** sysSchedSetparam implements Linux syscall sched_setparam(2) on virtual tids of the caller's host. */
export function sysSchedSetparam(ctx: SyscallContext): SyscallResult {
  return onRealPid(ctx, 0);
}

/** sysSchedGetparam implements Linux syscall sched_getparam(2) on virtual tids of the caller's host. */
export function sysSchedGetparam(ctx: SyscallContext): SyscallResult {
  return onRealPid(ctx, 0);
}

/** sysSchedSetattr implements Linux syscall sched_setattr(2) on virtual tids of the caller's host. */
export function sysSchedSetattr(ctx: SyscallContext): SyscallResult {
  return onRealPid(ctx, 0);
}

/** sysSchedGetattr implements Linux syscall sched_getattr(2) on virtual tids of the caller's host. */
export function sysSchedGetattr(ctx: SyscallContext): SyscallResult {
  return onRealPid(ctx, 0);
}

/** sysSchedRrGetInterval implements Linux syscall sched_rr_get_interval(2) on virtual tids of the caller's host. */
export function sysSchedRrGetInterval(ctx: SyscallContext): SyscallResult {
  return onRealPid(ctx, 0);
}

/**
 * The priority calls on one task (`which` = `single`) run on its real tid; on a process group or
 * a user they would reach real processes outside the host (the simulator's own group and user
 * among them), so they are refused with EPERM. Unknown `which` values are EINVAL.
 */
function onePriorityTarget(ctx: SyscallContext, single: number, groupOrUser: readonly number[]): SyscallResult {
  const which = ctx.args.int(0);
  if (which === single) return onRealPid(ctx, 1);
  if (!groupOrUser.includes(which)) return errno(Errno.EINVAL);
  ctx.warnOnce(`${ctx.name}:which`, `${ctx.name}: process groups and users are not supported (they would reach processes outside the host); returning EPERM`);
  return errno(Errno.EPERM);
}

const PRIO_PROCESS = 0;
const PRIO_GROUP_OR_USER = [1, 2]; // PRIO_PGRP, PRIO_USER
const IOPRIO_WHO_PROCESS = 1;
const IOPRIO_WHO_GROUP_OR_USER = [2, 3]; // IOPRIO_WHO_PGRP, IOPRIO_WHO_USER

/** sysGetpriority implements Linux syscall getpriority(2) for PRIO_PROCESS on virtual tids. */
export function sysGetpriority(ctx: SyscallContext): SyscallResult {
  return onePriorityTarget(ctx, PRIO_PROCESS, PRIO_GROUP_OR_USER);
}

/** sysSetpriority implements Linux syscall setpriority(2) for PRIO_PROCESS on virtual tids. */
export function sysSetpriority(ctx: SyscallContext): SyscallResult {
  return onePriorityTarget(ctx, PRIO_PROCESS, PRIO_GROUP_OR_USER);
}

/** sysIoprioGet implements Linux syscall ioprio_get(2) for IOPRIO_WHO_PROCESS on virtual tids. */
export function sysIoprioGet(ctx: SyscallContext): SyscallResult {
  return onePriorityTarget(ctx, IOPRIO_WHO_PROCESS, IOPRIO_WHO_GROUP_OR_USER);
}

/** sysIoprioSet implements Linux syscall ioprio_set(2) for IOPRIO_WHO_PROCESS on virtual tids. */
export function sysIoprioSet(ctx: SyscallContext): SyscallResult {
  return onePriorityTarget(ctx, IOPRIO_WHO_PROCESS, IOPRIO_WHO_GROUP_OR_USER);
}
