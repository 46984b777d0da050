import { expect } from 'chai';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, logLines, oneHost, runShadow, scratchDir } from './harness.js';

describe('plugins: the lifecycle of a run, as a third-party observer sees it', () => {
  it('data directory from apply on, start, process start and exit, finish; log lines name the host', () => {
    const dir = scratchDir();
    writeFileSync(join(dir, '.shadowrc'), `plugins:\n  - ${join(ROOT, 'test/fixtures/plugins/lifecycle.js')}\n`);
    const run = runShadow(oneHost(`    - { path: /bin/sh, args: ['-c', 'uname -n; true'] }\n`, 'stop_time: 5 s'), [], dir);
    expect(run.code, run.stdout.slice(-2000)).to.equal(0);
    expect(readFileSync(join(run.dataDir, 'lifecycle-apply.txt'), 'utf8')).to.equal('applied\n');
    expect(run.file('alpha', 'lifecycle-start.txt')).to.equal('alpha\n');
    expect(readFileSync(join(run.dataDir, 'lifecycle.txt'), 'utf8')).to.equal(
      'start alpha 1000 parent 1\n' +
        'start alpha 1001 parent 1000\n' +
        'exit alpha 1001 {"exited":0}\n' +
        'exit alpha 1000 {"exited":0}\n',
    );
    const lines = logLines(run, 'uname seen');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.contain('[alpha] ');
  });
});
