import {
  Errno,
  Signal,
  NS_PER_SEC,
  NS_PER_US,
  block,
  callDeadline,
  errno,
  native,
  ok,
  readDuration,
  waitFor,
  type ProcessView,
  type SyscallContext,
  type SyscallResult,
  type ThreadView,
} from '@shadow-ts/plugin-sdk';
import { hostThread } from './pids.js';
import { SA_NOCLDSTOP, SA_RESTART, SIGRTMAX } from './signals.js';
import type { ProcessState, RealTimer } from './state.js';

/** Offset of sa_flags in the kernel's struct sigaction (handler, flags, restorer, mask). */
const SA_FLAGS = 8;
const SIGKILL = 9;
const SIGSTOP = 19;
const SIGALRM = 14;
const ITIMER_REAL = 0;

function validSignal(sig: number): boolean {
  return sig >= 0 && sig <= SIGRTMAX;
}

/** The processes kill(2)'s `pid` names on the caller's host. */
function killTargets(ctx: SyscallContext, pid: number): ProcessView[] {
  const all = ctx.host.processes();
  if (pid > 0) return all.filter((p) => p.pid === pid);
  if (pid === 0) return all.filter((p) => p.pgid === ctx.process.pgid);
  if (pid === -1) return all.filter((p) => p !== ctx.process); // every process but the caller (and init)
  return all.filter((p) => p.pgid === -pid);
}

/** sysKill implements Linux syscall kill(2) on virtual pids of the caller's host. */
export function sysKill(ctx: SyscallContext): SyscallResult {
  const pid = ctx.args.int(0);
  const sig = ctx.args.int(1);
  if (!validSignal(sig)) return errno(Errno.EINVAL);
  const targets = killTargets(ctx, pid);
  if (targets.length === 0) return errno(Errno.ESRCH);
  if (sig !== 0) for (const target of targets) target.mainThread()?.signal(sig, { pid: ctx.process.pid });
  return ok();
}

/** sysTgkill implements Linux syscall tgkill(2). */
export function sysTgkill(ctx: SyscallContext): SyscallResult {
  const [tgid, tid, sig] = [ctx.args.int(0), ctx.args.int(1), ctx.args.int(2)];
  if (tgid <= 0 || tid <= 0 || !validSignal(sig)) return errno(Errno.EINVAL);
  const thread = hostThread(ctx, tid, tgid);
  if (!thread) return errno(Errno.ESRCH);
  if (sig !== 0) thread.signal(sig, { pid: ctx.process.pid, tkill: true });
  return ok();
}

/** sysTkill implements Linux syscall tkill(2). */
export function sysTkill(ctx: SyscallContext): SyscallResult {
  const [tid, sig] = [ctx.args.int(0), ctx.args.int(1)];
  if (tid <= 0 || !validSignal(sig)) return errno(Errno.EINVAL);
  const thread = hostThread(ctx, tid);
  if (!thread) return errno(Errno.ESRCH);
  if (sig !== 0) thread.signal(sig, { pid: ctx.process.pid, tkill: true });
  return ok();
}

/** si_code of a signal sent by the kernel's own kill paths; a program may only queue these to itself. */
const SI_TKILL = -6;
/** si_code of a signal the kernel raises itself (ITIMER_REAL's SIGALRM). */
const SI_KERNEL = 0x80;

/**
 * The common part of the sigqueue calls: the siginfo is read (EFAULT) and a program may forge
 * si_code >= 0 or SI_TKILL only for itself (EPERM), as rt_sigqueueinfo(2) says. The signal goes
 * through the simulator like kill's, with the program's siginfo (si_code, si_value, the si_pid it
 * wrote). Only a forged code sent to itself, which the kernel takes from no other process than
 * the sender, arrives as kill/tgkill would send it.
 */
function queueSignal(ctx: SyscallContext, self: boolean, sig: number, info: bigint, target: () => ThreadView | undefined): SyscallResult {
  const raw = ctx.memory.read(info, 128);
  if (!raw) return errno(Errno.EFAULT);
  const code = new DataView(raw.buffer, raw.byteOffset).getInt32(8, true);
  if ((code >= 0 || code === SI_TKILL) && !self) return errno(Errno.EPERM);
  const thread = target();
  if (!thread) return errno(Errno.ESRCH);
  if (!validSignal(sig)) return errno(Errno.EINVAL);
  if (sig === 0) return ok();
  const sender = { pid: ctx.process.pid, tkill: ctx.name === 'rt_tgsigqueueinfo' };
  if (code < 0 && code !== SI_TKILL) {
    thread.signal(sig, sender, raw);
  } else {
    ctx.warnOnce(`${ctx.name}:info`, `${ctx.name}: a si_code of ${code} sent to itself arrives as kill/tgkill would send it (si_value is not delivered)`);
    thread.signal(sig, sender);
  }
  return ok();
}

/** sysRtSigqueueinfo implements Linux syscall rt_sigqueueinfo(2) on virtual pids of the caller's host. */
export function sysRtSigqueueinfo(ctx: SyscallContext): SyscallResult {
  const tgid = ctx.args.int(0);
  const process = ctx.host.processes().find((p) => p.pid === tgid);
  return queueSignal(ctx, tgid === ctx.process.pid, ctx.args.int(1), ctx.args.ptr(2), () => process?.mainThread());
}

/** sysRtTgsigqueueinfo implements Linux syscall rt_tgsigqueueinfo(2) on virtual tids of the caller's host. */
export function sysRtTgsigqueueinfo(ctx: SyscallContext): SyscallResult {
  const [tgid, tid] = [ctx.args.int(0), ctx.args.int(1)];
  if (tgid <= 0 || tid <= 0) return errno(Errno.EINVAL);
  return queueSignal(ctx, tid === ctx.thread.tid, ctx.args.int(2), ctx.args.ptr(3), () => hostThread(ctx, tid, tgid));
}

/**
 * sysRtSigaction implements Linux syscall rt_sigaction(2): the kernel installs the handler; the
 * simulator notes whether it has SA_RESTART, and for SIGCHLD SA_NOCLDSTOP.
 */
export function sysRtSigaction(ctx: SyscallContext, state: ProcessState): SyscallResult {
  const sig = ctx.args.int(0);
  const act = ctx.args.ptr(1);
  if (act !== 0n && sig >= 1 && sig <= SIGRTMAX && sig !== SIGKILL && sig !== SIGSTOP) {
    const flags = ctx.memory.read(act + BigInt(SA_FLAGS), 8);
    if (flags) {
      const bits = new DataView(flags.buffer).getBigUint64(0, true);
      const set = state.restartSet(ctx.process);
      if (bits & SA_RESTART) set.add(sig);
      else set.delete(sig);
      if (sig === Signal.SIGCHLD) ctx.process.noChildStopSignals = (bits & SA_NOCLDSTOP) !== 0n;
    }
  }
  return native();
}

/** sysPause implements Linux syscall pause(2): sleeps until a signal is delivered. */
export function sysPause(_ctx: SyscallContext): SyscallResult {
  // Nothing but a signal ends it; the signal makes it return EINTR after its handler.
  return block({}, { restartable: false });
}

/** Reads a signal mask argument (sigsetsize must be 8 on x86_64). */
function readMask(ctx: SyscallContext, addr: bigint, size: number): bigint | SyscallResult {
  if (size !== 8) return errno(Errno.EINVAL);
  const raw = ctx.memory.read(addr, 8);
  return raw ? new DataView(raw.buffer).getBigUint64(0, true) : errno(Errno.EFAULT);
}

const ALL_SIGNALS = (1n << 64n) - 1n;

/**
 * sysRtSigsuspend implements Linux syscall rt_sigsuspend(2). The thread waits in the simulator;
 * a signal the temporary mask lets through makes the kernel run the call itself with that signal
 * pending, so masks, handlers and the EINTR return are the kernel's own.
 */
export function sysRtSigsuspend(ctx: SyscallContext): SyscallResult {
  const mask = readMask(ctx, ctx.args.ptr(0), ctx.args.sizeT(1));
  if (typeof mask !== 'bigint') return mask;
  return block({}, { restartable: false, nativeOnSignals: ~mask & ALL_SIGNALS });
}

/**
 * The native end of rt_sigtimedwait: the siginfo the kernel wrote names the simulator as the
 * sender of a signal it sent; the program must see the virtual sender (si_code at 8, si_pid at 16,
 * SIGCHLD's si_status at 24), and what the sender's onTaken makes of it.
 */
function virtualSender(ctx: SyscallContext): (ret: bigint) => bigint {
  const { thread, memory } = ctx;
  const info = ctx.args.ptr(1);
  return (ret) => {
    if (ret <= 0n) return ret;
    const written = info !== 0n ? memory.read(info, 128) : null;
    const siginfo = written ?? new Uint8Array(128);
    const view = new DataView(siginfo.buffer);
    const sender = thread.takeSender(Number(ret), written ? { code: view.getInt32(8, true), pid: view.getInt32(16, true) } : undefined);
    if (!sender) return ret;
    if (!sender.queued) {
      view.setInt32(8, sender.code, true);
      view.setInt32(16, sender.pid, true);
      if (sender.status !== undefined) view.setInt32(24, sender.status, true);
    }
    sender.onTaken?.(siginfo);
    if (written) memory.write(info, siginfo);
    return ret;
  };
}

/**
 * sysRtSigtimedwait implements Linux syscall rt_sigtimedwait(2). A signal of the set lets the
 * kernel run the call (it dequeues the signal, and the sender it names is made the virtual one);
 * the timeout runs on simulated time.
 */
export function sysRtSigtimedwait(ctx: SyscallContext): SyscallResult {
  const set = readMask(ctx, ctx.args.ptr(0), ctx.args.sizeT(3));
  if (typeof set !== 'bigint') return set;
  if (ctx.restarted && ctx.wake === 'timeout') return errno(Errno.EAGAIN);
  const timeout = ctx.args.ptr(2);
  const deadline = callDeadline(ctx, () => {
    if (timeout === 0n) return null;
    const duration = readDuration(ctx, timeout);
    return typeof duration === 'bigint' ? ctx.now + duration : duration;
  });
  if (deadline !== null && typeof deadline !== 'bigint') return deadline;
  // A signal of the set may already be pending: the kernel answers at once without blocking.
  if (ctx.thread.pendingSignals() & set) return native(virtualSender(ctx));
  if (deadline !== null && deadline <= ctx.now) return errno(Errno.EAGAIN);
  return block(deadline === null ? {} : waitFor.deadline(deadline), { restartable: false, nativeOnSignals: set, mapResult: virtualSender(ctx) });
}

/** Arms (or with value 0 disarms) a process's ITIMER_REAL; returns the previous [remaining, interval]. */
function armRealTimer(ctx: SyscallContext, state: ProcessState, value: bigint, interval: bigint): [bigint, bigint] {
  const realTimers = state.realTimers;
  const process = ctx.process;
  const host = ctx.host;
  const old = realTimers.get(process);
  const previous: [bigint, bigint] = old ? [old.next - ctx.now, old.interval] : [0n, 0n];
  old?.cancel();
  realTimers.delete(process);
  if (value === 0n) return previous;
  const timer: RealTimer = { next: ctx.now + value, interval, cancel: () => {} };
  const fire = () => {
    process.mainThread()?.signal(SIGALRM, { pid: 0, code: SI_KERNEL }); // the kernel's own: SI_KERNEL
    if (timer.interval > 0n) {
      timer.next += timer.interval;
      timer.cancel = host.schedule(timer.next, fire);
    } else {
      realTimers.delete(process);
    }
  };
  timer.cancel = host.schedule(timer.next, fire);
  realTimers.set(process, timer);
  return previous;
}

/** sysAlarm implements Linux syscall alarm(2) on simulated time. */
export function sysAlarm(ctx: SyscallContext, state: ProcessState): SyscallResult {
  const seconds = BigInt(ctx.args.u64(0) & 0xffffffffn);
  const [remaining] = armRealTimer(ctx, state, seconds * NS_PER_SEC, 0n);
  // alarm(2) returns whole seconds left, rounded up so a pending alarm never reads 0.
  return ok(remaining <= 0n ? 0n : (remaining + NS_PER_SEC - 1n) / NS_PER_SEC);
}

function readTimeval(bytes: Uint8Array, offset: number): bigint | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  const sec = view.getBigInt64(offset, true);
  const usec = view.getBigInt64(offset + 8, true);
  if (sec < 0n || usec < 0n || usec >= 1_000_000n) return null;
  return sec * NS_PER_SEC + usec * NS_PER_US;
}

function itimervalBytes(remaining: bigint, interval: bigint): Uint8Array {
  const out = new Uint8Array(32);
  const view = new DataView(out.buffer);
  // struct itimerval: it_interval first, then it_value; microseconds, rounded up like Linux.
  const put = (offset: number, ns: bigint) => {
    const us = (ns + NS_PER_US - 1n) / NS_PER_US;
    view.setBigInt64(offset, us / 1_000_000n, true);
    view.setBigInt64(offset + 8, us % 1_000_000n, true);
  };
  put(0, interval);
  put(16, remaining > 0n ? remaining : 0n);
  return out;
}

function checkWhich(ctx: SyscallContext, which: number): SyscallResult | null {
  if (which === ITIMER_REAL) return null;
  if (which === 1 || which === 2) {
    // ITIMER_VIRTUAL/PROF count CPU time, which never passes with an infinitely fast CPU.
    ctx.warnOnce(`${ctx.name}:${which}`, `${ctx.name}: timer ${which} counts CPU time, which the simulation does not model; returning EINVAL`);
  }
  return errno(Errno.EINVAL);
}

/** sysSetitimer implements Linux syscall setitimer(2) for ITIMER_REAL. */
export function sysSetitimer(ctx: SyscallContext, state: ProcessState): SyscallResult {
  const bad = checkWhich(ctx, ctx.args.int(0));
  if (bad) return bad;
  const newValue = ctx.args.ptr(1);
  let value = 0n;
  let interval = 0n;
  if (newValue !== 0n) {
    const raw = ctx.memory.read(newValue, 32);
    if (!raw) return errno(Errno.EFAULT);
    const i = readTimeval(raw, 0);
    const v = readTimeval(raw, 16);
    if (i === null || v === null) return errno(Errno.EINVAL);
    [interval, value] = [i, v];
  }
  const [remaining, oldInterval] = armRealTimer(ctx, state, value, interval);
  const oldValue = ctx.args.ptr(2);
  if (oldValue !== 0n && !ctx.memory.write(oldValue, itimervalBytes(remaining, oldInterval))) return errno(Errno.EFAULT);
  return ok();
}

/** sysGetitimer implements Linux syscall getitimer(2) for ITIMER_REAL. */
export function sysGetitimer(ctx: SyscallContext, state: ProcessState): SyscallResult {
  const bad = checkWhich(ctx, ctx.args.int(0));
  if (bad) return bad;
  const timer = state.realTimers.get(ctx.process);
  const bytes = timer ? itimervalBytes(timer.next - ctx.now, timer.interval) : new Uint8Array(32);
  return ctx.memory.write(ctx.args.ptr(1), bytes) ? ok() : errno(Errno.EFAULT);
}
