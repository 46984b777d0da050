import { BUILTIN_PLUGINS, Kernel, applyPlugins, loadPlugin } from '@shadow-ts/core';
import { tmpdir } from 'node:os';
import { pino } from 'pino';
import { ROOT } from '../e2e/harness.js';

/** The syscall names the built-in plugins tap, read off a kernel they were applied to. */
export async function builtinTaps(): Promise<Set<string>> {
  const kernel = new Kernel(pino({ level: 'silent' }));
  const plugins = await Promise.all(BUILTIN_PLUGINS.map((spec) => loadPlugin(spec, ROOT, 'test')));
  applyPlugins(kernel, plugins, tmpdir());
  kernel.ready();
  return new Set(kernel.hooks.syscall.names());
}
