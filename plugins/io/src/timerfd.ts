import {
  Errno,
  O,
  POLL,
  type HostView,
  type IoResult,
  type SimTime,
  type SyscallContext,
} from '@shadow-ts/plugin-sdk';
import { AnonInodeFile } from './anon-inode.js';
import { u64Bytes } from './eventfd.js';

/** Clock ids timerfd_create(2) accepts. */
export const TIMERFD_CLOCK = {
  REALTIME: 0,
  MONOTONIC: 1,
  BOOTTIME: 7,
  REALTIME_ALARM: 8,
  BOOTTIME_ALARM: 9,
} as const;

/** Whether timerfd_create(2) accepts clock `id`. */
export function isTimerfdClock(id: number): boolean {
  return (Object.values(TIMERFD_CLOCK) as number[]).includes(id);
}

/** One timer setting, as struct itimerspec holds it (nanoseconds). */
export interface TimerSetting {
  /** Time until the next expiration (0: disarmed). */
  readonly value: bigint;
  /** Period of the timer (0: one-shot). */
  readonly interval: bigint;
}

/**
 * A timerfd (timerfd_create(2)). Expirations are not events of their own: they follow from the
 * time, so they are counted lazily whenever the timer is looked at (`count = 1 +
 * (now - next) / interval` once `now >= next`), as Linux's hrtimer_forward_now() does at read
 * time. One host event wakes the timer at its next expiration so that blocked readers and epoll
 * learn about it. Like Linux, whose timer callback does not restart a periodic hrtimer until the
 * expirations are read, no event is kept while expirations are pending: the descriptor is
 * readable anyway, and an unread fast periodic timer then costs no events at all. Once a read
 * (or settime) clears the count, the event for the next expiration is scheduled again.
 */
export class TimerFd extends AnonInodeFile {
  readonly kind = 'timerfd';
  /** Absolute simulated time of the next expiration not yet counted; null when disarmed. */
  private next: SimTime | null = null;
  private interval = 0n;
  /** Expirations counted since the last read (or settime). */
  private ticks = 0n;
  /** The pending host event, its time, and how to cancel it. */
  private pendingAt: SimTime | null = null;
  private cancelPending: (() => void) | undefined;

  constructor(
    readonly clockId: number,
    private readonly host: HostView,
    flags: number,
  ) {
    super(O.RDWR | (flags & O.NONBLOCK));
  }

  /** Where the clock's zero is in simulated time: the epoch, or the host's boot for MONOTONIC/BOOTTIME. */
  private get clockOrigin(): SimTime {
    return this.clockId === TIMERFD_CLOCK.REALTIME || this.clockId === TIMERFD_CLOCK.REALTIME_ALARM
      ? 0n
      : this.host.bootTime;
  }

  /** Counts the expirations up to `now`, wakes waiters if the timer became readable, and keeps the host event right. */
  private update(now: SimTime): void {
    const before = this.ticks;
    if (this.next !== null && now >= this.next) {
      if (this.interval > 0n) {
        const count = 1n + (now - this.next) / this.interval;
        this.ticks += count;
        this.next += count * this.interval;
      } else {
        this.ticks += 1n;
        this.next = null; // a one-shot timer is disarmed once it expired
      }
    }
    if (before === 0n && this.ticks > 0n) this.readiness.notify(POLL.IN);
    this.syncEvent();
  }

  /** Keeps exactly one host event at the next expiration while no expiration is pending, none otherwise. */
  private syncEvent(): void {
    const wanted = this.next !== null && this.ticks === 0n ? this.next : null;
    if (wanted === this.pendingAt) return;
    this.cancelPending?.();
    this.cancelPending = undefined;
    this.pendingAt = wanted;
    if (wanted === null) return;
    this.cancelPending = this.host.schedule(wanted, () => {
      this.cancelPending = undefined;
      this.pendingAt = null;
      this.update(this.host.now());
    });
  }

  /** The setting timerfd_gettime(2) reports at `now`. */
  current(now: SimTime): TimerSetting {
    this.update(now);
    // After update() a periodic timer's next expiration is in the future and an expired one-shot
    // timer is disarmed, so the remaining time is never negative.
    return { value: this.next === null ? 0n : this.next - now, interval: this.interval };
  }

  /**
   * timerfd_settime(2): arms the timer to expire `value` from `now` (or at `value` on the
   * timer's clock with TFD_TIMER_ABSTIME; a time already passed expires at once), then every
   * `interval`; a zero `value` disarms it. Pending expirations are discarded, as Linux's
   * timerfd_setup() does. Returns the previous setting.
   */
  settime(now: SimTime, absolute: boolean, value: bigint, interval: bigint): TimerSetting {
    const old = this.current(now);
    const hadTicks = this.ticks > 0n;
    this.ticks = 0n;
    this.interval = interval;
    this.next = value === 0n ? null : absolute ? this.clockOrigin + value : now + value;
    if (hadTicks) this.readiness.notify(0); // POLLIN is gone
    this.update(now);
    return old;
  }

  poll(): number {
    this.update(this.host.now());
    return this.ticks > 0n ? POLL.IN : 0;
  }

  /**
   * timerfd_create(2): a read returns the number of expirations since the last read as an
   * 8-byte integer and resets it; none yet blocks; a buffer under 8 bytes is EINVAL. No
   * position: pread is ESPIPE.
   */
  override read(ctx: SyscallContext, length: number, offset: bigint | null): IoResult {
    if (offset !== null) return { errno: Errno.ESPIPE };
    if (length < 8) return { errno: Errno.EINVAL };
    this.update(ctx.now);
    if (this.ticks === 0n) return 'again';
    const count = this.ticks;
    this.ticks = 0n;
    this.readiness.notify(0); // POLLIN is gone
    this.syncEvent(); // wake up again at the next expiration
    return u64Bytes(count);
  }

  /** A timerfd cannot be written (EINVAL), and like every anonymous inode has no pwrite (ESPIPE). */
  override write(_ctx: SyscallContext, _data: Uint8Array, offset: bigint | null): IoResult {
    return { errno: offset === null ? Errno.EINVAL : Errno.ESPIPE };
  }

  override fdLink(): string {
    return 'anon_inode:[timerfd]';
  }

  override release(): void {
    // The last descriptor is gone: nothing can observe the timer anymore.
    this.next = null;
    this.ticks = 0n;
    this.syncEvent();
  }
}
