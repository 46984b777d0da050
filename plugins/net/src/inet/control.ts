import { timespecBytes, timevalBytes, type SimTime } from '@shadow-ts/plugin-sdk';
import { SOL_SOCKET } from '../constants.js';
import { intBytes, type ControlMessage } from '../socket.js';
import { AF_INET, ipv4Bytes, ipv6BytesOf, isLoopback, isV4 } from './addresses.js';
import { IPPROTO_IP, IPPROTO_IPV6, SO_TIMESTAMP, SO_TIMESTAMPNS, optionOn } from './options.js';
import type { InetSocket } from './socket.js';

/**
 * The control messages a received datagram carries (recvmsg(2) on AF_INET/AF_INET6), by the
 * options set when it is received, in Linux's order: the timestamp (sock_recv_cmsgs()), then
 * IP_PKTINFO, IP_TTL, IP_TOS (ip_cmsg_recv_offset()) or IPV6_PKTINFO, IPV6_HOPLIMIT, IPV6_TCLASS
 * (ip6_datagram_recv_ctl()). The model's datagrams have TTL 64 and TOS 0.
 */

/** What a queued datagram remembers for its control messages. */
export interface Arrival {
  /** The address it was sent to (the IP header's destination). */
  readonly to: string;
  /** When it arrived (CLOCK_REALTIME of the host). */
  readonly at: SimTime;
}

const SCM_TIMESTAMP = SO_TIMESTAMP;
const SCM_TIMESTAMPNS = SO_TIMESTAMPNS;
const IP_PKTINFO = 8;
const IP_RECVTTL = 12;
const IP_RECVTOS = 13;
const IP_TTL = 2;
const IP_TOS = 1;
const IPV6_RECVPKTINFO = 49;
const IPV6_PKTINFO = 50;
const IPV6_RECVHOPLIMIT = 51;
const IPV6_HOPLIMIT = 52;
const IPV6_RECVTCLASS = 66;
const IPV6_TCLASS = 67;
/** The TTL / hop limit of every datagram the model carries. */
const TTL = 64;
/** Interface indexes (netlink-route.ts): lo, then eth0. */
const LO_INDEX = 1;
const ETH0_INDEX = 2;

export function datagramMessages(sock: InetSocket, arrival: Arrival): ControlMessage[] {
  const out: ControlMessage[] = [];
  if (optionOn(sock, SOL_SOCKET, SO_TIMESTAMPNS)) out.push({ level: SOL_SOCKET, type: SCM_TIMESTAMPNS, data: timespecBytes(arrival.at) });
  else if (optionOn(sock, SOL_SOCKET, SO_TIMESTAMP)) out.push({ level: SOL_SOCKET, type: SCM_TIMESTAMP, data: timevalBytes(arrival.at) });
  const ifindex = isLoopback(arrival.to) ? LO_INDEX : ETH0_INDEX;
  if (sock.family === AF_INET) {
    if (optionOn(sock, IPPROTO_IP, IP_PKTINFO)) {
      // struct in_pktinfo: the interface, the local address a reply would come from, the destination.
      const info = new Uint8Array(12);
      new DataView(info.buffer).setInt32(0, ifindex, true);
      info.set(ipv4Bytes(arrival.to), 4);
      info.set(ipv4Bytes(arrival.to), 8);
      out.push({ level: IPPROTO_IP, type: IP_PKTINFO, data: info });
    }
    if (optionOn(sock, IPPROTO_IP, IP_RECVTTL)) out.push({ level: IPPROTO_IP, type: IP_TTL, data: intBytes(TTL) });
    if (optionOn(sock, IPPROTO_IP, IP_RECVTOS)) out.push({ level: IPPROTO_IP, type: IP_TOS, data: new Uint8Array(1) });
    return out;
  }
  if (optionOn(sock, IPPROTO_IPV6, IPV6_RECVPKTINFO)) {
    // struct in6_pktinfo: the destination (v4-mapped for IPv4), then the interface.
    const info = new Uint8Array(20);
    info.set(ipv6BytesOf(arrival.to), 0);
    new DataView(info.buffer).setInt32(16, ifindex, true);
    out.push({ level: IPPROTO_IPV6, type: IPV6_PKTINFO, data: info });
  }
  if (!isV4(arrival.to)) {
    if (optionOn(sock, IPPROTO_IPV6, IPV6_RECVHOPLIMIT)) out.push({ level: IPPROTO_IPV6, type: IPV6_HOPLIMIT, data: intBytes(TTL) });
    if (optionOn(sock, IPPROTO_IPV6, IPV6_RECVTCLASS)) out.push({ level: IPPROTO_IPV6, type: IPV6_TCLASS, data: intBytes(0) });
  }
  return out;
}
