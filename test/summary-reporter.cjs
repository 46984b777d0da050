'use strict';
// The spec reporter plus the plain closing line CI reads: `N passed, N failed, N skipped`.
// Under scripts/ci-cpu-limited.sh (test/cpu-limit.cjs loaded), a failure whose child process the
// machine's CPU limit killed is counted as skipped and listed, not as failed.
const Mocha = require('mocha');
const { Spec } = Mocha.reporters;
const { EVENT_RUN_END, EVENT_TEST_FAIL } = Mocha.Runner.constants;

class SpecWithSummary extends Spec {
  constructor(runner, options) {
    super(runner, options);
    const cpuLimitKills = globalThis[Symbol.for('shadow-ts.cpuLimitKills')];
    const killed = [];
    if (cpuLimitKills) {
      runner.on(EVENT_TEST_FAIL, (test) => {
        const kills = cpuLimitKills();
        if (kills) killed.push(`${test.fullTitle()}: ${kills}`);
      });
    }
    runner.once(EVENT_RUN_END, () => {
      const s = runner.stats;
      for (const k of killed) process.stdout.write(`(killed by the CPU limit, counted as skipped) ${k}\n`);
      process.stdout.write(`${s.passes} passed, ${s.failures - killed.length} failed, ${s.pending + killed.length} skipped\n`);
    });
  }
}
module.exports = SpecWithSummary;
