import { expect } from 'chai';
import { logLines, oneHost, PROGRAMS, runShadow } from './harness.js';
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
});
