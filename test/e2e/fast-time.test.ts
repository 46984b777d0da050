import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logLines, oneHost, PROGRAMS, ROOT, runShadow, scratchDir, type ShadowRun } from './harness.js';

/** Runs `args` of fast-time (or its static build) at 2 s with `fast_time` on or off in .shadowrc. */
function run(program: string, args: string[], fastTime: boolean, general = 'stop_time: 10 s'): ShadowRun {
  const dir = scratchDir();
  writeFileSync(join(dir, '.shadowrc'), `fast_time: ${fastTime}\n`);
  const result = runShadow(oneHost(`    - { path: ${join(PROGRAMS, program)}, args: ${JSON.stringify(args)}, start_time: 2 s }`, general), [], dir);
  expect(result.code, result.stdout + result.stderr).to.equal(0);
  return result;
}

/** How many clock_gettime calls trapped into the simulator. */
function trapped(result: ShadowRun): number {
  const stats = JSON.parse(readFileSync(join(result.dataDir, 'sim-stats.json'), 'utf8')) as { syscalls: Record<string, number> };
  return stats.syscalls.clock_gettime ?? 0;
}

describe('fast time: clock reads answered in the process', () => {
  before(() => execFileSync('bash', [join(ROOT, 'test/programs/build.sh')]));

  for (const program of ['fast-time', 'fast-time-static']) {
    it(`${program}: every clock reads simulated time through libc as through the raw syscall, the same with fast_time off, without a trap per read`, () => {
      const fast = run(program, ['12000'], true);
      const out = fast.file('alpha', `${program}.1000.stdout`);
      expect(out).to.equal(
        'REALTIME           0 946684802.000000000 | 0 946684802.000000000 | res 1 1\n' +
          'MONOTONIC          0 3.000000000 | 0 3.000000000 | res 1 1\n' +
          'MONOTONIC_RAW      0 3.000000000 | 0 3.000000000 | res 1 1\n' +
          'REALTIME_COARSE    0 946684802.000000000 | 0 946684802.000000000 | res 4000000 4000000\n' +
          'MONOTONIC_COARSE   0 3.000000000 | 0 3.000000000 | res 4000000 4000000\n' +
          'BOOTTIME           0 3.000000000 | 0 3.000000000 | res 1 1\n' +
          'TAI                0 946684802.000000000 | 0 946684802.000000000 | res 1 1\n' +
          'PROCESS_CPUTIME_ID 0 0.000000000 | 0 0.000000000 | res 1 1\n' +
          'gettimeofday 946684802.000000 tz 0 0 | 946684802.000000\n' +
          'time 946684802 946684802 | 946684802\n' +
          // Past the busy-loop threshold (10,000 calls in a row) each read costs 10 ns, as trapped,
          // applied to the clock a microsecond at a time (regression pin).
          '12000 reads took 20000 ns\n',
      );
      const trapping = run(program, ['12000'], false);
      expect(trapping.file('alpha', `${program}.1000.stdout`)).to.equal(out);
      // Trapped: the raw syscalls only (the latency is applied in the process), against every read.
      expect(trapped(fast)).to.be.below(20);
      expect(trapped(trapping)).to.be.above(12000);
    });
  }

  it('a program exec\'d in a chroot, where the time page cannot be opened, reads the same times through traps (warned once)', () => {
    const jail = join(scratchDir(), 'jail');
    mkdirSync(jail);
    copyFileSync(join(PROGRAMS, 'fast-time-static'), join(jail, 'fast-time-static'));
    const result = runShadow(oneHost(`    - { path: /usr/sbin/chroot, args: ['${jail}', '/fast-time-static', '1000'], start_time: 2 s }`, 'stop_time: 10 s'));
    expect(result.code, result.stdout).to.equal(0);
    const out = result.file('alpha', 'chroot.1000.stdout');
    expect(out).to.match(/^REALTIME           0 946684802\.000000000 \| 0 946684802\.000000000 \| res 1 1\nMONOTONIC          0 3\.000000000 /);
    expect(out).to.contain('1000 reads took 0 ns\n');
    expect(logLines(result, 'fast time could not be set up: cannot open the time page (errno 2)')).to.have.length(1);
  });

  it('with model_unblocked_syscall_latency a spin on clock_gettime sees time move, as when every read traps', () => {
    const general = 'stop_time: 10 s, model_unblocked_syscall_latency: true';
    const fast = run('fast-time', ['spin', '100'], true, general);
    const out = fast.file('alpha', 'fast-time.1000.stdout');
    // 10 ns a read; every 100th read (1 µs) is applied to the clock.
    expect(out).to.equal('spun 10000 reads for 100 us\n');
    expect(run('fast-time', ['spin', '100'], false, general).file('alpha', 'fast-time.1000.stdout')).to.equal(out);
    // A long spin traps only where it reaches the end of its host's round.
    const long = run('fast-time-static', ['spin', '10000'], true, general);
    expect(long.file('alpha', 'fast-time-static.1000.stdout')).to.equal('spun 1000000 reads for 10000 us\n');
    expect(trapped(long)).to.be.below(100);
  });
});
