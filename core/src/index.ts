/** @shadow-ts/core: the simulator's kernel, scheduler, configuration and plugin loader. */
export { main } from './cli.js';
export { runSimulation } from './simulation.js';
export type { RunOptions, RunResult } from './simulation.js';
export { Kernel } from './kernel/kernel.js';
export { PluginError, ShadowError } from './kernel/errors.js';
export { REFUSED, SUPPORT, nativeAllowList } from './abi/support.js';
export type { Support, SupportLevel } from './abi/support.js';
export { BUILTIN_PLUGINS, applyPlugins, loadPlugin } from './loader/loader.js';
export { loadRc } from './loader/rc.js';
export type { PluginSpec, RcConfig } from './loader/rc.js';
