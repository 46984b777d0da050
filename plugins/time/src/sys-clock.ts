import {
  Errno,
  NS_PER_SEC,
  errno,
  ok,
  readDuration,
  timespecBytes,
  timevalBytes,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import { CLOCK, EFAULT, EINVAL, clockKind, clockResolution, readClock } from './clocks.js';

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

/**
 * The answer to a request that would set the clock or the time zone: simulated time cannot be
 * set, so the caller is treated as lacking CAP_SYS_TIME (EPERM), whatever its real privileges.
 */
function refuseSetting(ctx: SyscallContext): SyscallResult {
  ctx.warnOnce(`${ctx.name}:set`, `${ctx.name}: the simulated clock cannot be set; answering EPERM`);
  return errno(Errno.EPERM);
}

/**
 * sysClockSettime implements Linux syscall clock_settime(2)'s checks, in the kernel's order: a
 * clock that cannot be set is EINVAL, an unreadable timespec EFAULT, an invalid one EINVAL; a
 * valid request is EPERM (simulated time is not set).
 */
export function sysClockSettime(ctx: SyscallContext): SyscallResult {
  // Of the clocks, only CLOCK_REALTIME can be set (its k_clock alone has clock_set).
  if (ctx.args.int(0) !== CLOCK.REALTIME) return EINVAL();
  const value = readDuration(ctx, ctx.args.ptr(1));
  if (typeof value !== 'bigint') return value;
  return refuseSetting(ctx);
}

/**
 * sysSettimeofday implements Linux syscall settimeofday(2)'s checks (do_sys_settimeofday64): an
 * unreadable timeval or timezone is EFAULT, microseconds outside [0, 1e6] or a time that is no
 * valid timespec EINVAL, a timezone beyond ±15 hours EINVAL; with neither argument nothing
 * changes (0); anything else would set the clock or the time zone: EPERM.
 */
export function sysSettimeofday(ctx: SyscallContext): SyscallResult {
  const tvAddr = ctx.args.ptr(0);
  const tzAddr = ctx.args.ptr(1);
  let tv: { sec: bigint; usec: bigint } | null = null;
  if (tvAddr !== 0n) {
    const bytes = ctx.memory.read(tvAddr, 16);
    if (!bytes) return EFAULT();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    tv = { sec: view.getBigInt64(0, true), usec: view.getBigInt64(8, true) };
    if (tv.usec > 1_000_000n || tv.usec < 0n) return EINVAL();
  }
  let minutesWest: number | null = null;
  if (tzAddr !== 0n) {
    const bytes = ctx.memory.read(tzAddr, 8);
    if (!bytes) return EFAULT();
    minutesWest = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(0, true);
  }
  // timespec64_valid_settod: the microseconds become nanoseconds, which must stay below 1e9.
  if (tv && (tv.sec < 0n || tv.usec * 1000n >= NS_PER_SEC)) return EINVAL();
  if (minutesWest !== null && (minutesWest > 15 * 60 || minutesWest < -15 * 60)) return EINVAL();
  return tv === null && minutesWest === null ? ok() : refuseSetting(ctx);
}

/** sizeof(struct timex) on x86_64. */
const TIMEX_SIZE = 208;
/** adjtimex(2) modes that only read: none, or ADJ_OFFSET_SS_READ. */
const READ_ONLY_MODES = new Set([0, 0xa001]);
/** TIME_ERROR: what adjtimex answers while the clock is not synchronized (STA_UNSYNC). */
const TIME_ERROR = 5;

/**
 * The kernel clock's state as adjtimex reads it: a kernel that no NTP daemon ever disciplined
 * (status STA_UNSYNC, the largest error estimates, USER_HZ ticks), with the simulated time.
 */
function timexBytes(ctx: SyscallContext, modes: number): Uint8Array {
  const out = new Uint8Array(TIMEX_SIZE);
  const view = new DataView(out.buffer);
  view.setUint32(0, modes, true);
  view.setBigInt64(24, 16_000_000n, true); // maxerror: NTP_PHASE_LIMIT
  view.setBigInt64(32, 16_000_000n, true); // esterror
  view.setInt32(40, 0x40, true); // status: STA_UNSYNC
  view.setBigInt64(48, 2n, true); // constant
  view.setBigInt64(56, 1n, true); // precision (µs)
  view.setBigInt64(64, 32_768_000n, true); // tolerance: 500 ppm, scaled by 2^16
  out.set(timevalBytes(ctx.now), 72); // time
  view.setBigInt64(88, 10_000n, true); // tick (µs) at USER_HZ 100
  return out;
}

/**
 * Reads the clock state for adjtimex and clock_adjtime: an unreadable or unwritable struct is
 * EFAULT, a request that only reads gets the state, and any adjustment is EPERM (simulated time
 * is not adjusted, as without CAP_SYS_TIME).
 */
function readTimex(ctx: SyscallContext, addr: bigint): SyscallResult {
  const bytes = ctx.memory.read(addr, TIMEX_SIZE);
  if (!bytes) return EFAULT();
  const modes = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (!READ_ONLY_MODES.has(modes)) {
    ctx.warnOnce(`${ctx.name}:modes`, `${ctx.name}: the simulated clock cannot be adjusted; answering EPERM`);
    return errno(Errno.EPERM);
  }
  return ctx.memory.write(addr, timexBytes(ctx, modes)) ? ok(TIME_ERROR) : EFAULT();
}

/** sysAdjtimex implements Linux syscall adjtimex(2) for reading the clock state. */
export function sysAdjtimex(ctx: SyscallContext): SyscallResult {
  return readTimex(ctx, ctx.args.ptr(0));
}

/**
 * sysClockAdjtime implements Linux syscall clock_adjtime(2) for reading: CLOCK_REALTIME and
 * CLOCK_TAI answer as adjtimex, the other clocks cannot be adjusted (EOPNOTSUPP), unknown ids EINVAL.
 */
export function sysClockAdjtime(ctx: SyscallContext): SyscallResult {
  const id = ctx.args.int(0);
  if (clockKind(id) === null) return EINVAL();
  if (id !== CLOCK.REALTIME && id !== CLOCK.TAI) return errno(Errno.EOPNOTSUPP);
  return readTimex(ctx, ctx.args.ptr(1));
}
