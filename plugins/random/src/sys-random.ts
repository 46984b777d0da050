import { Errno, errno, ok, type ExecEvent, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';

const GRND_NONBLOCK = 1;
const GRND_RANDOM = 2;
const GRND_INSECURE = 4;
/** Linux returns at most this many bytes from one getrandom call (INT_MAX >> 6). */
const MAX_GETRANDOM = 33_554_431;
const AT_RANDOM = 25;

/** sysGetrandom implements Linux syscall getrandom(2) from the host's seeded stream. */
export function sysGetrandom(ctx: SyscallContext): SyscallResult {
  const flags = ctx.args.int(2);
  if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) return errno(Errno.EINVAL);
  if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE)) return errno(Errno.EINVAL);
  const length = Math.min(ctx.args.sizeT(1), MAX_GETRANDOM);
  if (length > 0 && !ctx.memory.write(ctx.args.ptr(0), ctx.host.random.bytes(length))) return errno(Errno.EFAULT);
  return ok(length);
}

/** Replaces the 16 AT_RANDOM bytes the kernel gave a new image (stack canary, pointer guard). */
export function reseedAtRandom(event: ExecEvent): void {
  const addr = event.auxv.get(AT_RANDOM);
  if (addr !== undefined) event.memory.write(addr, event.host.random.bytes(16));
}
