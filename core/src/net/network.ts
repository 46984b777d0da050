import { join } from 'node:path';
import { NS_PER_SEC, type HostNetwork, type NetInterface, type NetPacket, type SimTime } from '@shadow-ts/plugin-sdk';
import type { HostConfig, NetworkGraph } from '../config/types.js';
import type { Host } from '../kernel/host.js';
import type { RandomStream, SeedSource } from '../sim/random.js';
import { CoDel } from './codel.js';
import { PcapWriter } from './pcap.js';
import { RoutingTable, type PathProperties } from './routing.js';

/**
 * The simulated network between hosts (Shadow's `Worker::send_packet` + relays, simplified):
 *
 * - loopback (own addresses, 127.0.0.0/8, ::1): delivered on the same host as a packet event at
 *   the current time, with no bandwidth limit and no loss;
 * - otherwise the packet is serialized on the sender's uplink (`bandwidth_up`), may be lost on
 *   the path (payload-carrying packets only, drawn from the sender's network stream), travels
 *   the path latency and arrives as a packet event of the destination host — never inside the
 *   sender's current round (`max(arrival, roundEnd)`: conservative rounds) — where it is
 *   serialized on the receiver's downlink (`bandwidth_down`) before the receiver gets it;
 * - during bootstrap (before `bootstrap_end_time`) there are no bandwidth limits and no loss.
 *
 * Bandwidth is modelled as a busy-until time per link rather than Shadow's 1 ms token buckets.
 * Packets waiting for a receiver's downlink sit in its router queue, managed by CoDel (target
 * 10 ms, interval 100 ms, as Shadow): a standing queue makes it drop packets at dequeue.
 */

/** Where the network reports what it drops (the simulator's pino logger satisfies it). */
export interface NetLog {
  warn(bindings: { host: string }, message: string): void;
}

/** A host to attach: the Host and its configuration (network node, bandwidths, pcap options). */
export interface NetworkHost {
  readonly host: Host;
  readonly config: HostConfig;
}

export interface NetworkSetup {
  readonly graph: NetworkGraph;
  readonly useShortestPath: boolean;
  /** Absolute simulated time at which bootstrapping ends (SIM_START + bootstrap_end_time). */
  readonly bootstrapEnd: SimTime;
  /** Each host's network stream is `seeds.forHost(name + '#net')` (loss draws). */
  readonly seeds: SeedSource;
  readonly log: NetLog;
  readonly hosts: readonly NetworkHost[];
}

const LOOPBACK: NetInterface = { name: 'lo', ipv4: '127.0.0.1', ipv6: '::1', prefix4: 8, prefix6: 128 };

/** `fd00::` followed by the IPv4 address as two hex groups: 11.0.0.1 → fd00::b00:1. */
export function hostIpv6(ipv4: string): string {
  const [a, b, c, d] = ipv4.split('.').map(Number) as [number, number, number, number];
  return canonicalIpv6(`fd00::${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`)!;
}

/** RFC 5952 text of an IPv6 address (lower case, longest zero run compressed); null if invalid. */
function canonicalIpv6(address: string): string | null {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return null;
  }
}

/** Canonical form of an address for lookups: IPv4 as is, IPv6 canonical, v4-mapped IPv6 as IPv4. */
function normalize(address: string): string {
  if (!address.includes(':')) return address;
  const v6 = canonicalIpv6(address);
  if (v6 === null) return address;
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
  if (!mapped) return v6;
  const hi = parseInt(mapped[1]!, 16);
  const lo = parseInt(mapped[2]!, 16);
  return `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}

const isLoopback = (address: string): boolean => address === '::1' || /^127\.\d+\.\d+\.\d+$/.test(address);

/** Nanoseconds to put `bytes` on a link of `bitsPerSecond` (rounded up). */
function transmission(bytes: number, bitsPerSecond: bigint): bigint {
  return (BigInt(bytes) * 8n * NS_PER_SEC + bitsPerSecond - 1n) / bitsPerSecond;
}

/** The router queue in front of a downlink holds at most this much (fq_codel's 10240-packet limit). */
const ROUTER_QUEUE_BYTES = 10240 * 1500;

/** Packets and bytes (IP packets, headers included) through one interface since the start. */
export interface Traffic {
  sentPackets: number;
  sentBytes: number;
  receivedPackets: number;
  receivedBytes: number;
}

const noTraffic = (): Traffic => ({ sentPackets: 0, sentBytes: 0, receivedPackets: 0, receivedBytes: 0 });

function count(traffic: Traffic, direction: 'sent' | 'received', packet: NetPacket): void {
  if (direction === 'sent') {
    traffic.sentPackets++;
    traffic.sentBytes += packet.wireSize;
  } else {
    traffic.receivedPackets++;
    traffic.receivedBytes += packet.wireSize;
  }
}

/** A packet in a router queue: when it reached the router, and its delivery. */
interface Waiting {
  readonly packet: NetPacket;
  readonly at: SimTime;
  readonly sourceHost: number;
  readonly seq: number;
}

/** One host's side of the network: its interfaces, links, receiver and captures. */
class HostPort implements HostNetwork {
  readonly interfaces: readonly NetInterface[];
  receiver: ((packet: NetPacket) => void) | null = null;
  /** When the uplink / downlink is free again (busy-until). */
  upFreeAt: SimTime = 0n;
  downFreeAt: SimTime = 0n;
  /**
   * The router queue in front of the downlink (first in, first out), the bytes waiting in it,
   * and CoDel, which judges each packet's wait as it leaves. Only the head has an event: at the
   * time the downlink frees, so a burst of N packets costs N events, not one per packet per turn.
   */
  readonly router = new CoDel();
  readonly waiting: Waiting[] = [];
  waitingHead = 0;
  queuedBytes = 0;
  /** Ordering key of the packets this host sends (with its host id). */
  packetSeq = 0;
  /** What went through each interface (host heartbeats): sent when it left, received when delivered. */
  readonly traffic = { eth0: noTraffic(), lo: noTraffic() };

  constructor(
    private readonly network: Network,
    readonly host: Host,
    readonly node: number,
    readonly bandwidthUp: bigint,
    readonly bandwidthDown: bigint,
    readonly random: RandomStream,
    readonly pcapEth0: PcapWriter | null,
    readonly pcapLo: PcapWriter | null,
  ) {
    const ipv6 = hostIpv6(host.ipAddress);
    this.interfaces = [LOOPBACK, { name: 'eth0', ipv4: host.ipAddress, ipv6, prefix4: 24, prefix6: 64 }];
  }

  send(packet: NetPacket): SimTime {
    return this.network.send(this, packet);
  }

  setReceiver(receive: (packet: NetPacket) => void): void {
    this.receiver = receive;
  }

  isLocal(address: string): boolean {
    const a = normalize(address);
    return isLoopback(a) || a === this.interfaces[1]!.ipv4 || a === this.interfaces[1]!.ipv6;
  }

  hostOf(address: string): string | undefined {
    if (this.isLocal(address)) return this.host.name;
    return this.network.portOf(address)?.host.name;
  }
}

/** The simulated network: attaches every host (sets `host.network`) and carries their packets. */
export class Network {
  private readonly ports: HostPort[] = [];
  private readonly byAddress = new Map<string, HostPort>();
  private readonly routes: RoutingTable;
  private readonly warned = new Set<string>();
  private readonly bootstrapEnd: SimTime;
  private readonly log: NetLog;

  constructor(setup: NetworkSetup) {
    this.bootstrapEnd = setup.bootstrapEnd;
    this.log = setup.log;
    this.routes = new RoutingTable(setup.graph, setup.hosts.map((h) => h.config.networkNodeId), setup.useShortestPath);
    const nodes = new Map(setup.graph.nodes.map((n) => [n.id, n]));
    for (const { host, config } of setup.hosts) {
      const node = nodes.get(config.networkNodeId);
      const up = config.bandwidthUp ?? node?.bandwidthUp;
      const down = config.bandwidthDown ?? node?.bandwidthDown;
      if (!up || !down) throw new Error(`host ${host.name} has no bandwidth_up/bandwidth_down (host or graph node)`);
      const { pcapEnabled, pcapCaptureSize } = config.options;
      const pcap = (iface: string) => (pcapEnabled ? new PcapWriter(join(host.dataDir, `${iface}.pcap`), pcapCaptureSize) : null);
      const port = new HostPort(
        this,
        host,
        config.networkNodeId,
        up,
        down,
        setup.seeds.forHost(`${host.name}#net`),
        pcap('eth0'),
        pcap('lo'),
      );
      this.ports.push(port);
      this.byAddress.set(port.interfaces[1]!.ipv4, port);
      this.byAddress.set(port.interfaces[1]!.ipv6, port);
      host.network = port;
    }
  }

  /** The port owning a (non-loopback) address, or undefined. */
  portOf(address: string): HostPort | undefined {
    return this.byAddress.get(address) ?? this.byAddress.get(normalize(address));
  }

  /** What went through `host`'s interfaces since the start. */
  traffic(host: Host): { readonly eth0: Readonly<Traffic>; readonly lo: Readonly<Traffic> } {
    return this.portFor(host).traffic;
  }

  /** The path between two hosts' nodes (for tests and diagnostics). */
  path(from: Host, to: Host): PathProperties {
    return this.routes.path(this.portFor(from).node, this.portFor(to).node);
  }

  send(from: HostPort, packet: NetPacket): SimTime {
    const host = from.host;
    const now = host.current;
    if (from.isLocal(packet.destination)) {
      from.pcapLo?.write(now, packet.toBytes());
      count(from.traffic.lo, 'sent', packet);
      count(from.traffic.lo, 'received', packet);
      const seq = from.packetSeq++;
      host.addPacketEvent(now, host.id, seq, () => this.deliver(from, packet));
      return now;
    }
    const bootstrapping = now < this.bootstrapEnd;
    // The packet leaves once the uplink is free; it uses the link even if the path then loses it.
    let departure = now;
    if (!bootstrapping) {
      if (from.upFreeAt > departure) departure = from.upFreeAt;
      from.upFreeAt = departure + transmission(packet.wireSize, from.bandwidthUp);
    }
    from.pcapEth0?.write(now, packet.toBytes());
    count(from.traffic.eth0, 'sent', packet);
    const sent = from.upFreeAt > now ? from.upFreeAt : now;
    const to = this.portOf(packet.destination);
    if (!to) {
      if (!this.warned.has(packet.destination)) {
        this.warned.add(packet.destination);
        this.log.warn(
          { host: host.name },
          `dropping packet from ${packet.source} to unknown address ${packet.destination} (reported once per address)`,
        );
      }
      return sent;
    }
    const path = this.routes.path(from.node, to.node);
    // Zero-payload packets (pure ACK, SYN, FIN) are never dropped (Shadow #2517).
    if (!bootstrapping && packet.hasPayload && path.loss > 0 && from.random.double() < path.loss) return sent;
    const arrival = departure + path.latency;
    const at = arrival > host.roundEnd ? arrival : host.roundEnd;
    const seq = from.packetSeq++;
    to.host.addPacketEvent(at, host.id, seq, () => this.arrive(to, { packet, at, sourceHost: host.id, seq }));
    return sent;
  }

  /** A packet reaches `to`'s router: onto the downlink if it is free and nobody waits, else into the queue. */
  private arrive(to: HostPort, w: Waiting): void {
    const t = to.host.current;
    if (t < this.bootstrapEnd) {
      this.receive(to, w.packet, t);
      return;
    }
    if (to.downFreeAt > t || to.waitingHead < to.waiting.length) {
      // The router queue is bounded too: past its limit a packet is dropped on arrival.
      if (to.queuedBytes + w.packet.wireSize > ROUTER_QUEUE_BYTES) return;
      to.queuedBytes += w.packet.wireSize;
      to.waiting.push(w);
      if (to.waiting.length - to.waitingHead === 1) this.scheduleHead(to);
      return;
    }
    to.downFreeAt = t + transmission(w.packet.wireSize, to.bandwidthDown);
    this.receive(to, w.packet, t);
  }

  /** The queue's head leaves when the downlink frees (ordered as its own arrival was). */
  private scheduleHead(to: HostPort): void {
    const head = to.waiting[to.waitingHead]!;
    to.host.addPacketEvent(to.downFreeAt, head.sourceHost, head.seq, () => this.leaveQueue(to));
  }

  /** The downlink is free: the head leaves the queue, unless CoDel drops it (then the next one). */
  private leaveQueue(to: HostPort): void {
    const t = to.host.current;
    while (to.waitingHead < to.waiting.length) {
      const head = to.waiting[to.waitingHead]!;
      to.waitingHead++;
      to.queuedBytes -= head.packet.wireSize;
      // CoDel judges the time it waited there.
      if (to.router.shouldDrop(t, t - head.at, to.queuedBytes + head.packet.wireSize)) continue;
      to.downFreeAt = t + transmission(head.packet.wireSize, to.bandwidthDown);
      this.receive(to, head.packet, t);
      break;
    }
    if (to.waitingHead === to.waiting.length) {
      to.waiting.length = 0;
      to.waitingHead = 0;
    } else {
      if (to.waitingHead >= 1024) {
        to.waiting.splice(0, to.waitingHead);
        to.waitingHead = 0;
      }
      this.scheduleHead(to);
    }
  }

  /** A packet comes off the downlink at `t`: captured, counted and handed to the host. */
  private receive(to: HostPort, packet: NetPacket, t: SimTime): void {
    to.pcapEth0?.write(t, packet.toBytes());
    count(to.traffic.eth0, 'received', packet);
    this.deliver(to, packet);
  }

  /** Closes the capture files. */
  close(): void {
    for (const port of this.ports) {
      port.pcapEth0?.close();
      port.pcapLo?.close();
    }
  }

  private deliver(to: HostPort, packet: NetPacket): void {
    // No receiver installed (no transport plugin): the packet is dropped.
    to.receiver?.(packet);
  }

  private portFor(host: Host): HostPort {
    const port = host.network instanceof HostPort && host.network.host === host ? host.network : undefined;
    if (!port) throw new Error(`host ${host.name} is not attached to this network`);
    return port;
  }
}
