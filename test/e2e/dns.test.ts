import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, ROOT, logLines, runShadow, type ShadowRun } from './harness.js';
import { compareWithNative } from './native-compare.js';

/**
 * The simulated DNS: every host's /etc/resolv.conf names 127.0.0.53, whose resolver (core:net)
 * answers from the simulation's hosts table 1 ms after each query. Real clients ask it: glibc's
 * res_query (UDP and TCP), its getaddrinfo through nsswitch's `dns` source, and a client of its
 * own in python that reads resolv.conf and speaks the protocol itself, as Go's pure resolver,
 * c-ares or Tor's evdns do.
 */

const PYTHON = '/usr/bin/python3';
const QUERY = join(PROGRAMS, 'dns-query');
const CLIENT = join(ROOT, 'test/programs/dns-client.py');

/** A YAML process item (indented for a host's `processes:` list). */
function proc(path: string, args: string[], startTime = '1s'): string {
  return `    - path: ${path}\n      args: ${JSON.stringify(args)}\n      start_time: ${startTime}\n`;
}

/** `server` (11.0.0.2) idles; `client` (11.0.0.1) runs `client` (process items). */
function twoHosts(client: string, options: { pcap?: boolean } = {}): string {
  return `general: { stop_time: 10s }
network:
  graph: { type: 1_gbit_switch }
hosts:
  server:
    network_node_id: 0
    processes:
${proc('/bin/sleep', ['5'], '0s')}  client:
    network_node_id: 0${options.pcap ? '\n    host_options: { pcap_enabled: true }' : ''}
    processes:
${client}`;
}

function ok(run: ShadowRun): void {
  expect(run.code, `${run.stderr}\n${run.stdout.slice(-3000)}`).to.equal(0);
}

describe('dns: the simulated resolver at 127.0.0.53', function () {
  this.timeout(120_000);

  before(function () {
    this.timeout(120_000);
    execFileSync('bash', [join(ROOT, 'test/programs/build.sh')]);
  });

  it('answers res_query over UDP: A and AAAA of another host, NXDOMAIN for an unknown name, PTR of both its addresses, 1 ms each', () => {
    const args = ['A', 'server', 'AAAA', 'server', 'A', 'nosuch.example', 'PTR', '11.0.0.2', 'PTR', 'fd00::b00:2', 'A', 'SERVER.', 'AAAA', 'localhost'];
    const run = runShadow(twoHosts(proc(QUERY, args)));
    ok(run);
    expect(run.file('client', 'dns-query.1000.stdout')).to.equal(
      [
        'A server -> 11.0.0.2',
        'AAAA server -> fd00::b00:2',
        'A nosuch.example -> HOST_NOT_FOUND',
        'PTR 11.0.0.2 -> server',
        'PTR fd00::b00:2 -> server',
        'A SERVER. -> 11.0.0.2',
        'AAAA localhost -> ::1',
        '',
      ].join('\n'),
    );
    // Seven queries one after another, each answered 1 ms after it was sent.
    expect(logLines(run, "'client.dns-query.1000' ended")[0]).to.match(/ 00:00:01\.007000000 /);
  });

  it('answers res_query over TCP (RES_USEVC): a connection per query, closed after the answer', () => {
    const run = runShadow(twoHosts(proc(QUERY, ['-tcp', 'A', 'server', 'PTR', '11.0.0.1', 'A', 'nosuch.example'])));
    ok(run);
    expect(run.file('client', 'dns-query.1000.stdout')).to.equal('A server -> 11.0.0.2\nPTR 11.0.0.1 -> client\nA nosuch.example -> HOST_NOT_FOUND\n');
    expect(logLines(run, "'client.dns-query.1000' ended")[0]).to.match(/ 00:00:01\.003000000 /);
  });

  it('serves a client that reads /etc/resolv.conf and speaks DNS itself (python, raw UDP): answers, NODATA, NXDOMAIN and FORMERR', () => {
    const run = runShadow(twoHosts(proc(PYTHON, [CLIENT, 'A:server', 'AAAA:server', 'PTR:2.0.0.11.in-addr.arpa', 'A:nosuch.sim', 'TXT:server', 'malformed'])));
    ok(run);
    expect(run.file('client', 'python3.1000.stdout')).to.equal(
      [
        'nameserver 127.0.0.53',
        'udp A server -> NOERROR 11.0.0.2',
        'udp AAAA server -> NOERROR fd00::b00:2',
        'udp PTR 2.0.0.11.in-addr.arpa -> NOERROR server',
        'udp A nosuch.sim -> NXDOMAIN',
        'udp TXT server -> NOERROR',
        'udp malformed -> FORMERR',
        '',
      ].join('\n'),
    );
  });

  it('answers pipelined queries on one TCP connection in order, then closes its side after the client shut down writing', () => {
    const run = runShadow(twoHosts(proc(PYTHON, [CLIENT, '-tcp', 'A:server', 'A:client', 'PTR:1.0.0.11.in-addr.arpa', 'A:nosuch.sim'])));
    ok(run);
    expect(run.file('client', 'python3.1000.stdout')).to.equal(
      [
        'nameserver 127.0.0.53',
        'tcp after the answers: end of file',
        'tcp A server -> NOERROR 11.0.0.2',
        'tcp A client -> NOERROR 11.0.0.1',
        'tcp PTR 1.0.0.11.in-addr.arpa -> NOERROR client',
        'tcp A nosuch.sim -> NXDOMAIN',
        '',
      ].join('\n'),
    );
  });

  it("reaches glibc's getaddrinfo through nsswitch's dns: an unknown name fails at once (EAI_NONAME), IPv6 of a host comes from DNS", () => {
    // /etc/hosts lists IPv4 addresses only, so files cannot answer AF_INET6 and glibc asks DNS;
    // for an unknown name it sends A and AAAA together (sendmmsg) and gets two NXDOMAINs.
    const script = [
      'import socket, time',
      't = time.monotonic()',
      "print(socket.getaddrinfo('server', 80, socket.AF_INET6, socket.SOCK_STREAM)[0][4][0])",
      'try:',
      "    socket.getaddrinfo('nosuch.sim', 80, type=socket.SOCK_STREAM)",
      'except socket.gaierror as e:',
      "    print('gaierror', e.errno == socket.EAI_NONAME, round((time.monotonic() - t) * 1000), 'ms')",
    ].join('\n');
    const run = runShadow(twoHosts(proc(PYTHON, ['-c', script]), { pcap: true }));
    ok(run);
    expect(run.file('client', 'python3.1000.stdout')).to.equal('fd00::b00:2\ngaierror True 2 ms\n');
    expect(logLines(run, 'unsupported syscall')).to.deep.equal([]);
    // Nothing left the host: the queries and answers went over loopback only.
    if (!existsSync('/usr/bin/tshark')) return;
    const read = (iface: string, ...fields: string[]) => {
      const r = spawnSync('tshark', ['-r', join(run.dataDir, `hosts/client/${iface}.pcap`), '-T', 'fields', ...fields.flatMap((f) => ['-e', f])], {
        encoding: 'utf8',
      });
      expect(r.status, r.stderr).to.equal(0);
      return r.stdout;
    };
    expect(read('eth0', 'frame.number')).to.equal('');
    // Wireshark's dissector reads every packet as DNS, with nothing malformed.
    expect(read('lo', 'ip.src', 'ip.dst', 'dns.qry.type', 'dns.flags.rcode', 'dns.aaaa', '_ws.malformed').split('\n')).to.deep.equal([
      '127.0.0.1\t127.0.0.53\t28\t\t\t',
      '127.0.0.53\t127.0.0.1\t28\t0\tfd00::b00:2\t',
      '127.0.0.1\t127.0.0.53\t1\t\t\t',
      '127.0.0.1\t127.0.0.53\t28\t\t\t',
      '127.0.0.53\t127.0.0.1\t1\t3\t\t',
      '127.0.0.53\t127.0.0.1\t28\t3\t\t',
      '',
    ]);
  });
});

describe("dns: sendmmsg, with which glibc's resolver sends its A and AAAA queries", function () {
  this.timeout(120_000);

  it('matches native Linux: msg_len of each message, empty and bad vectors, a bad second message, per-message destinations', () => {
    execFileSync('bash', [join(ROOT, 'test/programs/build.sh')]);
    const { native, simulated, run } = compareWithNative('net-sendmmsg');
    expect(native.stdout).to.include('three messages: 3\n  msg_len 5 0 7\n');
    expect(native.stdout).to.include('a bad second message: 1\n');
    expect(simulated.stdout, run.stdout).to.equal(native.stdout);
    expect(simulated.code).to.equal(0);
  });
});
