import {
  Errno,
  SYSCALL_NUMBERS,
  block,
  errno,
  ok,
  rewrite,
  waitFor,
  type ProcessView,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';

const WNOHANG = 1;
const WUNTRACED = 2;
const WSTOPPED = 2;
const WEXITED = 4;
const WCONTINUED = 8;
const WNOWAIT = 0x1000000;
const __WNOTHREAD = 0x20000000;
const __WALL = 0x40000000;
const __WCLONE = 0x80000000 | 0;

const P_ALL = 0;
const P_PID = 1;
const P_PGID = 2;
const P_PIDFD = 3;

/** Offset of si_pid in siginfo_t (x86_64). */
const SI_PID = 16;
const SIGCHLD = 17;
const SIGCONT = 18;
/** si_code of a SIGCHLD for a stopped and for a continued child. */
const CLD_STOPPED = 5;
const CLD_CONTINUED = 6;

/** A child's stop or continue that a wait reports (job control), with its signal. */
interface JobReport {
  readonly child: ProcessView;
  readonly kind: 'stopped' | 'continued';
  readonly sig: number;
}

/** Children of the caller a wait for `pid` (wait4's encoding) may collect. */
function candidates(ctx: SyscallContext, pid: number): ProcessView[] {
  const me = ctx.process;
  return me.children().filter((c) => {
    if (pid > 0) return c.pid === pid;
    if (pid === 0) return c.pgid === me.pgid;
    if (pid === -1) return true;
    return c.pgid === -pid;
  });
}

/**
 * The common wait logic, child by child in creation order as Linux looks: a zombie (`exited`)
 * is collected by letting the kernel run the wait natively on its real pid (which fills the
 * status and rusage, and reaps the real zombie); a stop (`stopped`: WUNTRACED/WSTOPPED) or a
 * continue (WCONTINUED) not yet reported is `report`ed; none, and the call blocks until a child
 * ends, stops or is continued — or returns `empty` with WNOHANG.
 */
function collectChild(
  ctx: SyscallContext,
  children: ProcessView[],
  wants: { exited: boolean; stopped: boolean; continued: boolean; nohang: boolean },
  collect: (zombie: ProcessView) => SyscallResult,
  report: (job: JobReport) => SyscallResult,
  empty: () => SyscallResult,
): SyscallResult {
  if (children.length === 0) return errno(Errno.ECHILD);
  for (const child of children) {
    if (child.exit !== null) {
      if (wants.exited) return collect(child);
    } else if (wants.stopped && child.stopReport !== null) {
      return report({ child, kind: 'stopped', sig: child.stopReport });
    } else if (wants.continued && child.continueReport) {
      return report({ child, kind: 'continued', sig: SIGCONT });
    }
  }
  if (wants.nohang) return empty();
  return block(waitFor.trigger(ctx.process.childEvents));
}

/** sysWait4 implements Linux syscall wait4(2). */
export function sysWait4(ctx: SyscallContext): SyscallResult {
  const pid = ctx.args.int(0);
  const options = ctx.args.int(2);
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)) return errno(Errno.EINVAL);
  const wants = { exited: true, stopped: (options & WUNTRACED) !== 0, continued: (options & WCONTINUED) !== 0, nohang: (options & WNOHANG) !== 0 };
  return collectChild(
    ctx,
    candidates(ctx, pid),
    wants,
    (zombie) => {
      const parent = ctx.process;
      parent.reap(zombie);
      const args = [BigInt(zombie.nativePid), ctx.args.raw(1), BigInt(WNOHANG), ctx.args.raw(3), 0n, 0n];
      return rewrite(SYSCALL_NUMBERS.wait4, args, (ret) => (ret > 0n ? BigInt(zombie.pid) : ret));
    },
    ({ child, kind, sig }) => {
      // The status word: (sig << 8) | 0x7f stopped, 0xffff continued (wait(2)); no CPU time to report.
      const status = new Uint8Array(4);
      new DataView(status.buffer).setInt32(0, kind === 'stopped' ? (sig << 8) | 0x7f : 0xffff, true);
      const statusAt = ctx.args.ptr(1);
      const rusageAt = ctx.args.ptr(3);
      // Taken before the copy-out, as Linux does: a bad pointer loses the report.
      child.takeJobReport(kind);
      if (statusAt !== 0n && !ctx.memory.write(statusAt, status)) return errno(Errno.EFAULT);
      if (rusageAt !== 0n && !ctx.memory.write(rusageAt, new Uint8Array(144))) return errno(Errno.EFAULT);
      return ok(child.pid);
    },
    () => ok(0),
  );
}

/** sysWaitid implements Linux syscall waitid(2). */
export function sysWaitid(ctx: SyscallContext): SyscallResult {
  const idtype = ctx.args.int(0);
  const id = ctx.args.int(1);
  const infop = ctx.args.ptr(2);
  const options = ctx.args.int(3);
  if (options & ~(WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | __WNOTHREAD | __WALL | __WCLONE)) return errno(Errno.EINVAL);
  if (!(options & (WEXITED | WSTOPPED | WCONTINUED))) return errno(Errno.EINVAL);
  let pid: number;
  if (idtype === P_ALL) pid = -1;
  else if (idtype === P_PID) pid = id <= 0 ? NaN : id;
  else if (idtype === P_PGID) pid = id < 0 ? NaN : id === 0 ? 0 : -id;
  else {
    if (idtype === P_PIDFD) ctx.warnOnce('waitid:pidfd', 'waitid: P_PIDFD is not simulated; returning EINVAL');
    return errno(Errno.EINVAL);
  }
  if (Number.isNaN(pid)) return errno(Errno.EINVAL);
  const memory = ctx.memory;
  const wants = {
    exited: (options & WEXITED) !== 0,
    stopped: (options & WSTOPPED) !== 0,
    continued: (options & WCONTINUED) !== 0,
    nohang: (options & WNOHANG) !== 0,
  };
  return collectChild(
    ctx,
    candidates(ctx, pid),
    wants,
    (zombie) => {
      if (!(options & WNOWAIT)) ctx.process.reap(zombie);
      const args = [BigInt(P_PID), BigInt(zombie.nativePid), ctx.args.raw(2), BigInt(options | WNOHANG), ctx.args.raw(4), 0n];
      return rewrite(SYSCALL_NUMBERS.waitid, args, (ret) => {
        // The kernel reported the real pid: the program sees the virtual one.
        if (ret === 0n && infop !== 0n) {
          const pidBytes = new Uint8Array(4);
          new DataView(pidBytes.buffer).setInt32(0, zombie.pid, true);
          memory.write(infop + BigInt(SI_PID), pidBytes);
        }
        return ret;
      });
    },
    ({ child, kind, sig }) => {
      // siginfo_t: si_signo, si_errno, si_code, then si_pid, si_uid, si_status, si_utime, si_stime.
      const info = new Uint8Array(128);
      const view = new DataView(info.buffer);
      view.setInt32(0, SIGCHLD, true);
      view.setInt32(8, kind === 'stopped' ? CLD_STOPPED : CLD_CONTINUED, true);
      view.setInt32(SI_PID, child.pid, true);
      view.setInt32(24, sig, true);
      if (!(options & WNOWAIT)) child.takeJobReport(kind); // before the copy-out, as in wait4
      if (infop !== 0n && !memory.write(infop, info)) return errno(Errno.EFAULT);
      const rusageAt = ctx.args.ptr(4);
      if (rusageAt !== 0n && !memory.write(rusageAt, new Uint8Array(144))) return errno(Errno.EFAULT);
      return ok(0);
    },
    () => {
      // WNOHANG with nothing to report: si_pid (and the rest) read 0 (waitid(2)).
      if (infop !== 0n && !memory.write(infop, new Uint8Array(128))) return errno(Errno.EFAULT);
      return ok(0);
    },
  );
}
