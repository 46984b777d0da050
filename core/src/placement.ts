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

/** The CPU to pin the simulator to: the least busy allowed one over a short sample. */
export function chooseCpu(fallback: number): number {
  const cpus = allowedCpus();
  if (cpus.length <= 1) return cpus[0] ?? fallback;
  const before = cpuTimes();
  // A start-up pause of wall time (not simulated time): the placement changes no result.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, SAMPLE_MS);
  return leastBusy(cpus, before, cpuTimes()) ?? fallback;
}
