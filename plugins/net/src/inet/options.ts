import { Errno, type SyscallContext } from '@shadow-ts/plugin-sdk';
import {
  SOCK_DGRAM,
  SOCK_STREAM,
  SOL_SOCKET,
  SO_ACCEPTCONN,
  SO_BROADCAST,
  SO_DEBUG,
  SO_DOMAIN,
  SO_DONTROUTE,
  SO_ERROR,
  SO_KEEPALIVE,
  SO_LINGER,
  SO_OOBINLINE,
  SO_PROTOCOL,
  SO_RCVBUF,
  SO_RCVLOWAT,
  SO_RCVTIMEO,
  SO_REUSEADDR,
  SO_REUSEPORT,
  SO_SNDBUF,
  SO_SNDLOWAT,
  SO_SNDTIMEO,
  SO_TYPE,
} from '../constants.js';
import { failure, intBytes, intOf, type Failure, type Outcome } from '../socket.js';
import type { TcpState } from '../tcp/types.js';
import { AF_INET } from './addresses.js';
import { MIN_RCVBUF, MIN_SNDBUF, RMEM_MAX, WMEM_MAX, type InetSocket } from './socket.js';
import type { TcpSocket } from './tcp-socket.js';

/**
 * getsockopt(2) / setsockopt(2) on AF_INET / AF_INET6 sockets: SOL_SOCKET, IPPROTO_TCP and
 * IPPROTO_IP and IPPROTO_IPV6. Options that only tune what is not modelled (SO_DONTROUTE,
 * IP_TOS, TCP_USER_TIMEOUT, … — RECORDED below) are recorded so getsockopt reports them. Anything else is ENOPROTOOPT, warned once per option.
 */

export const IPPROTO_IP = 0;
export const IPPROTO_TCP = 6;
export const IPPROTO_IPV6 = 41;
export const TCP_NODELAY = 1;
export const TCP_MAXSEG = 2;
export const TCP_KEEPIDLE = 4;
export const TCP_KEEPINTVL = 5;
export const TCP_KEEPCNT = 6;
export const TCP_INFO = 11;
export const TCP_CONGESTION = 13;
export const IPV6_V6ONLY = 26;
/** TCP_CA_NAME_MAX: TCP_CONGESTION names are reported in 16 bytes. */
const TCP_CA_NAME_MAX = 16;
/** sizeof(struct tcp_info) on recent kernels. */
const TCP_INFO_SIZE = 232;
/** TCP_MIN_MSS .. MAX_TCP_WINDOW: the TCP_MAXSEG range. */
const MIN_MSS = 88;
const MAX_MSS = 32767;

/** TCP_MAXSEG before a connection exists (TCP_MSS_DEFAULT). */
const MSS_DEFAULT = 536;
/** Boolean SOL_SOCKET options recorded for getsockopt. */
const FLAGS = new Set([SO_DEBUG, SO_DONTROUTE, SO_BROADCAST, SO_KEEPALIVE, SO_OOBINLINE]);

/** Linux's TCP state numbers (tcp_states.h), for TCP_INFO. */
const LINUX_TCP_STATE: Record<TcpState, number> = {
  ESTABLISHED: 1,
  SYN_SENT: 2,
  SYN_RECEIVED: 3,
  FIN_WAIT_1: 4,
  FIN_WAIT_2: 5,
  TIME_WAIT: 6,
  CLOSED: 7,
  CLOSE_WAIT: 8,
  LAST_ACK: 9,
  LISTEN: 10,
  CLOSING: 11,
};

/**
 * Options that tune what the simulated network does not model — the IP header's TOS and TTL,
 * timestamps in control messages, TCP's user timeout, … — recorded as given, so getsockopt
 * reports them, and warned once each: programs that set them as a matter of course (sshd, etcd,
 * iperf) go on. `initial` is what getsockopt reports before a set; `bytes`: the value is a byte
 * string of at most that many bytes (IP_OPTIONS), else an int.
 */
const RECORDED: ReadonlyMap<string, { readonly initial: number | Uint8Array; readonly bytes?: number }> = new Map<
  string,
  { readonly initial: number | Uint8Array; readonly bytes?: number }
>([
  [`${SOL_SOCKET}:12`, { initial: 0 }], // SO_PRIORITY
  [`${SOL_SOCKET}:29`, { initial: 0 }], // SO_TIMESTAMP
  [`${SOL_SOCKET}:35`, { initial: 0 }], // SO_TIMESTAMPNS
  [`${SOL_SOCKET}:36`, { initial: 0 }], // SO_MARK
  [`${IPPROTO_IP}:1`, { initial: 0 }], // IP_TOS
  [`${IPPROTO_IP}:2`, { initial: 64 }], // IP_TTL
  [`${IPPROTO_IP}:4`, { initial: new Uint8Array(0), bytes: 40 }], // IP_OPTIONS
  [`${IPPROTO_IP}:8`, { initial: 0 }], // IP_PKTINFO (received datagrams say where they went: inet/control.ts)
  [`${IPPROTO_IP}:10`, { initial: 1 }], // IP_MTU_DISCOVER (IP_PMTUDISC_WANT)
  [`${IPPROTO_IP}:11`, { initial: 0 }], // IP_RECVERR (glibc's res_send needs it; no ICMP error ever queues)
  [`${IPPROTO_IP}:12`, { initial: 0 }], // IP_RECVTTL
  [`${IPPROTO_IP}:13`, { initial: 0 }], // IP_RECVTOS
  [`${IPPROTO_IP}:15`, { initial: 0 }], // IP_FREEBIND
  [`${IPPROTO_IP}:24`, { initial: 0 }], // IP_BIND_ADDRESS_NO_PORT
  [`${IPPROTO_TCP}:3`, { initial: 0 }], // TCP_CORK (nginx's tcp_nopush): segments go out as they are written
  [`${IPPROTO_TCP}:9`, { initial: 0 }], // TCP_DEFER_ACCEPT
  [`${IPPROTO_TCP}:12`, { initial: 1 }], // TCP_QUICKACK
  [`${IPPROTO_TCP}:18`, { initial: 0 }], // TCP_USER_TIMEOUT
  [`${IPPROTO_TCP}:23`, { initial: 0 }], // TCP_FASTOPEN
  [`${IPPROTO_TCP}:25`, { initial: -1 >>> 0 }], // TCP_NOTSENT_LOWAT
  [`${IPPROTO_IPV6}:16`, { initial: 64 }], // IPV6_UNICAST_HOPS
  [`${IPPROTO_IPV6}:25`, { initial: 0 }], // IPV6_RECVERR
  [`${IPPROTO_IPV6}:49`, { initial: 0 }], // IPV6_RECVPKTINFO
  [`${IPPROTO_IPV6}:51`, { initial: 0 }], // IPV6_RECVHOPLIMIT
  [`${IPPROTO_IPV6}:66`, { initial: 0 }], // IPV6_RECVTCLASS
  [`${IPPROTO_IPV6}:67`, { initial: 0 }], // IPV6_TCLASS
]);

/** SO_BINDTODEVICE: IFNAMSIZ, and the interfaces a host has. */
const SO_BINDTODEVICE = 25;
const IFNAMSIZ = 16;
const INTERFACES = new Set(['', 'lo', 'eth0']);

export const SO_TIMESTAMP = 29;
export const SO_TIMESTAMPNS = 35;

/** The recorded options that a UDP socket acts on: its datagrams' control messages (inet/control.ts). */
const DATAGRAM_CONTROL = new Set([
  `${SOL_SOCKET}:${SO_TIMESTAMP}`,
  `${SOL_SOCKET}:${SO_TIMESTAMPNS}`,
  `${IPPROTO_IP}:8`, // IP_PKTINFO
  `${IPPROTO_IP}:12`, // IP_RECVTTL
  `${IPPROTO_IP}:13`, // IP_RECVTOS
  `${IPPROTO_IPV6}:49`, // IPV6_RECVPKTINFO
  `${IPPROTO_IPV6}:51`, // IPV6_RECVHOPLIMIT
  `${IPPROTO_IPV6}:66`, // IPV6_RECVTCLASS
]);

/** Whether the recorded int option (`level`, `name`) of `sock` is on (non-zero). */
export function optionOn(sock: InetSocket, level: number, name: number): boolean {
  const value = sock.recorded.get(`${level}:${name}`);
  return typeof value === 'number' && value !== 0;
}

/** The recorded value of (`level`, `name`), or undefined when it is not a recorded option. */
function recordedOption(sock: InetSocket, level: number, name: number): Uint8Array | undefined {
  const key = `${level}:${name}`;
  const entry = RECORDED.get(key);
  if (!entry) return undefined;
  const value = sock.recorded.get(key) ?? entry.initial;
  return typeof value === 'number' ? intBytes(value) : value;
}

/** Records (`level`, `name`) = `raw` if it is a recorded option; undefined when it is not one. */
function recordOption(ctx: SyscallContext, sock: InetSocket, level: number, name: number, raw: Uint8Array): Outcome | null {
  const key = `${level}:${name}`;
  const entry = RECORDED.get(key);
  if (!entry) return null;
  if (entry.bytes !== undefined) {
    if (raw.length > entry.bytes) return failure(Errno.EINVAL);
    sock.recorded.set(key, raw.slice());
  } else {
    if (raw.length < 4) return failure(Errno.EINVAL);
    sock.recorded.set(key, intOf(raw));
    if (level === SOL_SOCKET && (name === SO_TIMESTAMP || name === SO_TIMESTAMPNS)) {
      // One state in Linux (sock_set_timestamp()): on in µs or in ns, the last set wins; off clears both.
      const other = `${SOL_SOCKET}:${name === SO_TIMESTAMP ? SO_TIMESTAMPNS : SO_TIMESTAMP}`;
      const on = intOf(raw) !== 0;
      sock.recorded.set(key, on ? 1 : 0);
      sock.recorded.set(other, 0);
    }
  }
  if (!(sock.type === SOCK_DGRAM && DATAGRAM_CONTROL.has(key))) {
    ctx.warnOnce(`${ctx.name}:${key}`, `${ctx.name}: socket option level ${level} name ${name} is recorded for getsockopt; the simulated network does not act on it`);
  }
  return undefined;
}

/** SO_BINDTODEVICE: an interface of the host ('' unbinds), recorded; ENODEV for others. */
function bindToDevice(sock: InetSocket, raw: Uint8Array): Outcome {
  const end = raw.indexOf(0);
  const name = Buffer.from(raw.subarray(0, Math.min(end < 0 ? raw.length : end, IFNAMSIZ))).toString('latin1');
  if (!INTERFACES.has(name)) return failure(Errno.ENODEV);
  sock.boundDevice = name;
  return undefined;
}

/** ENOPROTOOPT for an option the simulator lacks, warned once per call, level and name. */
function unknown(ctx: SyscallContext, level: number, name: number): Failure {
  ctx.warnOnce(`${ctx.name}:${level}:${name}`, `${ctx.name}: socket option level ${level} name ${name} is not simulated; answering ENOPROTOOPT`);
  return failure(Errno.ENOPROTOOPT);
}

/** A minimal struct tcp_info: state, RTO, MSS, RTT, cwnd (in segments) and ssthresh, counters. */
function tcpInfo(sock: TcpSocket): Uint8Array {
  const out = new Uint8Array(TCP_INFO_SIZE);
  const v = new DataView(out.buffer);
  v.setUint8(0, LINUX_TCP_STATE[sock.tcpState]);
  const info = sock.conn?.info();
  if (!info) return out;
  const us = (ns: bigint | null) => Number((ns ?? 0n) / 1000n);
  v.setUint8(6, (info.sendWindowScale & 0xf) | ((info.receiveWindowScale & 0xf) << 4));
  v.setUint32(8, us(info.rto), true); // tcpi_rto
  v.setUint32(16, info.sendMss, true); // tcpi_snd_mss
  v.setUint32(20, info.sendMss, true); // tcpi_rcv_mss
  v.setUint32(24, Math.ceil(info.unacked / info.sendMss), true); // tcpi_unacked (segments)
  v.setUint32(68, us(info.srtt), true); // tcpi_rtt
  v.setUint32(72, us(info.rttvar), true); // tcpi_rttvar
  v.setUint32(76, Math.min(0x7fffffff, Math.floor(info.ssthresh / info.sendMss)), true); // tcpi_snd_ssthresh
  v.setUint32(80, Math.floor(info.cwnd / info.sendMss), true); // tcpi_snd_cwnd
  v.setUint32(84, sock.mss, true); // tcpi_advmss
  v.setUint32(100, info.retransmits, true); // tcpi_total_retrans
  return out;
}

/** The value of option (`level`, `name`) of `sock` (any level but IPPROTO_TCP), or the failure. */
export function getOption(ctx: SyscallContext, sock: InetSocket, level: number, name: number): Outcome<Uint8Array> {
  if (level === IPPROTO_IPV6 && sock.family === AF_INET) return failure(Errno.EOPNOTSUPP);
  const recorded = recordedOption(sock, level, name);
  if (recorded) return recorded;
  if (level === SOL_SOCKET && name === SO_BINDTODEVICE) return Buffer.from(sock.boundDevice ? `${sock.boundDevice}\0` : '');
  if (level === SOL_SOCKET) {
    if (FLAGS.has(name)) return intBytes(sock.flag(name) ? 1 : 0);
    switch (name) {
      case SO_REUSEADDR:
        return intBytes(sock.reuseAddr ? 1 : 0);
      case SO_REUSEPORT:
        return intBytes(sock.reusePort ? 1 : 0);
      case SO_TYPE:
        return intBytes(sock.stream ? SOCK_STREAM : SOCK_DGRAM);
      case SO_PROTOCOL:
        return intBytes(sock.protocol);
      case SO_DOMAIN:
        return intBytes(sock.family);
      case SO_ERROR:
        return intBytes(sock.takeError());
      case SO_ACCEPTCONN:
        return intBytes(sock.listening ? 1 : 0);
      case SO_SNDBUF:
        return intBytes(sock.bufferSizes().send);
      case SO_RCVBUF:
        return intBytes(sock.bufferSizes().receive);
      case SO_RCVLOWAT:
      case SO_SNDLOWAT:
        return intBytes(1);
      case SO_LINGER: {
        const out = new Uint8Array(8);
        new DataView(out.buffer).setInt32(0, sock.linger.on ? 1 : 0, true);
        new DataView(out.buffer).setInt32(4, sock.linger.seconds, true);
        return out;
      }
      case SO_RCVTIMEO:
      case SO_SNDTIMEO:
        return sock.timeoutOption(name);
      default:
        return unknown(ctx, level, name);
    }
  }
  if (level === IPPROTO_IPV6) {
    if (name === IPV6_V6ONLY) return intBytes(sock.v6only ? 1 : 0);
    return unknown(ctx, level, name);
  }
  return unknown(ctx, level, name);
}

/** The value of IPPROTO_TCP option `name` of `sock`, or the failure. */
export function getTcpOption(ctx: SyscallContext, sock: TcpSocket, name: number): Outcome<Uint8Array> {
  const recorded = recordedOption(sock, IPPROTO_TCP, name);
  if (recorded) return recorded;
  switch (name) {
    case TCP_NODELAY:
      return intBytes(sock.noDelay ? 1 : 0);
    case TCP_MAXSEG:
      return intBytes(sock.conn ? sock.mss : sock.maxSeg || MSS_DEFAULT);
    case TCP_KEEPIDLE:
      return intBytes(sock.keepIdle);
    case TCP_KEEPINTVL:
      return intBytes(sock.keepIntvl);
    case TCP_KEEPCNT:
      return intBytes(sock.keepCnt);
    case TCP_CONGESTION: {
      const out = new Uint8Array(TCP_CA_NAME_MAX);
      out.set(Buffer.from(sock.congestion));
      return out;
    }
    case TCP_INFO:
      return tcpInfo(sock);
    default:
      return unknown(ctx, IPPROTO_TCP, name);
  }
}

/** Buffer sizes as sock_setsockopt() stores them: capped at the max, doubled, at least the minimum. */
export function bufferSize(value: number, max: number, min: number): number {
  const capped = value < 0 || value > max ? max : value;
  return Math.max(capped * 2, min);
}

/**
 * Sets option (`level`, `name`) of `sock` (any level but IPPROTO_TCP) to `raw` (the optval
 * bytes). Buffer sizes set on a TCP socket whose connection exists already apply to the next
 * one only (the state machine fixes them at creation).
 */
export function setOption(ctx: SyscallContext, sock: InetSocket, level: number, name: number, raw: Uint8Array): Outcome {
  if (level === IPPROTO_IPV6 && sock.family === AF_INET) return failure(Errno.ENOPROTOOPT);
  const recorded = recordOption(ctx, sock, level, name, raw);
  if (recorded !== null) return recorded;
  if (level === SOL_SOCKET && name === SO_BINDTODEVICE) return bindToDevice(sock, raw);
  if (raw.length < 4) return failure(Errno.EINVAL);
  const value = intOf(raw);
  if (level === SOL_SOCKET) {
    if (FLAGS.has(name)) {
      sock.flags.set(name, value ? 1 : 0);
      if (name === SO_KEEPALIVE) sock.keepaliveChanged();
      return undefined;
    }
    switch (name) {
      case SO_REUSEADDR:
        sock.reuseAddr = value !== 0;
        return undefined;
      case SO_REUSEPORT:
        sock.reusePort = value !== 0;
        return undefined;
      case SO_SNDBUF:
        sock.fixBufferSizes({ send: bufferSize(value, WMEM_MAX, MIN_SNDBUF) });
        return undefined;
      case SO_RCVBUF:
        sock.fixBufferSizes({ receive: bufferSize(value, RMEM_MAX, MIN_RCVBUF) });
        return undefined;
      case SO_LINGER: {
        if (raw.length < 8) return failure(Errno.EINVAL);
        const seconds = new DataView(raw.buffer, raw.byteOffset, raw.byteLength).getInt32(4, true);
        sock.linger = { on: value !== 0, seconds: Math.max(0, seconds) };
        return undefined;
      }
      case SO_RCVLOWAT:
        return undefined;
      case SO_RCVTIMEO:
      case SO_SNDTIMEO:
        return sock.setTimeoutOption(name, raw);
      default:
        return unknown(ctx, level, name);
    }
  }
  if (level === IPPROTO_IPV6) {
    if (name !== IPV6_V6ONLY) return unknown(ctx, level, name);
    if (sock.port !== 0) return failure(Errno.EINVAL); // only before bind
    sock.v6only = value !== 0;
    return undefined;
  }
  return unknown(ctx, level, name);
}

/** Sets IPPROTO_TCP option `name` of `sock`; TCP_CONGESTION (a name) applies to the next connection only. */
export function setTcpOption(ctx: SyscallContext, sock: TcpSocket, name: number, raw: Uint8Array): Outcome {
  const recorded = recordOption(ctx, sock, IPPROTO_TCP, name, raw);
  if (recorded !== null) return recorded;
  if (name === TCP_CONGESTION) {
    const end = raw.indexOf(0);
    const wanted = Buffer.from(end >= 0 ? raw.subarray(0, end) : raw).toString('latin1');
    if (!sock.net.congestionFactory(wanted)) return failure(Errno.ENOENT);
    if (sock.conn) ctx.warnOnce('tcp:congestion-late', `${ctx.name}: TCP_CONGESTION on a connected socket applies to its next connection only`);
    sock.congestion = wanted;
    return undefined;
  }
  if (raw.length < 4) return failure(Errno.EINVAL);
  const value = intOf(raw);
  switch (name) {
    case TCP_NODELAY:
      sock.noDelay = value !== 0;
      return undefined;
    case TCP_MAXSEG:
      if (value < MIN_MSS || value > MAX_MSS) return failure(Errno.EINVAL);
      sock.maxSeg = value;
      return undefined;
    case TCP_KEEPIDLE:
    case TCP_KEEPINTVL:
      if (value < 1 || value > 32767) return failure(Errno.EINVAL);
      if (name === TCP_KEEPIDLE) sock.keepIdle = value;
      else sock.keepIntvl = value;
      sock.keepaliveChanged();
      return undefined;
    case TCP_KEEPCNT:
      if (value < 1 || value > 127) return failure(Errno.EINVAL);
      sock.keepCnt = value;
      sock.keepaliveChanged();
      return undefined;
    default:
      return unknown(ctx, IPPROTO_TCP, name);
  }
}
