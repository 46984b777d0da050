'use strict';
// Loaded by scripts/ci-cpu-limited.sh only (mocha --require): on a machine where every process
// may use only seconds of CPU, a child that the kernel killed for it (SIGKILL at the hard
// RLIMIT_CPU, SIGXCPU at the soft one) and that the test did not kill itself is recorded; a test
// or hook that then fails is counted by summary-reporter.cjs as skipped, with the kills named.
// Nothing else about a failure changes.
const childProcess = require('node:child_process');
const { syncBuiltinESMExports } = require('node:module');

const LIMIT_SIGNALS = new Set(['SIGKILL', 'SIGXCPU']);
let kills = [];

function record(file, signal) {
  if (LIMIT_SIGNALS.has(signal)) kills.push(`${file} (${signal})`);
}

const { spawn, spawnSync, execFileSync } = childProcess;
childProcess.spawnSync = function (file, ...rest) {
  const result = spawnSync.call(this, file, ...rest);
  record(file, result.signal);
  return result;
};
childProcess.execFileSync = function (file, ...rest) {
  try {
    return execFileSync.call(this, file, ...rest);
  } catch (err) {
    record(file, err && err.signal);
    throw err;
  }
};
childProcess.spawn = function (file, ...rest) {
  const child = spawn.call(this, file, ...rest);
  child.once('exit', (_code, signal) => { if (!child.killed) record(file, signal); });
  return child;
};
syncBuiltinESMExports();

// What the reporter asks when something fails: the kills since the current test began.
globalThis[Symbol.for('shadow-ts.cpuLimitKills')] = () => kills.join(', ');
exports.mochaHooks = { beforeEach() { kills = []; } };
