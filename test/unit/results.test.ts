import { expect } from 'chai';
import { Errno, POLL, POLL_WRITE, WaitQueue, block, errno, native, ok, rewrite, runCalls, waitFor } from '@shadow-ts/plugin-sdk';
import { checkCallStep, checkResult } from '../../core/src/kernel/results.js';

describe('results a syscall tap returns, checked at run time', () => {
  it('accepts what the SDK builds, and undefined (pass on)', () => {
    const queue = new WaitQueue();
    for (const result of [
      undefined,
      ok(),
      ok(5n),
      errno(Errno.EAGAIN),
      errno(Errno.EINTR, { restartable: true }),
      block(waitFor.trigger(queue)),
      block(waitFor.deadline(10n)),
      block(waitFor.trigger(queue, 10n), { nativeOnSignals: 1n, onInterrupt: () => {} }),
      block({}), // a signal only (pause, sigsuspend)
      native(),
      native((v) => v),
      rewrite(8, [3n, 0n, 1n]),
      runCalls(() => 0n),
    ]) {
      expect(() => checkResult(result), JSON.stringify(result, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}` : v))).to.not.throw();
    }
  });

  it('refuses anything else, saying what it got and what a tap returns', () => {
    const cases: [unknown, RegExp][] = [
      [7, /^returned 7: not a result object; a tap returns ok\(\), errno\(\)/],
      [{ kind: 'ok', value: 5 }, /returned \{"kind":"ok","value":5\}: ok needs a bigint value/],
      [{ kind: 'errno', errno: 0, restartable: false }, /errno needs an errno from 1 to 4095/],
      [{ kind: 'errno', errno: 5000, restartable: false }, /errno needs an errno/],
      [{ kind: 'block', on: { trigger: 3 }, restartable: true }, /block needs a wait condition/],
      [{ kind: 'block', on: { deadline: 3 }, restartable: true }, /block needs a wait condition/],
      [{ kind: 'rewrite', nr: 8, args: [1, 2] }, /rewrite needs a syscall number and at most 6 bigint arguments/],
      [{ kind: 'rewrite', nr: 8, args: [1n, 2n, 3n, 4n, 5n, 6n, 7n] }, /at most 6/],
      [{ kind: 'native', mapResult: 3 }, /native takes a mapResult function or none/],
      [{ kind: 'clone' }, /clone needs a request/],
      [{ kind: 'calls', next: 3 }, /calls needs a step function/],
      [{ kind: 'done' }, /unknown kind "done"/],
      [null, /returned null: not a result object/],
      [10n, /returned 10n: not a result object/],
    ];
    for (const [value, message] of cases) expect(() => checkResult(value)).to.throw(message);
  });

  it('checks what each runCalls step answers: the next call, or the value the program gets', () => {
    for (const step of [0n, -9n, { nr: 290, args: [0n, 0n] }, { nr: 3, args: [] }]) expect(() => checkCallStep(step)).to.not.throw();
    const cases: [unknown, RegExp][] = [
      [5, /^a runCalls step returned 5: not a call or a bigint/],
      [undefined, /not a call or a bigint/],
      [{ nr: 290, args: [0] }, /a call needs a syscall number and at most 6 bigint arguments/],
      [{ nr: 5000, args: [] }, /a call needs a syscall number/],
    ];
    for (const [value, message] of cases) expect(() => checkCallStep(value)).to.throw(message);
  });
});

describe('WaitQueue.on: a trigger for some poll events', () => {
  it('wakes for a key with one of its events and for an unkeyed wake-up, not for other keys or 0', () => {
    const queue = new WaitQueue();
    let woken = 0;
    const stop = queue.on(POLL_WRITE).subscribe(() => woken++);
    queue.notify(POLL.IN);
    queue.notify(0);
    expect(woken).to.equal(0);
    queue.notify(POLL.OUT | POLL.IN);
    queue.notify(POLL.HUP);
    queue.notify();
    expect(woken).to.equal(3);
    stop();
    queue.notify();
    expect([woken, queue.size]).to.deep.equal([3, 0]);
  });
});
