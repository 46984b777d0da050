import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { PROGRAMS, ROOT, logLines, runShadow } from './harness.js';

/** The simulator's peak memory in GiB, from the resource usage line it logs at the end. */
function peakGiB(stdout: string): number {
  const lines = stdout.split('\n').filter((l) => l.includes('ru_maxrss='));
  return Number(/ru_maxrss=([\d.]+) GiB/.exec(lines.at(-1) ?? '')?.[1] ?? NaN);
}

describe('sandbox: resource bounds', () => {
  before(function () {
    this.timeout(120_000);
    execFileSync('bash', [join(ROOT, 'test/programs/build.sh')]);
  });

  it('a flood of 20,000 unread 60 KB UDP datagrams goes at the link pace and keeps the simulator small', function () {
    this.timeout(120_000);
    const flood = join(PROGRAMS, 'udp-flood');
    const run = runShadow(`general: { stop_time: 200 s }
network:
  graph: { type: 1_gbit_switch }
hosts:
  sink:
    network_node_id: 0
    processes:
    - { path: ${flood}, args: [sink, 9000, 100] }
  flood:
    network_node_id: 0
    processes:
    - { path: ${flood}, args: [send, sink, 9000, 20000, 60000], start_time: 1 s }
`);
    expect(run.code, run.stdout.slice(-2000)).to.equal(0);
    // 1.2 GB over 1 Gbit/s: blocking sends wait for the uplink instead of queueing it all.
    expect(run.file('flood', 'udp-flood.1000.stdout')).to.match(/^sent 20000 datagrams of 60000 bytes in 9\.\d s\n$/);
    // The sink's SO_RCVBUF keeps a few; the rest are dropped, as Linux drops them.
    expect(run.file('sink', 'udp-flood.1000.stdout')).to.match(/^kept [1-9] datagrams\n$/);
    // Memory, not time: unbounded, the datagrams in flight took 1.2 GiB.
    expect(peakGiB(run.stdout)).to.be.below(0.5);
    expect(logLines(run, '[ERROR]')).to.deep.equal([]);
  });
});
