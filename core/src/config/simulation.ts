/**
 * Loads and validates a Shadow simulation file (`docs/shadow_config_spec.md`): YAML 1.2 with
 * merge keys, top-level `x-` extension keys dropped, unknown keys rejected, Shadow's defaults
 * applied, and every mistake reported as a ConfigError with file, line and key path.
 */

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node, parseDocument } from 'yaml';
import { ConfigError, formatKeyPath, type KeySegment } from './errors.js';
import { GmlError, oneGbitSwitchGraph, parseNetworkGraph } from './gml.js';
import type {
  ConfigOverrides, ExpectedFinalState, ExperimentalOptions, GeneralOptions, HostConfig, HostOptions,
  LogLevel, NetworkGraph, NetworkOptions, ProcessOptions, SimulationConfig,
} from './types.js';
import { formatTime, parseBandwidth, parseBytes, parseSignal, parseTime, UnitError } from './units.js';

type Path = readonly KeySegment[];
type YamlMap = Record<string, unknown>;
/** Turns a raw YAML value at `path` into a typed value, or reports why it can't. */
type Parse<T> = (value: unknown, path: Path) => T;

const LOG_LEVELS: readonly LogLevel[] = ['error', 'warning', 'info', 'debug', 'trace'];
const U32_MAX = 0xffff_ffff;

function isPlainMap(v: unknown): v is YamlMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** How a value reads in a message: strings quoted, collections named. */
function show(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (isPlainMap(v)) return 'a map';
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/** Edit distance, for "did you mean" on unknown keys (keys are short, so O(n·m) is fine). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * Knows where values came from, so errors can name file, line and key path. Lines come from
 * the YAML nodes; values set on the command line have no line.
 */
class Checker {
  constructor(
    readonly file: string,
    private readonly doc: Document,
    private readonly lines: LineCounter,
    private readonly fromCli: ReadonlySet<string>,
  ) {}

  /** Throws the ConfigError for `path`. */
  fail(path: Path, detail: string): never {
    const keyPath = formatKeyPath(path);
    if (this.fromCli.has(keyPath)) throw new ConfigError(this.file, undefined, keyPath, `${detail} (set on the command line)`);
    throw new ConfigError(this.file, this.lineOf(path), keyPath, detail);
  }

  /** 1-based line of the deepest node along `path` (its key, for map entries). */
  lineOf(path: Path): number | undefined {
    const found = this.walk(path);
    return found.offset === undefined ? undefined : this.lines.linePos(found.offset).line;
  }

  /** The YAML node at `path`, if the whole path exists in the document. */
  nodeAt(path: Path): Node | undefined {
    const found = this.walk(path);
    return found.complete ? found.node : undefined;
  }

  /** 1-based line of a character offset in the file. */
  lineAtOffset(offset: number): number {
    return this.lines.linePos(offset).line;
  }

  private walk(path: Path): { node: Node | undefined; offset: number | undefined; complete: boolean } {
    let node = this.deref(this.doc.contents);
    let offset = node?.range?.[0];
    for (const seg of path) {
      let next: { key?: unknown; value: unknown } | undefined;
      if (isMap(node)) next = this.findPair(node, String(seg), 0);
      else if (isSeq(node) && typeof seg === 'number') next = { value: node.items[seg] };
      if (next === undefined) return { node, offset, complete: false };
      // Fall back to the nearest ancestor when a node has no range (e.g. created in code).
      offset = rangeStart(next.key) ?? rangeStart(next.value) ?? offset;
      node = this.deref(next.value);
    }
    return { node, offset, complete: true };
  }

  private deref(v: unknown): Node | undefined {
    for (let i = 0; i < 100 && isAlias(v); i++) v = v.resolve(this.doc);
    return isMap(v) || isSeq(v) || isScalar(v) ? v : undefined;
  }

  /** Finds `key` in a map, looking through `<<` merge sources as `toJS` does. */
  private findPair(map: Node, key: string, depth: number): { key?: unknown; value: unknown } | undefined {
    if (!isMap(map) || depth > 20) return undefined;
    const isMerge = (k: unknown) => isScalar(k) && (typeof k.value === 'symbol' || k.source === '<<');
    for (const pair of map.items) {
      if (!isMerge(pair.key) && isScalar(pair.key) && String(pair.key.value) === key) return pair;
    }
    for (const pair of map.items) {
      if (!isMerge(pair.key)) continue;
      const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
      for (const s of sources) {
        const hit = this.findPair(this.deref(s) as Node, key, depth + 1);
        if (hit !== undefined) return hit;
      }
    }
    return undefined;
  }

  /** Checks that `v` is a map with only `allowed` keys (Shadow's deny_unknown_fields). */
  map(v: unknown, path: Path, allowed: readonly string[]): YamlMap {
    if (!isPlainMap(v)) this.fail(path, `expected a map with keys ${allowed.join(', ')}; got ${show(v)}`);
    for (const key of Object.keys(v)) {
      if (allowed.includes(key)) continue;
      const near = allowed.find((a) => distance(a, key) <= 2);
      const hint = near === undefined ? '' : ` (did you mean "${near}"?)`;
      this.fail([...path, key], `unknown key${hint}; valid keys here: ${allowed.join(', ')}`);
    }
    return v;
  }

  /** Optional value: absent or null → `dflt`. */
  opt<T>(m: YamlMap, path: Path, key: string, parse: Parse<T>, dflt: T): T {
    const v = m[key];
    return v === undefined || v === null ? dflt : parse(v, [...path, key]);
  }

  /** Optional value where null is meaningful ("none"): absent → `dflt`, null → null. */
  nullable<T>(m: YamlMap, path: Path, key: string, parse: Parse<T>, dflt: T | null): T | null {
    const v = m[key];
    if (v === undefined) return dflt;
    return v === null ? null : parse(v, [...path, key]);
  }

  /** Required value. */
  req<T>(m: YamlMap, path: Path, key: string, parse: Parse<T>, example: string): T {
    const v = m[key];
    if (v === undefined || v === null) this.fail([...path, key], `is required (e.g. ${example})`);
    return parse(v, [...path, key]);
  }

  // --- value parsers -------------------------------------------------------------------------

  readonly bool: Parse<boolean> = (v, p) => (typeof v === 'boolean' ? v : this.fail(p, `expected true or false, got ${show(v)}`));

  readonly str: Parse<string> = (v, p) => (typeof v === 'string' ? v : this.fail(p, `expected a string, got ${show(v)}`));

  uint(max: number): Parse<number> {
    return (v, p) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max
      ? v : this.fail(p, `expected an integer 0..${max}, got ${show(v)}`));
  }

  oneOf<T extends string>(values: readonly T[]): Parse<T> {
    return (v, p) => (values.includes(v as T)
      ? (v as T) : this.fail(p, `expected one of ${values.join(', ')}; got ${show(v)}`));
  }

  private unit(parse: (v: string | number) => bigint, kind: string): Parse<bigint> {
    return (v, p) => {
      if (typeof v !== 'string' && typeof v !== 'number') return this.fail(p, `expected ${kind}, got ${show(v)}`);
      try {
        return parse(v);
      } catch (e) {
        if (e instanceof UnitError) this.fail(p, e.message);
        throw e;
      }
    };
  }

  readonly time = this.unit(parseTime, 'a time like "10 s"');
  readonly bandwidth = this.unit(parseBandwidth, 'a bandwidth like "1 Gbit"');
  readonly bytes = this.unit(parseBytes, 'a size like "64 KiB"');
  readonly signal = this.unit((v) => BigInt(parseSignal(v)), 'a signal like "SIGTERM"');
}

function rangeStart(v: unknown): number | undefined {
  return isScalar(v) || isMap(v) || isSeq(v) || isAlias(v) ? v.range?.[0] : undefined;
}

// --- general ---------------------------------------------------------------------------------

const GENERAL_KEYS = [
  'stop_time', 'seed', 'parallelism', 'bootstrap_end_time', 'log_level', 'heartbeat_interval',
  'data_directory', 'template_directory', 'progress', 'model_unblocked_syscall_latency',
] as const;

function general(c: Checker, v: unknown): GeneralOptions {
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

function expandHome(p: string): string {
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

function network(c: Checker, v: unknown, configDir: string): NetworkOptions {
  const p = ['network'];
  const m = c.map(v, p, ['graph', 'use_shortest_path']);
  if (m['graph'] === undefined || m['graph'] === null) c.fail([...p, 'graph'], 'is required (e.g. graph: {type: 1_gbit_switch})');
  return {
    graph: graph(c, m['graph'], configDir),
    useShortestPath: c.opt(m, p, 'use_shortest_path', c.bool, true),
  };
}

// --- host options ----------------------------------------------------------------------------

type PartialHostOptions = { -readonly [K in keyof HostOptions]?: HostOptions[K] };

/** Parses host_option_defaults / host_options; only the keys present, so they can be layered. */
function hostOptions(c: Checker, v: unknown, p: Path): PartialHostOptions {
  if (v === undefined || v === null) return {};
  const m = c.map(v, p, ['log_level', 'pcap_enabled', 'pcap_capture_size']);
  const out: PartialHostOptions = {};
  const given = (key: string) => m[key] !== undefined && m[key] !== null;
  if (given('log_level')) out.logLevel = c.oneOf(LOG_LEVELS)(m['log_level'], [...p, 'log_level']);
  if (given('pcap_enabled')) out.pcapEnabled = c.bool(m['pcap_enabled'], [...p, 'pcap_enabled']);
  if (given('pcap_capture_size')) {
    const size = c.bytes(m['pcap_capture_size'], [...p, 'pcap_capture_size']);
    if (size > BigInt(U32_MAX)) c.fail([...p, 'pcap_capture_size'], `must be at most ${U32_MAX} B`);
    out.pcapCaptureSize = Number(size);
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

function experimentalValue(c: Checker, kind: ExpKind, v: unknown, p: Path): unknown {
  if (typeof kind !== 'string') return c.oneOf(kind)(v, p);
  switch (kind) {
    case 'bool': return c.bool(v, p);
    case 'time': case 'nullable-time': return c.time(v, p);
    case 'bytes': return c.bytes(v, p);
    case 'float': return typeof v === 'number' && Number.isFinite(v) ? v : c.fail(p, `expected a number, got ${show(v)}`);
  }
}

function experimental(c: Checker, v: unknown): ExperimentalOptions {
  const p = ['experimental'];
  const m = v === undefined || v === null ? {} : c.map(v, p, Object.keys(EXPERIMENTAL));
  const values: Record<string, unknown> = {};
  for (const [key, { kind, dflt }] of Object.entries(EXPERIMENTAL)) {
    const raw = m[key];
    values[key] = raw === undefined || (raw === null && kind !== 'nullable-time') ? dflt
      : raw === null ? null : experimentalValue(c, kind, raw, [...p, key]);
  }
  const typed = ['runahead', 'use_cpu_pinning', 'unblocked_syscall_latency', 'unblocked_vdso_latency', 'max_unapplied_cpu_latency'];
  return {
    runahead: values['runahead'] as bigint | null,
    useCpuPinning: values['use_cpu_pinning'] as boolean,
    unblockedSyscallLatency: values['unblocked_syscall_latency'] as bigint,
    unblockedVdsoLatency: values['unblocked_vdso_latency'] as bigint,
    maxUnappliedCpuLatency: values['max_unapplied_cpu_latency'] as bigint,
    other: Object.fromEntries(Object.entries(values).filter(([k]) => !typed.includes(k))),
  };
}

// --- processes -------------------------------------------------------------------------------

/**
 * Splits an args string like a POSIX shell, minus expansion: whitespace separates words;
 * '...' is literal; "..." allows \" \\ \$ \` escapes; a bare backslash escapes any character.
 */
export function splitShellWords(s: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    const ch = s[i]!;
    if (ch === '\'') {
      const end = s.indexOf('\'', i + 1);
      if (end < 0) throw new Error('unterminated single quote');
      word += s.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) {
        if (s[j] === '\\' && j + 1 < s.length && '"\\$`\n'.includes(s[j + 1]!)) {
          j++;
          if (s[j] !== '\n') word += s[j];
        } else {
          word += s[j];
        }
      }
      if (j >= s.length) throw new Error('unterminated double quote');
      inWord = true;
      i = j;
    } else if (ch === '\\') {
      if (i + 1 >= s.length) throw new Error('trailing backslash');
      i++;
      if (s[i] !== '\n') {
        word += s[i];
        inWord = true;
      }
    } else if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

function args(c: Checker, v: unknown, p: Path): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') {
    try {
      return splitShellWords(v);
    } catch (e) {
      return c.fail(p, `${(e as Error).message} in ${show(v)}`);
    }
  }
  if (Array.isArray(v)) {
    return v.map((a, i) => (typeof a === 'string' || typeof a === 'number' || typeof a === 'boolean'
      ? String(a) : c.fail([...p, i], `expected a string, got ${show(a)}`)));
  }
  return c.fail(p, `expected a string ("-c conf -v") or a list of strings, got ${show(v)}`);
}

function environment(c: Checker, v: unknown, p: Path): Record<string, string> {
  if (v === undefined || v === null) return {};
  if (!isPlainMap(v)) return c.fail(p, `expected a map of NAME: value, got ${show(v)}`);
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(v)) {
    if (name === '' || name.includes('=')) c.fail([...p, name], 'an environment variable name must be non-empty and contain no "="');
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      c.fail([...p, name], `expected a string, got ${show(value)}`);
    }
    env[name] = String(value);
  }
  return env;
}

function finalState(c: Checker, v: unknown, p: Path): ExpectedFinalState {
  const expected = 'expected running, {exited: N} or {signaled: SIGNAL}';
  if (v === 'running') return 'running';
  if (isPlainMap(v) && Object.keys(v).length === 1) {
    if ('exited' in v) {
      const code = v['exited'];
      if (typeof code === 'number' && Number.isInteger(code) && code >= -(2 ** 31) && code < 2 ** 31) return { exited: code };
      return c.fail([...p, 'exited'], `expected an exit code (integer), got ${show(code)}`);
    }
    if ('signaled' in v) return { signaled: Number(c.signal(v['signaled'], [...p, 'signaled'])) };
  }
  return c.fail(p, `${expected}, got ${show(v)}`);
}

/** Why `file` can't be executed, or undefined if it can. */
function executableProblem(file: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(file);
  } catch {
    return 'does not exist';
  }
  if (!st.isFile()) return 'is not a regular file';
  try {
    fs.accessSync(file, fs.constants.X_OK);
  } catch {
    return 'is not executable';
  }
  return undefined;
}

/** Resolves `path` as Shadow does: `~/` expanded, bare names on PATH, others against the cwd. */
function resolveExecutable(c: Checker, raw: string, p: Path): string {
  if (raw === '') return c.fail(p, 'must not be empty');
  const expanded = expandHome(raw);
  if (!expanded.includes('/')) {
    for (const dir of (process.env['PATH'] ?? '').split(':')) {
      const candidate = nodePath.resolve(dir === '' ? '.' : dir, expanded);
      if (executableProblem(candidate) === undefined) return candidate;
    }
    return c.fail(p, `executable ${JSON.stringify(raw)} not found on PATH`);
  }
  const file = nodePath.resolve(process.cwd(), expanded);
  const problem = executableProblem(file);
  if (problem !== undefined) c.fail(p, `executable ${JSON.stringify(raw)} ${problem}${file === raw ? '' : ` (resolved to ${file})`}`);
  return file;
}

const PROCESS_KEYS = [
  'path', 'args', 'environment', 'start_time', 'shutdown_time', 'shutdown_signal', 'expected_final_state',
] as const;

function processOptions(c: Checker, v: unknown, p: Path, stopTime: bigint): ProcessOptions {
  const m = c.map(v, p, PROCESS_KEYS);
  const argv0 = c.req(m, p, 'path', c.str, 'path: /usr/bin/curl');
  const path = resolveExecutable(c, argv0, [...p, 'path']);
  const startTime = c.opt(m, p, 'start_time', c.time, 0n);
  const shutdownTime = c.nullable(m, p, 'shutdown_time', c.time, null);
  const stop = `general.stop_time (${formatTime(stopTime)})`;
  if (startTime >= stopTime) c.fail([...p, 'start_time'], `${formatTime(startTime)} must be before ${stop}`);
  if (shutdownTime !== null && shutdownTime >= stopTime) c.fail([...p, 'shutdown_time'], `${formatTime(shutdownTime)} must be before ${stop}`);
  if (shutdownTime !== null && shutdownTime <= startTime) {
    c.fail([...p, 'shutdown_time'], `${formatTime(shutdownTime)} must be after start_time (${formatTime(startTime)})`);
  }
  return {
    path,
    args: args(c, m['args'], [...p, 'args']),
    argv0,
    environment: environment(c, m['environment'], [...p, 'environment']),
    startTime,
    shutdownTime,
    shutdownSignal: Number(c.opt(m, p, 'shutdown_signal', c.signal, 15n)),
    expectedFinalState: c.opt(m, p, 'expected_final_state', (x, q) => finalState(c, x, q), { exited: 0 }),
  };
}

// --- hosts -----------------------------------------------------------------------------------

/** Why `name` is not a valid hostname(7), or undefined. */
function hostnameProblem(name: string): string | undefined {
  if (name === '') return 'a hostname must not be empty';
  const bad = [...name].find((ch) => !/[a-z0-9.-]/.test(ch));
  if (bad !== undefined) return `invalid hostname character ${JSON.stringify(bad)} (use a-z, 0-9, '-' and '.')`;
  if (name.startsWith('-')) return 'a hostname must not begin with "-"';
  if (name.length > 253) return 'a hostname must be at most 253 characters';
  if (name.split('.').some((l) => l.length < 1 || l.length > 63)) return 'each dot-separated part of a hostname must be 1..63 characters';
  if (name === 'localhost') return '"localhost" is reserved';
  return undefined;
}

/** Why `ip` can't be a host address, or undefined. */
function ipProblem(ip: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  const octets = m?.slice(1).map(Number);
  if (m === null || octets === undefined || m.slice(1).some((o) => o.length > 1 && o.startsWith('0')) || octets.some((o) => o > 255)) {
    return `expected an IPv4 address like "11.0.0.1", got ${JSON.stringify(ip)}`;
  }
  const [a] = octets as [number];
  if (ip === '0.0.0.0') return `${ip} is the unspecified address`;
  if (a === 127) return `${ip} is a loopback address`;
  if (a >= 224 && a <= 239) return `${ip} is a multicast address`;
  if (ip === '255.255.255.255') return `${ip} is the broadcast address`;
  return undefined;
}

const HOST_KEYS = ['network_node_id', 'processes', 'ip_addr', 'bandwidth_down', 'bandwidth_up', 'host_options'] as const;

function host(
  c: Checker, name: string, v: unknown, graphNet: NetworkGraph, stopTime: bigint,
  defaults: HostOptions, ips: Map<string, string>,
): HostConfig {
  const p = ['hosts', name];
  const problem = hostnameProblem(name);
  if (problem !== undefined) c.fail(p, problem);
  const m = c.map(v, p, HOST_KEYS);
  const nodeId = c.req(m, p, 'network_node_id', c.uint(U32_MAX), 'network_node_id: 0');
  const node = graphNet.nodes.find((n) => n.id === nodeId);
  if (node === undefined) {
    const ids = graphNet.nodes.slice(0, 10).map((n) => n.id).join(', ');
    c.fail([...p, 'network_node_id'], `node ${nodeId} is not in the network graph (its nodes: ${ids}${graphNet.nodes.length > 10 ? ', ...' : ''})`);
  }
  const ipAddr = c.nullable(m, p, 'ip_addr', c.str, null);
  if (ipAddr !== null) {
    const bad = ipProblem(ipAddr);
    if (bad !== undefined) c.fail([...p, 'ip_addr'], bad);
    const owner = ips.get(ipAddr);
    if (owner !== undefined) c.fail([...p, 'ip_addr'], `${ipAddr} is already the address of host "${owner}"`);
    ips.set(ipAddr, name);
  }
  const bandwidthDown = c.nullable(m, p, 'bandwidth_down', c.bandwidth, null);
  const bandwidthUp = c.nullable(m, p, 'bandwidth_up', c.bandwidth, null);
  // Shadow refuses a host with no bandwidth from either place; say where to put one.
  if (bandwidthDown === null && node.bandwidthDown === undefined) {
    c.fail([...p, 'bandwidth_down'], `is required because graph node ${nodeId} has no host_bandwidth_down`);
  }
  if (bandwidthUp === null && node.bandwidthUp === undefined) {
    c.fail([...p, 'bandwidth_up'], `is required because graph node ${nodeId} has no host_bandwidth_up`);
  }
  const options = { ...defaults, ...hostOptions(c, m['host_options'], [...p, 'host_options']) };
  const procs = m['processes'];
  if (procs === undefined || procs === null) c.fail([...p, 'processes'], 'is required (a list of {path: ..., args: ...})');
  if (!Array.isArray(procs)) return c.fail([...p, 'processes'], `expected a list of processes, got ${show(procs)}`);
  return {
    name,
    networkNodeId: nodeId,
    ipAddr,
    bandwidthDown,
    bandwidthUp,
    options,
    processes: procs.map((x, i) => processOptions(c, x, [...p, 'processes', i], stopTime)),
  };
}

function hosts(c: Checker, v: unknown, graphNet: NetworkGraph, stopTime: bigint, defaults: HostOptions): HostConfig[] {
  if (v === undefined || v === null) c.fail(['hosts'], 'is required: a map of hostname to {network_node_id, processes}');
  if (!isPlainMap(v)) return c.fail(['hosts'], `expected a map of hostname to host options, got ${show(v)}`);
  // Shadow keeps hosts in a BTreeMap: sorted by name, which fixes IP assignment and host ids.
  const names = Object.keys(v).sort();
  if (names.length === 0) c.fail(['hosts'], 'needs at least one host');
  const ips = new Map<string, string>();
  return names.map((name) => host(c, name, v[name], graphNet, stopTime, defaults, ips));
}

/** With use_shortest_path false, Shadow routes only over direct edges: one per pair of used nodes. */
function checkDirectRoutes(c: Checker, net: NetworkOptions, hostList: readonly HostConfig[]): void {
  if (net.useShortestPath) return;
  const used = [...new Set(hostList.map((h) => h.networkNodeId))].sort((a, b) => a - b);
  for (const a of used) {
    for (const b of used) {
      if (!net.graph.directed && b < a) continue;
      const n = net.graph.edges.filter((e) => (e.source === a && e.target === b)
        || (!net.graph.directed && a !== b && e.source === b && e.target === a)).length;
      if (n !== 1) {
        c.fail(['network', 'use_shortest_path'],
          `is false, so the graph needs exactly one edge from every used node to every used node, but ${a} -> ${b} has ${n}`);
      }
    }
  }
}

// --- loading ---------------------------------------------------------------------------------

/** A deep copy with no shared objects, so anchors/aliases come out expanded in processed-config. */
function plainCopy(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plainCopy);
  if (!isPlainMap(v)) return v;
  const out: YamlMap = {};
  for (const [k, x] of Object.entries(v)) {
    Object.defineProperty(out, k, { value: plainCopy(x), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** Writes CLI overrides into the document's `general`; returns the key paths they set. */
function applyOverrides(root: YamlMap, o: ConfigOverrides): Set<string> {
  const entries: [string, unknown][] = [];
  if (o.stopTime !== undefined) entries.push(['stop_time', o.stopTime]);
  if (o.seed !== undefined) entries.push(['seed', /^[0-9]+$/.test(o.seed) ? Number(o.seed) : o.seed]);
  if (o.dataDirectory !== undefined) entries.push(['data_directory', o.dataDirectory]);
  if (o.logLevel !== undefined) entries.push(['log_level', o.logLevel]);
  if (o.progress !== undefined) entries.push(['progress', o.progress]);
  if (o.modelUnblockedSyscallLatency !== undefined) entries.push(['model_unblocked_syscall_latency', o.modelUnblockedSyscallLatency]);
  const set = new Set<string>();
  if (entries.length === 0) return set;
  if (root['general'] === undefined || root['general'] === null) root['general'] = {};
  const g = root['general'];
  if (!isPlainMap(g)) return set; // validation reports the bad section
  for (const [k, v] of entries) {
    g[k] = v;
    set.add(`general.${k}`);
  }
  return set;
}

/** Parses YAML text; syntax errors become ConfigErrors carrying the line. */
function parseYaml(file: string, text: string): { doc: Document; lines: LineCounter; root: YamlMap } {
  const lines = new LineCounter();
  const doc = parseDocument(text, { merge: true, prettyErrors: true, lineCounter: lines });
  const err = doc.errors[0];
  if (err !== undefined) {
    // prettyErrors appends " at line L, column C:" and a source excerpt; keep the first sentence.
    const first = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    const col = err.linePos?.[0].col;
    throw new ConfigError(file, err.linePos?.[0].line, '', `invalid YAML: ${first}${col === undefined ? '' : ` (column ${col})`}`);
  }
  let js: unknown;
  try {
    js = doc.toJS();
  } catch (e) {
    throw new ConfigError(file, undefined, '', `invalid YAML: ${(e as Error).message}`);
  }
  if (!isPlainMap(js)) {
    throw new ConfigError(file, undefined, '', `expected a map with general, network and hosts sections, got ${js === null || js === undefined ? 'an empty file' : show(js)}`);
  }
  return { doc, lines, root: plainCopy(js) as YamlMap };
}

/**
 * Loads a simulation file ('-' = stdin), applies CLI overrides and validates everything with
 * Shadow's defaults. Throws ConfigError (file, line, key path) for any mistake.
 */
export function loadSimulationConfig(
  file: string,
  overrides: ConfigOverrides,
  readStdin: () => string = () => fs.readFileSync(0, 'utf8'),
): SimulationConfig {
  const display = file === '-' ? '<stdin>' : file;
  let text: string;
  try {
    text = file === '-' ? readStdin() : fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new ConfigError(display, undefined, '', `cannot read the configuration file: ${why}`);
  }
  const { doc, lines, root } = parseYaml(display, text);
  // Shadow merges first, then drops top-level extension fields (`x-...`) used as anchor holders.
  for (const key of Object.keys(root)) if (key.startsWith('x-')) delete root[key];
  const fromCli = applyOverrides(root, overrides);
  const c = new Checker(display, doc, lines, fromCli);

  c.map(root, [], ['general', 'network', 'host_option_defaults', 'experimental', 'hosts']);
  for (const key of ['general', 'network', 'hosts']) {
    if (root[key] === undefined || root[key] === null) c.fail([key], 'is a required section');
  }
  const configDir = file === '-' ? process.cwd() : nodePath.dirname(nodePath.resolve(file));
  const gen = general(c, root['general']);
  const net = network(c, root['network'], configDir);
  const exp = experimental(c, root['experimental']);
  const defaults: HostOptions = {
    logLevel: null,
    pcapEnabled: false,
    pcapCaptureSize: 65535,
    ...hostOptions(c, root['host_option_defaults'], ['host_option_defaults']),
  };
  const hostList = hosts(c, root['hosts'], net.graph, gen.stopTime, defaults);
  checkDirectRoutes(c, net, hostList);
  return { source: file, general: gen, network: net, experimental: exp, hosts: hostList, document: root };
}
