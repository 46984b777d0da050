import { ipv4Bytes, ipv4Text, ipv6Bytes, ipv6Text, isV4 } from '../inet/addresses.js';

/**
 * DNS messages (RFC 1035 §4): the header, questions and resource records, with name compression
 * (§4.1.4) read and written. The bytes come from an untrusted program, so decoding checks every
 * length and offset, follows compression pointers only backwards (no loops) and reports a
 * malformed message instead of throwing: the resolver answers it with FORMERR.
 *
 * A name is its list of labels, each label a latin1 string of its bytes (labels may hold any
 * byte, a dot included); the root is the empty list. Names compare case-insensitively in ASCII
 * only (RFC 4343), which `nameKey` gives.
 */

export type Name = readonly string[];

export const TYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, OPT: 41, ANY: 255 } as const;
export const CLASS = { IN: 1, ANY: 255 } as const;
export const OPCODE_QUERY = 0;
/** Response codes (RFC 1035 §4.1.1; BADVERS is EDNS's extended code 16, RFC 6891). */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5, BADVERS: 16 } as const;

export const HEADER_SIZE = 12;
/** Longest name on the wire, length bytes and the root's zero included (§2.3.4), and longest label. */
const MAX_NAME = 255;
const MAX_LABEL = 63;
/**
 * Pointers followed in one name. A 255-byte name has at most 127 labels, so more hops than that
 * only chain pointers to pointers: refusing them keeps a hostile message of many questions, each
 * a pointer to a long chain, from costing time quadratic in its length.
 */
const MAX_HOPS = 127;

export interface DnsHeader {
  readonly id: number;
  /** A response (QR). */
  readonly response: boolean;
  readonly opcode: number;
  readonly authoritative: boolean;
  readonly truncated: boolean;
  readonly recursionDesired: boolean;
  readonly recursionAvailable: boolean;
  /** AD and CD (RFC 4035 §3.2): copied, never acted on. */
  readonly authenticData: boolean;
  readonly checkingDisabled: boolean;
  /** The 4-bit RCODE of the header (an EDNS extended code keeps its low 4 bits here). */
  readonly rcode: number;
}

export interface DnsQuestion {
  readonly name: Name;
  readonly type: number;
  readonly class: number;
}

/** Record data: addresses for A and AAAA, a name for PTR, CNAME and NS, bytes for the rest. */
export type RecordData =
  | { readonly address: string }
  | { readonly name: Name }
  | { readonly bytes: Uint8Array };

export interface DnsRecord {
  readonly name: Name;
  readonly type: number;
  /** For OPT (EDNS) the requester's UDP payload size. */
  readonly class: number;
  /** For OPT the extended RCODE, version and flags. */
  readonly ttl: number;
  readonly data: RecordData;
}

export interface DnsMessage {
  readonly header: DnsHeader;
  readonly questions: readonly DnsQuestion[];
  readonly answers: readonly DnsRecord[];
  readonly authority: readonly DnsRecord[];
  readonly additional: readonly DnsRecord[];
}

/** Why a message could not be read, with its header when the first 12 bytes were there. */
export interface Malformed {
  readonly malformed: string;
  readonly header: DnsHeader | null;
}

export const isMalformed = (m: DnsMessage | Malformed): m is Malformed => 'malformed' in m;

/** A name's lookup key: labels lower-cased (ASCII A-Z only), each prefixed by its length. */
export function nameKey(name: Name): string {
  return name.map((l) => `${l.length}:${l.replace(/[A-Z]/g, (c) => c.toLowerCase())}`).join('');
}

/** Labels of dotted text (`server.example` → ['server', 'example']); '' and '.' are the root. */
export function nameOf(text: string): Name {
  const trimmed = text.endsWith('.') ? text.slice(0, -1) : text;
  return trimmed === '' ? [] : trimmed.split('.');
}

/** Dotted text of a name (no trailing dot; the root is '.'). */
export function nameText(name: Name): string {
  return name.length === 0 ? '.' : name.join('.');
}

/** Thrown inside the decoder only; `decodeMessage` turns it into a Malformed. */
class FormatError extends Error {}

/** A bounds-checked reader over the message. */
class Reader {
  private readonly view: DataView;
  offset = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(n: number, what: string): void {
    if (this.offset + n > this.bytes.length) throw new FormatError(`${what} runs past the end of the message`);
  }

  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.offset++);
  }

  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.offset, false);
    this.offset += 2;
    return v;
  }

  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.offset, false);
    this.offset += 4;
    return v;
  }

  take(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /**
   * A possibly compressed name at the current offset; the offset moves past its first
   * representation. Every pointer must point before the label it replaces, so the walk always
   * moves backwards and ends; the expanded name must fit 255 bytes.
   */
  name(): Name {
    const labels: string[] = [];
    let wire = 1; // the root's zero byte
    let at = this.offset;
    let resume = -1;
    let hops = 0;
    for (;;) {
      if (at >= this.bytes.length) throw new FormatError('a name runs past the end of the message');
      const len = this.bytes[at]!;
      if (len === 0) {
        at += 1;
        break;
      }
      const kind = len & 0xc0;
      if (kind === 0xc0) {
        if (at + 1 >= this.bytes.length) throw new FormatError('a compression pointer runs past the end of the message');
        const target = ((len & 0x3f) << 8) | this.bytes[at + 1]!;
        if (target >= at) throw new FormatError('a compression pointer does not point backwards');
        if (++hops > MAX_HOPS) throw new FormatError('a name follows too many compression pointers');
        if (resume < 0) resume = at + 2;
        at = target;
        continue;
      }
      // 0x40 and 0x80 are the extended and binary labels RFC 6891 and RFC 6672 retired.
      if (kind !== 0) throw new FormatError(`unknown label type 0x${kind.toString(16)}`);
      if (at + 1 + len > this.bytes.length) throw new FormatError('a label runs past the end of the message');
      wire += 1 + len;
      if (wire > MAX_NAME) throw new FormatError('a name is longer than 255 bytes');
      labels.push(Buffer.from(this.bytes.subarray(at + 1, at + 1 + len)).toString('latin1'));
      at += 1 + len;
    }
    this.offset = resume >= 0 ? resume : at;
    return labels;
  }
}

function decodeHeader(r: Reader): { header: DnsHeader; counts: [number, number, number, number] } {
  const id = r.u16('the header');
  const flags = r.u16('the header');
  const counts: [number, number, number, number] = [r.u16('the header'), r.u16('the header'), r.u16('the header'), r.u16('the header')];
  const header: DnsHeader = {
    id,
    response: (flags & 0x8000) !== 0,
    opcode: (flags >> 11) & 0xf,
    authoritative: (flags & 0x0400) !== 0,
    truncated: (flags & 0x0200) !== 0,
    recursionDesired: (flags & 0x0100) !== 0,
    recursionAvailable: (flags & 0x0080) !== 0,
    authenticData: (flags & 0x0020) !== 0,
    checkingDisabled: (flags & 0x0010) !== 0,
    rcode: flags & 0xf,
  };
  return { header, counts };
}

function decodeRecord(r: Reader): DnsRecord {
  const name = r.name();
  const type = r.u16('a record');
  const klass = r.u16('a record');
  const ttl = r.u32('a record');
  const length = r.u16('a record');
  r.need(length, 'record data');
  const end = r.offset + length;
  let data: RecordData;
  if ((type === TYPE.A && length === 4) || (type === TYPE.AAAA && length === 16)) {
    data = { address: addressText(r.take(length, 'an address')) };
  } else if (type === TYPE.A || type === TYPE.AAAA) {
    throw new FormatError(`an ${type === TYPE.A ? 'A' : 'AAAA'} record of ${length} bytes`);
  } else if (type === TYPE.PTR || type === TYPE.CNAME || type === TYPE.NS) {
    data = { name: r.name() };
    if (r.offset !== end) throw new FormatError('a name in record data does not fill it');
  } else {
    data = { bytes: r.take(length, 'record data') };
  }
  return { name, type, class: klass, ttl, data };
}

/** Decodes a whole message; trailing bytes after the last record make it malformed. */
export function decodeMessage(bytes: Uint8Array): DnsMessage | Malformed {
  if (bytes.length < HEADER_SIZE) return { malformed: 'shorter than a DNS header', header: null };
  const r = new Reader(bytes);
  const { header, counts } = decodeHeader(r);
  try {
    const questions: DnsQuestion[] = [];
    for (let i = 0; i < counts[0]; i++) {
      const name = r.name();
      questions.push({ name, type: r.u16('a question'), class: r.u16('a question') });
    }
    const sections: DnsRecord[][] = [[], [], []];
    for (let s = 0; s < 3; s++) {
      for (let i = 0; i < counts[s + 1]!; i++) sections[s]!.push(decodeRecord(r));
    }
    if (r.offset !== bytes.length) throw new FormatError(`${bytes.length - r.offset} bytes after the last record`);
    return { header, questions, answers: sections[0]!, authority: sections[1]!, additional: sections[2]! };
  } catch (e) {
    if (e instanceof FormatError) return { malformed: e.message, header };
    throw e;
  }
}

/** Text of 4 or 16 address bytes (IPv6 in RFC 5952 form). */
function addressText(b: Uint8Array): string {
  return b.length === 4 ? ipv4Text(b) : ipv6Text(b);
}

/** The bytes of an address in wire text (dotted IPv4 or IPv6). */
function addressBytes(text: string): Uint8Array {
  return isV4(text) ? ipv4Bytes(text) : ipv6Bytes(text);
}

/** A growing message with the offsets of the names written so far (for compression). */
class Writer {
  private buf = new Uint8Array(512);
  length = 0;
  private readonly names = new Map<string, number>();

  private room(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const bigger = new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }

  u8(v: number): void {
    this.room(1);
    this.buf[this.length++] = v & 0xff;
  }

  u16(v: number): void {
    this.u8(v >> 8);
    this.u8(v);
  }

  u32(v: number): void {
    this.u16(v >>> 16);
    this.u16(v & 0xffff);
  }

  bytes(b: Uint8Array): void {
    this.room(b.length);
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  setU16(at: number, v: number): void {
    this.buf[at] = (v >> 8) & 0xff;
    this.buf[at + 1] = v & 0xff;
  }

  /** Writes `name`, replacing its longest suffix already written by a pointer (§4.1.4). */
  name(name: Name): void {
    for (let i = 0; i < name.length; i++) {
      const suffix = name.slice(i);
      const key = nameKey(suffix);
      const earlier = this.names.get(key);
      if (earlier !== undefined) {
        this.u16(0xc000 | earlier);
        return;
      }
      // Pointers hold 14 bits: a suffix further in cannot be pointed at.
      if (this.length < 0x4000) this.names.set(key, this.length);
      const label = Buffer.from(name[i]!, 'latin1');
      if (label.length === 0 || label.length > MAX_LABEL) throw new RangeError(`DNS label of ${label.length} bytes`);
      this.u8(label.length);
      this.bytes(label);
    }
    this.u8(0);
  }

  done(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

function encodeFlags(h: DnsHeader): number {
  return (
    (h.response ? 0x8000 : 0) |
    ((h.opcode & 0xf) << 11) |
    (h.authoritative ? 0x0400 : 0) |
    (h.truncated ? 0x0200 : 0) |
    (h.recursionDesired ? 0x0100 : 0) |
    (h.recursionAvailable ? 0x0080 : 0) |
    (h.authenticData ? 0x0020 : 0) |
    (h.checkingDisabled ? 0x0010 : 0) |
    (h.rcode & 0xf)
  );
}

function encodeRecord(w: Writer, rec: DnsRecord): void {
  w.name(rec.name);
  w.u16(rec.type);
  w.u16(rec.class);
  w.u32(rec.ttl);
  const lengthAt = w.length;
  w.u16(0);
  const d = rec.data;
  if ('address' in d) w.bytes(addressBytes(d.address));
  else if ('name' in d) w.name(d.name);
  else w.bytes(d.bytes);
  w.setU16(lengthAt, w.length - lengthAt - 2);
}

/** Encodes a message, compressing names. Names must be valid (labels of 1..63 bytes). */
export function encodeMessage(m: DnsMessage): Uint8Array {
  const w = new Writer();
  w.u16(m.header.id);
  w.u16(encodeFlags(m.header));
  for (const n of [m.questions.length, m.answers.length, m.authority.length, m.additional.length]) w.u16(n);
  for (const q of m.questions) {
    w.name(q.name);
    w.u16(q.type);
    w.u16(q.class);
  }
  for (const rec of [...m.answers, ...m.authority, ...m.additional]) encodeRecord(w, rec);
  return w.done();
}
