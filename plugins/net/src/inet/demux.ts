import type { HostView, NetApi, NetPacket, SimTime, TcpSample } from '@shadow-ts/plugin-sdk';
import { DnsResolver } from '../dns/resolver.js';
import type { DnsZone } from '../dns/zone.js';
import { ANY4, ANY6, LOOPBACK4, LOOPBACK6, isLoopback, isV4, isWildcard } from './addresses.js';
import { InetPacket } from './packet.js';
import { PortTable, accepts, type Binding } from './ports.js';
import type { TcpSegment } from '../tcp/types.js';

/**
 * One host's IP stack: its UDP and TCP port tables, its TCP connections by 4-tuple, and the
 * receiver the core calls with every packet addressed to the host (installed on first use).
 *
 * Delivery: UDP by destination (address, port), the most specific binding first (a connected
 * socket whose peer is the sender, then an exact address, then a wildcard); TCP by 4-tuple,
 * then a listener on (address, port). A TCP segment nobody takes is answered with a RST
 * (`resetFor`); a UDP datagram nobody takes is dropped: ICMP (port unreachable) is not
 * modelled, so a connected UDP socket never learns ECONNREFUSED. Packets for the simulated DNS
 * resolver (127.0.0.53 port 53, ../dns/resolver.ts) go to it before any socket.
 */

/** A UDP socket as the stack sees it. */
export interface UdpEndpoint extends Binding {
  /** The connected peer (wire text), or null. */
  readonly peer: { readonly ip: string; readonly port: number } | null;
  deliver(packet: InetPacket): void;
  /** Its peer's port is closed (an ICMP port unreachable came back): ECONNREFUSED, once. */
  refused(): void;
}

/**
 * Port-unreachable errors to one peer: a token bucket of XRLIM_BURST_FACTOR (6) tokens, one
 * back per net.ipv4.icmp_ratelimit (1 s), as inet_peer_xrlim_allow() spends them; loopback is
 * never limited (icmpv4_xrlim_allow()).
 */
const ICMP_BURST = 6;
const ICMP_TOKEN_NS = 1_000_000_000n;

/** A TCP socket with a connection (4-tuple) or a listener. */
export interface TcpEndpoint {
  segment(packet: InetPacket): void;
  /** The connection's figures for tcpSegment observers (NetApi), null once it has none. */
  sample(): Omit<TcpSample, 'host'> | null;
}

export interface TcpListenerEndpoint extends Binding {
  /** A segment for the listener's port that matched no connection. */
  segment(packet: InetPacket): void;
}

/** The key of a TCP connection: local and remote address and port, in wire text. */
export function tupleKey(localIp: string, localPort: number, remoteIp: string, remotePort: number): string {
  return `${localIp}|${localPort}|${remoteIp}|${remotePort}`;
}

/** Replies to a segment nobody wants (the TCP state machine's resetFor). */
export type Resetter = (segment: TcpSegment) => TcpSegment | null;

export class NetStack {
  readonly udp = new PortTable(false);
  readonly tcp = new PortTable(true);
  readonly connections = new Map<string, TcpEndpoint>();
  /** Set by the TCP socket layer (kept out of this module to avoid an import cycle). */
  static resetter: Resetter | null = null;
  private readonly resolver: DnsResolver;
  /** ICMP rate limit state per peer address: tokens left and when they were counted. */
  private readonly icmpTokens = new Map<string, { tokens: number; at: SimTime }>();

  constructor(
    readonly host: HostView,
    /** What other plugins observe (the family's NetApi hooks). */
    private readonly events: NetApi['hooks'],
    /** The simulated DNS's table (one for the whole simulation). */
    dnsZone: () => DnsZone,
  ) {
    this.resolver = new DnsResolver(this, dnsZone);
    host.network.setReceiver((packet) => this.receive(packet));
  }

  /** Whether `ip` (wire text) is one of this host's addresses; the wildcards count. */
  isLocal(ip: string): boolean {
    return isWildcard(ip) || this.host.network.isLocal(ip);
  }

  /**
   * The source address for a packet to `destination` from a socket bound to `bound`: the bound
   * address if specific, else loopback for loopback, the destination itself if it is ours,
   * otherwise eth0's address of the destination's IP version.
   */
  sourceFor(destination: string, bound: string): string {
    if (!isWildcard(bound) && isV4(bound) === isV4(destination)) return bound;
    if (isLoopback(destination)) return isV4(destination) ? LOOPBACK4 : LOOPBACK6;
    if (this.host.network.isLocal(destination)) return destination;
    const eth0 = this.host.network.interfaces.find((i) => i.name === 'eth0');
    if (!eth0) return isV4(destination) ? LOOPBACK4 : LOOPBACK6;
    return isV4(destination) ? eth0.ipv4 : eth0.ipv6;
  }

  /** Sends `packet`; returns when it has left the host (see HostNetwork.send). */
  send(packet: InetPacket): SimTime {
    if (this.events.packetSent.taps.length > 0) this.events.packetSent.call(this.host, packet);
    return this.host.network.send(packet);
  }

  private receive(packet: NetPacket): void {
    if (!(packet instanceof InetPacket)) return; // not ours (no other transport exists)
    if (this.events.packetReceived.taps.length > 0) this.events.packetReceived.call(this.host, packet);
    if (this.resolver.receive(packet)) return;
    if (packet.icmp) this.receiveIcmp(packet);
    else if (packet.udp) this.receiveUdp(packet);
    else this.receiveTcp(packet);
  }

  /**
   * An ICMP error about a datagram this host sent: the socket it came from learns ECONNREFUSED
   * if it is connected to where the datagram went (__udp4_lib_err(): without IP_RECVERR an
   * unconnected socket does not hear of it; IP_RECVERR's error queue is not simulated).
   */
  private receiveIcmp(packet: InetPacket): void {
    const original = packet.icmp!.original;
    const d = original.udp;
    if (!d) return;
    for (const b of this.udp.at(d.srcPort)) {
      const sock = b as UdpEndpoint;
      if (sock.peer?.ip === original.destination && sock.peer.port === d.dstPort && accepts(sock, original.source)) {
        sock.refused();
        return;
      }
    }
  }

  /** Answers a datagram no socket took with a port unreachable, within the rate limit. */
  private unreachable(packet: InetPacket): void {
    if (!isLoopback(packet.source)) {
      const now = this.host.now();
      const bucket = this.icmpTokens.get(packet.source) ?? { tokens: ICMP_BURST, at: now };
      bucket.tokens = Math.min(ICMP_BURST, bucket.tokens + Number((now - bucket.at) / ICMP_TOKEN_NS));
      bucket.at = now - ((now - bucket.at) % ICMP_TOKEN_NS);
      this.icmpTokens.set(packet.source, bucket);
      if (bucket.tokens === 0) return;
      bucket.tokens--;
    }
    this.send(InetPacket.portUnreachable(packet));
  }

  private receiveUdp(packet: InetPacket): void {
    const d = packet.udp!;
    let best: UdpEndpoint | null = null;
    let bestScore = -1;
    for (const b of this.udp.at(d.dstPort)) {
      const sock = b as UdpEndpoint;
      if (!accepts(sock, packet.destination)) continue;
      if (sock.peer && (sock.peer.ip !== packet.source || sock.peer.port !== d.srcPort)) continue;
      // compute_score(): a specific address and a connected peer rank higher; the oldest wins ties.
      const score = (isWildcard(sock.ip) ? 0 : 4) + (sock.peer ? 2 : 0) + (sock.ip === ANY6 && isV4(packet.destination) ? 0 : 1);
      if (score > bestScore) {
        best = sock;
        bestScore = score;
      }
    }
    if (best) best.deliver(packet);
    else this.unreachable(packet);
  }

  private receiveTcp(packet: InetPacket): void {
    const s = packet.tcp!;
    const conn = this.connections.get(tupleKey(packet.destination, s.dstPort, packet.source, s.srcPort));
    if (conn) {
      conn.segment(packet);
      if (this.events.tcpSegment.taps.length > 0) {
        const sample = conn.sample();
        if (sample) this.events.tcpSegment.call({ host: this.host, ...sample });
      }
      return;
    }
    let listener: TcpListenerEndpoint | null = null;
    for (const b of this.tcp.at(s.dstPort)) {
      if (!b.listening || !accepts(b, packet.destination)) continue;
      // A listener on the exact address beats a wildcard one; an AF_INET one beats [::] for IPv4.
      if (!listener || (isWildcard(listener.ip) && !isWildcard(b.ip)) || (listener.ip === ANY6 && b.ip === ANY4)) {
        listener = b as TcpListenerEndpoint;
      }
    }
    if (listener) {
      listener.segment(packet);
      return;
    }
    this.reset(packet);
  }

  /** Answers a segment that reached no socket with a RST (none for a RST). */
  reset(packet: InetPacket): void {
    const reply = NetStack.resetter?.(packet.tcp!) ?? null;
    if (reply) this.send(InetPacket.tcp(packet.destination, packet.source, reply));
  }
}
