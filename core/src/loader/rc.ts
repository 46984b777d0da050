import { cosmiconfig, getDefaultSearchPlaces } from 'cosmiconfig';
import { ConfigError, formatKeyPath } from '../config/errors.js';
import { firstIssue, RC_STYLE, schemaValidator } from '../config/schema.js';
import { formatTime, parseTime } from '../config/units.js';
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
  /** Each TCP connection's figures over time in `hosts/<host>/tcp.csv` (`tcp_log`; default false), if set. */
  readonly tcpLog: boolean | null;
  /** rdtsc/rdtscp fault and read simulated time (`rdtsc: trap`, the default) or read the real counter (`native`), if set. */
  readonly rdtsc: 'trap' | 'native' | null;
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
    rdtsc: rc.rdtsc,
    tcp_log: rc.tcpLog,
  };
}

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

/** A `name` or `[name, {options}]` entry (a plugin, a strategy) the schema has checked. */
function namedSpec(entry: unknown): PluginSpec {
  if (typeof entry === 'string') return { name: entry, options: {} };
  const [name, options] = entry as [string, Record<string, unknown> | null | undefined];
  return { name, options: options ?? {} };
}

/** Finds and validates (against `schema/shadowrc.schema.json`) the tool settings that apply to a simulation file in `dir`. */
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
      file: found?.filepath ?? null, plugins: [], backend: 'ptrace', vfork: null, tcpCongestion: null, fs: null, hosts: {}, watchdog: null, busyLoopThreshold: null, fastTime: null, tcpLog: null, rdtsc: null,
    };
  }
  const file = found.filepath;
  const raw = found.config as unknown;
  const issue = firstIssue(schemaValidator('shadowrc'), raw, RC_STYLE);
  if (issue !== null) throw rcError(file, issue.path.length === 0 ? '(top level)' : formatKeyPath(issue.path), issue.detail);
  const rc = raw as Record<string, unknown>;
  const optional = (key: string): PluginSpec | null => (rc[key] === undefined ? null : namedSpec(rc[key]));
  return {
    file,
    plugins: ((rc['plugins'] ?? []) as unknown[]).map(namedSpec),
    backend: (rc['backend'] ?? 'ptrace') as string,
    vfork: optional('vfork'),
    tcpCongestion: optional('tcp_congestion'),
    fs: optional('fs'),
    hosts: hostSettings((rc['hosts'] ?? {}) as Record<string, Record<string, unknown>>),
    watchdog: rc['watchdog'] === undefined ? null : parseTime(rc['watchdog'] as string | number),
    busyLoopThreshold: (rc['busy_loop_threshold'] ?? null) as number | null,
    fastTime: (rc['fast_time'] ?? null) as boolean | null,
    tcpLog: (rc['tcp_log'] ?? null) as boolean | null,
    rdtsc: (rc['rdtsc'] ?? null) as 'trap' | 'native' | null,
  };
}

/** The per-host section: host name → its own strategy choices and plugin options. */
function hostSettings(raw: Record<string, Record<string, unknown>>): RcConfig['hosts'] {
  const hosts: Record<string, HostSettings> = {};
  for (const [host, entry] of Object.entries(raw)) {
    hosts[host] = {
      ...(entry['vfork'] !== undefined && { vfork: namedSpec(entry['vfork']) }),
      ...(entry['tcp_congestion'] !== undefined && { tcpCongestion: namedSpec(entry['tcp_congestion']) }),
      ...(entry['fs'] !== undefined && { fs: namedSpec(entry['fs']) }),
      ...(entry['plugins'] !== undefined && { plugins: entry['plugins'] as Record<string, Record<string, unknown>> }),
    };
  }
  return hosts;
}
