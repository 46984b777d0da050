import { Errno, errno, ok, readDuration, timespecBytes, type ProcessView, type SimTime, type SyscallContext, type SyscallResult, type ThreadView } from '@shadow-ts/plugin-sdk';
import type { ProcessState } from './state.js';

/**
 * POSIX per-process timers (timer_create(2) and friends) on simulated time. A timer fires on its
 * host's clock and raises its signal — at the process (SIGEV_SIGNAL) or one of its threads
 * (SIGEV_THREAD_ID) — then re-arms by its interval; expiries while its signal waits to be taken
 * are overruns (see `arm`). The signal carries what the kernel's does: SI_TIMER, the timer id,
 * si_overrun and the sigev_value, so glibc's SIGEV_THREAD timers, whose helper thread reads them
 * through sigwaitinfo, run their function.
 */

/** One timer: its event, and while armed its next expiry and interval. */
export interface PosixTimer {
  readonly signal: number;
  /** 0 for SIGEV_NONE. The thread it goes to (SIGEV_THREAD_ID), or null: the process. */
  readonly thread: number | null;
  /** The CPU-time clocks never advance: such a timer never fires. */
  readonly cpuClock: boolean;
  /** Its siginfo when it fires (SI_TIMER, its id, the sigev_value). */
  readonly siginfo: Uint8Array;
  /** Where the clock's zero is in simulated time: the epoch, or the host's boot for MONOTONIC/BOOTTIME. */
  readonly clockZero: SimTime;
  next: SimTime | null;
  interval: bigint;
  cancel: () => void;
  /** The expiry whose signal waits to be taken, or null: later expiries count as its overruns. */
  queuedAt: SimTime | null;
  /** The overruns the last signal taken carried (timer_getoverrun). */
  overrunLast: number;
  /** Counts timer_settime calls: a signal queued before the last one re-arms nothing. */
  generation: number;
}

const SIGEV_SIGNAL = 0;
const SIGEV_NONE = 1;
const SIGEV_THREAD_ID = 4;
const SIGALRM = 14;
/** si_code of a POSIX timer's signal. */
const SI_TIMER = -2;
const SIGRTMAX = 64;
const TIMER_ABSTIME = 1;
/** The clocks timer_create accepts: realtime, monotonic, CPU time, boottime, the alarms, TAI. */
const CLOCKS = new Set([0, 1, 2, 3, 7, 8, 9, 11]);
const CPU_CLOCKS = new Set([2, 3]);
const BOOT_CLOCKS = new Set([1, 7, 9]);
/** Linux's timer ids are ints; more timers than this per process is EAGAIN here. */
const MAX_TIMERS = 32768;

function timersOf(state: ProcessState, process: ProcessView): Map<number, PosixTimer> {
  let timers = state.posixTimers.get(process);
  if (!timers) state.posixTimers.set(process, (timers = new Map()));
  return timers;
}

/** An itimerspec: interval, then value. */
function itimerspec(interval: bigint, value: bigint): Uint8Array {
  const out = new Uint8Array(32);
  out.set(timespecBytes(interval), 0);
  out.set(timespecBytes(value), 16);
  return out;
}

/** What is left of a timer and its interval, as timer_gettime reports them. */
function remaining(ctx: SyscallContext, timer: PosixTimer): Uint8Array {
  const left = timer.next === null ? 0n : timer.next > ctx.now ? timer.next - ctx.now : 1n;
  return itimerspec(timer.interval, left);
}

/** sysTimerCreate implements Linux syscall timer_create(2). */
export function sysTimerCreate(ctx: SyscallContext, state: ProcessState): SyscallResult {
  const clock = ctx.args.int(0);
  if (!CLOCKS.has(clock)) return errno(Errno.EINVAL);
  let signal = SIGALRM;
  let thread: number | null = null;
  let value: bigint | null = null; // null: the timer id, as Linux gives a timer made without a sigevent
  const event = ctx.args.ptr(1);
  if (event !== 0n) {
    const raw = ctx.memory.read(event, 20);
    if (!raw) return errno(Errno.EFAULT);
    const view = new DataView(raw.buffer, raw.byteOffset, 20);
    value = view.getBigUint64(0, true);
    const signo = view.getInt32(8, true);
    const notify = view.getInt32(12, true);
    if (notify === SIGEV_NONE) signal = 0;
    else if (notify === SIGEV_SIGNAL || notify === SIGEV_THREAD_ID) {
      if (signo < 1 || signo > SIGRTMAX) return errno(Errno.EINVAL);
      signal = signo;
      if (notify === SIGEV_THREAD_ID) {
        const tid = view.getInt32(16, true);
        if (!ctx.process.threads().some((t) => t.tid === tid)) return errno(Errno.EINVAL);
        thread = tid;
      }
    } else return errno(Errno.EINVAL);
  }
  const timers = timersOf(state, ctx.process);
  let id = 0;
  while (timers.has(id)) id++;
  if (id >= MAX_TIMERS) return errno(Errno.EAGAIN);
  const out = new Uint8Array(4);
  new DataView(out.buffer).setInt32(0, id, true);
  if (!ctx.memory.write(ctx.args.ptr(2), out)) return errno(Errno.EFAULT);
  if (CPU_CLOCKS.has(clock)) ctx.warnOnce('timer_create:cputime', 'timer_create: CPU-time clocks never advance (the simulated CPU is infinitely fast): the timer never fires');
  const clockZero = BOOT_CLOCKS.has(clock) ? ctx.host.bootTime : 0n;
  const siginfo = timerSiginfo(signal, id, value ?? BigInt(id));
  timers.set(id, {
    signal,
    thread,
    cpuClock: CPU_CLOCKS.has(clock),
    siginfo,
    clockZero,
    next: null,
    interval: 0n,
    cancel: () => {},
    queuedAt: null,
    overrunLast: 0,
    generation: 0,
  });
  return ok();
}

/** A timer signal's siginfo_t: si_signo, si_code SI_TIMER, then si_tid, si_overrun (0), si_value. */
function timerSiginfo(signal: number, id: number, value: bigint): Uint8Array {
  const info = new Uint8Array(128);
  const view = new DataView(info.buffer);
  view.setInt32(0, signal, true);
  view.setInt32(8, SI_TIMER, true);
  view.setInt32(16, id, true);
  view.setBigUint64(24, value, true);
  return info;
}

/** The timer named by argument 0, or undefined (EINVAL). */
function timerArg(ctx: SyscallContext, state: ProcessState): PosixTimer | undefined {
  return state.posixTimers.get(ctx.process)?.get(ctx.args.int(0));
}

/** DELAYTIMER_MAX: the overrun count stops there. */
const DELAYTIMER_MAX = 0x7fffffff;

/**
 * Makes `timer` expire at `at`, then every `interval`. An expiry queues the timer's signal once;
 * until the program takes it, the timer only keeps its schedule (timer_gettime), and when it is
 * taken the expiries passed since count as its overruns — si_overrun in its siginfo, then
 * timer_getoverrun(2) — and the timer goes on from there, as Linux re-arms it on delivery
 * (posixtimer_rearm()). A signal the kernel dropped (ignored) or that was taken unseen re-arms
 * it at the next expiry.
 */
function arm(ctx: SyscallContext, timer: PosixTimer, at: SimTime): void {
  const process = ctx.process;
  const host = ctx.host;
  const generation = timer.generation;
  const target = (): ThreadView | undefined => (timer.thread === null ? process.mainThread() : process.threads().find((t) => t.tid === timer.thread));
  const schedule = (when: SimTime): void => {
    timer.next = when;
    timer.cancel = host.schedule(when, expire);
  };
  const taken = (siginfo: Uint8Array): void => {
    const queuedAt = timer.queuedAt;
    if (generation !== timer.generation || queuedAt === null) return;
    const passed = timer.interval > 0n ? (host.now() - queuedAt) / timer.interval : 0n;
    const overrun = passed > BigInt(DELAYTIMER_MAX) ? DELAYTIMER_MAX : Number(passed);
    new DataView(siginfo.buffer, siginfo.byteOffset, 128).setInt32(20, overrun, true); // si_overrun
    timer.overrunLast = overrun;
    timer.queuedAt = null;
    if (timer.interval > 0n) {
      timer.cancel();
      schedule(queuedAt + (passed + 1n) * timer.interval);
    }
  };
  const expire = (): void => {
    const now = timer.next!;
    const thread = timer.signal === 0 ? undefined : target();
    const waiting = timer.queuedAt !== null && thread !== undefined && (thread.pendingSignals() >> BigInt(timer.signal - 1)) & 1n;
    if (thread && !waiting) {
      timer.queuedAt = now;
      thread.signal(timer.signal, { pid: 0, onTaken: taken }, timer.siginfo);
    }
    if (timer.interval > 0n) schedule(now + timer.interval);
    else timer.next = null;
  };
  timer.next = at;
  if (!timer.cpuClock) timer.cancel = host.schedule(at, expire);
}

/** sysTimerSettime implements Linux syscall timer_settime(2). */
export function sysTimerSettime(ctx: SyscallContext, state: ProcessState): SyscallResult {
  const timer = timerArg(ctx, state);
  if (!timer) return errno(Errno.EINVAL);
  const flags = ctx.args.int(1);
  const setting = ctx.args.ptr(2);
  if (setting === 0n) return errno(Errno.EINVAL);
  // The whole itimerspec is copied in before either half is judged: EFAULT comes first.
  if (!ctx.memory.read(setting, 32)) return errno(Errno.EFAULT);
  const interval = readDuration(ctx, setting);
  if (typeof interval !== 'bigint') return interval;
  const value = readDuration(ctx, setting + 16n);
  if (typeof value !== 'bigint') return value;
  const old = ctx.args.ptr(3);
  if (old !== 0n && !ctx.memory.write(old, remaining(ctx, timer))) return errno(Errno.EFAULT);
  timer.cancel();
  timer.next = null;
  timer.queuedAt = null;
  timer.generation++;
  timer.interval = interval;
  if (value === 0n) return ok();
  // An absolute value is a reading of the timer's clock; one already past fires at once.
  const absolute = timer.clockZero + value;
  const at = flags & TIMER_ABSTIME ? (absolute > ctx.now ? absolute : ctx.now) : ctx.now + value;
  arm(ctx, timer, at);
  return ok();
}

/** sysTimerGettime implements Linux syscall timer_gettime(2). */
export function sysTimerGettime(ctx: SyscallContext, state: ProcessState): SyscallResult {
  const timer = timerArg(ctx, state);
  if (!timer) return errno(Errno.EINVAL);
  return ctx.memory.write(ctx.args.ptr(1), remaining(ctx, timer)) ? ok() : errno(Errno.EFAULT);
}

/** sysTimerGetoverrun implements Linux syscall timer_getoverrun(2): the overruns of the last signal taken. */
export function sysTimerGetoverrun(ctx: SyscallContext, state: ProcessState): SyscallResult {
  const timer = timerArg(ctx, state);
  return timer ? ok(timer.overrunLast) : errno(Errno.EINVAL);
}

/** sysTimerDelete implements Linux syscall timer_delete(2). */
export function sysTimerDelete(ctx: SyscallContext, state: ProcessState): SyscallResult {
  const timers = state.posixTimers.get(ctx.process);
  const id = ctx.args.int(0);
  const timer = timers?.get(id);
  if (!timer) return errno(Errno.EINVAL);
  timer.cancel();
  timers!.delete(id);
  return ok();
}

/** A process's timers end with it and with its image (execve(2) deletes them). */
export function deleteTimers(state: ProcessState, process: ProcessView): void {
  for (const timer of state.posixTimers.get(process)?.values() ?? []) timer.cancel();
  state.posixTimers.delete(process);
}
