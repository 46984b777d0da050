import { expect } from 'chai';
import { createKernelHooks, ok, type SyscallContext } from '@shadow-ts/plugin-sdk';

describe('plugin-sdk hooks', () => {
  it('rejects a syscall name that is not in the x86_64 table', () => {
    const hooks = createKernelHooks();
    expect(() => hooks.syscall.for('fstatat' as never)).to.throw('unknown syscall name "fstatat"');
    expect(() => hooks.syscall.for('newfstatat')).to.not.throw();
  });

  it('runs taps by stage and bails on the first result', () => {
    const hooks = createKernelHooks();
    const order: string[] = [];
    hooks.syscall.for('getpid').tap('built-in', () => (order.push('built-in'), ok(1)));
    hooks.syscall.for('getpid').tap({ name: 'passes', stage: -2 }, () => (order.push('passes'), undefined));
    hooks.syscall.for('getpid').tap({ name: 'override', stage: -1 }, () => (order.push('override'), ok(2)));
    const result = hooks.syscall.get('getpid')!.call({} as SyscallContext);
    expect(result).to.deep.equal({ kind: 'ok', value: 2n });
    expect(order).to.deep.equal(['passes', 'override']);
  });

  it('refuses new taps once frozen', () => {
    const hooks = createKernelHooks();
    hooks.syscall.for('getpid').tap('a', () => undefined);
    hooks.syscall.freeze();
    expect(() => hooks.syscall.for('getpid').tap('b', () => undefined)).to.throw(/frozen/);
    expect(() => hooks.syscall.for('gettid')).to.throw(/frozen/);
    expect(hooks.syscall.names()).to.deep.equal(['getpid']);
  });
});
