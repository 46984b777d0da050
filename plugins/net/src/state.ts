/** The net family's simulation state: one NetState per kernel, one HostNet (namespace) per host. */
import { SyncHook, type CongestionAlgorithm, type HostView, type NetApi, type StrategyRegistry } from '@shadow-ts/plugin-sdk';
import { DnsZone } from './dns/zone.js';
import { NetStack } from './inet/demux.js';
import type { NetlinkSocket } from './netlink.js';
import type { UnixNames } from './unix-named.js';

/**
 * What the net family remembers, for one kernel: each host's network namespace. `apply`
 * creates the NetState and the taps close over it, so two simulations in one Node process
 * share nothing. A socket keeps its host's namespace (Linux's sock_net()), so its methods
 * reach the names, ports and stack of its own host.
 */
export class NetState {
  private readonly namespaces = new WeakMap<HostView, HostNet>();
  /** The hooks the family offers other plugins (its api: NetApi). */
  readonly events: NetApi['hooks'] = {
    packetSent: new SyncHook(['host', 'packet']),
    packetReceived: new SyncHook(['host', 'packet']),
    tcpSegment: new SyncHook(['sample']),
  };
  /** The simulated DNS's table: every host's name, the same for all, so made once (on the first query). */
  private zone: DnsZone | null = null;

  constructor(
    /** The kernel's congestion control registry (`.shadowrc` `tcp_congestion`). */
    readonly congestion: StrategyRegistry<CongestionAlgorithm>,
  ) {}

  /** The namespace of `host`, made on first use. */
  of(host: HostView): HostNet {
    let ns = this.namespaces.get(host);
    if (!ns) this.namespaces.set(host, (ns = new HostNet(host, this.congestion, this.events, () => (this.zone ??= new DnsZone(host.knownHosts())))));
    return ns;
  }
}

/** One host's network namespace: its IP stack, AF_UNIX names and netlink port ids. */
export class HostNet {
  /** Bound AF_UNIX names (pathnames and abstract ones). */
  readonly unixNames: UnixNames = { names: new Map(), nextAuto: 0 };
  /** Bound netlink sockets by port id (nl_table's per-protocol hash). */
  readonly netlinkPorts = new Map<number, NetlinkSocket>();
  private ipStack: NetStack | null = null;
  /** The last sockfs inode number given (socketInode). */
  private lastInode = 0n;

  constructor(
    readonly host: HostView,
    private readonly congestion: StrategyRegistry<CongestionAlgorithm>,
    private readonly events: NetApi['hooks'],
    private readonly dnsZone: () => DnsZone,
  ) {}

  /** A new sockfs inode number: what fstat(2) and /proc/<pid>/fd show of a socket, unique on the host. */
  socketInode(): bigint {
    return ++this.lastInode;
  }

  /** The IP stack, created (and the host's packet receiver installed) on first use. */
  get stack(): NetStack {
    return (this.ipStack ??= new NetStack(this.host, this.events, this.dnsZone));
  }

  /** This host's instance of congestion control `name`, or undefined when no such algorithm exists. */
  congestionFactory(name: string): CongestionAlgorithm | undefined {
    return this.congestion.instanceOf(this.host.name, name);
  }

  /** The algorithm chosen for this host. */
  get defaultCongestion(): string {
    return this.congestion.chosen(this.host.name);
  }
}
