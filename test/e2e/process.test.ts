import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, ROOT, logLines, runShadow, scratchDir, snapshot, type ShadowRun } from './harness.js';
import { compareWithNative } from './native-compare.js';

const PYTHON = '/usr/bin/python3';
/** Managed processes start with an empty environment: those that look programs up get this PATH. */
const ENV = { PATH: '/usr/bin:/bin' };

interface Proc {
  path: string;
  args?: string[];
  environment?: Record<string, string>;
  start_time?: string;
  shutdown_time?: string;
  shutdown_signal?: string;
  expected_final_state?: unknown;
}

/** A simulation file with one host per entry of `hosts` (JSON flow maps are YAML). */
function simFile(hosts: Record<string, Proc[]>, stopTime = '30s'): string {
  let yaml = `general: { stop_time: ${stopTime} }\nnetwork:\n  graph: { type: 1_gbit_switch }\nhosts:\n`;
  for (const [name, procs] of Object.entries(hosts)) {
    yaml += `  ${name}:\n    network_node_id: 0\n    processes:\n`;
    for (const p of procs) yaml += `    - ${JSON.stringify(p)}\n`;
  }
  return yaml;
}

interface SimOptions {
  args?: string[];
  rc?: string;
  dir?: string;
  stopTime?: string;
}

/** Runs `procs` on host alpha (in `dir`, with `.shadowrc` = `rc` when given). */
function simulate(procs: Proc[], o: SimOptions = {}): ShadowRun {
  const dir = o.dir ?? scratchDir();
  if (o.rc !== undefined) writeFileSync(join(dir, '.shadowrc'), o.rc);
  return runShadow(simFile({ alpha: procs }, o.stopTime), o.args ?? [], dir);
}

/** The stdout of the one configured process of alpha (children write into their parent's file). */
function onlyStdout(run: ShadowRun, host = 'alpha'): string {
  const files = readdirSync(join(run.dataDir, 'hosts', host)).filter((f) => f.endsWith('.stdout'));
  expect(files, `stdout files of ${host}`).to.have.length(1);
  return run.file(host, files[0]!);
}

/** Runs one program natively with `ENV` and returns its stdout (and exit code). */
function native(path: string, args: string[] = [], cwd = scratchDir()): { stdout: string; code: number | null } {
  const r = spawnSync(path, args, { cwd, env: ENV, encoding: 'utf8', timeout: 60_000 });
  if (r.error) throw r.error;
  return { stdout: r.stdout, code: r.status };
}

/** Runs one program natively and under the simulator; both must succeed. Returns both stdouts. */
function both(path: string, args: string[] = [], o: SimOptions & { env?: boolean } = {}): { native: string; simulated: string } {
  const n = native(path, args);
  expect(n.code, `native ${path} ${args.join(' ')}`).to.equal(0);
  const run = simulate([{ path, args, ...(o.env !== false && { environment: ENV }) }], o);
  expect(run.code, run.stdout + run.stderr).to.equal(0);
  return { native: n.stdout, simulated: onlyStdout(run) };
}

const SPAWN = join(PROGRAMS, 'spawn');
const VFORK_FAIL = join(PROGRAMS, 'vfork-fail');
const SIGNALS = join(PROGRAMS, 'signals');
const PTHREADS = join(PROGRAMS, 'pthreads');
const RUST_COMMAND = join(PROGRAMS, 'command');

/** Python's ways to start programs; what each got back, with errno names. */
const PY_SPAWN = String.raw`import errno, os, subprocess
def say(*words):
    print(*words, flush=True)
r = subprocess.run(['echo', 'hi'], capture_output=True)
say('subprocess capture:', r.stdout, r.returncode)
try:
    subprocess.run(['/nonexistent'])
    say('subprocess missing: no error')
except OSError as e:
    say('subprocess missing:', type(e).__name__, errno.errorcode[e.errno])
say('subprocess exit code:', subprocess.run(['sh', '-c', 'exit 5']).returncode)
for path in ['/bin/echo', '/nonexistent']:
    try:
        pid = os.posix_spawn(path, [path, 'hello from os.posix_spawn'], os.environ)
        say('posix_spawn', path + ':', 'child exit code', os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
    except OSError as e:
        say('posix_spawn', path + ':', type(e).__name__, errno.errorcode[e.errno])
`;

/** A shell script with a pipeline, subshells, background jobs and wait (2 simulated seconds). */
const SH_SCRIPT = `echo one two three | tr ' ' '\\n' | sort | head -n 2
(cd / && echo "subshell in $(pwd)"; exit 3)
echo "subshell exited $?"
sleep 2 & slow=$!
sleep 1 & fast=$!
wait $fast; echo "fast sleeper waited: $?"
wait $slow; echo "slow sleeper waited: $?"
(exit 4) & wait $!; echo "background subshell exited $?"
wait; echo "all waited"
`;

/** Writes the Python spawn script and the shell script into `dir`; returns their paths. */
function scripts(dir: string): { py: string; sh: string } {
  const py = join(dir, 'spawn.py');
  const sh = join(dir, 'script.sh');
  writeFileSync(py, PY_SPAWN);
  writeFileSync(sh, SH_SCRIPT);
  return { py, sh };
}

describe('process: programs that start programs', () => {
  describe('python3', () => {
    it('subprocess captures output, raises FileNotFoundError, propagates exit codes; os.posix_spawn raises', () => {
      const { py } = scripts(scratchDir());
      const { native: n, simulated } = both(PYTHON, [py]);
      expect(n).to.equal(
        "subprocess capture: b'hi\\n' 0\n" +
          'subprocess missing: FileNotFoundError ENOENT\n' +
          'subprocess exit code: 5\n' +
          'hello from os.posix_spawn\n' +
          'posix_spawn /bin/echo: child exit code 0\n' +
          'posix_spawn /nonexistent: FileNotFoundError ENOENT\n',
      );
      expect(simulated).to.equal(n);
    });
  });

  describe('C', () => {
    it('vfork+execve, posix_spawn of a good and a missing program, system(), clone(CLONE_VM|CLONE_VFORK)', () => {
      const { native: n, simulated } = both(SPAWN);
      expect(n).to.equal(
        'hello from a vfork child\nvfork-exec: child exited 0\n' +
          'hello from a vfork child\nvfork-retry: child exited 0\n' +
          'hello from posix_spawn\nspawn-good: child exited 0\n' +
          'spawn-missing: posix_spawn: ENOENT\n' +
          'hello from system\nsystem: 0 (exited 0)\n' +
          'hello from a clone(CLONE_VM|CLONE_VFORK) child\nclone-exec: child exited 0\n' +
          'clone-exit: child exited 7\n',
      );
      expect(simulated).to.equal(n);
    });
  });

  describe('Rust std::process::Command', () => {
    it('status(), output(), and NotFound for a missing program', function () {
      if (!existsSync(RUST_COMMAND)) this.skip(); // built only where rustc is available
      const { native: n, simulated } = both(RUST_COMMAND);
      expect(n).to.equal(
        'status: Some(5)\n' +
          'output: "hi\\n" Some(0)\n' +
          'output: "out\\n" "err\\n" Some(2)\n' +
          '/nonexistent/program: NotFound\n' +
          'no-such-program-xyz: NotFound\n',
      );
      expect(simulated).to.equal(n);
    });
  });

  describe('/bin/sh', () => {
    it("sh -c 'echo abc | tr a-c x-z' prints xyz", () => {
      const { native: n, simulated } = both('/bin/sh', ['-c', 'echo abc | tr a-c x-z']);
      expect(n).to.equal('xyz\n');
      expect(simulated).to.equal(n);
    });

    it('a script with a pipeline, a subshell, background jobs and wait; it takes 2 simulated seconds', () => {
      const dir = scratchDir();
      const { sh } = scripts(dir);
      const n = native('/bin/sh', [sh]);
      expect(n.stdout).to.equal(
        'one\nthree\nsubshell in /\nsubshell exited 3\n' +
          'fast sleeper waited: 0\nslow sleeper waited: 0\nbackground subshell exited 4\nall waited\n',
      );
      const run = simulate([{ path: '/bin/sh', args: [sh], environment: ENV }], { dir });
      expect(run.code, run.stdout).to.equal(0);
      expect(run.file('alpha', 'sh.1000.stdout')).to.equal(n.stdout);
      expect(logLines(run, "process 'alpha.sh.1000' ended")[0]).to.contain(' 00:00:02.000000000 ');
    });
  });
});

describe('process: threads', () => {
  it('4 threads with a mutex and a condition variable: same lines every run, elapsed exactly as the sleeps imply', () => {
    const expected =
      'parallel sleeps done: counter 40000 at 1.0\n' +
      'timedwait: ETIMEDOUT at 1.2\n' +
      'sequential sleeps done: order 0 1 2 3, counter 40000 at 3.0\n';
    expect(native(PTHREADS).stdout).to.equal(expected);
    for (let i = 0; i < 2; i++) {
      const run = simulate([{ path: PTHREADS }]);
      expect(run.code, run.stdout).to.equal(0);
      expect(run.file('alpha', 'pthreads.1000.stdout')).to.equal(expected);
      expect(logLines(run, "process 'alpha.pthreads.1000' ended")[0]).to.contain(' 00:00:03.000000000 ');
    }
  });
});

describe('process: signals', () => {
  it('a SIGUSR1 handler runs when a forked child kill()s its parent, with the child as sender', () => {
    const { native: n, simulated } = both(SIGNALS, ['usr1-from-child']);
    expect(n).to.equal('SIGUSR1 handled: sent by the child yes, SI_USER yes\nwaitpid: child reaped, exited 3\n');
    expect(simulated).to.equal(n);
  });

  it('a SIGUSR1 handler runs when another configured process (pid 1001) sends it at 1 s', () => {
    const run = simulate([
      { path: SIGNALS, args: ['wait-usr1'] },
      { path: '/usr/bin/kill', args: ['-USR1', '1000'], start_time: '1s' },
    ]);
    expect(run.code, run.stdout).to.equal(0);
    expect(run.file('alpha', 'signals.1000.stdout')).to.equal('SIGUSR1 from pid 1001 (SI_USER yes) at 1.0\n');
  });

  it('alarm(2) interrupts a read on an empty pipe with EINTR at 2 s', () => {
    const { native: n, simulated } = both(SIGNALS, ['alarm-read']);
    expect(n).to.equal('read: -1 EINTR after 2.0 s, handler ran 1 time(s)\n');
    expect(simulated).to.equal(n);
  });

  it('with SA_RESTART the read goes on after the alarm until a child writes at 3 s', () => {
    const { native: n, simulated } = both(SIGNALS, ['alarm-restart']);
    expect(n).to.equal("read: 1 'x' after 3.0 s, handler ran 1 time(s)\nwriter exited 0\n");
    expect(simulated).to.equal(n);
  });

  it("a child's exit ends sigsuspend through a SIGCHLD handler at 1 s (how a shell's wait waits)", () => {
    const { native: n, simulated } = both(SIGNALS, ['sigchld'], { stopTime: '10s' });
    expect(n).to.equal('SIGCHLD handled 1 time(s), child exited 4 at 1.0\n');
    expect(simulated).to.equal(n);
  });

  it('shutdown_signal SIGINT at shutdown_time ends a python server loop through KeyboardInterrupt', () => {
    const server = [
      'import sys, time',
      "print('serving', flush=True)",
      'try:',
      '    while True:',
      '        time.sleep(1)',
      'except KeyboardInterrupt:',
      "    print('KeyboardInterrupt at', time.time() - 946684800)",
      '    sys.exit(0)',
    ].join('\n');
    const run = simulate([{ path: PYTHON, args: ['-c', server], shutdown_time: '5500 ms', shutdown_signal: 'SIGINT' }]);
    expect(run.code, run.stdout).to.equal(0);
    expect(run.file('alpha', 'python3.1000.stdout')).to.equal('serving\nKeyboardInterrupt at 5.5\n');
    expect(logLines(run, "process 'alpha.python3.1000' ended: {exited: 0}")[0]).to.contain(' 00:00:05.500000000 ');
  });
});

describe('process: vfork strategies on the spawn matrix', () => {
  /** C and Python spawners under `--vfork`/.shadowrc settings; each one's stdout. */
  function matrix(o: SimOptions): { c: string; py: string } {
    const dir = o.dir ?? scratchDir();
    const { py } = scripts(dir);
    const c = simulate([{ path: SPAWN, environment: ENV }], { ...o, dir });
    expect(c.code, c.stdout + c.stderr).to.equal(0);
    const p = simulate([{ path: PYTHON, args: [py], environment: ENV }], { ...o, dir: scratchDir() });
    expect(p.code, p.stdout + p.stderr).to.equal(0);
    return { c: onlyStdout(c), py: onlyStdout(p) };
  }

  /** The same programs natively, optionally with every vfork failing with `errno` (vfork-fail). */
  function nativeMatrix(errno?: string): { c: string; py: string } {
    const { py } = scripts(scratchDir());
    const wrap = (path: string, args: string[] = []) =>
      errno ? native(VFORK_FAIL, [errno, path, ...args]).stdout : native(path, args).stdout;
    return { c: wrap(SPAWN), py: wrap(PYTHON, [py]) };
  }

  let plain: { c: string; py: string };
  before(() => {
    plain = nativeMatrix();
  });

  for (const strategy of ['as-fork', 'native']) {
    it(`--vfork ${strategy}: every spawner works as natively`, () => {
      const sim = matrix({ args: ['--vfork', strategy] });
      expect(sim.c).to.equal(plain.c);
      expect(sim.py).to.equal(plain.py);
    });

    it(`.shadowrc vfork: ${strategy} works as the flag does`, () => {
      const sim = matrix({ rc: `vfork: ${strategy}\n` });
      expect(sim.c).to.equal(plain.c);
      expect(sim.py).to.equal(plain.py);
    });
  }

  it('--vfork reject: callers fail with ENOSYS as when a real vfork fails', () => {
    const failing = nativeMatrix('ENOSYS');
    expect(failing.c).to.equal(
      'vfork-exec: vfork: -1 ENOSYS\n' +
        'vfork-retry: vfork: -1 ENOSYS\n' +
        'spawn-good: posix_spawn: ENOSYS\n' +
        'spawn-missing: posix_spawn: ENOSYS\n' +
        'system: 32512 (exited 127)\n' + // glibc: a shell that cannot be started is an _exit(127)
        'clone-exec: clone: -1 ENOSYS\n' +
        'clone-exit: clone: -1 ENOSYS\n',
    );
    // subprocess falls back to fork when vfork fails; os.posix_spawn raises the errno.
    expect(failing.py).to.equal(
      "subprocess capture: b'hi\\n' 0\n" +
        'subprocess missing: FileNotFoundError ENOENT\n' +
        'subprocess exit code: 5\n' +
        'posix_spawn /bin/echo: OSError ENOSYS\n' +
        'posix_spawn /nonexistent: OSError ENOSYS\n',
    );
    const sim = matrix({ args: ['--vfork', 'reject'] });
    expect(sim.c).to.equal(failing.c);
    expect(sim.py).to.equal(failing.py);
  });

  it('.shadowrc vfork: [reject, { errno: EAGAIN }]: callers fail with EAGAIN', () => {
    const failing = nativeMatrix('EAGAIN');
    expect(failing.c).to.contain('spawn-good: posix_spawn: EAGAIN\n');
    expect(failing.c).to.contain('vfork-retry: vfork attempt 3: EAGAIN, retrying\nvfork-retry: vfork: -1 EAGAIN\n');
    expect(failing.c).to.contain('system: 32512 (exited 127)\n');
    expect(failing.py).to.contain('posix_spawn /bin/echo: BlockingIOError EAGAIN\n');
    const sim = matrix({ rc: 'vfork: [reject, { errno: EAGAIN }]\n' });
    expect(sim.c).to.equal(failing.c);
    expect(sim.py).to.equal(failing.py);
  });

  it('--vfork overrides .shadowrc', () => {
    const sim = matrix({ rc: 'vfork: [reject, { errno: EAGAIN }]\n', args: ['--vfork', 'native'] });
    expect(sim.c).to.equal(plain.c);
  });

  describe('an unknown strategy fails with one line listing the registered ones', () => {
    const good = [{ path: '/bin/true' }];
    it('--vfork nosuch', () => {
      const run = simulate(good, { args: ['--vfork', 'nosuch'] });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.equal(
        'shadow: error: --vfork: unknown vfork strategy "nosuch"; registered strategies: as-fork, native, reject\n',
      );
      expect(existsSync(run.dataDir)).to.equal(false);
    });

    it('.shadowrc vfork: nosuch', () => {
      const run = simulate(good, { rc: 'vfork: nosuch\n' });
      expect(run.code).to.equal(1);
      expect(run.stderr).to.equal(
        `shadow: error: ${join(run.dir, '.shadowrc')}: vfork: unknown vfork strategy "nosuch"; registered strategies: as-fork, native, reject\n`,
      );
    });

    it('.shadowrc vfork: [reject, { errno: EWHAT }] names the bad option', () => {
      const run = simulate(good, { rc: 'vfork: [reject, { errno: EWHAT }]\n' });
      expect(run.code).to.equal(1);
      const lines = run.stderr.trim().split('\n');
      expect(lines, run.stderr).to.have.length(1);
      expect(lines[0]).to.match(/^shadow: error: .*\.shadowrc: vfork: reject: option errno .*"EWHAT"/);
    });
  });
});

describe('process: job-control signals', () => {
  it('SIGTSTP with a handler runs it, SIGTTOU ignored is ignored, a blocked SIGTTIN waits for its unblocking, as natively', () => {
    const { native, simulated, run } = compareWithNative('job-stops');
    expect(native.stdout).to.contain('SIGTSTP handler ran: 1 time(s)\n');
    expect(simulated.stdout, run.stdout.slice(-2000)).to.equal(native.stdout);
    expect(simulated.code).to.equal(0);
  });
});

describe('process: futexes in shared memory', () => {
  it('MAP_SHARED + fork: a raw FUTEX_WAIT/WAKE and a process-shared mutex and condition variable meet across processes', () => {
    const { native, simulated, run } = compareWithNative('shared-futex');
    expect(native.stdout).to.contain('parent: value 42 from the child through a shared condition variable\n');
    expect(simulated.stdout, run.stdout.slice(-2000)).to.equal(native.stdout);
    expect(simulated.code).to.equal(0);
  });
});

describe('process: POSIX timers', () => {
  it('timer_create/settime/gettime/delete: periodic, absolute, SIGEV_THREAD_ID, SIGEV_NONE and the errors, as natively', () => {
    const { native, simulated, run } = compareWithNative('posix-timers');
    expect(native.stdout).to.contain('three SIGALRM after at least 90 ms: yes');
    expect(simulated.stdout, run.stdout.slice(-2000)).to.equal(native.stdout);
    expect(simulated.code).to.equal(0);
  });
});

describe('process: job control', () => {
  it('stopped and continued children as wait4 and waitid report them; a stopped child runs no more until SIGCONT; SIGKILL ends a stop', () => {
    const { native, simulated, run } = compareWithNative('job-control');
    expect(native.stdout).to.contain('WUNTRACED after SIGSTOP: child stopped by Stopped (signal)\n');
    expect(native.stdout).to.contain('parent: the child printed nothing while stopped\nchild: running again\n');
    expect(simulated.stdout, run.stdout.slice(-2000)).to.equal(native.stdout);
    expect(simulated.code).to.equal(0);
  });
});

describe('process: determinism', () => {
  it('two runs of a simulation with several of these programs give byte-identical data directories', () => {
    const dir = scratchDir();
    const { py } = scripts(dir);
    const hosts: Record<string, Proc[]> = {
      spawner: [{ path: SPAWN, environment: ENV }, { path: PYTHON, args: [py], environment: ENV, start_time: '1s' }],
      threads: [{ path: PTHREADS }, { path: '/bin/sh', args: ['-c', 'echo abc | tr a-c x-z'], environment: ENV }],
      signals: [
        { path: SIGNALS, args: ['usr1-from-child'] },
        { path: SIGNALS, args: ['alarm-read'] },
        { path: SIGNALS, args: ['alarm-restart'] },
      ],
    };
    if (existsSync(RUST_COMMAND)) hosts.rust = [{ path: RUST_COMMAND, environment: ENV }];
    const yaml = simFile(hosts);
    const a = runShadow(yaml, [], dir);
    expect(a.code, a.stdout).to.equal(0);
    const snapA = snapshot(a.dataDir);
    rmSync(a.dataDir, { recursive: true });
    const b = runShadow(yaml, [], dir);
    expect(b.code, b.stdout).to.equal(0);
    expect(snapA.size).to.be.greaterThan(10);
    expect(snapshot(b.dataDir)).to.deep.equal(snapA);
  });
});

describe('process: the vfork-strategies example and its third-party strategy', () => {
  const dir = join(ROOT, 'examples/vfork-strategies');
  const yaml = readFileSync(join(dir, 'shadow.yaml'), 'utf8');
  const run = (args: string[] = []) => {
    rmSync(join(dir, 'shadow.data'), { recursive: true, force: true });
    const r = runShadow(yaml, args, dir);
    const out = r.code === 0 ? { spawn: r.file('spawn', 'python3.1000.stdout'), sub: r.file('subprocess', 'python3.1000.stdout') } : null;
    rmSync(join(dir, 'shadow.data'), { recursive: true, force: true });
    return { r, out };
  };
  const SUBPROCESS = 'subprocess.run captured b\'hello\\n\'\nsh -c "exit 5" exited with 5\n';

  it('its .shadowrc selects eagain-once: the first vfork of each process fails with EAGAIN, the caller retries', () => {
    const { r, out } = run();
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(out!.spawn).to.equal('attempt 1: EAGAIN, retrying\nspawned on attempt 2\nchild exit code 0\n');
    expect(out!.sub).to.equal(SUBPROCESS);
    expect(logLines(r, '[shadow-plugin-vfork-eagain-once] clone3 of spawn process 1000 fails with EAGAIN')).to.have.length(1);
    expect(logLines(r, '[shadow-plugin-vfork-eagain-once] vfork of subprocess process 1000 fails with EAGAIN')).to.have.length(1);
  });

  for (const strategy of ['as-fork', 'native']) {
    it(`--vfork ${strategy}`, () => {
      const { r, out } = run(['--vfork', strategy]);
      expect(r.code, r.stdout + r.stderr).to.equal(0);
      expect(out!.spawn).to.equal('spawned on attempt 1\nchild exit code 0\n');
      expect(out!.sub).to.equal(SUBPROCESS);
    });
  }

  it('--vfork reject', () => {
    const { r, out } = run(['--vfork', 'reject']);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(out!.spawn).to.equal('posix_spawn failed: ENOSYS\n');
    expect(out!.sub).to.equal(SUBPROCESS);
  });

  it('an unknown name lists the plugin strategy with the built-in ones', () => {
    const { r } = run(['--vfork', 'nosuch']);
    expect(r.code).to.equal(1);
    expect(r.stderr).to.equal(
      'shadow: error: --vfork: unknown vfork strategy "nosuch"; registered strategies: as-fork, native, reject, eagain-once\n',
    );
  });
});

describe('process: vfork strategies per host', () => {
  it('.shadowrc hosts.<name>.vfork overrides the strategy chosen for all hosts', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, '.shadowrc'), 'vfork: [reject, { errno: EAGAIN }]\nhosts:\n  fine:\n    vfork: as-fork\n');
    const spawn: Proc = {
      path: PYTHON,
      args: ['-c', "import os\ntry:\n  os.waitpid(os.posix_spawn('/bin/true', ['true'], {}), 0); print('spawned')\nexcept OSError as e: print('errno', e.errno)"],
    };
    const run = runShadow(simFile({ fine: [spawn], refused: [spawn] }), [], dir);
    expect(run.code, run.stdout).to.equal(0);
    expect(run.file('fine', 'python3.1000.stdout')).to.equal('spawned\n');
    expect(run.file('refused', 'python3.1000.stdout')).to.equal('errno 11\n');
  });

  /** spawn's vfork and posix_spawn cases on hosts a and b, under `.shadowrc` = `rc` and `args`. */
  function twoHosts(rc: string, args: string[] = []): { a: string; b: string } {
    const dir = scratchDir();
    writeFileSync(join(dir, '.shadowrc'), rc);
    const spawn: Proc = { path: SPAWN, args: ['vfork-exec', 'spawn-good'], environment: ENV };
    const run = runShadow(simFile({ a: [spawn], b: [spawn] }), args, dir);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    return { a: run.file('a', 'spawn.1000.stdout'), b: run.file('b', 'spawn.1000.stdout') };
  }
  const PER_HOST_REJECT = 'hosts:\n  a: { vfork: [reject, { errno: EAGAIN }] }\n  b: { vfork: reject }\n';

  it('two hosts choosing reject with different errnos each get their own (EAGAIN and ENOSYS), as natively', () => {
    const nativeWith = (errno: string) => native(VFORK_FAIL, [errno, SPAWN, 'vfork-exec', 'spawn-good']).stdout;
    expect(nativeWith('EAGAIN')).to.equal('vfork-exec: vfork: -1 EAGAIN\nspawn-good: posix_spawn: EAGAIN\n');
    expect(nativeWith('ENOSYS')).to.equal('vfork-exec: vfork: -1 ENOSYS\nspawn-good: posix_spawn: ENOSYS\n');
    const sim = twoHosts(PER_HOST_REJECT);
    expect(sim.a).to.equal(nativeWith('EAGAIN'));
    expect(sim.b).to.equal(nativeWith('ENOSYS'));
  });

  it('--vfork wins over the per-host choices of .shadowrc', () => {
    const plain = native(SPAWN, ['vfork-exec', 'spawn-good']).stdout;
    expect(plain).to.equal('hello from a vfork child\nvfork-exec: child exited 0\nhello from posix_spawn\nspawn-good: child exited 0\n');
    const sim = twoHosts(PER_HOST_REJECT, ['--vfork', 'as-fork']);
    expect(sim.a).to.equal(plain);
    expect(sim.b).to.equal(plain);
  });

  describe('a bad strategy option stops the run before it starts, with one line naming the key', () => {
    const expectRcError = (rc: string, message: string) => {
      const dir = scratchDir();
      writeFileSync(join(dir, '.shadowrc'), rc);
      const run = runShadow(simFile({ a: [{ path: '/bin/true' }], b: [{ path: '/bin/true' }] }), [], dir);
      expect(run.code).to.equal(1);
      expect(run.stderr).to.equal(`shadow: error: ${join(dir, '.shadowrc')}: ${message}\n`);
      expect(existsSync(run.dataDir)).to.equal(false);
    };

    it('hosts.a.vfork: [reject, { errno: EFOO }]', () => {
      expectRcError(
        'hosts:\n  a: { vfork: [reject, { errno: EFOO }] }\n',
        'hosts.a.vfork: reject: option errno "EFOO": unknown errno; expected ENOSYS, EAGAIN or another errno name',
      );
    });

    it('a misspelt option, and an option given to a strategy that takes none', () => {
      expectRcError('vfork: [reject, { errnum: EAGAIN }]\n', 'vfork: reject: unknown option "errnum"; expected errno');
      expectRcError('hosts:\n  b: { vfork: [native, { fast: true }] }\n', 'hosts.b.vfork: native: unknown option "fast"; it takes no options');
      expectRcError('hosts:\n  b: { tcp_congestion: [reno, { beta: 0.5 }] }\n', 'hosts.b.tcp_congestion: reno: unknown option "beta"; it takes no options');
    });
  });

  it('a per-host entry for a host the simulation does not have is an error', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, '.shadowrc'), 'hosts:\n  nosuch:\n    vfork: native\n');
    const run = runShadow(simFile({ alpha: [{ path: '/bin/true' }] }), [], dir);
    expect(run.code).to.equal(1);
    expect(run.stderr.trim()).to.match(/^shadow: error: .*\.shadowrc: hosts\.nosuch: no host "nosuch" in the simulation$/);
  });
});
