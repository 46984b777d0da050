import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, runShadow, scratchDir, SHADOW } from './harness.js';

/** A TCP echo over a 10 Mbit, 10 ms, lossy link, with host heartbeats every 100 ms. */
const ECHO = join(PROGRAMS, 'net-tcp-echo');
const YAML = `general: { stop_time: 10 s }
network:
  graph:
    type: gml
    inline: |
      graph [
        node [ id 0 host_bandwidth_up "10 Mbit" host_bandwidth_down "10 Mbit" ]
        edge [ source 0 target 0 latency "10 ms" packet_loss 0.01 ]
      ]
host_option_defaults: { host_heartbeat_interval: 100 ms }
hosts:
  client: { network_node_id: 0, processes: [ { path: ${ECHO}, args: client server 8080 1000000, start_time: 1 s } ] }
  server: { network_node_id: 0, processes: [ { path: ${ECHO}, args: server 8080 } ] }
`;

function shadow(args: string[], cwd: string) {
  return spawnSync(process.execPath, [SHADOW, ...args], { cwd, encoding: 'utf8', timeout: 120_000 });
}

/** Width and height from a PNG's IHDR chunk, after checking the signature. */
function pngSize(file: string): { width: number; height: number } {
  const png = readFileSync(file);
  expect(png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), `${file} is a PNG`).to.equal(true);
  expect(png.subarray(12, 16).toString('latin1')).to.equal('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

function expectSvg(file: string): string {
  const svg = readFileSync(file, 'utf8');
  expect(svg).to.match(/^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]*width="\d+" height="\d+"/);
  expect(svg.trimEnd()).to.match(/<\/svg>$/);
  return svg;
}

describe('shadow plot: pictures of a run (throughput from host heartbeats, TCP connections from tcp_log)', () => {
  let dir: string;
  let dataDir: string;

  before(function () {
    this.timeout(180_000);
    dir = scratchDir();
    writeFileSync(join(dir, '.shadowrc'), 'tcp_log: true\n');
    const run = runShadow(YAML, [], dir);
    expect(run.code, run.stderr + run.stdout.slice(-2000)).to.equal(0);
    dataDir = run.dataDir;
  });

  it("tcp_log: true writes each connection's RTT, window and bytes in flight per host, the same in every run", () => {
    const client = readFileSync(join(dataDir, 'hosts/client/tcp.csv'), 'utf8').trim().split('\n');
    expect(client[0]).to.equal('time_s,local,remote,state,srtt_ns,cwnd_bytes,in_flight_bytes');
    const rows = client.slice(1).map((l) => l.split(','));
    expect(rows.length).to.be.greaterThan(100);
    expect(rows[0]!.slice(1, 3)).to.deep.equal(['11.0.0.1:32768', '11.0.0.2:8080']);
    const times = rows.map((r) => Number(r[0]));
    expect(times.every((t, i) => i === 0 || t >= times[i - 1]!), 'in time order').to.equal(true);
    expect(times[0]).to.be.within(1, 10);
    expect(Math.min(...rows.filter((r) => r[4] !== '').map((r) => Number(r[4])))).to.be.at.least(20_000_000); // 10 ms each way
    expect(rows.some((r) => Number(r[6]) > 0)).to.equal(true);
    expect(existsSync(join(dataDir, 'hosts/server/tcp.csv'))).to.equal(true);
    const again = scratchDir();
    writeFileSync(join(again, '.shadowrc'), 'tcp_log: true\n');
    const rerun = runShadow(YAML, [], again);
    expect(rerun.code).to.equal(0);
    expect(readFileSync(join(rerun.dataDir, 'hosts/client/tcp.csv'), 'utf8')).to.equal(readFileSync(join(dataDir, 'hosts/client/tcp.csv'), 'utf8'));
  });

  it('draws throughput and the TCP figures as SVG and PNG of non-trivial size into <data-dir>/plots', function () {
    this.timeout(120_000);
    const r = shadow(['plot', dataDir], dir);
    expect(r.status, r.stderr).to.equal(0);
    const plots = join(dataDir, 'plots');
    const names = ['throughput.svg', 'throughput.png', 'tcp.svg', 'tcp.png'];
    expect(r.stdout.trim().split('\n')).to.deep.equal(names.map((n) => join(plots, n)));
    for (const name of names) expect(statSync(join(plots, name)).size, name).to.be.greaterThan(20_000);
    const throughput = expectSvg(join(plots, 'throughput.svg'));
    expect(throughput).to.contain('Throughput per host (eth0)');
    for (const host of ['client', 'server']) expect(throughput).to.contain(`>${host}<`);
    const tcp = expectSvg(join(plots, 'tcp.svg'));
    for (const title of ['smoothed RTT (ms)', 'congestion window (KiB)', 'bytes in flight (KiB)', 'client: 11.0.0.1:32768 → 11.0.0.2:8080']) {
      expect(tcp).to.contain(title);
    }
    for (const name of ['throughput.png', 'tcp.png']) {
      const { width, height } = pngSize(join(plots, name));
      expect(width, name).to.be.greaterThan(800);
      expect(height, name).to.be.greaterThan(400);
    }
  });

  it('--format and --output choose what is written where', function () {
    this.timeout(120_000);
    const out = join(dir, 'pictures');
    const r = shadow(['plot', '--format', 'png', '-o', out, dataDir], dir);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout.trim().split('\n')).to.deep.equal([join(out, 'throughput.png'), join(out, 'tcp.png')]);
    pngSize(join(out, 'tcp.png'));
  });

  it('a run without heartbeats or TCP log is one line saying what to switch on', () => {
    const empty = join(dir, 'empty.data');
    mkdirSync(join(empty, 'hosts/a'), { recursive: true });
    const r = shadow(['plot', empty], dir);
    expect(r.status).to.equal(1);
    expect(r.stderr).to.equal(
      `shadow: error: ${empty}: nothing to plot; no throughput: no host has heartbeat.node.csv (set host_option_defaults.host_heartbeat_interval, with node in host_heartbeat_log_info); no TCP connections: no host has tcp.csv (set tcp_log: true in .shadowrc)\n`,
    );
    expect(shadow(['plot', join(dir, 'nowhere')], dir).stderr).to.match(/nowhere: not a directory/);
  });

  it('the progress bar shows simulated time, wall time, the sim/wall ratio and an ETA', () => {
    const run = runShadow(YAML, ['--progress', 'true', '-d', 'progress.data'], scratchDir());
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stderr).to.match(/simulated 10\/10 s \[[^\]]*\] 100% \| wall (\d+h)?(\d+m)?\d+s \| [\d.]+x real time \| ETA ((\d+h)?(\d+m)?\d+s|\?)\n/);
  });
});
