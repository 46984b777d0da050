import { expect } from 'chai';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { logLines, oneHost, PROGRAMS, runShadow, scratchDir, type ShadowRun } from './harness.js';

const BUSY = `    - { path: ${join(PROGRAMS, 'busy-poll')}, args: '1' }\n`;

function withThreshold(threshold: number | null): ShadowRun {
  const dir = scratchDir();
  if (threshold !== null) writeFileSync(join(dir, '.shadowrc'), `busy_loop_threshold: ${threshold}\n`);
  return runShadow(oneHost(BUSY, 'stop_time: 10 s'), [], dir);
}

describe('busy loops: an event loop that polls without time passing ends', function () {
  this.timeout(120_000);

  it('past busy_loop_threshold calls in a row each costs unblocked-call latency; warned once; the same in every run', () => {
    const runs = [withThreshold(1000), withThreshold(1000)];
    for (const run of runs) expect(run.code, run.stdout.slice(-2000)).to.equal(0);
    const out = runs[0]!.file('alpha', 'busy-poll.1000.stdout');
    expect(out).to.match(/^time moved on after \d+ polls\n$/);
    expect(runs[1]!.file('alpha', 'busy-poll.1000.stdout')).to.equal(out);
    const warned = logLines(runs[0]!, 'calls in a row without blocking');
    expect(warned).to.have.length(1);
    expect(warned[0]).to.contain("process 'alpha.busy-poll.1000' made 1000 calls in a row");
    // 1 ms of 1 µs calls, after the free ones: the loop ended a millisecond into the run.
    expect(logLines(runs[0]!, "process 'alpha.busy-poll.1000' ended")[0]).to.match(/ 00:00:00\.001\d{6} /);
    // A lower threshold makes the loop pay sooner: fewer polls.
    const sooner = withThreshold(100);
    expect(sooner.code).to.equal(0);
    const polls = (run: ShadowRun) => Number(/after (\d+) polls/.exec(run.file('alpha', 'busy-poll.1000.stdout'))![1]);
    expect(polls(sooner)).to.be.lessThan(polls(runs[0]!));
  });

  it('with the default settings (10,000 calls) the loop ends too', () => {
    const run = withThreshold(null);
    expect(run.code, run.stdout.slice(-2000)).to.equal(0);
    expect(run.file('alpha', 'busy-poll.1000.stdout')).to.match(/^time moved on after \d+ polls\n$/);
    expect(logLines(run, 'made 10000 calls in a row')).to.have.length(1);
  });

  it('model_unblocked_syscall_latency charges every call: no busy-loop warning', () => {
    const run = runShadow(oneHost(BUSY, 'stop_time: 10 s, model_unblocked_syscall_latency: true'));
    expect(run.code, run.stdout.slice(-2000)).to.equal(0);
    expect(logLines(run, 'calls in a row without blocking')).to.deep.equal([]);
  });

  it('a busy-polling receiver gets each datagram when it arrives: latency never carries the clock past a pending event', () => {
    // 100 datagrams of 128 bytes back to back on a 1 Gbit link arrive 1.024 µs apart. The
    // receiver polls with non-blocking recv; its latency must stop at its next event (the next
    // arrival), as Shadow's max_event_runahead_time does, not run on to the round's end (then
    // one datagram came through per 1 ms round: 99 ms).
    const dir = scratchDir();
    writeFileSync(join(dir, 'recv.py'), [
      'import socket, time',
      's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
      "s.bind(('0.0.0.0', 9000))",
      's.recv(2048)',
      'first = time.monotonic()',
      's.setblocking(False)',
      'n = 1',
      'while n < 100:',
      '    try:',
      '        s.recv(2048)',
      '        n += 1',
      '    except BlockingIOError:',
      '        pass',
      "print(f'100 datagrams in {(time.monotonic() - first) * 1e3:.3f} ms')",
    ].join('\n'));
    writeFileSync(join(dir, 'send.py'), [
      'import socket',
      's = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)',
      "for i in range(100): s.sendto(b'x' * 100, ('receiver', 9000))",
    ].join('\n'));
    const yaml = `general: { stop_time: 5 s }
network: { graph: { type: 1_gbit_switch } }
hosts:
  receiver: { network_node_id: 0, processes: [ { path: /usr/bin/python3, args: ['${dir}/recv.py'] } ] }
  sender: { network_node_id: 0, processes: [ { path: /usr/bin/python3, args: ['${dir}/send.py'], start_time: 1 s } ] }
`;
    const run = runShadow(yaml, [], dir);
    expect(run.code, run.stdout.slice(-2000)).to.equal(0);
    expect(logLines(run, "process 'receiver.python3.1000' made 10000 calls in a row")).to.have.length(1);
    const ms = Number(/^100 datagrams in (\d+\.\d{3}) ms\n$/.exec(run.file('receiver', 'python3.1000.stdout'))?.[1]);
    // 99 gaps of 1.024 µs, plus the polls' own microseconds.
    expect(ms).to.be.within(0.1, 0.2);
  });

  it('a bad busy_loop_threshold names its key', () => {
    const run = withThreshold(-1);
    expect(run.code).to.equal(1);
    expect(run.stderr).to.match(/\.shadowrc: busy_loop_threshold: expected a whole number \(0 turns it off\), got -1/);
  });
});
