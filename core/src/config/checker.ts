/**
 * The Checker: reads raw YAML values into typed ones and reports every mistake as a ConfigError
 * naming the file, the line (found by walking the YAML nodes, through aliases and merge keys)
 * and the key path, or "set on the command line" for overridden values. Also holds the small
 * helpers the section readers share: the map test, value display for messages and U32_MAX.
 */

import { type Document, isAlias, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';
import { ConfigError, formatKeyPath, type KeySegment } from './errors.js';
import { parseBandwidth, parseBytes, parseSignal, parseTime, UnitError } from './units.js';

/** A key path into the document: map keys and list indices. */
export type Path = readonly KeySegment[];
/** A YAML map as `toJS` returns it. */
export type YamlMap = Record<string, unknown>;
/** Turns a raw YAML value at `path` into a typed value, or reports why it can't. */
type Parse<T> = (value: unknown, path: Path) => T;

/** Largest value of Shadow's u32 fields (seed, parallelism, node ids, sizes). */
export const U32_MAX = 0xffff_ffff;

/** Whether `v` is a YAML map (a non-null, non-array object). */
export function isPlainMap(v: unknown): v is YamlMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** How a value reads in a message: strings quoted, collections named. */
export function show(v: unknown): string {
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
export class Checker {
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

/** Start offset of a YAML node (scalar, collection or alias), if it has a range. */
function rangeStart(v: unknown): number | undefined {
  return isScalar(v) || isMap(v) || isSeq(v) || isAlias(v) ? v.range?.[0] : undefined;
}
