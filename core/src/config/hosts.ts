/**
 * Readers for the `hosts` section, once the schema has checked its shape (hostnames and
 * addresses included): each host (its graph node, unique address, bandwidths, host options) and
 * its processes (executable resolved like Shadow, args split like a shell, environment,
 * start/shutdown times within the run, expected final state), plus the check that, without
 * shortest-path routing, every pair of used graph nodes has exactly one direct edge.
 */

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { type Checker, given, isPlainMap, nullable, type Path, section, show, unit, type YamlMap } from './checker.js';
import { expandHome, hostOptions } from './sections.js';
import type {
  ExpectedFinalState, HostConfig, HostOptions, NetworkGraph, NetworkOptions, ProcessOptions,
} from './types.js';
import { formatTime, parseBandwidth, parseSignal, parseTime } from './units.js';

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
  if (typeof v !== 'string') return (v as unknown[]).map(String);
  try {
    return splitShellWords(v);
  } catch (e) {
    return c.fail(p, `${(e as Error).message} in ${show(v)}`);
  }
}

/** Reads a process's `environment`: a map of variable name to scalar value. */
function environment(v: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(isPlainMap(v) ? v : {}).map(([name, x]) => [name, String(x)]));
}

/** Reads `expected_final_state`: running, {exited: N} or {signaled: SIGNAL}. */
function finalState(v: unknown): ExpectedFinalState {
  if (!isPlainMap(v)) return 'running';
  return 'exited' in v ? { exited: v['exited'] as number } : { signaled: unit(v['signaled'], parseSignal) };
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

/** Reads one process; its times must fall within (start_time, stop_time). */
function processOptions(c: Checker, m: YamlMap, p: Path, stopTime: bigint): ProcessOptions {
  const argv0 = m['path'] as string;
  const path = resolveExecutable(c, argv0, [...p, 'path']);
  const startTime = given(m, 'start_time') ? unit(m['start_time'], parseTime) : 0n;
  const shutdownTime = given(m, 'shutdown_time') ? unit(m['shutdown_time'], parseTime) : null;
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
    environment: environment(m['environment']),
    startTime,
    shutdownTime,
    shutdownSignal: given(m, 'shutdown_signal') ? unit(m['shutdown_signal'], parseSignal) : 15,
    expectedFinalState: given(m, 'expected_final_state') ? finalState(m['expected_final_state']) : { exited: 0 },
  };
}

// --- hosts -----------------------------------------------------------------------------------

/** Reads one host; `ips` maps the addresses taken so far to their hosts, to reject duplicates. */
function host(
  c: Checker, name: string, m: YamlMap, graphNet: NetworkGraph, stopTime: bigint,
  defaults: HostOptions, ips: Map<string, string>,
): HostConfig {
  const p = ['hosts', name];
  const nodeId = m['network_node_id'] as number;
  const node = graphNet.nodes.find((n) => n.id === nodeId);
  if (node === undefined) {
    const ids = graphNet.nodes.slice(0, 10).map((n) => n.id).join(', ');
    c.fail([...p, 'network_node_id'], `node ${nodeId} is not in the network graph (its nodes: ${ids}${graphNet.nodes.length > 10 ? ', ...' : ''})`);
  }
  const ipAddr = nullable<string>(m, 'ip_addr', null);
  if (ipAddr !== null) {
    const owner = ips.get(ipAddr);
    if (owner !== undefined) c.fail([...p, 'ip_addr'], `${ipAddr} is already the address of host "${owner}"`);
    ips.set(ipAddr, name);
  }
  const bandwidthDown = given(m, 'bandwidth_down') ? unit(m['bandwidth_down'], parseBandwidth) : null;
  const bandwidthUp = given(m, 'bandwidth_up') ? unit(m['bandwidth_up'], parseBandwidth) : null;
  // Shadow refuses a host with no bandwidth from either place; say where to put one.
  if (bandwidthDown === null && node.bandwidthDown === undefined) {
    c.fail([...p, 'bandwidth_down'], `is required because graph node ${nodeId} has no host_bandwidth_down`);
  }
  if (bandwidthUp === null && node.bandwidthUp === undefined) {
    c.fail([...p, 'bandwidth_up'], `is required because graph node ${nodeId} has no host_bandwidth_up`);
  }
  const options = { ...defaults, ...hostOptions(c, section(m, 'host_options'), [...p, 'host_options']) };
  const procs = m['processes'] as YamlMap[];
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
export function hosts(c: Checker, v: YamlMap, graphNet: NetworkGraph, stopTime: bigint, defaults: HostOptions): HostConfig[] {
  // Shadow keeps hosts in a BTreeMap: sorted by name, which fixes IP assignment and host ids.
  const names = Object.keys(v).sort();
  const ips = new Map<string, string>();
  return names.map((name) => host(c, name, section(v, name), graphNet, stopTime, defaults, ips));
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
