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

/** Offset of si_pid in siginfo_t (x86_64). */
const SI_PID = 16;

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
 * The common wait logic: a zombie among the candidates is collected by letting the kernel run
 * the wait natively on its real pid (which fills the status and rusage, and reaps the real
 * zombie); none, and the call blocks until a child ends — or returns `empty` with WNOHANG.
 */
function collectChild(
  ctx: SyscallContext,
  children: ProcessView[],
  options: number,
  collect: (zombie: ProcessView) => SyscallResult,
  empty: () => SyscallResult,
): SyscallResult {
  if (children.length === 0) return errno(Errno.ECHILD);
  const zombie = children.find((c) => c.exit !== null);
  if (zombie) return collect(zombie);
  if (options & WNOHANG) return empty();
  return block(waitFor.trigger(ctx.process.childEvents));
}

/** sysWait4 implements Linux syscall wait4(2). */
export function sysWait4(ctx: SyscallContext): SyscallResult {
  const pid = ctx.args.int(0);
  const options = ctx.args.int(2);
  if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WALL | __WCLONE)) return errno(Errno.EINVAL);
  if (options & (WUNTRACED | WCONTINUED)) ctx.warnOnce('wait4:stop', 'wait4: stopped/continued children are not reported (job control is not simulated)');
  return collectChild(
    ctx,
    candidates(ctx, pid),
    options,
    (zombie) => {
      const parent = ctx.process;
      parent.reap(zombie);
      const args = [BigInt(zombie.nativePid), ctx.args.raw(1), BigInt(WNOHANG), ctx.args.raw(3), 0n, 0n];
      return rewrite(SYSCALL_NUMBERS.wait4, args, (ret) => (ret > 0n ? BigInt(zombie.pid) : ret));
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
  if (!(options & WEXITED)) {
    ctx.warnOnce('waitid:stop', 'waitid: stopped/continued children are not reported (job control is not simulated)');
  }
  let pid: number;
  if (idtype === P_ALL) pid = -1;
  else if (idtype === P_PID) pid = id <= 0 ? NaN : id;
  else if (idtype === P_PGID) pid = id < 0 ? NaN : id === 0 ? 0 : -id;
  else return errno(Errno.EINVAL);
  if (Number.isNaN(pid)) return errno(Errno.EINVAL);
  const memory = ctx.memory;
  return collectChild(
    ctx,
    options & WEXITED ? candidates(ctx, pid) : [],
    options,
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
    () => {
      // WNOHANG with nothing to report: si_pid (and the rest) read 0 (waitid(2)).
      if (infop !== 0n && !memory.write(infop, new Uint8Array(128))) return errno(Errno.EFAULT);
      return ok(0);
    },
  );
}
