import type { SyncHook } from 'tapable';
import type { HostView } from './context.js';
import type { SimTime } from './time.js';
/**
 * The simulated network as plugins see it: a host sends IP packets and receives the packets
 * addressed to it. The core carries them — loopback within the host, otherwise over the
 * simulation's graph with its latency, bandwidth and loss — and knows nothing of transports:
 * TCP, UDP and sockets live in plugins (core:net).
 */

/** An IP packet. Transport plugins implement it with whatever structure they need. */
export interface NetPacket {
  /** Source and destination addresses, in the canonical text form (`11.0.0.1`, `::1`). */
  readonly source: string;
  readonly destination: string;
  /** IP protocol number (6 TCP, 17 UDP). */
  readonly protocol: number;
  /** Size of the IP packet on the wire in bytes, headers included (what bandwidth is charged). */
  readonly wireSize: number;
  /** Packets without payload (pure ACKs, SYNs, FINs) are never dropped (Shadow's rule). */
  readonly hasPayload: boolean;
  /** The packet's bytes as a capture shows them: a raw IPv4 or IPv6 packet (pcap). */
  toBytes(): Uint8Array;
}

/** One open socket of a host, as its heartbeat lists it (`host_heartbeat_log_info: [socket]`). */
export interface SocketUsage {
  readonly pid: number;
  readonly fd: number;
  /** `tcp`, `udp`, `unix-stream`, `unix-dgram`, `netlink`, … */
  readonly protocol: string;
  /** Local and peer address as text (`11.0.0.1:80`, `[::1]:80`, a unix path); '' when none. */
  readonly local: string;
  readonly peer: string;
  /** Bytes waiting to be read, and bytes sent but not gone yet (SIOCINQ and SIOCOUTQ). */
  readonly receiveQueued: number;
  readonly sendQueued: number;
}

/** One interface of a host. */
export interface NetInterface {
  readonly name: 'lo' | 'eth0';
  readonly ipv4: string;
  readonly ipv6: string;
  /** Prefix lengths for getifaddrs/netlink. */
  readonly prefix4: number;
  readonly prefix6: number;
}

/** A host's connection to the simulated network. */
export interface HostNetwork {
  /** `lo` (127.0.0.1, ::1) and `eth0` (the host's addresses). */
  readonly interfaces: readonly NetInterface[];
  /**
   * Sends a packet from this host. Delivery happens later, as an event of the receiving host.
   * Returns the simulated time at which the packet has left the host (its last bit is on the
   * uplink; at once for loopback): when Linux frees a sent skb, so a socket keeps its send
   * buffer charged until then, which is what bounds the packets any sender has in flight.
   */
  send(packet: NetPacket): SimTime;
  /**
   * Installs the function that receives every packet addressed to this host (one per host: the
   * transport family's demultiplexer). It runs as an event of this host at the arrival time.
   */
  setReceiver(receive: (packet: NetPacket) => void): void;
  /** Whether `address` is one of this host's own (loopback included). */
  isLocal(address: string): boolean;
  /** The host that owns `address`, by name, or undefined. */
  hostOf(address: string): string | undefined;
}

/** A TCP connection's figures after it took in a segment (`NetApi.hooks.tcpSegment`). */
export interface TcpSample {
  readonly host: HostView;
  /** `ip:port` of each end (`[ip6]:port` for IPv6). */
  readonly local: string;
  readonly remote: string;
  /** The RFC 793 state name (`ESTABLISHED`, `FIN_WAIT_1`, …). */
  readonly state: string;
  /** Smoothed round-trip time in ns; null before the first measurement. */
  readonly srtt: bigint | null;
  /** Congestion window and bytes sent but not acknowledged, in bytes. */
  readonly cwnd: number;
  readonly inFlight: number;
}

/** The name the net family provides its api under: `kernel.api<NetApi>(NET_API)`. */
export const NET_API = 'core:net';

/**
 * What the net family offers other plugins: observe (or count, log, plot) every IP packet a host
 * sends and receives, and each TCP connection's RTT, window and bytes in flight as segments
 * arrive — a traffic observer without touching the core.
 */
export interface NetApi {
  readonly hooks: {
    readonly packetSent: SyncHook<[HostView, NetPacket]>;
    readonly packetReceived: SyncHook<[HostView, NetPacket]>;
    readonly tcpSegment: SyncHook<[TcpSample]>;
  };
}
