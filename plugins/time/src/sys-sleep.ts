import {
  Errno,
  block,
  errno,
  ok,
  readDuration,
  timespecBytes,
  waitFor,
  type SimTime,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import { CLOCK, EINVAL, clockKind } from './clocks.js';

const TIMER_ABSTIME = 1;

/** Clocks Linux cannot sleep on (their k_clock has no nsleep): clock_nanosleep is EOPNOTSUPP. */
const NO_NSLEEP: ReadonlySet<number> = new Set([CLOCK.THREAD_CPUTIME_ID, CLOCK.MONOTONIC_RAW, CLOCK.REALTIME_COARSE, CLOCK.MONOTONIC_COARSE]);

/**
 * Parks the thread until `deadline` (a deadline already passed completes at once). Sleeps are
 * never restarted after a signal handler (signal(7)): they fail with EINTR, and a relative sleep
 * reports the time left in `rem`.
 */
function sleepUntil(ctx: SyscallContext, deadline: SimTime, rem = 0n): SyscallResult {
  if (deadline <= ctx.now) return ok();
  const host = ctx.host;
  const memory = ctx.memory;
  const onInterrupt = rem === 0n ? undefined : () => void memory.write(rem, timespecBytes(deadline - host.now()));
  return block(waitFor.deadline(deadline), onInterrupt ? { restartable: false, onInterrupt } : { restartable: false });
}

/** sysNanosleep implements Linux syscall nanosleep(2). */
export function sysNanosleep(ctx: SyscallContext): SyscallResult {
  // The deadline is the only thing a sleep waits for: running again means it has passed.
  if (ctx.restarted) return ok();
  const duration = readDuration(ctx, ctx.args.ptr(0));
  if (typeof duration !== 'bigint') return duration;
  return sleepUntil(ctx, ctx.now + duration, ctx.args.ptr(1));
}

/** sysClockNanosleep implements Linux syscall clock_nanosleep(2). */
export function sysClockNanosleep(ctx: SyscallContext): SyscallResult {
  // The deadline is the only thing a sleep waits for: running again means it has passed.
  if (ctx.restarted) return ok();
  const id = ctx.args.int(0);
  const kind = clockKind(id);
  if (kind !== null && NO_NSLEEP.has(id)) return errno(Errno.EOPNOTSUPP);
  if (kind === null || kind === 'cputime') {
    // With an infinitely fast CPU a CPU-time sleep could never end.
    ctx.warnOnce(`clock_nanosleep:${id}`, `clock_nanosleep: clock id ${id} is not supported; returning EINVAL`);
    return EINVAL();
  }
  const flags = ctx.args.int(1);
  const value = readDuration(ctx, ctx.args.ptr(2));
  if (typeof value !== 'bigint') return value;
  if ((flags & TIMER_ABSTIME) === 0) return sleepUntil(ctx, ctx.now + value, ctx.args.ptr(3));
  const deadline = kind === 'realtime' ? value : ctx.host.bootTime + value;
  return sleepUntil(ctx, deadline);
}
