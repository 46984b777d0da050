import {
  Errno,
  NS_PER_SEC,
  O,
  errno,
  ok,
  readTimespec,
  timespecBytes,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import { EFAULT, EINVAL, newDescriptor, virtualFile } from './io.js';
import { TimerFd, isTimerfdClock, type TimerSetting } from './timerfd.js';

/** timerfd_create(2) flags: TFD_NONBLOCK (O_NONBLOCK) and TFD_CLOEXEC (O_CLOEXEC). */
const TFD_CREATE_FLAGS = O.NONBLOCK | O.CLOEXEC;
/** timerfd_settime(2) flags. */
const TFD_TIMER_ABSTIME = 1;
const TFD_TIMER_CANCEL_ON_SET = 2;
/** sizeof(struct itimerspec) on x86_64: it_interval then it_value, two timespecs. */
const ITIMERSPEC_SIZE = 32;

/** Nanoseconds of a timespec, or null when Linux's timespec64_valid() refuses it. */
function timespecNs(bytes: Uint8Array): bigint | null {
  const { sec, nsec } = readTimespec(bytes);
  if (sec < 0n || nsec < 0n || nsec >= NS_PER_SEC) return null;
  return sec * NS_PER_SEC + nsec;
}

/** Encodes a setting as struct itimerspec. */
function itimerspecBytes(setting: TimerSetting): Uint8Array {
  const out = new Uint8Array(ITIMERSPEC_SIZE);
  out.set(timespecBytes(setting.interval), 0);
  out.set(timespecBytes(setting.value), 16);
  return out;
}

/**
 * The timerfd behind `fd`, or the error Linux's timerfd_fget() gives: EBADF for a descriptor
 * that is not open, EINVAL for one that is open but not a timerfd.
 */
function timerOf(ctx: SyscallContext, fd: number): TimerFd | SyscallResult {
  const file = virtualFile(ctx, fd);
  if (file instanceof TimerFd) return file;
  if (file !== undefined || (fd >= 0 && ctx.process.isOpen(fd))) return EINVAL();
  return errno(Errno.EBADF);
}

/** sysTimerfdCreate implements Linux syscall timerfd_create(2). */
export function sysTimerfdCreate(ctx: SyscallContext): SyscallResult {
  const clockId = ctx.args.int(0);
  const flags = ctx.args.int(1);
  if ((flags & ~TFD_CREATE_FLAGS) !== 0) return EINVAL();
  if (!isTimerfdClock(clockId)) {
    ctx.warnOnce(`timerfd_create:${clockId}`, `timerfd_create: clock id ${clockId} is not supported; returning EINVAL`);
    return EINVAL();
  }
  // The *_ALARM clocks need CAP_WAKE_ALARM on Linux; a simulated host never suspends, so they
  // behave as their plain clocks and are granted.
  return newDescriptor(ctx, new TimerFd(clockId, ctx.host, flags), (flags & O.CLOEXEC) !== 0);
}

/** sysTimerfdSettime implements Linux syscall timerfd_settime(2). */
export function sysTimerfdSettime(ctx: SyscallContext): SyscallResult {
  const fd = ctx.args.int(0);
  const flags = ctx.args.int(1);
  const oldPtr = ctx.args.ptr(3);
  // Linux's order: copy new_value in (EFAULT), check flags and values (EINVAL), then the fd.
  const raw = ctx.memory.read(ctx.args.ptr(2), ITIMERSPEC_SIZE);
  if (!raw) return EFAULT();
  if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) !== 0) return EINVAL();
  const interval = timespecNs(raw.subarray(0, 16));
  const value = timespecNs(raw.subarray(16, 32));
  if (interval === null || value === null) return EINVAL();
  const timer = timerOf(ctx, fd);
  if (!(timer instanceof TimerFd)) return timer;
  if ((flags & TFD_TIMER_CANCEL_ON_SET) !== 0) {
    // ECANCELED reports a discontinuous change of CLOCK_REALTIME; the simulated clock is never set.
    ctx.warnOnce(
      'timerfd_settime:CANCEL_ON_SET',
      'timerfd_settime: TFD_TIMER_CANCEL_ON_SET never fires (the simulated clock is never set)',
    );
  }
  const old = timer.settime(ctx.now, (flags & TFD_TIMER_ABSTIME) !== 0, value, interval);
  // As on Linux, the new setting stays in force even when old_value cannot be written.
  if (oldPtr !== 0n && !ctx.memory.write(oldPtr, itimerspecBytes(old))) return EFAULT();
  return ok();
}

/** sysTimerfdGettime implements Linux syscall timerfd_gettime(2). */
export function sysTimerfdGettime(ctx: SyscallContext): SyscallResult {
  const timer = timerOf(ctx, ctx.args.int(0));
  if (!(timer instanceof TimerFd)) return timer;
  return ctx.memory.write(ctx.args.ptr(1), itimerspecBytes(timer.current(ctx.now))) ? ok() : EFAULT();
}
