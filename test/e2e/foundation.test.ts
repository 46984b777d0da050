import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, ROOT, SHADOW, logLines, processesWith, runShadow, scratchDir, snapshot, startShadow } from './harness.js';

const PYTHON = '/usr/bin/python3';

/** A one-host simulation running `processes` (YAML list items, already indented). */
function sim(processes: string, general = 'stop_time: 2h'): string {
  return `general: { ${general} }
network:
  graph: { type: 1_gbit_switch }
hosts:
  alpha:
    network_node_id: 0
    processes:
${processes}`;
}

describe('foundation: real programs under simulated time', () => {
  it('date -u started at 5 s prints the simulated date', () => {
    const run = runShadow(sim(`    - { path: date, args: -u, start_time: 5s }`));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('alpha', 'date.1000.stdout')).to.equal('Sat Jan  1 00:00:05 UTC 2000\n');
  });

  it('python sleeps a simulated hour and reports pid 1000', () => {
    const script = 'import time,os; t=time.time(); time.sleep(3600); print(time.time()-t, os.getpid())';
    const run = runShadow(sim(`    - path: ${PYTHON}\n      args: ['-c', '${script}']`));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('alpha', 'python3.1000.stdout')).to.equal('3600.0 1000\n');
    // The process ended an hour into the simulation, not at its stop time.
    expect(logLines(run, "process 'alpha.python3.1000' ended")[0]).to.contain(' 01:00:00.000000000 ');
  });

  it('gives two processes of one host pids 1000 and 1001, and each host its own 1000', () => {
    const getpid = `path: ${PYTHON}\n      args: ['-c', 'import os; print(os.getpid(), os.getppid())']`;
    const run = runShadow(`general: { stop_time: 10s }
network:
  graph: { type: 1_gbit_switch }
hosts:
  one:
    network_node_id: 0
    processes:
    - ${getpid}
    - ${getpid}
  two:
    network_node_id: 0
    processes:
    - ${getpid}
`);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('one', 'python3.1000.stdout')).to.equal('1000 1\n');
    expect(run.file('one', 'python3.1001.stdout')).to.equal('1001 1\n');
    expect(run.file('two', 'python3.1000.stdout')).to.equal('1000 1\n');
  });

  it('runs a statically linked busybox: its raw syscalls are trapped', () => {
    const run = runShadow(sim(`    - { path: busybox, args: sleep 5 }
    - { path: busybox, args: date, start_time: 5s }`, 'stop_time: 1 min'));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('alpha', 'busybox.1001.stdout')).to.equal('Sat Jan  1 00:00:05 UTC 2000\n');
    expect(logLines(run, "process 'alpha.busybox.1000' ended")[0]).to.contain(' 00:00:05.000000000 ');
  });

  describe('randomness comes from the seeded host stream', () => {
    const yaml = (seed: number) => `general: { stop_time: 10s, seed: ${seed} }
network:
  graph: { type: 1_gbit_switch }
hosts:
  alice: &h
    network_node_id: 0
    processes:
    - { path: ${PROGRAMS}/getrandom }
    - path: ${PYTHON}
      args: ['-c', 'import os; print(os.urandom(16).hex())']
  bob: *h
`;
    const outputs = (seed: number) => {
      const run = runShadow(yaml(seed));
      expect(run.code, run.stderr).to.equal(0);
      return ['alice', 'bob'].map((h) => run.file(h, 'getrandom.1000.stdout') + run.file(h, 'python3.1001.stdout'));
    };

    it('the same seed gives the same bytes; another seed or another host gives others', () => {
      const [alice1, bob1] = outputs(7);
      const [alice2, bob2] = outputs(7);
      const [alice3] = outputs(8);
      expect(alice1).to.match(/^getrandom [0-9a-f]{32}\nat_random [0-9a-f]{32}\n[0-9a-f]{32}\n$/);
      expect(alice2).to.equal(alice1);
      expect(bob2).to.equal(bob1);
      expect(bob1).to.not.equal(alice1);
      expect(alice3).to.not.equal(alice1);
    });
  });

  it('gives byte-identical data directories for the same example run twice', () => {
    const example = readFileSync(join(ROOT, 'examples/simulated-time/shadow.yaml'), 'utf8');
    const a = runShadow(example);
    const b = runShadow(example);
    expect(a.code, a.stderr).to.equal(0);
    const snapA = snapshot(a.dataDir);
    expect(snapA.size).to.be.greaterThan(10);
    expect(snapshot(b.dataDir)).to.deep.equal(snapA);
  });

  it('answers an unhandled syscall ENOSYS, warns once, and the program goes on', () => {
    const run = runShadow(sim(`    - { path: ${PROGRAMS}/enosys }`, 'stop_time: 10s'));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('alpha', 'enosys.1000.stdout')).to.equal(
      'io_uring_setup: -1 Function not implemented\n'.repeat(2) + 'still running, pid 1000\n',
    );
    const warnings = logLines(run, 'unsupported syscall io_uring_setup');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('[WARN]');
    const stats = JSON.parse(readFileSync(join(run.dataDir, 'sim-stats.json'), 'utf8'));
    expect(stats.syscalls.io_uring_setup).to.equal(2);
  });

  describe('stop_time', () => {
    it('kills a sleep 100 that is expected to be running: exit 0', () => {
      const run = runShadow(sim(`    - { path: sleep, args: '100', expected_final_state: running }`, 'stop_time: 10s'));
      expect(run.code, run.stdout).to.equal(0);
    });

    it('fails when the killed process was expected to exit 0, and says why', () => {
      const run = runShadow(sim(`    - { path: sleep, args: '100' }`, 'stop_time: 10s'));
      expect(run.code).to.equal(1);
      expect(run.stdout).to.contain("process 'alpha.sleep.1000' ended as running; expected end state was {exited: 0} but was running");
      expect(run.stdout).to.contain('1 managed processes in unexpected final state');
    });

    it('reports a non-zero exit against the expected one', () => {
      const run = runShadow(sim(`    - { path: ${PYTHON}, args: "-c 'import sys; sys.exit(3)'", expected_final_state: { exited: 3 } }
    - { path: ${PYTHON}, args: "-c 'import sys; sys.exit(3)'" }`, 'stop_time: 10s'));
      expect(run.code).to.equal(1);
      expect(run.stdout).to.contain("'alpha.python3.1001' ended as {exited: 3}; expected end state was {exited: 0}");
      expect(run.stdout).to.not.contain("'alpha.python3.1000' ended as");
    });
  });

  describe('shutdown_time sends shutdown_signal', () => {
    it('ends a sleeping python with SIGINT through its KeyboardInterrupt path', () => {
      const script = 'import time\\ntry:\\n  time.sleep(100)\\nexcept KeyboardInterrupt:\\n  print(\'interrupted at\', time.time())';
      const run = runShadow(sim(`    - path: ${PYTHON}
      args: ['-c', "${script}"]
      shutdown_time: 3s
      shutdown_signal: SIGINT`, 'stop_time: 10s'));
      expect(run.code, run.stdout).to.equal(0);
      expect(run.file('alpha', 'python3.1000.stdout')).to.equal('interrupted at 946684803.0\n');
    });

    it('terminates a process without a handler', () => {
      const run = runShadow(sim(`    - { path: sleep, args: '100', shutdown_time: 2s, expected_final_state: { signaled: SIGTERM } }`, 'stop_time: 10s'));
      expect(run.code, run.stdout).to.equal(0);
      expect(logLines(run, "'alpha.sleep.1000' ended: {signaled: SIGTERM}")[0]).to.contain(' 00:00:02.000000000 ');
    });
  });

  it('model_unblocked_syscall_latency lets a busy loop on time.time() make progress', () => {
    const script = 'import time\\nt=time.time()\\nn=0\\nwhile time.time() < t + 0.0005: n+=1\\nprint(n, round(time.time()-t, 6))';
    const run = runShadow(sim(`    - { path: ${PYTHON}, args: "-c '${script}'" }`, 'stop_time: 10s, model_unblocked_syscall_latency: true'));
    expect(run.code, run.stdout).to.equal(0);
    // Each time read costs 10 ns of simulated CPU time (Shadow's unblocked_vdso_latency).
    expect(run.file('alpha', 'python3.1000.stdout')).to.match(/^4\d{4} 0\.0005\n$/);
  });

  it('uname reports the host name', () => {
    const run = runShadow(sim(`    - { path: uname, args: -n }`, 'stop_time: 1s'));
    expect(run.file('alpha', 'uname.1000.stdout')).to.equal('alpha\n');
  });
});

describe('foundation: plugins', () => {
  it('the custom-syscall example reports the release from its .shadowrc options', () => {
    const dir = join(ROOT, 'examples/custom-syscall');
    execFileSync('rm', ['-rf', join(dir, 'shadow.data')]);
    const run = runShadow(readFileSync(join(dir, 'shadow.yaml'), 'utf8'), [], dir);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('custom', 'uname.1000.stdout')).to.equal('6.6.6-shadow-custom\n');
    expect(run.file('custom', 'uname.1001.stdout')).to.equal('custom\n');
    execFileSync('rm', ['-rf', run.dataDir]);
  });
});

describe('foundation: bad input', () => {
  const MARKER = 'shadow-ts-leftover-check';
  const good = sim(`    - { path: ${PYTHON}, args: ['-c', 'import os; os.uname()', '${MARKER}'] }`, 'stop_time: 10s');

  /** Runs a bad input and checks the common contract: one line on stderr, exit 1, no stack, nothing left. */
  function expectCleanFailure(yaml: string, rc?: string) {
    const dir = scratchDir();
    if (rc !== undefined) writeFileSync(join(dir, '.shadowrc'), rc);
    const run = runShadow(yaml, [], dir);
    expect(run.code).to.equal(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).to.have.length(1);
    expect(lines[0]).to.match(/^shadow: error: /);
    expect(run.stderr).to.not.match(/\n\s+at /);
    expect(processesWith(MARKER)).to.deep.equal([]);
    return lines[0]!;
  }

  it('an unknown key names its path and line', () => {
    const line = expectCleanFailure(good.replace('network_node_id: 0', 'network_node_id: 0\n    colour: blue'));
    expect(line).to.match(/shadow\.yaml:7: hosts\.alpha\.colour: unknown key/);
  });

  it('a bad unit names the key and what was expected', () => {
    const line = expectCleanFailure(good.replace('stop_time: 10s', 'stop_time: 10 parsecs'));
    expect(line).to.contain('general.stop_time');
    expect(line).to.contain('10 parsecs');
  });

  it('start_time after stop_time', () => {
    const line = expectCleanFailure(sim(`    - { path: date, start_time: 20s }`, 'stop_time: 10s'));
    expect(line).to.contain('hosts.alpha.processes[0].start_time');
  });

  it('a missing executable', () => {
    const line = expectCleanFailure(sim(`    - { path: no-such-program-xyz }`, 'stop_time: 10s'));
    expect(line).to.contain('hosts.alpha.processes[0].path');
    expect(line).to.contain('no-such-program-xyz');
  });

  it('unparsable YAML', () => {
    const line = expectCleanFailure('general: { stop_time: 10s\nnetwork: [\n');
    expect(line).to.match(/shadow\.yaml:\d+:/);
  });

  it('a missing plugin', () => {
    const line = expectCleanFailure(good, 'plugins:\n  - shadow-plugin-does-not-exist\n');
    expect(line).to.contain('plugin "shadow-plugin-does-not-exist"');
    expect(line).to.contain('.shadowrc');
  });

  it('a plugin whose apiVersion does not match', () => {
    const line = expectCleanFailure(good, `plugins:\n  - ${join(ROOT, 'test/fixtures/plugins/future-api.js')}\n`);
    expect(line).to.contain('requires plugin API "^3.0.0", but was loaded with "2.0.0"');
  });

  it('a plugin written for the plugin API before 2.0', () => {
    const line = expectCleanFailure(good, `plugins:\n  - ${join(ROOT, 'test/fixtures/plugins/old-api.js')}\n`);
    expect(line).to.contain(
      'plugin "fixture-old-api" 1.0.0 requires plugin API "^0.1.0", but was loaded with "2.0.0"; ' +
        'use a version of the plugin written for plugin API 2.0.0, or a shadow-ts whose plugin API satisfies "^0.1.0"',
    );
  });

  it('a plugin that throws while applied', () => {
    const line = expectCleanFailure(good, `plugins:\n  - ${join(ROOT, 'test/fixtures/plugins/throws-in-apply.js')}\n`);
    expect(line).to.contain('plugin "fixture-throws-in-apply" failed in apply: cannot start');
  });

  it('a plugin that throws inside a syscall handler', () => {
    const line = expectCleanFailure(good, `plugins:\n  - ${join(ROOT, 'test/fixtures/plugins/throws-in-tap.js')}\n`);
    expect(line).to.contain('plugin "fixture-throws-in-tap" failed in syscall uname: boom (call: uname(0x');
    expect(line).to.match(/ by pid 1000 on host alpha\)$/);
  });

  it('a plugin that taps a syscall name the kernel does not have', () => {
    const line = expectCleanFailure(good, `plugins:\n  - ${join(ROOT, 'test/fixtures/plugins/typo-hook.js')}\n`);
    expect(line).to.contain('unknown syscall name "fstatat"');
  });
});

describe('foundation: the simulator dies, its processes die with it', () => {
  it('kill -9 of the simulator leaves no managed process alive', async () => {
    const marker = `shadow-ts-kill9-${process.pid}`;
    const child = startShadow(sim(`    - { path: ${PYTHON}, args: ['-c', 'while True: pass', '${marker}'] }`, 'stop_time: 10s'));
    const deadline = Date.now() + 20_000;
    while (processesWith(marker).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(processesWith(marker), 'the managed process started').to.have.length(1);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));
    while (processesWith(marker).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(processesWith(marker)).to.deep.equal([]);
  });
});

describe('foundation: command line', () => {
  it('reads the simulation file from stdin with "-", and --progress draws simulated time on stderr', () => {
    const dir = scratchDir();
    const r = spawnSync(process.execPath, [SHADOW, '--progress', '-'], {
      cwd: dir,
      input: sim(`    - { path: date, args: -u, start_time: 3s }`, 'stop_time: 10s'),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(readFileSync(join(dir, 'shadow.data/hosts/alpha/date.1000.stdout'), 'utf8')).to.equal('Sat Jan  1 00:00:03 UTC 2000\n');
    expect(r.stderr).to.contain('simulated 10/10 s');
  });

  it('command-line options override the file (seed, stop time, data directory)', () => {
    const run = runShadow(sim(`    - { path: sleep, args: '100', expected_final_state: running }`, 'stop_time: 1h'), [
      '--stop-time', '5s', '-d', 'out.data', '--seed', '9',
    ]);
    expect(run.code, run.stderr).to.equal(0);
    const processed = readFileSync(join(run.dir, 'out.data/processed-config.yaml'), 'utf8');
    expect(processed).to.match(/stop_time: 5s/);
    expect(processed).to.match(/seed: 9/);
    expect(logLines(run, 'simulation ended at')[0]).to.contain('00:00:05.000000000');
  });

  it('prints its version', () => {
    const r = spawnSync(process.execPath, [SHADOW, '--version'], { encoding: 'utf8' });
    expect(r.stdout.trim()).to.equal('0.1.0');
  });
});
