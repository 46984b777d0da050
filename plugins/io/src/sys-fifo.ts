import { accessSync, constants, lstatSync, statSync, type BigIntStats } from 'node:fs';
import {
  Errno,
  O,
  block,
  callSlot,
  errno,
  newDescriptor,
  waitFor,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import type { FifoEnd, FifoTable, PendingOpen } from './fifo.js';
import { fileKey } from './locks.js';
import { PipeDuplexEnd, PipeReadEnd, PipeWriteEnd } from './pipe.js';
import type { IoState } from './state.js';

/**
 * FIFOs opened by path (fifo(7)). The real FIFO would block open(2) in the real kernel until the
 * other end opens, stopping the whole simulation; so the open never reaches the kernel: the
 * descriptor is a simulated pipe end, shared with the other managed processes of the host that
 * open the same FIFO (by device and inode), and opens wait for their partner on simulated time.
 */

const AT_FDCWD = -100;
const O_PATH = 0o10000000;
/** The kernel adds O_LARGEFILE to every open on 64-bit (force_o_largefile), F_GETFL shows it. */
const O_LARGEFILE = 0o100000;
const PATH_MAX = 4096;

/** This call's open, once it waits for its partner (it survives the restarts of the wait). */
const PENDING = callSlot<PendingOpen>('fifo.pending');

/**
 * The path as the simulator can stat it: relative paths through the process's cwd or `dirfd` in
 * /proc. Paths through /proc and /dev/fd are left to the kernel: "self" would name the simulator.
 */
function realPath(ctx: SyscallContext, dirfd: number, path: string): string | null {
  if (/^\/(proc|dev\/fd|dev\/std)/.test(path)) return null;
  if (path.startsWith('/')) return path;
  return `/proc/${ctx.process.nativePid}/${dirfd === AT_FDCWD ? 'cwd' : `fd/${dirfd}`}/${path}`;
}

/** The descriptor for a FIFO end; an end that gets none (EMFILE) is closed again. */
function descriptor(ctx: SyscallContext, end: FifoEnd, flags: number): SyscallResult {
  const result = newDescriptor(ctx, end, { cloexec: (flags & O.CLOEXEC) !== 0 });
  if (result.kind !== 'rewrite' || !result.mapResult) return result;
  const bind = result.mapResult;
  return {
    ...result,
    mapResult: (ret) => {
      const fd = bind(ret);
      if (fd < 0n) end.release();
      return fd;
    },
  };
}

/**
 * Parks an open until its partner opens (fifo_open()'s wait_for_partner): a reader until a
 * writer has opened since it began, a writer until a reader has. EINTR undoes the open.
 */
function awaitPartner(ctx: SyscallContext, table: FifoTable, open: PendingOpen, flags: number): SyscallResult {
  const pipe = open.end.pipe;
  const opens = open.waitsFor === 'writer' ? pipe.writerOpens : pipe.readerOpens;
  if (opens !== open.partnerOpens) {
    table.done(ctx.thread);
    return descriptor(ctx, open.end, flags);
  }
  const thread = ctx.thread;
  return block(waitFor.trigger(open.node.opens), {
    onInterrupt: () => {
      table.done(thread);
      open.end.release();
    },
  });
}

/**
 * Opens the FIFO at `pathAddr` as a simulated pipe end, or passes (undefined) when the path is
 * not a FIFO or the kernel answers such an open without blocking (O_PATH, O_DIRECTORY,
 * O_CREAT|O_EXCL, a bad access mode).
 */
function openFifo(ctx: SyscallContext, state: IoState, dirfd: number, pathAddr: bigint, flags: number): SyscallResult | undefined {
  const table = state.fifos(ctx.host);
  const pending = ctx.call.get(PENDING);
  if (pending) return awaitPartner(ctx, table, pending, flags);
  // A fresh call: an open this thread left waiting was restarted after a signal handler.
  table.abandon(ctx.thread);
  const mode = flags & O.ACCMODE;
  if (flags & (O_PATH | O.DIRECTORY) || (flags & O.CREAT && flags & O.EXCL) || mode === O.ACCMODE) return undefined;
  const path = ctx.memory.readCString(pathAddr, PATH_MAX);
  const real = path === null ? null : realPath(ctx, dirfd, path);
  if (real === null) return undefined;
  const st = fifoStat(real, (flags & O.NOFOLLOW) !== 0);
  if (!st) return undefined;
  try {
    accessSync(real, mode === O.RDONLY ? constants.R_OK : mode === O.WRONLY ? constants.W_OK : constants.R_OK | constants.W_OK);
  } catch {
    return errno(Errno.EACCES);
  }
  const node = table.node(fileKey(st.dev, st.ino));
  const pipe = node.pipe();
  const nonBlocking = (flags & O.NONBLOCK) !== 0;
  // fifo(7): a non-blocking open for writing fails while nobody reads.
  if (mode === O.WRONLY && nonBlocking && pipe.readers === 0) return errno(Errno.ENXIO);
  const statusFlags = (flags & (O.ACCMODE | O.NONBLOCK | O.APPEND)) | O_LARGEFILE;
  const end = mode === O.RDONLY ? new PipeReadEnd(pipe, statusFlags) : mode === O.WRONLY ? new PipeWriteEnd(pipe, statusFlags) : new PipeDuplexEnd(pipe, statusFlags);
  node.opens.notify(); // partners waiting for this side
  const waitsFor = mode === O.RDONLY && pipe.writers === 0 ? 'writer' : mode === O.WRONLY && pipe.readers === 0 ? 'reader' : null;
  if (waitsFor === null) return descriptor(ctx, end, flags);
  if (nonBlocking) {
    (end as PipeReadEnd).hupAfterOpens = pipe.writerOpens; // a reader: no POLLHUP before a writer came
    return descriptor(ctx, end, flags);
  }
  const open: PendingOpen = { end, node, partnerOpens: waitsFor === 'writer' ? pipe.writerOpens : pipe.readerOpens, waitsFor };
  ctx.call.set(PENDING, open);
  table.wait(ctx.thread, open);
  return awaitPartner(ctx, table, open, flags);
}

/** sysOpenFifo implements Linux syscall open(2) for paths that are FIFOs. */
export function sysOpenFifo(ctx: SyscallContext, state: IoState): SyscallResult | undefined {
  return openFifo(ctx, state, AT_FDCWD, ctx.args.ptr(0), ctx.args.int(1));
}

/** sysOpenatFifo implements Linux syscall openat(2) for paths that are FIFOs. */
export function sysOpenatFifo(ctx: SyscallContext, state: IoState): SyscallResult | undefined {
  return openFifo(ctx, state, ctx.args.int(0), ctx.args.ptr(1), ctx.args.int(2));
}

/** sysCreatFifo implements Linux syscall creat(2) for paths that are FIFOs (open for writing). */
export function sysCreatFifo(ctx: SyscallContext, state: IoState): SyscallResult | undefined {
  return openFifo(ctx, state, AT_FDCWD, ctx.args.ptr(0), O.CREAT | O.WRONLY | O.TRUNC);
}

/**
 * The identity of the FIFO `path` names, or null when it names something else; any failure to
 * look (ENOENT, ENOTDIR, EACCES, ELOOP) is the kernel's to report, so it is null too.
 */
function fifoStat(path: string, noFollow: boolean): BigIntStats | null {
  try {
    const st = (noFollow ? lstatSync : statSync)(path, { bigint: true, throwIfNoEntry: false });
    return st?.isFIFO() ? st : null;
  } catch {
    return null;
  }
}
