import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, ROOT } from '../e2e/harness.js';
import { compareWithNative } from '../e2e/native-compare.js';

/**
 * The differential conformance suite: each program of test/conformance (one per syscall topic,
 * compiled by test/programs/build.sh into test/programs/bin/conformance) prints one line per
 * case, `<case> = <result>[ ; <state>]`; it runs natively and under the simulator, and the lines
 * are compared case by case.
 */
const TOPICS = ['pipe', 'eventfd', 'epoll', 'poll', 'socket-unix', 'scm', 'splice', 'socket-inet', 'clock', 'sched', 'prctl', 'rlimit', 'files', 'signals', 'jobs'];

/**
 * The cases where the simulator knowingly answers otherwise than Linux, by topic and case name,
 * with the reason. Each is listed in docs/status.md ("Differs from Linux") and reported as a
 * pending test; one that starts to agree with Linux fails until it is taken off both lists.
 */
const DIFFERS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'socket-unix': {
    'send MSG_OOB on a stream socketpair': 'urgent data is not simulated (EOPNOTSUPP)',
  },
  'socket-inet': {
    'getsockopt TCP_MAXSEG on the loopback': 'the MSS is the model\'s 1460 bytes, not one derived from the loopback MTU and window',
    'send with MSG_OOB': 'urgent data is not simulated (EOPNOTSUPP)',
  },
};

/** The cases of one run: name → what follows " = ". */
function cases(stdout: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const at = line.indexOf(' = ');
    const name = at < 0 ? line : line.slice(0, at);
    if (out.has(name)) throw new Error(`case "${name}" is printed twice`);
    out.set(name, at < 0 ? '' : line.slice(at + 3));
  }
  return out;
}

/** The rows of docs/status.md's "Differs from Linux" table, as "topic: case". */
function documentedDifferences(): string[] {
  const text = readFileSync(join(ROOT, 'docs/status.md'), 'utf8');
  const section = text.split(/^## Differs from Linux$/m)[1]?.split(/^## /m)[0] ?? '';
  return section
    .split('\n')
    .filter((l) => l.startsWith('| `'))
    .map((l) => {
      const [topic, name] = l.split('|').slice(1, 3).map((c) => c.trim().replace(/^`|`$/g, ''));
      return `${topic}: ${name}`;
    });
}

describe('conformance: each case gives what Linux gives', function () {
  this.timeout(120_000);

  before(function () {
    execFileSync('bash', [join(ROOT, 'test/programs/build.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  });

  for (const topic of TOPICS) {
    it(`${topic}: every case as natively, but the listed differences`, () => {
      const { native, simulated, run } = compareWithNative(join(PROGRAMS, 'conformance', topic));
      expect(native.code, `native run of ${topic}: ${native.stdout.slice(-2000)}`).to.equal(0);
      const want = cases(native.stdout);
      const got = cases(simulated.stdout);
      expect(want.get('cases'), `the native run of ${topic} ends with its case count`).to.equal(String(want.size - 1));
      const skipped = DIFFERS[topic] ?? {};
      const problems: string[] = [];
      let same = 0;
      for (const [name, result] of want) {
        const sim = got.get(name);
        const agrees = sim === result;
        if (agrees) same++;
        if (name in skipped) {
          if (agrees) problems.push(`${name}: now as Linux (= ${result}); take it off DIFFERS and docs/status.md`);
        } else if (!agrees) {
          problems.push(`${name}\n      native:    = ${result}\n      simulated: ${sim === undefined ? '(no line)' : `= ${sim}`}`);
        }
      }
      for (const name of got.keys()) if (!want.has(name)) problems.push(`${name}: only in the simulated run`);
      for (const name of Object.keys(skipped)) if (!want.has(name)) problems.push(`${name}: listed in DIFFERS but not printed`);
      console.log(`      ${topic}: ${want.size - 1} cases, ${same - 1} as Linux, ${Object.keys(skipped).length} listed as different`);
      if (problems.length > 0) expect.fail(`${topic}: ${problems.length} case(s) differ from Linux\n    ${problems.join('\n    ')}`);
      expect(simulated.code, `${topic} under the simulator: ${run.stdout.slice(-1500)}`).to.equal(0);
      expect(run.code, run.stdout.slice(-1500)).to.equal(0);
    });
  }

  it('docs/status.md lists exactly the cases skipped here', () => {
    const skipped = Object.entries(DIFFERS).flatMap(([topic, names]) => Object.keys(names).map((name) => `${topic}: ${name}`));
    expect(documentedDifferences().sort()).to.deep.equal(skipped.sort());
  });

  describe('differs from Linux (skipped; docs/status.md says why)', () => {
    for (const [topic, names] of Object.entries(DIFFERS)) {
      for (const [name, reason] of Object.entries(names)) it.skip(`${topic}: ${name} (${reason})`);
    }
  });
});
