import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, logLines, processesWith, runShadow, scratchDir } from './harness.js';

const LOOP = join(PROGRAMS, 'cpu-loop');
const MS = 1_000_000;

/** One host running `processes` (YAML list items, already indented). */
function sim(processes: string, general: string, experimental = ''): string {
  return `general: { ${general} }
${experimental ? `experimental: { ${experimental} }\n` : ''}network:
  graph: { type: 1_gbit_switch }
hosts:
  alpha:
    network_node_id: 0
    processes:
${processes}`;
}

/** Millions of counts of `cpu-loop spin` that take `ms` of CPU time on this machine (run natively). */
function countsFor(ms: number): number {
  return Number(execFileSync(LOOP, ['calibrate', String(ms)], { encoding: 'utf8' }).trim());
}

describe('preemption: threads that compute without syscalls', function () {
  this.timeout(120_000);

  it('native preemption charges 10 ms of simulated time per 100 ms of CPU, and the host runs on meanwhile', () => {
    const counts = countsFor(400);
    const run = runShadow(
      sim(
        `    - { path: ${LOOP}, args: spin ${counts} }
    - { path: ${LOOP}, args: sleep 3, start_time: 1ms }`,
        'stop_time: 10s',
        'native_preemption_enabled: true, native_preemption_native_interval: 100 ms, native_preemption_sim_interval: 10 ms',
      ),
    );
    expect(run.code, run.stdout).to.equal(0);
    // ~0.4 s of CPU: about four preemptions of exactly 10 ms each. Only simulated time is
    // asserted; the range leaves room for a loaded machine and for CPUs of other speeds.
    const elapsed = Number(run.file('alpha', 'cpu-loop.1000.stdout').trim());
    expect(elapsed % (10 * MS), `${elapsed} ns`).to.equal(0);
    expect(elapsed).to.be.within(10 * MS, 100 * MS);
    // The sleeper on the same host ran its 2 ms steps while the loop was preempted: it ended
    // before the loop did (without preemption the loop would end at 0 s, before it even started).
    expect(run.file('alpha', 'cpu-loop.1001.stdout')).to.equal(`${2 * MS}\n${4 * MS}\n${6 * MS}\n`);
    const ends = logLines(run, "' ended: {exited: 0}");
    expect(ends.map((l) => /'alpha\.cpu-loop\.(\d+)'/.exec(l)?.[1])).to.deep.equal(['1001', '1000']);
  });

  it('with preemption, an endless CPU loop no longer holds the run: stop_time ends it', () => {
    const run = runShadow(
      sim(
        `    - { path: ${LOOP}, args: forever, expected_final_state: running }`,
        'stop_time: 1s',
        'native_preemption_enabled: true, native_preemption_native_interval: 10 ms, native_preemption_sim_interval: 100 ms',
      ),
    );
    expect(run.code, run.stdout).to.equal(0);
    expect(logLines(run, 'simulation ended at')[0]).to.contain('00:00:01.000000000');
    expect(processesWith(`${LOOP}\0forever`)).to.deep.equal([]);
  });

  it('without preemption, the watchdog reports an endless CPU loop, kills it and fails the run', () => {
    const run = runShadow(sim(`    - { path: ${LOOP}, args: forever }`, 'stop_time: 1h'), ['--watchdog', '500ms']);
    expect(run.code, run.stdout).to.equal(1);
    const reports = logLines(run, 'the watchdog kills it');
    expect(reports, run.stdout).to.have.length(1);
    expect(reports[0]).to.match(/ERROR/);
    expect(reports[0]).to.contain("process 'alpha.cpu-loop.1000' (thread 1000) ran ");
    expect(reports[0]).to.match(/last syscall: \w+; ip 0x[0-9a-f]+/);
    expect(logLines(run, "'alpha.cpu-loop.1000' ended: {signaled: SIGKILL}")).to.have.length(1);
    expect(processesWith(`${LOOP}\0forever`)).to.deep.equal([]);
  });

  it('the watchdog (set in .shadowrc) fails the run even when the killed process was expected to be killed', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, '.shadowrc'), 'watchdog: 500 ms\n');
    const run = runShadow(
      sim(`    - { path: ${LOOP}, args: forever, expected_final_state: { signaled: SIGKILL } }`, 'stop_time: 1h'),
      [],
      dir,
    );
    expect(run.code, run.stdout).to.equal(1);
    expect(logLines(run, 'the watchdog kills it')).to.have.length(1);
    expect(logLines(run, '1 managed processes in unexpected final state')).to.have.length(1);
  });

  it('rejects a watchdog that is not a time, naming where it was set', () => {
    const yaml = sim(`    - { path: ${LOOP}, args: spin 1 }`, 'stop_time: 1s');
    const cli = runShadow(yaml, ['--watchdog', 'soon']);
    expect(cli.code).to.equal(1);
    expect(cli.stderr).to.match(/^shadow: error: --watchdog: expected a time like "10 s" or "500 ms", got "soon"/);
    const dir = scratchDir();
    writeFileSync(join(dir, '.shadowrc'), 'watchdog: [1]\n');
    const rc = runShadow(yaml, [], dir);
    expect(rc.code).to.equal(1);
    expect(rc.stderr).to.match(/\.shadowrc: watchdog: expected a time like "10 s" or "500 ms", got \[1\]/);
  });

  it('a thread spinning on sched_yield sees time advance with model_unblocked_syscall_latency', () => {
    const run = runShadow(sim(`    - { path: ${LOOP}, args: yield }`, 'stop_time: 10s, model_unblocked_syscall_latency: true'));
    expect(run.code, run.stdout).to.equal(0);
    // Each sched_yield costs 1 µs of simulated CPU time (Shadow's unblocked_syscall_latency).
    expect(Number(run.file('alpha', 'cpu-loop.1000.stdout'))).to.be.within(900, 1000);
  });
});
