/**
 * Writes the resolved configuration (processed-config.yaml, --show-config) as YAML: block maps
 * and sequences of plain data (maps, lists, strings, numbers, booleans, null), in the layout
 * `yaml`'s stringify gives, in a fraction of its time (a 100,000-host configuration is tens of
 * megabytes). A string is written plain only when YAML 1.2's core schema reads it back as the
 * same string; one of several lines as a literal block (an inline GML graph stays readable);
 * otherwise double-quoted, as JSON writes it (a valid YAML double-quoted scalar).
 */

import { CORE_SCALARS } from './yaml.js';

/** A plain scalar that would read back as something other than a string (YAML 1.2 core schema). */
const NOT_A_STRING = new RegExp(Object.values(CORE_SCALARS).map((pattern) => `(?:${pattern.source})`).join('|'));
/** Strings safe as plain scalars: no indicator first (but a dash before a word), no ": " or " #", no edge spaces, one line. */
const WORD = '[A-Za-z0-9_./()@%+=,~\\u00A0-\\u2027\\u202A-\\uD7FF\\uE000-\\uFEFE\\uFF00-\\uFFFD-]';
const PLAIN = new RegExp(`^-?[A-Za-z0-9_./(\\u00A0-\\u2027\\u202A-\\uD7FF\\uE000-\\uFEFE\\uFF00-\\uFFFD]${WORD}*(?: ${WORD}+)*$`);
/** Lines a literal block holds as they are: no control characters, no line breaks of YAML 1.1. */
const BLOCK_LINE = /^[^\x00-\x1f\x7f\u0085\u2028\u2029\uFEFF]*$/;

function scalar(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return '.nan';
    if (!Number.isFinite(v)) return v > 0 ? '.inf' : '-.inf';
    return Object.is(v, -0) ? '-0' : String(v);
  }
  if (typeof v === 'bigint') return String(v);
  const s = String(v);
  return PLAIN.test(s) && !NOT_A_STRING.test(s) ? s : JSON.stringify(s);
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isEmpty = (v: unknown): boolean => (Array.isArray(v) ? v.length === 0 : isMap(v) && Object.keys(v).length === 0);
const inline = (v: unknown): string => (Array.isArray(v) ? '[]' : isMap(v) ? '{}' : scalar(v));

/**
 * A string of several lines as a literal block (`|`, `|-` without a final newline, `|+` with
 * more than one) whose lines are written at `indent`, or null when it cannot be one.
 */
function literal(s: string, indent: string): string[] | null {
  if (!s.includes('\n')) return null;
  const keep = s.endsWith('\n\n');
  const body = s.endsWith('\n') ? s.slice(0, keep ? s.length : -1) : s;
  const lines = body.split('\n');
  if (keep) lines.pop();
  // A first line starting with a space would need an indentation indicator.
  if (lines[0] === '' || lines[0]!.startsWith(' ') || !lines.every((l) => BLOCK_LINE.test(l))) return null;
  const head = keep ? '|+' : s.endsWith('\n') ? '|' : '|-';
  return [head, ...lines.map((l) => (l === '' ? '' : `${indent}${l}`))];
}

/** Appends the lines of `v` (a map's or a list's entries) at `indent`. */
function block(v: Record<string, unknown> | unknown[], indent: string, out: string[]): void {
  if (Array.isArray(v)) {
    for (const item of v) {
      if (!isEmpty(item) && (isMap(item) || Array.isArray(item))) {
        // "- " then the collection's first entry on the same line, the rest aligned under it.
        const lines: string[] = [];
        block(item, `${indent}  `, lines);
        out.push(`${indent}- ${lines[0]!.slice(indent.length + 2)}`, ...lines.slice(1));
      } else {
        out.push(`${indent}- ${inline(item)}`);
      }
    }
    return;
  }
  for (const [key, value] of Object.entries(v)) {
    const k = scalar(key);
    const lines = typeof value === 'string' ? literal(value, `${indent}  `) : null;
    if (lines !== null) {
      out.push(`${indent}${k}: ${lines[0]}`, ...lines.slice(1));
    } else if ((isMap(value) || Array.isArray(value)) && !isEmpty(value)) {
      out.push(`${indent}${k}:`);
      block(value, `${indent}  `, out);
    } else {
      out.push(`${indent}${k}: ${inline(value)}`);
    }
  }
}

/** The YAML text of `value` (a map, as the resolved configuration is), ending with a newline. */
export function toYaml(value: Record<string, unknown>): string {
  const out: string[] = [];
  block(value, '', out);
  return `${out.join('\n')}\n`;
}
