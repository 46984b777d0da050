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
    stderr: r.stderr,
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
