import { expect } from 'chai';
import { runShadow, scratchDir } from './harness.js';

/**
 * Configuration at scale (issue 13): a generated 100,000-host simulation file is read, checked and
 * printed by `--show-config` well inside the test's timeout, and a mistake in its last host is
 * still reported by line and key path.
 */
const HOSTS = 100_000;

/** A two-node GML network and `HOSTS` hosts alternating between the nodes; every tenth has an address. */
function hugeConfig(lastHostExtra = ''): string {
  const lines = [
    'general: { stop_time: 10 s }',
    'network:',
    '  graph:',
    '    type: gml',
    '    inline: |',
    '      graph [',
    '        node [ id 0 host_bandwidth_down "1 Gbit" host_bandwidth_up "1 Gbit" ]',
    '        node [ id 1 host_bandwidth_down "100 Mbit" host_bandwidth_up "100 Mbit" ]',
    '        edge [ source 0 target 1 latency "10 ms" ]',
    '        edge [ source 0 target 0 latency "1 ms" ]',
    '        edge [ source 1 target 1 latency "1 ms" ]',
    '      ]',
    'hosts:',
  ];
  for (let i = 0; i < HOSTS; i++) {
    lines.push(`  host${i}:`, `    network_node_id: ${i % 2}`);
    if (i % 10 === 0) lines.push(`    ip_addr: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);
    if (i === HOSTS - 1 && lastHostExtra) lines.push(lastHostExtra);
    lines.push('    processes:', `    - { path: /bin/true, args: [a, "${i}"], start_time: ${1 + (i % 5)} s }`);
  }
  return `${lines.join('\n')}\n`;
}

describe('configuration at scale: 100,000 hosts', function () {
  this.timeout(240_000);

  it('--show-config reads, checks and prints every host of a 100,000-host file, as given', () => {
    const run = runShadow(hugeConfig(), ['--show-config'], scratchDir(), 180_000);
    expect(run.code, run.stderr.slice(-2000)).to.equal(0);
    expect(run.stdout).to.equal('');
    const names = run.stderr.match(/^ {2}host\d+:$/gm) ?? [];
    expect(names.length).to.equal(HOSTS);
    expect(names[HOSTS - 1]).to.equal(`  host${HOSTS - 1}:`);
    const last = run.stderr.slice(run.stderr.indexOf(`  host${HOSTS - 1}:\n`), run.stderr.indexOf('x-shadowrc:'));
    expect(last).to.match(/^ {4}network_node_id: 1$/m);
    expect(last).to.match(/^ {10}- "99999"$/m);
    expect(last).to.match(/^ {8}start_time: 5 s$/m);
    const tenth = run.stderr.slice(run.stderr.indexOf('  host99990:\n'), run.stderr.indexOf('  host99991:\n'));
    expect(tenth).to.match(/^ {4}ip_addr: 10\.1\.134\.150$/m);
  });

  it('names the file, line and key path of a mistake in the last of 100,000 hosts', () => {
    // host10 has 10.0.0.10; the last host asks for it too.
    const yaml = hugeConfig('    ip_addr: 10.0.0.10');
    const run = runShadow(yaml, ['--show-config'], scratchDir(), 180_000);
    expect(run.code, run.stderr).to.equal(1);
    const line = yaml.split('\n').lastIndexOf('    ip_addr: 10.0.0.10') + 1;
    expect(run.stderr).to.equal(`shadow: error: shadow.yaml:${line}: hosts.host99999.ip_addr: 10.0.0.10 is already the address of host "host10"\n`);
  });
});
