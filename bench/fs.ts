/**
 * Benchmark of the file system strategies, printed as figures (it does not pass or fail): the
 * wall time of python3's start-up and of a program that creates and deletes 10,000 files, on a
 * host with `fs: shared` and with `fs: overlay`, and the overlay's overhead as a ratio. Each
 * figure is the median of several runs of a whole simulation (simulator start-up included, the
 * same on both sides). The file program works in a directory of the lower layer, so overlay
 * resolves every path and makes the files in its upper layer.
 *
 * Run: npx tsc -b && node --import tsx bench/fs.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SHADOW, median, wall } from './lib.js';

const REPEAT = 5;
const FILES = 10_000;
const work = mkdtempSync(join(tmpdir(), 'shadow-ts-bench-fs-'));
const files = join(work, 'fs-files');
execFileSync('gcc', ['-O2', '-o', files, join(ROOT, 'bench/fs-files.c')]);
// The directory the file program works in: outside the data directory, so it is the lower layer.
const lower = join(work, 'lower');
mkdirSync(lower);

const loads: Record<string, string> = {
  'python3 start-up': `    - { path: /usr/bin/python3, args: ['-c', 'pass'] }\n`,
  [`create and delete ${FILES} files`]: `    - { path: /bin/sh, args: ['-c', 'cd ${lower} && ${files} ${FILES}'] }\n`,
};

/** Wall seconds of one simulation running `processes` with file system strategy `fs`. */
function simulate(fs: string, processes: string): number {
  const dir = mkdtempSync(join(work, 'sim-'));
  writeFileSync(join(dir, '.shadowrc'), `fs: ${fs}\n`);
  writeFileSync(
    join(dir, 'shadow.yaml'),
    `general: { stop_time: 1h, log_level: error }\nnetwork: { graph: { type: 1_gbit_switch } }\n` +
      `hosts:\n  bench:\n    network_node_id: 0\n    processes:\n${processes}`,
  );
  const seconds = wall(process.execPath, [SHADOW, 'shadow.yaml'], dir);
  rmSync(dir, { recursive: true });
  return seconds;
}

console.log(`shadow-ts file system benchmark: fs: shared against fs: overlay (median of ${REPEAT} runs)`);
for (const [label, processes] of Object.entries(loads)) {
  const shared = median(Array.from({ length: REPEAT }, () => simulate('shared', processes)));
  const overlay = median(Array.from({ length: REPEAT }, () => simulate('overlay', processes)));
  console.log(`${label.padEnd(34)} shared ${shared.toFixed(3)} s   overlay ${overlay.toFixed(3)} s   overhead ${(overlay / shared).toFixed(2)}x`);
}
rmSync(work, { recursive: true });
