import { expect } from 'chai';
import { SYSCALL_NUMBERS } from '@shadow-ts/plugin-sdk';
import { BUILTIN_PLUGINS, Kernel, SUPPORT, applyPlugins, loadPlugin, nativeAllowList } from '@shadow-ts/core';
import { pino } from 'pino';
import { ROOT } from '../e2e/harness.js';

/** The syscall table is reviewed data; this walks it against what the built-in plugins tap. */
describe('syscall support table', () => {
  let tapped: Set<string>;

  before(async () => {
    const kernel = new Kernel(pino({ level: 'silent' }));
    const plugins = await Promise.all(BUILTIN_PLUGINS.map((spec) => loadPlugin(spec, ROOT, 'test')));
    applyPlugins(kernel, plugins);
    kernel.ready();
    tapped = new Set(kernel.hooks.syscall.names());
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

  it('lets a plugin take a native name off the allow-list', () => {
    const all = nativeAllowList(new Set());
    expect(all).to.include(SYSCALL_NUMBERS.fsync);
    expect(nativeAllowList(new Set(['fsync']))).to.not.include(SYSCALL_NUMBERS.fsync);
    expect(all).to.not.include(SYSCALL_NUMBERS.getpid);
    expect(all).to.not.include(SYSCALL_NUMBERS.socket);
  });
});
