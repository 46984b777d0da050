import {
  OPCODE_QUERY,
  RCODE,
  TYPE,
  decodeMessage,
  encodeMessage,
  isMalformed,
  type DnsHeader,
  type DnsQuestion,
  type DnsRecord,
} from './message.js';
import type { DnsZone } from './zone.js';

/**
 * One query in, one response out — the resolver's logic without transport. What a query gets:
 *
 * - a response (QR set), or fewer than 12 bytes: nothing (answering responses would let two
 *   resolvers echo each other forever; without a header there is no id to answer);
 * - an opcode other than QUERY: NOTIMP;
 * - anything malformed (see message.ts), not exactly one question, records in the answer or
 *   authority section, more than one OPT or an OPT not at the root: FORMERR (RFC 1035 §4.1.1,
 *   RFC 6891 §6.1.1);
 * - EDNS version above 0: BADVERS (RFC 6891 §6.1.3);
 * - otherwise the table's answer (zone.ts), authoritative, with recursion available (Go's
 *   resolver takes a non-authoritative answer without RA for a lame referral).
 *
 * With EDNS the response carries an OPT of its own (payload 1232, DNS Flag Day 2020's size; the
 * DO bit echoed, RFC 3225). No response needs truncating (TC) for UDP's 512 bytes: the largest
 * is a PTR for an ip6.arpa name (74 bytes) naming a 253-character host, 368 bytes with an OPT,
 * and a forward answer (A and AAAA for ANY) under a 255-byte question is 326.
 */

/** The UDP payload size this resolver announces and accepts (RFC 6891 §6.2.5; DNS Flag Day 2020). */
export const EDNS_PAYLOAD = 1232;
const DO_BIT = 0x8000;

/** The EDNS parameters of a query (its payload size does not matter: every response fits 512 bytes). */
interface Edns {
  readonly version: number;
  readonly dnssecOk: boolean;
}

function responseHeader(query: DnsHeader, rcode: number): DnsHeader {
  return {
    id: query.id,
    response: true,
    opcode: query.opcode,
    authoritative: rcode === RCODE.NOERROR || rcode === RCODE.NXDOMAIN,
    truncated: false,
    recursionDesired: query.recursionDesired,
    recursionAvailable: true,
    authenticData: false,
    checkingDisabled: query.checkingDisabled,
    rcode: rcode & 0xf,
  };
}

/** Our OPT record: the payload we take, the upper bits of an extended rcode, version 0. */
function optRecord(edns: Edns, rcode: number): DnsRecord {
  const ttl = (((rcode >> 4) & 0xff) << 24) | (edns.dnssecOk ? DO_BIT : 0);
  return { name: [], type: TYPE.OPT, class: EDNS_PAYLOAD, ttl: ttl >>> 0, data: { bytes: new Uint8Array(0) } };
}

function respond(query: DnsHeader, rcode: number, questions: readonly DnsQuestion[], answers: readonly DnsRecord[], edns: Edns | null): Uint8Array {
  const additional = edns ? [optRecord(edns, rcode)] : [];
  return encodeMessage({ header: responseHeader(query, rcode), questions, answers, authority: [], additional });
}

/** The response to the DNS message `bytes`, or null when it gets none. Never throws on any input. */
export function answerQuery(bytes: Uint8Array, zone: DnsZone): Uint8Array | null {
  const message = decodeMessage(bytes);
  const header = message.header;
  if (header === null || header.response) return null;
  if (isMalformed(message)) return respond(header, RCODE.FORMERR, [], [], null);
  if (header.opcode !== OPCODE_QUERY) return respond(header, RCODE.NOTIMP, [], [], null);
  const opts = message.additional.filter((r) => r.type === TYPE.OPT);
  const opt = opts[0];
  if (message.questions.length !== 1 || message.answers.length > 0 || message.authority.length > 0 || opts.length > 1 || (opt && opt.name.length > 0)) {
    return respond(header, RCODE.FORMERR, [], [], null);
  }
  const edns: Edns | null = opt ? { version: (opt.ttl >>> 16) & 0xff, dnssecOk: (opt.ttl & DO_BIT) !== 0 } : null;
  const question = message.questions[0]!;
  if (edns && edns.version !== 0) return respond(header, RCODE.BADVERS, [question], [], edns);
  const { rcode, answers } = zone.answer(question);
  return respond(header, rcode, [question], answers, edns);
}
