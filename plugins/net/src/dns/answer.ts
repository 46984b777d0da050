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
 * DO bit echoed, RFC 3225). A response larger than the client can take over UDP (512 bytes, or
 * its EDNS payload size) is cut to its question with TC set, so the client asks again over TCP;
 * the table's answers stay far below 512 bytes, so this guards against nothing but a change.
 */

/** The UDP payload size this resolver announces and accepts (RFC 6891 §6.2.5; DNS Flag Day 2020). */
export const EDNS_PAYLOAD = 1232;
/** The largest UDP response without EDNS (RFC 1035 §4.2.1). */
const CLASSIC_UDP = 512;
/** The largest message TCP's two-byte length can frame (RFC 1035 §4.2.2); errors, a header alone, fit anywhere. */
const MAX_MESSAGE = 0xffff;
const DO_BIT = 0x8000;

/** The EDNS parameters of a query. */
interface Edns {
  readonly payload: number;
  readonly version: number;
  readonly dnssecOk: boolean;
}

function responseHeader(query: DnsHeader, rcode: number, authoritative: boolean, truncated = false): DnsHeader {
  return {
    id: query.id,
    response: true,
    opcode: query.opcode,
    authoritative,
    truncated,
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

function respond(
  query: DnsHeader,
  rcode: number,
  questions: readonly DnsQuestion[],
  answers: readonly DnsRecord[],
  edns: Edns | null,
  limit: number,
): Uint8Array {
  const authoritative = rcode === RCODE.NOERROR || rcode === RCODE.NXDOMAIN;
  const additional = edns ? [optRecord(edns, rcode)] : [];
  const full = encodeMessage({ header: responseHeader(query, rcode, authoritative), questions, answers, authority: [], additional });
  if (full.length <= limit) return full;
  const header = responseHeader(query, rcode, authoritative, true);
  return encodeMessage({ header, questions, answers: [], authority: [], additional });
}

/**
 * The response to the DNS message `bytes` received over `transport`, or null when it gets none.
 * Never throws on any input.
 */
export function answerQuery(bytes: Uint8Array, zone: DnsZone, transport: 'udp' | 'tcp'): Uint8Array | null {
  const message = decodeMessage(bytes);
  const header = message.header;
  if (header === null || header.response) return null;
  if (isMalformed(message)) return respond(header, RCODE.FORMERR, [], [], null, MAX_MESSAGE);
  if (header.opcode !== OPCODE_QUERY) return respond(header, RCODE.NOTIMP, [], [], null, MAX_MESSAGE);
  const opts = message.additional.filter((r) => r.type === TYPE.OPT);
  const opt = opts[0];
  if (message.questions.length !== 1 || message.answers.length > 0 || message.authority.length > 0 || opts.length > 1 || (opt && opt.name.length > 0)) {
    return respond(header, RCODE.FORMERR, [], [], null, MAX_MESSAGE);
  }
  const edns: Edns | null = opt
    ? { payload: Math.max(CLASSIC_UDP, opt.class), version: (opt.ttl >>> 16) & 0xff, dnssecOk: (opt.ttl & DO_BIT) !== 0 }
    : null;
  const limit = transport === 'tcp' ? MAX_MESSAGE : Math.min(edns?.payload ?? CLASSIC_UDP, EDNS_PAYLOAD);
  const question = message.questions[0]!;
  if (edns && edns.version !== 0) return respond(header, RCODE.BADVERS, [question], [], edns, limit);
  const { rcode, answers } = zone.answer(question);
  return respond(header, rcode, [question], answers, edns, limit);
}
