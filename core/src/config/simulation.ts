/**
 * Loads and validates a Shadow simulation file (Shadow's `docs/shadow_config_spec.md`): YAML 1.2 with
 * merge keys, top-level `x-` extension keys dropped, command-line overrides applied, then checked
 * against `schema/simulation.schema.json` (structure, types, units, unknown keys), Shadow's
 * defaults applied and what a schema cannot say checked by the section readers (sections.ts,
 * hosts.ts); every mistake is a ConfigError with file, line and key path.
 */

import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { systemReason } from '../output.js';
import { Checker, isPlainMap, section, show, type YamlMap } from './checker.js';
import { ConfigError } from './errors.js';
import { checkDirectRoutes, hosts } from './hosts.js';
import { schemaValidator } from './schema.js';
import { experimental, general, hostOptions, network } from './sections.js';
import { parseYaml, type ParsedYaml } from './yaml.js';
import type { ConfigOverrides, HostOptions, SimulationConfig } from './types.js';

/** Writes CLI overrides into the document's sections; returns the key paths they set. */
function applyOverrides(root: YamlMap, o: ConfigOverrides): Set<string> {
  const entries: [string, string, unknown][] = [];
  if (o.stopTime !== undefined) entries.push(['general', 'stop_time', o.stopTime]);
  if (o.seed !== undefined) entries.push(['general', 'seed', /^[0-9]+$/.test(o.seed) ? Number(o.seed) : o.seed]);
  if (o.dataDirectory !== undefined) entries.push(['general', 'data_directory', o.dataDirectory]);
  if (o.logLevel !== undefined) entries.push(['general', 'log_level', o.logLevel]);
  for (const [path, v] of Object.entries(o.keys ?? {})) {
    const dot = path.indexOf('.');
    entries.push([path.slice(0, dot), path.slice(dot + 1), v]);
  }
  const set = new Set<string>();
  for (const [section, k, v] of entries) {
    if (root[section] === undefined || root[section] === null) root[section] = {};
    const m = root[section];
    if (!isPlainMap(m)) continue; // validation reports the bad section
    m[k] = v;
    set.add(`${section}.${k}`);
  }
  return set;
}

/** Parses the simulation file's YAML; it must be a map of sections. */
function parseSimulation(file: string, text: string): { parsed: ParsedYaml; root: YamlMap } {
  const parsed = parseYaml(file, text);
  const value = parsed.value;
  if (!isPlainMap(value)) {
    throw new ConfigError(file, undefined, '', `expected a map with general, network and hosts sections, got ${value === null || value === undefined ? 'an empty file' : show(value)}`);
  }
  return { parsed, root: value };
}

/** The largest simulation file read: far beyond any real one, and a stop for `/dev/zero`-like inputs. */
export const MAX_CONFIG_BYTES = 64 * 1024 * 1024;
const TOO_LARGE = `it is larger than ${MAX_CONFIG_BYTES / 1024 / 1024} MiB`;

/** Reads `fd` to its end, failing once it passes MAX_CONFIG_BYTES. */
function readAtMost(fd: number): string {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.alloc(1 << 20);
    const n = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) return Buffer.concat(chunks, total).toString('utf8');
    total += n;
    if (total > MAX_CONFIG_BYTES) throw new Error(TOO_LARGE);
    chunks.push(chunk.subarray(0, n));
  }
}

/** Why a path is not a file to read a configuration from, or null when it is a regular file. */
function notRegular(stat: fs.Stats): string | null {
  if (stat.isFile()) return stat.size > MAX_CONFIG_BYTES ? TOO_LARGE : null;
  if (stat.isDirectory()) return 'it is a directory';
  const kind = stat.isCharacterDevice() ? 'a character device' : stat.isBlockDevice() ? 'a block device'
    : stat.isFIFO() ? 'a named pipe' : 'a socket';
  return `it is ${kind}, not a regular file (give '-' to read the configuration from stdin)`;
}

/** Reads a simulation file: a regular file of at most MAX_CONFIG_BYTES. */
function readConfigFile(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  try {
    const why = notRegular(fs.fstatSync(fd));
    if (why !== null) throw new Error(why);
    return readAtMost(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Loads a simulation file ('-' = stdin), applies CLI overrides and validates everything with
 * Shadow's defaults. Throws ConfigError (file, line, key path) for any mistake.
 */
export function loadSimulationConfig(
  file: string,
  overrides: ConfigOverrides,
  readStdin: () => string = () => readAtMost(0),
): SimulationConfig {
  const display = file === '-' ? '<stdin>' : file;
  let text: string;
  try {
    text = file === '-' ? readStdin() : readConfigFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === undefined ? (e as Error).message : systemReason(e);
    throw new ConfigError(display, undefined, '', `cannot read the configuration file: ${why}`);
  }
  const { parsed, root } = parseSimulation(display, text);
  // Shadow merges first, then drops top-level extension fields (`x-...`) used as anchor holders.
  for (const key of Object.keys(root)) if (key.startsWith('x-')) delete root[key];
  const fromCli = applyOverrides(root, overrides);
  const c = new Checker(display, parsed, fromCli);

  c.conform(schemaValidator('simulation'), root);
  const configDir = file === '-' ? process.cwd() : nodePath.dirname(nodePath.resolve(file));
  const gen = general(section(root, 'general'));
  const net = network(c, section(root, 'network'), configDir);
  const exp = experimental(section(root, 'experimental'));
  const defaults: HostOptions = {
    logLevel: null,
    pcapEnabled: false,
    pcapCaptureSize: 65535,
    heartbeatInterval: null,
    heartbeatLogLevel: 'info',
    heartbeatLogInfo: ['node'],
    ...hostOptions(c, section(root, 'host_option_defaults'), ['host_option_defaults']),
  };
  const hostList = hosts(c, section(root, 'hosts'), net.graph, gen.stopTime, defaults);
  checkDirectRoutes(c, net, hostList);
  return { source: file, general: gen, network: net, experimental: exp, hostDefaults: defaults, hosts: hostList, document: root };
}
