/**
 * Benchmark of the simulated network, printed as figures (it does not pass or fail):
 *  1. a bulk TCP transfer (1 GiB by default) between two hosts on a 1 Gbit/s path with 10 ms
 *     latency: simulated seconds (the receiver's CLOCK_MONOTONIC from accept to EOF), wall seconds
 *     of the whole run, and packets handled per wall second. sim-stats.json counts only syscalls,
 *     so packets are estimated: data segments = bytes / 1448 (the MSS), plus one ACK per two
 *     segments (delayed ACK), i.e. 1.5 * bytes / 1448.
 *  2. N hosts (10, 100, 1000) each running `while true; do curl -s server; sleep 1; done` against
 *     one tiny C HTTP server (bench/net-bulk.c `http`, not python3 http.server, so the server is
 *     not the bottleneck) for 10 simulated seconds: wall seconds per simulated second, and the peak
 *     memory of the simulator (/usr/bin/time -f %M: the largest resident set among the simulator
 *     and the processes it reaped; the simulator is the largest).
 *  3. ns-3 side by side (when Debian's libns3-dev is installed): the same transfer in ns-3
 *     (bench/ns3-bulk.cc: a point-to-point link of the same rate and delay, TCP CUBIC, buffers and
 *     MSS as ours), its wall seconds and ours over its.
 * Figures are medians of several runs, except where a run is long (see REPEAT_* below). If a
 * 128 MiB transfer predicts more than 10 minutes of wall time for 1 GiB, the 128 MiB figure is
 * printed with an extrapolation instead; host counts stop at the first one to exceed 10 minutes.
 *
 * Run: npm run bench:net   (or: npx tsc -b && node --import tsx bench/net.ts)
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, SHADOW, median, wall } from './lib.js';

const work = mkdtempSync(join(tmpdir(), 'shadow-ts-bench-net-'));
const helper = join(work, 'net-bulk');
execFileSync('gcc', ['-O2', '-o', helper, join(ROOT, 'bench/net-bulk.c')]);

const MIB = 1024 * 1024;
const MSS = 1448;
const WALL_LIMIT = 600; // seconds
const REPEAT_TRANSFER = 3;
const REPEAT_HOSTS = 3; // for 10 and 100 hosts; larger counts run once
const HOST_COUNTS = [10, 100, 1000];
const TIME = '/usr/bin/time';


interface Run {
  dir: string;
  wall: number;
  /** Peak resident set in KiB, when /usr/bin/time is there. */
  maxRssKib?: number;
}

/** Runs the simulator on `yaml` in a fresh directory; wall seconds and peak memory. */
function simulate(yaml: string): Run {
  const dir = mkdtempSync(join(work, 'sim-'));
  writeFileSync(join(dir, 'shadow.yaml'), yaml);
  const haveTime = existsSync(TIME);
  const [cmd, args] = haveTime
    ? [TIME, ['-f', '%M', '-o', 'maxrss', process.execPath, SHADOW, 'shadow.yaml']]
    : [process.execPath, [SHADOW, 'shadow.yaml']];
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 28 });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.status !== 0) throw new Error(`simulation in ${dir} failed (${r.status}): ${String(r.stderr).slice(-2000)}`);
  const maxRssKib = haveTime ? Number(readFileSync(join(dir, 'maxrss'), 'utf8').trim().split('\n').pop()) : undefined;
  return { dir, wall, maxRssKib };
}

// ---- 1. bulk TCP transfer ----------------------------------------------------------------------

const PATH_GRAPH = `network:
  graph:
    type: gml
    inline: |
      graph [
        directed 0
        node [ id 0 host_bandwidth_down "1 Gbit" host_bandwidth_up "1 Gbit" ]
        node [ id 1 host_bandwidth_down "1 Gbit" host_bandwidth_up "1 Gbit" ]
        edge [ source 0 target 1 latency "10 ms" ]
        edge [ source 0 target 0 latency "10 ms" ]
        edge [ source 1 target 1 latency "10 ms" ]
      ]
`;

interface Transfer {
  simulated: number;
  wall: number;
}

function transfer(bytes: number): Transfer {
  const run = simulate(
    `general: { stop_time: 2h, log_level: error }\n${PATH_GRAPH}hosts:\n` +
      `  receiver:\n    network_node_id: 0\n    processes:\n    - path: ${helper}\n      args: ["recv", "5000"]\n` +
      `  sender:\n    network_node_id: 1\n    processes:\n    - path: ${helper}\n      args: ["send", "receiver", "5000", "${bytes}"]\n      start_time: 1s\n`,
  );
  const hostDir = join(run.dir, 'shadow.data/hosts/receiver');
  const out = readFileSync(join(hostDir, readdirSync(hostDir).find((f) => f.endsWith('.stdout'))!), 'utf8').trim();
  const [got, seconds] = out.split(/\s+/).map(Number);
  if (got !== bytes) throw new Error(`receiver got ${got} bytes, expected ${bytes}`);
  rmSync(run.dir, { recursive: true });
  return { simulated: seconds!, wall: run.wall };
}

function medianTransfer(bytes: number): Transfer {
  const runs = Array.from({ length: REPEAT_TRANSFER }, () => transfer(bytes));
  return { simulated: median(runs.map((r) => r.simulated)), wall: median(runs.map((r) => r.wall)) };
}

const packets = (bytes: number) => Math.ceil(bytes / MSS) * 1.5;

console.log(`shadow-ts network benchmark (medians of ${REPEAT_TRANSFER} runs unless said)`);
console.log(
  `packets are estimated (sim-stats.json counts syscalls only): bytes/${MSS} data segments + one ACK per two segments`,
);
const small = medianTransfer(128 * MIB);
const predicted = small.wall * 8;
let compared: { bytes: number; label: string; ours: Transfer };
const report = (label: string, bytes: number, t: Transfer, note = '') =>
  console.log(
    `TCP ${label} over 1 Gbit/s, 10 ms: ${t.simulated.toFixed(3)} s simulated ` +
      `(${((bytes * 8) / t.simulated / 1e6).toFixed(0)} Mbit/s), ${t.wall.toFixed(2)} s wall, ` +
      `~${(packets(bytes) / t.wall / 1e3).toFixed(0)}k packets/wall s${note}`,
  );
if (predicted > WALL_LIMIT) {
  report('128 MiB', 128 * MIB, small);
  compared = { bytes: 128 * MIB, label: '128 MiB', ours: small };
  console.log(
    `TCP 1 GiB not run: extrapolated x8 from 128 MiB: ~${(small.simulated * 8).toFixed(1)} s simulated, ~${predicted.toFixed(0)} s wall`,
  );
} else {
  compared = { bytes: 1024 * MIB, label: '1 GiB', ours: medianTransfer(1024 * MIB) };
  report('1 GiB', 1024 * MIB, compared.ours);
}

// ---- 3. the same transfer in ns-3 ----------------------------------------------------------------

const ns3Libraries = ['core', 'network', 'internet', 'point-to-point', 'applications'].map((m) => `-lns3-${m}`);
if (existsSync('/usr/include/ns3/core-module.h')) {
  const ns3 = join(work, 'ns3-bulk');
  execFileSync('g++', ['-O2', '-o', ns3, join(ROOT, 'bench/ns3-bulk.cc'), ...ns3Libraries]);
  const walls: number[] = [];
  let simulated = 0;
  for (let i = 0; i < REPEAT_TRANSFER; i++) {
    const start = process.hrtime.bigint();
    const out = execFileSync(ns3, [String(compared.bytes), '1Gbps', '10ms'], { encoding: 'utf8' });
    walls.push(Number(process.hrtime.bigint() - start) / 1e9);
    simulated = Number(/in ([\d.]+) simulated/.exec(out)?.[1]);
  }
  const theirs = median(walls);
  console.log(
    `ns-3 ${compared.label} over 1 Gbit/s, 10 ms (point-to-point, CUBIC): ${simulated.toFixed(3)} s simulated, ` +
      `${theirs.toFixed(2)} s wall; shadow-ts / ns-3 wall: ${(compared.ours.wall / theirs).toFixed(2)}x`,
  );
} else {
  console.log('ns-3 comparison not run: install libns3-dev (apt-get install -y libns3-dev)');
}

// ---- 2. many curl clients against one HTTP server ----------------------------------------------

const STOP = 10; // simulated seconds

function hostsYaml(n: number): string {
  let yaml =
    `general: { stop_time: ${STOP}s, log_level: error, model_unblocked_syscall_latency: true }\n` +
    `network: { graph: { type: 1_gbit_switch } }\nhosts:\n` +
    `  server:\n    network_node_id: 0\n    processes:\n    - path: ${helper}\n      args: ["http", "80"]\n      expected_final_state: running\n`;
  for (let i = 1; i <= n; i++) {
    yaml +=
      `  client${i}:\n    network_node_id: 0\n    processes:\n    - path: /bin/sh\n` +
      `      args: ["-c", "while true; do curl -s server >/dev/null; sleep 1; done"]\n` +
      `      environment: { PATH: /usr/bin:/bin }\n      start_time: 1s\n      expected_final_state: running\n`;
  }
  return yaml;
}

let previous: { n: number; wall: number } | undefined;
for (const n of HOST_COUNTS) {
  if (previous && (previous.wall * n) / previous.n > WALL_LIMIT) {
    console.log(
      `${String(n).padStart(5)} curl hosts not run: ${previous.n} hosts took ${previous.wall.toFixed(1)} s, so ${n} would take ` +
        `~${((previous.wall * n) / previous.n).toFixed(0)} s (> ${WALL_LIMIT} s) if linear`,
    );
    break;
  }
  const repeat = n <= 100 ? REPEAT_HOSTS : 1;
  const runs: Run[] = [];
  for (let i = 0; i < repeat; i++) {
    const run = simulate(hostsYaml(n));
    rmSync(run.dir, { recursive: true });
    runs.push(run);
    if (run.wall > WALL_LIMIT) break;
  }
  const wall = median(runs.map((r) => r.wall));
  const rss = runs.some((r) => r.maxRssKib === undefined) ? 'n/a' : `${(median(runs.map((r) => r.maxRssKib!)) / 1024).toFixed(0)} MiB`;
  console.log(
    `${String(n).padStart(5)} curl hosts + 1 C HTTP server, ${STOP} s simulated: ${(wall / STOP).toFixed(3)} s wall per simulated s ` +
      `(${wall.toFixed(1)} s total${runs.length === 1 ? ', 1 run' : ''}), peak RSS ${rss}`,
  );
  previous = { n, wall };
  if (wall > WALL_LIMIT) {
    console.log(`stopping: ${n} hosts took over ${WALL_LIMIT} s of wall time`);
    break;
  }
}
rmSync(work, { recursive: true });
