import { closeSync, constants, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import {
  Errno,
  MAX_RW_COUNT,
  O,
  S_IF,
  SYSCALL_NUMBERS,
  Signal,
  block,
  errno,
  native,
  ok,
  rewrite,
  waitFor,
  type OpenFile,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import { EBADF, EFAULT, EINVAL, IOV_MAX, readIovecs, scatter, virtualFile, wouldBlock, type Iovec } from './io.js';
import { pipeOf, type PipeBuffer } from './pipe.js';
import { descriptorState } from './sys-sendfile.js';

/**
 * splice(2), tee(2) and vmsplice(2) where a simulated pipe is one end (fs/splice.c): the bytes move between
 * the simulated pipe and the other end — another simulated pipe, a simulated socket, or an
 * ordinary file the simulator reads or writes through /proc/<pid>/fd — in whole pages, as
 * Linux links pipe buffers. Between ordinary descriptors (no simulated pipe exists there) the
 * kernel answers.
 */

const SPLICE_F_NONBLOCK = 2;
/** SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT. */
const SPLICE_F_ALL = 0xf;
const SEEK_CUR = 1;

/** One end of a splice: a simulated file, or an ordinary descriptor with its open flags. */
type End = { readonly file: OpenFile; readonly flags: number } | { readonly fd: number; readonly flags: number };

function endOf(ctx: SyscallContext, fd: number): End | null {
  const file = virtualFile(ctx, fd);
  if (file) return { file, flags: file.statusFlags };
  const state = descriptorState(ctx, fd);
  return state ? { fd, flags: state.flags } : null;
}

const readable = (end: End): boolean => (end.flags & O.ACCMODE) !== O.WRONLY;
const writable = (end: End): boolean => (end.flags & O.ACCMODE) !== O.RDONLY;
const isSocket = (file: OpenFile): boolean => (file.stat().mode & 0o170000) === S_IF.SOCK;

/** *off_in / *off_out: null when not given, else the offset (EFAULT, or EINVAL when negative). */
function readOffset(ctx: SyscallContext, ptr: bigint): bigint | null | SyscallResult {
  if (ptr === 0n) return null;
  const raw = ctx.memory.read(ptr, 8);
  if (!raw) return EFAULT();
  const offset = new DataView(raw.buffer, raw.byteOffset, 8).getBigInt64(0, true);
  return offset < 0n ? EINVAL() : offset;
}

/** Opens the caller's ordinary descriptor `fd` through /proc for the simulator (non-blocking); null when it cannot. */
function openThrough(ctx: SyscallContext, fd: number, flags: number): number | null {
  try {
    return openSync(`/proc/${ctx.process.nativePid}/fd/${fd}`, flags | constants.O_NONBLOCK);
  } catch {
    return null;
  }
}

/** Whether an ordinary file can take part in a splice: a regular file or a character device. */
function spliceable(fd: number): boolean {
  const st = fstatSync(fd);
  return st.isFile() || st.isCharacterDevice();
}

/**
 * The splice's answer once `moved` bytes of the ordinary descriptor `fd` went through at
 * `offset`: *offset moves (when given), else the file position does, by the task's lseek(2).
 */
function advance(ctx: SyscallContext, fd: number, offsetPtr: bigint, offset: bigint | null, moved: number): SyscallResult {
  if (moved === 0) return ok(0);
  if (offset !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setBigInt64(0, offset + BigInt(moved), true);
    return ctx.memory.write(offsetPtr, bytes) ? ok(moved) : EFAULT();
  }
  return rewrite(SYSCALL_NUMBERS.lseek, [BigInt(fd), BigInt(moved), BigInt(SEEK_CUR)], () => BigInt(moved));
}

/** A pipe to write into has no reader: SIGPIPE to the caller and EPIPE. */
function brokenPipe(ctx: SyscallContext): SyscallResult {
  ctx.thread.signal(Signal.SIGPIPE, { pid: ctx.process.pid });
  return errno(Errno.EPIPE);
}

/** Waits for `file` (or EAGAIN, when the call or the description is non-blocking). */
function waitOn(file: OpenFile, nonBlocking: boolean): SyscallResult {
  return nonBlocking ? errno(Errno.EAGAIN) : wouldBlock(file);
}

/**
 * The bytes a pipe can give now, up to `length`: undefined when it must wait (or EAGAIN), an
 * empty array at end of file (no writer left).
 */
function pipeData({ pipe, file }: PipeSide, length: number, nonBlocking: boolean): Uint8Array | SyscallResult {
  if (pipe.size > 0) return pipe.peek(length);
  if (pipe.writers === 0) return new Uint8Array(0);
  return waitOn(file, nonBlocking);
}

/** Room in a pipe to write into: its free bytes, or the wait, or SIGPIPE/EPIPE without readers. */
function pipeRoom(ctx: SyscallContext, { pipe, file }: PipeSide, nonBlocking: boolean): number | SyscallResult {
  if (pipe.readers === 0) return brokenPipe(ctx);
  return pipe.room > 0 ? pipe.room : waitOn(file, nonBlocking);
}

/** A simulated pipe at one end of a splice or tee: its buffer and the description used. */
interface PipeSide {
  readonly pipe: PipeBuffer;
  readonly file: OpenFile;
}

/** Both ends of a splice or tee, the simulated pipes among them, and whether the call may wait. */
interface Ends {
  readonly source: End;
  readonly sink: End;
  readonly inPipe: PipeSide | undefined;
  readonly outPipe: PipeSide | undefined;
  readonly nonBlocking: boolean;
}

function pipeSide(end: End): PipeSide | undefined {
  const pipe = 'file' in end ? pipeOf(end.file) : undefined;
  return pipe && 'file' in end ? { pipe, file: end.file } : undefined;
}

/**
 * What splice(2) and tee(2) check first (sys_splice(), sys_tee()): a zero length is 0 at once,
 * unknown flags EINVAL, descriptors that are not open EBADF; with no simulated file at either
 * end the kernel runs the call (null). SPLICE_F_NONBLOCK or O_NONBLOCK on either end: no wait.
 */
function endsOf(ctx: SyscallContext, inFd: number, outFd: number, length: number, flags: number): Ends | SyscallResult | null {
  if (length === 0) return ok(0);
  if (flags & ~SPLICE_F_ALL) return EINVAL();
  if (!virtualFile(ctx, inFd) && !virtualFile(ctx, outFd)) return null;
  const source = endOf(ctx, inFd);
  const sink = endOf(ctx, outFd);
  if (!source || !sink) return EBADF();
  return {
    source,
    sink,
    inPipe: pipeSide(source),
    outPipe: pipeSide(sink),
    nonBlocking: (flags & SPLICE_F_NONBLOCK) !== 0 || ((source.flags | sink.flags) & O.NONBLOCK) !== 0,
  };
}

/** sysSplice implements Linux syscall splice(2) where a simulated pipe is one end. */
export function sysSplice(ctx: SyscallContext): SyscallResult {
  const ends = endsOf(ctx, ctx.args.int(0), ctx.args.int(2), ctx.args.sizeT(4), ctx.args.int(5) >>> 0);
  if (ends === null) return native();
  if (!('source' in ends)) return ends;
  const { source, sink, inPipe, outPipe, nonBlocking } = ends;
  const length = Math.min(ctx.args.sizeT(4), MAX_RW_COUNT);
  const offInPtr = ctx.args.ptr(1);
  const offOutPtr = ctx.args.ptr(3);
  if ((inPipe && offInPtr !== 0n) || (outPipe && offOutPtr !== 0n)) return errno(Errno.ESPIPE);
  const offIn = readOffset(ctx, offInPtr);
  if (offIn !== null && typeof offIn !== 'bigint') return offIn;
  const offOut = readOffset(ctx, offOutPtr);
  if (offOut !== null && typeof offOut !== 'bigint') return offOut;
  if (!readable(source) || !writable(sink)) return EBADF();
  if (inPipe && outPipe) {
    if (inPipe.pipe === outPipe.pipe) return EINVAL();
    return pipeToPipe(ctx, inPipe, outPipe, length, nonBlocking);
  }
  if (inPipe) return fromPipe(ctx, inPipe, sink, offOutPtr, offOut, length, nonBlocking);
  if (outPipe) return intoPipe(ctx, source, offInPtr, offIn, outPipe, length, nonBlocking);
  return EINVAL();
}

/** splice_pipe_to_pipe(): what the first pipe holds, as far as the second has room. */
function pipeToPipe(ctx: SyscallContext, from: PipeSide, to: PipeSide, length: number, nonBlocking: boolean): SyscallResult {
  const data = pipeData(from, length, nonBlocking);
  if (!(data instanceof Uint8Array)) return data;
  if (data.length === 0) return ok(0);
  const room = pipeRoom(ctx, to, nonBlocking);
  if (typeof room !== 'number') return room;
  const moved = data.subarray(0, room);
  to.pipe.putPages(moved);
  from.pipe.drain(moved.length);
  return ok(moved.length);
}

/** From a pipe into a simulated socket or an ordinary file (EINVAL for other simulated files). */
function fromPipe(
  ctx: SyscallContext,
  from: PipeSide,
  sink: End,
  offsetPtr: bigint,
  offset: bigint | null,
  length: number,
  nonBlocking: boolean,
): SyscallResult {
  // An O_APPEND destination cannot be written at a position (do_splice()).
  if (sink.flags & O.APPEND) return EINVAL();
  // A simulated file other than a socket has no splice_write; a socket has no position.
  if ('file' in sink && (!isSocket(sink.file) || offset !== null)) return EINVAL();
  const data = pipeData(from, length, nonBlocking);
  if (!(data instanceof Uint8Array)) return data;
  if (data.length === 0) return ok(0);
  if ('file' in sink) {
    const written = sink.file.write(ctx, data, null);
    let sent: number;
    if (typeof written === 'number') sent = written;
    else if (written === 'again') {
      if (ctx.call.transferred === 0) return waitOn(sink.file, nonBlocking);
      sent = ctx.call.transferred;
    } else if (written instanceof Uint8Array) return EINVAL();
    else return errno(written.errno);
    from.pipe.drain(sent);
    ctx.call.transferred = 0;
    return ok(sent);
  }
  const target = openThrough(ctx, sink.fd, constants.O_WRONLY);
  if (target === null) return EBADF();
  try {
    if (!spliceable(target)) return EINVAL();
    const state = offset === null ? descriptorState(ctx, sink.fd) : null;
    const at = offset ?? state?.pos ?? 0n;
    const sent = writeSync(target, data, 0, data.length, fstatSync(target).isFile() ? Number(at) : null);
    from.pipe.drain(sent);
    return advance(ctx, sink.fd, offsetPtr, offset, sent);
  } catch {
    return errno(Errno.EIO);
  } finally {
    closeSync(target);
  }
}

/** Into a pipe from a simulated socket or an ordinary file, as much as the pipe has room for. */
function intoPipe(
  ctx: SyscallContext,
  source: End,
  offsetPtr: bigint,
  offset: bigint | null,
  to: PipeSide,
  length: number,
  nonBlocking: boolean,
): SyscallResult {
  if ('file' in source && (!isSocket(source.file) || offset !== null)) return EINVAL();
  const room = pipeRoom(ctx, to, nonBlocking);
  if (typeof room !== 'number') return room;
  const want = Math.min(length, room);
  if ('file' in source) {
    const file = source.file;
    // The socket's own blocking applies unless the call asked for none.
    const got = nonBlocking && !file.nonBlocking ? readNonBlocking(ctx, file, want) : file.read(ctx, want, null);
    if (got === 'again') return waitOn(file, nonBlocking);
    if (typeof got === 'number') return EINVAL();
    if (!(got instanceof Uint8Array)) return errno(got.errno);
    to.pipe.putPages(got);
    return ok(got.length);
  }
  const reader = openThrough(ctx, source.fd, constants.O_RDONLY);
  if (reader === null) return EBADF();
  try {
    if (!spliceable(reader)) return EINVAL();
    const at = offset ?? descriptorState(ctx, source.fd)?.pos ?? 0n;
    const buffer = new Uint8Array(want);
    const read = readSync(reader, buffer, 0, want, fstatSync(reader).isFile() ? Number(at) : null);
    to.pipe.putPages(buffer.subarray(0, read));
    return advance(ctx, source.fd, offsetPtr, offset, read);
  } catch {
    return errno(Errno.EIO);
  } finally {
    closeSync(reader);
  }
}

/** A read of a blocking description as if it were non-blocking (SPLICE_F_NONBLOCK). */
function readNonBlocking(ctx: SyscallContext, file: OpenFile, length: number): ReturnType<OpenFile['read']> {
  const flags = file.statusFlags;
  file.statusFlags |= O.NONBLOCK;
  try {
    return file.read(ctx, length, null);
  } finally {
    file.statusFlags = flags;
  }
}

/** sysTee implements Linux syscall tee(2): copies what one simulated pipe holds into another, taking nothing. */
export function sysTee(ctx: SyscallContext): SyscallResult {
  const ends = endsOf(ctx, ctx.args.int(0), ctx.args.int(1), ctx.args.sizeT(2), ctx.args.int(3) >>> 0);
  if (ends === null) return native();
  if (!('source' in ends)) return ends;
  const { source, sink, inPipe, outPipe, nonBlocking } = ends;
  if (!readable(source) || !writable(sink)) return EBADF();
  if (!inPipe || !outPipe || inPipe.pipe === outPipe.pipe) return EINVAL();
  const data = pipeData(inPipe, Math.min(ctx.args.sizeT(2), MAX_RW_COUNT), nonBlocking);
  if (!(data instanceof Uint8Array)) return data;
  if (data.length === 0) return ok(0);
  const room = pipeRoom(ctx, outPipe, nonBlocking);
  if (typeof room !== 'number') return room;
  const copied = data.subarray(0, room);
  outPipe.pipe.putPages(copied);
  return ok(copied.length);
}

/** The user pages a vmsplice into a pipe links: each iovec cut at page boundaries of its address. */
const PAGE = 4096n;

/**
 * sysVmsplice implements Linux syscall vmsplice(2) on a simulated pipe: into the write end the
 * iovecs' bytes go in as one new page per user page they span (iter_to_pipe(), never merged),
 * as far as the pipe has slots; from the read end it reads as readv does. Only
 * SPLICE_F_NONBLOCK keeps it from waiting (the pipe's O_NONBLOCK does not, as in Linux).
 */
export function sysVmsplice(ctx: SyscallContext): SyscallResult {
  const fd = ctx.args.int(0);
  const flags = ctx.args.int(3) >>> 0;
  if (flags & ~SPLICE_F_ALL) return EINVAL();
  const file = virtualFile(ctx, fd);
  if (!file) return native();
  const writing = (file.statusFlags & O.ACCMODE) !== O.RDONLY;
  const count = ctx.args.sizeT(2);
  if (count > IOV_MAX) return EINVAL();
  const iovecs = readIovecs(ctx, ctx.args.ptr(1), count);
  if (!iovecs) return EFAULT();
  if (iovecs.some((v) => v.length > Number.MAX_SAFE_INTEGER || v.length < 0)) return EINVAL();
  const pipe = pipeOf(file);
  if (!pipe) return EBADF();
  const total = Math.min(iovecs.reduce((n, v) => n + v.length, 0), MAX_RW_COUNT);
  if (total === 0) return ok(0);
  // wait_for_space() and splice_from_pipe_next() look at SPLICE_F_NONBLOCK only.
  const wait = (): SyscallResult => (flags & SPLICE_F_NONBLOCK ? errno(Errno.EAGAIN) : block(waitFor.trigger(file.readiness)));
  if (!writing) {
    if (pipe.size === 0) return pipe.writers === 0 ? ok(0) : wait();
    const data = pipe.peek(total);
    if (!scatter(ctx, iovecs, data)) return EFAULT();
    pipe.drain(data.length);
    return ok(data.length);
  }
  if (pipe.readers === 0) return brokenPipe(ctx);
  if (pipe.room === 0) return wait();
  let slots = pipe.room / Number(PAGE);
  let moved = 0;
  for (const piece of userPages(iovecs, total)) {
    if (slots === 0) break;
    const bytes = ctx.memory.read(piece.base, piece.length);
    if (!bytes) return moved > 0 ? ok(moved) : EFAULT();
    pipe.putPages(bytes);
    moved += bytes.length;
    slots--;
  }
  return ok(moved);
}

/** The iovecs' first `total` bytes, cut at each page boundary of their addresses. */
function* userPages(iovecs: readonly Iovec[], total: number): Generator<Iovec> {
  let left = total;
  for (const { base, length } of iovecs) {
    let at = base;
    let rest = Math.min(length, left);
    left -= rest;
    while (rest > 0) {
      const inPage = Number(PAGE - (at % PAGE));
      const part = Math.min(rest, inPage);
      yield { base: at, length: part };
      at += BigInt(part);
      rest -= part;
    }
  }
}
