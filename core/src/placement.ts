/**
 * Where the simulator pins itself (use_cpu_pinning): the least busy CPU it may run on, judged
 * from /proc/stat over a short sample at start-up. Pinning to whatever CPU the simulator
 * happened to start on left a run runnable at 0 % CPU for up to a minute when another process
 * kept that CPU busy. Only speed depends on the choice, never a result.
 */
import { readFileSync } from 'node:fs';

/** How long the busy-ness of each CPU is sampled. */
const SAMPLE_MS = 20;

/** The CPUs this process may run on (Cpus_allowed_list of /proc/self/status, e.g. "0-3,6"). */
export function allowedCpus(status = readFileSync('/proc/self/status', 'utf8')): number[] {
  const list = /^Cpus_allowed_list:\s*(\S+)/m.exec(status)?.[1] ?? '';
  const cpus: number[] = [];
  for (const part of list.split(',').filter(Boolean)) {
    const [first, last = first] = part.split('-').map(Number);
    if (first === undefined || !Number.isInteger(first) || !Number.isInteger(last)) continue;
    for (let cpu = first; cpu <= last!; cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** Busy and total jiffies of each CPU so far (the `cpuN` lines of /proc/stat). */
export function cpuTimes(stat = readFileSync('/proc/stat', 'utf8')): Map<number, { busy: number; total: number }> {
  const times = new Map<number, { busy: number; total: number }>();
  for (const line of stat.split('\n')) {
    const m = /^cpu(\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const fields = m[2]!.trim().split(/\s+/).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle and iowait
    times.set(Number(m[1]), { busy: total - idle, total });
  }
  return times;
}

/** Of `cpus`, the one busiest least between two readings of /proc/stat (ties: the lowest number). */
export function leastBusy(
  cpus: readonly number[],
  before: ReadonlyMap<number, { busy: number; total: number }>,
  after: ReadonlyMap<number, { busy: number; total: number }>,
): number | undefined {
  let best: number | undefined;
  let bestShare = Infinity;
  for (const cpu of cpus) {
    const a = before.get(cpu);
    const b = after.get(cpu);
    if (!a || !b) continue;
    const total = b.total - a.total;
    const share = total > 0 ? (b.busy - a.busy) / total : 0;
    if (share < bestShare) {
      best = cpu;
      bestShare = share;
    }
  }
  return best;
}

/** This process's CPU time so far (utime + stime, in /proc/stat's ticks) and the CPU it ran on last. */
export function ownCpu(stat = readFileSync('/proc/self/stat', 'utf8')): { ticks: number; cpu: number } {
  // After "pid (comm) ", fields from the third on: utime is the 14th, stime the 15th, processor the 39th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { ticks: Number(fields[11]) + Number(fields[12]), cpu: Number(fields[36]) };
}

/** The first reading of a sample, taken as start-up begins so that the sample overlaps its work. */
export interface CpuSample {
  readonly times: ReadonlyMap<number, { busy: number; total: number }>;
  readonly ownTicks: number;
  readonly at: bigint;
}

export function beginCpuSample(): CpuSample {
  return { times: cpuTimes(), ownTicks: ownCpu().ticks, at: process.hrtime.bigint() };
}

/**
 * The CPU to pin the simulator to: the least busy allowed one since `sample` (at least
 * SAMPLE_MS). The simulator's own start-up in the meantime is not another process's load: its
 * CPU time is taken off the CPU it ran on.
 */
export function chooseCpu(fallback: number, sample: CpuSample = beginCpuSample()): number {
  const cpus = allowedCpus();
  if (cpus.length <= 1) return cpus[0] ?? fallback;
  const waited = Number(process.hrtime.bigint() - sample.at) / 1e6;
  // A start-up pause of wall time (not simulated time), only for what start-up did not cover:
  // the placement changes no result.
  if (waited < SAMPLE_MS) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.ceil(SAMPLE_MS - waited));
  const after = cpuTimes();
  const own = ownCpu();
  const mine = after.get(own.cpu);
  if (mine) {
    const floor = sample.times.get(own.cpu)?.busy ?? 0;
    after.set(own.cpu, { busy: Math.max(floor, mine.busy - (own.ticks - sample.ownTicks)), total: mine.total });
  }
  return leastBusy(cpus, sample.times, after) ?? fallback;
}
