import { expect } from 'chai';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROGRAMS, ROOT } from './harness.js';

/** The packages a user installs: the SDK, the CLI (@shadow-ts/core, whose bin is `shadow`) and what the CLI depends on. */
const WORKSPACES = [
  'plugin-sdk', 'schema', 'native', 'core',
  'plugins/time', 'plugins/process', 'plugins/random', 'plugins/io', 'plugins/fs', 'plugins/net', 'plugins/strace', 'plugins/tcp-log',
];

/** A third-party plugin in a package of its own: every platform feature an observer has. */
const PLUGIN = `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NET_API, definePlugin } from '@shadow-ts/plugin-sdk';

const NAME = 'shadow-plugin-flow-log';

export default definePlugin({
  meta: {
    name: NAME,
    version: '1.0.0',
    apiVersion: '^2.2.0',
    optionsSchema: {
      type: 'object',
      properties: { label: { type: 'string', description: 'what the host is called in the log' } },
      additionalProperties: false,
    },
  },
  apply(kernel, options) {
    const net = kernel.api(NET_API);
    if (!net) throw new Error('the net family provides no api');
    writeFileSync(join(kernel.dataDirectory, 'flow-log-applied.json'), JSON.stringify(options));
    const hosts = new Map();
    kernel.hooks.start.tap(NAME, (views) => {
      for (const h of views) {
        const label = kernel.optionsFor(h.name).label ?? h.name;
        hosts.set(h.name, { label, dir: h.dataDir, started: 0, exited: 0, sent: 0, received: 0, segments: 0, maxCwnd: 0, minRtt: null });
      }
    });
    kernel.hooks.processStart.tap(NAME, (p) => hosts.get(p.host.name).started++);
    kernel.hooks.processExit.tap(NAME, (p) => hosts.get(p.host.name).exited++);
    net.hooks.packetSent.tap(NAME, (host) => hosts.get(host.name).sent++);
    net.hooks.packetReceived.tap(NAME, (host) => hosts.get(host.name).received++);
    net.hooks.tcpSegment.tap(NAME, (s) => {
      const r = hosts.get(s.host.name);
      r.segments++;
      r.maxCwnd = Math.max(r.maxCwnd, s.cwnd);
      if (s.srtt !== null) r.minRtt = r.minRtt === null ? Number(s.srtt) : Math.min(r.minRtt, Number(s.srtt));
    });
    kernel.hooks.finish.tap(NAME, () => {
      const all = {};
      for (const [name, { dir, ...record }] of hosts) {
        all[name] = record;
        writeFileSync(join(dir, 'flow-log.txt'), \`\${record.label}: \${record.segments} TCP segments\\n\`);
      }
      writeFileSync(join(kernel.dataDirectory, 'flow-log.json'), JSON.stringify(all, null, 2));
    });
  },
});
`;

/** npm without the variables of an npm that may be running this test (`npm test`): only its cache. */
function npm(args: string[], cwd: string): SpawnSyncReturns<string> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_') || k === 'npm_config_cache'));
  return spawnSync('npm', args, { cwd, env, encoding: 'utf8', timeout: 240_000 });
}

function tarList(tgz: string): string[] {
  return spawnSync('tar', ['tzf', tgz], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
}

describe('packages: npm pack of the SDK and the CLI, installed in an empty directory with a third-party plugin', function () {
  this.timeout(300_000);
  let dir: string;
  let tgz: string;
  let app: string;
  let tarballs: string[];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'shadow-ts-pack-'));
    tgz = join(dir, 'tgz');
    mkdirSync(tgz);
    const pack = npm(['pack', '--pack-destination', tgz, ...WORKSPACES.flatMap((w) => ['-w', w])], ROOT);
    expect(pack.status, pack.stderr).to.equal(0);
    // The plugin: a package of its own, outside the workspace, packed as its author would.
    const plugin = join(dir, 'shadow-plugin-flow-log');
    mkdirSync(plugin);
    writeFileSync(join(plugin, 'package.json'), JSON.stringify({
      name: 'shadow-plugin-flow-log', version: '1.0.0', type: 'module', license: 'MIT',
      exports: { '.': './index.js' }, files: ['index.js'], peerDependencies: { '@shadow-ts/plugin-sdk': '^2.2.0' },
    }, null, 2));
    writeFileSync(join(plugin, 'index.js'), PLUGIN);
    const packPlugin = npm(['pack', '--pack-destination', tgz], plugin);
    expect(packPlugin.status, packPlugin.stderr).to.equal(0);
    tarballs = readdirSync(tgz).filter((f) => f.endsWith('.tgz')).map((f) => join(tgz, f));
    // An empty project installs them; the registry's packages come from npm's cache when it has them.
    app = join(dir, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({
      name: 'app', version: '1.0.0', private: true, type: 'module', allowScripts: { '@shadow-ts/native': true },
    }, null, 2));
    const install = npm(['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], app);
    expect(install.status, install.stderr).to.equal(0);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the tarballs hold what an install needs: built code, the bin, the schemas, the addon prebuilt', () => {
    const list = (name: string) => tarList(tarballs.find((t) => t.includes(name))!);
    expect(tarballs).to.have.length(WORKSPACES.length + 1);
    const sdkVersion = (JSON.parse(readFileSync(join(ROOT, 'plugin-sdk/package.json'), 'utf8')) as { version: string }).version;
    expect(list(`plugin-sdk-${sdkVersion}`)).to.include.members(['package/dist/index.js', 'package/dist/index.d.ts', 'package/package.json']);
    expect(list('core-0.1.0')).to.include.members(['package/bin/shadow.js', 'package/dist/cli.js', 'package/dist/config/validators.generated.js']);
    expect(list('schema-0.1.0')).to.include.members(['package/simulation.schema.json', 'package/shadowrc.schema.json']);
    const native = list('native-0.1.0');
    expect(native).to.include.members([`package/prebuilds/${process.platform}-${process.arch}/node.napi.node`, 'package/binding.gyp', 'package/fast-time/fast-time.c']);
    expect(native.filter((f) => f.startsWith('package/build/'))).to.deep.equal([]);
  });

  it("the installed shadow runs a simulation with the plugin: data directory, lifecycle, per-host options, options schema, the net family's events", () => {
    const echo = join(PROGRAMS, 'net-tcp-echo');
    writeFileSync(join(app, 'shadow.yaml'), `general: { stop_time: 10 s }
network: { graph: { type: 1_gbit_switch } }
hosts:
  client: { network_node_id: 0, processes: [ { path: ${echo}, args: client server 8080 100000, start_time: 1 s } ] }
  server: { network_node_id: 0, processes: [ { path: ${echo}, args: server 8080 } ] }
`);
    writeFileSync(join(app, '.shadowrc'), `plugins:
  - [shadow-plugin-flow-log, { label: a host }]
hosts:
  server:
    plugins:
      shadow-plugin-flow-log: { label: the server }
`);
    const shadow = join(app, 'node_modules/.bin/shadow');
    const run = spawnSync(shadow, ['shadow.yaml'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
    expect(run.status, run.stderr + run.stdout.slice(-2000)).to.equal(0);
    const data = join(app, 'shadow.data');
    expect(JSON.parse(readFileSync(join(data, 'flow-log-applied.json'), 'utf8'))).to.deep.equal({ label: 'a host' });
    const log = JSON.parse(readFileSync(join(data, 'flow-log.json'), 'utf8')) as Record<string, Record<string, number | string | null>>;
    expect(log['client']).to.include({ label: 'a host', started: 1, exited: 1 });
    expect(log['server']).to.include({ label: 'the server', started: 1, exited: 1 });
    const stats = JSON.parse(readFileSync(join(data, 'sim-stats.json'), 'utf8'));
    for (const host of ['client', 'server']) {
      const { eth0, lo } = stats.hosts[host].interfaces;
      expect(log[host]!['sent'], host).to.equal(eth0.sent_packets + lo.sent_packets);
      expect(log[host]!['received'], host).to.equal(eth0.received_packets + lo.received_packets);
      expect(log[host]!['segments'], host).to.be.greaterThan(10);
      expect(log[host]!['maxCwnd'], host).to.be.greaterThan(0);
      expect(log[host]!['minRtt'], host).to.be.at.least(2_000_000); // 1 ms each way
    }
    expect(readFileSync(join(data, 'hosts/server/flow-log.txt'), 'utf8')).to.match(/^the server: \d+ TCP segments\n$/);
  });

  it("a misspelt option of the plugin is one line naming the key, from the plugin's schema", () => {
    writeFileSync(join(app, '.shadowrc'), 'plugins:\n  - [shadow-plugin-flow-log, { lable: a host }]\n');
    const run = spawnSync(join(app, 'node_modules/.bin/shadow'), ['-d', 'typo.data', 'shadow.yaml'], { cwd: app, encoding: 'utf8', timeout: 60_000 });
    expect(run.status).to.equal(1);
    expect(run.stderr).to.equal(`shadow: error: ${join(app, '.shadowrc')}: plugins[0][1].lable: unknown key (did you mean "label"?); expected one of label\n`);
  });

  it('shadow --version answers from the installed package', () => {
    const r = spawnSync(join(app, 'node_modules/.bin/shadow'), ['--version'], { encoding: 'utf8' });
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.trim()).to.equal(JSON.parse(readFileSync(join(ROOT, 'core/package.json'), 'utf8')).version);
  });
});
