import type { NetPacket } from '@shadow-ts/plugin-sdk';
import type { TcpSegment } from '../tcp/types.js';
import { ipv4Bytes, ipv6Bytes, isV4 } from './addresses.js';

/**
 * The packets the net plugin sends: an IPv4 or IPv6 header over a UDP datagram or a TCP
 * segment. The simulation carries the objects; `toBytes()` gives the real packet (headers with
 * their checksums) for pcap captures.
 */

export const IPPROTO_ICMP = 1;
export const IPPROTO_TCP = 6;
export const IPPROTO_UDP = 17;
export const IPPROTO_ICMPV6 = 58;

const IPV4_HEADER = 20;
const IPV6_HEADER = 40;
const UDP_HEADER = 8;
const ICMP_HEADER = 8;
/** ICMPv6 quotes as much of the packet as keeps the error within the minimum MTU (RFC 4443). */
const ICMPV6_QUOTE = 1280 - IPV6_HEADER - ICMP_HEADER;
const TCP_HEADER = 20;
/** Hop limit / TTL of the packets Linux sends (net.ipv4.ip_default_ttl). */
const TTL = 64;

/** A UDP datagram: ports and payload. */
export interface UdpDatagram {
  readonly srcPort: number;
  readonly dstPort: number;
  readonly payload: Uint8Array;
}

/**
 * An ICMP "port unreachable" (ICMPv4 type 3 code 3, ICMPv6 type 1 code 4) about `original`, the
 * datagram no socket took: what its sender's stack matches the error against.
 */
export interface IcmpUnreachable {
  readonly original: InetPacket;
}

/** TCP options on the wire: MSS (4 bytes), NOP + window scale (4 bytes). */
function tcpOptionsLength(seg: TcpSegment): number {
  return (seg.mss !== undefined ? 4 : 0) + (seg.windowScale !== undefined ? 4 : 0);
}

/** An IP packet carrying UDP, TCP or an ICMP error. Addresses are wire text (IPv4 dotted or IPv6). */
export class InetPacket implements NetPacket {
  readonly protocol: number;
  private quoted: Uint8Array | null = null;

  private constructor(
    readonly source: string,
    readonly destination: string,
    readonly udp: UdpDatagram | null,
    readonly tcp: TcpSegment | null,
    readonly icmp: IcmpUnreachable | null = null,
  ) {
    this.protocol = udp ? IPPROTO_UDP : tcp ? IPPROTO_TCP : isV4(source) ? IPPROTO_ICMP : IPPROTO_ICMPV6;
  }

  static udp(source: string, destination: string, datagram: UdpDatagram): InetPacket {
    return new InetPacket(source, destination, datagram, null);
  }

  static tcp(source: string, destination: string, segment: TcpSegment): InetPacket {
    return new InetPacket(source, destination, null, segment);
  }

  /** The port-unreachable error a host sends back for `original` (from its destination to its source). */
  static portUnreachable(original: InetPacket): InetPacket {
    return new InetPacket(original.destination, original.source, null, null, { original });
  }

  get v4(): boolean {
    return isV4(this.source);
  }

  /** The transport payload; for an ICMP error, the part of the original packet it quotes. */
  get payload(): Uint8Array {
    if (this.icmp) {
      const original = this.icmp.original.toBytes();
      return (this.quoted ??= original.subarray(0, this.v4 ? IPV4_HEADER + 8 : Math.min(original.length, ICMPV6_QUOTE)));
    }
    return (this.udp ?? this.tcp)!.payload;
  }

  get hasPayload(): boolean {
    return this.payload.length > 0;
  }

  /** Bytes of the transport header. */
  private get transportHeader(): number {
    return this.tcp ? TCP_HEADER + tcpOptionsLength(this.tcp) : this.icmp ? ICMP_HEADER : UDP_HEADER;
  }

  get wireSize(): number {
    return (this.v4 ? IPV4_HEADER : IPV6_HEADER) + this.transportHeader + this.payload.length;
  }

  toBytes(): Uint8Array {
    const transport = this.tcp ? encodeTcp(this.tcp) : this.icmp ? encodeIcmp(this.v4, this.payload) : encodeUdp(this.udp!);
    const ipHeader = this.v4 ? IPV4_HEADER : IPV6_HEADER;
    const out = new Uint8Array(ipHeader + transport.length);
    out.set(transport, ipHeader);
    const v = new DataView(out.buffer);
    const src = this.v4 ? ipv4Bytes(this.source) : ipv6Bytes(this.source);
    const dst = this.v4 ? ipv4Bytes(this.destination) : ipv6Bytes(this.destination);
    if (this.v4) {
      v.setUint8(0, 0x45); // version 4, 5 words
      v.setUint16(2, out.length, false);
      v.setUint16(6, 0x4000, false); // DF, no fragments
      v.setUint8(8, TTL);
      v.setUint8(9, this.protocol);
      out.set(src, 12);
      out.set(dst, 16);
      v.setUint16(10, checksum([out.subarray(0, IPV4_HEADER)]), false);
    } else {
      v.setUint32(0, 0x60000000, false); // version 6, class 0, flow 0
      v.setUint16(4, transport.length, false);
      v.setUint8(6, this.protocol);
      v.setUint8(7, TTL);
      out.set(src, 8);
      out.set(dst, 24);
    }
    // The transport checksum covers a pseudo-header of the addresses, protocol and length.
    const pseudo = new Uint8Array(this.v4 ? 12 : 40);
    const p = new DataView(pseudo.buffer);
    pseudo.set(src, 0);
    pseudo.set(dst, src.length);
    if (this.v4) {
      p.setUint8(9, this.protocol);
      p.setUint16(10, transport.length, false);
    } else {
      p.setUint32(32, transport.length, false);
      p.setUint8(39, this.protocol);
    }
    // ICMPv4's checksum covers the message alone; ICMPv6's, UDP's and TCP's the pseudo-header too.
    let sum = this.icmp && this.v4 ? checksum([transport]) : checksum([pseudo, transport]);
    if (this.udp && sum === 0) sum = 0xffff; // 0 means "no checksum" in UDP
    v.setUint16(ipHeader + (this.tcp ? 16 : this.icmp ? 2 : 6), sum, false);
    return out;
  }
}

/** Destination unreachable, port unreachable (ICMPv4 3/3, ICMPv6 1/4), then the quoted packet. */
function encodeIcmp(v4: boolean, quoted: Uint8Array): Uint8Array {
  const out = new Uint8Array(ICMP_HEADER + quoted.length);
  out[0] = v4 ? 3 : 1;
  out[1] = v4 ? 3 : 4;
  out.set(quoted, ICMP_HEADER);
  return out;
}

function encodeUdp(d: UdpDatagram): Uint8Array {
  const out = new Uint8Array(UDP_HEADER + d.payload.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, d.srcPort, false);
  v.setUint16(2, d.dstPort, false);
  v.setUint16(4, out.length, false);
  out.set(d.payload, UDP_HEADER);
  return out;
}

function encodeTcp(s: TcpSegment): Uint8Array {
  const options = tcpOptionsLength(s);
  const header = TCP_HEADER + options;
  const out = new Uint8Array(header + s.payload.length);
  const v = new DataView(out.buffer);
  v.setUint16(0, s.srcPort, false);
  v.setUint16(2, s.dstPort, false);
  v.setUint32(4, s.seq >>> 0, false);
  v.setUint32(8, s.ack >>> 0, false);
  const f = s.flags;
  const flags = (f.fin ? 0x01 : 0) | (f.syn ? 0x02 : 0) | (f.rst ? 0x04 : 0) | (f.psh ? 0x08 : 0) | (f.ack ? 0x10 : 0);
  v.setUint16(12, ((header / 4) << 12) | flags, false);
  v.setUint16(14, Math.min(Math.max(0, s.window), 0xffff), false);
  let at = TCP_HEADER;
  if (s.mss !== undefined) {
    out.set([2, 4, (s.mss >> 8) & 0xff, s.mss & 0xff], at);
    at += 4;
  }
  if (s.windowScale !== undefined) out.set([1, 3, 3, s.windowScale], at);
  out.set(s.payload, header);
  return out;
}

/** The Internet checksum (RFC 1071) of the concatenation of `parts` (each of even length but the last). */
export function checksum(parts: readonly Uint8Array[]): number {
  let sum = 0;
  for (const part of parts) {
    const n = part.length & ~1;
    for (let i = 0; i < n; i += 2) sum += (part[i]! << 8) | part[i + 1]!;
    if (part.length & 1) sum += part[part.length - 1]! << 8;
    sum = (sum & 0xffff) + (sum >>> 16);
  }
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return ~sum & 0xffff;
}
