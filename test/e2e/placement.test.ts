import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { allowedCpus } from '../../core/src/placement.js';
import { logLines, oneHost, runShadow } from './harness.js';

describe('placement (use_cpu_pinning)', () => {
  it('pins the simulator to a CPU another process is not keeping busy, and says which', function () {
    const cpus = allowedCpus();
    if (cpus.length < 2) this.skip();
    // A native spinner saturates the first allowed CPU for the length of the run.
    const spinner = spawn('taskset', ['-c', String(cpus[0]), 'sh', '-c', 'while :; do :; done'], { stdio: 'ignore' });
    try {
      const run = runShadow(oneHost('    - { path: /bin/true }', 'stop_time: 1 s'));
      expect(run.code, run.stdout).to.equal(0);
      const pinned = logLines(run, 'pinned to CPU');
      expect(pinned).to.have.length(1);
      expect(pinned[0]).to.not.contain(`pinned to CPU ${cpus[0]},`);
    } finally {
      spinner.kill('SIGKILL');
    }
  });

  it('does not pin with use_cpu_pinning false', () => {
    const run = runShadow(oneHost('    - { path: /bin/true }', 'stop_time: 1 s', 'use_cpu_pinning: false'));
    expect(run.code, run.stdout).to.equal(0);
    expect(logLines(run, 'pinned to CPU')).to.deep.equal([]);
  });
});
