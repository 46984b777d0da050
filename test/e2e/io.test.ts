import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { PROGRAMS, ROOT, logLines, runShadow, snapshot, type ShadowRun } from './harness.js';
import { compareWithNative } from './native-compare.js';

const PYTHON = '/usr/bin/python3';

/**
 * A python asyncio program: loop.call_later, asyncio.sleep, an os.pipe watched with
 * loop.add_reader and asyncio.wait_for. It prints loop.time() offsets, exact under the simulator.
 */
const ASYNCIO = `import asyncio, os, time

async def main():
    loop = asyncio.get_running_loop()
    start, wall = loop.time(), time.time()
    def say(what):
        print(f'{loop.time() - start:.3f} {what}', flush=True)
    r, w = os.pipe()
    os.set_blocking(r, False)
    done = loop.create_future()
    got = []
    def readable():
        data = os.read(r, 100)
        if data:
            got.append(data.decode())
            say('read ' + data.decode())
        else:
            loop.remove_reader(r)
            done.set_result(''.join(got))
    loop.add_reader(r, readable)
    def first():
        say('call_later 0.5')
        os.write(w, b'ping')
    def second():
        say('call_later 1.5')
        os.write(w, b'pong')
        os.close(w)
    loop.call_later(0.5, first)
    loop.call_later(1.5, second)
    say('start')
    await asyncio.sleep(1)
    say('slept 1')
    say('done ' + await done)
    try:
        await asyncio.wait_for(asyncio.sleep(10), 0.25)
    except asyncio.TimeoutError:
        say('wait_for timed out')
    print(f'time.time {time.time() - wall:.3f}')

asyncio.run(main())
`;

const ASYNCIO_OUTPUT = `0.000 start
0.500 call_later 0.5
0.500 read ping
1.000 slept 1
1.500 call_later 1.5
1.500 read pong
1.500 done pingpong
1.750 wait_for timed out
time.time 1.750
`;

/** A YAML process item (indented for a host's `processes:` list). */
function proc(path: string, args: string[] = [], extra = ''): string {
  return `    - path: ${path}\n      args: ${JSON.stringify(args)}\n${extra}`;
}

/** Warning lines of a run that contain every one of `words`. */
function warnings(run: ShadowRun, ...words: string[]): string[] {
  return logLines(run, '[WARN]').filter((l) => words.every((w) => l.includes(w)));
}

/** Compiles the C test programs (build.sh skips those that are up to date). */
function buildPrograms(this: Mocha.Context) {
  this.timeout(120_000);
  execFileSync('bash', [join(ROOT, 'test/programs/build.sh')]);
}

/** Compares `program` natively and simulated; both must exit 0 with the same output. */
function same(program: string, args: string[] = []) {
  const result = compareWithNative(program, args);
  const { native, simulated, run } = result;
  expect(native.code, `native run of ${program}: ${native.stdout}`).to.equal(0);
  expect(native.stdout).to.not.equal('');
  expect(simulated.stdout, run.stdout.slice(-3000)).to.equal(native.stdout);
  expect(simulated.code, run.stdout.slice(-3000)).to.equal(0);
  // A simulator that ended by a signal says so on stderr (runShadow), which the log does not.
  expect(run.code, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-2000)}`).to.equal(0);
  return result;
}

/** The simulated instant the log gives for the end of process 1000 of host alpha. */
function endTime(run: ShadowRun, exe: string): string | undefined {
  return logLines(run, `process 'alpha.${exe}.1000' ended`)[0]?.match(/ (\d\d:\d\d:\d\d\.\d{9}) /)?.[1];
}

describe('io: C programs print the same natively and under the simulator', () => {
  before(buildPrograms);

  it('io-pipe: pipe/pipe2, readv/writev, FIONREAD, fcntl, dup*, capacity, EAGAIN, EOF, EPIPE', () => {
    same('io-pipe');
  });

  it('io-eventfd: counter and semaphore modes, EAGAIN, overflow, EINVAL, poll readiness', () => {
    same('io-eventfd');
  });

  it('io-sendfile: a file into a socket by position and by offset, in chunks; copy_file_range; EINVAL, EFAULT, EBADF as Linux', () => {
    same('io-sendfile');
  });

  it('io-async: O_ASYNC (FIOASYNC, F_SETFL), F_SETOWN/F_SETOWN_EX, F_SETSIG: the owner gets its signal when data arrives', () => {
    same('io-async');
  });

  it('io-timerfd: periodic/absolute/one-shot timers, gettime, disarm; ends at exactly 1.0 s simulated', () => {
    const { run } = same('io-timerfd');
    expect(endTime(run, 'io-timerfd')).to.equal('00:00:01.000000000');
  });

  it('io-epoll: level/edge/one-shot, HUP/ERR, timeouts, pwait/pwait2, nesting, epoll_ctl errors', () => {
    const { run } = same('io-epoll');
    expect(endTime(run, 'io-epoll')).to.equal('00:00:00.700000000');
  });

  it('io-poll: poll/ppoll revents, POLLNVAL, timeouts, errors', () => {
    const { run } = same('io-poll');
    expect(endTime(run, 'io-poll')).to.equal('00:00:00.800000000');
  });

  it('io-select: select/pselect sets, timeval left, timeouts, EBADF/EINVAL', () => {
    const { run } = same('io-select');
    expect(endTime(run, 'io-select')).to.equal('00:00:00.700000000');
  });

  it('moves 1 MiB through a pipe with O_NONBLOCK and poll: same bytes, same total', () => {
    const { native } = same('io-pipe-1mib');
    const hash = native.stdout.match(/^sent 1048576 fnv ([0-9a-f]{16})\n/)?.[1];
    expect(hash, native.stdout).to.be.a('string');
    expect(native.stdout).to.equal(`sent 1048576 fnv ${hash}\nreceived 1048576 fnv ${hash}\nread at the end: 0\n`);
  });
});

describe('io: interrupted and timed-out transfers return the count moved', () => {
  before(buildPrograms);

  it('io-interrupted: SIGALRM (with and without SA_RESTART) and SO_SNDTIMEO/SO_RCVTIMEO end pipe, unix and TCP transfers with the count', () => {
    const { native } = same('io-interrupted');
    // The program's own shape, so that a native change of behaviour cannot pass unnoticed.
    const lines = native.stdout.trimEnd().split('\n');
    expect(lines).to.have.length(14);
    for (const kind of ['pipe', 'unix', 'tcp']) {
      for (const restart of ['no SA_RESTART', 'SA_RESTART']) {
        expect(lines).to.include(`${kind} write, ${restart} -> partial, handler ran 1, peer got exactly that`);
      }
    }
    for (const kind of ['unix', 'tcp']) {
      for (const by of ['SIGALRM', 'SIGALRM with SA_RESTART', 'SO_RCVTIMEO']) {
        expect(lines).to.include(`${kind} recv MSG_WAITALL, ${by} -> 1000, data intact`);
      }
      expect(lines).to.include(`${kind} send, SO_SNDTIMEO -> partial, then -> -1 EAGAIN, peer got exactly that`);
    }
  });
});

describe('io: bad input', () => {
  before(buildPrograms);

  it('EBADF, EFAULT, EINVAL as Linux gives them; the simulator survives bad pointers', () => {
    const { native, run } = same('io-badinput');
    expect(native.stdout).to.match(/still running\n$/);
    expect(run.stderr).to.equal('');
    expect(logLines(run, '[ERROR]')).to.deep.equal([]);
  });

  it('counts of 2^32 and more, and pointers where address + length wraps, answer as Linux (MAX_RW_COUNT, access_ok)', () => {
    const { native, run } = same('io-hostile');
    expect(native.stdout).to.contain('write 2^32 to a non-blocking pipe -> 65536\n');
    expect(native.stdout).to.contain('rt_sigaction with act near 2^64 -> -1 EFAULT\n');
    expect(native.stdout).to.match(/still running\n$/);
    expect(logLines(run, '[ERROR]')).to.deep.equal([]);
  });

  it('warns exactly once per run for each partly supported flag used twice', () => {
    const { run } = same('io-flags', ['accepted']);
    for (const words of [
      ['pipe2', 'O_DIRECT'],
      ['epoll_ctl', 'EPOLLEXCLUSIVE'],
      ['epoll_pwait', 'mask'],
      ['ppoll', 'mask'],
      ['pselect6', 'mask'],
      ['timerfd_create', '99'],
      ['timerfd_settime', 'CANCEL_ON_SET'],
      ['pwritev2', 'RWF_'],
      ['preadv2', 'RWF_'],
    ]) {
      expect(warnings(run, ...words), `warnings about ${words.join(' ')}:\n${logLines(run, '[WARN]').join('\n')}`).to.have.length(1);
    }
  });

  it('refuses record locks on virtual files with EINVAL (Linux grants them) and warns once per kind', () => {
    const { native, simulated, run } = compareWithNative('io-flags', ['locks']);
    const round = (r: number, result: string) =>
      `-- round ${r}\nF_SETLK on a pipe: ${result}\nF_SETLK on an eventfd: ${result}\n`;
    expect(native.stdout).to.equal(round(1, '0') + round(2, '0'));
    expect(simulated.stdout).to.equal(round(1, '-1 EINVAL(22)') + round(2, '-1 EINVAL(22)'));
    expect(warnings(run, 'fcntl', 'pipe')).to.have.length(1);
    expect(warnings(run, 'fcntl', 'eventfd')).to.have.length(1);
  });
});

describe('io: python asyncio under the simulator', () => {
  it('call_later, asyncio.sleep, add_reader on an os.pipe and wait_for run at exact simulated times', () => {
    const run = runShadow(`general: { stop_time: 1 min }
network:
  graph: { type: 1_gbit_switch }
hosts:
  alpha:
    network_node_id: 0
    processes:
${proc(PYTHON, ['-c', ASYNCIO])}`);
    expect(run.code, run.stdout.slice(-3000)).to.equal(0);
    expect(run.file('alpha', 'python3.1000.stdout')).to.equal(ASYNCIO_OUTPUT);
    expect(logLines(run, "process 'alpha.python3.1000' ended")[0]).to.contain(' 00:00:01.750000000 ');
  });
});

describe('io: what a host sees of itself through files', () => {
  before(buildPrograms);

  const hostsYaml = (seed: number) => `general: { stop_time: 10s, seed: ${seed} }
network:
  graph: { type: 1_gbit_switch }
hosts:
  zulu:
    network_node_id: 0
    ip_addr: 192.168.7.7
    processes:
${proc(`${PROGRAMS}/io-fs`)}  alpha:
    network_node_id: 0
    processes:
${proc(`${PROGRAMS}/io-fs`)}  mike:
    network_node_id: 0
    processes:
${proc(`${PROGRAMS}/io-fs`)}`;
  const HOSTS = ['alpha', 'mike', 'zulu'];

  /** io-fs output of each host, as sections: random lines, /etc/hosts, /etc/hostname, cwd, zone. */
  function parse(out: string) {
    const random = out.match(/^\/dev\/u?random: .*$/gm) ?? [];
    const section = (path: string) => out.match(new RegExp(`== ${path}\\n([\\s\\S]*?)== end\\n`))?.[1];
    return {
      random,
      hosts: section('/etc/hosts'),
      hostname: section('/etc/hostname'),
      cwd: out.match(/^cwd: (.*)$/m)?.[1],
      zone: out.match(/^time zone: (.*)$/m)?.[1],
    };
  }

  function outputs(seed: number) {
    const run = runShadow(hostsYaml(seed));
    expect(run.code, run.stdout.slice(-3000)).to.equal(0);
    return { run, out: Object.fromEntries(HOSTS.map((h) => [h, parse(run.file(h, 'io-fs.1000.stdout'))])) };
  }

  it('/etc/hosts lists localhost and every host by address; /etc/hostname and cwd are the host; zone UTC', () => {
    const { out } = outputs(1);
    for (const h of HOSTS) {
      const o = out[h]!;
      expect(o.hosts, h).to.equal('127.0.0.1 localhost\n11.0.0.1 alpha\n11.0.0.2 mike\n192.168.7.7 zulu\n');
      expect(o.hostname, h).to.equal(`${h}\n`);
      expect(o.cwd, h).to.satisfy((cwd: string) => cwd.endsWith(`/shadow.data/hosts/${h}`));
      expect(o.zone, h).to.equal('UTC +0000');
    }
  });

  it('/dev/urandom and /dev/random: same seed gives the same bytes; another seed or host gives others', () => {
    const a = outputs(7).out;
    const b = outputs(7).out;
    const c = outputs(8).out;
    for (const h of HOSTS) {
      const r = a[h]!.random;
      expect(r, h).to.have.length(3);
      for (const line of r) expect(line).to.match(/^\/dev\/u?random: 16 [0-9a-f]{32}$/);
      expect(r[0]!.split(' ')[2]).to.not.equal(r[1]!.split(' ')[2]); // two reads give different bytes
      expect(b[h]!.random, h).to.deep.equal(r);
      expect(c[h]!.random[0], h).to.not.equal(r[0]);
    }
    expect(a.alpha!.random[0]).to.not.equal(a.mike!.random[0]);
  });
});

describe('io: determinism', () => {
  before(buildPrograms);

  it('two runs of one simulation of all the io programs give byte-identical data directories', function () {
    this.timeout(240_000);
    const yaml = `general: { stop_time: 1 min, seed: 5 }
network:
  graph: { type: 1_gbit_switch }
hosts:
  alpha:
    network_node_id: 0
    processes:
${['io-pipe', 'io-eventfd', 'io-timerfd', 'io-epoll', 'io-poll', 'io-select', 'io-badinput', 'io-pipe-1mib', 'io-fs', 'io-interrupted']
  .map((p) => proc(`${PROGRAMS}/${p}`))
  .join('')}${proc(`${PROGRAMS}/io-flags`, ['accepted'])}${proc(PYTHON, ['-c', ASYNCIO])}  beta:
    network_node_id: 0
    processes:
${proc(`${PROGRAMS}/io-fs`)}${proc(`${PROGRAMS}/io-timerfd`, [], '      start_time: 3s\n')}`;
    // Both runs use the same directory: io-fs prints its working directory, which contains it.
    const a = runShadow(yaml);
    expect(a.code, a.stdout.slice(-3000)).to.equal(0);
    const snapA = snapshot(a.dataDir);
    rmSync(a.dataDir, { recursive: true });
    const b = runShadow(yaml, [], a.dir);
    expect([...snapA.keys()].filter((k) => k.endsWith('.stdout'))).to.have.length(14);
    const snapB = snapshot(b.dataDir);
    const differ = [...new Set([...snapA.keys(), ...snapB.keys()])].filter((k) => snapA.get(k) !== snapB.get(k));
    expect(differ, 'files that differ between the two runs').to.deep.equal([]);
  });
});
