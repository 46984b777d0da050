import { expect } from 'chai';
import { SYSCALL_NUMBERS } from '@shadow-ts/plugin-sdk';
import { REFUSED, SUPPORT, nativeAllowList } from '@shadow-ts/core';
import { builtinTaps } from './builtins.js';

/** The syscall table is reviewed data; this walks it against what the built-in plugins tap. */
describe('syscall support table', () => {
  let tapped: Set<string>;

  before(async () => {
    tapped = await builtinTaps();
  });

  it('names only real x86_64 syscalls', () => {
    for (const name of Object.keys(SUPPORT)) expect(SYSCALL_NUMBERS, name).to.have.property(name);
  });

  it('lists every name a built-in plugin handles as emulated or partial', () => {
    for (const name of tapped) {
      expect(SUPPORT[name as keyof typeof SUPPORT]?.level, name).to.be.oneOf(['emulated', 'partial']);
    }
  });

  it('has a built-in handler for every emulated or partial name', () => {
    for (const [name, support] of Object.entries(SUPPORT)) {
      if (support.level !== 'native') expect(tapped.has(name), name).to.equal(true);
    }
  });

  it('says why for every partially supported name', () => {
    for (const [name, support] of Object.entries(SUPPORT)) {
      if (support.level === 'partial') expect(support.note, name).to.be.a('string').and.not.empty;
    }
  });

  it('keeps every refused name out of the table and untapped, with a reason', () => {
    for (const [name, reason] of Object.entries(REFUSED)) {
      expect(SYSCALL_NUMBERS, name).to.have.property(name);
      expect(SUPPORT, name).to.not.have.property(name);
      expect(tapped.has(name), name).to.equal(false);
      expect(reason, name).to.be.a('string').and.not.empty;
    }
  });

  it('lets no call that names another process run natively', () => {
    for (const name of ['prlimit64', 'sched_setaffinity', 'process_vm_readv', 'setpriority', 'capget', 'rt_sigqueueinfo']) {
      expect(SUPPORT[name as keyof typeof SUPPORT]?.level, name).to.not.equal('native');
    }
  });

  it('lets the calls only a file system strategy needs run natively on hosts that leave them untapped', () => {
    for (const name of ['unlink', 'rename', 'mkdir', 'chmod', 'setxattr'] as const) {
      expect(SUPPORT[name]?.perHost, name).to.equal(true);
      expect(tapped.has(name), name).to.equal(true);
      expect(nativeAllowList(new Set()), name).to.include(SYSCALL_NUMBERS[name]);
      expect(nativeAllowList(tapped), name).to.not.include(SYSCALL_NUMBERS[name]);
    }
  });

  it('lets a plugin take a native name off the allow-list', () => {
    const all = nativeAllowList(new Set());
    expect(all).to.include(SYSCALL_NUMBERS.fsync);
    expect(nativeAllowList(new Set(['fsync']))).to.not.include(SYSCALL_NUMBERS.fsync);
    expect(all).to.not.include(SYSCALL_NUMBERS.getpid);
    expect(all).to.not.include(SYSCALL_NUMBERS.socket);
  });
});
