/**
 * Readers for the simulation file's option sections, once the schema has checked them:
 * `general`, `network` (its graph, inline, built-in or from a plain or xz-compressed GML file),
 * `experimental` (every key Shadow knows, with its defaults) and host options
 * (`host_option_defaults` / `hosts.<name>.host_options`).
 */

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { type Checker, given, nullable, type Path, section, U32_MAX, unit, value, type YamlMap } from './checker.js';
import { ConfigError, formatKeyPath } from './errors.js';
import { GmlError, oneGbitSwitchGraph, parseNetworkGraph } from './gml.js';
import type {
  ExperimentalOptions, GeneralOptions, HeartbeatInfo, HostOptions, LogLevel, NetworkGraph, NetworkOptions,
} from './types.js';
import { parseBytes, parseTime } from './units.js';
import { yamlLibrary } from './yaml.js';

/** A time the schema checked, or `dflt` when absent or null. */
const time = (m: YamlMap, key: string, dflt: bigint): bigint => (given(m, key) ? unit(m[key], parseTime) : dflt);
/** A time where null means "none". */
const nullableTime = (m: YamlMap, key: string, dflt: bigint | null): bigint | null =>
  (m[key] === undefined ? dflt : m[key] === null ? null : unit(m[key], parseTime));

// --- general ---------------------------------------------------------------------------------

/** Reads the `general` section with Shadow's defaults. */
export function general(m: YamlMap): GeneralOptions {
  return {
    stopTime: unit(m['stop_time'], parseTime),
    seed: value(m, 'seed', 1),
    parallelism: value(m, 'parallelism', 0),
    bootstrapEndTime: time(m, 'bootstrap_end_time', 0n),
    logLevel: value<LogLevel>(m, 'log_level', 'info'),
    heartbeatInterval: nullableTime(m, 'heartbeat_interval', 1_000_000_000n),
    dataDirectory: value(m, 'data_directory', 'shadow.data'),
    templateDirectory: nullable<string>(m, 'template_directory', null),
    progress: value(m, 'progress', false),
    modelUnblockedSyscallLatency: value(m, 'model_unblocked_syscall_latency', false),
  };
}

// --- network ---------------------------------------------------------------------------------

/** Expands a leading `~/` to $HOME (as Shadow does for file paths in the config). */
export function expandHome(p: string): string {
  return p.startsWith('~/') ? nodePath.join(process.env['HOME'] ?? os.homedir(), p.slice(2)) : p;
}

/** Reports a GML mistake in `inline`, mapping its line into the YAML file for block literals. */
function inlineGmlError(c: Checker, e: GmlError): never {
  const path = ['network', 'graph', 'inline'];
  const node = c.nodeAt(path);
  const start = yamlLibrary().isScalar(node) && node.type === 'BLOCK_LITERAL' ? node.range?.[0] : undefined;
  // A literal block's text starts on the line after its `|` indicator.
  const line = start === undefined ? c.lineOf(path) : c.lineAtOffset(start) + e.line;
  throw new ConfigError(c.file, line, formatKeyPath(path), `GML line ${e.line}, column ${e.column}: ${e.detail}`);
}

/** Reads `network.graph.file`: a GML file, relative to the config file, plain or xz-compressed. */
function readGraphFile(c: Checker, m: YamlMap, configDir: string): NetworkGraph {
  const p = ['network', 'graph', 'file'];
  const raw = m['path'] as string;
  const compression = nullable<'xz'>(m, 'compression', null);
  const file = nodePath.resolve(configDir, expandHome(raw));
  if (!fs.existsSync(file)) c.fail([...p, 'path'], `graph file ${JSON.stringify(raw)} does not exist (resolved to ${file})`);
  let text: string;
  try {
    text = compression === 'xz'
      ? execFileSync('xz', ['-dc', file], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] })
      : fs.readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    // ENOENT here means the xz program itself is missing: the file was checked above.
    const why = err.code === 'ENOENT' && compression === 'xz' ? 'the xz program is not installed'
      : (err.stderr?.trim().split('\n')[0] || err.message);
    return c.fail([...p, 'path'], `cannot read graph file ${JSON.stringify(raw)} (${file}): ${why}`);
  }
  try {
    return parseNetworkGraph(text);
  } catch (e) {
    if (e instanceof GmlError) throw new ConfigError(file, e.line, 'network.graph.file.path', `column ${e.column}: ${e.detail}`);
    throw e;
  }
}

/** Reads `network.graph`: the built-in 1_gbit_switch, or GML inline or from a file (exactly one). */
function graph(c: Checker, m: YamlMap, configDir: string): NetworkGraph {
  const p = ['network', 'graph'];
  if (m['type'] === '1_gbit_switch') return oneGbitSwitchGraph();
  const hasInline = given(m, 'inline');
  const hasFile = given(m, 'file');
  if (hasInline === hasFile) {
    c.fail(p, hasInline ? 'give either "inline" or "file", not both'
      : 'a gml graph needs "inline" (the GML text) or "file" ({path: ..., compression: xz})');
  }
  if (hasFile) return readGraphFile(c, section(m, 'file'), configDir);
  const text = m['inline'] as string;
  try {
    return parseNetworkGraph(text);
  } catch (e) {
    if (e instanceof GmlError) inlineGmlError(c, e);
    throw e;
  }
}

/** Reads the `network` section; `configDir` anchors relative graph file paths. */
export function network(c: Checker, m: YamlMap, configDir: string): NetworkOptions {
  return {
    graph: graph(c, section(m, 'graph'), configDir),
    useShortestPath: value(m, 'use_shortest_path', true),
  };
}

// --- host options ----------------------------------------------------------------------------

/** Host options as given in one place, to be layered over the defaults. */
type PartialHostOptions = { -readonly [K in keyof HostOptions]?: HostOptions[K] };

/** Reads host_option_defaults / host_options; only the keys present, so they can be layered. */
export function hostOptions(c: Checker, m: YamlMap, p: Path): PartialHostOptions {
  const out: PartialHostOptions = {};
  if (given(m, 'log_level')) out.logLevel = m['log_level'] as LogLevel;
  if (given(m, 'pcap_enabled')) out.pcapEnabled = m['pcap_enabled'] as boolean;
  if (given(m, 'pcap_capture_size')) {
    const size = unit(m['pcap_capture_size'], parseBytes);
    if (size > BigInt(U32_MAX)) c.fail([...p, 'pcap_capture_size'], `must be at most ${U32_MAX} B`);
    out.pcapCaptureSize = Number(size);
  }
  // Shadow 2.x's host heartbeat; null (the default) is none.
  if (m['host_heartbeat_interval'] !== undefined) {
    out.heartbeatInterval = nullableTime(m, 'host_heartbeat_interval', null);
    if (out.heartbeatInterval === 0n) c.fail([...p, 'host_heartbeat_interval'], 'must be more than 0 (or null for no heartbeat)');
  }
  if (given(m, 'host_heartbeat_log_level')) out.heartbeatLogLevel = m['host_heartbeat_log_level'] as LogLevel;
  if (given(m, 'host_heartbeat_log_info')) out.heartbeatLogInfo = [...new Set(m['host_heartbeat_log_info'] as HeartbeatInfo[])];
  return out;
}

// --- experimental ----------------------------------------------------------------------------

type ExpKind = 'bool' | 'time' | 'nullable-time' | 'bytes' | 'float' | 'name';

/**
 * Shadow's `ExperimentalOptions` with its defaults (`impl Default for ExperimentalOptions`);
 * what each may hold is the schema's.
 */
const EXPERIMENTAL: Readonly<Record<string, { kind: ExpKind; dflt: unknown }>> = {
  use_sched_fifo: { kind: 'bool', dflt: false },
  use_syscall_counters: { kind: 'bool', dflt: true },
  use_object_counters: { kind: 'bool', dflt: true },
  use_preload_libc: { kind: 'bool', dflt: true },
  use_preload_openssl_rng: { kind: 'bool', dflt: true },
  use_preload_openssl_crypto: { kind: 'bool', dflt: false },
  use_memory_manager: { kind: 'bool', dflt: false },
  use_cpu_pinning: { kind: 'bool', dflt: true },
  use_worker_spinning: { kind: 'bool', dflt: true },
  runahead: { kind: 'nullable-time', dflt: 1_000_000n },
  use_dynamic_runahead: { kind: 'bool', dflt: false },
  socket_send_buffer: { kind: 'bytes', dflt: 131_072n },
  socket_send_autotune: { kind: 'bool', dflt: true },
  socket_recv_buffer: { kind: 'bytes', dflt: 174_760n },
  socket_recv_autotune: { kind: 'bool', dflt: true },
  interface_qdisc: { kind: 'name', dflt: 'fifo' },
  strace_logging_mode: { kind: 'name', dflt: 'off' },
  max_unapplied_cpu_latency: { kind: 'time', dflt: 1_000n },
  unblocked_syscall_latency: { kind: 'time', dflt: 1_000n },
  unblocked_vdso_latency: { kind: 'time', dflt: 10n },
  scheduler: { kind: 'name', dflt: 'thread-per-core' },
  report_errors_to_stderr: { kind: 'bool', dflt: true },
  use_new_tcp: { kind: 'bool', dflt: false },
  native_preemption_enabled: { kind: 'bool', dflt: false },
  native_preemption_native_interval: { kind: 'time', dflt: 100_000_000n },
  native_preemption_sim_interval: { kind: 'time', dflt: 10_000_000n },
  // Newer Shadow (per-edge bandwidth, PR #3695): accepted so such files load; unused here.
  edge_bandwidth_limiting_enabled: { kind: 'bool', dflt: false },
  edge_bandwidth_algorithm: { kind: 'name', dflt: 'token-bucket' },
  edge_bandwidth_burst_ratio: { kind: 'float', dflt: 1.5 },
};

/** One experimental value of the given kind, as the schema checked it. */
function experimentalValue(kind: ExpKind, v: unknown): unknown {
  switch (kind) {
    case 'time': case 'nullable-time': return unit(v, parseTime);
    case 'bytes': return unit(v, parseBytes);
    default: return v;
  }
}

/** Reads the `experimental` section: the typed fields this version uses, the rest in `other`. */
export function experimental(m: YamlMap): ExperimentalOptions {
  const values: Record<string, unknown> = {};
  for (const [key, { kind, dflt }] of Object.entries(EXPERIMENTAL)) {
    const raw = m[key];
    values[key] = raw === undefined || (raw === null && kind !== 'nullable-time') ? dflt
      : raw === null ? null : experimentalValue(kind, raw);
  }
  const typed = [
    'runahead', 'use_cpu_pinning', 'unblocked_syscall_latency', 'unblocked_vdso_latency', 'max_unapplied_cpu_latency',
    'native_preemption_enabled', 'native_preemption_native_interval', 'native_preemption_sim_interval',
  ];
  return {
    runahead: values['runahead'] as bigint | null,
    useCpuPinning: values['use_cpu_pinning'] as boolean,
    unblockedSyscallLatency: values['unblocked_syscall_latency'] as bigint,
    unblockedVdsoLatency: values['unblocked_vdso_latency'] as bigint,
    maxUnappliedCpuLatency: values['max_unapplied_cpu_latency'] as bigint,
    nativePreemptionEnabled: values['native_preemption_enabled'] as boolean,
    nativePreemptionNativeInterval: values['native_preemption_native_interval'] as bigint,
    nativePreemptionSimInterval: values['native_preemption_sim_interval'] as bigint,
    other: Object.fromEntries(Object.entries(values).filter(([k]) => !typed.includes(k))),
  };
}
