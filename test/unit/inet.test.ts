import { expect } from 'chai';
import { Errno } from '@shadow-ts/plugin-sdk';
import {
  AF_INET,
  AF_INET6,
  canonical,
  decodeSockaddr,
  encodeSockaddr,
  ipv6Bytes,
  ipv6Text,
  wireFromIpv6,
} from '../../plugins/net/src/inet/addresses.js';
import { InetPacket, checksum } from '../../plugins/net/src/inet/packet.js';
import { EPHEMERAL_HIGH, EPHEMERAL_LOW, PortTable, accepts, type Binding } from '../../plugins/net/src/inet/ports.js';
import { truesize } from '../../plugins/net/src/inet/udp.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const text = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

/**
 * Packets as tshark/scapy see them. The expected bytes were produced by scapy 2.5
 * (`raw(IP(..., id=0, flags='DF', ttl=64)/UDP(...)/payload)` and the like), which computes
 * every checksum itself; tshark checks the same packets from a simulated pcap as [correct].
 */
describe('inet packets', () => {
  it('computes the RFC 1071 checksum of a known IPv4 header (b861)', () => {
    const header = bytes('450000730000400040110000c0a80001c0a800c7');
    expect(checksum([header]).toString(16)).to.equal('b861');
    // A header with its checksum filled in sums to zero.
    expect(checksum([bytes('45000073000040004011b861c0a80001c0a800c7')])).to.equal(0);
  });

  it('encodes an IPv4 UDP datagram', () => {
    const p = InetPacket.udp('192.168.0.1', '192.168.0.199', { srcPort: 1234, dstPort: 5678, payload: text('hello') });
    expect(hex(p.toBytes())).to.equal('45000021000040004011b8b3c0a80001c0a800c704d2162e000d1ee968656c6c6f');
    expect(p.wireSize).to.equal(33);
    expect(p.protocol).to.equal(17);
    expect(p.hasPayload).to.equal(true);
  });

  it('encodes an IPv4 TCP SYN with MSS and window scale options', () => {
    const p = InetPacket.tcp('11.0.0.1', '11.0.0.2', {
      srcPort: 32768,
      dstPort: 80,
      seq: 1000,
      ack: 0,
      flags: { syn: true },
      window: 65535,
      mss: 1460,
      windowScale: 7,
      payload: new Uint8Array(0),
    });
    expect(hex(p.toBytes())).to.equal('4500003000004000400624c60b0000010b00000280000050000003e8000000007002ffffe9dd0000020405b401030307');
    expect(p.wireSize).to.equal(48);
    expect(p.hasPayload).to.equal(false);
  });

  it('encodes an IPv4 TCP segment with data and a sequence number near the wrap', () => {
    const p = InetPacket.tcp('11.0.0.2', '11.0.0.1', {
      srcPort: 80,
      dstPort: 32768,
      seq: 0xfffffff0,
      ack: 1001,
      flags: { psh: true, ack: true },
      window: 512,
      payload: text('GET / HTTP/1.0\r\n\r\n'),
    });
    expect(hex(p.toBytes())).to.equal('4500003a00004000400624bc0b0000020b00000100508000fffffff0000003e95018020034ee0000474554202f20485454502f312e300d0a0d0a');
  });

  it('encodes IPv6 UDP and TCP packets (40-byte header, pseudo-header checksums)', () => {
    const udp = InetPacket.udp('::1', 'fd00::b00:1', { srcPort: 53, dstPort: 40000, payload: text('abc') });
    expect(hex(udp.toBytes())).to.equal('60000000000b114000000000000000000000000000000001fd00000000000000000000000b00000100359c40000b96fd616263');
    expect(udp.wireSize).to.equal(51);
    const tcp = InetPacket.tcp('fd00::b00:1', 'fd00::b00:2', {
      srcPort: 5000,
      dstPort: 32768,
      seq: 7,
      ack: 9,
      flags: { fin: true, ack: true },
      window: 100,
      payload: text('x'),
    });
    expect(hex(tcp.toBytes())).to.equal('6000000000150640fd00000000000000000000000b000001fd00000000000000000000000b0000021388800000000007000000095011006493d1000078');
    expect(tcp.wireSize).to.equal(61);
  });

  it('caps the 16-bit window field', () => {
    const p = InetPacket.tcp('11.0.0.1', '11.0.0.2', { srcPort: 1, dstPort: 2, seq: 0, ack: 0, flags: { ack: true }, window: 1 << 20, payload: new Uint8Array(0) });
    expect(new DataView(p.toBytes().buffer).getUint16(20 + 14, false)).to.equal(0xffff);
  });
});

describe('inet socket addresses', () => {
  it('writes IPv6 text as RFC 5952 and reads every valid form', () => {
    expect(ipv6Text(ipv6Bytes('FD00:0:0:0:0:0:B00:1'))).to.equal('fd00::b00:1');
    expect(ipv6Text(ipv6Bytes('::'))).to.equal('::');
    expect(ipv6Text(ipv6Bytes('1::'))).to.equal('1::');
    expect(ipv6Text(ipv6Bytes('2001:db8:0:0:1:0:0:1'))).to.equal('2001:db8::1:0:0:1');
    expect(canonical('::ffff:10.1.2.3')).to.equal('10.1.2.3');
    expect(canonical('::FFFF:a01:203')).to.equal('10.1.2.3');
    expect(wireFromIpv6(ipv6Bytes('::1'))).to.equal('::1');
  });

  it('encodes and decodes sockaddr_in', () => {
    const sa = encodeSockaddr(AF_INET, { ip: '11.0.0.7', port: 8080 });
    expect(hex(sa)).to.equal('02001f900b0000070000000000000000');
    expect(decodeSockaddr(AF_INET, sa)).to.deep.equal({ unspec: false, ep: { ip: '11.0.0.7', port: 8080 }, mapped: false });
    expect(decodeSockaddr(AF_INET, sa.subarray(0, 15))).to.deep.equal({ errno: Errno.EINVAL });
    expect(decodeSockaddr(AF_INET, encodeSockaddr(AF_INET6, { ip: '::1', port: 1 }))).to.deep.equal({ errno: Errno.EAFNOSUPPORT });
    expect(decodeSockaddr(AF_INET, new Uint8Array(16))).to.deep.equal({ unspec: true });
  });

  it('encodes and decodes sockaddr_in6, with IPv4 peers as v4-mapped', () => {
    const sa = encodeSockaddr(AF_INET6, { ip: 'fd00::b00:1', port: 443 });
    expect(sa.length).to.equal(28);
    expect(hex(sa)).to.equal('0a0001bb00000000fd00000000000000000000000b00000100000000');
    expect(decodeSockaddr(AF_INET6, sa)).to.deep.equal({ unspec: false, ep: { ip: 'fd00::b00:1', port: 443 }, mapped: false });
    const mapped = encodeSockaddr(AF_INET6, { ip: '127.0.0.1', port: 80 });
    expect(hex(mapped.subarray(8, 24))).to.equal('00000000000000000000ffff7f000001');
    expect(decodeSockaddr(AF_INET6, mapped)).to.deep.equal({ unspec: false, ep: { ip: '127.0.0.1', port: 80 }, mapped: true });
    // SIN6_LEN_RFC2133 (24 bytes, no scope id) is enough; shorter is EINVAL.
    expect(decodeSockaddr(AF_INET6, sa.subarray(0, 24))).to.have.property('unspec', false);
    expect(decodeSockaddr(AF_INET6, sa.subarray(0, 23))).to.deep.equal({ errno: Errno.EINVAL });
    expect(decodeSockaddr(AF_INET6, encodeSockaddr(AF_INET, { ip: '1.2.3.4', port: 1 }).subarray(0, 16))).to.deep.equal({ errno: Errno.EINVAL });
  });
});

/** A binding as a socket would make it. */
function binding(ip: string, options: Partial<Binding> = {}): Binding {
  return { family: ip.includes(':') ? AF_INET6 : AF_INET, ip, port: 0, v6only: false, reuseAddr: false, reusePort: false, listening: false, ...options };
}

describe('port tables', () => {
  it('hands out ephemeral ports in order, skipping taken ones, and wraps', () => {
    const t = new PortTable(false);
    expect(t.bind(binding('0.0.0.0'), 0)).to.equal(EPHEMERAL_LOW);
    expect(t.bind(binding('0.0.0.0'), EPHEMERAL_LOW + 2)).to.equal(EPHEMERAL_LOW + 2);
    expect(t.bind(binding('0.0.0.0'), 0)).to.equal(EPHEMERAL_LOW + 1);
    expect(t.bind(binding('0.0.0.0'), 0)).to.equal(EPHEMERAL_LOW + 3);
    const last = binding('0.0.0.0');
    t.bind(last, EPHEMERAL_HIGH);
    const u = new PortTable(false);
    for (let p = EPHEMERAL_LOW; p < EPHEMERAL_HIGH; p++) u.claim(binding('0.0.0.0'), p);
    expect(u.bind(binding('0.0.0.0'), 0)).to.equal(EPHEMERAL_HIGH);
    expect(u.bind(binding('0.0.0.0'), 0)).to.deep.equal({ errno: Errno.EADDRINUSE });
  });

  it('refuses overlapping addresses unless both sockets allow sharing', () => {
    const t = new PortTable(true);
    expect(t.bind(binding('0.0.0.0'), 80)).to.equal(80);
    expect(t.bind(binding('127.0.0.1'), 80)).to.deep.equal({ errno: Errno.EADDRINUSE });
    // A dual-stack [::] covers IPv4 too; a v6only one does not.
    expect(t.bind(binding('::'), 80)).to.deep.equal({ errno: Errno.EADDRINUSE });
    expect(t.bind(binding('::', { v6only: true }), 80)).to.equal(80);
    expect(t.bind(binding('::1'), 80)).to.deep.equal({ errno: Errno.EADDRINUSE });
    // Distinct specific addresses never collide.
    expect(t.bind(binding('11.0.0.1'), 81)).to.equal(81);
    expect(t.bind(binding('127.0.0.1'), 81)).to.equal(81);
  });

  it('shares a port with SO_REUSEADDR (TCP: not with a listener) and SO_REUSEPORT', () => {
    const tcp = new PortTable(true);
    const a = binding('0.0.0.0', { reuseAddr: true });
    tcp.bind(a, 9000);
    expect(tcp.bind(binding('0.0.0.0', { reuseAddr: true }), 9000)).to.equal(9000);
    const listener = binding('0.0.0.0', { reuseAddr: true, listening: true });
    tcp.bind(listener, 9001);
    expect(tcp.bind(binding('0.0.0.0', { reuseAddr: true }), 9001)).to.deep.equal({ errno: Errno.EADDRINUSE });
    // A listener next to a connection of its port (established or in TIME_WAIT), both SO_REUSEADDR.
    const connection = binding('11.0.0.1', { reuseAddr: true });
    tcp.claim(connection, 9003);
    expect(tcp.free(binding('0.0.0.0', { reuseAddr: true, listening: true }), 9003)).to.equal(true);
    expect(tcp.free(binding('0.0.0.0', { listening: true }), 9003)).to.equal(false);
    tcp.bind(binding('0.0.0.0', { reusePort: true, listening: true }), 9002);
    expect(tcp.bind(binding('0.0.0.0', { reusePort: true, listening: true }), 9002)).to.equal(9002);
    const udp = new PortTable(false);
    udp.bind(binding('0.0.0.0', { reuseAddr: true }), 53);
    expect(udp.bind(binding('0.0.0.0', { reuseAddr: true }), 53)).to.equal(53);
    expect(udp.bind(binding('0.0.0.0'), 53)).to.deep.equal({ errno: Errno.EADDRINUSE });
  });

  it('frees a port on release', () => {
    const t = new PortTable(false);
    const a = binding('0.0.0.0');
    t.bind(a, 7);
    t.release(a);
    expect(t.at(7)).to.have.length(0);
    expect(t.bind(binding('0.0.0.0'), 7)).to.equal(7);
  });

  it('matches destinations against wildcard and specific bindings', () => {
    expect(accepts(binding('0.0.0.0'), '11.0.0.1')).to.equal(true);
    expect(accepts(binding('0.0.0.0'), '::1')).to.equal(false);
    expect(accepts(binding('::'), '11.0.0.1')).to.equal(true);
    expect(accepts(binding('::', { v6only: true }), '11.0.0.1')).to.equal(false);
    expect(accepts(binding('127.0.0.1'), '11.0.0.1')).to.equal(false);
  });
});

describe('UDP receive buffer accounting', () => {
  /** How many datagrams of `length` bytes a receive buffer of `rcvbuf` keeps (the first always fits). */
  const kept = (length: number, rcvbuf: number) => {
    let queued = 0;
    let n = 0;
    for (;;) {
      const t = truesize(length);
      if (queued > 0 && queued + t > rcvbuf) return n;
      queued += t;
      n++;
      if (n > 10000) return n;
    }
  };

  it('keeps as many datagrams as Linux does (measured on loopback with 212992 bytes)', () => {
    const measured: [number, number][] = [
      [1, 256],
      [100, 256],
      [500, 166],
      [1000, 92],
      [1500, 92],
      [2000, 48],
      [4000, 25],
      [8000, 12],
      [16000, 12],
      [20000, 10],
      [32000, 6],
      [40000, 5],
      [65507, 3],
    ];
    for (const [length, count] of measured) expect(kept(length, 212992), `${length} bytes`).to.equal(count);
    expect(kept(1000, 8192)).to.equal(3);
    expect(kept(60000, 8192)).to.equal(1);
  });
});
