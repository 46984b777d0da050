import { Errno, errno, native, ok, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { virtualFile } from './io.js';

/*
 * Extended attributes on descriptors. A virtual file (pipe, socket, eventfd, …) has none, and
 * Linux lets no user attribute be set on a file that is neither regular nor a directory; a real
 * file's attributes are the kernel's.
 */

/** sysFgetxattr implements Linux syscall fgetxattr(2): ENODATA for a virtual file. */
export function sysFgetxattr(ctx: SyscallContext): SyscallResult {
  return virtualFile(ctx, ctx.args.int(0)) ? errno(Errno.ENODATA) : native();
}

/** sysFsetxattr implements Linux syscalls fsetxattr(2) and fremovexattr(2): EPERM for a virtual file. */
export function sysFsetxattr(ctx: SyscallContext): SyscallResult {
  return virtualFile(ctx, ctx.args.int(0)) ? errno(Errno.EPERM) : native();
}

/** sysFlistxattr implements Linux syscall flistxattr(2): an empty list for a virtual file. */
export function sysFlistxattr(ctx: SyscallContext): SyscallResult {
  return virtualFile(ctx, ctx.args.int(0)) ? ok(0) : native();
}
