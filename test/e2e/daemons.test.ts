import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logLines, oneHost, PROGRAMS, runShadow, scratchDir } from './harness.js';
import { compareWithNative } from './native-compare.js';

describe('daemons as shipped: the calls they make at start', () => {
  it('getrusage, credentials, chroot, securebits, pkeys and extended attributes answer as on Linux', () => {
    const { native, simulated, run } = compareWithNative('daemon-calls');
    expect(native.code).to.equal(0);
    expect(simulated.stdout, run.stdout).to.equal(native.stdout);
    expect(simulated.code).to.equal(0);
    expect(logLines(run, 'unsupported syscall'), 'nothing is ENOSYS').to.deep.equal([]);
  });

  it('getrusage reports no CPU time and nothing that would differ between runs', () => {
    const run = runShadow(oneHost(`    - { path: ${PROGRAMS}/daemon-calls, args: usage }\n`, 'stop_time: 1 s'));
    expect(run.code, run.stdout).to.equal(0);
    expect(run.file('alpha', 'daemon-calls.1000.stdout')).to.equal('utime 0.000000 stime 0.000000 maxrss 0 nvcsw 0\n');
  });

  it("nginx with Debian's stock nginx.conf (workers, sendfile, tcp_nopush) serves a 5 MB file to two curls", function () {
    if (!existsSync('/usr/sbin/nginx') || !existsSync('/etc/nginx/nginx.conf')) this.skip();
    this.timeout(300_000);
    const dir = scratchDir();
    // The stock configuration runs the workers as www-data: they must be able to read the site.
    chmodSync(dir, 0o755);
    mkdirSync(join(dir, 'site'));
    // Deterministic content: byte i of the file is a hash of i.
    const body = Buffer.alloc(5_000_000, 0);
    for (let i = 0; i < body.length; i++) body[i] = (i * 2654435761) >>> 24;
    writeFileSync(join(dir, 'site/big.bin'), body);
    const sha = createHash('sha256').update(body).digest('hex');
    // The stock main configuration, with one server of ours in place of the sites-enabled include.
    const stock = readFileSync('/etc/nginx/nginx.conf', 'utf8');
    expect(stock).to.match(/^\s*sendfile on;/m);
    const conf = stock.replace(/include \/etc\/nginx\/sites-enabled\/\*;/, `server { listen 80 default_server; root ${dir}/site; }`);
    writeFileSync(join(dir, 'nginx.conf'), conf);
    const fetch = `    - { path: /bin/sh, args: ['-c', 'curl -s http://server/big.bin | sha256sum'], start_time: 2 s }\n`;
    const yaml = `general: { stop_time: 60 s }
network: { graph: { type: 1_gbit_switch } }
hosts:
  server:
    network_node_id: 0
    processes:
    - { path: /usr/sbin/nginx, args: ['-c', '${dir}/nginx.conf', '-g', 'daemon off;'], expected_final_state: running }
  client1: { network_node_id: 0, processes: [ ${fetch.trim().slice(2)} ] }
  client2: { network_node_id: 0, processes: [ ${fetch.trim().slice(2)} ] }
`;
    const run = runShadow(yaml, [], dir, 280_000);
    expect(run.code, run.stdout.slice(-3000)).to.equal(0);
    for (const client of ['client1', 'client2']) expect(run.file(client, 'sh.1000.stdout')).to.equal(`${sha}  -\n`);
    expect(logLines(run, 'unsupported syscall')).to.deep.equal([]);
  });

  it("node's http server and a fetch client finish with the default settings (no livelock after the first request)", () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'server.js'), [
      "const http = require('http');",
      'let n = 0;',
      'const server = http.createServer((req, res) => {',
      '  res.end(`hello ${++n}\\n`);',
      '  if (n === 2) setTimeout(() => server.close(), 10);',
      '});',
      "server.listen(8080, () => console.log('listening'));",
    ].join('\n'));
    writeFileSync(join(dir, 'client.js'), [
      '(async () => {',
      "  for (let i = 0; i < 2; i++) { const r = await fetch('http://server:8080/'); console.log(r.status, (await r.text()).trim()); }",
      '})();',
    ].join('\n'));
    const yaml = `general: { stop_time: 30 s }
network: { graph: { type: 1_gbit_switch } }
hosts:
  server: { network_node_id: 0, processes: [ { path: ${process.execPath}, args: ['${dir}/server.js'] } ] }
  client: { network_node_id: 0, processes: [ { path: ${process.execPath}, args: ['${dir}/client.js'], start_time: 2 s } ] }
`;
    const run = runShadow(yaml, [], dir);
    expect(run.code, run.stdout.slice(-2000)).to.equal(0);
    expect(run.file('client', 'node.1000.stdout')).to.equal('200 hello 1\n200 hello 2\n');
    expect(run.file('server', 'node.1000.stdout')).to.equal('listening\n');
    // Both end on their own, two simulated seconds in (not at the stop time).
    expect(logLines(run, "process 'server.node.1000' ended: {exited: 0}")[0]).to.match(/ 00:00:02\.\d+ /);
  });
});
