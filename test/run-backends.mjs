// Runs the mocha suite once per backend (SHADOW_TS_BACKEND), echoing each run, and ends with the
// plain line CI reads, summed over the runs: `N passed, N failed, N skipped`.
// ptrace, the default backend, runs everything. notify runs the conformance suite and the e2e
// files: all but those that do not depend on the backend (CPU placement, configuration at scale,
// packaging, the plugin template's own test); the unit tests, the addon's own among them, run once.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';

const BACKEND_INDEPENDENT = new Set(['placement.test.ts', 'config-scale.test.ts', 'pack.test.ts', 'plugin-template.test.ts']);
const SPECS = {
  ptrace: ['test/**/*.test.ts'],
  notify: ['test/conformance/conformance.test.ts', ...readdirSync('test/e2e').filter((f) => f.endsWith('.test.ts') && !BACKEND_INDEPENDENT.has(f)).map((f) => `test/e2e/${f}`)],
};
const BACKENDS = (process.env.SHADOW_TS_BACKENDS ?? 'ptrace,notify').split(',');
const SUMMARY = /^(\d+) passed, (\d+) failed, (\d+) skipped$/;
const total = [0, 0, 0];
let ok = true;

for (const backend of BACKENDS) {
  process.stdout.write(`\n=== the suite on the ${backend} backend ===\n`);
  const found = await new Promise((resolve) => {
    const child = spawn('npx', ['mocha', ...(SPECS[backend] ?? [])], { env: { ...process.env, SHADOW_TS_BACKEND: backend }, stdio: ['ignore', 'pipe', 'inherit'] });
    let tail = '';
    let summary = null;
    child.stdout.on('data', (chunk) => {
      process.stdout.write(chunk);
      const lines = (tail + chunk.toString('utf8')).split('\n');
      tail = lines.pop() ?? '';
      for (const line of lines) summary = SUMMARY.exec(line) ?? summary;
    });
    child.on('close', (code) => resolve({ summary: SUMMARY.exec(tail) ?? summary, code }));
  });
  if (!found.summary || found.code !== 0) ok = false;
  if (found.summary) [1, 2, 3].forEach((i) => (total[i - 1] += Number(found.summary[i])));
  else total[1] += 1; // a run that printed no summary counts as one failure
  process.stdout.write(`(${backend}: ${found.summary ? found.summary[0] : 'no summary line'})\n`);
}
process.stdout.write(`${total[0]} passed, ${total[1]} failed, ${total[2]} skipped\n`);
process.exitCode = ok ? 0 : 1;
