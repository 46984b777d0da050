import { MAX_RW_COUNT, O, POLL_READ, POLL_WRITE, TASK_SIZE, callSlot, errno, native, type OpenFile, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { EventFd } from './eventfd.js';
import { EBADF, EFAULT, EINVAL, IOV_MAX, gather, ioResult, readIovecs, scatter, virtualFile, type Iovec } from './io.js';
import { SignalFd } from './signalfd.js';
import { readSignals } from './sys-signalfd.js';
import { TimerFd } from './timerfd.js';

const SEEK_CUR = 1;

function canRead(file: OpenFile): boolean {
  return (file.statusFlags & O.ACCMODE) !== O.WRONLY;
}

function canWrite(file: OpenFile): boolean {
  return (file.statusFlags & O.ACCMODE) !== O.RDONLY;
}

/**
 * The offset argument of a positioned call: null for plain read/write; EINVAL when negative;
 * ESPIPE when the file has no position (pipes, eventfds, …), as pread(2) says.
 */
function position(file: OpenFile, offset: bigint | null): bigint | null | SyscallResult {
  if (offset === null) return null;
  if (offset < 0n) return EINVAL();
  const seekable = file.seek(0n, SEEK_CUR);
  return typeof seekable === 'bigint' ? offset : errno(seekable.errno);
}

/**
 * access_ok() on every buffer with the count the program passed, before any cap: a range that
 * leaves user space is EFAULT even when the capped transfer would fit (read(2), write(2)).
 */
function inUserSpace(iovecs: readonly Iovec[]): boolean {
  return iovecs.every((v) => v.length === 0 || v.base + BigInt(v.length) <= TASK_SIZE);
}

/** A read whose buffer was probed: a blocked read woken again does not probe it again. */
const BUFFER_PROBED = callSlot<true>('io.read.buffer-probed');

/** Whether the destination buffers' first byte is writable (probed once per call: two copies). */
function bufferUsable(ctx: SyscallContext, iovecs: readonly Iovec[]): boolean {
  const first = iovecs.find((v) => v.length > 0);
  if (!first || ctx.call.get(BUFFER_PROBED)) return true;
  const byte = ctx.memory.read(first.base, 1);
  const usable = byte !== null && ctx.memory.write(first.base, byte);
  if (usable) ctx.call.set(BUFFER_PROBED, true);
  return usable;
}

/**
 * Reads from `file` into the iovecs (one buffer for read/pread64). A request for 0 bytes goes to
 * the file too: vfs_read has no shortcut, and the kinds differ (a pipe or socket answers 0, an
 * eventfd EINVAL).
 */
function readFile(ctx: SyscallContext, file: OpenFile, iovecs: readonly Iovec[], offset: bigint | null): SyscallResult {
  if (!canRead(file)) return EBADF();
  if (!inUserSpace(iovecs)) return EFAULT();
  const pos = position(file, offset);
  if (pos !== null && typeof pos !== 'bigint') return pos;
  const total = Math.min(
    iovecs.reduce((n, v) => n + v.length, 0),
    MAX_RW_COUNT,
  );
  // Pipes and sockets leave their data where it was when the buffer is bad. Where the file cannot
  // (no readInto), probing the first byte (read, then written back unchanged) covers the usual
  // bad pointers; a buffer that faults further in loses what was read. An eventfd or timerfd
  // takes its count first and then copies it out (eventfd_read, timerfd_read_iter): the count is
  // lost, once there is one.
  if (file instanceof SignalFd) return readSignals(ctx, file, iovecs, total);
  // A kind that takes its bytes only once they reached the program needs no probe.
  if (file.readInto) return ioResult(file, file.readInto(ctx, total, pos, (data) => scatter(ctx, iovecs, data)), () => true, POLL_READ);
  if (!bufferUsable(ctx, iovecs)) {
    if (!(file instanceof EventFd || file instanceof TimerFd)) return EFAULT();
    return ioResult(file, file.read(ctx, total, pos), () => false, POLL_READ);
  }
  return ioResult(file, file.read(ctx, total, pos), (data) => scatter(ctx, iovecs, data), POLL_READ);
}

/**
 * Writes the iovecs' bytes (one buffer for write/pwrite64) to `file`, even none: vfs_write has
 * no shortcut, so a 0-byte write to a socket shut down for writing is EPIPE and raises SIGPIPE.
 */
function writeFile(ctx: SyscallContext, file: OpenFile, iovecs: readonly Iovec[], offset: bigint | null): SyscallResult {
  if (!canWrite(file)) return EBADF();
  if (!inUserSpace(iovecs)) return EFAULT();
  const pos = position(file, offset);
  if (pos !== null && typeof pos !== 'bigint') return pos;
  const data = gather(ctx, iovecs);
  if (!data) return EFAULT();
  return ioResult(file, file.write(ctx, data, pos), () => true, POLL_WRITE);
}

/** The iovec array of a vectored call, or the errno result for a bad one. */
function vector(ctx: SyscallContext, addr: bigint, count: number): Iovec[] | SyscallResult {
  if (count < 0 || count > IOV_MAX) return EINVAL();
  const iovecs = readIovecs(ctx, addr, count);
  if (!iovecs) return EFAULT();
  // The sum must stay within ssize_t (readv(2): EINVAL on overflow).
  if (iovecs.some((v) => v.length < 0 || v.length > Number.MAX_SAFE_INTEGER)) return EINVAL();
  return iovecs;
}

/** preadv2/pwritev2: offset -1 means "the current position", like readv/writev. */
function offsetOrCurrent(raw: bigint): bigint | null {
  return raw === -1n ? null : raw;
}

function warnFlags(ctx: SyscallContext, flags: number): void {
  if (flags !== 0) ctx.warnOnce(`${ctx.name}:flags`, `${ctx.name}: RWF_* flags 0x${flags.toString(16)} are ignored on virtual files`);
}

function single(ctx: SyscallContext): Iovec[] {
  return [{ base: ctx.args.ptr(1), length: ctx.args.sizeT(2) }];
}

/** sysRead implements Linux syscall read(2). */
export function sysRead(ctx: SyscallContext): SyscallResult {
  const file = virtualFile(ctx, ctx.args.int(0));
  return file ? readFile(ctx, file, single(ctx), null) : native();
}

/** sysWrite implements Linux syscall write(2). */
export function sysWrite(ctx: SyscallContext): SyscallResult {
  const file = virtualFile(ctx, ctx.args.int(0));
  return file ? writeFile(ctx, file, single(ctx), null) : native();
}

/** sysPread64 implements Linux syscall pread64(2). */
export function sysPread64(ctx: SyscallContext): SyscallResult {
  const file = virtualFile(ctx, ctx.args.int(0));
  return file ? readFile(ctx, file, single(ctx), ctx.args.raw(3)) : native();
}

/** sysPwrite64 implements Linux syscall pwrite64(2). */
export function sysPwrite64(ctx: SyscallContext): SyscallResult {
  const file = virtualFile(ctx, ctx.args.int(0));
  return file ? writeFile(ctx, file, single(ctx), ctx.args.raw(3)) : native();
}

/** sysReadv implements Linux syscall readv(2). */
export function sysReadv(ctx: SyscallContext): SyscallResult {
  const file = virtualFile(ctx, ctx.args.int(0));
  if (!file) return native();
  const iovecs = vector(ctx, ctx.args.ptr(1), ctx.args.int(2));
  return Array.isArray(iovecs) ? readFile(ctx, file, iovecs, null) : iovecs;
}

/** sysWritev implements Linux syscall writev(2). */
export function sysWritev(ctx: SyscallContext): SyscallResult {
  const file = virtualFile(ctx, ctx.args.int(0));
  if (!file) return native();
  const iovecs = vector(ctx, ctx.args.ptr(1), ctx.args.int(2));
  return Array.isArray(iovecs) ? writeFile(ctx, file, iovecs, null) : iovecs;
}

/** sysPreadv implements Linux syscall preadv(2) (x86_64 passes the whole offset in pos_l). */
export function sysPreadv(ctx: SyscallContext): SyscallResult {
  const file = virtualFile(ctx, ctx.args.int(0));
  if (!file) return native();
  const iovecs = vector(ctx, ctx.args.ptr(1), ctx.args.int(2));
  return Array.isArray(iovecs) ? readFile(ctx, file, iovecs, ctx.args.raw(3)) : iovecs;
}

/** sysPwritev implements Linux syscall pwritev(2). */
export function sysPwritev(ctx: SyscallContext): SyscallResult {
  const file = virtualFile(ctx, ctx.args.int(0));
  if (!file) return native();
  const iovecs = vector(ctx, ctx.args.ptr(1), ctx.args.int(2));
  return Array.isArray(iovecs) ? writeFile(ctx, file, iovecs, ctx.args.raw(3)) : iovecs;
}

/** sysPreadv2 implements Linux syscall preadv2(2). */
export function sysPreadv2(ctx: SyscallContext): SyscallResult {
  const file = virtualFile(ctx, ctx.args.int(0));
  if (!file) return native();
  warnFlags(ctx, ctx.args.int(5));
  const iovecs = vector(ctx, ctx.args.ptr(1), ctx.args.int(2));
  return Array.isArray(iovecs) ? readFile(ctx, file, iovecs, offsetOrCurrent(ctx.args.raw(3))) : iovecs;
}

/** sysPwritev2 implements Linux syscall pwritev2(2). */
export function sysPwritev2(ctx: SyscallContext): SyscallResult {
  const file = virtualFile(ctx, ctx.args.int(0));
  if (!file) return native();
  warnFlags(ctx, ctx.args.int(5));
  const iovecs = vector(ctx, ctx.args.ptr(1), ctx.args.int(2));
  return Array.isArray(iovecs) ? writeFile(ctx, file, iovecs, offsetOrCurrent(ctx.args.raw(3))) : iovecs;
}
