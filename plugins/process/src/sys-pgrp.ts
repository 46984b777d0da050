import { Errno, errno, ok, type ProcessView, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';

/** The process `pid` names (0: the caller) on the caller's host. */
function target(ctx: SyscallContext, pid: number): ProcessView | undefined {
  return pid === 0 ? ctx.process : ctx.host.processes().find((p) => p.pid === pid);
}

/** sysSetsid implements Linux syscall setsid(2). */
export function sysSetsid(ctx: SyscallContext): SyscallResult {
  const me = ctx.process;
  // A process group leader cannot start a session: its group would straddle two sessions.
  if (ctx.host.processes().some((p) => p.pgid === me.pid)) return errno(Errno.EPERM);
  me.sid = me.pid;
  me.pgid = me.pid;
  return ok(me.pid);
}

/** sysGetsid implements Linux syscall getsid(2). */
export function sysGetsid(ctx: SyscallContext): SyscallResult {
  const p = target(ctx, ctx.args.int(0));
  return p ? ok(p.sid) : errno(Errno.ESRCH);
}

/** sysSetpgid implements Linux syscall setpgid(2). */
export function sysSetpgid(ctx: SyscallContext): SyscallResult {
  const pid = ctx.args.int(0);
  const pgid = ctx.args.int(1);
  if (pgid < 0) return errno(Errno.EINVAL);
  const me = ctx.process;
  const p = target(ctx, pid);
  if (!p || (p !== me && p.parentPid !== me.pid)) return errno(Errno.ESRCH);
  if (p.sid !== me.sid) return errno(Errno.EPERM);
  if (p.sid === p.pid) return errno(Errno.EPERM); // a session leader keeps its group
  const group = pgid === 0 ? p.pid : pgid;
  // Joining a group is allowed only within the session, into a group that exists.
  if (group !== p.pid && !ctx.host.processes().some((q) => q.pgid === group && q.sid === me.sid)) return errno(Errno.EPERM);
  p.pgid = group;
  return ok();
}

/** sysGetpgid implements Linux syscall getpgid(2). */
export function sysGetpgid(ctx: SyscallContext): SyscallResult {
  const p = target(ctx, ctx.args.int(0));
  return p ? ok(p.pgid) : errno(Errno.ESRCH);
}

/** sysGetpgrp implements Linux syscall getpgrp(2). */
export function sysGetpgrp(ctx: SyscallContext): SyscallResult {
  return ok(ctx.process.pgid);
}
