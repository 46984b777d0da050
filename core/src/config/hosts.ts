/**
 * Readers for the `hosts` section: each host (hostname and IP checks, graph node, bandwidths,
 * host options) and its processes (executable resolved like Shadow, args split like a shell,
 * environment, start/shutdown times, expected final state), plus the check that, without
 * shortest-path routing, every pair of used graph nodes has exactly one direct edge.
 */

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { type Checker, isPlainMap, type Path, show, U32_MAX } from './checker.js';
import { expandHome, hostOptions } from './sections.js';
import type {
  ExpectedFinalState, HostConfig, HostOptions, NetworkGraph, NetworkOptions, ProcessOptions,
} from './types.js';
import { formatTime } from './units.js';

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

/** Reads a process's `args`: a shell-like string or a list of scalars. */
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

/** Reads a process's `environment`: a map of variable name to scalar value. */
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

/** Reads `expected_final_state`: running, {exited: N} or {signaled: SIGNAL}. */
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

/** Reads one process; its times must fall within (start_time, stop_time). */
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

/** Reads one host; `ips` maps the addresses taken so far to their hosts, to reject duplicates. */
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

/**
 * Reads the `hosts` section, sorted by name as Shadow does; host options are layered over
 * `defaults` and processes checked against `stopTime`.
 */
export function hosts(c: Checker, v: unknown, graphNet: NetworkGraph, stopTime: bigint, defaults: HostOptions): HostConfig[] {
  if (v === undefined || v === null) c.fail(['hosts'], 'is required: a map of hostname to {network_node_id, processes}');
  if (!isPlainMap(v)) return c.fail(['hosts'], `expected a map of hostname to host options, got ${show(v)}`);
  // Shadow keeps hosts in a BTreeMap: sorted by name, which fixes IP assignment and host ids.
  const names = Object.keys(v).sort();
  if (names.length === 0) c.fail(['hosts'], 'needs at least one host');
  const ips = new Map<string, string>();
  return names.map((name) => host(c, name, v[name], graphNet, stopTime, defaults, ips));
}

/** With use_shortest_path false, Shadow routes only over direct edges: one per pair of used nodes. */
export function checkDirectRoutes(c: Checker, net: NetworkOptions, hostList: readonly HostConfig[]): void {
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
