import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_VERSION } from '@shadow-ts/plugin-sdk';
import { logLines, oneHost, processesWith, PROGRAMS, ROOT, runShadow, scratchDir, SHADOW, snapshot, startShadow } from './harness.js';

const PYTHON = '/usr/bin/python3';


describe('foundation: real programs under simulated time', () => {
  it('date -u started at 5 s prints the simulated date', () => {
    const run = runShadow(oneHost(`    - { path: date, args: -u, start_time: 5s }`));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('alpha', 'date.1000.stdout')).to.equal('Sat Jan  1 00:00:05 UTC 2000\n');
  });

  it('a process started at 0 s reads no clock as 0: MONOTONIC and BOOTTIME read 1 s, REALTIME 2000-01-01', () => {
    const script = 'import time; print(*(time.clock_gettime_ns(c) for c in (time.CLOCK_REALTIME, time.CLOCK_MONOTONIC, time.CLOCK_BOOTTIME)))';
    const run = runShadow(oneHost(`    - path: ${PYTHON}\n      args: ['-c', '${script}']`, 'stop_time: 1 s'));
    expect(run.code, run.stderr).to.equal(0);
    // Go's runtime refuses a zero nanotime ("fatal error: nanotime returning zero").
    const [realtime, monotonic, boottime] = run.file('alpha', 'python3.1000.stdout').trim().split(' ').map(BigInt);
    expect(realtime).to.equal(946684800_000_000_000n);
    expect(monotonic).to.equal(1_000_000_000n);
    expect(boottime).to.equal(1_000_000_000n);
  });

  it('python sleeps a simulated hour and reports pid 1000', () => {
    const script = 'import time,os; t=time.time(); time.sleep(3600); print(time.time()-t, os.getpid())';
    const run = runShadow(oneHost(`    - path: ${PYTHON}\n      args: ['-c', '${script}']`));
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
    const run = runShadow(oneHost(`    - { path: busybox, args: sleep 5 }
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
    const run = runShadow(oneHost(`    - { path: ${PROGRAMS}/enosys }`, 'stop_time: 10s'));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('alpha', 'enosys.1000.stdout')).to.equal(
      'io_uring_setup: -1 Function not implemented\n'.repeat(2) + 'still running, pid 1000\n',
    );
    const warnings = logLines(run, 'unsupported syscall io_uring_setup');
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('[WARN]');
    const stats = JSON.parse(readFileSync(join(run.dataDir, 'sim-stats.json'), 'utf8'));
    expect(stats.syscalls.io_uring_setup).to.equal(2);
    // What ran, and what each host did: its strategies, its calls, its traffic.
    expect(stats.plugins.map((p: { name: string }) => p.name)).to.deep.equal(['core:time', 'core:process', 'core:random', 'core:io', 'core:fs', 'core:net']);
    expect(stats.hosts.alpha).to.deep.include({ vfork: 'as-fork', tcp_congestion: 'cubic' });
    expect(stats.hosts.alpha.syscalls.io_uring_setup).to.equal(2);
    expect(stats.hosts.alpha.interfaces.eth0).to.deep.equal({ sent_packets: 0, sent_bytes: 0, received_packets: 0, received_bytes: 0 });
  });

  it('abort() ends the process as SIGABRT; expected_final_state takes SIGABRT or its alias SIGIOT', () => {
    const run = runShadow(oneHost(`    - { path: ${PROGRAMS}/abort, expected_final_state: { signaled: SIGABRT } }
    - { path: ${PROGRAMS}/abort, expected_final_state: { signaled: SIGIOT } }
    - { path: ${PROGRAMS}/abort }`, 'stop_time: 10s'));
    expect(run.code).to.equal(1);
    expect(run.file('alpha', 'abort.1000.stdout')).to.equal('aborting\n');
    expect(logLines(run, "'alpha.abort.1000' ended: {signaled: SIGABRT}")).to.have.length(1);
    expect(logLines(run, "'alpha.abort.1001' ended: {signaled: SIGABRT}")).to.have.length(1);
    expect(run.stdout).to.contain("'alpha.abort.1002' ended as {signaled: SIGABRT}; expected end state was {exited: 0} but was {signaled: SIGABRT}");
    expect(run.stdout).to.contain('1 managed processes in unexpected final state');
    expect(run.stdout).to.not.contain('SIGIOT');
  });

  describe('stop_time', () => {
    it('kills a sleep 100 that is expected to be running: exit 0', () => {
      const run = runShadow(oneHost(`    - { path: sleep, args: '100', expected_final_state: running }`, 'stop_time: 10s'));
      expect(run.code, run.stdout).to.equal(0);
    });

    it('fails when the killed process was expected to exit 0, and says why', () => {
      const run = runShadow(oneHost(`    - { path: sleep, args: '100' }`, 'stop_time: 10s'));
      expect(run.code).to.equal(1);
      expect(run.stdout).to.contain("process 'alpha.sleep.1000' ended as running; expected end state was {exited: 0} but was running");
      expect(run.stdout).to.contain('1 managed processes in unexpected final state');
    });

    it('reports a non-zero exit against the expected one', () => {
      const run = runShadow(oneHost(`    - { path: ${PYTHON}, args: "-c 'import sys; sys.exit(3)'", expected_final_state: { exited: 3 } }
    - { path: ${PYTHON}, args: "-c 'import sys; sys.exit(3)'" }`, 'stop_time: 10s'));
      expect(run.code).to.equal(1);
      expect(run.stdout).to.contain("'alpha.python3.1001' ended as {exited: 3}; expected end state was {exited: 0}");
      expect(run.stdout).to.not.contain("'alpha.python3.1000' ended as");
    });
  });

  describe('shutdown_time sends shutdown_signal', () => {
    it('ends a sleeping python with SIGINT through its KeyboardInterrupt path', () => {
      const script = 'import time\\ntry:\\n  time.sleep(100)\\nexcept KeyboardInterrupt:\\n  print(\'interrupted at\', time.time())';
      const run = runShadow(oneHost(`    - path: ${PYTHON}
      args: ['-c', "${script}"]
      shutdown_time: 3s
      shutdown_signal: SIGINT`, 'stop_time: 10s'));
      expect(run.code, run.stdout).to.equal(0);
      expect(run.file('alpha', 'python3.1000.stdout')).to.equal('interrupted at 946684803.0\n');
    });

    it('terminates a process without a handler', () => {
      const run = runShadow(oneHost(`    - { path: sleep, args: '100', shutdown_time: 2s, expected_final_state: { signaled: SIGTERM } }`, 'stop_time: 10s'));
      expect(run.code, run.stdout).to.equal(0);
      expect(logLines(run, "'alpha.sleep.1000' ended: {signaled: SIGTERM}")[0]).to.contain(' 00:00:02.000000000 ');
    });
  });

  it('model_unblocked_syscall_latency lets a busy loop on time.time() make progress', () => {
    const script = 'import time\\nt=time.time()\\nn=0\\nwhile time.time() < t + 0.0005: n+=1\\nprint(n, round(time.time()-t, 6))';
    const run = runShadow(oneHost(`    - { path: ${PYTHON}, args: "-c '${script}'" }`, 'stop_time: 10s, model_unblocked_syscall_latency: true'));
    expect(run.code, run.stdout).to.equal(0);
    // Each time read costs 10 ns of simulated CPU time (Shadow's unblocked_vdso_latency).
    expect(run.file('alpha', 'python3.1000.stdout')).to.match(/^4\d{4} 0\.0005\n$/);
  });

  it('uname reports the host name', () => {
    const run = runShadow(oneHost(`    - { path: uname, args: -n }`, 'stop_time: 1s'));
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
  const good = oneHost(`    - { path: ${PYTHON}, args: ['-c', 'import os; os.uname()', '${MARKER}'] }`, 'stop_time: 10s');

  /** The common contract of a failed run: exit 1, one line on stderr, no stack, nothing left; returns the line. */
  function expectOneLineError(run: { code: number | null; stderr: string }): string {
    expect(run.code, run.stderr).to.equal(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines, run.stderr).to.have.length(1);
    expect(lines[0]).to.match(/^shadow: error: /);
    expect(run.stderr).to.not.match(/\n\s+at /);
    expect(processesWith(MARKER)).to.deep.equal([]);
    return lines[0]!;
  }

  /** Runs a bad input (with `.shadowrc` text and CLI arguments) and checks the common contract. */
  function expectCleanFailure(yaml: string, rc?: string, args: string[] = [], dir = scratchDir()) {
    if (rc !== undefined) writeFileSync(join(dir, '.shadowrc'), rc);
    return expectOneLineError(runShadow(yaml, args, dir));
  }

  /** Runs the CLI on `config` (a path, or '-' with stdin from `stdin`) and checks the common contract. */
  function expectConfigPathFailure(config: string, stdin: 'ignore' | number = 'ignore') {
    const r = spawnSync(process.execPath, [SHADOW, config], { cwd: scratchDir(), encoding: 'utf8', stdio: [stdin, 'pipe', 'pipe'], timeout: 60_000 });
    return expectOneLineError({ code: r.status, stderr: r.stderr });
  }

  /** A tmpfs of 64 KiB mounted for `body` (root only: the test is skipped otherwise). */
  function withTmpfs(ctx: Mocha.Context, options: string, body: (dir: string) => void): void {
    const dir = scratchDir();
    const mount = spawnSync('mount', ['-t', 'tmpfs', '-o', `${options}size=64k`, 'tmpfs', dir], { encoding: 'utf8' });
    if (mount.status !== 0) ctx.skip();
    try {
      body(dir);
    } finally {
      execFileSync('umount', [dir]);
    }
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
    const line = expectCleanFailure(oneHost(`    - { path: date, start_time: 20s }`, 'stop_time: 10s'));
    expect(line).to.contain('hosts.alpha.processes[0].start_time');
  });

  it('a missing executable', () => {
    const line = expectCleanFailure(oneHost(`    - { path: no-such-program-xyz }`, 'stop_time: 10s'));
    expect(line).to.contain('hosts.alpha.processes[0].path');
    expect(line).to.contain('no-such-program-xyz');
  });

  it('unparsable YAML', () => {
    const line = expectCleanFailure('general: { stop_time: 10s\nnetwork: [\n');
    expect(line).to.match(/shadow\.yaml:\d+:/);
  });

  it('a configuration path that is a device is refused, not read forever', () => {
    for (const device of ['/dev/zero', '/dev/urandom']) {
      expect(expectConfigPathFailure(device)).to.equal(
        `shadow: error: ${device}: cannot read the configuration file: it is a character device, not a regular file (give '-' to read the configuration from stdin)`,
      );
    }
  });

  it('a configuration on stdin stops at 64 MiB', () => {
    const zero = openSync('/dev/zero', 'r');
    try {
      expect(expectConfigPathFailure('-', zero)).to.equal('shadow: error: <stdin>: cannot read the configuration file: it is larger than 64 MiB');
    } finally {
      closeSync(zero);
    }
  });

  it('an unresolved YAML alias names its line', () => {
    const line = expectCleanFailure(good.replace('stop_time: 10s', 'stop_time: *later'));
    expect(line).to.equal('shadow: error: shadow.yaml:1: invalid YAML: alias *later has no anchor &later before it');
  });

  it('a YAML error in .shadowrc names the file and the line', () => {
    const dir = scratchDir();
    const line = expectCleanFailure(good, 'backend: ptrace\nplugins: [\n  a\nvfork: as-fork\n', [], dir);
    expect(line).to.match(new RegExp(`^shadow: error: ${join(dir, '.shadowrc')}:4: invalid YAML: `));
  });

  it('an unresolved YAML alias in .shadowrc names the file and the line', () => {
    const dir = scratchDir();
    const line = expectCleanFailure(good, 'backend: ptrace\nvfork: *strategy\n', [], dir);
    expect(line).to.equal(`shadow: error: ${join(dir, '.shadowrc')}:2: invalid YAML: alias *strategy has no anchor &strategy before it`);
  });

  for (const [dir, reason] of [
    ['/proc/x', 'it is under /proc, a kernel file system'],
    ['/sys/x', 'it is under /sys, a kernel file system'],
    ['/dev/null/x', 'it is under /dev, a kernel file system'],
  ]) {
    it(`a data directory ${dir} is refused up front`, () => {
      const line = expectCleanFailure(good, undefined, ['-d', dir!]);
      expect(line).to.equal(`shadow: error: cannot create data directory "${dir}": ${reason}; choose a directory on a disk or a tmpfs`);
    });
  }

  it('a data directory whose parent is a file', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'file'), '');
    const line = expectCleanFailure(good, undefined, ['-d', 'file/x'], dir);
    expect(line).to.equal(`shadow: error: cannot create data directory "file/x": "${join(dir, 'file')}" is not a directory`);
  });

  it('a data directory on a read-only file system', function () {
    withTmpfs(this, 'ro,', (ro) => {
      const line = expectCleanFailure(good, undefined, ['-d', join(ro, 'x')]);
      expect(line).to.equal(`shadow: error: cannot create data directory "${join(ro, 'x')}": read-only file system`);
    });
  });

  it('a disk that fills up before sim-stats.json is written', function () {
    withTmpfs(this, '', (full) => {
      const fill = oneHost(`    - { path: head, args: '-c 1000000 /dev/zero', expected_final_state: { exited: 1 } }`, 'stop_time: 10s');
      const line = expectCleanFailure(fill, undefined, ['-d', join(full, 'x')]);
      expect(line).to.equal(`shadow: error: cannot write "${join(full, 'x', 'sim-stats.json')}": no space left on device`);
    });
  });

  it('a disk that fills up while packets are captured', function () {
    withTmpfs(this, '', (full) => {
      writeFileSync(join(full, 'filler'), Buffer.alloc(40_000));
      const send = `import socket, time; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 9))
for _ in range(200): s.sendto(b"x" * 1000, ("127.0.0.1", 9)); s.recv(2000)
time.sleep(100)`;
      const yaml = oneHost(`    - { path: ${PYTHON}, args: [-c, ${JSON.stringify(send)}, ${MARKER}], expected_final_state: running }`, 'stop_time: 10s')
        .replace('network_node_id: 0', 'network_node_id: 0\n    host_options: { pcap_enabled: true }');
      const line = expectCleanFailure(yaml, undefined, ['-d', join(full, 'x')]);
      expect(line).to.contain(`cannot write "${join(full, 'x/hosts/alpha/lo.pcap')}": no space left on device`);
    });
  });

  it('a plugin with a syntax error names the plugin, the file and the line', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(join(dir, 'broken.js'), "export default {\n  meta: { name: 'broken' },\n  apply() { return 1 +; },\n};\n");
    const line = expectCleanFailure(good, 'plugins:\n  - ./broken.js\n', [], dir);
    expect(line).to.equal(
      `shadow: error: plugin "./broken.js" (listed in ${join(dir, '.shadowrc')}): syntax error at ${join(dir, 'broken.js')}:3: Unexpected token ';'`,
    );
  });

  it('a missing plugin', () => {
    const line = expectCleanFailure(good, 'plugins:\n  - shadow-plugin-does-not-exist\n');
    expect(line).to.contain('plugin "shadow-plugin-does-not-exist"');
    expect(line).to.contain('.shadowrc');
  });

  it('a plugin whose apiVersion does not match', () => {
    const line = expectCleanFailure(good, `plugins:\n  - ${join(ROOT, 'test/fixtures/plugins/future-api.js')}\n`);
    expect(line).to.contain(`requires plugin API "^3.0.0", but was loaded with "${API_VERSION}"`);
  });

  it('a plugin written for the plugin API before 2.0', () => {
    const line = expectCleanFailure(good, `plugins:\n  - ${join(ROOT, 'test/fixtures/plugins/old-api.js')}\n`);
    expect(line).to.contain(
      `plugin "fixture-old-api" 1.0.0 requires plugin API "^0.1.0", but was loaded with "${API_VERSION}"; ` +
        `use a version of the plugin written for plugin API ${API_VERSION}, or a shadow-ts whose plugin API satisfies "^0.1.0"`,
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

  it('at -l debug a plugin error also gives the plugin\'s stack (file:line)', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, '.shadowrc'), `plugins:\n  - ${join(ROOT, 'test/fixtures/plugins/throws-in-tap.js')}\n`);
    const run = runShadow(good, ['-l', 'debug'], dir);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/^shadow: error: plugin "fixture-throws-in-tap" failed in syscall uname: boom/);
    expect(run.stderr).to.match(/shadow: plugin stack: Error: boom\n\s+at .*test\/fixtures\/plugins\/throws-in-tap\.js:8:\d+/);
  });

  for (const [kind, returned] of [['number', '7'], ['plain-ok', '{"kind":"ok","value":5}']] as const) {
    it(`a plugin whose handler returns what is not a result (${kind}) is the plugin's error`, () => {
      const plugin = join(ROOT, 'test/fixtures/plugins/bad-result.js');
      const yaml = oneHost(`    - path: ${PYTHON}\n      args: ['-c', 'import os; print(os.getpid())']`, 'stop_time: 10 s');
      const line = expectCleanFailure(yaml, `plugins:\n  - [${plugin}, { result: ${kind} }]\n`);
      expect(line).to.contain(`plugin "fixture-bad-result" failed in syscall getpid: returned ${returned}: `);
      expect(line).to.match(/ by pid 1000 on host alpha\)$/);
    });
  }

  it('a plugin that taps a syscall name the kernel does not have', () => {
    const line = expectCleanFailure(good, `plugins:\n  - ${join(ROOT, 'test/fixtures/plugins/typo-hook.js')}\n`);
    expect(line).to.contain('unknown syscall name "fstatat"');
  });
});

describe('foundation: the simulator dies, its processes die with it', () => {
  it('kill -9 of the simulator leaves no managed process alive', async () => {
    const marker = `shadow-ts-kill9-${process.pid}`;
    const child = startShadow(oneHost(`    - { path: ${PYTHON}, args: ['-c', 'while True: pass', '${marker}'] }`, 'stop_time: 10s'));
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
      input: oneHost(`    - { path: date, args: -u, start_time: 3s }`, 'stop_time: 10s'),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(readFileSync(join(dir, 'shadow.data/hosts/alpha/date.1000.stdout'), 'utf8')).to.equal('Sat Jan  1 00:00:03 UTC 2000\n');
    expect(r.stderr).to.contain('simulated 10/10 s');
  });

  it('command-line options override the file (seed, stop time, data directory)', () => {
    const run = runShadow(oneHost(`    - { path: sleep, args: '100', expected_final_state: running }`, 'stop_time: 1h'), [
      '--stop-time', '5s', '-d', 'out.data', '--seed', '9',
    ]);
    expect(run.code, run.stderr).to.equal(0);
    const processed = readFileSync(join(run.dir, 'out.data/processed-config.yaml'), 'utf8');
    expect(processed).to.match(/stop_time: 5 s/);
    expect(processed).to.match(/seed: 9/);
    expect(logLines(run, 'simulation ended at')[0]).to.contain('00:00:05.000000000');
  });

  it('prints its version', () => {
    const r = spawnSync(process.execPath, [SHADOW, '--version'], { encoding: 'utf8' });
    expect(r.stdout.trim()).to.equal('0.1.0');
  });
});
