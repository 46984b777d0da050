import { readFileSync } from 'node:fs';
import {
  NS_PER_SEC,
  NS_PER_US,
  POLL,
  callDeadline,
  ok,
  timespecBytes,
  timevalBytes,
  type OpenFile,
  type SimTime,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import {
  checkSigmask,
  expired,
  isDeadline,
  msDeadline,
  remaining,
  timespecDeadline,
  waitReady,
} from './epoll.js';
import { EBADF, EFAULT, EINVAL, pollDescriptor, virtualFile } from './io.js';

const RLIMIT_NOFILE = 7;

/** The caller's RLIMIT_NOFILE soft limit: poll(2) refuses more entries than that with EINVAL. */
function openFileLimit(ctx: SyscallContext): number {
  return ctx.process.resourceLimit(RLIMIT_NOFILE);
}

/**
 * The size of the process's descriptor table (FDSize in /proc/<pid>/status: a power of two, at
 * least 64, grown as descriptors are opened), to which select(2) clamps nfds; the open-file
 * limit when it cannot be read.
 */
function descriptorTableSize(ctx: SyscallContext): number {
  try {
    const status = readFileSync(`/proc/${ctx.process.nativePid}/status`, 'utf8');
    const size = /^FDSize:\s+(\d+)/m.exec(status)?.[1];
    return size === undefined ? openFileLimit(ctx) : Number(size);
  } catch {
    return openFileLimit(ctx);
  }
}

/** sizeof(struct pollfd): int fd, short events, short revents. */
const POLLFD_SIZE = 8;

/** What select(2) counts as readable, writable and exceptional (POLLIN_SET etc. in fs/select.c). */
const SELECT_IN = POLL.IN | POLL.RDNORM | POLL.RDBAND | POLL.HUP | POLL.ERR;
const SELECT_OUT = POLL.OUT | POLL.WRNORM | POLL.WRBAND | POLL.ERR;
const SELECT_EX = POLL.PRI;

/** How a call reports the time left back to the program, if it does. */
type TimeoutWriteback = { readonly addr: bigint; readonly encode: (ns: SimTime) => Uint8Array } | null;

/** sysPoll implements Linux syscall poll(2). */
export function sysPoll(ctx: SyscallContext): SyscallResult {
  const deadline = callDeadline(ctx, () => msDeadline(ctx, ctx.args.int(2)));
  if (!isDeadline(deadline)) return deadline;
  // poll(2) does not report the time left (it restarts with a restart block instead).
  return pollFds(ctx, deadline, null);
}

/** sysPpoll implements Linux syscall ppoll(2). */
export function sysPpoll(ctx: SyscallContext): SyscallResult {
  const tsp = ctx.args.ptr(2);
  const deadline = callDeadline(ctx, () => timespecDeadline(ctx, tsp));
  if (!isDeadline(deadline)) return deadline;
  const refused = checkSigmask(ctx, ctx.args.ptr(3), ctx.args.sizeT(4));
  if (refused) return refused;
  // The raw syscall writes the time left into *tsp (poll(2) NOTES); glibc hides it.
  return pollFds(ctx, deadline, tsp === 0n ? null : { addr: tsp, encode: timespecBytes });
}

/** sysSelect implements Linux syscall select(2). */
export function sysSelect(ctx: SyscallContext): SyscallResult {
  const tvp = ctx.args.ptr(4);
  const deadline = callDeadline(ctx, () => timevalDeadline(ctx, tvp));
  if (!isDeadline(deadline)) return deadline;
  // select(2) NOTES: on Linux, select modifies timeout to reflect the time not slept.
  return selectFds(ctx, deadline, tvp === 0n ? null : { addr: tvp, encode: timevalBytes });
}

/** sysPselect6 implements Linux syscall pselect6(2). */
export function sysPselect6(ctx: SyscallContext): SyscallResult {
  const tsp = ctx.args.ptr(4);
  const deadline = callDeadline(ctx, () => timespecDeadline(ctx, tsp));
  if (!isDeadline(deadline)) return deadline;
  // The sixth argument is { const sigset_t *ss; size_t ss_len }, since a syscall has six registers.
  const sig = ctx.args.ptr(5);
  if (sig !== 0n) {
    const bytes = ctx.memory.read(sig, 16);
    if (!bytes) return EFAULT();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const ssLen = view.getBigUint64(8, true);
    const refused = checkSigmask(ctx, view.getBigUint64(0, true), ssLen > 64n ? 64 : Number(ssLen));
    if (refused) return refused;
  }
  // Unlike the glibc wrapper, the raw pselect6 also writes the time left back.
  return selectFds(ctx, deadline, tsp === 0n ? null : { addr: tsp, encode: timespecBytes });
}

/**
 * The deadline of select's `struct timeval` timeout. Linux folds whole seconds of tv_usec into
 * tv_sec and refuses only what is then negative (kern_select), so tv_usec >= 1e6 is accepted.
 */
function timevalDeadline(ctx: SyscallContext, addr: bigint): SimTime | null | SyscallResult {
  if (addr === 0n) return null;
  const bytes = ctx.memory.read(addr, 16);
  if (!bytes) return EFAULT();
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tvSec = view.getBigInt64(0, true);
  const tvUsec = view.getBigInt64(8, true);
  const sec = tvSec + tvUsec / 1_000_000n;
  const nsec = (tvUsec % 1_000_000n) * NS_PER_US;
  if (sec < 0n || nsec < 0n) return EINVAL();
  return ctx.now + sec * NS_PER_SEC + nsec;
}

/** Reports the time left to the program; a fault is ignored as Linux does (poll_select_finish). */
function writeRemaining(ctx: SyscallContext, deadline: SimTime | null, writeback: TimeoutWriteback): void {
  if (writeback && deadline !== null) ctx.memory.write(writeback.addr, writeback.encode(remaining(ctx, deadline)));
}

/**
 * The body of poll and ppoll: fill in every revents; return how many are non-zero, or park until
 * one of the virtual files involved signals or the deadline passes.
 */
function pollFds(ctx: SyscallContext, deadline: SimTime | null, writeback: TimeoutWriteback): SyscallResult {
  // nfds is an unsigned int.
  const nfds = Number(ctx.args.u64(1) & 0xffff_ffffn);
  if (nfds > openFileLimit(ctx)) return EINVAL();
  const addr = ctx.args.ptr(0);
  const fds = nfds === 0 ? new Uint8Array(0) : ctx.memory.read(addr, nfds * POLLFD_SIZE);
  if (!fds) return EFAULT();
  const view = new DataView(fds.buffer, fds.byteOffset, fds.byteLength);
  const watched = new Set<OpenFile>();
  let count = 0;
  for (let i = 0; i < nfds; i++) {
    const at = i * POLLFD_SIZE;
    const fd = view.getInt32(at, true);
    const events = view.getUint16(at + 4, true);
    let revents = 0;
    // A negative fd is skipped with revents 0 (poll(2): how to ignore one entry).
    if (fd >= 0) {
      const bits = pollDescriptor(ctx, fd);
      // POLLERR and POLLHUP are always reported; POLLNVAL flags a descriptor that is not open.
      revents = bits === null ? POLL.NVAL : bits & (events | POLL.ERR | POLL.HUP | POLL.NVAL);
      const file = virtualFile(ctx, fd);
      if (file) watched.add(file);
    }
    view.setUint16(at + 6, revents, true);
    if (revents !== 0) count++;
  }
  if (count === 0 && !expired(ctx, deadline)) return waitReady([...watched].map((f) => f.readiness), deadline);
  if (nfds > 0 && !ctx.memory.write(addr, fds)) return EFAULT();
  writeRemaining(ctx, deadline, writeback);
  return ok(count);
}

/**
 * The body of select and pselect6: the three descriptor sets are bitmaps of ceil(nfds / 64)
 * 64-bit words (the kernel copies whole longs); on return each holds the ready subset. Bits at or
 * above nfds are ignored and come back cleared.
 */
function selectFds(ctx: SyscallContext, deadline: SimTime | null, writeback: TimeoutWriteback): SyscallResult {
  const requested = ctx.args.int(0);
  if (requested < 0) return EINVAL();
  // Linux clamps nfds to the size of the descriptor table: bits beyond it are neither looked at
  // nor written back (a descriptor there is not open, but no EBADF).
  const nfds = Math.min(requested, descriptorTableSize(ctx));
  const size = Math.ceil(nfds / 64) * 8;
  const addrs = [ctx.args.ptr(1), ctx.args.ptr(2), ctx.args.ptr(3)] as const;
  const sets: (Uint8Array | null)[] = [];
  for (const addr of addrs) {
    if (addr === 0n || size === 0) {
      sets.push(null);
      continue;
    }
    const bytes = ctx.memory.read(addr, size);
    if (!bytes) return EFAULT();
    sets.push(bytes);
  }
  // Bit fd of a little-endian u64 bitmap is bit fd % 8 of byte fd / 8.
  const has = (set: Uint8Array | null, fd: number): boolean => set !== null && (set[fd >> 3]! & (1 << (fd & 7))) !== 0;
  const results = sets.map((set) => (set ? new Uint8Array(size) : null));
  const masks = [SELECT_IN, SELECT_OUT, SELECT_EX];
  const watched = new Set<OpenFile>();
  let count = 0;
  for (let fd = 0; fd < nfds; fd++) {
    if (!sets.some((set) => has(set, fd))) continue;
    const bits = pollDescriptor(ctx, fd);
    // select(2): EBADF when a set holds a descriptor that is not open.
    if (bits === null) return EBADF();
    const file = virtualFile(ctx, fd);
    if (file) watched.add(file);
    sets.forEach((set, i) => {
      if (!has(set, fd) || (bits & masks[i]!) === 0) return;
      results[i]![fd >> 3]! |= 1 << (fd & 7);
      count++;
    });
  }
  if (count === 0 && !expired(ctx, deadline)) return waitReady([...watched].map((f) => f.readiness), deadline);
  for (const [i, result] of results.entries()) {
    if (result && !ctx.memory.write(addrs[i]!, result)) return EFAULT();
  }
  writeRemaining(ctx, deadline, writeback);
  return ok(count);
}

