import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, runShadow, type ShadowRun } from './harness.js';

const PROCFS = join(PROGRAMS, 'procfs');

/** The key=value lines a program printed, as a map (the last value of a key wins). */
function keyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out.set(line.slice(0, eq), line.slice(eq + 1));
  }
  return out;
}

/** The stdout file of host `host` whose name starts with `prefix`. */
function stdoutOf(run: ShadowRun, host: string, prefix: string): string {
  const name = readdirSync(join(run.dataDir, 'hosts', host)).find((f) => f.startsWith(prefix) && f.endsWith('.stdout'));
  expect(name, `${prefix} stdout on ${host}`).to.be.a('string');
  return run.file(host, name!);
}

describe('/proc seen from a managed program', function () {
  this.timeout(120_000);
  let out: Map<string, string>;

  before(() => {
    // The test runner's real pid stands for every process outside the simulation. Host beta
    // runs a process too, whose virtual pid 1000 alpha must not confuse with its own.
    const yaml =
      'general: { stop_time: 10s }\nnetwork:\n  graph: { type: 1_gbit_switch }\nhosts:\n' +
      `  alpha:\n    network_node_id: 0\n    processes:\n    - { path: ${PROCFS}, args: ["${process.pid}"] }\n` +
      '  beta:\n    network_node_id: 0\n    processes:\n    - { path: /bin/sleep, args: ["1"] }\n';
    const run = runShadow(yaml);
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    out = keyValues(stdoutOf(run, 'alpha', 'procfs.'));
  });

  it('shows virtual pids and no tracer in /proc/self/status and /proc/self/stat', () => {
    const pid = out.get('getpid')!;
    const ppid = out.get('getppid')!;
    expect(pid).to.equal('1000');
    for (const file of ['self.status', 'pid.status', 'thread-self.status']) {
      expect(out.get(`${file}.Pid`), file).to.equal(pid);
      expect(out.get(`${file}.Tgid`), file).to.equal(pid);
      expect(out.get(`${file}.NSpid`), file).to.equal(pid);
      expect(out.get(`${file}.PPid`), file).to.equal(ppid);
      expect(out.get(`${file}.TracerPid`), file).to.equal('0');
    }
    const [statPid, statPpid] = out.get('self.stat')!.split(' ');
    expect([statPid, statPpid]).to.deep.equal([pid, ppid]);
  });

  it('reads /proc/self and /proc/<pid>/exe links', () => {
    expect(out.get('readlink.self')).to.equal('1000');
    expect(out.get('readlink.exe')).to.equal('procfs');
    expect(out.get('readlink.pid-exe')).to.equal('procfs');
  });

  it('answers ENOENT for every pid that is not a process of the host, by any path-taking call', () => {
    for (const key of [
      'open.1.status',
      'open.outside.environ',
      'open.outside.mem',
      'stat.outside',
      'access.outside',
      'stat.1',
      'lstat.1',
      'readlink.1.exe',
      'open.root-trick',
      'openat.1.stat',
      'fstatat.1',
      'cwd.1.status',
      'chdir.1',
    ]) {
      expect(out.get(key), key).to.equal('ENOENT');
    }
    for (const key of ['open.self-mem', 'stat.me', 'access.me', 'openat.cpuinfo', 'chdir.me']) expect(out.get(key), key).to.equal('ok');
  });

  it('lists only the host\'s virtual pids in /proc and the virtual tid in /proc/self/task', () => {
    expect(out.get('list.proc')).to.equal('1000');
    expect(out.get('list.proc.others')).to.equal('yes');
    expect(out.get('list.task')).to.equal('1000');
    expect(out.get('list.proc.child')).to.equal(`1000,${out.get('child')}`);
  });

  it('resolves paths relative to a /proc descriptor and to a cwd inside /proc', () => {
    for (const key of ['openat.me.stat', 'cwd.me.stat', 'cwd.stat']) expect(out.get(key), key).to.equal('1000 1 1000 1000');
    expect(out.get('getcwd')).to.equal('/proc/1000');
  });

  it('shows a child by its virtual pid, with the parent as ppid, and refuses its memory', () => {
    const child = out.get('child')!;
    expect(child).to.equal('1001');
    expect(out.get('child.stat')).to.equal(`${child} 1000 1000 1000`);
    expect(out.get('child.status.Pid')).to.equal(child);
    expect(out.get('child.status.PPid')).to.equal('1000');
    expect(out.get('child.status.TracerPid')).to.equal('0');
    expect(out.get('child.environ')).to.equal('ok');
    expect(out.get('child.mem')).to.equal('EACCES');
    expect(out.get('children')).to.equal(`${child} `);
  });

  it('executes /proc/<pid>/exe by virtual pid', () => {
    expect(out.get('reexec')).to.equal('ok pid=1000');
  });
});
