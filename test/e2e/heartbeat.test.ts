import { expect } from 'chai';
import { logLines, runShadow, tcpEchoHosts } from './harness.js';

const BYTES = 2_000_000;

function simulation(hostOptions: string): string {
  return `general: { stop_time: 10 s }
network:
  graph:
    type: gml
    inline: |
      graph [
        node [ id 0 host_bandwidth_down "10 Mbit" host_bandwidth_up "10 Mbit" ]
        edge [ source 0 target 0 latency "10 ms" packet_loss 0.0 ]
      ]
host_option_defaults: { ${hostOptions} }
${tcpEchoHosts(BYTES)}`;
}

/** The rows of a heartbeat CSV, by column name. */
function rows(csv: string): Record<string, string>[] {
  const [header, ...lines] = csv.trim().split('\n');
  const names = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i]!, v])));
}

const sum = (table: Record<string, string>[], column: string): number => table.reduce((s, r) => s + Number(r[column]), 0);

describe('host heartbeats (host_option_defaults.host_heartbeat_*)', function () {
  this.timeout(120_000);

  it('node rows add up to the bytes the transfer moved, and log the same figures', () => {
    const run = runShadow(simulation('host_heartbeat_interval: 1 s, host_heartbeat_log_info: [node, socket, ram]'));
    expect(run.code, run.stderr + run.stdout.slice(-2000)).to.equal(0);
    expect(run.file('client', 'net-tcp-echo.1000.stdout')).to.match(new RegExp(`^received ${BYTES} bytes`));
    const client = rows(run.file('client', 'heartbeat.node.csv'));
    const server = rows(run.file('server', 'heartbeat.node.csv'));
    // A row per second, then the rest of the run in a last one.
    expect(client.map((r) => r['time_s'])).to.include.members(['1.000000000', '2.000000000', '3.000000000']);
    expect(client.at(-1)!['time_s']).to.equal('10.000000000');
    // The echo moves BYTES each way; every packet adds its IP and TCP headers (40 to 80 bytes).
    for (const [table, direction] of [[client, 'send'], [client, 'recv'], [server, 'send'], [server, 'recv']] as const) {
      const bytes = sum(table, `eth0_${direction}_bytes`);
      const packets = sum(table, `eth0_${direction}_packets`);
      expect(bytes - BYTES, direction).to.be.within(40 * packets, 80 * packets);
    }
    // No loss: what one host sent, the other received.
    expect(sum(server, 'eth0_recv_bytes')).to.equal(sum(client, 'eth0_send_bytes'));
    expect(sum(client, 'lo_send_bytes')).to.equal(0);
    // The log carries every row of the CSV.
    const logged = logLines(run, '[client] [shadow-heartbeat] [node] ').map((l) => l.slice(l.indexOf('[node] ') + 7));
    expect(logged).to.deep.equal(run.file('client', 'heartbeat.node.csv').trim().split('\n').slice(1));

    const sockets = rows(run.file('server', 'heartbeat.socket.csv'));
    expect(sockets.filter((r) => r['time_s'] === '1.000000000')).to.deep.equal([
      { time_s: '1.000000000', pid: '1000', fd: '3', protocol: 'tcp', local: '[::]:8080', peer: '', recv_queued_bytes: '0', send_queued_bytes: '0' },
    ]);
    expect(sockets.some((r) => r['fd'] === '4' && r['peer'] === '11.0.0.1:32768' && r['local'] === '11.0.0.2:8080')).to.equal(true);
    const ram = rows(run.file('client', 'heartbeat.ram.csv'));
    expect(ram.find((r) => r['time_s'] === '2.000000000')!['processes']).to.equal('1');
    expect(Number(ram.find((r) => r['time_s'] === '2.000000000')!['rss_bytes'])).to.be.greaterThan(0);
  });

  it('is off by default, and a bad info kind names its key', () => {
    const quiet = runShadow(simulation('log_level: info'));
    expect(quiet.code, quiet.stderr).to.equal(0);
    expect(logLines(quiet, 'shadow-heartbeat')).to.deep.equal([]);
    const bad = runShadow(simulation('host_heartbeat_interval: 1 s, host_heartbeat_log_info: [node, disk]'));
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/host_option_defaults\.host_heartbeat_log_info\[1\].*expected one of node, socket, ram; got "disk"/);
  });
});
