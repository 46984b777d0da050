import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, logLines } from './harness.js';
import { compareWithNative } from './native-compare.js';

/**
 * Calls that would block the real kernel — flock, fcntl F_SETLKW/F_OFD_SETLKW, open(2) of a
 * FIFO — wait on simulated time instead. The programs print the order of events and when
 * blocked calls return (rounded to 100 ms); natively and simulated must print the same, and
 * under the simulator the program ends at the exact instant its last wake-up was due.
 */
function same(program: string, args: string[], endsAt: string): void {
  const { native, simulated, run } = compareWithNative(program, args);
  expect(native.code, `native run of ${program} ${args.join(' ')}: ${native.stdout}`).to.equal(0);
  expect(native.stdout).to.not.equal('');
  expect(simulated.stdout, run.stdout.slice(-3000)).to.equal(native.stdout);
  expect(simulated.code, run.stdout.slice(-3000)).to.equal(0);
  expect(run.code, run.stdout.slice(-3000)).to.equal(0);
  expect(logLines(run, `process 'alpha.${program}.1000' ended`)[0]).to.contain(` ${endsAt} `);
}

describe('locks and FIFOs: blocking file calls wait on simulated time', function () {
  this.timeout(120_000);
  before(() => execFileSync('bash', [join(ROOT, 'test/programs/build.sh')]));

  it('flock: LOCK_NB fails, LOCK_EX wakes at the unlock, at the holder exit and at the last close of its description', () => {
    same('locks', ['flock'], '00:00:02.600000000');
  });

  it('fcntl record locks: conflicts, F_GETLK holders, split unlocks, F_SETLKW woken by a close, EDEADLK', () => {
    same('locks', ['fcntl'], '00:00:01.600000000');
  });

  it('open-file-description locks: conflicts within a process, F_OFD_GETLK, F_OFD_SETLKW woken by the last close', () => {
    same('locks', ['ofd'], '00:00:01.000000000');
  });

  it('a FIFO between two processes: the open rules of fifo(7), data, end-of-file and EPIPE', () => {
    same('fifo', [], '00:00:02.500000000');
  });
});
