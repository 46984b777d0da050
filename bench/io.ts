/**
 * Benchmarks of the I/O family, printed as figures (they do not pass or fail):
 *  - read+write round trips per second through a pipe within one process (write 1 byte, read
 *    1 byte, N times), natively and under the simulator, and the ratio;
 *  - the cost of one epoll_wait call on a set holding a ready eventfd, natively and under the
 *    simulator, and the ratio.
 * Each figure is the median of several runs. Costs per call come from the difference between a
 * run with N calls and one with none, so process (and simulator) start-up cancels out.
 *
 * Run: tsc -b && node --import tsx bench/io.ts
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SHADOW, median, wall } from './lib.js';

const work = mkdtempSync(join(tmpdir(), 'shadow-ts-bench-io-'));
const loop = join(work, 'io-loop');
execFileSync('gcc', ['-O2', '-o', loop, join(ROOT, 'bench/io-loop.c')]);

const REPEAT = 5;
/** Calls per run: fewer under the simulator, where each one is a ptrace stop. */
const N_NATIVE = 500_000;
const N_SIMULATED = 50_000;



/** Wall seconds of a simulation of one host running `path args`. */
function simulate(path: string, args: string[]): number {
  const dir = mkdtempSync(join(work, 'sim-'));
  writeFileSync(
    join(dir, 'shadow.yaml'),
    `general: { stop_time: 1h, log_level: warning }\nnetwork: { graph: { type: 1_gbit_switch } }\n` +
      `hosts:\n  bench:\n    network_node_id: 0\n    processes:\n    - path: ${path}\n      args: ${JSON.stringify(args)}\n`,
  );
  const seconds = wall(process.execPath, [SHADOW, 'shadow.yaml'], dir);
  rmSync(dir, { recursive: true });
  return seconds;
}

/** Nanoseconds per iteration of `run`, from the medians of runs with n and with 0 iterations. */
function perCall(run: (n: number) => number, n: number): number {
  const full = median(Array.from({ length: REPEAT }, () => run(n)));
  const empty = median(Array.from({ length: REPEAT }, () => run(0)));
  return ((full - empty) / n) * 1e9;
}

const native = (kind: string) => perCall((n) => wall('taskset', ['-c', '0', loop, kind, String(n)]), N_NATIVE);
const simulated = (kind: string) => perCall((n) => simulate(loop, [kind, String(n)]), N_SIMULATED);
const fmt = (x: number, width = 10) => x.toFixed(0).padStart(width);

console.log(
  `shadow-ts I/O benchmark (median of ${REPEAT} runs; ${N_NATIVE} iterations natively, ${N_SIMULATED} under the simulator)`,
);

const pipeNative = native('pipe');
const pipeSimulated = simulated('pipe');
console.log(
  `pipe write+read round trips/s   native ${fmt(1e9 / pipeNative)}   simulated ${fmt(1e9 / pipeSimulated)}   ` +
    `ratio ${(pipeSimulated / pipeNative).toFixed(1)}x slower (${fmt(pipeNative, 0)} vs ${fmt(pipeSimulated, 0)} ns per round trip)`,
);

const epollNative = native('epoll');
const epollSimulated = simulated('epoll');
console.log(
  `epoll_wait on a ready eventfd    native ${fmt(epollNative)} ns/call   simulated ${fmt(epollSimulated)} ns/call   ` +
    `ratio ${(epollSimulated / epollNative).toFixed(1)}x`,
);
rmSync(work, { recursive: true });
