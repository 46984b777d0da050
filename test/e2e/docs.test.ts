import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './harness.js';

describe('docs: the SDK API reference (npm run docs, typedoc)', () => {
  it('typedoc renders every export of @shadow-ts/plugin-sdk from its TSDoc, without a warning', function () {
    this.timeout(120_000);
    const out = mkdtempSync(join(tmpdir(), 'shadow-ts-api-'));
    try {
      // What `npm run docs` runs (typedoc.json), into a directory of the test's.
      const r = spawnSync(join(ROOT, 'node_modules/.bin/typedoc'), ['--options', 'typedoc.json', '--out', out], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, r.stdout + r.stderr).to.equal(0);
      expect(existsSync(join(out, 'index.html'))).to.equal(true);
      const meta = readFileSync(join(out, 'interfaces/PluginMeta.html'), 'utf8');
      expect(meta).to.contain('optionsSchema');
      expect(meta).to.contain('A JSON Schema (draft-07) of the plugin');
      for (const page of ['interfaces/PluginKernel.html', 'interfaces/KernelHooks.html', 'interfaces/NetApi.html', 'functions/definePlugin.html']) {
        expect(existsSync(join(out, page)), page).to.equal(true);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
