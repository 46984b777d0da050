import { O, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { EFD_SEMAPHORE, EventFd } from './eventfd.js';
import { EINVAL, newDescriptor } from './io.js';

/** The flags eventfd2(2) accepts: EFD_SEMAPHORE, EFD_NONBLOCK (O_NONBLOCK), EFD_CLOEXEC (O_CLOEXEC). */
const EFD_FLAGS = EFD_SEMAPHORE | O.NONBLOCK | O.CLOEXEC;

/** Creates an eventfd whose counter starts at `initval` (an unsigned int in both syscalls). */
function createEventFd(ctx: SyscallContext, flags: number): SyscallResult {
  if ((flags & ~EFD_FLAGS) !== 0) return EINVAL();
  const initval = BigInt(ctx.args.int(0) >>> 0);
  return newDescriptor(ctx, new EventFd(initval, flags), (flags & O.CLOEXEC) !== 0);
}

/** sysEventfd implements Linux syscall eventfd(2) (the original call, without flags). */
export function sysEventfd(ctx: SyscallContext): SyscallResult {
  return createEventFd(ctx, 0);
}

/** sysEventfd2 implements Linux syscall eventfd2(2). */
export function sysEventfd2(ctx: SyscallContext): SyscallResult {
  return createEventFd(ctx, ctx.args.int(1));
}
