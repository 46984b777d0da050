import { expect } from 'chai';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSimulationConfig } from '../../core/src/config/simulation.js';
import { loadRc } from '../../core/src/loader/rc.js';
import { createLogger } from '../../core/src/log.js';
import { runSimulation } from '../../core/src/simulation.js';
import { PROGRAMS, runShadow, scratchDir, snapshot } from './harness.js';

const SPAWN = join(PROGRAMS, 'spawn');
const TCP = join(PROGRAMS, 'net-model-tcp');

/**
 * Two hosts: each spawns (vfork and posix_spawn) and one sends 2 MiB over TCP to the other;
 * pcaps record every segment, so the congestion control shows in the outputs.
 */
const YAML = `general: { stop_time: 20s, log_level: error }
experimental: { use_cpu_pinning: false }
network:
  graph: { type: 1_gbit_switch }
host_option_defaults: { pcap_enabled: true }
hosts:
  a:
    network_node_id: 0
    processes:
    - { path: ${SPAWN}, args: [vfork-exec, spawn-good] }
    - { path: ${TCP}, args: [sink, '8080'] }
  b:
    network_node_id: 0
    processes:
    - { path: ${SPAWN}, args: [vfork-exec, spawn-good] }
    - { path: ${TCP}, args: [send, a, '8080', '2097152'], start_time: 1s }
`;

/** Two simulations whose strategy choices differ on every host. */
const RC = {
  x: 'tcp_congestion: reno\nhosts:\n  a: { vfork: [reject, { errno: EAGAIN }] }\n  b: { vfork: reject, tcp_congestion: cubic }\n',
  y: 'vfork: native\nhosts:\n  a: { vfork: reject, tcp_congestion: reno }\n  b: { vfork: [reject, { errno: EAGAIN }] }\n',
};

/** A directory holding the simulation file and `.shadowrc` = `rc`. */
function simDir(rc: string): string {
  const dir = scratchDir();
  writeFileSync(join(dir, 'shadow.yaml'), YAML);
  writeFileSync(join(dir, '.shadowrc'), rc);
  return dir;
}

/** Runs the simulation of `dir` in this Node process, as the CLI would; returns its data directory's files. */
async function runHere(dir: string): Promise<Map<string, string>> {
  const cwd = process.cwd();
  process.chdir(dir); // the data directory and the hosts' directories are relative to it
  try {
    const config = loadSimulationConfig('shadow.yaml', {});
    const rc = await loadRc(dir);
    const result = await runSimulation({ config, rc, log: createLogger(config.general.logLevel, () => null) });
    expect(result.exitCode).to.equal(0);
  } finally {
    process.chdir(cwd);
  }
  return snapshot(join(dir, 'shadow.data'));
}

describe('strategies: per-host instances, nothing shared between simulations', () => {
  it('two simulations run one after the other in one Node process give the outputs each gives alone', async function () {
    this.timeout(180_000);
    const dirs = { x: simDir(RC.x), y: simDir(RC.y) };
    const alone = new Map<string, Map<string, string>>();
    for (const [name, dir] of Object.entries(dirs)) {
      const run = runShadow(YAML, [], dir);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      alone.set(name, snapshot(run.dataDir));
      rmSync(run.dataDir, { recursive: true });
    }
    // The choices took effect: each host got its own errno, in each simulation.
    const stdout = (name: 'x' | 'y', host: string) =>
      Buffer.from(alone.get(name)!.get(`hosts/${host}/spawn.1000.stdout`)!, 'base64').toString();
    expect(stdout('x', 'a')).to.equal('vfork-exec: vfork: -1 EAGAIN\nspawn-good: posix_spawn: EAGAIN\n');
    expect(stdout('x', 'b')).to.equal('vfork-exec: vfork: -1 ENOSYS\nspawn-good: posix_spawn: ENOSYS\n');
    expect(stdout('y', 'a')).to.equal('vfork-exec: vfork: -1 ENOSYS\nspawn-good: posix_spawn: ENOSYS\n');
    expect(stdout('y', 'b')).to.equal('vfork-exec: vfork: -1 EAGAIN\nspawn-good: posix_spawn: EAGAIN\n');
    expect(alone.get('x')!.get('hosts/a/eth0.pcap')).to.be.a('string');

    const x = await runHere(dirs.x);
    const y = await runHere(dirs.y);
    expect(x).to.deep.equal(alone.get('x'));
    expect(y).to.deep.equal(alone.get('y'));
  });
});
