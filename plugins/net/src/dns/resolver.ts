import { NS_PER_MS } from '@shadow-ts/plugin-sdk';
import { InetPacket } from '../inet/packet.js';
import { answerQuery } from './answer.js';
import { DnsTcpService, type DnsStack } from './tcp.js';
import type { DnsZone } from './zone.js';

/**
 * The simulated DNS resolver every host has, at 127.0.0.53 port 53 — the address of
 * systemd-resolved's stub, named by every host's /etc/resolv.conf (plugins/fs/src/paths.ts).
 * A loopback address is one no host can have (ip_addr rejects 127.0.0.0/8), it never leaves
 * the host, so the network has nothing to route or drop, and every host reaches its own
 * resolver with no setup. Queries travel like any loopback packet (they show in lo.pcap and the
 * heartbeat counters); the host's stack hands those for 127.0.0.53:53, over UDP and TCP, to
 * this resolver before any socket sees them, so a program that binds that address and port
 * itself receives nothing there (its DNS server still serves every other address).
 *
 * Answers come from the simulation's hosts table (zone.ts), after ANSWER_DELAY, as a reply
 * packet from 127.0.0.53:53 to the query's source.
 */

export const RESOLVER_ADDRESS = '127.0.0.53';
export const DNS_PORT = 53;
/**
 * When an answer leaves the resolver after its query arrived: about what a caching stub on the
 * same machine takes (a fraction of a millisecond from its cache, more to build an answer).
 * Fixed, so runs repeat; not zero, so a query and its answer are two instants, as on Linux.
 */
export const ANSWER_DELAY = 1n * NS_PER_MS;

export class DnsResolver {
  private readonly tcp: DnsTcpService;

  constructor(
    private readonly stack: DnsStack,
    /** The table, shared by every host of the simulation and made on the first query. */
    private readonly zone: () => DnsZone,
  ) {
    this.tcp = new DnsTcpService(stack, (message, deliver) => this.answerLater(message, deliver));
  }

  /** Takes `packet` if it is for the resolver (true), else leaves it to the sockets. */
  receive(packet: InetPacket): boolean {
    if (packet.destination !== RESOLVER_ADDRESS) return false;
    if (packet.udp) {
      if (packet.udp.dstPort !== DNS_PORT) return false;
      this.udpQuery(packet);
      return true;
    }
    if (!packet.tcp || packet.tcp.dstPort !== DNS_PORT) return false; // an ICMP error is the sockets'
    this.tcp.segment(packet);
    return true;
  }

  private udpQuery(packet: InetPacket): void {
    const { srcPort } = packet.udp!;
    this.answerLater(packet.udp!.payload, (answer) => {
      if (!answer) return;
      this.stack.send(InetPacket.udp(RESOLVER_ADDRESS, packet.source, { srcPort: DNS_PORT, dstPort: srcPort, payload: answer }));
    });
  }

  /** Computes the answer now, from the table as it is, and delivers it ANSWER_DELAY later. */
  private answerLater(message: Uint8Array, deliver: (answer: Uint8Array | null) => void): void {
    const answer = answerQuery(message, this.zone());
    const host = this.stack.host;
    host.schedule(host.now() + ANSWER_DELAY, () => deliver(answer));
  }
}
