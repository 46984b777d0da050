/**
 * Benchmarks of the foundation, printed as figures (they do not pass or fail):
 *  - ns per emulated syscall under the simulator vs the same syscall natively, and the ratio:
 *    getppid on each backend (`ptrace`: a ptrace stop each; `notify`: a seccomp user
 *    notification each), clock_gettime through the vDSO answered in the process (fast time) and,
 *    for comparison, trapped (`fast_time: false`);
 *  - a time-heavy python loop (10^6 time.time()) natively and simulated, start-up subtracted;
 *  - wall time of a python process that sleeps 3600 simulated seconds.
 * Each figure is the median of several runs. Costs per call come from the difference between a
 * run with N calls and one with none, so process start-up cancels out.
 *
 * The C floors (bench/ptrace-floor.c, bench/notify-floor.c) show what any ptrace supervisor, and
 * any user-notification supervisor, costs on this machine.
 *
 * Run: npm run bench (BENCH_CALLS=N: calls per run, 200,000 by default)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SHADOW, median, wall } from './lib.js';

const work = mkdtempSync(join(tmpdir(), 'shadow-ts-bench-'));
const loop = join(work, 'syscall-loop');
const floor = join(work, 'ptrace-floor');
const notifyFloor = join(work, 'notify-floor');
execFileSync('gcc', ['-O2', '-o', loop, join(ROOT, 'bench/syscall-loop.c')]);
execFileSync('gcc', ['-O2', '-o', floor, join(ROOT, 'bench/ptrace-floor.c')]);
execFileSync('gcc', ['-O2', '-o', notifyFloor, join(ROOT, 'bench/notify-floor.c')]);

const REPEAT = 5;
const N = Number(process.env.BENCH_CALLS ?? 200_000);

/** Wall seconds of a simulation of one host running `path args` (`rc`: the .shadowrc). */
function simulate(path: string, args: string[], stopTime = '1h', rc = ''): number {
  const dir = mkdtempSync(join(work, 'sim-'));
  if (rc) writeFileSync(join(dir, '.shadowrc'), rc);
  writeFileSync(
    join(dir, 'shadow.yaml'),
    `general: { stop_time: ${stopTime}, log_level: warning }\nnetwork: { graph: { type: 1_gbit_switch } }\n` +
      `hosts:\n  bench:\n    network_node_id: 0\n    processes:\n    - path: ${path}\n      args: ${JSON.stringify(args)}\n`,
  );
  const seconds = wall(process.execPath, [SHADOW, 'shadow.yaml'], dir);
  rmSync(dir, { recursive: true });
  return seconds;
}

function perCall(run: (n: number) => number, n = N): number {
  const full = median(Array.from({ length: REPEAT }, () => run(n)));
  const empty = median(Array.from({ length: REPEAT }, () => run(0)));
  return ((full - empty) / n) * 1e9;
}

console.log(`shadow-ts foundation benchmark (median of ${REPEAT} runs, ${N} calls per run)`);
const cFloor = median(Array.from({ length: REPEAT }, () => Number(execFileSync(floor, ['0', String(N)], { encoding: 'utf8' }))));
const cFloorNoTsc = median(Array.from({ length: REPEAT }, () => Number(execFileSync(floor, ['0', String(N), 'notsc'], { encoding: 'utf8' }))));
console.log(`floor: a minimal C ptrace+seccomp tracer emulates getppid in ${cFloor} ns/call on this machine`);
console.log(`       ${cFloorNoTsc} ns/call when the tracee's TSC faults (PR_TSC_SIGSEGV, as the simulator's rdtsc: trap default)`);
const nFloor = median(Array.from({ length: REPEAT }, () => Number(execFileSync(notifyFloor, ['0', String(N)], { encoding: 'utf8' }))));
const nFloorNoTsc = median(Array.from({ length: REPEAT }, () => Number(execFileSync(notifyFloor, ['0', String(N), 'notsc'], { encoding: 'utf8' }))));
console.log(`       a minimal C user-notification supervisor: ${nFloor} ns/call, ${nFloorNoTsc} ns/call with the TSC faulting`);
// Reads answered in the process cost nanoseconds: 50 times as many calls to see them.
// The getppid cases turn busy-loop detection off: past 10,000 calls in a row without blocking,
// each call would also be charged simulated time and yield (.shadowrc busy_loop_threshold), which
// is what the "busy-loop model on" line costs; the others measure the dispatch of a call.
const NO_BUSY_LOOP = 'busy_loop_threshold: 0\n';
const cases = [
  { label: 'getppid', kind: 'getppid', rc: NO_BUSY_LOOP, n: N },
  { label: 'getppid (rdtsc: native)', kind: 'getppid', rc: `${NO_BUSY_LOOP}rdtsc: native\n`, n: N },
  { label: 'getppid notify', kind: 'getppid', rc: `${NO_BUSY_LOOP}backend: notify\n`, n: N },
  { label: 'getppid notify, native', kind: 'getppid', rc: `${NO_BUSY_LOOP}backend: notify\nrdtsc: native\n`, n: N },
  { label: 'getppid, busy-loop model on', kind: 'getppid', rc: '', n: N },
  { label: 'clock_gettime', kind: 'clock_gettime', rc: '', n: 50 * N },
  { label: 'clock (trap)', kind: 'clock_gettime', rc: 'fast_time: false\n', n: N },
  { label: 'clock (trap) notify', kind: 'clock_gettime', rc: 'fast_time: false\nbackend: notify\n', n: N },
];
for (const { label, kind, rc, n: calls } of cases) {
  const native = perCall((n) => wall('taskset', ['-c', '0', loop, kind, String(n)]), calls);
  const simulated = perCall((n) => simulate(loop, [kind, String(n)], '1h', rc), calls);
  console.log(
    `${label.padEnd(28)} native ${native.toFixed(0).padStart(6)} ns/call   simulated ${simulated.toFixed(0).padStart(6)} ns/call   ` +
      `ratio ${(simulated / native).toFixed(1)}x (${(simulated / cFloor).toFixed(2)}x the C floor)`,
  );
}
const sleep = median(
  Array.from({ length: REPEAT }, () =>
    simulate('/usr/bin/python3', ['-c', 'import time; time.sleep(3600)'], '2h'),
  ),
);
const pythonNative = median(Array.from({ length: REPEAT }, () => wall('/usr/bin/python3', ['-c', 'pass'])));
const timeLoop = 'import time; [time.time() for _ in range(10**6)]';
const loopNative = median(Array.from({ length: REPEAT }, () => wall('taskset', ['-c', '0', '/usr/bin/python3', '-c', timeLoop]))) - pythonNative;
const pythonSimulated = median(Array.from({ length: REPEAT }, () => simulate('/usr/bin/python3', ['-c', 'pass'])));
const loopSimulated = median(Array.from({ length: REPEAT }, () => simulate('/usr/bin/python3', ['-c', timeLoop]))) - pythonSimulated;
console.log(
  `python3 10^6 time.time(): native ${loopNative.toFixed(3)} s, simulated ${loopSimulated.toFixed(3)} s (start-up of each subtracted): ` +
    `${(loopSimulated / loopNative).toFixed(2)}x`,
);
console.log(`python3 time.sleep(3600): ${sleep.toFixed(3)} s wall for 3600 s simulated (python start-up alone natively: ${pythonNative.toFixed(3)} s)`);
rmSync(work, { recursive: true });
