import { Errno, errno, native, rewrite, type SyscallContext, type SyscallResult, type ThreadView } from '@shadow-ts/plugin-sdk';

/** The live thread `tid` of the caller's host (optionally of process `tgid`). */
export function hostThread(ctx: SyscallContext, tid: number, tgid?: number): ThreadView | undefined {
  for (const process of ctx.host.processes()) {
    if (tgid !== undefined && process.pid !== tgid) continue;
    const thread = process.threads().find((t) => t.tid === tid);
    if (thread) return thread;
  }
  return undefined;
}

/** The syscall's six argument registers with argument `i` replaced by `value`. */
export function argsWith(ctx: SyscallContext, i: number, value: bigint): bigint[] {
  return [0, 1, 2, 3, 4, 5].map((j) => (j === i ? value : ctx.args.raw(j)));
}

/**
 * Runs the call natively on the real task behind the virtual pid (or tid) in argument `i`, so
 * that no call reaches a process outside the caller's host (the simulator included): a virtual
 * pid of a live task of the host becomes its real tid; 0 and negative values run as issued (the
 * kernel reads 0 as the caller and finds no task for a negative pid); any other pid is ESRCH.
 */
export function onRealPid(ctx: SyscallContext, i: number): SyscallResult {
  const pid = ctx.args.int(i);
  if (pid <= 0) return native();
  const thread = hostThread(ctx, pid);
  return thread ? rewrite(ctx.nr, argsWith(ctx, i, BigInt(thread.nativeTid))) : errno(Errno.ESRCH);
}
