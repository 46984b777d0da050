/**
 * Shadow's unit syntax (`src/main/utility/units.rs`): `<integer><optional space><unit>`,
 * case-sensitive units, plurals allowed. A bare integer (YAML number, or a string without a unit)
 * is in the base unit: seconds for time, bit/s for bandwidth, bytes for sizes.
 * Results are bigints so that nanoseconds never lose precision.
 */

/** A value that is not in the expected unit syntax; the message says what was expected. */
export class UnitError extends Error {
  override readonly name = 'UnitError';
}

/** What the config file may hold for a unit value: a YAML string or a YAML integer. */
export type UnitInput = string | number | bigint;

const U64_MAX = (1n << 64n) - 1n;

const NS = 1n;
const US = 1_000n;
const MS = 1_000_000n;
const SEC = 1_000_000_000n;

/** Every spelling of a time unit, in nanoseconds (Shadow's `TimePrefix::from_str`). */
const TIME_UNITS: ReadonlyMap<string, bigint> = new Map<string, bigint>([
  ...['ns', 'nanosecond', 'nanoseconds'].map((u) => [u, NS] as const),
  // U+03BC is what Shadow accepts; U+00B5 (micro sign) looks identical, so take it too.
  ...['us', 'μs', 'µs', 'microsecond', 'microseconds'].map((u) => [u, US] as const),
  ...['ms', 'millisecond', 'milliseconds'].map((u) => [u, MS] as const),
  ...['s', 'sec', 'secs', 'second', 'seconds'].map((u) => [u, SEC] as const),
  ...['m', 'min', 'mins', 'minute', 'minutes'].map((u) => [u, 60n * SEC] as const),
  ...['h', 'hr', 'hrs', 'hour', 'hours'].map((u) => [u, 3600n * SEC] as const),
]);

/** Shadow's `SiPrefixUpper`: decimal and binary prefixes, symbol or word. */
const UPPER_PREFIXES: ReadonlyMap<string, bigint> = new Map<string, bigint>([
  ['K', 10n ** 3n], ['kilo', 10n ** 3n], ['Ki', 2n ** 10n], ['kibi', 2n ** 10n],
  ['M', 10n ** 6n], ['mega', 10n ** 6n], ['Mi', 2n ** 20n], ['mebi', 2n ** 20n],
  ['G', 10n ** 9n], ['giga', 10n ** 9n], ['Gi', 2n ** 30n], ['gibi', 2n ** 30n],
  ['T', 10n ** 12n], ['tera', 10n ** 12n], ['Ti', 2n ** 40n], ['tebi', 2n ** 40n],
]);

interface UnitFamily {
  readonly expected: string;
  /** Multiplier for a unit string ('' = base unit), or undefined if the unit is unknown. */
  readonly factor: (unit: string) => bigint | undefined;
  /** Every accepted unit spelling, to tell "wrong case" from "unknown unit". */
  readonly spellings: readonly string[];
}

/**
 * Shadow strips the first matching suffix ("bit", then "bits"; "B", "byte", "bytes") and reads
 * the rest as a prefix; with no suffix the whole unit is the prefix (so "10 K" is 10 kilo).
 */
function prefixedFactor(suffixes: readonly string[]): (unit: string) => bigint | undefined {
  return (unit) => {
    if (unit === '') return 1n;
    const suffix = suffixes.find((s) => unit.endsWith(s));
    const prefix = suffix === undefined ? unit : unit.slice(0, unit.length - suffix.length);
    return prefix === '' ? 1n : UPPER_PREFIXES.get(prefix);
  };
}

function prefixedFamily(expected: string, suffixes: readonly string[]): UnitFamily {
  const prefixes = ['', ...UPPER_PREFIXES.keys()];
  return {
    expected,
    factor: prefixedFactor(suffixes),
    spellings: prefixes.flatMap((p) => [p, ...suffixes.map((s) => p + s)]),
  };
}

const TIME: UnitFamily = {
  expected: 'a time like "10 s" or "500 ms"',
  factor: (unit) => (unit === '' ? SEC : TIME_UNITS.get(unit)),
  spellings: [...TIME_UNITS.keys()],
};
const BANDWIDTH = prefixedFamily('a bandwidth like "100 Mbit" or "1 Gbit"', ['bit', 'bits']);
const BYTES = prefixedFamily('a size like "65535 B" or "30 MiB"', ['B', 'byte', 'bytes']);

function describe(value: UnitInput): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}

function parseUnit(family: UnitFamily, value: UnitInput): bigint {
  const fail = (why = ''): never => {
    throw new UnitError(`expected ${family.expected}, got ${describe(value)}${why}`);
  };
  let magnitude: bigint;
  let unit = '';
  if (typeof value === 'bigint') {
    magnitude = value;
  } else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) fail(Number.isInteger(value) ? ' (too large)' : ' (not a whole number)');
    magnitude = BigInt(value);
  } else if (typeof value === 'string') {
    // Like Shadow's regex: digits, optional whitespace, the rest is the unit (a '+' is allowed
    // because Rust's u64 parser takes one).
    const m = /^\+?([0-9]+)\s*(.*)$/su.exec(value.trim());
    if (m === null) return fail();
    magnitude = BigInt(m[1]!);
    unit = m[2]!.trim();
  } else {
    return fail();
  }
  if (magnitude < 0n) fail(' (negative)');
  if (/^[.,][0-9]/.test(unit)) fail(' (not a whole number)');
  const factor = family.factor(unit);
  if (factor === undefined) {
    // The most common slip is the case ("10 S", "1 gbit"); say so rather than just "unknown".
    const folded = unit.toLowerCase();
    const sameButCase = family.spellings.some((s) => s.toLowerCase() === folded);
    return fail(sameButCase ? ' (units are case-sensitive)' : ` (unknown unit "${unit}")`);
  }
  const result = magnitude * factor;
  if (result > U64_MAX) fail(' (too large)');
  return result;
}

/** Parses a Shadow time (`"10 s"`, `"500ms"`, `"2 min"`, bare integer = seconds) to nanoseconds. */
export function parseTime(value: UnitInput): bigint {
  return parseUnit(TIME, value);
}

/**
 * Parses a Shadow bandwidth (`"100 Mbit"`, `"81920 Kibit"`, bare integer = bit/s) to bit/s.
 * Shadow moves whole bytes, so the result must be a multiple of 8 bit/s ("30 bit" is invalid).
 */
export function parseBandwidth(value: UnitInput): bigint {
  const bits = parseUnit(BANDWIDTH, value);
  if (bits % 8n !== 0n) {
    throw new UnitError(
      `expected a bandwidth that is a whole number of bytes per second (a multiple of 8 bit), got ${describe(value)} (${bits} bit/s)`,
    );
  }
  return bits;
}

/** Parses a Shadow size (`"65535 B"`, `"30 MiB"`, `"1 kilobyte"`, bare integer = bytes) to bytes. */
export function parseBytes(value: UnitInput): bigint {
  return parseUnit(BYTES, value);
}

/** Linux x86-64 standard signal numbers (realtime signals, 32+, are unsupported as in Shadow). */
const SIGNALS: ReadonlyMap<string, number> = new Map([
  ['SIGHUP', 1], ['SIGINT', 2], ['SIGQUIT', 3], ['SIGILL', 4], ['SIGTRAP', 5], ['SIGABRT', 6],
  ['SIGIOT', 6], ['SIGBUS', 7], ['SIGFPE', 8], ['SIGKILL', 9], ['SIGUSR1', 10], ['SIGSEGV', 11],
  ['SIGUSR2', 12], ['SIGPIPE', 13], ['SIGALRM', 14], ['SIGTERM', 15], ['SIGSTKFLT', 16],
  ['SIGCHLD', 17], ['SIGCONT', 18], ['SIGSTOP', 19], ['SIGTSTP', 20], ['SIGTTIN', 21],
  ['SIGTTOU', 22], ['SIGURG', 23], ['SIGXCPU', 24], ['SIGXFSZ', 25], ['SIGVTALRM', 26],
  ['SIGPROF', 27], ['SIGWINCH', 28], ['SIGIO', 29], ['SIGPOLL', 29], ['SIGPWR', 30], ['SIGSYS', 31],
]);

/** The canonical name of a standard signal number (`9` → `SIGKILL`), or undefined. */
export function signalName(signo: number): string | undefined {
  for (const [name, n] of SIGNALS) if (n === signo && name !== 'SIGIOT' && name !== 'SIGPOLL') return name;
  return undefined;
}

/**
 * Parses a signal as Shadow does: a name with the `SIG` prefix (`SIGINT`, capitalised) or an
 * integer 1..31. Returns the signal number.
 */
export function parseSignal(value: UnitInput): number {
  const expected = 'expected a signal like "SIGTERM" or a number 1..31';
  if (typeof value === 'string') {
    const byName = SIGNALS.get(value);
    if (byName !== undefined) return byName;
    if (!/^[0-9]+$/.test(value)) {
      // Shadow wants the capitalised name with the SIG prefix; point at the fix when it is close.
      const upper = value.toUpperCase();
      const fixed = SIGNALS.has(upper) ? upper : SIGNALS.has(`SIG${upper}`) ? `SIG${upper}` : undefined;
      const hint = fixed !== undefined ? ` (write it as ${fixed})`
        : upper.startsWith('SIGRT') ? ' (realtime signals are not supported)' : '';
      throw new UnitError(`${expected}, got ${JSON.stringify(value)}${hint}`);
    }
  }
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new UnitError(`${expected}, got ${describe(value)}`);
  if (n > 31) throw new UnitError(`${expected}, got ${describe(value)} (realtime signals are not supported)`);
  return n;
}

/** Formats nanoseconds for messages in the largest unit that divides them ("10 s", "1500 ms"). */
export function formatTime(ns: bigint): string {
  if (ns !== 0n && ns % SEC === 0n) return `${ns / SEC} s`;
  if (ns !== 0n && ns % MS === 0n) return `${ns / MS} ms`;
  if (ns !== 0n && ns % US === 0n) return `${ns / US} us`;
  return ns === 0n ? '0 s' : `${ns} ns`;
}
