/**
 * Readers for the simulation file's option sections: `general`, `network` (its graph, inline,
 * built-in or from a plain or xz-compressed GML file), `experimental` (every key Shadow knows,
 * with its defaults) and host options (`host_option_defaults` / `hosts.<name>.host_options`).
 */

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { isScalar } from 'yaml';
import { type Checker, isPlainMap, type Path, show, U32_MAX } from './checker.js';
import { ConfigError, formatKeyPath } from './errors.js';
import { GmlError, oneGbitSwitchGraph, parseNetworkGraph } from './gml.js';
import type {
  ExperimentalOptions, GeneralOptions, HeartbeatInfo, HostOptions, LogLevel, NetworkGraph, NetworkOptions,
} from './types.js';

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warning', 'info', 'debug', 'trace'];
const HEARTBEAT_INFO: readonly HeartbeatInfo[] = ['node', 'socket', 'ram'];

// --- general ---------------------------------------------------------------------------------

const GENERAL_KEYS = [
  'stop_time', 'seed', 'parallelism', 'bootstrap_end_time', 'log_level', 'heartbeat_interval',
  'data_directory', 'template_directory', 'progress', 'model_unblocked_syscall_latency',
] as const;

/** Reads the `general` section (stop_time required) with Shadow's defaults. */
export function general(c: Checker, v: unknown): GeneralOptions {
  const p = ['general'];
  const m = c.map(v, p, GENERAL_KEYS);
  return {
    stopTime: c.req(m, p, 'stop_time', c.time, 'stop_time: 10 min'),
    seed: c.opt(m, p, 'seed', c.uint(U32_MAX), 1),
    parallelism: c.opt(m, p, 'parallelism', c.uint(U32_MAX), 0),
    bootstrapEndTime: c.opt(m, p, 'bootstrap_end_time', c.time, 0n),
    logLevel: c.opt(m, p, 'log_level', c.oneOf(LOG_LEVELS), 'info'),
    heartbeatInterval: c.nullable(m, p, 'heartbeat_interval', c.time, 1_000_000_000n),
    dataDirectory: c.opt(m, p, 'data_directory', c.str, 'shadow.data'),
    templateDirectory: c.nullable(m, p, 'template_directory', c.str, null),
    progress: c.opt(m, p, 'progress', c.bool, false),
    modelUnblockedSyscallLatency: c.opt(m, p, 'model_unblocked_syscall_latency', c.bool, false),
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
  const start = isScalar(node) && node.type === 'BLOCK_LITERAL' ? node.range?.[0] : undefined;
  // A literal block's text starts on the line after its `|` indicator.
  const line = start === undefined ? c.lineOf(path) : c.lineAtOffset(start) + e.line;
  throw new ConfigError(c.file, line, formatKeyPath(path), `GML line ${e.line}, column ${e.column}: ${e.detail}`);
}

/** Reads `network.graph.file`: a GML file, relative to the config file, plain or xz-compressed. */
function readGraphFile(c: Checker, v: unknown, configDir: string): NetworkGraph {
  const p = ['network', 'graph', 'file'];
  const m = c.map(v, p, ['path', 'compression']);
  const raw = c.req(m, p, 'path', c.str, 'path: topology.gml');
  const compression = c.nullable(m, p, 'compression', c.oneOf(['xz'] as const), null);
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

/** Reads `network.graph`: the built-in 1_gbit_switch, or GML inline or from a file. */
function graph(c: Checker, v: unknown, configDir: string): NetworkGraph {
  const p = ['network', 'graph'];
  if (!isPlainMap(v)) return c.fail(p, `expected a map like {type: gml, inline: "graph [...]"} or {type: 1_gbit_switch}; got ${show(v)}`);
  const type = c.req(v, p, 'type', c.oneOf(['gml', '1_gbit_switch'] as const), 'type: 1_gbit_switch');
  if (type === '1_gbit_switch') {
    c.map(v, p, ['type']);
    return oneGbitSwitchGraph();
  }
  const m = c.map(v, p, ['type', 'inline', 'file']);
  const hasInline = m['inline'] !== undefined && m['inline'] !== null;
  const hasFile = m['file'] !== undefined && m['file'] !== null;
  if (hasInline === hasFile) {
    c.fail(p, hasInline ? 'give either "inline" or "file", not both'
      : 'a gml graph needs "inline" (the GML text) or "file" ({path: ..., compression: xz})');
  }
  if (hasFile) return readGraphFile(c, m['file'], configDir);
  const text = c.req(m, p, 'inline', c.str, 'inline: "graph [ ... ]"');
  try {
    return parseNetworkGraph(text);
  } catch (e) {
    if (e instanceof GmlError) inlineGmlError(c, e);
    throw e;
  }
}

/** Reads the `network` section; `configDir` anchors relative graph file paths. */
export function network(c: Checker, v: unknown, configDir: string): NetworkOptions {
  const p = ['network'];
  const m = c.map(v, p, ['graph', 'use_shortest_path']);
  if (m['graph'] === undefined || m['graph'] === null) c.fail([...p, 'graph'], 'is required (e.g. graph: {type: 1_gbit_switch})');
  return {
    graph: graph(c, m['graph'], configDir),
    useShortestPath: c.opt(m, p, 'use_shortest_path', c.bool, true),
  };
}

// --- host options ----------------------------------------------------------------------------

/** Host options as given in one place, to be layered over the defaults. */
type PartialHostOptions = { -readonly [K in keyof HostOptions]?: HostOptions[K] };

/** Parses host_option_defaults / host_options; only the keys present, so they can be layered. */
export function hostOptions(c: Checker, v: unknown, p: Path): PartialHostOptions {
  if (v === undefined || v === null) return {};
  const m = c.map(v, p, [
    'log_level', 'pcap_enabled', 'pcap_capture_size', 'host_heartbeat_interval', 'host_heartbeat_log_level', 'host_heartbeat_log_info',
  ]);
  const out: PartialHostOptions = {};
  const given = (key: string) => m[key] !== undefined && m[key] !== null;
  if (given('log_level')) out.logLevel = c.oneOf(LOG_LEVELS)(m['log_level'], [...p, 'log_level']);
  if (given('pcap_enabled')) out.pcapEnabled = c.bool(m['pcap_enabled'], [...p, 'pcap_enabled']);
  if (given('pcap_capture_size')) {
    const size = c.bytes(m['pcap_capture_size'], [...p, 'pcap_capture_size']);
    if (size > BigInt(U32_MAX)) c.fail([...p, 'pcap_capture_size'], `must be at most ${U32_MAX} B`);
    out.pcapCaptureSize = Number(size);
  }
  // Shadow 2.x's host heartbeat; null (the default) is none.
  if (m['host_heartbeat_interval'] !== undefined) {
    const at = [...p, 'host_heartbeat_interval'];
    out.heartbeatInterval = m['host_heartbeat_interval'] === null ? null : c.time(m['host_heartbeat_interval'], at);
    if (out.heartbeatInterval === 0n) c.fail(at, 'must be more than 0 (or null for no heartbeat)');
  }
  if (given('host_heartbeat_log_level')) {
    out.heartbeatLogLevel = c.oneOf(LOG_LEVELS)(m['host_heartbeat_log_level'], [...p, 'host_heartbeat_log_level']);
  }
  if (given('host_heartbeat_log_info')) {
    const at = [...p, 'host_heartbeat_log_info'];
    const list = m['host_heartbeat_log_info'];
    if (!Array.isArray(list)) c.fail(at, `expected a list of node, socket, ram, got ${show(list)}`);
    out.heartbeatLogInfo = [...new Set(list.map((item, i) => c.oneOf(HEARTBEAT_INFO)(item, [...at, i])))];
  }
  return out;
}

// --- experimental ----------------------------------------------------------------------------

type ExpKind = 'bool' | 'time' | 'nullable-time' | 'bytes' | 'float' | readonly string[];

/** Shadow's `ExperimentalOptions` with its defaults (`impl Default for ExperimentalOptions`). */
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
  interface_qdisc: { kind: ['fifo', 'round-robin'], dflt: 'fifo' },
  strace_logging_mode: { kind: ['off', 'standard', 'deterministic'], dflt: 'off' },
  max_unapplied_cpu_latency: { kind: 'time', dflt: 1_000n },
  unblocked_syscall_latency: { kind: 'time', dflt: 1_000n },
  unblocked_vdso_latency: { kind: 'time', dflt: 10n },
  scheduler: { kind: ['thread-per-core', 'thread-per-host'], dflt: 'thread-per-core' },
  report_errors_to_stderr: { kind: 'bool', dflt: true },
  use_new_tcp: { kind: 'bool', dflt: false },
  native_preemption_enabled: { kind: 'bool', dflt: false },
  native_preemption_native_interval: { kind: 'time', dflt: 100_000_000n },
  native_preemption_sim_interval: { kind: 'time', dflt: 10_000_000n },
  // Newer Shadow (per-edge bandwidth, PR #3695): accepted so such files load; unused here.
  edge_bandwidth_limiting_enabled: { kind: 'bool', dflt: false },
  edge_bandwidth_algorithm: { kind: ['token-bucket'], dflt: 'token-bucket' },
  edge_bandwidth_burst_ratio: { kind: 'float', dflt: 1.5 },
};

/** Parses one experimental value of the given kind. */
function experimentalValue(c: Checker, kind: ExpKind, v: unknown, p: Path): unknown {
  if (typeof kind !== 'string') return c.oneOf(kind)(v, p);
  switch (kind) {
    case 'bool': return c.bool(v, p);
    case 'time': case 'nullable-time': return c.time(v, p);
    case 'bytes': return c.bytes(v, p);
    case 'float': return typeof v === 'number' && Number.isFinite(v) ? v : c.fail(p, `expected a number, got ${show(v)}`);
  }
}

/** Reads the `experimental` section: the typed fields this version uses, the rest in `other`. */
export function experimental(c: Checker, v: unknown): ExperimentalOptions {
  const p = ['experimental'];
  const m = v === undefined || v === null ? {} : c.map(v, p, Object.keys(EXPERIMENTAL));
  const values: Record<string, unknown> = {};
  for (const [key, { kind, dflt }] of Object.entries(EXPERIMENTAL)) {
    const raw = m[key];
    values[key] = raw === undefined || (raw === null && kind !== 'nullable-time') ? dflt
      : raw === null ? null : experimentalValue(c, kind, raw, [...p, key]);
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
