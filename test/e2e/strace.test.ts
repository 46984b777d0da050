import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, runShadow, tcpEchoHosts, type ShadowRun } from './harness.js';

/** A TCP echo between two hosts and a non-blocking pipe on a third, strace logs on. */
function simulation(mode: string): string {
  return `general: { stop_time: 10 s }
network:
  graph: { type: 1_gbit_switch }
experimental: { strace_logging_mode: ${mode} }
${tcpEchoHosts(100000)}  piper:
    network_node_id: 0
    processes:
    - { path: ${join(PROGRAMS, 'io-pipe')} }
`;
}

/** Every strace file of a run, by `host/file`. */
function straceFiles(run: ShadowRun): Map<string, string> {
  const files = new Map<string, string>();
  for (const host of readdirSync(join(run.dataDir, 'hosts')).sort()) {
    for (const name of readdirSync(join(run.dataDir, 'hosts', host)).sort()) {
      if (name.endsWith('.strace')) files.set(`${host}/${name}`, readFileSync(join(run.dataDir, 'hosts', host, name), 'utf8'));
    }
  }
  return files;
}

describe('strace logs (experimental.strace_logging_mode)', function () {
  this.timeout(120_000);

  it('deterministic: two runs write byte-identical logs, with decoded calls and errno names', () => {
    const first = runShadow(simulation('deterministic'));
    expect(first.code, first.stderr + first.stdout.slice(-2000)).to.equal(0);
    const second = runShadow(simulation('deterministic'));
    expect(second.code, second.stderr).to.equal(0);
    const a = straceFiles(first);
    expect([...a.keys()]).to.deep.equal(['client/net-tcp-echo.1000.strace', 'piper/io-pipe.1000.strace', 'server/net-tcp-echo.1000.strace']);
    expect(straceFiles(second)).to.deep.equal(a);

    const client = a.get('client/net-tcp-echo.1000.strace')!;
    // The connect parks until the handshake is done, then runs again and succeeds.
    expect(client).to.contain('[tid 1000] connect(3, {sa_family=AF_INET, sin_port=htons(8080), sin_addr=inet_addr("11.0.0.3")}, 16) = <blocked>\n');
    expect(client).to.match(/^00:00:01\.\d{9} \[tid 1000\] connect\(3, \{sa_family=AF_INET, sin_port=htons\(8080\), sin_addr=inet_addr\("11\.0\.0\.3"\)\}, 16\) = 0$/m);
    expect(client).to.match(/\] write\(1, "received 100000 bytes, fnv1a64 \d+"\.\.\., \d+\) = \d+$/m);
    expect(client).to.match(/\] exit_group\(0\) = \?$/m);
    const server = a.get('server/net-tcp-echo.1000.strace')!;
    expect(server).to.match(/\] socket\(AF_INET6, SOCK_STREAM, 0\) = 3$/m);
    expect(server).to.match(/\] bind\(3, \{sa_family=AF_INET6, sin6_port=htons\(8080\), sin6_addr="::"\}, 28\) = 0$/m);
    expect(server).to.match(/\] listen\(3, 16\) = 0$/m);
    const pipe = a.get('piper/io-pipe.1000.strace')!;
    expect(pipe).to.match(/\] read\(\d+, <pointer>, \d+\) = -11 \(EAGAIN\)$/m);
    expect(pipe).to.match(/\] pipe2?\(\[\d+, \d+\]/m);
    // No pointer value anywhere: every line of every file.
    for (const [file, text] of a) expect(text, file).to.not.match(/0x[0-9a-f]{6,}/);
  });

  it('standard: pointers are shown, and lines are in simulated-time order per process', () => {
    const run = runShadow(simulation('standard'));
    expect(run.code, run.stderr).to.equal(0);
    const client = run.file('client', 'net-tcp-echo.1000.strace');
    expect(client).to.match(/\] set_tid_address\(0x[0-9a-f]+\) = 1000$/m);
    const times = client.trim().split('\n').map((line) => line.slice(0, 18));
    expect(times).to.deep.equal([...times].sort());
  });
});
