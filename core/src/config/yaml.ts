/**
 * YAML parsing for the simulation file and `.shadowrc`: every syntax mistake, and an alias whose
 * anchor is not set before it, becomes a ConfigError with the file and the line.
 */

import { Alias, type Document, LineCounter, parseDocument, visit } from 'yaml';
import { ConfigError } from './errors.js';

/** A parsed YAML file: the document (for locating keys), its line counter and its plain value. */
export interface ParsedYaml {
  readonly doc: Document;
  readonly lines: LineCounter;
  readonly value: unknown;
}

/** The first alias in `doc` that names no anchor set before it. */
function unresolvedAlias(doc: Document): Alias | undefined {
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

/** Parses YAML 1.2 with merge keys; `file` names the file in errors. */
export function parseYaml(file: string, text: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { merge: true, prettyErrors: true, lineCounter: lines });
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
  try {
    return { doc, lines, value: doc.toJS() };
  } catch (e) {
    throw new ConfigError(file, undefined, '', `invalid YAML: ${(e as Error).message}`);
  }
}
