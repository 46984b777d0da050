/**
 * Runs the syscall fuzzer (test/programs/fuzz-syscalls.c) under the simulator and judges the run:
 * the simulator must end normally, no built-in handler may throw, and no real process may outlive
 * the run. Shared by the CI test (a short seeded run) and `npm run fuzz` (a long one).
 */
import { join } from 'node:path';
import { PROGRAMS, logLines, processesWith, runShadow, type ShadowRun } from './harness.js';

export const FUZZER = join(PROGRAMS, 'fuzz-syscalls');

export interface FuzzOutcome {
  readonly run: ShadowRun;
  /** What the fuzzer printed (calls made, how its children ended). */
  readonly report: string;
  /** Log lines saying a handler threw or the run failed. */
  readonly failures: string[];
  /** Real pids of fuzzer processes still alive after the simulator ended. */
  readonly leaked: number[];
}

/** Fuzzes `calls` syscalls from `seed` (one simulated host; stop time generous). */
export function fuzz(seed: number, calls: number, timeoutMs = 120_000): FuzzOutcome {
  const run = runShadow(
    `general: { stop_time: 720 h }
network:
  graph: { type: 1_gbit_switch }
hosts:
  fuzz:
    network_node_id: 0
    processes:
    - path: ${FUZZER}
      args: [${seed}, ${calls}]
`,
    [],
    undefined,
    timeoutMs,
  );
  let report = '';
  try {
    report = run.file('fuzz', 'fuzz-syscalls.1000.stdout');
  } catch {
    // no output: the failures say why
  }
  const failures = [...logLines(run, 'failed in'), ...logLines(run, 'internal error'), ...logLines(run, '[ERROR]')];
  return { run, report, failures, leaked: processesWith(FUZZER) };
}
