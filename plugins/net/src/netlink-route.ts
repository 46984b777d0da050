import { Errno, type NetInterface } from '@shadow-ts/plugin-sdk';
import { AF_INET, AF_INET6 } from './inet/addresses.js';

/**
 * NETLINK_ROUTE's answers (rtnetlink(7)): the link and address dumps that getifaddrs(3),
 * if_nameindex(3) and `ip addr` ask for, and the route dump of `ip route` and Go's default
 * interface lookup, built from the host's interfaces (lo is ifindex 1, eth0 2). Every simulated
 * host reaches every other through eth0, so each family has a default route there beside its
 * prefix route. Other requests are answered with NLMSG_ERROR -EOPNOTSUPP. All integers are in host
 * (little-endian) order as netlink(7) says; addresses in network order.
 */

/** sizeof(struct nlmsghdr) (netlink(7)). */
export const NLMSG_HDRLEN = 16;
/** Control message types (netlink(7)). */
export const NLMSG_NOOP = 1;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
/** Below this, a type is a control message and the kernel ignores it as a request. */
const NLMSG_MIN_TYPE = 0x10;
/** nlmsg_flags (netlink(7)). */
const NLM_F_REQUEST = 0x1;
const NLM_F_MULTI = 0x2;
const NLM_F_ACK = 0x4;
const NLM_F_DUMP = 0x300;
/** rtnetlink(7) message types. */
const RTM_NEWLINK = 16;
const RTM_GETLINK = 18;
const RTM_NEWADDR = 20;
const RTM_GETADDR = 22;
const RTM_NEWROUTE = 24;
const RTM_GETROUTE = 26;
/** ifinfomsg attributes (linux/if_link.h). */
const IFLA_ADDRESS = 1;
const IFLA_BROADCAST = 2;
const IFLA_IFNAME = 3;
const IFLA_MTU = 4;
const IFLA_TXQLEN = 13;
const IFLA_OPERSTATE = 16;
const IFLA_LINKMODE = 17;
/** ifaddrmsg attributes (linux/if_addr.h). */
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_BROADCAST = 4;
const IFA_CACHEINFO = 6;
const IFA_FLAGS = 8;
const IFA_F_PERMANENT = 0x80;
const RT_SCOPE_UNIVERSE = 0;
const RT_SCOPE_LINK = 253;
const RT_SCOPE_HOST = 254;
/** rtmsg attributes, tables, protocols and types (linux/rtnetlink.h). */
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_PRIORITY = 6;
const RTA_PREFSRC = 7;
const RTA_TABLE = 15;
const RTA_PREF = 20;
const RT_TABLE_MAIN = 254;
const RT_TABLE_LOCAL = 255;
const RTPROT_KERNEL = 2;
const RTPROT_BOOT = 3;
const RTN_UNICAST = 1;
const RTN_LOCAL = 2;
const RTN_BROADCAST = 3;
/** net_device_flags (netdevice(7)). */
const IFF_UP = 0x1;
const IFF_BROADCAST = 0x2;
const IFF_LOOPBACK = 0x8;
const IFF_RUNNING = 0x40;
const IFF_MULTICAST = 0x1000;
const IFF_LOWER_UP = 0x10000;
/** ARPHRD_* hardware types (linux/if_arp.h). */
const ARPHRD_ETHER = 1;
const ARPHRD_LOOPBACK = 772;
/** RFC 2863 operational states (IF_OPER_UNKNOWN is what lo reports). */
const IF_OPER_UNKNOWN = 0;
const IF_OPER_UP = 6;

const NLA_ALIGN = (n: number): number => (n + 3) & ~3;

/** One attribute (struct rtattr / nlattr): length, type, the value padded to 4 bytes. */
function attr(type: number, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(NLA_ALIGN(4 + value.length));
  const v = new DataView(out.buffer);
  v.setUint16(0, 4 + value.length, true);
  v.setUint16(2, type, true);
  out.set(value, 4);
  return out;
}

const u32 = (n: number): Uint8Array => {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, true);
  return out;
};
const cstring = (s: string): Uint8Array => new Uint8Array([...Buffer.from(s), 0]);

/** A whole message: nlmsghdr, then `body` (padded to NLMSG_ALIGN). */
export function message(type: number, flags: number, seq: number, pid: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(NLMSG_HDRLEN + NLA_ALIGN(body.length));
  const v = new DataView(out.buffer);
  v.setUint32(0, NLMSG_HDRLEN + body.length, true);
  v.setUint16(4, type, true);
  v.setUint16(6, flags, true);
  v.setUint32(8, seq >>> 0, true);
  v.setUint32(12, pid >>> 0, true);
  out.set(body, NLMSG_HDRLEN);
  return out;
}

/** The 4-byte IPv4 or 16-byte IPv6 address of its text form. */
function ipBytes(text: string): Uint8Array {
  if (!text.includes(':')) return new Uint8Array(text.split('.').map(Number));
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined): number[] => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const left = groups(head);
  const right = groups(tail);
  const all = tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** The interface's hardware address: zeros for lo, 02:00 and the IPv4 bytes for eth0 (locally administered). */
function macOf(iface: NetInterface): Uint8Array {
  return iface.name === 'lo' ? new Uint8Array(6) : new Uint8Array([0x02, 0x00, ...ipBytes(iface.ipv4)]);
}

/** RTM_NEWLINK for one interface (rtnl_fill_ifinfo()): ifinfomsg and the attributes getifaddrs and ip read. */
function linkMessage(iface: NetInterface, index: number, flags: number, seq: number, pid: number): Uint8Array {
  const lo = iface.name === 'lo';
  const info = new Uint8Array(16);
  const v = new DataView(info.buffer);
  v.setUint16(2, lo ? ARPHRD_LOOPBACK : ARPHRD_ETHER, true);
  v.setInt32(4, index, true);
  v.setUint32(8, lo ? IFF_UP | IFF_LOOPBACK | IFF_RUNNING | IFF_LOWER_UP : IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | IFF_LOWER_UP, true);
  const body = Buffer.concat([
    info,
    attr(IFLA_IFNAME, cstring(iface.name)),
    attr(IFLA_TXQLEN, u32(1000)),
    attr(IFLA_OPERSTATE, new Uint8Array([lo ? IF_OPER_UNKNOWN : IF_OPER_UP])),
    attr(IFLA_LINKMODE, new Uint8Array([0])),
    attr(IFLA_MTU, u32(lo ? 65536 : 1500)),
    attr(IFLA_ADDRESS, macOf(iface)),
    attr(IFLA_BROADCAST, lo ? new Uint8Array(6) : new Uint8Array(6).fill(0xff)),
  ]);
  return message(RTM_NEWLINK, flags, seq, pid, body);
}

/** RTM_NEWADDR for one address (inet_fill_ifaddr() / inet6_fill_ifaddr()). */
function addressMessage(iface: NetInterface, index: number, family: number, seq: number, pid: number): Uint8Array {
  const v4 = family === AF_INET;
  const lo = iface.name === 'lo';
  const address = ipBytes(v4 ? iface.ipv4 : iface.ipv6);
  const prefix = v4 ? iface.prefix4 : iface.prefix6;
  const head = new Uint8Array([family, prefix, IFA_F_PERMANENT, lo ? RT_SCOPE_HOST : RT_SCOPE_UNIVERSE, ...u32(index)]);
  const forever = Buffer.concat([u32(0xffffffff), u32(0xffffffff), u32(0), u32(0)]); // ifa_cacheinfo
  const parts = [head, attr(IFA_ADDRESS, address)];
  if (v4) {
    parts.push(attr(IFA_LOCAL, address));
    if (!lo) {
      parts.push(attr(IFA_BROADCAST, prefixLast(address, prefix)));
    }
    parts.push(attr(IFA_LABEL, cstring(iface.name)));
  }
  parts.push(attr(IFA_FLAGS, u32(IFA_F_PERMANENT)), attr(IFA_CACHEINFO, forever));
  return message(RTM_NEWADDR, NLM_F_MULTI, seq, pid, Buffer.concat(parts));
}

/** The bits of byte `i` of an address past a prefix `len` bits long (its host part). */
const hostBits = (i: number, len: number): number => 0xff >> Math.max(0, Math.min(8, len - i * 8));
/** The first and the last address (network, broadcast) of the prefix `len` bits long holding `address`. */
const prefixFirst = (address: Uint8Array, len: number): Uint8Array => address.map((b, i) => b & ~hostBits(i, len));
const prefixLast = (address: Uint8Array, len: number): Uint8Array => address.map((b, i) => b | hostBits(i, len));

/** One route of a table (fib_dump_info() / rt6_fill_node()). */
interface Route {
  readonly family: number;
  readonly table: number;
  readonly type: number;
  readonly protocol: number;
  readonly scope: number;
  /** Destination and its prefix length (0: the default route, no RTA_DST). */
  readonly dst: Uint8Array;
  readonly dstLen: number;
  readonly oif: number;
  readonly prefsrc?: Uint8Array;
  /** IPv6 routes carry a metric and a router preference (RTA_PRIORITY, RTA_PREF). */
  readonly metric?: number;
}

function routeMessage(route: Route, seq: number, pid: number): Uint8Array {
  const head = new Uint8Array(12);
  head.set([route.family, route.dstLen, 0, 0, route.table, route.protocol, route.scope, route.type]);
  const parts = [head, attr(RTA_TABLE, u32(route.table))];
  if (route.dstLen > 0) parts.push(attr(RTA_DST, route.dst));
  if (route.metric !== undefined) parts.push(attr(RTA_PRIORITY, u32(route.metric)));
  if (route.prefsrc !== undefined) parts.push(attr(RTA_PREFSRC, route.prefsrc));
  parts.push(attr(RTA_OIF, u32(route.oif)));
  if (route.family === AF_INET6) parts.push(attr(RTA_PREF, new Uint8Array([0]))); // ICMPV6_ROUTER_PREF_MEDIUM
  return message(RTM_NEWROUTE, NLM_F_MULTI, seq, pid, Buffer.concat(parts));
}


/** The host's routing tables, in the order a dump gives them (main before local, by prefix). */
function routes(interfaces: readonly NetInterface[], family: number): Route[] {
  const lo = interfaces.findIndex((i) => i.name === 'lo') + 1;
  const eth = interfaces.findIndex((i) => i.name === 'eth0') + 1;
  const ethernet = interfaces[eth - 1];
  const out: Route[] = [];
  const unicast = { type: RTN_UNICAST, table: RT_TABLE_MAIN };
  if (family === AF_INET) {
    if (ethernet) {
      const ip = ipBytes(ethernet.ipv4);
      const len = ethernet.prefix4;
      out.push(
        { ...unicast, family, protocol: RTPROT_BOOT, scope: RT_SCOPE_LINK, dst: new Uint8Array(4), dstLen: 0, oif: eth },
        { ...unicast, family, protocol: RTPROT_KERNEL, scope: RT_SCOPE_LINK, dst: prefixFirst(ip, len), dstLen: len, oif: eth, prefsrc: ip },
        { family, table: RT_TABLE_LOCAL, type: RTN_LOCAL, protocol: RTPROT_KERNEL, scope: RT_SCOPE_HOST, dst: ip, dstLen: 32, oif: eth, prefsrc: ip },
        { family, table: RT_TABLE_LOCAL, type: RTN_BROADCAST, protocol: RTPROT_KERNEL, scope: RT_SCOPE_LINK, dst: prefixLast(ip, len), dstLen: 32, oif: eth, prefsrc: ip },
      );
    }
    const loopback = ipBytes('127.0.0.1');
    const local = { family, table: RT_TABLE_LOCAL, protocol: RTPROT_KERNEL, prefsrc: loopback, oif: lo };
    out.push(
      { ...local, type: RTN_LOCAL, scope: RT_SCOPE_HOST, dst: prefixFirst(loopback, 8), dstLen: 8 },
      { ...local, type: RTN_LOCAL, scope: RT_SCOPE_HOST, dst: loopback, dstLen: 32 },
      { ...local, type: RTN_BROADCAST, scope: RT_SCOPE_LINK, dst: prefixLast(loopback, 8), dstLen: 32 },
    );
    return out;
  }
  const v6 = { family, protocol: RTPROT_KERNEL, scope: RT_SCOPE_UNIVERSE };
  const loopback = ipBytes('::1');
  out.push({ ...unicast, ...v6, dst: loopback, dstLen: 128, oif: lo, metric: 256 });
  const ip = ethernet && ipBytes(ethernet.ipv6);
  if (ethernet && ip) {
    out.push(
      { ...unicast, ...v6, dst: prefixFirst(ip, ethernet.prefix6), dstLen: ethernet.prefix6, oif: eth, metric: 256 },
      { ...unicast, ...v6, protocol: RTPROT_BOOT, dst: new Uint8Array(16), dstLen: 0, oif: eth, metric: 1024 },
    );
  }
  out.push({ ...v6, table: RT_TABLE_LOCAL, type: RTN_LOCAL, dst: loopback, dstLen: 128, oif: lo, metric: 0 });
  if (ip) out.push({ ...v6, table: RT_TABLE_LOCAL, type: RTN_LOCAL, dst: ip, dstLen: 128, oif: eth, metric: 0 });
  return out;
}

/** The end of a dump: NLMSG_DONE with the dump's status, 0. */
const done = (seq: number, pid: number): Uint8Array => message(NLMSG_DONE, NLM_F_MULTI, seq, pid, u32(0));

/**
 * NLMSG_ERROR (netlink(7)): the negative errno and the request's header (with its payload on
 * an error; the header only for an acknowledgement, error 0).
 */
function errorMessage(request: Uint8Array, error: number, seq: number, pid: number): Uint8Array {
  const echoed = error === 0 ? request.subarray(0, NLMSG_HDRLEN) : request;
  return message(NLMSG_ERROR, error === 0 ? 0x100 /* NLM_F_CAPPED */ : 0, seq, pid, Buffer.concat([u32(-error), echoed]));
}

/**
 * The kernel's answer to one request message of a NETLINK_ROUTE socket whose port id is
 * `pid`: the messages to queue, in order. Messages that are not requests (no NLM_F_REQUEST,
 * or control types) get nothing, as in netlink_rcv_skb().
 */
export function routeAnswer(request: Uint8Array, interfaces: readonly NetInterface[], pid: number): Uint8Array[] {
  const v = new DataView(request.buffer, request.byteOffset, request.byteLength);
  const type = v.getUint16(4, true);
  const flags = v.getUint16(6, true);
  const seq = v.getUint32(8, true);
  if (!(flags & NLM_F_REQUEST) || type < NLMSG_MIN_TYPE) return [];
  const family = request.length > NLMSG_HDRLEN ? request[NLMSG_HDRLEN]! : 0; // rtgenmsg / ifinfomsg / ifaddrmsg
  const ack = flags & NLM_F_ACK ? [errorMessage(request, 0, seq, pid)] : [];
  const dump = (flags & NLM_F_DUMP) === NLM_F_DUMP;
  if (type === RTM_GETLINK && dump) {
    return [...interfaces.map((iface, i) => linkMessage(iface, i + 1, NLM_F_MULTI, seq, pid)), done(seq, pid)];
  }
  if (type === RTM_GETLINK) {
    // One link (rtnl_getlink()): by ifi_index, else by its IFLA_IFNAME attribute.
    let index = request.length >= NLMSG_HDRLEN + 16 ? v.getInt32(NLMSG_HDRLEN + 4, true) : 0;
    if (index <= 0) {
      const name = nameAttribute(request.subarray(NLMSG_HDRLEN + 16));
      index = interfaces.findIndex((i) => i.name === name) + 1;
    }
    const iface = interfaces[index - 1];
    if (!iface) return [errorMessage(request, Errno.ENODEV, seq, pid)];
    return [linkMessage(iface, index, 0, seq, pid), ...ack];
  }
  if (type === RTM_GETADDR && dump) {
    // All IPv4 addresses, then all IPv6 ones (rtnl_dump_all() walks the families in order).
    const families = family === AF_INET || family === AF_INET6 ? [family] : [AF_INET, AF_INET6];
    const replies = families.flatMap((f) => interfaces.map((iface, i) => addressMessage(iface, i + 1, f, seq, pid)));
    return [...replies, done(seq, pid)];
  }
  if (type === RTM_GETROUTE && dump) {
    const families = family === AF_INET || family === AF_INET6 ? [family] : [AF_INET, AF_INET6];
    return [...families.flatMap((f) => routes(interfaces, f).map((r) => routeMessage(r, seq, pid))), done(seq, pid)];
  }
  return [errorMessage(request, Errno.EOPNOTSUPP, seq, pid)];
}

/** The string of the IFLA_IFNAME attribute among `attrs` (the request's attributes), or undefined. */
function nameAttribute(attrs: Uint8Array): string | undefined {
  const v = new DataView(attrs.buffer, attrs.byteOffset, attrs.byteLength);
  for (let at = 0; attrs.length - at >= 4; ) {
    const len = v.getUint16(at, true);
    if (len < 4 || len > attrs.length - at) return undefined;
    if (v.getUint16(at + 2, true) === IFLA_IFNAME) return Buffer.from(attrs.subarray(at + 4, at + len)).toString().replace(/\0.*$/s, '');
    at += NLA_ALIGN(len);
  }
  return undefined;
}

/** Splits a sent buffer into its messages (NLMSG_OK); a short or malformed tail is ignored. */
export function splitMessages(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let at = 0;
  while (data.length - at >= NLMSG_HDRLEN) {
    const len = new DataView(data.buffer, data.byteOffset + at, 4).getUint32(0, true);
    if (len < NLMSG_HDRLEN || len > data.length - at) break;
    out.push(data.subarray(at, at + len));
    at += NLA_ALIGN(len);
  }
  return out;
}
