/**
 * Benchmark of the process family, printed as figures (it does not pass or fail): the wall cost
 * of one vfork + exec /bin/true + waitpid cycle natively and under each vfork strategy
 * (`reject` makes vfork fail, so the loop falls back to fork there: a fork + exec + wait cycle).
 * Each figure is the median of several runs; the cost per cycle comes from the difference between
 * a run with N cycles and one with none, so process (and simulator) start-up cancels out.
 *
 * The loop is test/programs/spawn.c's `loop N` mode.
 *
 * Run: npx tsc -b && node --import tsx bench/process.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SHADOW, median, wall } from './lib.js';

const work = mkdtempSync(join(tmpdir(), 'shadow-ts-bench-process-'));
const loop = join(work, 'spawn');
execFileSync('gcc', ['-O2', '-o', loop, join(ROOT, 'test/programs/spawn.c')]);

const REPEAT = 5;
const N = 300;
const STRATEGIES = ['as-fork', 'native', 'reject'];



/** Wall seconds of a simulation of one host running the loop for `n` cycles under `strategy`. */
function simulate(strategy: string, n: number): number {
  const dir = mkdtempSync(join(work, 'sim-'));
  writeFileSync(
    join(dir, 'shadow.yaml'),
    `general: { stop_time: 1h, log_level: error }\nnetwork: { graph: { type: 1_gbit_switch } }\n` +
      `hosts:\n  bench:\n    network_node_id: 0\n    processes:\n    - path: ${loop}\n      args: ["loop", "${n}"]\n`,
  );
  const seconds = wall(process.execPath, [SHADOW, '--vfork', strategy, 'shadow.yaml'], dir);
  rmSync(dir, { recursive: true });
  return seconds;
}

/** Microseconds per cycle: the median run of N cycles less the median run of none, over N. */
function perCycle(run: (n: number) => number): number {
  const full = median(Array.from({ length: REPEAT }, () => run(N)));
  const empty = median(Array.from({ length: REPEAT }, () => run(0)));
  return ((full - empty) / N) * 1e6;
}

console.log(`shadow-ts process benchmark: vfork + exec /bin/true + waitpid (median of ${REPEAT} runs, ${N} cycles per run)`);
const native = perCycle((n) => wall('taskset', ['-c', '0', loop, 'loop', String(n)]));
console.log(`${'natively'.padEnd(30)} ${native.toFixed(0).padStart(7)} µs/cycle`);
for (const strategy of STRATEGIES) {
  const simulated = perCycle((n) => simulate(strategy, n));
  const label = `--vfork ${strategy}${strategy === 'reject' ? ' (fork fallback)' : ''}`;
  console.log(`${label.padEnd(30)} ${simulated.toFixed(0).padStart(7)} µs/cycle   ratio ${(simulated / native).toFixed(1)}x`);
}
rmSync(work, { recursive: true });
