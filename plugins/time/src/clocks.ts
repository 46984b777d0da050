import { Errno, errno, type HostView, type SimTime } from '@shadow-ts/plugin-sdk';

/** Clock ids of clock_gettime(2). */
export const CLOCK = {
  REALTIME: 0,
  MONOTONIC: 1,
  PROCESS_CPUTIME_ID: 2,
  THREAD_CPUTIME_ID: 3,
  MONOTONIC_RAW: 4,
  REALTIME_COARSE: 5,
  MONOTONIC_COARSE: 6,
  BOOTTIME: 7,
  REALTIME_ALARM: 8,
  BOOTTIME_ALARM: 9,
  TAI: 11,
} as const;

/** What a clock measures on a simulated host. */
export type ClockKind = 'realtime' | 'boot' | 'cputime';

/** The kind of clock `id` is, or null for an id Linux would reject with EINVAL. */
export function clockKind(id: number): ClockKind | null {
  switch (id) {
    case CLOCK.REALTIME:
    case CLOCK.REALTIME_COARSE:
    case CLOCK.REALTIME_ALARM:
    case CLOCK.TAI: // the kernel's TAI offset is 0 until NTP sets it
      return 'realtime';
    case CLOCK.MONOTONIC:
    case CLOCK.MONOTONIC_RAW:
    case CLOCK.MONOTONIC_COARSE:
    case CLOCK.BOOTTIME:
    case CLOCK.BOOTTIME_ALARM:
      return 'boot'; // since the host booted (HostView.bootTime), which never suspends
    case CLOCK.PROCESS_CPUTIME_ID:
    case CLOCK.THREAD_CPUTIME_ID:
      return 'cputime';
    default:
      return null;
  }
}

/** The reading of a clock of `kind` at simulated time `now`. */
export function readClock(kind: ClockKind, host: HostView, now: SimTime): SimTime {
  switch (kind) {
    case 'realtime':
      return now;
    case 'boot':
      return now - host.bootTime;
    case 'cputime':
      return 0n; // Shadow's model: the CPU is infinitely fast, so no CPU time is ever consumed
  }
}

/** Resolution Linux reports: 1 ns for high-resolution clocks, one jiffy (HZ=250) for coarse ones. */
export function clockResolution(id: number): bigint {
  return id === CLOCK.REALTIME_COARSE || id === CLOCK.MONOTONIC_COARSE ? 4_000_000n : 1n;
}

export const EINVAL = () => errno(Errno.EINVAL);
export const EFAULT = () => errno(Errno.EFAULT);
