import { Errno } from '@shadow-ts/plugin-sdk';
import { AF_INET, AF_INET6, AF_UNSPEC } from '../constants.js';
import { failure, type Failure } from '../socket.js';

/**
 * IP addresses and the socket address structures of ip(7) and ipv6(7). Inside the plugin an
 * address is its *wire* text: IPv4 dotted quads, IPv6 in RFC 5952 form (what the core's network
 * uses), and a v4-mapped IPv6 address (::ffff:a.b.c.d) as the IPv4 address it stands for, since
 * that is what travels. An AF_INET6 socket reports IPv4 peers as v4-mapped again.
 */

export { AF_INET, AF_INET6, AF_UNSPEC };
export type InetFamily = typeof AF_INET | typeof AF_INET6;

/** sizeof(struct sockaddr_in) and sizeof(struct sockaddr_in6). */
export const SOCKADDR_IN = 16;
export const SOCKADDR_IN6 = 28;
/** SIN6_LEN_RFC2133: the shortest sockaddr_in6 Linux takes (without sin6_scope_id). */
export const SIN6_LEN_RFC2133 = 24;

export const ANY4 = '0.0.0.0';
export const ANY6 = '::';
export const LOOPBACK4 = '127.0.0.1';
export const LOOPBACK6 = '::1';

/** An address and port, the address in wire text. */
export interface Endpoint {
  readonly ip: string;
  readonly port: number;
}

export const isV4 = (ip: string): boolean => !ip.includes(':');
export const isWildcard = (ip: string): boolean => ip === ANY4 || ip === ANY6;
export const isLoopback = (ip: string): boolean => ip === LOOPBACK6 || ip.startsWith('127.');

/** The 4 bytes of a dotted quad. */
export function ipv4Bytes(ip: string): Uint8Array {
  return Uint8Array.from(ip.split('.').map(Number));
}

export function ipv4Text(bytes: Uint8Array): string {
  return `${bytes[0]}.${bytes[1]}.${bytes[2]}.${bytes[3]}`;
}

/** The 16 bytes of an IPv6 address in any valid text form (a dotted tail included). */
export function ipv6Bytes(ip: string): Uint8Array {
  const out = new Uint8Array(16);
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const b = ipv4Bytes(dotted[1]!);
    text = `${text.slice(0, dotted.index)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string | undefined) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const front = groups(head);
  const back = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? front : [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** RFC 5952 text of 16 bytes (lower case, longest zero run compressed, as URL serializes). */
export function ipv6Text(bytes: Uint8Array): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/** Whether 16 bytes are a v4-mapped address (::ffff:a.b.c.d). */
function isMapped(bytes: Uint8Array): boolean {
  return bytes.subarray(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
}

/** Wire text of 16 address bytes: a v4-mapped address becomes its IPv4 address. */
export function wireFromIpv6(bytes: Uint8Array): string {
  return isMapped(bytes) ? ipv4Text(bytes.subarray(12)) : ipv6Text(bytes);
}

/** The 16 bytes an AF_INET6 socket reports for wire address `ip` (IPv4 as v4-mapped). */
export function ipv6BytesOf(ip: string): Uint8Array {
  if (!isV4(ip)) return ipv6Bytes(ip);
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  out.set(ipv4Bytes(ip), 12);
  return out;
}

/** Canonical wire text of any address text (IPv6 compressed, v4-mapped as IPv4). */
export function canonical(ip: string): string {
  return isV4(ip) ? ip : wireFromIpv6(ipv6Bytes(ip));
}

/** Encodes `ep` as the socket address a socket of `family` reports (sockaddr_in / sockaddr_in6). */
export function encodeSockaddr(family: InetFamily, ep: Endpoint): Uint8Array {
  if (family === AF_INET) {
    const out = new Uint8Array(SOCKADDR_IN);
    const v = new DataView(out.buffer);
    v.setUint16(0, AF_INET, true);
    v.setUint16(2, ep.port, false);
    out.set(ipv4Bytes(ep.ip), 4);
    return out;
  }
  const out = new Uint8Array(SOCKADDR_IN6);
  const v = new DataView(out.buffer);
  v.setUint16(0, AF_INET6, true);
  v.setUint16(2, ep.port, false);
  out.set(ipv6BytesOf(ep.ip), 8);
  return out;
}

/** A decoded socket address: AF_UNSPEC (disconnect / "any" for bind), or an endpoint. */
export type Decoded = { readonly unspec: true } | { readonly unspec: false; readonly ep: Endpoint; readonly mapped: boolean };

/**
 * Decodes the socket address a socket of `family` was given, with Linux's checks: too short is
 * EINVAL (sockaddr_in: 16 bytes; sockaddr_in6: 24), another family EAFNOSUPPORT; AF_UNSPEC is
 * reported as such (the caller decides: disconnect for connect, "any" for an AF_INET bind).
 * `mapped` says an AF_INET6 address was v4-mapped.
 */
export function decodeSockaddr(family: InetFamily, bytes: Uint8Array): Decoded | Failure {
  if (bytes.length < 2) return failure(Errno.EINVAL);
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const saFamily = v.getUint16(0, true);
  if (saFamily === AF_UNSPEC) return { unspec: true };
  if (family === AF_INET) {
    if (bytes.length < SOCKADDR_IN) return failure(Errno.EINVAL);
    if (saFamily !== AF_INET) return failure(Errno.EAFNOSUPPORT);
    return { unspec: false, ep: { ip: ipv4Text(bytes.subarray(4, 8)), port: v.getUint16(2, false) }, mapped: false };
  }
  if (bytes.length < SIN6_LEN_RFC2133) return failure(Errno.EINVAL);
  if (saFamily !== AF_INET6) return failure(Errno.EAFNOSUPPORT);
  const addr = bytes.subarray(8, 24);
  return { unspec: false, ep: { ip: wireFromIpv6(addr), port: v.getUint16(2, false) }, mapped: isMapped(addr) };
}
