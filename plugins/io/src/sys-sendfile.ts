import { closeSync, constants, fstatSync, openSync, readFileSync, readSync } from 'node:fs';
import { Errno, MAX_RW_COUNT, O, SYSCALL_NUMBERS, errno, native, ok, rewrite, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { EBADF, EFAULT, EINVAL, virtualFile, wouldBlock } from './io.js';

/** Bytes one sendfile moves at most: a program loops until its count is sent (nginx, …). */
const CHUNK = 256 * 1024;
const SEEK_CUR = 1;

/** The open flags and position of descriptor `fd` of the caller, from its fdinfo; null when it is not open. */
export function descriptorState(ctx: SyscallContext, fd: number): { flags: number; pos: bigint } | null {
  try {
    const info = readFileSync(`/proc/${ctx.process.nativePid}/fdinfo/${fd}`, 'latin1');
    const pos = /^pos:\s+(\d+)/m.exec(info)?.[1];
    const flags = /^flags:\s+([0-7]+)/m.exec(info)?.[1];
    return pos === undefined || flags === undefined ? null : { flags: parseInt(flags, 8), pos: BigInt(pos) };
  } catch {
    return null;
  }
}

/**
 * Up to `length` bytes of the caller's regular file `fd` at `pos`, read by the simulator through
 * /proc/<pid>/fd (opened non-blocking, so no special file can stall it); EINVAL for a file that
 * is not regular, as sendfile(2) refuses what it cannot map.
 */
function readSource(ctx: SyscallContext, fd: number, pos: bigint, length: number): Uint8Array | SyscallResult {
  let source: number;
  try {
    source = openSync(`/proc/${ctx.process.nativePid}/fd/${fd}`, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return EBADF();
  }
  try {
    if (!fstatSync(source).isFile()) return EINVAL();
    const buffer = new Uint8Array(length);
    const read = readSync(source, buffer, 0, length, pos);
    return buffer.subarray(0, read);
  } catch {
    return errno(Errno.EIO);
  } finally {
    closeSync(source);
  }
}

/**
 * sysSendfile implements Linux syscall sendfile(2). Into a virtual file (a simulated socket or
 * pipe) from a regular file: the simulator reads the bytes and writes them to the virtual file,
 * then moves `*offset`, or the source's file position by having the task run lseek(2). Between
 * two real files the kernel does it. At most one chunk per call: the count is a maximum.
 */
export function sysSendfile(ctx: SyscallContext): SyscallResult {
  const outFd = ctx.args.int(0);
  const inFd = ctx.args.int(1);
  const out = virtualFile(ctx, outFd);
  // A pipe or socket cannot be the source (it has no page cache to read from).
  if (virtualFile(ctx, inFd)) return EINVAL();
  if (!out) return native();
  if ((out.statusFlags & O.ACCMODE) === O.RDONLY) return EBADF();
  const state = descriptorState(ctx, inFd);
  if (!state || (state.flags & O.ACCMODE) === O.WRONLY) return EBADF();
  const offsetPtr = ctx.args.ptr(2);
  let pos = state.pos;
  if (offsetPtr !== 0n) {
    const raw = ctx.memory.read(offsetPtr, 8);
    if (!raw) return EFAULT();
    pos = new DataView(raw.buffer, raw.byteOffset, 8).getBigInt64(0, true);
    if (pos < 0n) return EINVAL();
  }
  const count = Math.min(ctx.args.sizeT(3), MAX_RW_COUNT, CHUNK);
  if (count === 0) return ok(0);
  const data = readSource(ctx, inFd, pos, count);
  if (!(data instanceof Uint8Array)) return data;
  if (data.length === 0) return ok(0); // end of the source
  const written = out.write(ctx, data, null);
  let sent: number;
  if (typeof written === 'number') sent = written;
  else if (written === 'again') {
    // What moved before the destination filled is the short count; with nothing moved, wait.
    if (ctx.call.transferred === 0) return wouldBlock(out);
    sent = ctx.call.transferred;
  } else if (written instanceof Uint8Array) return EINVAL();
  else return errno(written.errno);
  if (offsetPtr !== 0n) {
    const moved = new Uint8Array(8);
    new DataView(moved.buffer).setBigInt64(0, pos + BigInt(sent), true);
    return ctx.memory.write(offsetPtr, moved) ? ok(sent) : EFAULT();
  }
  return rewrite(SYSCALL_NUMBERS.lseek, [BigInt(inFd), BigInt(sent), BigInt(SEEK_CUR)], () => BigInt(sent));
}

/**
 * sysCopyFileRange implements Linux syscall copy_file_range(2): between two real files the
 * kernel copies; a virtual file (pipe, socket, …) on either side is EINVAL, as Linux answers
 * for anything but regular files.
 */
export function sysCopyFileRange(ctx: SyscallContext): SyscallResult {
  return virtualFile(ctx, ctx.args.int(0)) || virtualFile(ctx, ctx.args.int(2)) ? EINVAL() : native();
}
