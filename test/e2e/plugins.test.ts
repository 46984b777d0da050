import { expect } from 'chai';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, ROOT, logLines, oneHost, runShadow, scratchDir } from './harness.js';

describe('plugins: the lifecycle of a run, as a third-party observer sees it', () => {
  it('data directory from apply on, start, process start and exit, finish; log lines name the host', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, '.shadowrc'), `plugins:\n  - ${join(ROOT, 'test/fixtures/plugins/lifecycle.js')}\n`);
    const run = runShadow(oneHost(`    - { path: /bin/sh, args: ['-c', 'uname -n; true'] }\n`, 'stop_time: 5 s'), [], dir);
    expect(run.code, run.stdout.slice(-2000)).to.equal(0);
    expect(readFileSync(join(run.dataDir, 'lifecycle-apply.txt'), 'utf8')).to.equal('applied\n');
    expect(run.file('alpha', 'lifecycle-start.txt')).to.equal('alpha\n');
    expect(readFileSync(join(run.dataDir, 'lifecycle.txt'), 'utf8')).to.equal(
      'start alpha 1000 parent 1\n' +
        'start alpha 1001 parent 1000\n' +
        'exit alpha 1001 {"exited":0}\n' +
        'exit alpha 1000 {"exited":0}\n',
    );
    const lines = logLines(run, 'uname seen');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.contain('[alpha] ');
  });

  it("a traffic observer on the net family's api sees every packet and each connection's RTT and window", () => {
    const dir = scratchDir();
    writeFileSync(join(dir, '.shadowrc'), `plugins:\n  - ${join(ROOT, 'test/fixtures/plugins/traffic-observer.js')}\n`);
    const echo = join(PROGRAMS, 'net-tcp-echo');
    const yaml = `general: { stop_time: 10 s }
network: { graph: { type: 1_gbit_switch } }
hosts:
  client: { network_node_id: 0, processes: [ { path: ${echo}, args: client server 8080 100000, start_time: 1 s } ] }
  server: { network_node_id: 0, processes: [ { path: ${echo}, args: server 8080 } ] }
`;
    const run = runShadow(yaml, [], dir);
    expect(run.code, run.stdout.slice(-2000)).to.equal(0);
    // The observer's counts are the network's own (sim-stats.json counts what the core carried).
    const packets = JSON.parse(readFileSync(join(run.dataDir, 'packets.json'), 'utf8')) as Record<string, { sent: number; received: number }>;
    const stats = JSON.parse(readFileSync(join(run.dataDir, 'sim-stats.json'), 'utf8'));
    for (const host of ['client', 'server']) {
      const { eth0, lo } = stats.hosts[host].interfaces;
      expect(packets[host], host).to.deep.equal({ sent: eth0.sent_packets + lo.sent_packets, received: eth0.received_packets + lo.received_packets });
    }
    expect(packets['client']!.sent).to.be.greaterThan(70); // 100 kB each way in segments of at most 64 KiB… and their ACKs
    const rows = readFileSync(join(run.dataDir, 'tcp.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    const client = rows.filter((r) => r[0] === 'client');
    expect(client[0]!.slice(1, 3)).to.deep.equal(['11.0.0.1:32768', '11.0.0.2:8080']);
    // A 1 ms link each way: once measured, the smoothed RTT is 2 ms and more.
    const measured = client.filter((r) => r[4] !== '').map((r) => Number(r[4]));
    expect(measured.length).to.be.greaterThan(10);
    expect(Math.min(...measured)).to.be.at.least(2_000_000);
    expect(client.some((r) => r[3] === 'ESTABLISHED' && Number(r[5]) > 0)).to.equal(true);
  });

  it('per-host plugin options (hosts.<name>.plugins) override the plugin\'s options on that host only', () => {
    const dir = scratchDir();
    const plugin = join(ROOT, 'test/fixtures/plugins/per-host.js');
    writeFileSync(join(dir, '.shadowrc'), `plugins:\n  - [${plugin}, { greeting: hello }]\nhosts:\n  beta:\n    plugins:\n      fixture-per-host: { greeting: hi }\n`);
    const yaml = `general: { stop_time: 1 s }
network: { graph: { type: 1_gbit_switch } }
hosts:
  alpha: { network_node_id: 0, processes: [ { path: /bin/true } ] }
  beta: { network_node_id: 0, processes: [ { path: /bin/true } ] }
`;
    const run = runShadow(yaml, [], dir);
    expect(run.code, run.stderr + run.stdout.slice(-1000)).to.equal(0);
    expect(run.file('alpha', 'greeting.txt')).to.equal('hello\n');
    expect(run.file('beta', 'greeting.txt')).to.equal('hi\n');

    writeFileSync(join(dir, '.shadowrc'), `plugins:\n  - ${plugin}\nhosts:\n  beta:\n    plugins:\n      nosuch: {}\n`);
    const bad = runShadow(yaml, ['-d', 'bad.data'], dir);
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.equal(`shadow: error: ${join(dir, '.shadowrc')}: hosts.beta.plugins.nosuch: no plugin "nosuch" is listed in plugins\n`);
  });

  it("a plugin's options schema (meta.optionsSchema) names a misspelt or mistyped option, for all hosts or one", () => {
    const dir = scratchDir();
    const plugin = join(ROOT, 'test/fixtures/plugins/per-host.js');
    const yaml = 'general: { stop_time: 1 s }\nnetwork: { graph: { type: 1_gbit_switch } }\nhosts:\n  beta: { network_node_id: 0, processes: [ { path: /bin/true } ] }\n';
    const rc = join(dir, '.shadowrc');
    writeFileSync(rc, `plugins:\n  - [${plugin}, { greting: hello }]\n`);
    const typo = runShadow(yaml, [], dir);
    expect(typo.code).to.equal(1);
    expect(typo.stderr).to.equal(`shadow: error: ${rc}: plugins[0][1].greting: unknown key (did you mean "greeting"?); expected one of greeting\n`);
    expect(existsSync(typo.dataDir)).to.equal(false);
    writeFileSync(rc, `plugins:\n  - [${plugin}, { greeting: hello }]\nhosts:\n  beta:\n    plugins:\n      fixture-per-host: { greeting: 5 }\n`);
    const mistyped = runShadow(yaml, [], dir);
    expect(mistyped.code).to.equal(1);
    expect(mistyped.stderr).to.equal(`shadow: error: ${rc}: hosts.beta.plugins.fixture-per-host.greeting: expected a string, got 5\n`);
  });
});

describe('plugins: how .shadowrc names them', () => {
  /** Writes a package `name` into `dir`/node_modules whose only export is for `import` (ESM only). */
  function esmOnlyPackage(dir: string, name: string, ppid: number): void {
    const pkg = join(dir, 'node_modules', name);
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', exports: { '.': { import: './index.js' } } }));
    writeFileSync(
      join(pkg, 'index.js'),
      `export default { meta: { name: '${name}', version: '1.0.0', apiVersion: '^2.0.0' }, apply(kernel) {\n` +
        `  kernel.hooks.syscall.for('getppid').tap({ name: '${name}', stage: -1 }, () => ({ kind: 'ok', value: ${ppid}n }));\n} };\n`,
    );
  }
  const getppid = `    - { path: /usr/bin/python3, args: ['-c', 'import os; print(os.getppid())'] }\n`;

  it('resolves an ESM-only package (exports with only an import condition), by its short name without shadow-plugin-', () => {
    const dir = scratchDir();
    esmOnlyPackage(dir, 'shadow-plugin-esm-ppid', 4242);
    writeFileSync(join(dir, '.shadowrc'), 'plugins:\n  - esm-ppid\n');
    const run = runShadow(oneHost(getppid, 'stop_time: 5 s'), [], dir);
    expect(run.code, run.stderr + run.stdout.slice(-2000)).to.equal(0);
    expect(run.file('alpha', 'python3.1000.stdout')).to.equal('4242\n');
  });

  it('takes the name as written first, and says which names it looked for when none is installed', () => {
    const dir = scratchDir();
    esmOnlyPackage(dir, 'ppid', 7);
    esmOnlyPackage(dir, 'shadow-plugin-ppid', 8);
    writeFileSync(join(dir, '.shadowrc'), 'plugins:\n  - ppid\n');
    const run = runShadow(oneHost(getppid, 'stop_time: 5 s'), [], dir);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('alpha', 'python3.1000.stdout')).to.equal('7\n');
    writeFileSync(join(dir, '.shadowrc'), 'plugins:\n  - "@acme/nosuch"\n');
    const missing = runShadow(oneHost(getppid, 'stop_time: 5 s'), ['-d', 'again.data'], dir);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.contain(`plugin "@acme/nosuch" (listed in ${join(dir, '.shadowrc')}) was not found from ${dir} (as "@acme/nosuch" or "@acme/shadow-plugin-nosuch"); install it (npm install @acme/shadow-plugin-nosuch) or fix its name`);
  });
});
