/**
 * The simulator's own start-up (issue 13 §3), side by side in one run, medians of several:
 *  - `node` starting and exiting with nothing to do (the floor every run pays);
 *  - `shadow` on a one-host simulation whose only process is /bin/true, start to exit;
 *  - from the simulator's start to the moment its first managed process starts (the log's
 *    wall-clock stamp of "process … started", which counts from Node's start);
 *  - `shadow --show-config` on a 1,000-host file (BENCH_HOSTS=N for another size), and per host;
 *  - the same on a 100,000-host file, once (issue 13's target: loaded and checked in under 10 s).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { SHADOW, median, wall } from './lib.js';

const RUNS = 7;
const dir = mkdtempSync(join(tmpdir(), 'shadow-ts-bench-startup-'));
try {
  writeFileSync(
    join(dir, 'one.yaml'),
    'general: { stop_time: 1 s }\nnetwork: { graph: { type: 1_gbit_switch } }\nhosts:\n  alpha:\n    network_node_id: 0\n    processes:\n    - { path: /bin/true }\n',
  );
  const hosts = Number(process.env['BENCH_HOSTS'] ?? 1000);
  const hostsFile = (file: string, n: number): void => {
    const lines = ['general: { stop_time: 10 s }', 'network: { graph: { type: 1_gbit_switch } }', 'hosts:'];
    for (let i = 0; i < n; i++) lines.push(`  host${i}:\n    network_node_id: 0\n    processes:\n    - { path: /bin/true, args: [a, "${i}"], start_time: 1 s }`);
    writeFileSync(join(dir, file), `${lines.join('\n')}\n`);
  };
  hostsFile('many.yaml', hosts);
  hostsFile('huge.yaml', 100_000);

  let runs = 0;
  // Each run writes a data directory of its own (shadow refuses to overwrite one).
  const shadow = (file: string, ...flags: string[]): string[] => [SHADOW, '-d', `run${++runs}.data`, ...flags, file];
  const nodeAlone = median(Array.from({ length: RUNS }, () => wall(process.execPath, ['-e', ''])));
  const whole = median(Array.from({ length: RUNS }, () => wall(process.execPath, shadow('one.yaml'), dir)));
  const firstProcess = median(
    Array.from({ length: RUNS }, () => {
      const r = spawnSync(process.execPath, shadow('one.yaml'), { cwd: dir, encoding: 'utf8' });
      const line = `${r.stdout}${r.stderr}`.split('\n').find((l) => l.includes("process 'alpha.true.1000' started"));
      const stamp = line?.match(/^(\d+):(\d+):(\d+\.\d+)/);
      if (!stamp) throw new Error(`no start line in the log:\n${r.stdout}${r.stderr}`);
      return Number(stamp[1]) * 3600 + Number(stamp[2]) * 60 + Number(stamp[3]);
    }),
  );
  const config = median(Array.from({ length: 3 }, () => wall(process.execPath, shadow('many.yaml', '--show-config'), dir)));
  // Its configuration (~100 MB on stderr) goes nowhere: wall() keeps stderr for errors.
  const hugeStart = process.hrtime.bigint();
  const hugeRun = spawnSync(process.execPath, shadow('huge.yaml', '--show-config'), { cwd: dir, stdio: 'ignore' });
  if (hugeRun.status !== 0) throw new Error(`--show-config of 100000 hosts failed (${hugeRun.status})`);
  const huge = Number(process.hrtime.bigint() - hugeStart) / 1e9;

  const ms = (s: number): string => `${(s * 1000).toFixed(0)} ms`;
  console.log(`node alone: ${ms(nodeAlone)}`);
  console.log(`shadow, one host running /bin/true, start to exit: ${ms(whole)} (${ms(whole - nodeAlone)} beyond node's own start)`);
  console.log(`from the simulator's start to its first managed process: ${ms(firstProcess)} (target: under 150 ms)`);
  console.log(`--show-config of ${hosts} hosts: ${ms(config)} (${((config - nodeAlone) / hosts * 1000).toFixed(2)} ms a host beyond node's start)`);
  console.log(`--show-config of 100000 hosts: ${huge.toFixed(1)} s (target: under 10 s)`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
