/**
 * YAML parsing for the simulation file and `.shadowrc`: every syntax mistake, and an alias whose
 * anchor is not set before it, becomes a ConfigError with the file and the line.
 *
 * Two parsers, one meaning. js-yaml reads a file about fifteen times faster than `yaml`'s
 * document API, which keeps the positions of every node: a 100,000-host file takes seconds, not
 * half a minute. So the value comes from js-yaml, with a schema that resolves plain scalars as
 * YAML 1.2's core schema does in `yaml` (the same null, bool, int and float forms) plus merge
 * keys; the `yaml` document, needed only to name the line of a mistake, is parsed when first
 * asked for. Whatever js-yaml refuses or might read otherwise (a syntax error, an unknown tag,
 * aliases that expand far beyond the text) goes to `yaml` alone, which words the error.
 */

import { createRequire } from 'node:module';
import * as jsYamlModule from 'js-yaml';
import type { Alias, Document, LineCounter } from 'yaml';
import { ConfigError } from './errors.js';
import { isPlainMap, type YamlMap } from './schema.js';

/** A parsed YAML file: its plain value (no object shared), and the document for locating keys. */
export interface ParsedYaml {
  readonly value: unknown;
  /** The `yaml` document and its line counter, parsed on first use. */
  readonly doc: Document;
  readonly lines: LineCounter;
}

/**
 * The part of js-yaml 4's API used here, typed here: the js-yaml 5 that the test tools hoist to
 * the top of node_modules gives TypeScript its own types, while Node loads core's version 4
 * (its one-file ES module build).
 */
interface JsYaml4 {
  load(text: string, options: { schema: unknown }): unknown;
  Type: new (tag: string, options: { kind: 'scalar'; resolve(data: unknown): boolean; construct(data: string): unknown }) => unknown;
  FAILSAFE_SCHEMA: { extend(types: { implicit: unknown[] }): unknown };
  types: { merge: unknown };
}
const jsYaml = jsYamlModule as unknown as JsYaml4;

let yamlModule: typeof import('yaml') | undefined;
/**
 * The `yaml` package, loaded on first use: a run whose files hold no mistake never needs it, and
 * its 73 modules are a tenth of what the simulator loads at start.
 */
export function yamlLibrary(): typeof import('yaml') {
  return (yamlModule ??= createRequire(import.meta.url)('yaml') as typeof import('yaml'));
}

/** A js-yaml type for plain scalars matching `test`, as `yaml`'s core schema resolves them. */
function scalarType(tag: string, test: RegExp, construct: (s: string) => unknown): unknown {
  return new jsYaml.Type(`tag:yaml.org,2002:${tag}`, { kind: 'scalar', resolve: (s: unknown) => typeof s === 'string' && test.test(s), construct });
}

/**
 * The plain scalars YAML 1.2's core schema reads as null, booleans, integers and floats, as
 * `yaml` (node_modules/yaml/dist/schema/core) implements it; every other plain scalar is a string.
 */
export const CORE_SCALARS = {
  null: /^(?:~|[Nn]ull|NULL)?$/,
  bool: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
  int: /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/,
  float: /^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
} as const;

/** The core schema for js-yaml, with merge keys. */
const CORE_WITH_MERGE = jsYaml.FAILSAFE_SCHEMA.extend({
  implicit: [
    scalarType('null', CORE_SCALARS.null, () => null),
    scalarType('bool', CORE_SCALARS.bool, (s) => s[0] === 't' || s[0] === 'T'),
    scalarType('int', CORE_SCALARS.int, (s) =>
      s.startsWith('0o') ? parseInt(s.slice(2), 8) : s.startsWith('0x') ? parseInt(s.slice(2), 16) : parseInt(s, 10),
    ),
    scalarType('float', CORE_SCALARS.float, (s) =>
      s.slice(-3).toLowerCase() === 'nan' ? NaN : s.slice(-3).toLowerCase() === 'inf' ? (s[0] === '-' ? -Infinity : Infinity) : parseFloat(s),
    ),
    jsYaml.types.merge,
  ],
});

/**
 * A deep copy with no shared objects, so anchors and aliases come out expanded (processed-config
 * shows them so); null once it would hold more than `budget` nodes.
 */
function expand(v: unknown, budget: { left: number }): unknown {
  if (--budget.left < 0) return null;
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      out.push(expand(x, budget));
      if (budget.left < 0) return null;
    }
    return out;
  }
  if (!isPlainMap(v)) return v;
  const out: YamlMap = {};
  for (const [k, x] of Object.entries(v)) {
    Object.defineProperty(out, k, { value: expand(x, budget), enumerable: true, writable: true, configurable: true });
    if (budget.left < 0) return null;
  }
  return out;
}

/** A block map key that is null (`~:`, `null:`, `:`): js-yaml names it "null", `yaml` "". */
const NULL_KEY = /^[ \t]*(?:- +)?(?:~|null|Null|NULL)?[ \t]*:(?:[ \t]|$)/m;

/** The value js-yaml reads, or undefined where `yaml` must decide. */
function quickValue(text: string): { value: unknown } | undefined {
  if (NULL_KEY.test(text)) return undefined;
  let value: unknown;
  try {
    value = jsYaml.load(text, { schema: CORE_WITH_MERGE });
  } catch {
    return undefined;
  }
  // Without aliases the tree has fewer nodes than the text has characters; with them, far more
  // means an alias bomb, which `yaml` refuses with its own message.
  const budget = { left: 4 * text.length + 1024 };
  const copy = expand(value, budget);
  return budget.left < 0 ? undefined : { value: copy };
}

/** The first alias in `doc` that names no anchor set before it. */
function unresolvedAlias(doc: Document): Alias | undefined {
  const { visit } = yamlLibrary();
  let found: Alias | undefined;
  visit(doc, {
    Alias(_key, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      found = node;
      return visit.BREAK;
    },
  });
  return found;
}

/**
 * Parses with `yaml`'s document API; a mistake in the text is a ConfigError with its line.
 * `checkKeys` has it refuse duplicate keys, which costs time quadratic in a map's size (minutes
 * for 100,000 hosts); a document wanted only to locate a mistake in text js-yaml accepted skips it.
 */
function parseWithPositions(file: string, text: string, checkKeys: boolean): { doc: Document; lines: LineCounter } {
  const { LineCounter, parseDocument } = yamlLibrary();
  const lines = new LineCounter();
  const doc = parseDocument(text, { merge: true, prettyErrors: true, lineCounter: lines, uniqueKeys: checkKeys });
  const err = doc.errors[0];
  if (err !== undefined) {
    // prettyErrors appends " at line L, column C:" and a source excerpt; keep the first sentence.
    const first = (err.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
    const col = err.linePos?.[0].col;
    throw new ConfigError(file, err.linePos?.[0].line, '', `invalid YAML: ${first}${col === undefined ? '' : ` (column ${col})`}`);
  }
  const alias = unresolvedAlias(doc);
  if (alias !== undefined) {
    const start = alias.range?.[0];
    const line = start === undefined ? undefined : lines.linePos(start).line;
    throw new ConfigError(file, line, '', `invalid YAML: alias *${alias.source} has no anchor &${alias.source} before it`);
  }
  return { doc, lines };
}

/** Parses YAML 1.2 with merge keys; `file` names the file in errors. */
export function parseYaml(file: string, text: string): ParsedYaml {
  let positions: { doc: Document; lines: LineCounter } | undefined;
  const quick = quickValue(text);
  const located = () => (positions ??= parseWithPositions(file, text, quick === undefined));
  let value: unknown;
  if (quick !== undefined) {
    value = quick.value;
  } else {
    const { doc } = located();
    try {
      value = expand(doc.toJS(), { left: Infinity });
    } catch (e) {
      throw new ConfigError(file, undefined, '', `invalid YAML: ${(e as Error).message}`);
    }
  }
  return {
    value,
    get doc() {
      return located().doc;
    },
    get lines() {
      return located().lines;
    },
  };
}
