/**
 * The JSON Schemas of the simulation file and `.shadowrc` (the `@shadow-ts/schema` package,
 * `schema/` in the repository) and plugins' `meta.optionsSchema`, checked with ajv. An ajv error
 * becomes one message in this simulator's words: the key path it is about, "unknown key (did you
 * mean …)", the values expected. Shadow's units are the keyword `x-unit` (checked by the unit
 * parsers), hostnames and host addresses the formats `shadow-hostname` and `shadow-host-address`;
 * `x-messages` in a schema gives the message for one of its keywords (`{got}`: the value found).
 * When a file has several mistakes, the one reported is the first the readers would meet: a
 * map's own mistakes (unknown keys, then missing ones) before those inside it, and inside it,
 * the first in the file.
 */

import { createRequire } from 'node:module';
import type { Ajv, AnySchemaObject, ErrorObject, KeywordCxt, Name, ValidateFunction } from 'ajv';
import type { KeywordErrorCxt } from 'ajv/dist/types/index.js';
import { hostnameProblem, ipProblem } from './addresses.js';
import type { KeySegment } from './errors.js';
import { parseBandwidth, parseBytes, parseSignal, parseTime, UnitError, type UnitInput } from './units.js';
import { createValidators } from './validators.generated.js';

/** A YAML map as `toJS` returns it. */
export type YamlMap = Record<string, unknown>;

/** Whether `v` is a YAML map (a non-null, non-array object). */
export function isPlainMap(v: unknown): v is YamlMap {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** How a value reads in a message about the simulation file: strings quoted, collections named. */
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

/** ` (did you mean "x"?)` for the first valid key at most two edits from `key`, or ''. */
export function didYouMean(key: string, valid: readonly string[]): string {
  const near = valid.find((a) => distance(a, key) <= 2);
  return near === undefined ? '' : ` (did you mean "${near}"?)`;
}

/** How messages read in one kind of file. */
export interface MessageStyle {
  /** A value as the message shows it (`{got}`). */
  readonly show: (v: unknown) => string;
  /** The message for an unknown key; `hint` is didYouMean's. */
  readonly unknownKey: (hint: string, valid: readonly string[]) => string;
}

/** The simulation file's messages (Shadow's key names, values as `show` gives them). */
export const SIMULATION_STYLE: MessageStyle = {
  show,
  unknownKey: (hint, valid) => `unknown key${hint}; valid keys here: ${valid.join(', ')}`,
};

/** `.shadowrc`'s messages (values as JSON), also used for plugin options. */
export const RC_STYLE: MessageStyle = {
  show: (v) => JSON.stringify(v) ?? String(v),
  unknownKey: (hint, valid) => `unknown key${hint}; expected one of ${valid.join(', ')}`,
};

/** A schema's verdict on a value: the key path it is about and what is wrong there. */
export interface SchemaIssue {
  readonly path: readonly KeySegment[];
  readonly detail: string;
}

// --- the keywords and formats of shadow-ts ---------------------------------------------------

const UNITS: Readonly<Record<string, { parse: (v: UnitInput) => unknown; expected: string }>> = {
  time: { parse: parseTime, expected: 'a time like "10 s"' },
  bandwidth: { parse: parseBandwidth, expected: 'a bandwidth like "1 Gbit"' },
  bytes: { parse: parseBytes, expected: 'a size like "64 KiB"' },
  signal: { parse: parseSignal, expected: 'a signal like "SIGTERM"' },
};

/**
 * What `x-unit` reports: why `data` is not a value of `unit` in Shadow's syntax, or undefined.
 * Null and absent are the schema's `type`'s business.
 */
export function unitProblem(unit: string, data: unknown): string | undefined {
  if (data === null || data === undefined) return undefined;
  const { parse, expected } = UNITS[unit]!;
  if (typeof data !== 'string' && typeof data !== 'number') return `expected ${expected}, got ${show(data)}`;
  try {
    parse(data);
    return undefined;
  } catch (e) {
    if (e instanceof UnitError) return e.message;
    throw e;
  }
}

/** Why a string does not have a format, by format name. */
const FORMAT_PROBLEMS: Readonly<Record<string, (s: string) => string | undefined>> = {
  'shadow-hostname': hostnameProblem,
  'shadow-host-address': ipProblem,
};

/** The formats as ajv takes them (and as the generated validators get them). */
const FORMATS = Object.fromEntries(
  Object.entries(FORMAT_PROBLEMS).map(([name, problem]) => [name, { type: 'string' as const, validate: (s: string) => problem(s) === undefined }]),
);

type AjvModule = typeof import('ajv');
/** ajv itself is loaded only to compile (a plugin's schema, or the generator): runs use the generated validators. */
const loadAjv = (): AjvModule => createRequire(import.meta.url)('ajv') as AjvModule;

/** An ajv with shadow-ts's keywords and formats; `source` keeps the code for standalone output. */
function createAjv(strict: boolean, source = false): Ajv {
  const { Ajv, _ } = loadAjv();
  const ajv = new Ajv({
    allErrors: true, verbose: true, strict, allowUnionTypes: true, strictTuples: false,
    ...(source && { code: { source: true, lines: true, formats: _`formats` } }),
  });
  ajv.addKeyword({ keyword: 'x-messages', schemaType: 'object' });
  ajv.addKeyword({
    keyword: 'x-unit',
    schemaType: 'string',
    metaSchema: { enum: Object.keys(UNITS) },
    code(cxt: KeywordCxt) {
      const check = cxt.gen.scopeValue('func', { ref: unitProblem, code: _`unitProblem` });
      const problem = cxt.gen.const('problem', _`${check}(${cxt.schemaCode}, ${cxt.data})`);
      cxt.setParams({ problem });
      cxt.fail(_`${problem} !== undefined`);
    },
    error: { message: 'x-unit', params: (cxt: KeywordErrorCxt) => _`{unit: ${cxt.schemaCode}, problem: ${cxt.params['problem'] as Name}}` },
  });
  for (const [name, format] of Object.entries(FORMATS)) ajv.addFormat(name, format);
  return ajv;
}

export type SchemaName = 'simulation' | 'shadowrc';

/** The schema itself, as the `@shadow-ts/schema` package ships it. */
export function loadSchema(name: SchemaName): AnySchemaObject {
  return createRequire(import.meta.url)(`@shadow-ts/schema/${name}.schema.json`) as AnySchemaObject;
}

let own: Record<SchemaName, ValidateFunction> | undefined;
/** The schema each generated validator checks (compiled ones carry theirs as `schema`). */
const schemaRoots = new WeakMap<ValidateFunction, unknown>();

/**
 * The validator of one of the `@shadow-ts/schema` files. They are compiled ahead of time
 * (`npm run schemas` writes validators.generated.ts, and a test keeps it in step with the
 * schemas): compiling them at each start would cost a tenth of a second.
 */
export function schemaValidator(name: SchemaName): ValidateFunction {
  if (own === undefined) {
    own = createValidators(unitProblem, FORMATS) as Record<SchemaName, ValidateFunction>;
    for (const n of ['simulation', 'shadowrc'] as const) schemaRoots.set(own[n], loadSchema(n));
  }
  return own[name];
}

/** The source of validators.generated.ts: both schemas compiled strictly, as standalone code. */
export function standaloneValidators(): string {
  const ajv = createAjv(true, true);
  const ids: Record<string, string> = {};
  for (const name of ['simulation', 'shadowrc'] as const) {
    ajv.addSchema(loadSchema(name), name);
    ids[name] = name;
  }
  const standalone = (createRequire(import.meta.url)('ajv/dist/standalone') as { default: (ajv: Ajv, refs: Record<string, string>) => string }).default;
  return [
    '// @ts-nocheck',
    '/* eslint-disable */',
    '// Generated by `npm run schemas` from schema/simulation.schema.json and schema/shadowrc.schema.json',
    '// (ajv standalone code, see schema.ts). Do not edit: change the schemas and run it again.',
    "import { createRequire } from 'node:module';",
    '',
    'const require = createRequire(import.meta.url);',
    '',
    '/** The validators of both schemas, given the checks of shadow-ts\'s keyword x-unit and its formats. */',
    'export function createValidators(unitProblem, formats) {',
    '  const exports = {};',
    `  ${standalone(ajv, ids)}`,
    '  return exports;',
    '}',
    '',
  ].join('\n');
}

const compiledPluginSchemas = new WeakMap<object, ValidateFunction>();
let pluginAjv: Ajv | undefined;

/**
 * Compiles a plugin's `meta.optionsSchema` (draft-07; shadow-ts's keywords and formats too;
 * keywords ajv does not know are ignored, as editors ignore them). Throws ajv's error for a
 * schema that is not one.
 */
export function compilePluginSchema(schema: object): ValidateFunction {
  let validate = compiledPluginSchemas.get(schema);
  if (validate === undefined) {
    pluginAjv ??= createAjv(false);
    validate = pluginAjv.compile(schema);
    compiledPluginSchemas.set(schema, validate);
  }
  return validate;
}

// --- from ajv's errors to one message --------------------------------------------------------

/** An error placed: `at` is the value it is about, `path` the key it names. */
interface Placed {
  readonly at: readonly KeySegment[];
  readonly path: readonly KeySegment[];
  /** 0 unknown key, 1 bad key name, 2 missing key (all about the map at `at`), 3 shadow-ts's own checks, 4 the rest. */
  readonly rank: number;
  readonly detail: string;
  /** ajv's order, for ties. */
  readonly index: number;
}

/** Keywords whose errors only sum up others (`if`'s branch, `propertyNames`' name). */
const SUMMARIES = new Set(['if', 'propertyNames', 'allOf']);

type Messages = Readonly<Record<string, string>>;

function messagesOf(schema: unknown): Messages | undefined {
  const m = isPlainMap(schema) ? schema['x-messages'] : undefined;
  return isPlainMap(m) ? (m as Messages) : undefined;
}

function child(node: unknown, seg: KeySegment): unknown {
  if (Array.isArray(node)) return node[seg as number];
  return isPlainMap(node) ? node[String(seg)] : undefined;
}

/** A JSON pointer into `data` as key segments (list indices as numbers). */
function segments(pointer: string, data: unknown): KeySegment[] {
  if (pointer === '') return [];
  const out: KeySegment[] = [];
  let node = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg: KeySegment = Array.isArray(node) ? Number(key) : key;
    out.push(seg);
    node = child(node, seg);
  }
  return out;
}

function typeNames(schema: AnySchemaObject): string[] {
  const types = ([] as unknown[]).concat(schema['type'] ?? []).filter((t) => t !== 'null') as string[];
  return types.map((t) => {
    switch (t) {
      case 'boolean': return 'true or false';
      case 'string': return 'a string';
      case 'number': return 'a number';
      case 'array': return 'a list';
      case 'object': return 'a map';
      case 'integer': {
        const [min, max] = [schema['minimum'], schema['maximum']];
        if (typeof min === 'number' && typeof max === 'number') return `an integer ${min}..${max}`;
        return typeof min === 'number' ? `an integer of at least ${min}` : typeof max === 'number' ? `an integer of at most ${max}` : 'an integer';
      }
      default: return t;
    }
  });
}

function typeMessage(schema: AnySchemaObject, data: unknown, style: MessageStyle): string {
  const names = typeNames(schema);
  const keys = isPlainMap(schema['properties']) ? Object.keys(schema['properties']) : [];
  if (names.length === 1 && names[0] === 'a map' && keys.length > 0) return `expected a map with keys ${keys.join(', ')}; got ${style.show(data)}`;
  return `expected ${names.length ? names.join(' or ') : 'null'}, got ${style.show(data)}`;
}

/** The detail for an error of a value (not about a map's keys). */
function valueMessage(e: ErrorObject, schema: AnySchemaObject, value: unknown, style: MessageStyle): string {
  const custom = messagesOf(schema);
  const template = custom?.[e.keyword] ?? custom?.['*'];
  const got = style.show(value);
  if (template !== undefined) return template.replace(/\{got\}/g, got);
  const p = e.params as Record<string, unknown>;
  const limit = p['limit'];
  switch (e.keyword) {
    case 'x-unit': return String(p['problem']);
    case 'format': return FORMAT_PROBLEMS[String(p['format'])]?.(String(value)) ?? `expected ${String(p['format'])}, got ${got}`;
    case 'type': return typeMessage(schema, value, style);
    case 'enum': return `expected one of ${(schema['enum'] as unknown[]).filter((v) => v !== null).join(', ')}; got ${got}`;
    case 'const': return `expected ${style.show(p['allowedValue'])}, got ${got}`;
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return ([] as unknown[]).concat(schema['type']).includes('integer') ? typeMessage(schema, value, style)
        : `expected a number ${String(p['comparison'])} ${String(limit)}, got ${got}`;
    case 'multipleOf': return `expected a multiple of ${String(p['multipleOf'])}, got ${got}`;
    case 'minLength': return limit === 1 ? 'must not be empty' : `expected at least ${String(limit)} characters, got ${got}`;
    case 'maxLength': return `expected at most ${String(limit)} characters, got ${got}`;
    case 'pattern': return `expected a string matching ${String(p['pattern'])}, got ${got}`;
    case 'minItems': return `expected at least ${String(limit)} item${limit === 1 ? '' : 's'}, got ${(value as unknown[]).length}`;
    case 'maxItems': case 'additionalItems': return `expected at most ${String(limit)} item${limit === 1 ? '' : 's'}, got ${(value as unknown[]).length}`;
    case 'uniqueItems': return `items ${String(p['j'])} and ${String(p['i'])} are the same`;
    case 'minProperties': return `needs at least ${String(limit)} ${limit === 1 ? 'entry' : 'entries'}`;
    case 'maxProperties': return `expected at most ${String(limit)} entries`;
    case 'anyOf': case 'oneOf': return `expected ${typeNames(schema).join(' or ') || 'another value'}, got ${got}`;
    default: return e.message ?? 'is not valid';
  }
}

/** What placing errors needs: the value, the style, ajv's order of the errors and the root schema. */
interface PlaceContext {
  readonly data: unknown;
  readonly style: MessageStyle;
  readonly order: ReadonlyMap<ErrorObject, number>;
  readonly root: unknown;
}

/**
 * The schema object holding the keyword that failed (ajv's verbose errors carry it), else found by
 * the error's schema path (relative to the schema root, or to a definition compiled apart).
 */
function parentSchemaOf(e: ErrorObject, root: unknown): AnySchemaObject {
  if (e.parentSchema !== undefined) return e.parentSchema;
  let node = root;
  for (const raw of e.schemaPath.replace(/^[^#]*#\/?/, '').split('/').slice(0, -1)) {
    if (raw === '') continue;
    const key = decodeURIComponent(raw).replace(/~1/g, '/').replace(/~0/g, '~');
    node = Array.isArray(node) ? node[Number(key)] : isPlainMap(node) ? node[key] : undefined;
  }
  return (isPlainMap(node) ? node : {}) as AnySchemaObject;
}

function place(e: ErrorObject, ctx: PlaceContext): Placed {
  const { data, style } = ctx;
  const index = ctx.order.get(e)!;
  const at = segments(e.instancePath, data);
  const schema = parentSchemaOf(e, ctx.root);
  const p = e.params as Record<string, unknown>;
  if (e.keyword === 'additionalProperties') {
    const key = String(p['additionalProperty']);
    const valid = isPlainMap(schema['properties']) ? Object.keys(schema['properties']) : [];
    const custom = messagesOf(schema)?.['additionalProperties'];
    return { at, path: [...at, key], rank: 0, detail: custom ?? style.unknownKey(didYouMean(key, valid), valid), index };
  }
  if (e.keyword === 'required') {
    const key = String(p['missingProperty']);
    const properties = schema['properties'];
    const detail = messagesOf(isPlainMap(properties) ? properties[key] : undefined)?.['required'] ?? 'is required';
    return { at, path: [...at, key], rank: 2, detail, index };
  }
  if (e.propertyName !== undefined) return { at, path: [...at, e.propertyName], rank: 1, detail: valueMessage(e, schema, e.propertyName, style), index };
  const value = at.reduce<unknown>((node, seg) => child(node, seg), data);
  // A required value given as null is as good as missing.
  const required = messagesOf(schema)?.['required'];
  if (e.keyword === 'type' && value === null && required !== undefined) return { at, path: at, rank: 2, detail: required, index };
  return { at, path: at, rank: e.keyword === 'x-unit' || e.keyword === 'format' ? 3 : 4, detail: valueMessage(e, schema, value, style), index };
}

function inside(pointer: string, of: string): boolean {
  return pointer === of || pointer.startsWith(`${of}/`);
}

/**
 * Places ajv's errors. An anyOf that no branch matches speaks for its branches, unless one of
 * them went deeper into the value than the anyOf itself (`{signaled: kill}` is about `signaled`).
 */
function placeAll(errors: readonly ErrorObject[], ctx: PlaceContext): Placed[] {
  const out: Placed[] = [];
  const taken = new Set<ErrorObject>();
  // Branch errors come before their anyOf's: from the end, an outer anyOf takes inner ones whole.
  for (let i = errors.length - 1; i >= 0; i--) {
    const e = errors[i]!;
    if (taken.has(e) || SUMMARIES.has(e.keyword)) continue;
    if (e.keyword !== 'anyOf' && e.keyword !== 'oneOf') {
      out.push(place(e, ctx));
      continue;
    }
    const branches = errors.slice(0, i).filter((b) => !taken.has(b) && b.schemaPath.startsWith(`${e.schemaPath}/`) && inside(b.instancePath, e.instancePath));
    for (const b of branches) taken.add(b);
    const depth = segments(e.instancePath, ctx.data).length;
    const deeper = placeAll(branches, ctx).filter((x) => x.at.length > depth);
    out.push(...(deeper.length > 0 ? deeper : [place(e, ctx)]));
  }
  return out;
}

/** Position of `seg` among `node`'s keys (list index, or the key's place in the file). */
function rankOf(node: unknown, seg: KeySegment | undefined): number {
  if (typeof seg === 'number') return seg;
  const keys = isPlainMap(node) ? Object.keys(node) : [];
  const i = seg === undefined ? -1 : keys.indexOf(seg);
  return i < 0 ? keys.length : i;
}

/** The order readers meet mistakes: a map's own before those inside it; siblings in file order. */
function compare(a: Placed, b: Placed, data: unknown): number {
  let node = data;
  const n = Math.min(a.at.length, b.at.length);
  for (let i = 0; i < n; i++) {
    if (a.at[i] !== b.at[i]) return rankOf(node, a.at[i]) - rankOf(node, b.at[i]) || a.index - b.index;
    node = child(node, a.at[i]!);
  }
  if (a.at.length !== b.at.length) return a.at.length - b.at.length;
  const key = (x: Placed) => (x.path.length > x.at.length ? rankOf(node, x.path[x.path.length - 1]) : 0);
  return a.rank - b.rank || key(a) - key(b) || a.index - b.index;
}

/** The first mistake `validate` finds in `data`, in `style`'s words; null when there is none. */
export function firstIssue(validate: ValidateFunction, data: unknown, style: MessageStyle): SchemaIssue | null {
  return allIssues(validate, data, style)[0] ?? null;
}


/** Every mistake `validate` finds in `data`, first first (tests and tools; the CLI reports one). */
export function allIssues(validate: ValidateFunction, data: unknown, style: MessageStyle): SchemaIssue[] {
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  const placed = placeAll(errors, { data, style, order: new Map(errors.map((e, i) => [e, i])), root: schemaRoots.get(validate) ?? validate.schema });
  if (placed.length === 0) return [{ path: [], detail: 'is not valid' }];
  return placed.sort((a, b) => compare(a, b, data)).map((x) => ({ path: x.path, detail: x.detail }));
}
