/**
 * The Checker: reports every mistake as a ConfigError naming the file, the line (found by walking
 * the YAML nodes, through aliases and merge keys) and the key path, or "set on the command line"
 * for overridden values. The structure, types and units of the file are its JSON Schema's
 * (`conform`); the section readers then read values the schema has checked, with the helpers
 * below, and check what a schema cannot say.
 */

import type { Document, LineCounter, Node } from 'yaml';
import type { ValidateFunction } from 'ajv';
import { ConfigError, formatKeyPath, type KeySegment } from './errors.js';
import { firstIssue, isPlainMap, SIMULATION_STYLE, type YamlMap } from './schema.js';
import type { UnitInput } from './units.js';
import { yamlLibrary } from './yaml.js';

export { isPlainMap, show, type YamlMap } from './schema.js';

/** A key path into the document: map keys and list indices. */
export type Path = readonly KeySegment[];

/** Largest value of Shadow's u32 fields (seed, parallelism, node ids, sizes). */
export const U32_MAX = 0xffff_ffff;

/**
 * Knows where values came from, so errors can name file, line and key path. Lines come from
 * the YAML nodes; values set on the command line have no line.
 */
export class Checker {
  constructor(
    readonly file: string,
    /** The file's YAML document and line counter (parsed when a line is first asked for). */
    private readonly source: { readonly doc: Document; readonly lines: LineCounter },
    private readonly fromCli: ReadonlySet<string>,
  ) {}

  private get doc(): Document {
    return this.source.doc;
  }

  private get lines(): LineCounter {
    return this.source.lines;
  }

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
    const { isMap, isSeq } = yamlLibrary();
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
    const { isAlias, isMap, isScalar, isSeq } = yamlLibrary();
    for (let i = 0; i < 100 && isAlias(v); i++) v = v.resolve(this.doc);
    return isMap(v) || isSeq(v) || isScalar(v) ? v : undefined;
  }

  /** Finds `key` in a map, looking through `<<` merge sources as `toJS` does. */
  private findPair(map: Node, key: string, depth: number): { key?: unknown; value: unknown } | undefined {
    const { isMap, isScalar, isSeq } = yamlLibrary();
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

  /** Checks `value` against a schema: its first mistake is this file's ConfigError. */
  conform(validate: ValidateFunction, value: unknown): void {
    const issue = firstIssue(validate, value, SIMULATION_STYLE);
    if (issue !== null) this.fail(issue.path, issue.detail);
  }
}

// --- reading values the schema has checked ---------------------------------------------------

/** Whether `m` gives `key` a value (null counts as not given). */
export function given(m: YamlMap, key: string): boolean {
  return m[key] !== undefined && m[key] !== null;
}

/** `m[key]`, or `dflt` when it is absent or null. */
export function value<T>(m: YamlMap, key: string, dflt: T): T {
  return given(m, key) ? (m[key] as T) : dflt;
}

/** `m[key]` where null means "none": absent → `dflt`, null → null. */
export function nullable<T>(m: YamlMap, key: string, dflt: T | null): T | null {
  const v = m[key];
  return v === undefined ? dflt : (v as T | null);
}

/** A unit value (time, bandwidth, size) the schema's x-unit has checked, converted by `parse`. */
export function unit<T>(v: unknown, parse: (v: UnitInput) => T): T {
  return parse(v as UnitInput);
}

/** The map at `m[key]`, or an empty one when it is absent or null. */
export function section(m: YamlMap, key: string): YamlMap {
  const v = m[key];
  return isPlainMap(v) ? v : {};
}

/** Start offset of a YAML node (scalar, collection or alias), if it has a range. */
function rangeStart(v: unknown): number | undefined {
  const { isAlias, isMap, isScalar, isSeq } = yamlLibrary();
  return isScalar(v) || isMap(v) || isSeq(v) || isAlias(v) ? v.range?.[0] : undefined;
}
