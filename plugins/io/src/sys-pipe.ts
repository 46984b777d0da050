import { O, SYSCALL_NUMBERS, rewrite, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { EINVAL } from './io.js';
import { PipeBuffer } from './pipe.js';

/** O_DIRECT (x86_64): pipe2(2) packet mode. */
const O_DIRECT = 0o40000;
/** The flags pipe2(2) accepts. */
const PIPE2_FLAGS = O.CLOEXEC | O.NONBLOCK | O_DIRECT;

/**
 * Creates a pipe for the calling process. The kernel allocates the two descriptor numbers: the
 * call runs natively as pipe2(fds, flags & O_CLOEXEC), which makes a placeholder pipe and writes
 * both numbers to the program's array (an unusable `fds` pointer fails there with EFAULT, as it
 * should). At the syscall-exit stop the numbers are read back and bound to the simulated ends;
 * the placeholder itself never carries data.
 */
function createPipe(ctx: SyscallContext, fdsPtr: bigint, flags: number): SyscallResult {
  if ((flags & ~PIPE2_FLAGS) !== 0) return EINVAL();
  if ((flags & O_DIRECT) !== 0) {
    ctx.warnOnce('pipe2:O_DIRECT', 'pipe2: O_DIRECT (packet mode) is not emulated; the pipe is a byte stream');
  }
  // ctx is reused for later calls: keep what the exit-stop mapper needs.
  const memory = ctx.memory;
  const fds = ctx.process.fds;
  const nonBlocking = (flags & O.NONBLOCK) !== 0;
  const writeFlags = flags & O_DIRECT; // Linux shows O_DIRECT in F_GETFL of the write end only
  return rewrite(SYSCALL_NUMBERS.pipe2, [fdsPtr, BigInt(flags & O.CLOEXEC)], (ret) => {
    if (ret !== 0n) return ret;
    const bytes = memory.read(fdsPtr, 8);
    // The kernel just wrote the array, so it is readable; if it somehow is not, the descriptors
    // stay ordinary (working, but unsimulated) pipes.
    if (!bytes) return ret;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const pipe = new PipeBuffer(nonBlocking, writeFlags);
    fds.bind(view.getInt32(0, true), pipe.readEnd);
    fds.bind(view.getInt32(4, true), pipe.writeEnd);
    return ret;
  });
}

/** sysPipe implements Linux syscall pipe(2). */
export function sysPipe(ctx: SyscallContext): SyscallResult {
  return createPipe(ctx, ctx.args.ptr(0), 0);
}

/** sysPipe2 implements Linux syscall pipe2(2). */
export function sysPipe2(ctx: SyscallContext): SyscallResult {
  return createPipe(ctx, ctx.args.ptr(0), ctx.args.int(1));
}
