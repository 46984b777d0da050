import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, ROOT, logLines, runShadow, scratchDir, snapshot } from './harness.js';
import { compareWithNative } from './native-compare.js';

/** Two hosts on one graph node whose self-loop has 50 ms latency: a 100 ms round trip. */
function twoHosts(server: string, client: string, options: { stopTime?: string; pcap?: boolean } = {}): string {
  const pcap = options.pcap ? '\n    host_options: { pcap_enabled: true }' : '';
  return `general:
  stop_time: ${options.stopTime ?? '60s'}
network:
  graph:
    type: gml
    inline: |
      graph [
        node [ id 0 host_bandwidth_down "100 Mbit" host_bandwidth_up "100 Mbit" ]
        edge [ source 0 target 0 latency "50 ms" ]
      ]
hosts:
  server:
    network_node_id: 0${pcap}
    processes:
${server}
  client:
    network_node_id: 0
    processes:
${client}
`;
}

/** A YAML process item (indented for a host's `processes:` list). */
function proc(path: string, args: string[], startTime = '0s'): string {
  return `    - path: ${path}\n      args: ${JSON.stringify(args)}\n      start_time: ${startTime}\n`;
}

/** FNV-1a 64 of the pattern net-tcp-echo sends: byte i is (i * 31 + 7) mod 256. */
function patternHash(n: number): string {
  let hash = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = (1n << 64n) - 1n;
  for (let i = 0; i < n; i++) hash = ((hash ^ BigInt((i * 31 + 7) & 0xff)) * prime) & mask;
  return hash.toString(16).padStart(16, '0');
}

const MIB = 1 << 20;

describe('net: sockets over the simulated network', function () {
  this.timeout(120_000);

  before(function () {
    this.timeout(120_000);
    execFileSync('bash', [join(ROOT, 'test/programs/build.sh')]);
  });

  it('echoes UDP datagrams between two hosts, one 100 ms round trip each', () => {
    const udp = join(PROGRAMS, 'net-udp-echo');
    const run = runShadow(twoHosts(proc(udp, ['server', '5000', '3']), proc(udp, ['client', 'server', '5000', '3'], '1s')));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('client', 'net-udp-echo.1000.stdout')).to.equal('echo: datagram 0\necho: datagram 1\necho: datagram 2\n');
    expect(run.file('server', 'net-udp-echo.1000.stdout')).to.equal('server got 10 bytes from 11.0.0.1 (port ephemeral)\n'.repeat(3));
    expect(logLines(run, "'client.net-udp-echo.1000' ended")[0]).to.match(/^\S+ \[INFO\] 00:00:01\.300000000 /);
  });

  it('moves 1 MiB through a blocking TCP echo across two hosts, intact', () => {
    const tcp = join(PROGRAMS, 'net-tcp-echo');
    const run = runShadow(twoHosts(proc(tcp, ['server', '5000']), proc(tcp, ['client', 'server', '5000', String(MIB)], '1s')));
    expect(run.code, run.stderr).to.equal(0);
    expect(run.file('client', 'net-tcp-echo.1000.stdout')).to.equal(`received ${MIB} bytes, fnv1a64 ${patternHash(MIB)}, then end of file\n`);
    expect(run.file('server', 'net-tcp-echo.1000.stdout')).to.equal(`server echoed ${MIB} bytes\n`);
  });

  it('refuses a connection to a port nobody listens on (ECONNREFUSED after one round trip)', () => {
    // The server host runs no program with a socket: its stack still answers with a RST.
    const tcp = join(PROGRAMS, 'net-tcp-echo');
    const run = runShadow(twoHosts(proc('/bin/sleep', ['5']), proc(tcp, ['connect', 'server', '5001'], '1s')));
    expect(run.file('client', 'net-tcp-echo.1000.stdout')).to.equal('connect: ECONNREFUSED\n');
    expect(logLines(run, "'client.net-tcp-echo.1000' ended")[0]).to.match(/ 00:00:01\.100000000 /);
  });

  it('times out a connection to an address nobody has after the SYN retries (ETIMEDOUT at 127 s)', () => {
    const tcp = join(PROGRAMS, 'net-tcp-echo');
    const run = runShadow(twoHosts(proc('/bin/sleep', ['1']), proc(tcp, ['connect', '10.9.9.9', '80'], '1s'), { stopTime: '200s' }));
    expect(run.file('client', 'net-tcp-echo.1000.stdout')).to.equal('connect: ETIMEDOUT\n');
    expect(logLines(run, "'client.net-tcp-echo.1000' ended")[0]).to.match(/ 00:02:08\.000000000 /);
  });

  it('gives byte-identical data directories (pcap included) for the same run twice', () => {
    const tcp = join(PROGRAMS, 'net-tcp-echo');
    const yaml = twoHosts(proc(tcp, ['server', '5000']), proc(tcp, ['client', 'server', '5000', '200000'], '1s'), { pcap: true });
    const a = runShadow(yaml);
    const b = runShadow(yaml);
    expect(a.code).to.equal(0);
    const pcap = readFileSync(join(a.dataDir, 'hosts/server/eth0.pcap'));
    expect(pcap.length).to.be.greaterThan(200_000);
    expect(snapshot(a.dataDir)).to.deep.equal(snapshot(b.dataDir));
  });

  it("runs Shadow's getting-started: python3 -m http.server and curl", () => {
    const run = runShadow(`general:
  stop_time: 10s
  model_unblocked_syscall_latency: true
network:
  graph: { type: 1_gbit_switch }
hosts:
  server:
    network_node_id: 0
    processes:
    - path: /usr/bin/python3
      args: -m http.server 80
      start_time: 3s
      expected_final_state: running
  client:
    network_node_id: 0
    processes:
    - path: /usr/bin/curl
      args: -s server
      start_time: 5s
`);
    expect(run.code, run.stdout).to.equal(0);
    expect(run.file('client', 'curl.1000.stdout')).to.include('Directory listing for /');
    expect(run.file('server', 'python3.1000.stderr')).to.match(/"GET \/ HTTP\/1\.1" 200/);
  });

  it('uses the congestion control .shadowrc selects (per host), and TCP_CONGESTION on a socket', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, '.shadowrc'), 'tcp_congestion: reno\nhosts:\n  beta: { tcp_congestion: cubic }\n');
    const script =
      'import socket; s = socket.socket(); print(s.getsockopt(6, 13, 16).rstrip(b"\\0").decode()); ' +
      's.setsockopt(6, 13, b"cubic" if s.getsockopt(6, 13, 16)[0] == 114 else b"reno"); print(s.getsockopt(6, 13, 16).rstrip(b"\\0").decode())';
    const host = (name: string) => `  ${name}:\n    network_node_id: 0\n    processes:\n    - path: /usr/bin/python3\n      args: ${JSON.stringify(['-c', script])}\n`;
    const run = runShadow(`general: { stop_time: 5s }\nnetwork:\n  graph: { type: 1_gbit_switch }\nhosts:\n${host('alpha')}${host('beta')}`, [], dir);
    expect(run.code, run.stdout).to.equal(0);
    expect(run.file('alpha', 'python3.1000.stdout')).to.equal('reno\ncubic\n');
    expect(run.file('beta', 'python3.1000.stdout')).to.equal('cubic\nreno\n');
  });

  it('matches native Linux on one host: UDP, TCP, poll bits, options, errors, named AF_UNIX sockets', () => {
    const { native, simulated, run } = compareWithNative('net-local');
    expect(native.code).to.equal(0);
    expect(simulated.stdout, run.stdout).to.equal(native.stdout);
    expect(simulated.code).to.equal(0);
  });

  it('recvmmsg matches native Linux: several datagrams with MSG_WAITFORONE, msg_len and senders, bad timeout, bad and empty vectors', () => {
    const { native, simulated, run } = compareWithNative('net-recvmmsg');
    expect(native.stdout).to.contain('recvmmsg 5 WAITFORONE: 3\n');
    expect(simulated.stdout, run.stdout).to.equal(native.stdout);
    expect(simulated.code).to.equal(0);
  });

  it('UDP to a closed port: the ICMP port unreachable makes a connected socket fail with ECONNREFUSED, as on Linux', () => {
    const { native, simulated, run } = compareWithNative('net-icmp');
    expect(native.stdout).to.contain('recv: -1 ECONNREFUSED\n');
    expect(simulated.stdout, run.stdout).to.equal(native.stdout);
    expect(simulated.code).to.equal(0);
  });

  it('a restarted server listens again on its port while its old connection is in TIME_WAIT (SO_REUSEADDR), as Linux', () => {
    const { native, simulated, run } = compareWithNative('net-relisten');
    expect(native.stdout).to.contain('again with SO_REUSEADDR: ok\n');
    expect(simulated.stdout, run.stdout).to.equal(native.stdout);
    expect(simulated.code).to.equal(0);
  });
});

describe('net: examples/getting-started (Shadow\'s getting-started simulation, unchanged)', () => {
  it('three curl clients fetch python\'s directory listing; the server is still running at the end', () => {
    const yaml = readFileSync(join(ROOT, 'examples/getting-started/shadow.yaml'), 'utf8');
    const run = runShadow(yaml);
    expect(run.code, run.stdout).to.equal(0);
    for (const client of ['client1', 'client2', 'client3']) {
      expect(run.file(client, 'curl.1000.stdout')).to.contain('<title>Directory listing for /</title>');
    }
    expect(run.file('server', 'python3.1000.stderr')).to.match(/"GET \/ HTTP\/1\.1" 200/);
  });
});

describe('net: a unix socket at a filesystem path between two processes of one host', () => {
  it('a python server and client talk over ./sock (the path lives in the host directory)', () => {
    const server = "import socket\ns=socket.socket(socket.AF_UNIX)\ns.bind('sock')\ns.listen()\nc,_=s.accept()\nc.sendall(c.recv(100).upper())\nprint('served')";
    const client = "import socket\nc=socket.socket(socket.AF_UNIX)\nc.connect('sock')\nc.sendall(b'hello over a path')\nprint(c.recv(100).decode())";
    const run = runShadow(`general: { stop_time: 10s }
network:
  graph: { type: 1_gbit_switch }
hosts:
  alpha:
    network_node_id: 0
    processes:
    - { path: /usr/bin/python3, args: ['-c', ${JSON.stringify(server)}] }
    - { path: /usr/bin/python3, args: ['-c', ${JSON.stringify(client)}], start_time: 1s }
`);
    expect(run.code, run.stdout).to.equal(0);
    expect(run.file('alpha', 'python3.1000.stdout')).to.equal('served\n');
    expect(run.file('alpha', 'python3.1001.stdout')).to.equal('HELLO OVER A PATH\n');
  });
});
