/**
 * The simulated timestamp counter. Every managed process runs with PR_TSC_SIGSEGV (set at exec,
 * task-exec.ts), so rdtsc and rdtscp fault instead of reading the real TSC; task-signals.ts
 * recognises the instruction and answers from this counter.
 *
 * The rule: the counter runs at a fixed TSC_HZ from the host's boot (1 s before the simulation starts), so it
 * reads simulated nanoseconds since boot — plausible (a real TSC counts from reset), monotonic,
 * and the same in every run. Shadow answers from its emulated CLOCK_MONOTONIC at the host's
 * measured TSC rate; a fixed rate keeps runs identical across machines.
 */
import type { SimTime } from '@shadow-ts/plugin-sdk';

/** Cycles per simulated second. */
export const TSC_HZ = 1_000_000_000n;
const NS_PER_SECOND = 1_000_000_000n;

/** The counter at `now` on a host booted at `bootTime`. */
export function tscAt(now: SimTime, bootTime: SimTime): bigint {
  return ((now - bootTime) * TSC_HZ) / NS_PER_SECOND;
}

/** A TSC-reading instruction: its length, and whether it also reads TSC_AUX into ecx (rdtscp). */
export interface TscInstruction {
  readonly length: number;
  readonly aux: boolean;
}

const RDTSC: TscInstruction = { length: 2, aux: false };
const RDTSCP: TscInstruction = { length: 3, aux: true };

/** Decodes the bytes at a faulting ip: rdtsc (0f 31), rdtscp (0f 01 f9), or null for anything else. */
export function tscInstruction(bytes: Uint8Array): TscInstruction | null {
  if (bytes[0] !== 0x0f) return null;
  if (bytes[1] === 0x31) return RDTSC;
  if (bytes[1] === 0x01 && bytes[2] === 0xf9) return RDTSCP;
  return null;
}
