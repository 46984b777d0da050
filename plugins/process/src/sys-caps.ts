import { Errno, errno, native, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { hostThread } from './pids.js';

/** Offset of `pid` in struct __user_cap_header_struct (version, pid). */
const HEADER_PID = 4n;

function int32(value: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value, true);
  return bytes;
}

/**
 * Runs a capability call natively with the header's pid set to `pid` for the kernel, and puts
 * the program's own value back when the call returns.
 */
function withHeaderPid(ctx: SyscallContext, header: bigint, virtual: number, pid: number): SyscallResult {
  const memory = ctx.memory;
  if (!memory.write(header + HEADER_PID, int32(pid))) return errno(Errno.EFAULT);
  return native((ret) => (memory.write(header + HEADER_PID, int32(virtual)), ret));
}

/** The header's pid, or null when the kernel may read the header as it is (no pid, or a fault). */
function headerPid(ctx: SyscallContext): number | null {
  const raw = ctx.memory.read(ctx.args.ptr(0) + HEADER_PID, 4);
  if (!raw) return null;
  const pid = new DataView(raw.buffer, raw.byteOffset).getInt32(0, true);
  return pid > 0 ? pid : null;
}

/** sysCapget implements Linux syscall capget(2) on virtual pids of the caller's host (0: the caller). */
export function sysCapget(ctx: SyscallContext): SyscallResult {
  const pid = headerPid(ctx);
  if (pid === null) return native();
  const thread = hostThread(ctx, pid);
  return thread ? withHeaderPid(ctx, ctx.args.ptr(0), pid, thread.nativeTid) : errno(Errno.ESRCH);
}

/** sysCapset implements Linux syscall capset(2): the caller only (0 or its own pid), as Linux allows. */
export function sysCapset(ctx: SyscallContext): SyscallResult {
  const pid = headerPid(ctx);
  if (pid === null) return native();
  return pid === ctx.thread.tid ? withHeaderPid(ctx, ctx.args.ptr(0), pid, 0) : errno(Errno.EPERM);
}
