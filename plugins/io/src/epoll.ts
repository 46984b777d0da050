import {
  Errno,
  NS_PER_MS,
  O,
  OpenFile,
  POLL,
  anyOf,
  block,
  errno,
  readDuration,
  waitFor,
  type IoResult,
  type SimTime,
  type SyscallContext,
  type SyscallResult,
  type Trigger,
} from '@shadow-ts/plugin-sdk';
import { AnonInodeFile } from './anon-inode.js';

/**
 * The epoll kind of open file (epoll(7)), plus the deadline and blocking helpers that every
 * readiness wait (epoll_wait, poll, select and their variants) shares.
 */

/** epoll_event.events flags beyond the poll bits (include/uapi/linux/eventpoll.h). */
export const EPOLL = {
  CLOEXEC: O.CLOEXEC,
  CTL_ADD: 1,
  CTL_DEL: 2,
  CTL_MOD: 3,
  EXCLUSIVE: 1 << 28,
  WAKEUP: 1 << 29,
  ONESHOT: 1 << 30,
  ET: 1 << 31,
} as const;

/** sizeof(struct epoll_event) on x86_64: the struct is packed (u32 events, u64 data at 4). */
export const EPOLL_EVENT_SIZE = 12;

/** One interest-list entry (Linux's `struct epitem`), keyed by the pair (fd, file). */
export interface EpollEntry {
  readonly fd: number;
  readonly file: OpenFile;
  /** The requested events with EPOLLERR|EPOLLHUP added, as epoll_ctl(2) always does. */
  events: number;
  data: bigint;
  /** False after an EPOLLONESHOT entry reported, until EPOLL_CTL_MOD re-arms it. */
  enabled: boolean;
  /** Removes the subscription to the file's readiness queue. */
  readonly unsubscribe: () => void;
}

/** One event epoll_wait(2) reports. */
export interface EpollEvent {
  readonly events: number;
  readonly data: bigint;
}

/** The poll bits an entry asks for; the flag bits above them never appear in poll(). */
function wanted(entry: EpollEntry): number {
  return entry.events | POLL.ERR | POLL.HUP;
}

/**
 * An epoll instance: the interest list and the ready list of epoll(7). Each entry subscribes to
 * its file's readiness queue and, when the file reports an awaited event, joins the tail of the
 * ready list (Linux's ep_poll_callback); epoll_wait harvests the list in order.
 */
export class Epoll extends AnonInodeFile {
  readonly kind = 'epoll';
  private readonly interests = new Map<OpenFile, Map<number, EpollEntry>>();
  /** The ready list: a Set keeps insertion order, and delete + add moves an entry to the tail. */
  private readonly ready = new Set<EpollEntry>();

  constructor() {
    // epoll_create1(2) opens the anonymous inode O_RDWR, which F_GETFL reports.
    super(O.RDWR);
  }

  /** EPOLLIN|EPOLLRDNORM while an entry on the ready list really has events (ep_eventpoll_poll). */
  poll(): number {
    for (const entry of [...this.ready]) {
      if (this.prune(entry)) continue;
      if (entry.enabled && (entry.file.poll() & wanted(entry)) !== 0) return POLL.IN | POLL.RDNORM;
      // Queued by a notification but no longer ready: Linux drops such entries here as well.
      this.ready.delete(entry);
    }
    return 0;
  }

  /** An epoll has no read or write (EINVAL), and like every anonymous inode no pread/pwrite (ESPIPE). */
  override read(_ctx: SyscallContext, _length: number, offset: bigint | null): IoResult {
    return { errno: offset === null ? Errno.EINVAL : Errno.ESPIPE };
  }

  override write(_ctx: SyscallContext, _data: Uint8Array, offset: bigint | null): IoResult {
    return { errno: offset === null ? Errno.EINVAL : Errno.ESPIPE };
  }

  override fdLink(): string {
    return 'anon_inode:[eventpoll]';
  }

  /** The last descriptor closed: stop listening to every watched file (ep_free). */
  override release(): void {
    for (const byFd of this.interests.values()) for (const entry of byFd.values()) entry.unsubscribe();
    this.interests.clear();
    this.ready.clear();
  }

  /** Whether the entry for (fd, file) exists. */
  has(fd: number, file: OpenFile): boolean {
    this.pruneFile(file);
    return this.interests.get(file)?.has(fd) ?? false;
  }

  /** The registered events of (fd, file), or undefined when there is no such entry. */
  eventsOf(fd: number, file: OpenFile): number | undefined {
    this.pruneFile(file);
    return this.interests.get(file)?.get(fd)?.events;
  }

  /** EPOLL_CTL_ADD; the caller has checked that the entry does not exist yet. */
  add(fd: number, file: OpenFile, events: number, data: bigint): void {
    let byFd = this.interests.get(file);
    if (!byFd) this.interests.set(file, (byFd = new Map()));
    const entry: EpollEntry = {
      fd,
      file,
      events: events | POLL.ERR | POLL.HUP,
      data,
      enabled: true,
      unsubscribe: file.readiness.subscribe((events) => this.onReadiness(entry, events)),
    };
    byFd.set(fd, entry);
    // ep_insert polls the file at once: an already ready file is reported by the next wait.
    this.onReadiness(entry);
  }

  /** EPOLL_CTL_MOD: new events and data; re-arms a disabled EPOLLONESHOT entry. */
  modify(fd: number, file: OpenFile, events: number, data: bigint): boolean {
    const entry = this.interests.get(file)?.get(fd);
    if (!entry) return false;
    entry.events = events | POLL.ERR | POLL.HUP;
    entry.data = data;
    entry.enabled = true;
    this.onReadiness(entry);
    return true;
  }

  /** EPOLL_CTL_DEL. */
  remove(fd: number, file: OpenFile): boolean {
    const entry = this.interests.get(file)?.get(fd);
    if (!entry) return false;
    this.drop(entry);
    return true;
  }

  /**
   * Whether `target` can be reached from this instance through nested epoll entries (ep_loop_check):
   * adding this instance to `target` would then create a cycle.
   */
  reaches(target: OpenFile, seen = new Set<Epoll>()): boolean {
    if (seen.has(this)) return false;
    seen.add(this);
    for (const file of this.interests.keys()) {
      if (file.refs === 0) continue;
      if (file === target) return true;
      if (file instanceof Epoll && file.reaches(target, seen)) return true;
    }
    return false;
  }

  /**
   * The events the next epoll_wait would report, at most `max`, walking the ready list in order
   * (ep_send_events). Entries that are no longer ready leave the list; the others stay where they
   * are until `consume` runs, so a fault while copying the events out loses nothing.
   */
  collect(max: number): { entry: EpollEntry; revents: number }[] {
    const out: { entry: EpollEntry; revents: number }[] = [];
    for (const entry of [...this.ready]) {
      if (out.length >= max) break;
      if (this.prune(entry)) continue;
      const revents = entry.enabled ? entry.file.poll() & wanted(entry) : 0;
      if (revents === 0) {
        this.ready.delete(entry);
        continue;
      }
      out.push({ entry, revents });
    }
    return out;
  }

  /**
   * Commits a harvest once its events reached the program: edge-triggered entries leave the ready
   * list until their file signals again, EPOLLONESHOT entries are disabled until EPOLL_CTL_MOD, and
   * level-triggered entries go back to the tail, so repeated waits rotate through ready files
   * like Linux does rather than starving the ones behind a partial harvest.
   */
  consume(harvest: readonly { entry: EpollEntry }[]): void {
    for (const { entry } of harvest) {
      this.ready.delete(entry);
      if (entry.events & EPOLL.ONESHOT) entry.enabled = false;
      else if ((entry.events & EPOLL.ET) === 0) this.ready.add(entry);
    }
  }

  /**
   * The entry's file signalled: queue the entry when it has an awaited event (ep_poll_callback).
   * A wake-up keyed with bits the entry does not wait for is ignored, as Linux ignores it: an
   * edge-triggered pipe write end is not re-queued by a write, only by a read that makes room.
   */
  private onReadiness(entry: EpollEntry, events?: number): void {
    if (events !== undefined && (events & wanted(entry)) === 0) return;
    if (this.prune(entry) || !entry.enabled) return;
    if ((entry.file.poll() & wanted(entry)) === 0) return;
    this.ready.add(entry);
    this.readiness.notify();
  }

  /**
   * Drops `entry` when its file was released (every descriptor to it closed), which is when Linux
   * removes epoll entries (eventpoll_release); true when it did.
   */
  private prune(entry: EpollEntry): boolean {
    if (entry.file.refs > 0) return false;
    this.drop(entry);
    return true;
  }

  private pruneFile(file: OpenFile): void {
    const byFd = this.interests.get(file);
    if (byFd && file.refs === 0) for (const entry of [...byFd.values()]) this.drop(entry);
  }

  private drop(entry: EpollEntry): void {
    entry.unsubscribe();
    this.ready.delete(entry);
    const byFd = this.interests.get(entry.file);
    byFd?.delete(entry.fd);
    if (byFd?.size === 0) this.interests.delete(entry.file);
  }
}

/** Whether the wait of a call with `deadline` is over (a zero timeout is over at once). */
export function expired(ctx: SyscallContext, deadline: SimTime | null): boolean {
  return deadline !== null && (ctx.wake === 'timeout' || ctx.now >= deadline);
}

/**
 * Parks the call until one of `triggers` fires or `deadline` passes. signal(7): epoll_wait, poll,
 * select and their variants are never restarted after a signal handler, so the wait is not
 * restartable. With no trigger and no deadline it sleeps until a signal, as poll(NULL, 0, -1) does.
 */
export function waitReady(triggers: readonly Trigger[], deadline: SimTime | null): SyscallResult {
  const trigger = triggers.length === 1 ? triggers[0]! : anyOf(triggers);
  return block(waitFor.trigger(trigger, deadline ?? undefined), { restartable: false });
}

/** The time left until `deadline` (0 once it passed), for the calls that report it back. */
export function remaining(ctx: SyscallContext, deadline: SimTime): SimTime {
  return deadline > ctx.now ? deadline - ctx.now : 0n;
}

/** sizeof(sigset_t) the kernel accepts for the sigmask arguments (_NSIG / 8 on x86_64). */
const SIGSET_SIZE = 8;

/**
 * Validates the temporary signal mask of epoll_pwait, ppoll and pselect6 as Linux does
 * (set_user_sigmask: EINVAL for a size other than sizeof(sigset_t), EFAULT when unreadable) and
 * returns the errno result, or null to go on. The mask itself is not applied: signals stay as the
 * thread had them, which only matters to programs that unblock signals for the wait alone.
 */
export function checkSigmask(ctx: SyscallContext, addr: bigint, size: number): SyscallResult | null {
  if (addr === 0n) return null;
  if (size !== SIGSET_SIZE) return errno(Errno.EINVAL);
  if (!ctx.memory.read(addr, SIGSET_SIZE)) return errno(Errno.EFAULT);
  ctx.warnOnce(`${ctx.name}:sigmask`, `${ctx.name}: the temporary signal mask is ignored`);
  return null;
}

/** Whether a deadline lookup gave a deadline (or none) rather than an errno result. */
export function isDeadline(value: SimTime | null | SyscallResult): value is SimTime | null {
  return value === null || typeof value === 'bigint';
}

/** The deadline of a timeout in milliseconds; a negative timeout waits forever. */
export function msDeadline(ctx: SyscallContext, ms: number): SimTime | null {
  return ms < 0 ? null : ctx.now + BigInt(ms) * NS_PER_MS;
}

/**
 * The deadline of a `struct timespec` timeout at `addr`: NULL waits forever, an unreadable struct
 * is EFAULT, and one with negative seconds or nanoseconds outside [0, 1e9) is EINVAL
 * (poll_select_set_timeout's timespec64_valid).
 */
export function timespecDeadline(ctx: SyscallContext, addr: bigint): SimTime | null | SyscallResult {
  if (addr === 0n) return null;
  const duration = readDuration(ctx, addr);
  return typeof duration === 'bigint' ? ctx.now + duration : duration;
}
