// The plugin's test: a real simulation with the plugin listed in .shadowrc, and what it wrote.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** The `shadow` command of the installed @shadow-ts/core. */
const SHADOW = join(dirname(createRequire(import.meta.url).resolve('@shadow-ts/core/package.json')), 'bin/shadow.js');
const PLUGIN = resolve(import.meta.dirname, '../dist/index.js');

/** Runs `yaml` with `.shadowrc` `rc` in a fresh directory; the exit status, stderr and the directory. */
function simulate(yaml: string, rc: string): { code: number | null; stderr: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'census-'));
  writeFileSync(join(dir, 'shadow.yaml'), yaml);
  writeFileSync(join(dir, '.shadowrc'), rc);
  const r = spawnSync(process.execPath, [SHADOW, 'shadow.yaml'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stderr: r.stderr, dir };
}

const YAML = `general: { stop_time: 5 s }
network: { graph: { type: 1_gbit_switch } }
hosts:
  alpha: { network_node_id: 0, processes: [ { path: /bin/sh, args: ['-c', 'sleep 1; sleep 1; echo done'] } ] }
  beta: { network_node_id: 0, processes: [ { path: /bin/sleep, args: ['1'] } ] }
`;

describe('shadow-plugin-syscall-census', () => {
  it("writes each host's syscalls, most frequent first, the same every run; per-host options cut the list", () => {
    const rc = `plugins:\n  - ${PLUGIN}\nhosts:\n  beta:\n    plugins:\n      ${PLUGIN}: { top: 2 }\n`;
    const first = simulate(YAML, rc);
    expect(first.code, first.stderr).to.equal(0);
    const census = (dir: string, host: string) => readFileSync(join(dir, 'shadow.data/hosts', host, 'syscall-census.json'), 'utf8');
    const alpha = JSON.parse(census(first.dir, 'alpha')) as Record<string, number>;
    // The shell's two sleeps: each clock_nanosleep once, though it blocked and ran again when
    // woken; execve of sh and of each sleep.
    expect(alpha['clock_nanosleep']).to.equal(2);
    expect(alpha['execve']).to.be.at.least(3);
    const counts = Object.values(alpha);
    expect(counts).to.deep.equal([...counts].sort((a, b) => b - a));
    // beta: the two most frequent only (top: 2 for that host).
    expect(Object.keys(JSON.parse(census(first.dir, 'beta')) as object)).to.have.length(2);
    const again = simulate(YAML, rc);
    expect(census(again.dir, 'alpha')).to.equal(census(first.dir, 'alpha'));
  });

  it('refuses a misspelt option, naming it', () => {
    const run = simulate(YAML, `plugins:\n  - [${PLUGIN}, { tpo: 3 }]\n`);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.contain('plugins[0][1].tpo: unknown key (did you mean "top"?)');
  });
});
