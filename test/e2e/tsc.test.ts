import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logLines, oneHost, PROGRAMS, runShadow, scratchDir } from './harness.js';

const TSC = join(PROGRAMS, 'tsc-static');
const VVAR = join(PROGRAMS, 'vvar');


describe('real time does not leak: the TSC and the [vvar] pages', () => {
  it('rdtsc and rdtscp count simulated time at 1 GHz from boot (1 s before the start), the same in every run (static program)', () => {
    const runs = [1, 2].map(() => runShadow(oneHost(`    - { path: ${TSC} }`, 'stop_time: 10s')));
    for (const run of runs) expect(run.code, run.stdout).to.equal(0);
    const out = runs[0]!.file('alpha', 'tsc-static.1000.stdout');
    expect(out).to.equal(
      'rdtsc 1000000000 2000000000\n' +
        'rdtscp 1000000000 2000000000 aux 0\n' +
        'slept 1.000000000 s (rdtsc), 1.000000000 s (rdtscp) at 1 GHz\n' +
        // the other clocks still answer from simulated time in a static program
        'realtime 946684801.000000000 monotonic 2.000000000 gettimeofday 946684801.000000 time 946684801\n',
    );
    expect(runs[1]!.file('alpha', 'tsc-static.1000.stdout')).to.equal(out);
    // the faults were answered, not reported
    expect(logLines(runs[0]!, 'SIGSEGV')).to.deep.equal([]);
  });

  it('natively the same program sees the real TSC (the test would notice a no-op)', () => {
    const out = execFileSync(TSC, { encoding: 'utf8' });
    expect(out).to.match(/^rdtsc \d+ \d+\n/);
    expect(out.split('\n')[0]).not.to.equal('rdtsc 1000000000 2000000000');
  });

  it('.shadowrc rdtsc: native leaves the TSC readable (the real counter, no fault); the other clocks stay simulated', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, '.shadowrc'), 'rdtsc: native\n');
    const run = runShadow(oneHost(`    - { path: ${TSC} }`, 'stop_time: 10s'), [], dir);
    expect(run.code, run.stdout).to.equal(0);
    const out = run.file('alpha', 'tsc-static.1000.stdout').split('\n');
    expect(out[0]).to.match(/^rdtsc \d+ \d+$/);
    expect(out[0]).to.not.equal('rdtsc 1000000000 2000000000');
    // The simulated second passes in far less real time: the real counter barely moves.
    const [a, c] = out[0]!.split(' ').slice(1).map(Number);
    expect(c! - a!).to.be.greaterThan(0);
    expect(out[3]).to.equal('realtime 946684801.000000000 monotonic 2.000000000 gettimeofday 946684801.000000 time 946684801');
    expect(logLines(run, 'SIGSEGV')).to.deep.equal([]);
  });

  it('with model_unblocked_syscall_latency a busy loop on rdtsc ends: each read costs 10 ns', () => {
    const run = runShadow(oneHost(`    - { path: ${TSC}, args: '100000' }`, 'stop_time: 10s, model_unblocked_syscall_latency: true'));
    expect(run.code, run.stdout).to.equal(0);
    expect(run.file('alpha', 'tsc-static.1000.stdout')).to.equal('spun 10000 reads\n');
  });

  it('unmaps [vvar] at exec; a SIGSEGV that is not rdtsc still reaches the handler (dynamic program)', () => {
    const native = execFileSync(VVAR, { encoding: 'utf8' });
    expect(native).to.match(/^vvar mappings: [1-9]\nbelow the vDSO: \[vvar/);
    const run = runShadow(oneHost(`    - { path: ${VVAR} }`, 'stop_time: 10s'));
    expect(run.code, run.stdout).to.equal(0);
    const out = run.file('alpha', 'vvar.1000.stdout');
    expect(out).to.match(/^vvar mappings: 0\nbelow the vDSO: (?!\[vvar)/);
    expect(out).to.contain('read at 8: SIGSEGV, handled\n');
    expect(logLines(run, "'alpha.vvar.1000' received SIGSEGV (si_code 1, address 0x8")).to.have.length(1);
  });

  it('a forked child and an exec started from a managed process read the simulated TSC too', () => {
    const script = `${TSC} && sleep 1 && ${TSC}`;
    const run = runShadow(oneHost(`    - { path: /bin/sh, args: ['-c', '${script}'] }`, 'stop_time: 10s'));
    expect(run.code, run.stdout).to.equal(0);
    const out = run.file('alpha', 'sh.1000.stdout').split('\n');
    expect(out[0]).to.equal('rdtsc 1000000000 2000000000');
    expect(out[4]).to.equal('rdtsc 3000000000 4000000000');
  });
});
