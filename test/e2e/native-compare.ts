import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, isAbsolute, join } from 'node:path';
import { PROGRAMS, logLines, runShadow, type ShadowRun } from './harness.js';

/** How one run of a program ended: its stdout, exit code (null when a signal ended it) and signal. */
export interface Outcome {
  readonly stdout: string;
  readonly code: number | null;
  readonly signal: string | null;
}

export interface Comparison {
  readonly native: Outcome;
  readonly simulated: Outcome;
  /** The simulation (its log in `run.stdout`, its data directory in `run.dataDir`). */
  readonly run: ShadowRun;
}

export interface CompareOptions {
  /** The simulation's stop time (long enough for the program to end on its own). */
  readonly stopTime?: string;
  /** Extra `general:` settings, e.g. `seed: 3`. */
  readonly general?: string;
}

/** The host the simulated run uses. */
export const HOST = 'alpha';

/**
 * Runs `program` (a name in test/programs/bin, or an absolute path) with `args` twice: natively,
 * in a fresh temporary directory with an empty environment and /dev/null as stdin (what the
 * simulator gives its processes), and under the simulator as the only process of one host.
 * Returns both outcomes so that a test can assert they are equal.
 */
export function compareWithNative(program: string, args: string[] = [], options: CompareOptions = {}): Comparison {
  const path = isAbsolute(program) ? program : join(PROGRAMS, program);
  const cwd = mkdtempSync(join(tmpdir(), 'shadow-ts-native-'));
  let native: Outcome;
  try {
    const r = spawnSync(path, args, { cwd, env: {}, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    if (r.error) throw r.error;
    native = { stdout: r.stdout, code: r.status, signal: r.signal };
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }

  const run = runShadow(
    `general: { stop_time: ${options.stopTime ?? '1 min'}${options.general ? `, ${options.general}` : ''} }
network:
  graph: { type: 1_gbit_switch }
hosts:
  ${HOST}:
    network_node_id: 0
    processes:
    - path: ${path}
      args: ${JSON.stringify(args)}
`,
  );
  const exe = basename(path);
  let stdout = '';
  try {
    stdout = run.file(HOST, `${exe}.1000.stdout`);
  } catch {
    // no output file: the process never ran (the log says why)
  }
  return { native, simulated: { stdout, ...simulatedEnd(run, exe) }, run };
}

/** The exit code or signal of process 1000 of the host, from the simulation's log. */
function simulatedEnd(run: ShadowRun, exe: string): { code: number | null; signal: string | null } {
  const line = logLines(run, `process '${HOST}.${exe}.1000' ended: `)[0];
  const exited = line?.match(/ended: \{exited: (\d+)\}/);
  if (exited) return { code: Number(exited[1]), signal: null };
  const signaled = line?.match(/ended: \{signaled: (\w+)\}/);
  return { code: null, signal: signaled ? signaled[1]! : line ? 'running' : 'unknown' };
}
