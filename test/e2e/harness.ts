import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';

/** The repository root and the `shadow` executable the README tells users to run. */
export const ROOT = resolve(import.meta.dirname, '../..');
export const SHADOW = join(ROOT, 'bin/shadow.js');
/** C test programs compiled by test/programs/build.sh. */
export const PROGRAMS = join(ROOT, 'test/programs/bin');

export interface ShadowRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** The run's working directory (holds shadow.yaml and shadow.data). */
  readonly dir: string;
  readonly dataDir: string;
  /** Contents of `hosts/<host>/<file>` in the data directory. */
  file(host: string, name: string): string;
}

/**
 * A simulation of one host, `alpha`, on a 1 Gbit switch, running `processes` (YAML list items,
 * already indented), with `general` and optional `experimental` settings (flow-map bodies).
 */
export function oneHost(processes: string, general = 'stop_time: 2h', experimental = ''): string {
  return `general: { ${general} }
${experimental ? `experimental: { ${experimental} }\n` : ''}network:
  graph: { type: 1_gbit_switch }
hosts:
  alpha:
    network_node_id: 0
    processes:
${processes}`;
}

/**
 * The `hosts:` section of a TCP echo: `server` runs net-tcp-echo's server on port 8080 from the
 * start, `client` sends it `bytes` from 1 s on (both on graph node 0).
 */
export function tcpEchoHosts(bytes: number): string {
  const echo = join(PROGRAMS, 'net-tcp-echo');
  return `hosts:
  server:
    network_node_id: 0
    processes:
    - { path: ${echo}, args: server 8080 }
  client:
    network_node_id: 0
    processes:
    - { path: ${echo}, args: client server 8080 ${bytes}, start_time: 1 s }
`;
}

/** A fresh directory for one simulation. */
export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'shadow-ts-test-'));
}

/** Runs `shadow [args] shadow.yaml` on `yaml` in a fresh directory (or `dir`). */
export function runShadow(yaml: string, args: string[] = [], dir = scratchDir(), timeoutMs = 120_000): ShadowRun {
  writeFileSync(join(dir, 'shadow.yaml'), yaml);
  const r: SpawnSyncReturns<string> = spawnSync(process.execPath, [SHADOW, ...args, 'shadow.yaml'], {
    cwd: dir,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 256 << 20,
  });
  const dataDir = join(dir, 'shadow.data');
  return {
    code: r.status ?? -1,
    stdout: r.stdout,
    // A run that ended by a signal or the timeout says so where a failing assertion prints stderr.
    stderr: r.status === null ? `${r.stderr}\n[shadow ended by ${r.signal ?? 'no signal'}${r.error ? `: ${r.error.message}` : ''}]` : r.stderr,
    dir,
    dataDir,
    file: (host, name) => readFileSync(join(dataDir, 'hosts', host, name), 'utf8'),
  };
}

/** Starts the simulator without waiting (for kill tests). */
export function startShadow(yaml: string, dir = scratchDir()) {
  writeFileSync(join(dir, 'shadow.yaml'), yaml);
  return spawn(process.execPath, [SHADOW, 'shadow.yaml'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Every file under `dir` with its bytes, keyed by relative path (for determinism checks). */
export function snapshot(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else files.set(relative(dir, p), readFileSync(p).toString('base64'));
    }
  };
  walk(dir);
  return files;
}

/** Pids of live (non-zombie) processes whose command line contains `marker`. */
export function processesWith(marker: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.[0];
      if (cmdline.includes(marker) && state !== 'Z') pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}

/** Log lines of a run that contain `text`. */
export function logLines(run: ShadowRun, text: string): string[] {
  return run.stdout.split('\n').filter((l) => l.includes(text));
}
