import { NS_PER_SEC, SIM_START, type SimTime } from '@shadow-ts/plugin-sdk';

/** Formats simulated time as Shadow does in logs: `HH:MM:SS.nnnnnnnnn` since the simulation start. */
export function formatSimTime(t: SimTime): string {
  const since = t - SIM_START;
  const secs = since / NS_PER_SEC;
  const nanos = since % NS_PER_SEC;
  const h = secs / 3600n;
  const m = (secs / 60n) % 60n;
  const s = secs % 60n;
  const two = (v: bigint) => v.toString().padStart(2, '0');
  return `${two(h)}:${two(m)}:${two(s)}.${nanos.toString().padStart(9, '0')}`;
}

/** Formats a duration in nanoseconds for messages ("3.5 s", "120 ms"). */
export function formatDuration(ns: bigint): string {
  if (ns % NS_PER_SEC === 0n) return `${ns / NS_PER_SEC} s`;
  if (ns % 1_000_000n === 0n) return `${ns / 1_000_000n} ms`;
  if (ns % 1_000n === 0n) return `${ns / 1_000n} us`;
  return `${ns} ns`;
}
