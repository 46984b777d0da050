import { native, ok, statBytes, statxBytes, type OpenFile, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { EFAULT, virtualFile } from './io.js';

const AT_EMPTY_PATH = 0x1000;

/** The virtual file an `*at` call with AT_EMPTY_PATH and "" names through `dirfd`, if any. */
function emptyPathTarget(ctx: SyscallContext, dirfd: number, path: bigint, flags: number): OpenFile | undefined {
  const file = virtualFile(ctx, dirfd);
  if (!file || !(flags & AT_EMPTY_PATH)) return undefined;
  return ctx.memory.readCString(path, 1) === '' ? file : undefined;
}

/** sysFstat implements Linux syscall fstat(2). */
export function sysFstat(ctx: SyscallContext): SyscallResult {
  const file = virtualFile(ctx, ctx.args.int(0));
  if (!file) return native();
  return ctx.memory.write(ctx.args.ptr(1), statBytes(file.stat())) ? ok() : EFAULT();
}

/** sysNewfstatat implements Linux syscall newfstatat(2) for `fstatat(fd, "", buf, AT_EMPTY_PATH)` on virtual files. */
export function sysNewfstatat(ctx: SyscallContext): SyscallResult {
  const file = emptyPathTarget(ctx, ctx.args.int(0), ctx.args.ptr(1), ctx.args.int(3));
  if (!file) return native();
  return ctx.memory.write(ctx.args.ptr(2), statBytes(file.stat())) ? ok() : EFAULT();
}

/** sysStatx implements Linux syscall statx(2) for AT_EMPTY_PATH on virtual files. */
export function sysStatx(ctx: SyscallContext): SyscallResult {
  const file = emptyPathTarget(ctx, ctx.args.int(0), ctx.args.ptr(1), ctx.args.int(2));
  if (!file) return native();
  ctx.warnOnce('statx:virtual', 'statx: virtual files report type, mode and size only (owner and times read 0)');
  return ctx.memory.write(ctx.args.ptr(4), statxBytes(file.stat())) ? ok() : EFAULT();
}
