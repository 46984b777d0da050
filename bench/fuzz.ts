/**
 * `npm run fuzz [CALLS] [SEED]`: a long fuzzing run (default 1,000,000 calls, seed 1) under the
 * simulator. Prints the fuzzer's report and whether the simulator held; exits 1 when it did not.
 */
import { fuzz } from '../test/e2e/fuzz.js';

const calls = Number(process.argv[2] ?? 1_000_000);
const seed = Number(process.argv[3] ?? 1);
const start = process.hrtime.bigint();
const outcome = fuzz(seed, calls, 6 * 3600_000);
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
process.stdout.write(outcome.report);
console.log(`simulator exit ${outcome.run.code} after ${seconds.toFixed(1)} s wall; data in ${outcome.run.dataDir}`);
for (const line of outcome.failures) console.log(`failure: ${line}`);
if (outcome.leaked.length > 0) console.log(`leaked real processes: ${outcome.leaked.join(' ')}`);
if (outcome.run.code !== 0 || outcome.failures.length > 0 || outcome.leaked.length > 0) process.exitCode = 1;
