import { createRequire } from 'node:module';
import type { KernelHooks } from './hooks.js';
import type { PluginLogger } from './context.js';
import type { CongestionAlgorithm, FsStrategy, StrategyRegistry, VforkStrategy } from './policy.js';

/**
 * The plugin API version: this package's version. Plugins declare the range they were written
 * for in `meta.apiVersion`; the loader refuses a plugin whose range does not include it.
 */
export const API_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;

/** Who a plugin is and which plugin API it was written against. */
export interface PluginMeta {
  /** Unique name; built-ins use `core:<family>`, third parties their npm name. */
  readonly name: string;
  readonly version: string;
  /** A semver range of plugin API versions, e.g. "^2.0.0". */
  readonly apiVersion: string;
  /**
   * A JSON Schema (draft-07) of the plugin's options (since 2.2). The loader checks the options
   * `.shadowrc` gives the plugin (`plugins: [[name, {options}]]`), and those over them for each
   * host (`hosts.<name>.plugins.<plugin>`), before `apply` runs; a mistake stops the run with one
   * line naming the key: `.shadowrc: plugins[0][1].greting: unknown key (did you mean
   * "greeting"?); expected one of greeting`. Besides the standard keywords it may use shadow-ts's
   * `x-unit` (`"time"`, `"bandwidth"`, `"bytes"` or `"signal"`: a value in Shadow's unit syntax)
   * and `x-messages` (`{ "<keyword>": "message", "*": "…" }`, `{got}` for the value found).
   * Defaults in the schema are not filled in: `apply` and `optionsFor` get the options as given.
   */
  readonly optionsSchema?: Readonly<Record<string, unknown>>;
}

/** What a plugin gets in `apply`: the hooks to tap, the policy registries, and a logger. */
export interface PluginKernel {
  readonly hooks: KernelHooks;
  /**
   * vfork strategies: built-ins are `as-fork` (default), `native` and `reject`; register your own
   * factory. Taps reach the instance of the caller's host with `vfork.instance(ctx.host.name)`.
   */
  readonly vfork: StrategyRegistry<VforkStrategy>;
  /** TCP congestion control algorithms: built-ins are `cubic` (default) and `reno`; register your own factory. */
  readonly congestion: StrategyRegistry<CongestionAlgorithm>;
  /**
   * File system strategies: built-ins are `shared` (default: the real file system, as it is) and
   * `overlay` (the real one read-only under a per-host upper layer); register your own factory.
   * The fs family asks `fs.instance(ctx.host.name)` about every path-taking call.
   */
  readonly fs: StrategyRegistry<FsStrategy>;
  readonly log: PluginLogger;
  /**
   * The run's data directory (absolute): it exists from `apply` on, with the template copied in;
   * each host's directory (`host.dataDir`) exists from the `start` hook on.
   */
  readonly dataDirectory: string;
  /**
   * Offers `api` to the plugins applied after this one, under this plugin's name (rollup's
   * `Plugin.api`): hooks others tap, functions they call. One api per plugin, per simulation.
   */
  provide(api: object): void;
  /**
   * This plugin's options on host `host`: those `apply` got, with the host's own from `.shadowrc`
   * (`hosts.<name>.plugins.<plugin>`) over them. Check them as `apply` checks its options.
   */
  optionsFor(host: string): Readonly<Record<string, unknown>>;
  /** The api plugin `name` provided (it was applied before this one), or undefined. */
  api<T extends object>(name: string): T | undefined;
}

/**
 * A syscall plugin. `apply` taps hooks and registers strategies; it runs once per simulation,
 * before it starts. What a plugin remembers between calls belongs to the state `apply` creates
 * (closed over by its taps), never to module scope: one Node process may run several simulations.
 */
export interface Plugin<Options = Record<string, unknown>> {
  readonly meta: PluginMeta;
  apply(kernel: PluginKernel, options: Options): void;
}

/** Declares a plugin (an identity function that gives the object its type). */
export function definePlugin<Options = Record<string, unknown>>(plugin: Plugin<Options>): Plugin<Options> {
  return plugin;
}
