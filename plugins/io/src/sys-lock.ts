import {
  Errno,
  SYSCALL_NUMBERS,
  block,
  errno,
  native,
  ok,
  rewrite,
  waitFor,
  type SyscallContext,
  type SyscallResult,
  type TraceeMemory,
} from '@shadow-ts/plugin-sdk';
import { FOREIGN_POLL_NS, OFFSET_MAX, conflicts, nativeFile, realLocks, type LockRequest, type LockWaits } from './locks.js';
import type { IoState } from './state.js';

/**
 * flock(2) and the lock commands of fcntl(2) on native descriptors (see locks.ts): the real
 * kernel holds the locks and answers every request, always without blocking; a request that
 * would block waits on simulated time and tries again when the host may have released a lock.
 */

const LOCK_SH = 1;
const LOCK_EX = 2;
const LOCK_NB = 4;
const LOCK_UN = 8;

const F_GETLK = 5;
const F_SETLK = 6;
const F_SETLKW = 7;
const F_OFD_GETLK = 36;
const F_OFD_SETLK = 37;
const F_OFD_SETLKW = 38;
/** The fcntl commands this file answers on native descriptors. */
export const LOCK_COMMANDS: ReadonlySet<number> = new Set([F_GETLK, F_SETLK, F_SETLKW, F_OFD_GETLK, F_OFD_SETLK, F_OFD_SETLKW]);

const F_RDLCK = 0;
const F_WRLCK = 1;
const SEEK_SET = 0;
const SEEK_CUR = 1;
const SEEK_END = 2;
/** sizeof(struct flock) on x86_64: l_type, l_whence (short), l_start, l_len (off_t), l_pid. */
const FLOCK_SIZE = 32;
const L_PID = 24;

/**
 * Runs `nr(args)` natively (a non-blocking request), then lets the waiters for the file try again:
 * whatever the call changed — an unlock, a downgrade, a conversion — may admit one of them.
 */
function attempt(ctx: SyscallContext, waits: LockWaits, fd: number, nr: number, args: readonly bigint[]): SyscallResult {
  const file = waits.idle ? null : nativeFile(ctx.process, fd)?.key;
  return rewrite(nr, args, (ret) => {
    if (ret === 0n && file) waits.released(file);
    return ret;
  });
}

/**
 * The answer to a blocking request that conflicts with `request`'s blockers: park on the file's
 * queue. Locks the host cannot see released (held by processes outside it, or OFD locks whose
 * owner /proc does not name) are looked at again every FOREIGN_POLL_NS of simulated time.
 */
function wait(ctx: SyscallContext, waits: LockWaits, file: string, request: LockRequest, blockers: ReturnType<typeof conflicts>): SyscallResult {
  const foreign = blockers.some((l) => l.pid !== -1 && !waits.ownedHere(l.pid));
  if (foreign) {
    ctx.warnOnce(
      `${ctx.name}:foreign`,
      `${ctx.name}: a lock is held outside this host (another host or a process the simulation does not run); waiting polls it every ${FOREIGN_POLL_NS / 1_000_000n} ms of simulated time`,
    );
  }
  const poll = foreign || blockers.some((l) => l.pid === -1);
  const thread = ctx.thread;
  waits.park(thread, file, request);
  return block(waitFor.trigger(waits.queue(file), poll ? ctx.now + FOREIGN_POLL_NS : undefined), {
    onInterrupt: () => waits.unpark(thread),
  });
}

/** sysFlock implements Linux syscall flock(2). */
export function sysFlock(ctx: SyscallContext, state: IoState): SyscallResult {
  const fd = ctx.args.int(0);
  const op = ctx.args.int(1);
  const waits = state.locks(ctx.host);
  const kind = op & ~LOCK_NB;
  const file = ctx.process.fds.get(fd);
  if (file) {
    // Virtual files sit on eventfd placeholders, which share one inode in the kernel: locking
    // them there would make every pipe and socket conflict with every other.
    if (kind !== LOCK_SH && kind !== LOCK_EX && kind !== LOCK_UN) return errno(Errno.EINVAL);
    ctx.warnOnce(`flock:${file.kind}`, `flock: a lock on a ${file.kind} is granted without being recorded`);
    return ok();
  }
  if (op & LOCK_NB || (kind !== LOCK_SH && kind !== LOCK_EX)) {
    return attempt(ctx, waits, fd, SYSCALL_NUMBERS.flock, [BigInt(fd), BigInt(op)]);
  }
  const target = nativeFile(ctx.process, fd);
  if (!target) return native(); // not open: EBADF from the kernel
  const request: LockRequest = { kind: 'FLOCK', write: kind === LOCK_EX, start: 0n, end: OFFSET_MAX, pid: ctx.process.nativePid, own: target.locks };
  const blockers = conflicts(realLocks(target.key), request);
  if (blockers.length > 0) {
    // Linux drops the lock being converted before it waits; here it is kept while the call waits.
    if (target.locks.some((l) => l.kind === 'FLOCK')) {
      ctx.warnOnce('flock:convert', 'flock: a blocking conversion keeps the old lock while it waits (Linux drops it first)');
    }
    return wait(ctx, waits, target.key, request, blockers);
  }
  waits.unpark(ctx.thread);
  return attempt(ctx, waits, fd, SYSCALL_NUMBERS.flock, [BigInt(fd), BigInt(op | LOCK_NB)]);
}

/** The byte range [start, end] a struct flock names on `file`, or null when the kernel would refuse it. */
function lockRange(view: DataView, position: bigint, size: bigint): { start: bigint; end: bigint } | null {
  const whence = view.getInt16(2, true);
  const base = whence === SEEK_SET ? 0n : whence === SEEK_CUR ? position : whence === SEEK_END ? size : null;
  if (base === null) return null;
  let start = base + view.getBigInt64(8, true);
  const len = view.getBigInt64(16, true);
  let end = len === 0n ? OFFSET_MAX : start + len - 1n;
  if (len < 0n) [start, end] = [start + len, start - 1n];
  return start < 0n || end < start ? null : { start, end };
}

/**
 * The record-lock commands of fcntl(2) on a native descriptor. F_SETLK and F_OFD_SETLK run
 * natively; F_SETLKW and F_OFD_SETLKW wait in the simulator when a lock conflicts, else run as
 * their non-blocking twins. F_GETLK answers natively, with the holder's pid made virtual.
 */
export function fcntlLock(ctx: SyscallContext, state: IoState): SyscallResult {
  const fd = ctx.args.int(0);
  const cmd = ctx.args.int(1);
  const arg = ctx.args.ptr(2);
  const waits = state.locks(ctx.host);
  if (cmd === F_GETLK || cmd === F_OFD_GETLK) {
    // ctx serves the thread's next call by the time the mapper runs: keep what it needs.
    const memory = ctx.memory;
    const warn = () => ctx.warnOnce('fcntl:F_GETLK:foreign', 'fcntl: F_GETLK found a lock held outside this host; l_pid reads 0');
    return native((ret) => (ret === 0n && virtualHolder(memory, waits, arg, warn), ret));
  }
  const nonBlocking = cmd === F_SETLKW ? F_SETLK : cmd === F_OFD_SETLKW ? F_OFD_SETLK : cmd;
  const args = [BigInt(fd), BigInt(nonBlocking), arg];
  if (nonBlocking === cmd) return attempt(ctx, waits, fd, SYSCALL_NUMBERS.fcntl, args);
  const raw = ctx.memory.read(arg, FLOCK_SIZE);
  const target = nativeFile(ctx.process, fd);
  // Faults, bad descriptors, F_UNLCK and bad ranges never wait: the kernel answers them.
  if (!raw || !target) return attempt(ctx, waits, fd, SYSCALL_NUMBERS.fcntl, args);
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const type = view.getInt16(0, true);
  const range = lockRange(view, target.position, target.size);
  if ((type !== F_RDLCK && type !== F_WRLCK) || !range) return attempt(ctx, waits, fd, SYSCALL_NUMBERS.fcntl, args);
  const ofd = cmd === F_OFD_SETLKW;
  const request: LockRequest = {
    kind: ofd ? 'OFDLCK' : 'POSIX',
    write: type === F_WRLCK,
    ...range,
    pid: ctx.process.nativePid,
    own: ofd ? target.locks : [],
  };
  const blockers = conflicts(realLocks(target.key), request);
  if (blockers.length === 0) {
    waits.unpark(ctx.thread);
    return attempt(ctx, waits, fd, SYSCALL_NUMBERS.fcntl, args);
  }
  // fcntl(2): F_SETLKW detects deadlocks between POSIX locks (not OFD locks, as in Linux).
  if (!ofd && waits.wouldDeadlock(ctx.thread, blockers)) return errno(Errno.EDEADLK);
  return wait(ctx, waits, target.key, request, blockers);
}

/**
 * F_GETLK reported a conflicting lock with its holder's real pid: the program sees the holder's
 * virtual pid, or 0 when the holder is not a process of its host (its pid is not the program's
 * business). OFD locks already read -1.
 */
function virtualHolder(memory: TraceeMemory, waits: LockWaits, arg: bigint, warnForeign: () => void): void {
  const raw = memory.read(arg + BigInt(L_PID), 4);
  if (!raw) return;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const pid = view.getInt32(0, true);
  if (pid <= 0) return;
  const virtual = waits.virtualPid(pid);
  if (virtual === undefined) warnForeign();
  view.setInt32(0, virtual ?? 0, true);
  memory.write(arg + BigInt(L_PID), raw);
}
