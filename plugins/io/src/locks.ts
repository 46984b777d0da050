import { readFileSync, statSync } from 'node:fs';
import { WaitQueue, type HostView, type ProcessView, type ThreadView } from '@shadow-ts/plugin-sdk';

/**
 * Advisory file locks (flock(2), fcntl(2) record and open-file-description locks) of regular
 * files, which are native descriptors.
 *
 * The real kernel stays the lock table: it already knows which open file description a
 * descriptor refers to across dup(2), fork(2) and SCM_RIGHTS, splits and merges record locks,
 * and drops them on close and exit exactly as Linux does — the simulator cannot see descriptions
 * of native descriptors. What the simulator must change is waiting: a managed process blocking in
 * the real kernel would stop the whole (single-threaded) simulation. So every lock request runs
 * natively non-blocking (LOCK_NB, F_SETLK, F_OFD_SETLK), and a blocking request is first checked
 * against the real locks (/proc/locks, and the caller's /proc/<pid>/fdinfo/<fd> for the locks of
 * its own description): if one conflicts, the thread parks on simulated time on the host's queue
 * for that file and tries again when a managed process of the host may have released something
 * (a lock call on the file, a close, a dup2 onto a descriptor, an exec, an exit).
 */

/** OFFSET_MAX: the end of a lock that runs to end of file (/proc/locks prints "EOF"). */
export const OFFSET_MAX = 2n ** 63n - 1n;

/** How often a wait re-checks a lock held outside the host (by its own clock): never seen released. */
export const FOREIGN_POLL_NS = 10_000_000n;

/** One lock as /proc/locks and fdinfo list it. */
export interface LockEntry {
  readonly kind: 'FLOCK' | 'POSIX' | 'OFDLCK';
  readonly write: boolean;
  /** The native pid of the setter (POSIX, FLOCK); -1 for OFD locks. */
  readonly pid: number;
  readonly file: string;
  readonly start: bigint;
  readonly end: bigint;
}

/** A lock wanted: by a description (flock, OFD) or a process (POSIX), over [start, end]. */
export interface LockRequest {
  readonly kind: LockEntry['kind'];
  readonly write: boolean;
  readonly start: bigint;
  readonly end: bigint;
  /** Native pid of the calling process. */
  readonly pid: number;
  /** The locks of the caller's own description (from its fdinfo): they never conflict with it. */
  readonly own: readonly LockEntry[];
}

/** The identity of a real file in /proc/locks' terms: "major:minor:inode". */
export function fileKey(dev: bigint, ino: bigint): string {
  // glibc's gnu_dev_major/minor of the st_dev encoding.
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `${major}:${minor}:${ino}`;
}

/** What a native descriptor of a process refers to: its file, position, size and own locks. */
export interface NativeFile {
  readonly key: string;
  readonly position: bigint;
  readonly size: bigint;
  readonly locks: readonly LockEntry[];
}

/** Looks at descriptor `fd` of `process` through /proc; null when it is not open (or gone). */
export function nativeFile(process: ProcessView, fd: number): NativeFile | null {
  try {
    const st = statSync(`/proc/${process.nativePid}/fd/${fd}`, { bigint: true });
    const info = readFileSync(`/proc/${process.nativePid}/fdinfo/${fd}`, 'utf8');
    const position = BigInt(/^pos:\s*(\d+)/m.exec(info)?.[1] ?? '0');
    const locks = info.split('\n').flatMap((line) => (line.startsWith('lock:') ? parseLock(line.slice(5)) : []));
    return { key: fileKey(st.dev, st.ino), position, size: st.size, locks };
  } catch {
    return null;
  }
}

const LOCK_LINE = /^\s*\d+:\s+(->\s+)?(FLOCK|POSIX|OFDLCK)\s+\S+\s+(READ|WRITE)\s+(-?\d+)\s+([0-9a-f]+):([0-9a-f]+):(\d+)\s+(\d+)\s+(\d+|EOF)/;

/** One line of /proc/locks; nothing for waiters ("->"), leases and unknown kinds. */
function parseLock(line: string): LockEntry[] {
  const m = LOCK_LINE.exec(line);
  if (!m || m[1]) return [];
  return [
    {
      kind: m[2] as LockEntry['kind'],
      write: m[3] === 'WRITE',
      pid: Number(m[4]),
      file: `${parseInt(m[5]!, 16)}:${parseInt(m[6]!, 16)}:${m[7]}`,
      start: BigInt(m[8]!),
      end: m[9] === 'EOF' ? OFFSET_MAX : BigInt(m[9]!),
    },
  ];
}

/** The locks the real kernel holds on `file` now (locks.c's lock_get_status lines). */
export function realLocks(file: string): LockEntry[] {
  let text: string;
  try {
    text = readFileSync('/proc/locks', 'utf8');
  } catch {
    return [];
  }
  return text.split('\n').flatMap(parseLock).filter((l) => l.file === file);
}

const same = (a: LockEntry, b: LockEntry) =>
  a.kind === b.kind && a.write === b.write && a.pid === b.pid && a.start === b.start && a.end === b.end;

/**
 * The locks among `held` that keep `request` from being granted now, by Linux's rules: flock
 * locks conflict only with flock locks of other descriptions; record locks of different owners
 * conflict when their ranges overlap and one is a write lock. The owner of a POSIX lock is the
 * process, of an OFD lock the description — so a process's own OFD and POSIX locks conflict.
 */
export function conflicts(held: readonly LockEntry[], request: LockRequest): LockEntry[] {
  const own = [...request.own];
  const others = held.filter((lock) => {
    if (request.kind === 'POSIX' && lock.kind === 'POSIX') return lock.pid !== request.pid;
    const mine = own.findIndex((o) => same(o, lock));
    if (mine < 0 || lock.kind !== request.kind) return true;
    own.splice(mine, 1); // a description's own lock, counted once
    return false;
  });
  return others.filter((lock) => {
    if ((lock.kind === 'FLOCK') !== (request.kind === 'FLOCK')) return false;
    if (!request.write && !lock.write) return false;
    return request.kind === 'FLOCK' || (lock.start <= request.end && request.start <= lock.end);
  });
}

/** A thread parked on a record lock, for deadlock detection. */
interface Waiting {
  readonly process: ProcessView;
  readonly file: string;
  readonly request: LockRequest;
}

/** Linux's MAX_DEADLK_ITERATIONS: how long a chain of waiters posix_locks_deadlock() follows. */
const MAX_DEADLK_ITERATIONS = 10;

/** The lock waits of one host: a queue per file, and who waits for what. */
export class LockWaits {
  private readonly queues = new Map<string, WaitQueue>();
  private readonly waiting = new Map<ThreadView, Waiting>();

  constructor(private readonly host: HostView) {}

  /** The queue the waiters for `file` park on. */
  queue(file: string): WaitQueue {
    let queue = this.queues.get(file);
    if (!queue) this.queues.set(file, (queue = new WaitQueue()));
    return queue;
  }

  get idle(): boolean {
    return [...this.queues.values()].every((q) => q.size === 0);
  }

  /** Something of `file` may have been released: its waiters try again. */
  released(file: string): void {
    const queue = this.queues.get(file);
    if (!queue) return;
    if (queue.size === 0) this.queues.delete(file);
    else queue.notify();
  }

  /** Something of some file may have been released (exit, exec, several descriptors closed). */
  releasedAny(): void {
    for (const file of [...this.queues.keys()]) this.released(file);
  }

  /** Whether a lock held by native pid `pid` belongs to a managed process of this host. */
  ownedHere(pid: number): boolean {
    return this.host.processes().some((p) => p.nativePid === pid);
  }

  /** The virtual pid of native pid `pid` on this host, if it is one of its processes. */
  virtualPid(pid: number): number | undefined {
    return this.host.processes().find((p) => p.nativePid === pid)?.pid;
  }

  park(thread: ThreadView, file: string, request: LockRequest): void {
    this.waiting.set(thread, { process: thread.process, file, request });
  }

  unpark(thread: ThreadView): void {
    this.waiting.delete(thread);
  }

  /**
   * Whether parking `thread` for `request` would close a cycle of POSIX record-lock waits
   * (fcntl(2) EDEADLK), following, like posix_locks_deadlock(), the owner of the first
   * conflicting lock from waiter to waiter.
   */
  wouldDeadlock(thread: ThreadView, blockers: readonly LockEntry[]): boolean {
    let blocker = blockers.find((l) => l.kind === 'POSIX');
    for (let i = 0; blocker && i < MAX_DEADLK_ITERATIONS; i++) {
      const owner = blocker.pid;
      if (owner === thread.process.nativePid) return true;
      const next = [...this.waiting.values()].find((w) => w.process.nativePid === owner && w.request.kind === 'POSIX');
      if (!next) return false;
      blocker = conflicts(realLocks(next.file), next.request).find((l) => l.kind === 'POSIX');
    }
    return false;
  }
}
