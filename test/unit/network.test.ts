import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { NS_PER_MS, NS_PER_SEC, SIM_START, type NetPacket, type SimTime } from '@shadow-ts/plugin-sdk';
import type { GmlEdge, HostConfig, NetworkGraph } from '../../core/src/config/types.js';
import { Host } from '../../core/src/kernel/host.js';
import { Network, type NetLog } from '../../core/src/net/network.js';
import { RoutingTable } from '../../core/src/net/routing.js';
import { SeedSource } from '../../core/src/sim/random.js';

const ms = (n: number): bigint => BigInt(n) * NS_PER_MS;
const MBIT = 1_000_000n;

function edge(source: number, target: number, latencyMs: number, packetLoss = 0): GmlEdge {
  return { source, target, latency: ms(latencyMs), jitter: 0n, packetLoss };
}

function graph(edges: GmlEdge[], directed = false, nodes = [0, 1, 2]): NetworkGraph {
  return { directed, nodes: nodes.map((id) => ({ id, bandwidthUp: 8n * MBIT, bandwidthDown: 8n * MBIT })), edges };
}

interface FakeOptions {
  wireSize?: number;
  hasPayload?: boolean;
  bytes?: Uint8Array;
  id?: number;
}

type FakePacket = NetPacket & { readonly id: number };

function packet(source: string, destination: string, o: FakeOptions = {}): FakePacket {
  return {
    id: o.id ?? 0,
    source,
    destination,
    protocol: 17,
    wireSize: o.wireSize ?? 100,
    hasPayload: o.hasPayload ?? true,
    toBytes: () => o.bytes ?? new Uint8Array(o.wireSize ?? 100),
  };
}

interface HostSpec {
  name: string;
  node: number;
  up?: bigint;
  down?: bigint;
  pcap?: boolean;
  snaplen?: number;
}

interface World {
  network: Network;
  hosts: Host[];
  warnings: string[];
  /** Packets each host received, with the time. */
  received: Map<string, { time: SimTime; packet: FakePacket }[]>;
  dir: string;
}

/** Hosts built as simulation.ts builds them (addresses 11.0.0.1… in order), attached to a Network. */
function world(g: NetworkGraph, specs: HostSpec[], opts: { bootstrapEnd?: SimTime; seed?: number; shortest?: boolean } = {}): World {
  const dir = mkdtempSync(join(tmpdir(), 'shadow-net-'));
  const seeds = new SeedSource(opts.seed ?? 1);
  const directory = specs.map((s, i) => ({ name: s.name, ipAddress: `11.0.0.${i + 1}` }));
  const warnings: string[] = [];
  const log: NetLog = { warn: (_b, message) => warnings.push(message) };
  const received = new Map<string, { time: SimTime; packet: FakePacket }[]>();
  const pairs = specs.map((s, id) => {
    const dataDir = join(dir, s.name);
    mkdirSync(dataDir);
    const host = new Host(id, s.name, `11.0.0.${id + 1}`, seeds.forHost(s.name), dataDir, directory);
    const config: HostConfig = {
      name: s.name,
      networkNodeId: s.node,
      ipAddr: null,
      bandwidthUp: s.up ?? null,
      bandwidthDown: s.down ?? null,
      options: { logLevel: null, pcapEnabled: s.pcap ?? false, pcapCaptureSize: s.snaplen ?? 65535, heartbeatInterval: null, heartbeatLogLevel: 'info', heartbeatLogInfo: ['node'] },
      processes: [],
    };
    return { host, config };
  });
  const network = new Network({
    graph: g,
    useShortestPath: opts.shortest ?? true,
    bootstrapEnd: opts.bootstrapEnd ?? SIM_START,
    seeds,
    log,
    hosts: pairs,
  });
  for (const { host } of pairs) {
    const list: { time: SimTime; packet: FakePacket }[] = [];
    received.set(host.name, list);
    host.network.setReceiver((p) => list.push({ time: host.current, packet: p as FakePacket }));
  }
  return { network, hosts: pairs.map((p) => p.host), warnings, received, dir };
}

/** Runs every host round by round (as the scheduler does) until `until`. */
function runAll(hosts: Host[], until: SimTime, round: SimTime = ms(1)): void {
  for (let start = SIM_START; start < until; start += round) {
    const end = start + round < until ? start + round : until;
    for (const h of hosts) h.execute(end);
  }
}

const arrivals = (w: World, name: string): bigint[] => w.received.get(name)!.map((r) => r.time - SIM_START);

describe('network: routing', () => {
  it('takes the lowest-latency path and composes loss as 1 - Π(1 - p)', () => {
    const g = graph([edge(0, 0, 1), edge(1, 1, 1), edge(2, 2, 1), edge(0, 1, 10, 0.1), edge(1, 2, 10, 0.1), edge(0, 2, 30)]);
    const r = new RoutingTable(g, [0, 1, 2], true);
    expect(r.path(0, 2).latency).to.equal(ms(20));
    expect(r.path(0, 2).loss).to.be.closeTo(0.19, 1e-12);
    expect(r.path(2, 0).latency).to.equal(ms(20)); // undirected: both ways
  });

  it('breaks latency ties with lower loss', () => {
    const g = graph([edge(0, 0, 1), edge(1, 1, 1), edge(2, 2, 1), edge(0, 1, 10, 0.1), edge(1, 2, 10, 0.1), edge(0, 2, 20, 0.5)]);
    const r = new RoutingTable(g, [0, 2], true);
    expect(r.path(0, 2).latency).to.equal(ms(20));
    expect(r.path(0, 2).loss).to.be.closeTo(0.19, 1e-12);
  });

  it('respects edge direction in directed graphs', () => {
    const g = graph([edge(0, 0, 1), edge(1, 1, 1), edge(0, 1, 5), edge(1, 0, 50)], true, [0, 1]);
    const r = new RoutingTable(g, [0, 1], true);
    expect(r.path(0, 1).latency).to.equal(ms(5));
    expect(r.path(1, 0).latency).to.equal(ms(50));
  });

  it('uses the self-loop for a node to itself, and the direct edge without shortest paths', () => {
    const g = graph([edge(0, 0, 3, 0.25), edge(1, 1, 1), edge(2, 2, 1), edge(0, 1, 1), edge(1, 2, 1), edge(0, 2, 30)]);
    const r = new RoutingTable(g, [0, 1, 2], true);
    expect(r.path(0, 0)).to.deep.equal({ latency: ms(3), loss: 0.25 });
    expect(r.path(0, 2).latency).to.equal(ms(2));
    const direct = new RoutingTable(g, [0, 1, 2], false);
    expect(direct.path(0, 2).latency).to.equal(ms(30));
    expect(direct.path(2, 0).latency).to.equal(ms(30));
  });
});

describe('network: delivery', () => {
  const twoNodes = () => graph([edge(0, 0, 1), edge(1, 1, 1), edge(0, 1, 10)], false, [0, 1]);

  it('adds path latency and serializes on the uplink and the downlink', () => {
    // 8 Mbit/s up: 1000 B take 1 ms; 4 Mbit/s down: 2 ms.
    const w = world(twoNodes(), [
      { name: 'a', node: 0, up: 8n * MBIT },
      { name: 'b', node: 1, down: 4n * MBIT },
    ]);
    const [a] = w.hosts;
    a!.addEvent(SIM_START, () => {
      a!.network.send(packet('11.0.0.1', '11.0.0.2', { wireSize: 1000, id: 1 }));
      a!.network.send(packet('11.0.0.1', '11.0.0.2', { wireSize: 1000, id: 2 }));
      a!.network.send(packet('11.0.0.1', '11.0.0.2', { wireSize: 1000, id: 3 }));
    });
    runAll(w.hosts, SIM_START + ms(100));
    // Departures 0, 1, 2 ms → arrivals 10, 11, 12 ms; the downlink is busy 2 ms per packet.
    expect(arrivals(w, 'b')).to.deep.equal([ms(10), ms(12), ms(14)]);
    expect(w.received.get('b')!.map((r) => r.packet.id)).to.deep.equal([1, 2, 3]);
    expect(w.received.get('a')).to.deep.equal([]);
  });

  it('serves a router queue first in, first out across senders, past a thousand waiting packets', () => {
    // Two senders at 80 Mbit/s (100 B: 10 µs) fill a 8 Mbit/s downlink (100 µs) at twenty times
    // its rate: the queue passes the 1024 heads after which it is compacted, and CoDel drops.
    const w = world(twoNodes(), [
      { name: 'a', node: 0, up: 80n * MBIT },
      { name: 'b', node: 1, down: 8n * MBIT },
      { name: 'c', node: 0, up: 80n * MBIT },
    ]);
    const [a, , c] = w.hosts;
    const COUNT = 1500;
    a!.addEvent(SIM_START, () => {
      for (let i = 1; i <= COUNT; i++) a!.network.send(packet('11.0.0.1', '11.0.0.2', { id: i }));
    });
    c!.addEvent(SIM_START, () => {
      for (let i = 1; i <= COUNT; i++) c!.network.send(packet('11.0.0.3', '11.0.0.2', { id: 10_000 + i }));
    });
    runAll(w.hosts, SIM_START + NS_PER_SEC);
    // Both reach the router every 10 µs at the same instants, a's first (lower host id).
    const arrivalOrder = Array.from({ length: COUNT }, (_, i) => [i + 1, 10_001 + i]).flat();
    const got = w.received.get('b')!;
    const ids = got.map((r) => r.packet.id);
    let next = 0;
    for (const id of ids) {
      next = arrivalOrder.indexOf(id, next) + 1;
      expect(next, `packet ${id} out of arrival order`).to.be.greaterThan(0);
    }
    expect(ids.length).to.be.lessThan(2 * COUNT); // CoDel dropped some
    expect(next).to.be.greaterThan(2048); // packets queued behind more than 1024 others came out
    // One packet per 100 µs of downlink, never two at once.
    for (let i = 1; i < got.length; i++) expect(got[i]!.time - got[i - 1]!.time >= 100_000n, `gap before packet ${ids[i]}`).to.equal(true);
  });

  it('never delivers inside the sender’s current round', () => {
    const w = world(twoNodes(), [
      { name: 'a', node: 0 },
      { name: 'b', node: 1 },
    ]);
    const [a, b] = w.hosts;
    a!.addEvent(SIM_START, () => a!.network.send(packet('11.0.0.1', '11.0.0.2')));
    a!.execute(SIM_START + ms(25)); // a round longer than the latency (10 ms)
    b!.execute(SIM_START + ms(25));
    expect(w.received.get('b')).to.deep.equal([]);
    expect(b!.nextEventTime()).to.equal(SIM_START + ms(25));
    b!.execute(SIM_START + ms(30));
    expect(arrivals(w, 'b')).to.deep.equal([ms(25)]);
  });

  it('reaches hosts by their IPv6 address too, and finds hosts by address', () => {
    const w = world(twoNodes(), [
      { name: 'a', node: 0 },
      { name: 'b', node: 1 },
    ]);
    const [a] = w.hosts;
    expect(a!.network.interfaces).to.deep.equal([
      { name: 'lo', ipv4: '127.0.0.1', ipv6: '::1', prefix4: 8, prefix6: 128 },
      { name: 'eth0', ipv4: '11.0.0.1', ipv6: 'fd00::b00:1', prefix4: 24, prefix6: 64 },
    ]);
    expect(a!.network.hostOf('11.0.0.2')).to.equal('b');
    expect(a!.network.hostOf('fd00::b00:2')).to.equal('b');
    expect(a!.network.hostOf('fd00:0::0b00:2')).to.equal('b');
    expect(a!.network.hostOf('::ffff:11.0.0.2')).to.equal('b');
    expect(a!.network.hostOf('127.0.0.1')).to.equal('a');
    expect(a!.network.hostOf('11.0.0.9')).to.equal(undefined);
    a!.addEvent(SIM_START, () => a!.network.send(packet('fd00::b00:1', 'fd00::b00:2')));
    runAll(w.hosts, SIM_START + ms(20));
    expect(arrivals(w, 'b')).to.deep.equal([ms(10)]);
  });

  it('delivers loopback on the same host, as a later event at the same time', () => {
    const w = world(twoNodes(), [
      { name: 'a', node: 0, up: 1n, down: 1n }, // limits would take ages: loopback ignores them
      { name: 'b', node: 1 },
    ]);
    const [a] = w.hosts;
    let inline = false;
    a!.addEvent(SIM_START + ms(3), () => {
      for (const dst of ['127.0.0.1', '127.1.2.3', '::1', '11.0.0.1', 'fd00::b00:1']) {
        a!.network.send(packet(dst, dst, { wireSize: 60000 }));
      }
      inline = w.received.get('a')!.length > 0;
    });
    for (const dst of ['127.0.0.1', '::1', '11.0.0.1', 'fd00::b00:1']) expect(a!.network.isLocal(dst)).to.equal(true);
    expect(a!.network.isLocal('11.0.0.2')).to.equal(false);
    runAll(w.hosts, SIM_START + ms(5));
    expect(inline).to.equal(false);
    expect(arrivals(w, 'a')).to.deep.equal([ms(3), ms(3), ms(3), ms(3), ms(3)]);
    expect(w.received.get('b')).to.deep.equal([]);
  });

  it('drops packets when no receiver is installed', () => {
    const w = world(twoNodes(), [
      { name: 'a', node: 0 },
      { name: 'b', node: 1 },
    ]);
    const [a, b] = w.hosts;
    let got = 0;
    b!.network.setReceiver(() => got++);
    a!.addEvent(SIM_START, () => a!.network.send(packet('11.0.0.1', '11.0.0.2')));
    runAll(w.hosts, SIM_START + ms(20));
    expect(got).to.equal(1);
  });

  it('drops packets to unknown addresses with one warning per address', () => {
    const w = world(twoNodes(), [
      { name: 'a', node: 0 },
      { name: 'b', node: 1 },
    ]);
    const [a] = w.hosts;
    a!.addEvent(SIM_START, () => {
      a!.network.send(packet('11.0.0.1', '11.0.0.77'));
      a!.network.send(packet('11.0.0.1', '11.0.0.77'));
      a!.network.send(packet('11.0.0.1', '10.1.1.1'));
    });
    runAll(w.hosts, SIM_START + ms(50));
    expect(w.warnings).to.have.length(2);
    expect(w.warnings[0]).to.contain('11.0.0.77');
    expect(w.warnings[1]).to.contain('10.1.1.1');
    expect(w.received.get('b')).to.deep.equal([]);
  });
});

describe('network: loss and bootstrap', () => {
  const lossy = (p: number) => graph([edge(0, 0, 1), edge(1, 1, 1), edge(0, 1, 10, p)], false, [0, 1]);
  const fast = 10_000n * MBIT;

  function sendMany(w: World, n: number, hasPayload = true): void {
    const [a] = w.hosts;
    a!.addEvent(SIM_START + ms(1), () => {
      for (let i = 0; i < n; i++) a!.network.send(packet('11.0.0.1', '11.0.0.2', { id: i, hasPayload }));
    });
    runAll(w.hosts, SIM_START + ms(50));
  }

  it('drops payload packets with the path loss, deterministically per seed', () => {
    const hosts = [
      { name: 'a', node: 0, up: fast, down: fast },
      { name: 'b', node: 1, up: fast, down: fast },
    ];
    const ids = (seed: number) => {
      const w = world(lossy(0.5), hosts, { seed });
      sendMany(w, 400);
      return w.received.get('b')!.map((r) => r.packet.id);
    };
    const first = ids(7);
    expect(first.length).to.be.within(140, 260);
    expect(ids(7)).to.deep.equal(first);
    expect(ids(8)).to.not.deep.equal(first);
  });

  it('never drops packets without payload', () => {
    const w = world(lossy(1), [
      { name: 'a', node: 0, up: fast, down: fast },
      { name: 'b', node: 1, up: fast, down: fast },
    ]);
    sendMany(w, 20, false);
    expect(w.received.get('b')).to.have.length(20);
    const w2 = world(lossy(1), [
      { name: 'a', node: 0, up: fast, down: fast },
      { name: 'b', node: 1, up: fast, down: fast },
    ]);
    sendMany(w2, 20, true);
    expect(w2.received.get('b')).to.have.length(0);
  });

  it('has no loss and no bandwidth limits during bootstrap', () => {
    const w = world(
      lossy(1),
      [
        { name: 'a', node: 0, up: 8n * MBIT, down: 8n * MBIT },
        { name: 'b', node: 1, up: 8n * MBIT, down: 8n * MBIT },
      ],
      { bootstrapEnd: SIM_START + NS_PER_SEC },
    );
    const [a] = w.hosts;
    a!.addEvent(SIM_START, () => {
      for (let i = 0; i < 3; i++) a!.network.send(packet('11.0.0.1', '11.0.0.2', { wireSize: 1000 }));
    });
    runAll(w.hosts, SIM_START + ms(50));
    expect(arrivals(w, 'b')).to.deep.equal([ms(10), ms(10), ms(10)]);
  });
});

describe('network: pcap', () => {
  it('writes a classic pcap header and one record per captured packet', () => {
    const g = graph([edge(0, 0, 1), edge(1, 1, 1), edge(0, 1, 10)], false, [0, 1]);
    const w = world(g, [
      { name: 'a', node: 0, pcap: true, snaplen: 16 },
      { name: 'b', node: 1, pcap: true },
    ]);
    try {
      const [a] = w.hosts;
      const bytes = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
      a!.addEvent(SIM_START + 1_234_567n, () => a!.network.send(packet('11.0.0.1', '11.0.0.2', { wireSize: 20, bytes })));
      runAll(w.hosts, SIM_START + ms(20));
      w.network.close();

      const out = readFileSync(join(w.dir, 'a', 'eth0.pcap'));
      expect(out.length).to.equal(24 + 16 + 16);
      expect(out.readUInt32LE(0)).to.equal(0xa1b2c3d4);
      expect(out.readUInt16LE(4)).to.equal(2);
      expect(out.readUInt16LE(6)).to.equal(4);
      expect(out.readInt32LE(8)).to.equal(0);
      expect(out.readUInt32LE(12)).to.equal(0);
      expect(out.readUInt32LE(16)).to.equal(16); // snaplen
      expect(out.readUInt32LE(20)).to.equal(101); // LINKTYPE_RAW
      expect(out.readUInt32LE(24)).to.equal(946_684_800); // 2000-01-01
      expect(out.readUInt32LE(28)).to.equal(1234); // µs
      expect(out.readUInt32LE(32)).to.equal(16); // incl_len
      expect(out.readUInt32LE(36)).to.equal(20); // orig_len
      expect([...out.subarray(40)]).to.deep.equal([...bytes.subarray(0, 16)]);

      const received = readFileSync(join(w.dir, 'b', 'eth0.pcap'));
      expect(received.length).to.equal(24 + 16 + 20);
      expect(received.readUInt32LE(28)).to.equal(11_234); // delivered 10 ms later
      expect(readFileSync(join(w.dir, 'a', 'lo.pcap')).length).to.equal(24);
    } finally {
      rmSync(w.dir, { recursive: true, force: true });
    }
  });
});

describe('CoDel router queue', () => {
  it('drops nothing while the sojourn stays under 10 ms', async () => {
    const { CoDel } = await import('../../core/src/net/codel.js');
    const codel = new CoDel();
    for (let t = 0n; t < 1_000_000_000n; t += 1_000_000n) expect(codel.shouldDrop(t, 5_000_000n, 100_000)).to.equal(false);
  });

  it('drops after a standing queue of more than the target for a whole interval, faster as it persists', async () => {
    const { CoDel } = await import('../../core/src/net/codel.js');
    const codel = new CoDel();
    const drops: bigint[] = [];
    for (let t = 0n; t <= 400_000_000n; t += 1_000_000n) if (codel.shouldDrop(t, 50_000_000n, 100_000)) drops.push(t);
    // First drop one interval after the sojourn went above target, then at interval/sqrt(count).
    expect(drops[0]).to.equal(100_000_000n);
    expect(drops[1]).to.equal(200_000_000n);
    expect(drops[2]).to.equal(271_000_000n); // 200 ms + 100 ms / sqrt(2), at the next 1 ms step
    expect(drops.length).to.be.greaterThan(3);
  });

  it('never drops when at most one MTU is queued', async () => {
    const { CoDel } = await import('../../core/src/net/codel.js');
    const codel = new CoDel();
    for (let t = 0n; t < 1_000_000_000n; t += 1_000_000n) expect(codel.shouldDrop(t, 50_000_000n, 1500)).to.equal(false);
  });
});
