import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { API_VERSION, type Plugin } from '@shadow-ts/plugin-sdk';
import * as fsFamily from '@shadow-ts/plugin-fs';
import * as ioFamily from '@shadow-ts/plugin-io';
import * as netFamily from '@shadow-ts/plugin-net';
import * as processFamily from '@shadow-ts/plugin-process';
import * as randomFamily from '@shadow-ts/plugin-random';
import * as timeFamily from '@shadow-ts/plugin-time';
import { formatKeyPath } from '../config/errors.js';
import { compilePluginSchema, firstIssue, RC_STYLE } from '../config/schema.js';
import { PluginError, ShadowError } from '../kernel/errors.js';
import type { Kernel } from '../kernel/kernel.js';
import type { PluginSpec } from './rc.js';

/**
 * The built-in syscall families' modules, imported with the core rather than resolved by name:
 * every run needs them, and bundled with the core (scripts/bundle.mjs) they cost no module
 * resolution or file reads at start-up.
 */
const BUILTIN_MODULES: ReadonlyMap<string, { default?: unknown }> = new Map<string, { default?: unknown }>([
  ['@shadow-ts/plugin-time', timeFamily],
  ['@shadow-ts/plugin-process', processFamily],
  ['@shadow-ts/plugin-random', randomFamily],
  ['@shadow-ts/plugin-io', ioFamily],
  ['@shadow-ts/plugin-fs', fsFamily],
  ['@shadow-ts/plugin-net', netFamily],
]);

/** The built-in syscall families, applied before any third-party plugin. */
export const BUILTIN_PLUGINS: readonly PluginSpec[] = [...BUILTIN_MODULES.keys()].map((name) => ({ name, options: {} }));

/**
 * The built-in observers a run's settings switch on, applied after the families: strace logs
 * (`experimental.strace_logging_mode`) and the TCP log (`.shadowrc` `tcp_log`).
 */
export function builtinObservers(straceMode: string, tcpLog = false): PluginSpec[] {
  return [
    ...(straceMode === 'off' ? [] : [{ name: '@shadow-ts/plugin-strace', options: { mode: straceMode } }]),
    ...(tcpLog ? [{ name: '@shadow-ts/plugin-tcp-log', options: {} }] : []),
  ];
}

/** A plugin module, loaded and checked, with the options it will be applied with. */
export interface LoadedPlugin {
  readonly plugin: Plugin;
  /** The name it was listed under (`plugins:` in `.shadowrc`), which per-host options may use too. */
  readonly listedAs: string;
  readonly options: Readonly<Record<string, unknown>>;
  /** Options for single hosts, by host name, over `options` (`hosts.<name>.plugins`). */
  readonly hostOptions: Map<string, Readonly<Record<string, unknown>>>;
}

function isPlugin(value: unknown): value is Plugin {
  const p = value as Plugin | undefined;
  return (
    typeof p?.apply === 'function' &&
    typeof p.meta?.name === 'string' &&
    typeof p.meta.version === 'string' &&
    typeof p.meta.apiVersion === 'string'
  );
}

/** `path:line` from a `file:///path:line` or `/path:line` line, as V8 heads a SyntaxError's report. */
function sourceLine(line: string | undefined): string | null {
  const m = /^(file:\/\/\S+|\/.*):(\d+)$/.exec(line ?? '');
  if (!m) return null;
  return `${m[1]!.startsWith('file:') ? fileURLToPath(m[1]!) : m[1]!}:${m[2]!}`;
}

/**
 * Where a SyntaxError from importing `path` is. V8 heads the stack with `file:line` for CommonJS,
 * and a run-time SyntaxError (JSON.parse, eval) has the plugin's frame; for an ES module that does
 * not parse, Node keeps the place to itself, so `node --check` (which runs nothing) is asked.
 */
function syntaxErrorAt(error: SyntaxError, path: string): string {
  const stack = error.stack?.split('\n') ?? [];
  const frame = stack.map((l) => /^\s+at (?:.*\()?(file:[^)]+|\/[^)]+):\d+\)?$/.exec(l)?.[1]).find((f) => f !== undefined);
  const found = sourceLine(stack[0]) ?? (frame === undefined ? null : sourceLine(frame));
  if (found !== null) return `at ${found}`;
  const check = spawnSync(process.execPath, ['--input-type=module', '--check'], {
    input: readFileSync(path),
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (check.status === 0) return `in a module that ${path} imports`;
  const line = /^\[stdin\]:(\d+)$/m.exec(check.stderr ?? '')?.[1];
  return line === undefined ? `in ${path}` : `at ${path}:${line}`;
}

/** Imports a plugin module; any failure, a syntax error above all, is one line naming the plugin. */
async function importPlugin(spec: PluginSpec, path: string, listedIn: string): Promise<{ default?: unknown }> {
  try {
    return (await import(pathToFileURL(path).href)) as { default?: unknown };
  } catch (error) {
    const where = error instanceof SyntaxError ? `syntax error ${syntaxErrorAt(error, path)}` : `failed to load ${path}`;
    throw new ShadowError(
      'PLUGIN_LOAD_FAILED',
      `plugin "${spec.name}" (listed in ${listedIn}): ${where}: ${(error instanceof Error ? error.message : String(error)).split("\n")[0]}`,
      { plugin: spec.name, path },
    );
  }
}

/** The prefix of plugin package names; `.shadowrc` may leave it out, as ESLint's configs do. */
const PREFIX = 'shadow-plugin-';

/**
 * The package names `name` may stand for: itself, then its long form (`uname` →
 * `shadow-plugin-uname`, `@scope/uname` → `@scope/shadow-plugin-uname`, `@scope` →
 * `@scope/shadow-plugin`). A path stands for itself only.
 */
export function pluginNames(name: string): string[] {
  if (name.startsWith('.') || name.startsWith('/')) return [name];
  if (name.startsWith('@')) {
    const [scope, rest] = name.split('/', 2) as [string, string | undefined];
    if (rest === undefined) return [name, `${scope}/${PREFIX.slice(0, -1)}`];
    return rest.startsWith(PREFIX) ? [name] : [name, `${scope}/${PREFIX}${rest}`];
  }
  return name.startsWith(PREFIX) ? [name] : [name, `${PREFIX}${name}`];
}

/**
 * The file `name` resolves to from `fromDir`, as Node resolves it: by `require` (CommonJS
 * packages, and ES modules with a `require` or default export), else by `import` (packages whose
 * exports offer only an `import` condition); null when neither finds it.
 */
async function resolvePlugin(name: string, fromDir: string): Promise<string | null> {
  const from = join(fromDir, 'noop.js');
  try {
    return createRequire(from).resolve(name);
  } catch {
    // not for require: perhaps for import
  }
  try {
    // Loaded only here: a start-up cost (with node:assert and node:v8) that most runs never need.
    const { resolve: resolveModule } = await import('import-meta-resolve');
    const url = resolveModule(name, pathToFileURL(from).href);
    return url.startsWith('file:') ? fileURLToPath(url) : null;
  } catch {
    return null;
  }
}

/**
 * Resolves `spec.name` (or its long form) the way Node resolves a package or a relative path
 * from `fromDir`, imports it, and checks its shape and its plugin API range.
 */
export async function loadPlugin(spec: PluginSpec, fromDir: string, listedIn: string): Promise<LoadedPlugin> {
  const builtin = BUILTIN_MODULES.get(spec.name);
  const names = pluginNames(spec.name);
  let path: string | null = builtin === undefined ? null : 'built in';
  for (const name of names) path ??= await resolvePlugin(name, fromDir);
  if (path === null) {
    throw new ShadowError(
      'PLUGIN_NOT_FOUND',
      `plugin "${spec.name}" (listed in ${listedIn}) was not found from ${fromDir}` +
        `${names.length > 1 ? ` (as ${names.map((n) => `"${n}"`).join(' or ')})` : ''}; install it (npm install ${names.at(-1)}) or fix its name`,
      { plugin: spec.name },
    );
  }
  const module = builtin ?? (await importPlugin(spec, path, listedIn));
  const plugin = module.default;
  if (!isPlugin(plugin)) {
    throw new ShadowError(
      'PLUGIN_INVALID',
      `"${spec.name}" (${path}) is not a shadow-ts plugin: its default export must come from definePlugin({ meta: { name, version, apiVersion }, apply })`,
      { plugin: spec.name },
    );
  }
  const range = plugin.meta.apiVersion;
  if (builtin === undefined && !(await supportsApi(range))) {
    throw new ShadowError(
      'PLUGIN_API_UNSUPPORTED',
      `plugin "${plugin.meta.name}" ${plugin.meta.version} requires plugin API "${range}", but was loaded with ` +
        `"${API_VERSION}"; use a version of the plugin written for plugin API ${API_VERSION}, or a shadow-ts whose plugin API satisfies "${range}"`,
      { plugin: plugin.meta.name, range, version: API_VERSION },
    );
  }
  return { plugin, listedAs: spec.name, options: spec.options, hostOptions: new Map() };
}

/**
 * Whether plugin API `range` admits this SDK's version. The built-in families are built against
 * this very SDK, so only other plugins are asked: semver's modules, and the regular expressions
 * they build as they load, are a start-up cost no other part of a run needs.
 */
async function supportsApi(range: string): Promise<boolean> {
  const [{ default: validRange }, { default: satisfies }] = await Promise.all([import('semver/ranges/valid.js'), import('semver/functions/satisfies.js')]);
  return validRange(range) !== null && satisfies(API_VERSION, range);
}

/**
 * Checks `options` against the plugin's `meta.optionsSchema`, if it has one; a mistake is one
 * line, `<where>.<key>: <what is wrong>` (`where`: the file and the key the options are under).
 */
export function checkPluginOptions(plugin: Plugin, options: Readonly<Record<string, unknown>>, where: string): void {
  const schema = plugin.meta.optionsSchema;
  if (schema === undefined) return;
  let validate;
  try {
    validate = compilePluginSchema(schema);
  } catch (error) {
    throw new ShadowError(
      'PLUGIN_INVALID',
      `plugin "${plugin.meta.name}" ${plugin.meta.version}: its meta.optionsSchema is not a JSON Schema: ${(error as Error).message}`,
      { plugin: plugin.meta.name },
    );
  }
  const issue = firstIssue(validate, options, RC_STYLE);
  if (issue === null) return;
  const key = formatKeyPath(issue.path);
  throw new ShadowError('RC_INVALID', `${where}${key === '' ? '' : key.startsWith('[') ? key : `.${key}`}: ${issue.detail}`, { plugin: plugin.meta.name });
}

/** Applies plugins in order; a throw inside `apply` is reported as the plugin's error. */
export function applyPlugins(kernel: Kernel, plugins: readonly LoadedPlugin[], dataDirectory: string): void {
  for (const { plugin, options, hostOptions } of plugins) {
    try {
      plugin.apply(
        {
          hooks: kernel.hooks,
          vfork: kernel.vfork,
          congestion: kernel.congestion,
          fs: kernel.fs,
          log: kernel.pluginLogger(plugin.meta.name),
          dataDirectory,
          provide: (api) => kernel.provide(plugin.meta.name, api),
          optionsFor: (host) => ({ ...options, ...hostOptions.get(host) }),
          api: <T extends object>(name: string) => kernel.api(name) as T | undefined,
        },
        options,
      );
    } catch (error) {
      if (error instanceof PluginError) throw error;
      throw new PluginError(plugin.meta.name, 'apply', null, error);
    }
  }
}
