import { expect } from 'chai';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { ConfigError, loadSimulationConfig } from '../../core/src/config/index.js';
import {
  allIssues, compilePluginSchema, firstIssue, loadSchema, RC_STYLE, schemaValidator, SIMULATION_STYLE, standaloneValidators,
} from '../../core/src/config/schema.js';
import { ShadowError } from '../../core/src/kernel/errors.js';
import { loadRc } from '../../core/src/loader/rc.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BAD = join(ROOT, 'test/fixtures/bad-config');

/** The message a fixture expects: its first line, `# expect: …`. */
function expected(file: string): string {
  const first = readFileSync(file, 'utf8').split('\n')[0]!;
  const m = /^# expect: (.*)$/.exec(first);
  if (m === null) throw new Error(`${file}: the first line must be "# expect: <message>"`);
  return m[1]!;
}

/** A simulation file as the validator sees it: x- keys dropped. */
function simulationValue(file: string): unknown {
  const value = parse(readFileSync(file, 'utf8'), { merge: true }) as Record<string, unknown>;
  for (const key of Object.keys(value)) if (key.startsWith('x-')) delete value[key];
  return value;
}

const examples = readdirSync(join(ROOT, 'examples')).map((name) => join(ROOT, 'examples', name));

describe('schema: the JSON Schemas of the simulation file and .shadowrc', () => {
  it('are draft-07 schemas, compiled strictly ahead of time into validators.generated.ts (npm run schemas)', () => {
    for (const name of ['simulation', 'shadowrc'] as const) {
      const schema = loadSchema(name);
      expect(schema['$schema']).to.equal('http://json-schema.org/draft-07/schema#');
      expect(schemaValidator(name)).to.be.a('function');
    }
    const generated = readFileSync(join(ROOT, 'core/src/config/validators.generated.ts'), 'utf8');
    expect(generated === standaloneValidators(), 'validators.generated.ts is behind the schemas: run npm run schemas').to.equal(true);
  });

  it('every example simulation file and .shadowrc is valid, and names the schema for editors', () => {
    let simulations = 0;
    for (const dir of examples) {
      const file = join(dir, 'shadow.yaml');
      if (existsSync(file)) {
        expect(allIssues(schemaValidator('simulation'), simulationValue(file), SIMULATION_STYLE), file).to.deep.equal([]);
        simulations++;
      }
      const rc = join(dir, '.shadowrc');
      if (existsSync(rc)) expect(allIssues(schemaValidator('shadowrc'), parse(readFileSync(rc, 'utf8')), RC_STYLE), rc).to.deep.equal([]);
    }
    expect(simulations).to.be.at.least(4);
    for (const name of ['getting-started', 'simulated-time', 'custom-syscall', 'vfork-strategies']) {
      expect(readFileSync(join(ROOT, 'examples', name, 'shadow.yaml'), 'utf8')).to.match(/^# yaml-language-server: \$schema=\.\.\/\.\.\/schema\/simulation\.schema\.json$/m);
    }
  });

  it('a file with every key is valid', () => {
    const file = join(ROOT, 'test/fixtures/config/every-key.yaml');
    expect(allIssues(schemaValidator('simulation'), simulationValue(file), SIMULATION_STYLE)).to.deep.equal([]);
  });

  describe('each bad simulation file gives its message (test/fixtures/bad-config)', () => {
    const fixtures = readdirSync(BAD).filter((f) => f.endsWith('.yaml'));
    it('there are fixtures', () => expect(fixtures.length).to.be.at.least(15));
    for (const name of fixtures) {
      it(name, () => {
        const file = join(BAD, name);
        let error: unknown;
        try {
          loadSimulationConfig(file, {});
        } catch (e) {
          error = e;
        }
        expect(error, 'a ConfigError').to.be.instanceOf(ConfigError);
        expect((error as ConfigError).message).to.equal(`${file}:${expected(file)}`);
      });
    }
  });

  describe('each bad .shadowrc gives its message (test/fixtures/bad-config/rc)', () => {
    const fixtures = readdirSync(join(BAD, 'rc')).filter((f) => f.endsWith('.yaml'));
    const dirs: string[] = [];
    after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
    for (const name of fixtures) {
      it(name, async () => {
        // A directory each: cosmiconfig remembers what it found in one.
        const dir = mkdtempSync(join(tmpdir(), 'shadow-ts-rc-'));
        dirs.push(dir);
        const rc = join(dir, '.shadowrc');
        copyFileSync(join(BAD, 'rc', name), rc);
        let error: unknown;
        try {
          await loadRc(dir);
        } catch (e) {
          error = e;
        }
        expect(error, 'a ShadowError').to.be.instanceOf(ShadowError);
        expect((error as ShadowError).message).to.equal(`${rc}: ${expected(join(BAD, 'rc', name))}`);
      });
    }
  });

  it('reports the first mistake the readers would meet: a map\'s own before those inside it, then in file order', () => {
    const v = schemaValidator('simulation');
    const issues = allIssues(v, {
      general: { stop_time: 'soon', bogus: 1 },
      network: { graph: { type: '1_gbit_switch' } },
      hosts: { b: { network_node_id: -1, processes: [] }, a: { processes: 3 } },
      extra: true,
    }, SIMULATION_STYLE);
    expect(issues.map((i) => i.path.join('.'))).to.deep.equal([
      'extra', 'general.bogus', 'general.stop_time', 'hosts.b.network_node_id', 'hosts.a.network_node_id', 'hosts.a.processes',
    ]);
    expect(firstIssue(v, { general: { stop_time: 1 }, network: { graph: { type: '1_gbit_switch' } }, hosts: { a: { network_node_id: 0, processes: [] } } }, SIMULATION_STYLE)).to.equal(null);
  });

  it('an anyOf speaks for its branches unless one went deeper into the value', () => {
    const v = schemaValidator('simulation');
    const state = (s: unknown) => firstIssue(v, {
      general: { stop_time: 10 }, network: { graph: { type: '1_gbit_switch' } },
      hosts: { a: { network_node_id: 0, processes: [{ path: 'x', expected_final_state: s }] } },
    }, SIMULATION_STYLE);
    expect(state({ exited: 1, signaled: 2 })?.detail).to.equal('expected running, {exited: N} or {signaled: SIGNAL}, got a map');
    expect(state({ exited: 1.5 })).to.deep.equal({
      path: ['hosts', 'a', 'processes', 0, 'expected_final_state', 'exited'], detail: 'expected an exit code (integer), got 1.5',
    });
    expect(state({ signaled: 'SIGKILL' })).to.equal(null);
  });

  it('checks plugin options against a plugin\'s schema, with shadow-ts\'s keywords', () => {
    const validate = compilePluginSchema({
      type: 'object',
      properties: { greeting: { type: 'string' }, every: { 'x-unit': 'time' }, markdownDescription: {} },
      required: ['greeting'],
      additionalProperties: false,
    });
    expect(firstIssue(validate, { greeting: 'hi', every: '5 s' }, RC_STYLE)).to.equal(null);
    expect(firstIssue(validate, { greting: 'hi' }, RC_STYLE)).to.deep.equal({
      path: ['greting'], detail: 'unknown key (did you mean "greeting"?); expected one of greeting, every, markdownDescription',
    });
    expect(firstIssue(validate, {}, RC_STYLE)).to.deep.equal({ path: ['greeting'], detail: 'is required' });
    expect(firstIssue(validate, { greeting: 'hi', every: '5 parsecs' }, RC_STYLE)?.detail).to.match(/unknown unit "parsecs"/);
    expect(() => compilePluginSchema({ type: 'nosuch' })).to.throw(/schema is invalid/);
  });
});
