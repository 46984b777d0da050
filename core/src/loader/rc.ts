import { cosmiconfig, getDefaultSearchPlaces } from 'cosmiconfig';
import { ConfigError } from '../config/errors.js';
import { formatTime, parseTime, UnitError } from '../config/units.js';
import { parseYaml } from '../config/yaml.js';
import { ShadowError } from '../kernel/errors.js';

/** A plugin to load: its name (npm package or path) and its options. */
export interface PluginSpec {
  readonly name: string;
  readonly options: Readonly<Record<string, unknown>>;
}

/** What `.shadowrc` says for one host (`hosts.<name>`), over its settings for all hosts. */
export interface HostSettings {
  readonly vfork?: PluginSpec;
  readonly tcpCongestion?: PluginSpec;
  readonly fs?: PluginSpec;
  /** Options of listed plugins for this host only, by plugin name, over their options for all (`plugins:`). */
  readonly plugins?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** Tool settings from `.shadowrc` (or a `shadow` key in package.json, …). */
export interface RcConfig {
  /** The file they came from, or null when none was found. */
  readonly file: string | null;
  readonly plugins: readonly PluginSpec[];
  readonly backend: string;
  /** The vfork strategy and its options (`vfork: name` or `vfork: [name, {options}]`), if set. */
  readonly vfork: PluginSpec | null;
  /** The TCP congestion control algorithm (`tcp_congestion: name`), if set. */
  readonly tcpCongestion: PluginSpec | null;
  /** The file system strategy (`fs: shared | overlay | …`), if set. */
  readonly fs: PluginSpec | null;
  /** Per-host choices (`hosts: { <host>: { vfork, tcp_congestion, fs, plugins } }`). */
  readonly hosts: Readonly<Record<string, HostSettings>>;
  /** Wall time a task may run without a stop before the watchdog acts (`watchdog: 10 s`; 0: off), if set. */
  readonly watchdog: bigint | null;
  /** Non-blocking calls in a row after which a thread pays unblocked-call latency (`busy_loop_threshold`; 0: never), if set. */
  readonly busyLoopThreshold: number | null;
  /** Time reads answered inside the process, without a trap (`fast_time`; default true), if set. */
  readonly fastTime: boolean | null;
}

/** The settings as `.shadowrc` spells them, defaults included (recorded in processed-config.yaml). */
export function rcSettings(rc: RcConfig): Record<string, unknown> {
  const spec = (s: PluginSpec | null | undefined) => (s ? (Object.keys(s.options).length ? [s.name, s.options] : s.name) : null);
  return {
    file: rc.file,
    backend: rc.backend,
    plugins: rc.plugins.map(spec),
    vfork: spec(rc.vfork),
    tcp_congestion: spec(rc.tcpCongestion),
    fs: spec(rc.fs),
    hosts: Object.fromEntries(
      Object.entries(rc.hosts).map(([host, s]) => [
        host,
        { vfork: spec(s.vfork), tcp_congestion: spec(s.tcpCongestion), fs: spec(s.fs), ...(s.plugins && { plugins: s.plugins }) },
      ]),
    ),
    watchdog: rc.watchdog === null ? null : formatTime(rc.watchdog),
    busy_loop_threshold: rc.busyLoopThreshold,
    fast_time: rc.fastTime,
  };
}

const KEYS = ['plugins', 'backend', 'vfork', 'tcp_congestion', 'fs', 'hosts', 'watchdog', 'busy_loop_threshold', 'fast_time'];
const HOST_KEYS = ['vfork', 'tcp_congestion', 'fs', 'plugins'];

const yamlLoader = (file: string, content: string): unknown => parseYaml(file, content).value;

const explorer = cosmiconfig('shadow', {
  // TypeScript config files would need the TypeScript compiler at run time; users may not have it.
  searchPlaces: getDefaultSearchPlaces('shadow').filter((place) => !place.endsWith('.ts')),
  searchStrategy: 'project',
  loaders: { '.yaml': yamlLoader, '.yml': yamlLoader, noExt: yamlLoader },
});

function rcError(file: string, key: string, message: string): ShadowError {
  return new ShadowError('RC_INVALID', `${file}: ${key}: ${message}`);
}

/** Parses a `name` or `[name, {options}]` entry (a plugin, a strategy) at `key`. */
function namedSpec(file: string, entry: unknown, key: string): PluginSpec {
  if (typeof entry === 'string' && entry) return { name: entry, options: {} };
  if (Array.isArray(entry) && typeof entry[0] === 'string' && entry.length <= 2) {
    const options = entry[1] ?? {};
    if (typeof options !== 'object' || options === null || Array.isArray(options)) {
      throw rcError(file, `${key}[1]`, 'expected a map of plugin options');
    }
    return { name: entry[0], options: options as Record<string, unknown> };
  }
  throw rcError(file, key, 'expected a name or [name, {options}]');
}

/** Finds and validates the tool settings that apply to a simulation file in `dir`. */
export async function loadRc(dir: string): Promise<RcConfig> {
  let found;
  try {
    found = await explorer.search(dir);
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    // cosmiconfig names the file it failed on (a JSON or JavaScript settings file).
    const file = (error as { filepath?: unknown }).filepath;
    const where = typeof file === 'string' ? `${file}: ` : '';
    const message = (error as Error).message.replace(/\s*\n\s*/g, ' ');
    throw new ShadowError('RC_INVALID', `${where}cannot read shadow settings: ${message}`);
  }
  if (!found || found.isEmpty) {
    return {
      file: found?.filepath ?? null, plugins: [], backend: 'ptrace', vfork: null, tcpCongestion: null, fs: null, hosts: {}, watchdog: null, busyLoopThreshold: null, fastTime: null,
    };
  }
  const file = found.filepath;
  const raw = found.config as unknown;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw rcError(file, '(top level)', 'expected a map');
  const rc = raw as Record<string, unknown>;
  for (const key of Object.keys(rc)) {
    if (!KEYS.includes(key)) throw rcError(file, key, `unknown key; expected one of ${KEYS.join(', ')}`);
  }
  const plugins = rc.plugins ?? [];
  if (!Array.isArray(plugins)) throw rcError(file, 'plugins', 'expected a list');
  const backend = rc.backend ?? 'ptrace';
  if (typeof backend !== 'string') throw rcError(file, 'backend', 'expected a backend name');
  return {
    file,
    plugins: plugins.map((entry, i) => namedSpec(file, entry, `plugins[${i}]`)),
    backend,
    vfork: rc.vfork === undefined ? null : namedSpec(file, rc.vfork, 'vfork'),
    tcpCongestion: rc.tcp_congestion === undefined ? null : namedSpec(file, rc.tcp_congestion, 'tcp_congestion'),
    fs: rc.fs === undefined ? null : namedSpec(file, rc.fs, 'fs'),
    hosts: hostSettings(file, rc.hosts ?? {}),
    watchdog: rc.watchdog === undefined ? null : rcTime(file, 'watchdog', rc.watchdog),
    busyLoopThreshold: rc.busy_loop_threshold === undefined ? null : rcCount(file, 'busy_loop_threshold', rc.busy_loop_threshold),
    fastTime: rc.fast_time === undefined ? null : rcBoolean(file, 'fast_time', rc.fast_time),
  };
}

function rcBoolean(file: string, key: string, value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  throw rcError(file, key, `expected true or false, got ${JSON.stringify(value)}`);
}

/** A count: a whole number from 0 to 2^31 - 1. */
function rcCount(file: string, key: string, value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0x7fffffff) return value;
  throw rcError(file, key, `expected a whole number (0 turns it off), got ${JSON.stringify(value)}`);
}

/** A time value (`"10 s"`, `"500 ms"`, a bare number of seconds). */
function rcTime(file: string, key: string, value: unknown): bigint {
  try {
    if (typeof value === 'string' || typeof value === 'number') return parseTime(value);
  } catch (error) {
    if (!(error instanceof UnitError)) throw error;
  }
  throw rcError(file, key, `expected a time like "10 s" or "500 ms", got ${JSON.stringify(value)}`);
}

/** `hosts.<name>.plugins`: a map of plugin name → that plugin's options on the host. */
function hostPluginOptions(file: string, raw: unknown, key: string): Record<string, Record<string, unknown>> {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isMap(raw)) throw rcError(file, key, 'expected a map of plugin names to their options on this host');
  for (const [name, options] of Object.entries(raw)) {
    if (!isMap(options)) throw rcError(file, `${key}.${name}`, 'expected a map of plugin options');
  }
  return raw as Record<string, Record<string, unknown>>;
}

/** The per-host section: host name → its own strategy choices and plugin options. */
function hostSettings(file: string, raw: unknown): RcConfig['hosts'] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw rcError(file, 'hosts', 'expected a map of host names');
  const hosts: Record<string, HostSettings> = {};
  for (const [host, settings] of Object.entries(raw)) {
    const key = `hosts.${host}`;
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) throw rcError(file, key, 'expected a map');
    const entry = settings as Record<string, unknown>;
    for (const k of Object.keys(entry)) {
      if (!HOST_KEYS.includes(k)) throw rcError(file, `${key}.${k}`, `unknown key; expected one of ${HOST_KEYS.join(', ')}`);
    }
    hosts[host] = {
      ...(entry.vfork !== undefined && { vfork: namedSpec(file, entry.vfork, `${key}.vfork`) }),
      ...(entry.tcp_congestion !== undefined && { tcpCongestion: namedSpec(file, entry.tcp_congestion, `${key}.tcp_congestion`) }),
      ...(entry.fs !== undefined && { fs: namedSpec(file, entry.fs, `${key}.fs`) }),
      ...(entry.plugins !== undefined && { plugins: hostPluginOptions(file, entry.plugins, `${key}.plugins`) }),
    };
  }
  return hosts;
}
