import { expect } from 'chai';
import { hostIpv6 as coreHostIpv6 } from '../../core/src/net/network.js';
import { answerQuery, EDNS_PAYLOAD } from '../../plugins/net/src/dns/answer.js';
import {
  CLASS,
  RCODE,
  TYPE,
  decodeMessage,
  encodeMessage,
  isMalformed,
  nameKey,
  nameOf,
  type DnsMessage,
  type DnsRecord,
  type Malformed,
} from '../../plugins/net/src/dns/message.js';
import { DnsZone, hostIpv6, reverseName } from '../../plugins/net/src/dns/zone.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const bytes = (s: string) => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));

/** The query glibc's res_query sent for `A server` (from a strace log): id 0x0100, RD. */
const GLIBC_QUERY = bytes('0100 0100 0001 0000 0000 0000 06736572766572 00 0001 0001');

const HOSTS = [
  { name: 'client', ipAddress: '11.0.0.1' },
  { name: 'server', ipAddress: '11.0.0.2' },
  { name: 'relay1.tor', ipAddress: '11.0.0.3' },
];

function message(m: DnsMessage | Malformed): DnsMessage {
  if (isMalformed(m)) throw new Error(`malformed: ${m.malformed}`);
  return m;
}

function malformed(m: DnsMessage | Malformed): string {
  if (!isMalformed(m)) throw new Error('decoded a malformed message');
  return m.malformed;
}

/** A query (RD set) for one question, optionally with an OPT record (EDNS version, DO). */
function query(name: string, type: number, options: { id?: number; klass?: number; opcode?: number; edns?: { version: number; dnssecOk?: boolean } } = {}): Uint8Array {
  const additional: DnsRecord[] = options.edns
    ? [{ name: [], type: TYPE.OPT, class: 4096, ttl: (options.edns.version << 16) | (options.edns.dnssecOk ? 0x8000 : 0), data: { bytes: new Uint8Array(0) } }]
    : [];
  return encodeMessage({
    header: {
      id: options.id ?? 0x1234,
      response: false,
      opcode: options.opcode ?? 0,
      authoritative: false,
      truncated: false,
      recursionDesired: true,
      recursionAvailable: false,
      authenticData: false,
      checkingDisabled: false,
      rcode: 0,
    },
    questions: [{ name: nameOf(name), type, class: options.klass ?? CLASS.IN }],
    answers: [],
    authority: [],
    additional,
  });
}

/** The decoded response to `q` from a zone of HOSTS. */
function ask(q: Uint8Array): DnsMessage {
  const reply = answerQuery(q, new DnsZone(HOSTS));
  expect(reply, 'a response').to.not.equal(null);
  return message(decodeMessage(reply!));
}

const answers = (m: DnsMessage) => m.answers.map((r) => ('address' in r.data ? r.data.address : 'name' in r.data ? r.data.name.join('.') : hex(r.data.bytes)));

/** A small deterministic generator (xorshift32) for the hostile-input rounds. */
function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

describe('dns: message codec (RFC 1035)', () => {
  it("decodes glibc's query and encodes it back byte for byte", () => {
    const m = message(decodeMessage(GLIBC_QUERY));
    expect(m.header).to.include({ id: 0x0100, response: false, opcode: 0, recursionDesired: true, rcode: 0 });
    expect(m.questions).to.deep.equal([{ name: ['server'], type: TYPE.A, class: CLASS.IN }]);
    expect(hex(encodeMessage(m))).to.equal(hex(GLIBC_QUERY));
  });

  it('compresses names onto earlier ones when encoding and expands them when decoding', () => {
    const encoded = encodeMessage({
      ...message(decodeMessage(GLIBC_QUERY)),
      answers: [
        { name: ['SERVER'], type: TYPE.A, class: CLASS.IN, ttl: 60, data: { address: '11.0.0.2' } },
        { name: ['www', 'server'], type: TYPE.CNAME, class: CLASS.IN, ttl: 60, data: { name: ['server'] } },
      ],
    });
    // The answer's owner is a pointer to the question's name at offset 12 (case-insensitive match).
    expect(hex(encoded.subarray(24, 26))).to.equal('c00c');
    // www.server: one label, then a pointer; its data, "server", a bare pointer.
    expect(hex(encoded.subarray(40, 46))).to.equal('03777777c00c');
    const back = message(decodeMessage(encoded));
    expect(back.answers.map((r) => r.name)).to.deep.equal([['server'], ['www', 'server']]);
    expect(answers(back)).to.deep.equal(['11.0.0.2', 'server']);
  });

  it('keeps labels as their bytes: case, dots and any byte survive; keys ignore ASCII case only', () => {
    const m = message(decodeMessage(bytes('0001 0000 0001 0000 0000 0000 03 612e62 02 c3a9 00 0001 0001')));
    expect(m.questions[0]!.name).to.deep.equal(['a.b', '\u00c3\u00a9']);
    expect(nameKey(['a.b'])).to.not.equal(nameKey(['a', 'b']));
    expect(nameKey(['SeRvEr'])).to.equal(nameKey(['server']));
    expect(nameKey(['\u00c3'])).to.not.equal(nameKey(['\u00e3']));
  });

  it('reports malformed input with the header when there is one, and never throws', () => {
    const header = '1234 0100 0001 0000 0000 0000';
    expect(decodeMessage(bytes('1234 0100 00'))).to.deep.equal({ malformed: 'shorter than a DNS header', header: null });
    const cases: [string, RegExp][] = [
      [`${header}`, /runs past the end/],
      [`${header} 06 736572`, /label runs past the end/],
      [`${header} 06736572766572 00 0001`, /question runs past the end/],
      [`${header} c00c 0001 0001`, /does not point backwards/],
      [`${header} c00d 0001 0001`, /does not point backwards/],
      [`${header} c0`, /pointer runs past the end/],
      [`${header} 41 00 0001 0001`, /unknown label type 0x40/],
      [`${header} 81 00 0001 0001`, /unknown label type 0x80/],
      [`${header} 06736572766572 00 0001 0001 ff`, /1 bytes after the last record/],
      ['1234 0100 ffff 0000 0000 0000 00 0001 0001', /runs past the end/],
      // An A record whose data is 5 bytes.
      ['1234 8100 0000 0001 0000 0000 00 0001 0001 00000000 0005 0b00000201', /an A record of 5 bytes/],
      // A PTR whose name does not fill its data.
      ['1234 8100 0000 0001 0000 0000 00 000c 0001 00000000 0003 00 0000', /does not fill it/],
    ];
    for (const [input, reason] of cases) {
      const m = decodeMessage(bytes(input));
      expect(malformed(m), input).to.match(reason);
      expect((m as Malformed).header?.id, input).to.equal(0x1234);
    }
    // 130 labels of one byte: 261 bytes on the wire.
    const long = `${header} ${'0161'.repeat(130)} 00 0001 0001`;
    expect(malformed(decodeMessage(bytes(long)))).to.match(/longer than 255 bytes/);
  });

  it('follows at most 127 pointers in a name: a chain of pointers to pointers is refused', () => {
    /**
     * Two records: the first's data (type 99) is a root byte at offset 23, then `n` pointers, each
     * to the one before; the second's owner is a pointer to the last of them, n + 1 hops from the root.
     */
    const chain = (n: number): Uint8Array => {
      const pointer = (to: number) => [0xc0 | (to >> 8), to & 0xff];
      const data = [0];
      for (let i = 0; i < n; i++) data.push(...pointer(i === 0 ? 23 : 24 + 2 * (i - 1)));
      const record = (name: number[], rdata: number[]) => [...name, 0, 99, 0, 1, 0, 0, 0, 0, rdata.length >> 8, rdata.length & 0xff, ...rdata];
      return new Uint8Array([0x12, 0x34, 0x81, 0, 0, 0, 0, 2, 0, 0, 0, 0, ...record([0], data), ...record(pointer(24 + 2 * (n - 1)), [])]);
    };
    expect(message(decodeMessage(chain(126))).answers[1]!.name).to.deep.equal([]);
    expect(malformed(decodeMessage(chain(127)))).to.match(/too many compression pointers/);
    expect(malformed(decodeMessage(chain(2000)))).to.match(/too many compression pointers/);
  });

  it('survives 5,000 hostile messages: random bytes and mutated queries decode or are malformed, and every answer is a response to the same id', () => {
    const zone = new DnsZone(HOSTS);
    const next = xorshift(0xd15ea5e);
    const seeds = [GLIBC_QUERY, query('server', TYPE.AAAA, { edns: { version: 0 } }), query('2.0.0.11.in-addr.arpa', TYPE.PTR)];
    for (let round = 0; round < 5_000; round++) {
      let input: Uint8Array;
      if (round % 2 === 0) {
        input = new Uint8Array(next() % 64);
        for (let i = 0; i < input.length; i++) input[i] = next() & 0xff;
      } else {
        input = Uint8Array.from(seeds[round % seeds.length]!);
        for (let flips = 1 + (next() % 4); flips > 0; flips--) input[next() % input.length] = next() & 0xff;
        if (next() % 4 === 0) input = input.subarray(0, next() % input.length);
      }
      const decoded = decodeMessage(input);
      expect(decoded).to.have.property('header');
      const reply = answerQuery(input, zone);
      if (reply === null) continue;
      const r = message(decodeMessage(reply));
      expect(r.header.response).to.equal(true);
      expect(r.header.id).to.equal((input[0]! << 8) | input[1]!);
    }
  });
});

describe('dns: the simulated hosts table', () => {
  it('answers A and AAAA for a host (IPv6 as the core assigns it), authoritative with recursion available', () => {
    const a = ask(GLIBC_QUERY);
    expect(a.header).to.include({ id: 0x0100, response: true, authoritative: true, recursionAvailable: true, recursionDesired: true, rcode: RCODE.NOERROR });
    expect(a.questions).to.deep.equal([{ name: ['server'], type: TYPE.A, class: CLASS.IN }]);
    expect(answers(a)).to.deep.equal(['11.0.0.2']);
    expect(a.answers[0]).to.include({ type: TYPE.A, class: CLASS.IN, ttl: 3600 });
    expect(answers(ask(query('server', TYPE.AAAA)))).to.deep.equal(['fd00::b00:2']);
    for (const ip of ['11.0.0.2', '11.1.2.3', '192.168.255.1']) expect(hostIpv6(ip)).to.equal(coreHostIpv6(ip));
    expect(answers(ask(query('relay1.tor.', TYPE.ANY)))).to.deep.equal(['11.0.0.3', 'fd00::b00:3']);
    expect(answers(ask(query('localhost', TYPE.ANY)))).to.deep.equal(['127.0.0.1', '::1']);
  });

  it('answers PTR for every address of a host, IPv4 and IPv6', () => {
    expect(reverseName('11.0.0.2').join('.')).to.equal('2.0.0.11.in-addr.arpa');
    expect(reverseName('fd00::b00:2').join('.')).to.equal(`2.0.0.0.0.0.b.0.${'0.'.repeat(22)}d.f.ip6.arpa`);
    expect(answers(ask(query('2.0.0.11.in-addr.arpa', TYPE.PTR)))).to.deep.equal(['server']);
    expect(answers(ask(query(reverseName('fd00::b00:3').join('.'), TYPE.PTR)))).to.deep.equal(['relay1.tor']);
    expect(answers(ask(query('1.0.0.127.in-addr.arpa', TYPE.PTR)))).to.deep.equal(['localhost']);
  });

  it('matches names without regard to ASCII case and answers under the spelling asked', () => {
    const a = ask(query('SeRvEr', TYPE.A));
    expect(answers(a)).to.deep.equal(['11.0.0.2']);
    expect(a.answers[0]!.name).to.deep.equal(['SeRvEr']);
  });

  it('says NXDOMAIN for names outside the table, NOERROR without answers for other types and for names above entries', () => {
    for (const name of ['nosuch', 'server.example', 'www.google.com', '9.0.0.11.in-addr.arpa', 'tor.relay1']) {
      const r = ask(query(name, TYPE.A));
      expect(r.header.rcode, name).to.equal(RCODE.NXDOMAIN);
      expect(r.header.authoritative, name).to.equal(true);
      expect(r.answers, name).to.deep.equal([]);
    }
    for (const [name, type] of [['server', TYPE.TXT], ['server', TYPE.MX], ['server', TYPE.PTR], ['2.0.0.11.in-addr.arpa', TYPE.A], ['tor', TYPE.A], ['in-addr.arpa', TYPE.PTR], ['arpa', TYPE.SOA]] as const) {
      const r = ask(query(name, type));
      expect([r.header.rcode, r.answers.length], `${name} ${type}`).to.deep.equal([RCODE.NOERROR, 0]);
    }
  });

  it('refuses other classes, does not implement other opcodes, and never answers a response', () => {
    expect(ask(query('version.bind', TYPE.TXT, { klass: 3 })).header.rcode).to.equal(RCODE.REFUSED);
    const status = ask(query('server', TYPE.A, { opcode: 2 }));
    expect([status.header.rcode, status.header.opcode, status.questions.length]).to.deep.equal([RCODE.NOTIMP, 2, 0]);
    const response = Uint8Array.from(GLIBC_QUERY);
    response[2]! |= 0x80;
    expect(answerQuery(response, new DnsZone(HOSTS))).to.equal(null);
    expect(answerQuery(bytes('0100 0100'), new DnsZone(HOSTS))).to.equal(null);
  });

  it('answers FORMERR to malformed queries, two questions, or records where a query has none', () => {
    const formerr = (input: Uint8Array) => {
      const r = ask(input);
      expect([r.header.id, r.header.rcode, r.questions.length, r.answers.length]).to.deep.equal([0x1234, RCODE.FORMERR, 0, 0]);
    };
    formerr(bytes('1234 0100 0001 0000 0000 0000 c00c 0001 0001'));
    formerr(bytes('1234 0100 0000 0000 0000 0000'));
    const one = query('server', TYPE.A);
    const two = Uint8Array.from([...one, ...one.subarray(12)]);
    two[5] = 2;
    formerr(two);
    const withAnswer = message(decodeMessage(one));
    formerr(encodeMessage({ ...withAnswer, answers: [{ name: ['server'], type: TYPE.A, class: CLASS.IN, ttl: 1, data: { address: '1.2.3.4' } }] }));
    const opt = message(decodeMessage(query('server', TYPE.A, { edns: { version: 0 } }))).additional;
    formerr(encodeMessage({ ...withAnswer, additional: [...opt, ...opt] }));
  });

  it('speaks EDNS(0): an OPT of its own with 1232 bytes and the DO bit echoed; BADVERS for version 1', () => {
    const r = ask(query('server', TYPE.A, { edns: { version: 0, dnssecOk: true } }));
    expect(answers(r)).to.deep.equal(['11.0.0.2']);
    expect(r.additional).to.deep.equal([{ name: [], type: TYPE.OPT, class: EDNS_PAYLOAD, ttl: 0x8000, data: { bytes: new Uint8Array(0) } }]);
    const plain = ask(query('server', TYPE.A));
    expect(plain.additional).to.deep.equal([]);
    const bad = ask(query('server', TYPE.A, { edns: { version: 1 } }));
    // BADVERS is 16: 0 in the header's four bits, 1 in the OPT's extended rcode.
    expect([bad.header.rcode, bad.answers.length, bad.additional[0]!.ttl >>> 24]).to.deep.equal([0, 0, 1]);
  });

  it('fits every response into 512 bytes: a PTR naming a 253-character host under ip6.arpa', () => {
    const label = 'a'.repeat(63);
    const name = [label, label, label, 'a'.repeat(61)].join('.');
    expect(name.length).to.equal(253);
    const zone = new DnsZone([{ name, ipAddress: '11.0.0.9' }]);
    const reply = answerQuery(query(reverseName('fd00::b00:9').join('.'), TYPE.PTR, { edns: { version: 0 } }), zone)!;
    expect(reply.length).to.equal(368);
    expect(answers(message(decodeMessage(reply)))).to.deep.equal([name]);
    const forward = answerQuery(query(name, TYPE.ANY, { edns: { version: 0 } }), zone)!;
    expect(answers(message(decodeMessage(forward)))).to.deep.equal(['11.0.0.9', 'fd00::b00:9']);
    expect(forward.length).to.be.below(512);
  });
});
