import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fuzz } from './fuzz.js';
import { ROOT } from './harness.js';

describe('sandbox: a syscall fuzzer', () => {
  before(function () {
    this.timeout(120_000);
    execFileSync('bash', [join(ROOT, 'test/programs/build.sh')]);
  });

  it('20,000 random calls (seed 1): no handler throws, the run ends normally, no real process is left, and a rerun prints the same', function () {
    this.timeout(300_000);
    const first = fuzz(1, 20_000);
    expect(first.failures, first.run.stdout.slice(-3000)).to.deep.equal([]);
    expect(first.run.code, first.run.stderr).to.equal(0);
    expect(first.report).to.match(/^calls 20000, children \d+: \d+ exited, \d+ killed by a signal, \d+ stopped after 5 s\n/);
    expect(first.leaked).to.deep.equal([]);
    const again = fuzz(1, 20_000);
    expect(again.report).to.equal(first.report);
  });
});
