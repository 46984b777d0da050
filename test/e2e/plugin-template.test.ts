import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './harness.js';

describe('examples/plugin-template: a TypeScript plugin package with its own test', function () {
  this.timeout(300_000);

  it('builds with tsc and its own test passes (npm test in the package)', () => {
    const r = spawnSync('npm', ['test', '--silent'], { cwd: join(ROOT, 'examples/plugin-template'), encoding: 'utf8', timeout: 280_000 });
    expect(r.status, r.stdout + r.stderr).to.equal(0);
    expect(r.stdout).to.match(/2 passing/);
  });
});
