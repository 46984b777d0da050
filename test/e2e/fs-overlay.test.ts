import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, ROOT, runShadow, scratchDir, type ShadowRun } from './harness.js';

/** A simulation run with `.shadowrc` = `rc` in a fresh directory. */
function withRc(yaml: string, rc: string): ShadowRun {
  const dir = scratchDir();
  writeFileSync(join(dir, '.shadowrc'), rc);
  return runShadow(yaml, [], dir);
}

const simulation = (hosts: string) => `general: { stop_time: 10s }\nnetwork:\n  graph: { type: 1_gbit_switch }\nhosts:\n${hosts}`;

/** Everything about the files under `dir` a program could change: kind, mode, size, mtime, bytes, link target. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const what = st.isSymbolicLink() ? `-> ${readlinkSync(p)}` : st.isDirectory() ? 'dir' : readFileSync(p, 'latin1');
      out[p.slice(dir.length)] = `${st.mode.toString(8)} ${st.uid}:${st.gid} ${st.size} ${st.mtimeMs} ${st.nlink} ${what}`;
      if (st.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

describe('fs strategies: overlay and shared', function () {
  this.timeout(120_000);

  describe('a program making every path call (test/programs/fs-overlay.c)', () => {
    // The same absolute paths natively and simulated: the lower layer is this real directory.
    const lower = `/var/tmp/shadow-ts-overlay-fs-${process.pid}`;
    const prepare = () => {
      rmSync(lower, { recursive: true, force: true });
      mkdirSync(join(lower, 'sub'), { recursive: true });
      writeFileSync(join(lower, 'keep.txt'), 'keep\n');
      writeFileSync(join(lower, 'old.txt'), 'old\n');
      writeFileSync(join(lower, 'gone.txt'), 'gone\n');
      writeFileSync(join(lower, 'sub/inner.txt'), 'inner\n');
      symlinkSync('keep.txt', join(lower, 'link-to-keep'));
      return tree(lower);
    };
    after(() => rmSync(lower, { recursive: true, force: true }));

    it('prints the same natively and under fs: overlay, and leaves the lower layer as it was', () => {
      prepare();
      const program = join(PROGRAMS, 'fs-overlay');
      const native = spawnSync(program, [lower], { cwd: scratchDir(), env: {}, encoding: 'utf8' });
      expect(native.status, native.stderr).to.equal(0);
      expect(native.stdout).to.contain('script ran\n');

      const before = prepare();
      const run = withRc(simulation(`  alpha:\n    network_node_id: 0\n    processes:\n    - { path: ${program}, args: ["${lower}"] }\n`), 'fs: overlay\n');
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(run.file('alpha', 'fs-overlay.1000.stdout')).to.equal(native.stdout);
      expect(tree(lower)).to.deep.equal(before);
      // What the host wrote is in its upper layer.
      const upper = join(run.dataDir, 'hosts/alpha/fs', lower);
      expect(readFileSync(join(upper, 'rel2.txt'), 'utf8')).to.equal('rel\n');
      expect(readFileSync(join(upper, 'sub'), 'utf8')).to.equal('file\n');
      expect(readFileSync(join(upper, 'tmp-linked'), 'utf8')).to.equal('tmp\n');
      expect(existsSync(join(upper, 'old.txt'))).to.equal(false);
    });
  });

  describe('two hosts writing the same absolute path', () => {
    const dir = '/var/tmp/shadow-ts-overlay-test';
    const file = `${dir}/pid`;
    // alpha writes first and reads after beta wrote; each also reads its emulated /etc/hostname.
    const hosts =
      `  alpha:\n    network_node_id: 0\n    processes:\n` +
      `    - { path: /bin/sh, args: ["-c", "echo alpha > ${file}; rm -f ${dir}/none; sleep 2; cat ${file} /etc/hostname"] }\n` +
      `  beta:\n    network_node_id: 0\n    processes:\n` +
      `    - { path: /bin/sh, args: ["-c", "echo beta > ${file}; cat ${file} /etc/hostname"], start_time: 1s }\n`;
    beforeEach(() => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, 'lower\n');
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('each see their own file under fs: overlay; the real file is untouched', () => {
      const run = withRc(simulation(hosts), 'fs: overlay\n');
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(run.file('alpha', 'sh.1000.stdout')).to.equal('alpha\nalpha\n');
      expect(run.file('beta', 'sh.1000.stdout')).to.equal('beta\nbeta\n');
      expect(readFileSync(file, 'utf8')).to.equal('lower\n');
      expect(readFileSync(join(run.dataDir, 'hosts/alpha/fs', file), 'utf8')).to.equal('alpha\n');
      const stats = JSON.parse(readFileSync(join(run.dataDir, 'sim-stats.json'), 'utf8'));
      expect(stats.hosts.alpha.fs).to.equal('overlay');
      expect(stats.hosts.alpha.syscalls).to.have.property('unlinkat');
    });

    it('clash with fs: shared (the default), which traps no unlink', () => {
      const run = runShadow(simulation(hosts));
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(run.file('alpha', 'sh.1000.stdout')).to.equal('beta\nalpha\n');
      expect(run.file('beta', 'sh.1000.stdout')).to.equal('beta\nbeta\n');
      expect(readFileSync(file, 'utf8')).to.equal('beta\n');
      const stats = JSON.parse(readFileSync(join(run.dataDir, 'sim-stats.json'), 'utf8'));
      expect(stats.hosts.alpha.fs).to.equal('shared');
      expect(stats.hosts.alpha.syscalls).to.not.have.property('unlinkat');
    });

    it('can differ per host (hosts.<name>.fs)', () => {
      const run = withRc(simulation(hosts), 'fs: shared\nhosts:\n  beta: { fs: overlay }\n');
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      // beta's write stays in its layer: alpha reads its own from the real file.
      expect(run.file('alpha', 'sh.1000.stdout')).to.equal('alpha\nalpha\n');
      expect(run.file('beta', 'sh.1000.stdout')).to.equal('beta\nbeta\n');
      expect(readFileSync(file, 'utf8')).to.equal('alpha\n');
    });
  });

  it('keeps /proc by virtual pid and the emulated files under fs: overlay', () => {
    const script = 'read a < /proc/self/stat; echo ${a%% *}; cd /proc/self && read b < stat && echo ${b%% *}; cat /etc/hosts /etc/hostname';
    const run = withRc(simulation(`  alpha:\n    network_node_id: 0\n    processes:\n    - { path: /bin/sh, args: ["-c", ${JSON.stringify(script)}] }\n`), 'fs: overlay\n');
    expect(run.code, run.stdout + run.stderr).to.equal(0);
    expect(run.file('alpha', 'sh.1000.stdout')).to.equal('1000\n1000\n127.0.0.1 localhost\n11.0.0.1 alpha\nalpha\n');
    expect(existsSync(join(run.dataDir, 'hosts/alpha/fs'))).to.equal(false);
  });

  describe('a strategy of a plugin (test/fixtures/plugins/fs-read-only.js)', () => {
    const dir = '/var/tmp/shadow-ts-overlay-test';
    const file = `${dir}/pid`;
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('is chosen by name per host; the others keep theirs', () => {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, 'lower\n');
      const script = (host: string) => `echo ${host} > ${file} || echo ${host} refused; rm ${file} || echo rm refused; cat ${file} || echo gone`;
      const hosts =
        `  alpha:\n    network_node_id: 0\n    processes:\n    - { path: /bin/sh, args: ["-c", "${script('alpha')}"] }\n` +
        `  beta:\n    network_node_id: 0\n    processes:\n    - { path: /bin/sh, args: ["-c", "${script('beta')}"], start_time: 1s }\n`;
      const plugin = join(ROOT, 'test/fixtures/plugins/fs-read-only.js');
      const run = withRc(simulation(hosts), `plugins: [${plugin}]\nhosts:\n  alpha: { fs: read-only }\n  beta: { fs: overlay }\n`);
      expect(run.code, run.stdout + run.stderr).to.equal(0);
      expect(run.file('alpha', 'sh.1000.stdout')).to.equal('alpha refused\nrm refused\nlower\n');
      expect(run.file('alpha', 'sh.1000.stderr')).to.match(/Read-only file system/);
      // beta's overlay removed its own copy; the real file is still there.
      expect(run.file('beta', 'sh.1000.stdout')).to.equal('gone\n');
      expect(readFileSync(file, 'utf8')).to.equal('lower\n');
      const stats = JSON.parse(readFileSync(join(run.dataDir, 'sim-stats.json'), 'utf8'));
      expect(stats.hosts.alpha.fs).to.equal('read-only');
    });
  });

  describe('an unknown strategy fails with one line naming the key', () => {
    const hosts = `  alpha:\n    network_node_id: 0\n    processes:\n    - { path: /bin/true }\n`;
    it('.shadowrc fs: nosuch', () => {
      const run = withRc(simulation(hosts), 'fs: nosuch\n');
      expect(run.code).to.equal(1);
      expect(run.stderr).to.equal(
        `shadow: error: ${join(run.dir, '.shadowrc')}: fs: unknown file system strategy "nosuch"; registered strategies: shared, overlay\n`,
      );
    });

    it('.shadowrc hosts.alpha.fs: nosuch', () => {
      const run = withRc(simulation(hosts), 'hosts:\n  alpha: { fs: nosuch }\n');
      expect(run.code).to.equal(1);
      expect(run.stderr).to.equal(
        `shadow: error: ${join(run.dir, '.shadowrc')}: hosts.alpha.fs: unknown file system strategy "nosuch"; registered strategies: shared, overlay\n`,
      );
    });

    it('.shadowrc fs: [overlay, { x: 1 }] names the bad option', () => {
      const run = withRc(simulation(hosts), 'fs: [overlay, { x: 1 }]\n');
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(/^shadow: error: .*\.shadowrc: fs: overlay: unknown option "x"; it takes no options\n$/);
    });
  });

  it("two nginx hosts with the stock nginx.conf (/run/nginx.pid, /var/log/nginx) each serve and keep their own files; the real ones are untouched", function () {
    if (!existsSync('/usr/sbin/nginx') || !existsSync('/etc/nginx/nginx.conf')) this.skip();
    const dir = scratchDir();
    chmodSync(dir, 0o755); // the workers run as www-data
    mkdirSync(join(dir, 'site'));
    writeFileSync(join(dir, 'site/index.html'), 'hello\n');
    const stock = readFileSync('/etc/nginx/nginx.conf', 'utf8');
    expect(stock).to.match(/^pid \/run\/nginx\.pid;/m);
    writeFileSync(join(dir, 'nginx.conf'), stock.replace(/include \/etc\/nginx\/sites-enabled\/\*;/, `server { listen 80 default_server; root ${dir}/site; }`));
    writeFileSync(join(dir, '.shadowrc'), 'fs: overlay\n');
    const real = ['/run/nginx.pid', '/var/log/nginx/error.log', '/var/log/nginx/access.log'];
    const before = real.map((p) => (existsSync(p) ? `${statSync(p).size} ${statSync(p).mtimeMs}` : 'none'));
    const nginx = `{ path: /usr/sbin/nginx, args: ['-c', '${dir}/nginx.conf', '-g', 'daemon off;'], expected_final_state: running }`;
    const yaml = `general: { stop_time: 10 s }
network: { graph: { type: 1_gbit_switch } }
hosts:
  web1: { network_node_id: 0, processes: [ ${nginx} ] }
  web2: { network_node_id: 0, processes: [ ${nginx} ] }
  client: { network_node_id: 0, processes: [ { path: /bin/sh, args: ['-c', 'curl -s http://web1/ && curl -s http://web2/'], start_time: 2 s } ] }
`;
    const run = runShadow(yaml, [], dir);
    expect(run.code, run.stdout.slice(-2000)).to.equal(0);
    expect(run.file('client', 'sh.1000.stdout')).to.equal('hello\nhello\n');
    for (const host of ['web1', 'web2']) {
      expect(run.file(host, 'fs/run/nginx.pid'), host).to.equal('1000\n');
      expect(run.file(host, 'fs/var/log/nginx/access.log'), host).to.match(/"GET \/ HTTP\/1\.1" 200 /);
    }
    const after = real.map((p) => (existsSync(p) ? `${statSync(p).size} ${statSync(p).mtimeMs}` : 'none'));
    expect(after).to.deep.equal(before);
  });
});
