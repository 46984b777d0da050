/**
 * What a hostname and a host address must be, as pure checks: the schemas' formats
 * `shadow-hostname` and `shadow-host-address` (schema.ts) report their answers.
 */

/** Why `name` is not a valid hostname(7), or undefined. */
export function hostnameProblem(name: string): string | undefined {
  if (name === '') return 'a hostname must not be empty';
  const bad = [...name].find((ch) => !/[a-z0-9.-]/.test(ch));
  if (bad !== undefined) return `invalid hostname character ${JSON.stringify(bad)} (use a-z, 0-9, '-' and '.')`;
  if (name.startsWith('-')) return 'a hostname must not begin with "-"';
  if (name.length > 253) return 'a hostname must be at most 253 characters';
  if (name.split('.').some((l) => l.length < 1 || l.length > 63)) return 'each dot-separated part of a hostname must be 1..63 characters';
  if (name === 'localhost') return '"localhost" is reserved';
  return undefined;
}

/** Why `ip` can't be a host address, or undefined. */
export function ipProblem(ip: string): string | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  const octets = m?.slice(1).map(Number);
  if (m === null || octets === undefined || m.slice(1).some((o) => o.length > 1 && o.startsWith('0')) || octets.some((o) => o > 255)) {
    return `expected an IPv4 address like "11.0.0.1", got ${JSON.stringify(ip)}`;
  }
  const [a] = octets as [number];
  if (ip === '0.0.0.0') return `${ip} is the unspecified address`;
  if (a === 127) return `${ip} is a loopback address`;
  if (a >= 224 && a <= 239) return `${ip} is a multicast address`;
  if (ip === '255.255.255.255') return `${ip} is the broadcast address`;
  return undefined;
}
