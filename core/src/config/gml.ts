/**
 * Shadow's GML subset (`src/lib/gml-parser`): `graph [ ... ]` holding `key value` items, where
 * `node [ ... ]` and `edge [ ... ]` blocks hold flat key/values. Values are ints, floats or
 * `"strings"` with `\\` and `\"` escapes. There are no comments. `buildGraph` then applies
 * Shadow's rules for network graphs (`src/main/network/graph/mod.rs`).
 */

import type { GmlEdge, GmlNode, NetworkGraph } from './types.js';
import { parseBandwidth, parseTime, UnitError } from './units.js';

/** A GML syntax or graph mistake at a 1-based line and column of the GML text. */
export class GmlError extends Error {
  override readonly name = 'GmlError';
  readonly line: number;
  readonly column: number;
  /** The explanation without the position. */
  readonly detail: string;

  constructor(line: number, column: number, detail: string) {
    super(`line ${line}, column ${column}: ${detail}`);
    this.line = line;
    this.column = column;
    this.detail = detail;
  }
}

/** A position in the GML text (1-based). */
export interface GmlPos {
  readonly line: number;
  readonly column: number;
}

/** A GML scalar value. Ints are those written without a '.' or exponent. */
export type GmlValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string };

/** One `key value` item, positioned at its key. */
export interface GmlAttr {
  readonly key: string;
  readonly value: GmlValue;
  readonly pos: GmlPos;
}

/** A `node [ ... ]` or `edge [ ... ]` block, positioned at its keyword. */
export interface GmlBlock {
  readonly pos: GmlPos;
  readonly attrs: ReadonlyMap<string, GmlAttr>;
}

/** The parsed `graph [ ... ]`: syntax only, no graph rules applied yet. */
export interface GmlDocument {
  readonly pos: GmlPos;
  readonly directed: boolean;
  readonly nodes: readonly GmlBlock[];
  readonly edges: readonly GmlBlock[];
  /** Other top-level items (e.g. `label`), ignored by Shadow. */
  readonly attrs: ReadonlyMap<string, GmlAttr>;
}

type Token =
  | { readonly kind: '[' | ']' | 'eof'; readonly pos: GmlPos }
  | { readonly kind: 'key'; readonly text: string; readonly pos: GmlPos }
  | { readonly kind: 'value'; readonly value: GmlValue; readonly pos: GmlPos };

const KEY_RE = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER_RE = /[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/y;

/** Splits GML text into tokens, tracking line and column for messages. */
class Lexer {
  private i = 0;
  private line = 1;
  private col = 1;

  constructor(private readonly text: string) {}

  private advance(n: number): void {
    for (let k = 0; k < n; k++) {
      if (this.text[this.i] === '\n') {
        this.line++;
        this.col = 1;
      } else {
        this.col++;
      }
      this.i++;
    }
  }

  private pos(): GmlPos {
    return { line: this.line, column: this.col };
  }

  private fail(detail: string): never {
    throw new GmlError(this.line, this.col, detail);
  }

  next(): Token {
    while (this.i < this.text.length && /\s/.test(this.text[this.i]!)) this.advance(1);
    const pos = this.pos();
    const c = this.text[this.i];
    if (c === undefined) return { kind: 'eof', pos };
    if (c === '[' || c === ']') {
      this.advance(1);
      return { kind: c, pos };
    }
    if (c === '"') return this.string(pos);
    KEY_RE.lastIndex = this.i;
    const key = KEY_RE.exec(this.text);
    if (key !== null) {
      this.advance(key[0].length);
      return { kind: 'key', text: key[0], pos };
    }
    NUMBER_RE.lastIndex = this.i;
    const num = NUMBER_RE.exec(this.text);
    if (num !== null) {
      this.advance(num[0].length);
      this.endOfValue();
      const isInt = /^[+-]?[0-9]+$/.test(num[0]);
      return { kind: 'value', value: { kind: isInt ? 'int' : 'float', value: Number(num[0]) }, pos };
    }
    if (c === '#') this.fail(`unexpected character '#' (GML has no comments)`);
    return this.fail(`unexpected character ${JSON.stringify(c)}`);
  }

  private string(pos: GmlPos): Token {
    this.advance(1);
    let out = '';
    for (;;) {
      const c = this.text[this.i];
      if (c === undefined) throw new GmlError(pos.line, pos.column, 'unterminated string');
      if (c === '"') break;
      if (c === '\\') {
        const e = this.text[this.i + 1];
        // Shadow's parser knows exactly these two escapes; anything else is an error there too.
        if (e !== '\\' && e !== '"') {
          this.advance(1);
          this.fail('invalid escape in string (only \\\\ and \\" are allowed)');
        }
        out += e;
        this.advance(2);
        continue;
      }
      out += c;
      this.advance(1);
    }
    this.advance(1);
    this.endOfValue();
    return { kind: 'value', value: { kind: 'string', value: out }, pos };
  }

  /** Shadow needs whitespace (or the closing bracket) after a value: `id 0x` is not `id 0`. */
  private endOfValue(): void {
    const c = this.text[this.i];
    if (c !== undefined && c !== ']' && !/\s/.test(c)) {
      this.fail(`expected whitespace after a value, found ${JSON.stringify(c)}`);
    }
  }
}

function describeToken(t: Token): string {
  switch (t.kind) {
    case 'eof': return 'the end of the text';
    case 'key': return `"${t.text}"`;
    case 'value': return t.value.kind === 'string' ? JSON.stringify(t.value.value) : String(t.value.value);
    default: return `'${t.kind}'`;
  }
}

function unexpected(t: Token, expected: string): never {
  throw new GmlError(t.pos.line, t.pos.column, `expected ${expected}, found ${describeToken(t)}`);
}

/** Reads `key value` items up to the closing `]`; `onBlock` handles `key [` (node/edge). */
function readItems(lx: Lexer, where: string, onBlock?: (key: Token & { kind: 'key' }) => void): Map<string, GmlAttr> {
  const attrs = new Map<string, GmlAttr>();
  for (;;) {
    const t = lx.next();
    if (t.kind === ']') return attrs;
    if (t.kind !== 'key') unexpected(t, `a key or ']' to close the ${where}`);
    const v = lx.next();
    if (v.kind === '[') {
      if (onBlock === undefined || (t.text !== 'node' && t.text !== 'edge')) {
        throw new GmlError(v.pos.line, v.pos.column, `"${t.text} [" is not supported here: only node and edge blocks, directly inside graph, may hold a list`);
      }
      onBlock(t);
      continue;
    }
    if (v.kind !== 'value') unexpected(v, `a value (number or "string") for "${t.text}"`);
    const prev = attrs.get(t.text);
    if (prev !== undefined) {
      throw new GmlError(t.pos.line, t.pos.column, `duplicate key "${t.text}" in the ${where} (first at line ${prev.pos.line})`);
    }
    attrs.set(t.text, { key: t.text, value: v.value, pos: t.pos });
  }
}

/** Parses GML text into its syntax tree. Throws GmlError naming line and column. */
export function parseGml(text: string): GmlDocument {
  const lx = new Lexer(text);
  const head = lx.next();
  if (head.kind !== 'key' || head.text !== 'graph') unexpected(head, '"graph ["');
  const open = lx.next();
  if (open.kind !== '[') unexpected(open, `'[' after "graph"`);
  const nodes: GmlBlock[] = [];
  const edges: GmlBlock[] = [];
  const attrs = readItems(lx, 'graph', (key) => {
    const block = { pos: key.pos, attrs: readItems(lx, `${key.text} block`) };
    (key.text === 'node' ? nodes : edges).push(block);
  });
  const end = lx.next();
  if (end.kind !== 'eof') unexpected(end, 'nothing after the closing \']\' of the graph');

  let directed = false;
  const d = attrs.get('directed');
  if (d !== undefined) {
    if (d.value.kind !== 'int' || (d.value.value !== 0 && d.value.value !== 1)) {
      throw new GmlError(d.pos.line, d.pos.column, '"directed" must be 0 or 1');
    }
    directed = d.value.value === 1;
    attrs.delete('directed');
  }
  return { pos: head.pos, directed, nodes, edges, attrs };
}

const U32_MAX = 0xffff_ffff;

function failAt(pos: GmlPos, detail: string): never {
  throw new GmlError(pos.line, pos.column, detail);
}

function idAttr(block: GmlBlock, key: string, what: string): number {
  const a = block.attrs.get(key);
  if (a === undefined) failAt(block.pos, `${what} has no "${key}"`);
  if (a.value.kind !== 'int' || a.value.value < 0 || a.value.value > U32_MAX) {
    failAt(a.pos, `"${key}" must be an integer 0..${U32_MAX}`);
  }
  return a.value.value;
}

/** Parses a unit attribute; GML strings carry units, a bare int is in the base unit. */
function unitAttr(a: GmlAttr, parse: (v: string | number) => bigint): bigint {
  if (a.value.kind === 'float') failAt(a.pos, `"${a.key}" must be a string with a unit, e.g. "10 ms" or "1 Gbit"`);
  try {
    return parse(a.value.value);
  } catch (e) {
    if (e instanceof UnitError) failAt(a.pos, `"${a.key}": ${e.message}`);
    throw e;
  }
}

function labelOf(block: GmlBlock): { label?: string } {
  const l = block.attrs.get('label');
  return l !== undefined && l.value.kind === 'string' ? { label: l.value.value } : {};
}

function buildNode(block: GmlBlock): GmlNode {
  const down = block.attrs.get('host_bandwidth_down');
  const up = block.attrs.get('host_bandwidth_up');
  return {
    id: idAttr(block, 'id', 'node'),
    ...labelOf(block),
    ...(down !== undefined ? { bandwidthDown: unitAttr(down, parseBandwidth) } : {}),
    ...(up !== undefined ? { bandwidthUp: unitAttr(up, parseBandwidth) } : {}),
  };
}

function buildEdge(block: GmlBlock, nodeIds: ReadonlySet<number>): GmlEdge {
  const source = idAttr(block, 'source', 'edge');
  const target = idAttr(block, 'target', 'edge');
  for (const [key, id] of [['source', source], ['target', target]] as const) {
    if (!nodeIds.has(id)) failAt(block.attrs.get(key)!.pos, `edge ${key} ${id} is not a node of the graph`);
  }
  const lat = block.attrs.get('latency');
  if (lat === undefined) failAt(block.pos, `edge ${source} -> ${target} has no "latency" (e.g. latency "10 ms")`);
  const latency = unitAttr(lat, parseTime);
  if (latency === 0n) failAt(lat.pos, '"latency" must be greater than 0');
  const jit = block.attrs.get('jitter');
  const loss = block.attrs.get('packet_loss');
  let packetLoss = 0;
  if (loss !== undefined) {
    if (loss.value.kind === 'string' || loss.value.value < 0 || loss.value.value > 1) {
      failAt(loss.pos, '"packet_loss" must be a number in [0, 1], e.g. 0.01');
    }
    packetLoss = loss.value.value;
  }
  return {
    source,
    target,
    ...labelOf(block),
    latency,
    jitter: jit === undefined ? 0n : unitAttr(jit, parseTime),
    packetLoss,
  };
}

/** Nodes reachable from `start` following `adj`. */
function reach(start: number, adj: ReadonlyMap<number, readonly number[]>): Set<number> {
  const seen = new Set<number>([start]);
  const todo = [start];
  while (todo.length > 0) {
    for (const n of adj.get(todo.pop()!) ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        todo.push(n);
      }
    }
  }
  return seen;
}

/** Every node needs exactly one self-loop: hosts on the same node talk over it. */
function checkSelfLoops(nodes: readonly GmlNode[], edges: readonly GmlEdge[], doc: GmlDocument): void {
  const loops = new Map<number, number>();
  edges.forEach((e, i) => {
    if (e.source !== e.target) return;
    if (loops.has(e.source)) failAt(doc.edges[i]!.pos, `node ${e.source} has more than one self-loop edge`);
    loops.set(e.source, i);
  });
  nodes.forEach((n, i) => {
    if (!loops.has(n.id)) {
      failAt(doc.nodes[i]!.pos, `node ${n.id} has no self-loop edge (add edge [ source ${n.id} target ${n.id} latency "1 ms" ]; hosts on one node use it)`);
    }
  });
}

/** Undirected graphs must be connected; directed ones strongly connected (all pairs reachable). */
function checkConnected(nodes: readonly GmlNode[], edges: readonly GmlEdge[], doc: GmlDocument): void {
  const fwd = new Map<number, number[]>();
  const back = new Map<number, number[]>();
  const add = (m: Map<number, number[]>, a: number, b: number) => {
    const l = m.get(a);
    if (l === undefined) m.set(a, [b]);
    else l.push(b);
  };
  for (const e of edges) {
    add(fwd, e.source, e.target);
    add(doc.directed ? back : fwd, e.target, e.source);
  }
  const first = nodes[0]!.id;
  const checks = doc.directed
    ? [{ adj: fwd, say: (id: number) => `node ${id} cannot be reached from node ${first}` },
       { adj: back, say: (id: number) => `node ${first} cannot be reached from node ${id}` }]
    : [{ adj: fwd, say: (id: number) => `node ${id} is not connected to node ${first}` }];
  for (const { adj, say } of checks) {
    const seen = reach(first, adj);
    const i = nodes.findIndex((n) => !seen.has(n.id));
    if (i >= 0) failAt(doc.nodes[i]!.pos, `the graph must be connected, but ${say(nodes[i]!.id)}`);
  }
}

/**
 * Applies Shadow's network-graph rules to parsed GML: unique int node ids, edges between
 * existing nodes, latency > 0, packet_loss in [0,1], a self-loop on every node, connected.
 */
export function buildGraph(doc: GmlDocument): NetworkGraph {
  if (doc.nodes.length === 0) failAt(doc.pos, 'the graph has no nodes');
  const nodes: GmlNode[] = [];
  const firstAt = new Map<number, GmlPos>();
  for (const block of doc.nodes) {
    const node = buildNode(block);
    const prev = firstAt.get(node.id);
    if (prev !== undefined) failAt(block.attrs.get('id')!.pos, `duplicate node id ${node.id} (first at line ${prev.line})`);
    firstAt.set(node.id, block.pos);
    nodes.push(node);
  }
  const ids = new Set(firstAt.keys());
  const edges = doc.edges.map((b) => buildEdge(b, ids));
  checkSelfLoops(nodes, edges, doc);
  checkConnected(nodes, edges, doc);
  return { directed: doc.directed, nodes, edges };
}

/** Parses and validates GML text in one step. */
export function parseNetworkGraph(text: string): NetworkGraph {
  return buildGraph(parseGml(text));
}

/** The GML of Shadow's built-in `1_gbit_switch` graph (as documented by Shadow). */
export const ONE_GBIT_SWITCH_GML = `graph [
  directed 0
  node [
    id 0
    host_bandwidth_up "1 Gbit"
    host_bandwidth_down "1 Gbit"
  ]
  edge [
    source 0
    target 0
    latency "1 ms"
    packet_loss 0.0
  ]
]
`;

/** Shadow's built-in `1_gbit_switch`: one node at 1 Gbit up/down with a 1 ms self-loop. */
export function oneGbitSwitchGraph(): NetworkGraph {
  return parseNetworkGraph(ONE_GBIT_SWITCH_GML);
}
