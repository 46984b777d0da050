import { ipv4Bytes, ipv6Bytes, ipv6Text, isV4 } from '../inet/addresses.js';
import { CLASS, RCODE, TYPE, nameKey, nameOf, type DnsQuestion, type DnsRecord, type Name } from './message.js';

/**
 * What the simulated DNS knows: every host of the simulation by name (A: its address, AAAA: its
 * IPv6 address), every address back to its host (PTR under in-addr.arpa and ip6.arpa), and
 * `localhost` (RFC 6761 §6.3: 127.0.0.1 and ::1). Any other name is NXDOMAIN — nothing is ever
 * asked of a real DNS — except the names above table entries (`arpa`, `in-addr.arpa`, the
 * domain of a dotted host name), which exist without records: NOERROR with no answers, so a
 * client that prunes below an NXDOMAIN (RFC 8020) still finds the names under them.
 */

/** Answers may be cached for an hour: the table does not change during a run. */
export const ANSWER_TTL = 3600;

/** A host's IPv6 address: fd00:: followed by its IPv4 address as two hex groups (the core's rule, hostIpv6 in core/src/net/network.ts). */
export function hostIpv6(ipv4: string): string {
  const bytes = new Uint8Array(16);
  bytes[0] = 0xfd;
  bytes.set(ipv4Bytes(ipv4), 12);
  return ipv6Text(bytes);
}

/** The name PTR queries ask for an address: `4.3.2.1.in-addr.arpa`, or 32 nibbles under `ip6.arpa`. */
export function reverseName(address: string): Name {
  if (isV4(address)) return [...[...ipv4Bytes(address)].reverse().map(String), 'in-addr', 'arpa'];
  const nibbles: string[] = [];
  for (const b of ipv6Bytes(address)) nibbles.push((b >> 4).toString(16), (b & 0xf).toString(16));
  return [...nibbles.reverse(), 'ip6', 'arpa'];
}

/** The records of one name, by type, as [type, data] pairs. */
type Records = readonly (readonly [number, DnsRecord['data']])[];

/** The answer to one question: the response code and the answer records. */
export interface ZoneAnswer {
  readonly rcode: number;
  readonly answers: readonly DnsRecord[];
}

export class DnsZone {
  private readonly names = new Map<string, Records>();
  /** Names with no records of their own but names below them (empty non-terminals). */
  private readonly interior = new Set<string>();

  constructor(hosts: readonly { readonly name: string; readonly ipAddress: string }[]) {
    this.add('localhost', '127.0.0.1', '::1');
    for (const h of hosts) this.add(h.name, h.ipAddress, hostIpv6(h.ipAddress));
  }

  private add(text: string, ipv4: string, ipv6: string): void {
    const name = nameOf(text);
    this.set(name, [
      [TYPE.A, { address: ipv4 }],
      [TYPE.AAAA, { address: ipv6 }],
    ]);
    this.set(reverseName(ipv4), [[TYPE.PTR, { name }]]);
    this.set(reverseName(ipv6), [[TYPE.PTR, { name }]]);
  }

  private set(name: Name, records: Records): void {
    this.names.set(nameKey(name), records);
    for (let i = 1; i < name.length; i++) this.interior.add(nameKey(name.slice(i)));
  }

  /**
   * Answers `q` from the table: records of its type (all of them for ANY) under the question's
   * own spelling of the name, so that the answer compresses onto it. Classes other than IN
   * (CHAOS `version.bind`, …) are REFUSED.
   */
  answer(q: DnsQuestion): ZoneAnswer {
    if (q.class !== CLASS.IN && q.class !== CLASS.ANY) return { rcode: RCODE.REFUSED, answers: [] };
    const key = nameKey(q.name);
    const records = this.names.get(key);
    if (!records) return { rcode: this.interior.has(key) ? RCODE.NOERROR : RCODE.NXDOMAIN, answers: [] };
    const answers = records
      .filter(([type]) => q.type === TYPE.ANY || q.type === type)
      .map(([type, data]) => ({ name: q.name, type, class: CLASS.IN, ttl: ANSWER_TTL, data }));
    return { rcode: RCODE.NOERROR, answers };
  }
}
