import {
  NS_PER_SEC,
  ok,
  timespecBytes,
  timevalBytes,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import { EFAULT, EINVAL, clockKind, clockResolution, readClock } from './clocks.js';

/** sysClockGettime implements Linux syscall clock_gettime(2). */
export function sysClockGettime(ctx: SyscallContext): SyscallResult {
  const kind = clockKind(ctx.args.int(0));
  if (kind === null) {
    ctx.warnOnce(`clock_gettime:${ctx.args.int(0)}`, `clock_gettime: clock id ${ctx.args.int(0)} is not supported; returning EINVAL`);
    return EINVAL();
  }
  if (kind === 'cputime') {
    ctx.warnOnce('clock_gettime:cputime', 'clock_gettime: CPU-time clocks read 0 (the simulated CPU is infinitely fast)');
  }
  const value = readClock(kind, ctx.host, ctx.now);
  return ctx.memory.write(ctx.args.ptr(1), timespecBytes(value)) ? ok() : EFAULT();
}

/** sysClockGetres implements Linux syscall clock_getres(2). */
export function sysClockGetres(ctx: SyscallContext): SyscallResult {
  const id = ctx.args.int(0);
  if (clockKind(id) === null) return EINVAL();
  const res = ctx.args.ptr(1);
  // A NULL res is allowed: the call then only validates the clock id.
  if (res !== 0n && !ctx.memory.write(res, timespecBytes(clockResolution(id)))) return EFAULT();
  return ok();
}

/** sysGettimeofday implements Linux syscall gettimeofday(2). */
export function sysGettimeofday(ctx: SyscallContext): SyscallResult {
  const tv = ctx.args.ptr(0);
  const tz = ctx.args.ptr(1);
  if (tv !== 0n && !ctx.memory.write(tv, timevalBytes(ctx.now))) return EFAULT();
  // struct timezone is obsolete; Linux reports UTC (minuteswest 0, dsttime 0).
  if (tz !== 0n && !ctx.memory.write(tz, new Uint8Array(8))) return EFAULT();
  return ok();
}

/** sysTime implements Linux syscall time(2). */
export function sysTime(ctx: SyscallContext): SyscallResult {
  const seconds = ctx.now / NS_PER_SEC;
  const tloc = ctx.args.ptr(0);
  if (tloc !== 0n) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigInt64(0, seconds, true);
    if (!ctx.memory.write(tloc, bytes)) return EFAULT();
  }
  return ok(seconds);
}
