import { expect } from 'chai';
import { CONGESTION, cubic, reno } from '../../plugins/net/src/tcp/congestion.js';
import { TCP_TIMING, TcpConnection, resetFor, windowScaleFor } from '../../plugins/net/src/tcp/connection.js';
import { seqAdd, seqDiff, seqGe, seqGt, seqLe, seqLt, seqMax, seqMin } from '../../plugins/net/src/tcp/seq.js';
import type { TcpEnvironment, TcpOptions, TcpSegment } from '../../plugins/net/src/tcp/types.js';

const MS = 1_000_000n;
const SEC = 1_000_000_000n;

/** A discrete-event scheduler with a bigint clock (ns). Events at equal times run in order of scheduling. */
class Scheduler {
  now = 0n;
  private nextId = 0;
  private queue: { at: bigint; id: number; cb: () => void; cancelled: boolean }[] = [];

  schedule(at: bigint, cb: () => void): () => void {
    const ev = { at: at < this.now ? this.now : at, id: this.nextId++, cb, cancelled: false };
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = this.queue[mid]!;
      if (m.at < ev.at || (m.at === ev.at && m.id < ev.id)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, ev);
    return () => {
      ev.cancelled = true;
    };
  }

  /** Runs events up to and including time `t`, then sets the clock to `t`. */
  runUntil(t: bigint): void {
    while (this.queue.length > 0 && this.queue[0]!.at <= t) {
      const ev = this.queue.shift()!;
      if (ev.cancelled) continue;
      this.now = ev.at;
      ev.cb();
    }
    if (t > this.now) this.now = t;
  }

  /** Runs events until `done()` holds (checked after each event) or the queue empties or `limit` passes. */
  runWhile(notDone: () => boolean, limit: bigint): void {
    while (notDone() && this.queue.length > 0 && this.queue[0]!.at <= limit) {
      const ev = this.queue.shift()!;
      if (ev.cancelled) continue;
      this.now = ev.at;
      ev.cb();
    }
  }
}

type Side = 'client' | 'server';

interface Sent {
  readonly t: bigint;
  readonly from: Side;
  readonly seg: TcpSegment;
  /** Index among this side's segments with payload, or null for control segments. */
  readonly dataIndex: number | null;
  dropped: boolean;
}

const CLIENT_PORT = 40000;
const SERVER_PORT = 80;

function options(local: number, remote: number, over: Partial<TcpOptions> = {}): TcpOptions {
  return {
    localPort: local,
    remotePort: remote,
    mss: 1460,
    sendBuffer: 256 * 1024,
    receiveBuffer: 1 << 20,
    sendBufferMax: null,
    receiveBufferMax: null,
    congestion: CONGESTION.reno!,
    noDelay: false,
    ...over,
  };
}

/**
 * A client and a server host joined by a link with a fixed one-way latency. The server side
 * listens: a SYN creates its connection with TcpConnection.fromSyn; with `listening` false it
 * answers with resetFor. `drop` decides loss per segment (deterministically).
 */
class Net {
  readonly sched = new Scheduler();
  readonly log: Sent[] = [];
  drop: (s: Sent) => boolean = () => false;
  listening = true;
  client!: TcpConnection;
  server: TcpConnection | null = null;
  readonly onChanged: Record<Side, () => void> = { client: () => {}, server: () => {} };
  readonly changes: Record<Side, number> = { client: 0, server: 0 };
  private readonly dataCount: Record<Side, number> = { client: 0, server: 0 };

  constructor(
    readonly latency: bigint,
    clientOptions: Partial<TcpOptions> = {},
    readonly serverOptions: Partial<TcpOptions> = {},
    readonly iss: Record<Side, number> = { client: 0xfffff000, server: 12345 },
  ) {
    this.client = new TcpConnection(options(CLIENT_PORT, SERVER_PORT, clientOptions), this.env('client'));
  }

  env(side: Side): TcpEnvironment {
    return {
      now: () => this.sched.now,
      schedule: (at, cb) => this.sched.schedule(at, cb),
      emit: (seg) => this.send(side, seg),
      changed: () => {
        this.changes[side]++;
        this.onChanged[side]();
      },
      initialSequence: () => this.iss[side],
    };
  }

  send(from: Side, seg: TcpSegment): void {
    const entry: Sent = {
      t: this.sched.now,
      from,
      seg,
      dataIndex: seg.payload.length > 0 ? this.dataCount[from]++ : null,
      dropped: false,
    };
    entry.dropped = this.drop(entry);
    this.log.push(entry);
    if (entry.dropped) return;
    this.sched.schedule(this.sched.now + this.latency, () => this.deliver(from === 'client' ? 'server' : 'client', seg));
  }

  private deliver(to: Side, seg: TcpSegment): void {
    if (to === 'client') {
      this.client.receive(seg);
      return;
    }
    if (this.server !== null) {
      this.server.receive(seg);
    } else if (this.listening && seg.flags.syn && !seg.flags.ack) {
      this.server = TcpConnection.fromSyn(seg, options(SERVER_PORT, CLIENT_PORT, this.serverOptions), this.env('server'));
    } else {
      const rst = resetFor(seg);
      if (rst !== null) this.send('server', rst);
    }
  }

  get srv(): TcpConnection {
    if (this.server === null) throw new Error('no server connection');
    return this.server;
  }

  /** Connects and runs until both sides are established. */
  establish(): void {
    this.client.connect();
    this.sched.runWhile(() => this.server?.state !== 'ESTABLISHED', 10n * SEC);
    expect(this.client.state).to.equal('ESTABLISHED');
    expect(this.srv.state).to.equal('ESTABLISHED');
  }

  sent(from: Side, pred: (s: Sent) => boolean = () => true): Sent[] {
    return this.log.filter((s) => s.from === from && pred(s));
  }
}

/** Deterministic test data. */
function pattern(n: number, seed = 1): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.length;
  }
  return out;
}

interface TransferResult {
  /** When the server application had read every byte (ns since connect). */
  completed: bigint;
  received: Uint8Array;
  net: Net;
}

/**
 * Client connects, writes `total` bytes as fast as the send buffer allows, then closes; the
 * server application reads everything as soon as it is readable and closes at EOF.
 */
function transfer(algorithm: string, total: number, dropEvery: number | null, latency = 50n * MS, over: Partial<TcpOptions> = {}): TransferResult {
  const congestion = CONGESTION[algorithm]!;
  const net = new Net(latency, { congestion, ...over }, { congestion, ...over });
  if (dropEvery !== null) {
    net.drop = (s) => s.from === 'client' && s.dataIndex !== null && (s.dataIndex + 1) % dropEvery === 0;
  }
  const data = pattern(total, 7);
  let written = 0;
  let pumping = false;
  net.onChanged.client = () => {
    if (pumping) return;
    pumping = true;
    while (written < total && net.client.writable() > 0) {
      const n = net.client.write(data.subarray(written, Math.min(total, written + 65536)));
      if (n === 0) break;
      written += n;
    }
    if (written === total && net.client.state === 'ESTABLISHED') net.client.close();
    pumping = false;
  };
  const chunks: Uint8Array[] = [];
  let got = 0;
  let completed = -1n;
  net.onChanged.server = () => {
    const srv = net.srv;
    for (;;) {
      const chunk = srv.read(1 << 20);
      if (chunk.length === 0) break;
      chunks.push(chunk);
      got += chunk.length;
      if (got === total && completed < 0n) completed = net.sched.now;
    }
    if (srv.readable().eof && srv.state === 'CLOSE_WAIT') srv.close();
  };
  net.client.connect();
  net.sched.runWhile(() => !(net.client.state === 'CLOSED' && net.server?.state === 'CLOSED'), 600n * SEC);
  return { completed, received: concat(chunks), net };
}

describe('tcp: sequence numbers', () => {
  it('compares across the 32-bit wrap', () => {
    expect(seqAdd(0xffffffff, 1)).to.equal(0);
    expect(seqAdd(5, -10)).to.equal(0xfffffffb);
    expect(seqDiff(3, 0xfffffffe)).to.equal(5);
    expect(seqDiff(0xfffffffe, 3)).to.equal(-5);
    expect(seqLt(0xfffffff0, 0x10)).to.equal(true);
    expect(seqGt(0x10, 0xfffffff0)).to.equal(true);
    expect(seqLe(7, 7) && seqGe(7, 7)).to.equal(true);
    expect(seqMax(0xfffffff0, 0x10)).to.equal(0x10);
    expect(seqMin(0xfffffff0, 0x10)).to.equal(0xfffffff0);
  });
});

describe('tcp: resetFor and options', () => {
  const base = { srcPort: 1234, dstPort: 80, window: 100, payload: new Uint8Array(0) };
  it('answers a SYN with RST+ACK acknowledging it', () => {
    const rst = resetFor({ ...base, seq: 0xffffffff, ack: 0, flags: { syn: true } })!;
    expect(rst).to.include({ srcPort: 80, dstPort: 1234, seq: 0, ack: 0, window: 0 });
    expect(rst.flags).to.deep.equal({ rst: true, ack: true });
  });
  it('answers data without ACK with ack = seq + len (+FIN)', () => {
    const rst = resetFor({ ...base, seq: 100, ack: 0, flags: { fin: true }, payload: new Uint8Array(10) })!;
    expect(rst.ack).to.equal(111);
  });
  it('answers a segment with ACK with seq = its ack, and never a RST', () => {
    const rst = resetFor({ ...base, seq: 100, ack: 5000, flags: { ack: true } })!;
    expect(rst).to.include({ seq: 5000 });
    expect(rst.flags).to.deep.equal({ rst: true });
    expect(resetFor({ ...base, seq: 1, ack: 2, flags: { rst: true, ack: true } })).to.equal(null);
  });
  it('chooses the smallest window scale that fits the buffer', () => {
    expect(windowScaleFor(65535)).to.equal(0);
    expect(windowScaleFor(65536)).to.equal(1);
    expect(windowScaleFor(1 << 20)).to.equal(5);
    expect(windowScaleFor(6 * (1 << 20))).to.equal(7);
    expect(windowScaleFor(2 ** 40)).to.equal(14);
  });
});

describe('tcp: congestion control', () => {
  it('has reno and cubic by name', () => {
    expect(Object.keys(CONGESTION)).to.include.members(['reno', 'cubic']);
    expect(CONGESTION.reno!(1000).name).to.equal('reno');
    expect(CONGESTION.cubic!(1000).name).to.equal('cubic');
  });
  it('reno: IW10, slow start, +1 MSS per window, halving, 1 MSS after a timeout', () => {
    const cc = reno(1000);
    expect(cc.cwnd).to.equal(10_000);
    cc.onAck(10_000, 100n * MS, 0n);
    expect(cc.cwnd).to.equal(20_000);
    cc.onFastRetransmit(0n);
    expect(cc.ssthresh).to.equal(10_000);
    expect(cc.cwnd).to.equal(10_000);
    cc.onAck(5_000, null, 0n);
    expect(cc.cwnd).to.equal(10_000);
    cc.onAck(5_000, null, 0n);
    expect(cc.cwnd).to.equal(11_000);
    cc.onTimeout(0n);
    expect(cc.ssthresh).to.equal(5_500);
    expect(cc.cwnd).to.equal(1_000);
  });
  it('cubic: beta 0.7, concave regrowth towards W_max, deterministic', () => {
    const run = () => {
      const cc = cubic(1000);
      cc.onAck(90_000, 100n * MS, 0n); // slow start to 100 segments
      expect(cc.cwnd).to.equal(100_000);
      cc.onFastRetransmit(0n);
      expect(cc.cwnd).to.equal(70_000);
      const curve: number[] = [];
      let t = 0n;
      for (let rtt = 0; rtt < 40; rtt++) {
        t += 100n * MS;
        const window = cc.cwnd;
        for (let acked = 0; acked < window; acked += 1000) cc.onAck(1000, 100n * MS, t);
        curve.push(cc.cwnd);
      }
      return curve;
    };
    const curve = run();
    expect(curve).to.deep.equal(run());
    // K = cbrt(100 * 0.3 / 0.4) ≈ 4.2 s: back near W_max around 42 RTTs, past 80% of the way by 3 s.
    expect(curve[29]!).to.be.greaterThan(90_000);
    expect(curve[29]!).to.be.lessThan(100_000);
    for (let i = 1; i < curve.length; i++) expect(curve[i]!).to.be.at.least(curve[i - 1]!);
    // Reno would have grown by 1 MSS per RTT from 50 000.
    expect(curve[9]!).to.be.greaterThan(50_000 + 10 * 1000);
  });
});

describe('tcp: handshake', () => {
  it('establishes the client at RTT and the server at 1.5 RTT, with MSS and window scale options', () => {
    const net = new Net(50n * MS, {}, { mss: 1400, receiveBuffer: 6 << 20 });
    net.client.connect();
    expect(net.client.state).to.equal('SYN_SENT');
    const syn = net.log[0]!.seg;
    expect(syn.flags).to.deep.equal({ syn: true });
    expect(syn).to.include({ seq: 0xfffff000, mss: 1460, windowScale: 5, window: 65504 }); // 65535 rounded to the scale unit
    net.sched.runUntil(50n * MS);
    expect(net.srv.state).to.equal('SYN_RECEIVED');
    const synAck = net.log[1]!.seg;
    expect(synAck.flags).to.deep.equal({ syn: true, ack: true });
    expect(synAck).to.include({ seq: 12345, ack: 0xfffff001, mss: 1400, windowScale: 7 });
    net.sched.runUntil(100n * MS - 1n);
    expect(net.client.state).to.equal('SYN_SENT');
    net.sched.runUntil(100n * MS);
    expect(net.client.state).to.equal('ESTABLISHED');
    expect(net.changes.client).to.be.greaterThan(0);
    const serverChangesBefore = net.changes.server;
    net.sched.runUntil(150n * MS - 1n);
    expect(net.srv.state).to.equal('SYN_RECEIVED');
    net.sched.runUntil(150n * MS);
    expect(net.srv.state).to.equal('ESTABLISHED');
    expect(net.changes.server).to.be.greaterThan(serverChangesBefore);
    // Both sides took an RTT sample from the handshake; MSS is the smaller one.
    expect(net.client.info()).to.include({ srtt: 100n * MS, rto: 300n * MS, sendMss: 1400, sendWindowScale: 7, receiveWindowScale: 5 });
    expect(net.srv.info()).to.include({ srtt: 100n * MS, sendMss: 1400, sendWindowScale: 5 });
  });

  it('ECONNREFUSED when the port answers RST', () => {
    const net = new Net(50n * MS);
    net.listening = false;
    net.client.connect();
    net.sched.runUntil(100n * MS);
    expect(net.client.state).to.equal('CLOSED');
    expect(net.client.error).to.equal('ECONNREFUSED');
    expect(net.client.takeError()).to.equal('ECONNREFUSED');
    expect(net.client.error).to.equal(null);
    net.sched.runUntil(200n * SEC);
    expect(net.sent('client').length).to.equal(1); // no SYN retransmission after the RST
  });

  it('ETIMEDOUT after 6 SYN retransmissions with exponential backoff (127 s)', () => {
    const net = new Net(50n * MS);
    net.drop = () => true;
    net.client.connect();
    net.sched.runUntil(127n * SEC - 1n);
    expect(net.client.state).to.equal('SYN_SENT');
    net.sched.runUntil(127n * SEC);
    expect(net.client.state).to.equal('CLOSED');
    expect(net.client.error).to.equal('ETIMEDOUT');
    expect(net.sent('client').map((s) => s.t / SEC)).to.deep.equal([0n, 1n, 3n, 7n, 15n, 31n, 63n]);
  });

  it('retransmits a lost SYN-ACK (and does not sample its RTT: Karn)', () => {
    const net = new Net(50n * MS);
    let dropped = false;
    net.drop = (s) => {
      if (s.from === 'server' && s.seg.flags.syn && !dropped) return (dropped = true);
      return false;
    };
    net.client.connect();
    net.sched.runUntil(2n * SEC);
    // SYN at 0 arrives at 50 ms; SYN-ACK lost; server retransmits after 1 s; client at 1.1 s.
    expect(net.client.state).to.equal('ESTABLISHED');
    expect(net.srv.state).to.equal('ESTABLISHED');
    // At 1.05 s the server both answers the retransmitted SYN and its own RTO fires.
    expect(net.sent('server', (s) => !!s.seg.flags.syn).map((s) => s.t)).to.deep.equal([50n * MS, 1050n * MS, 1050n * MS]);
    expect(net.client.state).to.equal('ESTABLISHED');
    expect(net.srv.info().srtt).to.equal(null);
    expect(net.client.info().srtt).to.equal(null);
    expect(net.client.info().rto).to.equal(TCP_TIMING.initialRto);
  });
});

describe('tcp: passive open details', () => {
  /** A lone server connection made from a hand-written SYN; records what it emits. */
  function lone(syn: Partial<TcpSegment>) {
    const sched = new Scheduler();
    const out: { t: bigint; seg: TcpSegment }[] = [];
    let changes = 0;
    const env: TcpEnvironment = {
      now: () => sched.now,
      schedule: (at, cb) => sched.schedule(at, cb),
      emit: (seg) => out.push({ t: sched.now, seg }),
      changed: () => void changes++,
      initialSequence: () => 777,
    };
    const segment: TcpSegment = { srcPort: 5555, dstPort: 80, seq: 1000, ack: 0, flags: { syn: true }, window: 20000, payload: new Uint8Array(0), ...syn };
    const conn = TcpConnection.fromSyn(segment, options(80, 5555), env);
    return { sched, out, conn, changes: () => changes };
  }

  it('SYN-ACK retransmitted 5 times, then the embryonic connection is dropped (63 s)', () => {
    const { sched, out, conn, changes } = lone({ mss: 1460, windowScale: 7 });
    expect(conn.state).to.equal('SYN_RECEIVED');
    sched.runUntil(200n * SEC);
    expect(out.map((o) => o.t / SEC)).to.deep.equal([0n, 1n, 3n, 7n, 15n, 31n]);
    expect(out.every((o) => o.seg.flags.syn && o.seg.flags.ack && o.seg.ack === 1001 && o.seg.seq === 777)).to.equal(true);
    expect(conn.state).to.equal('CLOSED');
    expect(conn.error).to.equal('ETIMEDOUT');
    expect(changes()).to.equal(1);
  });

  it('without the peer offering window scaling, neither side scales; default peer MSS 536', () => {
    const { out, conn } = lone({});
    expect(out[0]!.seg.windowScale).to.equal(undefined);
    expect(out[0]!.seg.mss).to.equal(1460);
    conn.receive({ srcPort: 5555, dstPort: 80, seq: 1001, ack: 778, flags: { ack: true }, window: 20000, payload: new Uint8Array(0) });
    expect(conn.state).to.equal('ESTABLISHED');
    expect(conn.info()).to.include({ sendMss: 536, sendWindow: 20000, sendWindowScale: 0, receiveWindowScale: 0 });
    conn.write(new Uint8Array(3000));
    const data = out.filter((o) => o.seg.payload.length > 0);
    // Five full segments; the 320-byte runt waits for an ACK (Nagle).
    expect(data.map((o) => o.seg.payload.length)).to.deep.equal([536, 536, 536, 536, 536]);
    expect(data.every((o) => o.seg.window === 65535)).to.equal(true); // 1 MiB buffer, unscaled
  });

  it('a wrong ACK in SYN_RECEIVED gets a RST, a RST drops the connection quietly', () => {
    const { out, conn } = lone({});
    conn.receive({ srcPort: 5555, dstPort: 80, seq: 1001, ack: 9999, flags: { ack: true }, window: 1, payload: new Uint8Array(0) });
    expect(out.at(-1)!.seg).to.include({ seq: 9999 });
    expect(out.at(-1)!.seg.flags).to.deep.equal({ rst: true });
    expect(conn.state).to.equal('SYN_RECEIVED');
    conn.receive({ srcPort: 5555, dstPort: 80, seq: 1001, ack: 0, flags: { rst: true }, window: 0, payload: new Uint8Array(0) });
    expect(conn.state).to.equal('CLOSED');
    expect(conn.error).to.equal(null);
  });

  it('simultaneous open: both SYN_SENT, then both ESTABLISHED at RTT', () => {
    const net = new Net(50n * MS);
    net.listening = false;
    net.server = new TcpConnection(options(SERVER_PORT, CLIENT_PORT), net.env('server'));
    net.client.connect();
    net.srv.connect();
    net.sched.runUntil(50n * MS);
    expect(net.client.state).to.equal('SYN_RECEIVED');
    expect(net.srv.state).to.equal('SYN_RECEIVED');
    net.sched.runUntil(100n * MS);
    expect(net.client.state).to.equal('ESTABLISHED');
    expect(net.srv.state).to.equal('ESTABLISHED');
    net.client.write(new TextEncoder().encode('hi'));
    net.sched.runUntil(1n * SEC);
    expect(new TextDecoder().decode(net.srv.read(10))).to.equal('hi');
  });
});

describe('tcp: data transfer', function () {
  this.timeout(120_000);
  const MiB = 1 << 20;
  const results: Record<string, bigint> = {};

  after(() => {
    const fmt = (ns: bigint | undefined) => (ns === undefined ? '?' : `${(Number(ns) / 1e9).toFixed(3)} s`);
    console.log(
      `      1 MiB over RTT 100 ms: reno ${fmt(results['reno'])}, cubic ${fmt(results['cubic'])}; ` +
        `dropping every 50th data segment: reno ${fmt(results['reno/loss'])}, cubic ${fmt(results['cubic/loss'])}`,
    );
  });

  for (const algorithm of ['reno', 'cubic']) {
    it(`${algorithm}: 1 MiB byte for byte, across the sequence wrap, then FIN both ways`, () => {
      const { completed, received, net } = transfer(algorithm, MiB, null);
      expect(received.length).to.equal(MiB);
      expect(Buffer.from(received).equals(Buffer.from(pattern(MiB, 7)))).to.equal(true);
      expect(completed > 0n).to.equal(true);
      results[algorithm] = completed;
      expect(net.client.info()).to.include({ retransmits: 0, congestion: algorithm });
      // No segment larger than the MSS, none beyond the advertised window.
      expect(Math.max(...net.log.map((s) => s.seg.payload.length))).to.equal(1460);
      expect(net.client.state).to.equal('CLOSED');
      expect(net.srv.state).to.equal('CLOSED');
    });

    it(`${algorithm}: 1 MiB byte for byte dropping every 50th data segment`, () => {
      const { completed, received, net } = transfer(algorithm, MiB, 50);
      expect(Buffer.from(received).equals(Buffer.from(pattern(MiB, 7)))).to.equal(true);
      results[`${algorithm}/loss`] = completed;
      const info = net.client.info();
      expect(info.fastRetransmits).to.be.greaterThan(5);
      expect(net.log.filter((s) => s.dropped).length).to.be.greaterThan(10);
    });
  }

  it('writes of every size (small ones share a block), reads and peeks of every size, with loss: byte for byte', () => {
    const total = 600_000;
    const net = new Net(20n * MS, {}, {});
    net.drop = (s) => s.from === 'client' && s.dataIndex !== null && (s.dataIndex + 1) % 13 === 0;
    const data = pattern(total, 3);
    const writes = [1, 511, 512, 513, 100, 1460, 1461, 5000, 70_000, 3, 200, 16_384, 16_385];
    const reads = [1, 700, 4096, 100_000, 1459, 3];
    let written = 0;
    let w = 0;
    let pumping = false; // a write (and a read) can report a change to the same callback
    net.onChanged.client = () => {
      if (pumping) return;
      pumping = true;
      while (written < total && net.client.writable() > 0) {
        const size = writes[w++ % writes.length]!;
        // A copy per write: the connection keeps what it is given.
        const n = net.client.write(data.slice(written, Math.min(total, written + size)));
        written += n;
        if (n === 0) break;
      }
      if (written === total && net.client.state === 'ESTABLISHED') net.client.close();
      pumping = false;
    };
    const chunks: Uint8Array[] = [];
    let r = 0;
    let reading = false;
    net.onChanged.server = () => {
      if (reading) return;
      reading = true;
      for (;;) {
        const size = reads[r++ % reads.length]!;
        const peeked = Buffer.from(net.srv.read(size, true));
        const chunk = net.srv.read(size);
        expect(Buffer.from(chunk).equals(peeked), 'a peek gives what the read then takes').to.equal(true);
        if (chunk.length === 0) break;
        chunks.push(chunk);
      }
      if (net.srv.readable().eof && net.srv.state === 'CLOSE_WAIT') net.srv.close();
      reading = false;
    };
    net.client.connect();
    net.sched.runWhile(() => !(net.client.state === 'CLOSED' && net.server?.state === 'CLOSED'), 600n * SEC);
    expect(net.log.filter((s) => s.dropped).length).to.be.greaterThan(10);
    const received = concat(chunks);
    expect(received.length).to.equal(total);
    expect(Buffer.from(received).equals(Buffer.from(data))).to.equal(true);
  });

  it('reno and cubic give different, deterministic completion times on the lossy path', () => {
    const reno1 = transfer('reno', MiB, 50).completed;
    const cubic1 = transfer('cubic', MiB, 50).completed;
    expect(reno1).to.equal(results['reno/loss']);
    expect(cubic1).to.equal(results['cubic/loss']);
    expect(cubic1).to.not.equal(reno1);
    // CUBIC backs off less (0.7) and regrows faster than Reno (0.5, +1 MSS/RTT).
    expect(cubic1 < reno1).to.equal(true);
  });

  it('recovers with RTOs when retransmissions are lost too', () => {
    // Drop data segments 30..34 (a burst: fast recovery alone cannot repair it).
    const net = new Net(20n * MS);
    net.drop = (s) => s.from === 'client' && s.dataIndex !== null && s.dataIndex >= 30 && s.dataIndex < 36;
    net.establish();
    const data = pattern(200_000, 3);
    let written = 0;
    let pumping = false;
    const pump = () => {
      // write() may call env.changed() (hence this function) before it returns.
      if (pumping) return;
      pumping = true;
      while (written < data.length) {
        const n = net.client.write(data.subarray(written));
        if (n === 0) break;
        written += n;
      }
      pumping = false;
    };
    net.onChanged.client = pump;
    const chunks: Uint8Array[] = [];
    net.onChanged.server = () => {
      for (let c = net.srv.read(1 << 20); c.length > 0; c = net.srv.read(1 << 20)) chunks.push(c);
    };
    pump();
    net.sched.runUntil(60n * SEC);
    expect(concat(chunks).length).to.equal(data.length);
    expect(Buffer.from(concat(chunks)).equals(Buffer.from(data))).to.equal(true);
  });
});

describe('tcp: Nagle and delayed ACKs', () => {
  function established(noDelay: boolean): Net {
    const net = new Net(50n * MS, { noDelay });
    net.establish();
    net.sched.runUntil(1n * SEC);
    return net;
  }

  it('Nagle holds a small segment while data is unacknowledged (until the delayed ACK)', () => {
    const net = established(false);
    const t0 = net.sched.now;
    expect(net.client.write(new Uint8Array([1]))).to.equal(1);
    expect(net.client.write(new Uint8Array([2]))).to.equal(1);
    expect(net.client.write(new Uint8Array([3]))).to.equal(1);
    net.sched.runUntil(t0 + 2n * SEC);
    const data = net.sent('client', (s) => s.seg.payload.length > 0);
    // First byte at once; the rest waits for the ACK, delayed 40 ms by the server: RTT + 40 ms.
    expect(data.map((s) => s.t - t0)).to.deep.equal([0n, 140n * MS]);
    expect(data.map((s) => s.seg.payload.length)).to.deep.equal([1, 2]);
    expect(Array.from(net.srv.read(10))).to.deep.equal([1, 2, 3]);
  });

  it('TCP_NODELAY sends every write at once', () => {
    const net = established(true);
    const t0 = net.sched.now;
    for (const b of [1, 2, 3]) net.client.write(new Uint8Array([b]));
    net.sched.runUntil(t0 + 2n * SEC);
    const data = net.sent('client', (s) => s.seg.payload.length > 0);
    expect(data.map((s) => s.t - t0)).to.deep.equal([0n, 0n, 0n]);
    expect(Array.from(net.srv.read(10))).to.deep.equal([1, 2, 3]);
  });

  it('a full-sized write is never held by Nagle', () => {
    const net = established(false);
    const t0 = net.sched.now;
    net.client.write(new Uint8Array(100));
    net.client.write(new Uint8Array(1460 * 2));
    net.sched.runUntil(t0 + 1n * SEC);
    const data = net.sent('client', (s) => s.seg.payload.length > 0);
    expect(data.map((s) => [s.t - t0, s.seg.payload.length])).to.deep.equal([
      [0n, 100],
      [0n, 1460],
      [0n, 1460],
    ]);
  });

  it('delays the ACK of a single segment by 40 ms, ACKs every second full segment at once', () => {
    const net = established(true);
    let t0 = net.sched.now;
    net.client.write(new Uint8Array(500));
    net.sched.runUntil(t0 + 1n * SEC);
    let acks = net.sent('server', (s) => s.t > t0);
    expect(acks.map((s) => s.t - t0)).to.deep.equal([90n * MS]);
    expect(acks[0]!.seg.ack).to.equal(seqAdd(0xfffff001, 500));

    t0 = net.sched.now;
    net.client.write(new Uint8Array(2 * 1460));
    net.sched.runUntil(t0 + 1n * SEC);
    acks = net.sent('server', (s) => s.t > t0);
    expect(acks.map((s) => s.t - t0)).to.deep.equal([50n * MS]);

    t0 = net.sched.now;
    net.client.write(new Uint8Array(3 * 1460));
    net.sched.runUntil(t0 + 1n * SEC);
    acks = net.sent('server', (s) => s.t > t0);
    // Two segments ACKed at once; the third after the delayed-ACK timer.
    expect(acks.map((s) => s.t - t0)).to.deep.equal([50n * MS, 90n * MS]);
  });

  it('ACKs out-of-order data at once (duplicate ACK) and reassembles in order', () => {
    const net = new Net(50n * MS, { noDelay: true });
    net.establish();
    net.sched.runUntil(1n * SEC);
    const t0 = net.sched.now;
    net.drop = (s) => s.from === 'client' && s.dataIndex === 0;
    const data = pattern(4 * 1460, 9);
    net.client.write(data);
    net.sched.runUntil(t0 + 55n * MS);
    const acks = net.sent('server', (s) => s.t > t0);
    // Three duplicate ACKs at the arrival of segments 2-4: the sender fast-retransmits.
    expect(acks.map((s) => [s.t - t0, s.seg.ack])).to.deep.equal([
      [50n * MS, 0xfffff001],
      [50n * MS, 0xfffff001],
      [50n * MS, 0xfffff001],
    ]);
    expect(net.srv.readable().bytes).to.equal(0);
    net.sched.runUntil(t0 + 1n * SEC);
    expect(net.client.info().fastRetransmits).to.equal(1);
    expect(Buffer.from(net.srv.read(1 << 20)).equals(Buffer.from(data))).to.equal(true);
  });
});

describe('tcp: close', () => {
  it('client closes first: FIN_WAIT_1/2, CLOSE_WAIT, LAST_ACK, TIME_WAIT for 60 s', () => {
    const net = new Net(50n * MS);
    net.establish();
    net.sched.runUntil(1n * SEC);
    net.client.close();
    expect(net.client.state).to.equal('FIN_WAIT_1');
    net.sched.runUntil(1050n * MS);
    expect(net.srv.state).to.equal('CLOSE_WAIT');
    expect(net.srv.readable()).to.deep.equal({ bytes: 0, eof: true });
    net.sched.runUntil(1100n * MS);
    expect(net.client.state).to.equal('FIN_WAIT_2');
    net.srv.close();
    expect(net.srv.state).to.equal('LAST_ACK');
    net.sched.runUntil(1150n * MS);
    expect(net.client.state).to.equal('TIME_WAIT');
    expect(net.client.readable().eof).to.equal(true);
    net.sched.runUntil(1200n * MS);
    expect(net.srv.state).to.equal('CLOSED');
    expect(net.srv.error).to.equal(null);
    net.sched.runUntil(61150n * MS - 1n);
    expect(net.client.state).to.equal('TIME_WAIT');
    net.sched.runUntil(61150n * MS);
    expect(net.client.state).to.equal('CLOSED');
    expect(net.client.error).to.equal(null);
  });

  it('server closes first after sending data; the client reads it, then EOF', () => {
    const net = new Net(50n * MS);
    net.establish();
    net.srv.write(new TextEncoder().encode('bye'));
    net.srv.close();
    expect(net.srv.state).to.equal('FIN_WAIT_1');
    net.sched.runUntil(1n * SEC);
    expect(net.client.state).to.equal('CLOSE_WAIT');
    expect(net.client.readable()).to.deep.equal({ bytes: 3, eof: true });
    expect(new TextDecoder().decode(net.client.read(100))).to.equal('bye');
    expect(net.srv.state).to.equal('FIN_WAIT_2');
    // Half-close: the client can still send.
    net.client.write(new Uint8Array(10));
    net.sched.runUntil(2n * SEC);
    expect(net.srv.state).to.equal('CLOSED'); // data to a closed socket: RST (Linux)
    expect(net.client.state).to.equal('CLOSED');
    expect(net.client.error).to.equal('ECONNRESET');
  });

  it('shutdownWrite lets the peer answer, then TIME_WAIT on the side that closed first', () => {
    const net = new Net(50n * MS);
    net.establish();
    net.sched.runUntil(1n * SEC);
    net.srv.shutdownWrite();
    net.sched.runUntil(2n * SEC);
    expect(net.srv.state).to.equal('FIN_WAIT_2');
    expect(net.client.readable().eof).to.equal(true);
    net.client.write(new TextEncoder().encode('reply'));
    net.client.close();
    expect(net.client.state).to.equal('LAST_ACK');
    net.sched.runUntil(3n * SEC);
    expect(new TextDecoder().decode(net.srv.read(100))).to.equal('reply');
    expect(net.srv.state).to.equal('TIME_WAIT');
    expect(net.client.state).to.equal('CLOSED');
    net.sched.runUntil(63n * SEC);
    expect(net.srv.state).to.equal('CLOSED');
  });

  it('simultaneous close: CLOSING then TIME_WAIT on both sides', () => {
    const net = new Net(50n * MS);
    net.establish();
    net.sched.runUntil(1n * SEC);
    net.client.close();
    net.srv.close();
    net.sched.runUntil(1050n * MS);
    expect(net.client.state).to.equal('CLOSING');
    expect(net.srv.state).to.equal('CLOSING');
    net.sched.runUntil(1100n * MS);
    expect(net.client.state).to.equal('TIME_WAIT');
    expect(net.srv.state).to.equal('TIME_WAIT');
    net.sched.runUntil(61100n * MS);
    expect(net.client.state).to.equal('CLOSED');
    expect(net.srv.state).to.equal('CLOSED');
  });

  it('retransmits a lost FIN', () => {
    const net = new Net(50n * MS);
    net.establish();
    net.sched.runUntil(1n * SEC);
    let lost = false;
    net.drop = (s) => (s.from === 'client' && !!s.seg.flags.fin && !lost ? (lost = true) : false);
    net.client.close();
    net.sched.runUntil(1100n * MS);
    expect(net.client.state).to.equal('FIN_WAIT_1');
    net.sched.runUntil(2n * SEC);
    expect(net.client.state).to.equal('FIN_WAIT_2');
    const fins = net.sent('client', (s) => !!s.seg.flags.fin).map((s) => s.t);
    expect(fins).to.deep.equal([1n * SEC, 1300n * MS]); // RTO 300 ms from the handshake sample
  });

  it('close() with unread data sends RST; the peer gets ECONNRESET, then EPIPE on write', () => {
    const net = new Net(50n * MS);
    net.establish();
    net.client.write(new Uint8Array(100));
    net.sched.runUntil(1n * SEC);
    expect(net.srv.readable().bytes).to.equal(100);
    net.srv.close();
    expect(net.srv.state).to.equal('CLOSED');
    const rst = net.sent('server').at(-1)!.seg;
    expect(rst.flags.rst).to.equal(true);
    net.sched.runUntil(2n * SEC);
    expect(net.client.state).to.equal('CLOSED');
    expect(net.client.error).to.equal('ECONNRESET');
    expect(net.client.readable().eof).to.equal(true);
    expect(net.client.write(new Uint8Array(1))).to.equal(0);
    expect(net.client.takeError()).to.equal('ECONNRESET');
    expect(net.client.write(new Uint8Array(1))).to.equal(0);
    expect(net.client.error).to.equal('EPIPE');
  });

  it('abort() sends RST; segments to a closed connection get RST', () => {
    const net = new Net(50n * MS);
    net.establish();
    net.client.abort();
    expect(net.client.state).to.equal('CLOSED');
    net.sched.runUntil(1n * SEC);
    expect(net.srv.state).to.equal('CLOSED');
    expect(net.srv.error).to.equal('ECONNRESET');
    // The server's stale segment (as if sent before the reset) gets a RST from the closed client.
    const before = net.sent('client').length;
    net.client.receive({ srcPort: 80, dstPort: 40000, seq: 1, ack: 2, flags: { ack: true }, window: 1, payload: new Uint8Array(1) });
    const reply = net.sent('client').slice(before);
    expect(reply.map((s) => [s.seg.seq, s.seg.flags])).to.deep.equal([[2, { rst: true }]]);
  });
});

describe('tcp: flow control and retransmission timer', () => {
  it('zero window: persist probes with backoff, window update on read, probe after a lost update', () => {
    // A buffer of 16384 bytes advertises 8192 (half: the kernel's memory per byte held).
    const net = new Net(50n * MS, {}, { receiveBuffer: 16384 });
    net.establish();
    net.sched.runUntil(1n * SEC);
    const data = pattern(20_000, 5);
    let written = net.client.write(data);
    expect(written).to.equal(20_000);
    net.sched.runUntil(2n * SEC);
    expect(net.srv.readable().bytes).to.equal(8192);
    expect(net.client.info().sendWindow).to.equal(0);
    const probesAt = () => net.sent('client', (s) => s.seg.payload.length === 0 && !s.seg.flags.fin && s.t > 1n * SEC).map((s) => s.t);
    // The last ACK (window 0) arrives at 1.28 s (the 892-byte runt waited for window, then its
    // ACK was delayed 40 ms); probes follow after RTO, 2 RTO, 4 RTO...
    net.sched.runUntil(5n * SEC);
    const zeroAck = net.sent('server', (s) => s.seg.window === 0 && !s.seg.flags.syn)[0]!.t + 50n * MS;
    expect(zeroAck).to.equal(1280n * MS);
    const r = net.client.info().rto;
    expect(probesAt().slice(0, 3)).to.deep.equal([zeroAck + r, zeroAck + 3n * r, zeroAck + 7n * r]);
    expect(probesAt().every((t) => net.sent('server', (s) => s.t === t + 50n * MS && s.seg.window === 0).length === 1)).to.equal(true);
    // The server reads; its window update is lost; the next probe gets the open window.
    net.drop = (s) => s.from === 'server' && s.seg.window > 0 && s.t === net.sched.now;
    const t0 = net.sched.now;
    const first = net.srv.read(1 << 20);
    expect(net.sent('server').at(-1)!.t).to.equal(t0); // window update sent at once...
    expect(net.sent('server').at(-1)!.dropped).to.equal(true); // ...and lost
    net.drop = () => false;
    const chunks = [first];
    net.onChanged.server = () => {
      for (let c = net.srv.read(1 << 20); c.length > 0; c = net.srv.read(1 << 20)) chunks.push(c);
    };
    net.sched.runUntil(20n * SEC);
    expect(Buffer.from(concat(chunks)).equals(Buffer.from(data))).to.equal(true);
    // Resumed after the next probe (RTT after it), not at the read.
    const resumed = net.sent('client', (s) => s.seg.payload.length > 0 && s.t > t0)[0]!.t;
    expect(resumed).to.equal(zeroAck + 15n * r + 100n * MS);
  });

  it('keepalive: a probe after the idle time, answered, then every idle time; unanswered, every interval, then RST and ETIMEDOUT', () => {
    const net = new Net(50n * MS);
    net.establish();
    const established = net.sched.now;
    net.client.setKeepalive({ idle: 10n * SEC, interval: 2n * SEC, probes: 3 });
    net.sched.runUntil(established + 35n * SEC);
    // Each probe (an ACK of snd_una - 1) is answered by the peer: the next comes an idle time later.
    const answered = net.sent('client', (s) => s.seg.payload.length === 0 && !s.seg.flags.rst && s.t > established).map((s) => s.t - established);
    expect(answered).to.deep.equal([10n * SEC, 20n * SEC + 100n * MS, 30n * SEC + 200n * MS]);
    expect(net.client.state).to.equal('ESTABLISHED');
    // The peer goes silent: three probes an interval apart, then a RST and ETIMEDOUT.
    net.drop = (s) => s.from === 'server';
    const silentFrom = net.sched.now;
    net.sched.runUntil(silentFrom + 60n * SEC);
    const late = net.sent('client', (s) => s.t > silentFrom).map((s) => ({ t: s.t - silentFrom, rst: s.seg.flags.rst === true }));
    const lastAnswer = 30n * SEC + 200n * MS + 100n * MS - (silentFrom - established);
    expect(late.map((x) => x.rst)).to.deep.equal([false, false, false, true]);
    expect(late[0]!.t).to.equal(lastAnswer + 10n * SEC);
    expect(late.slice(1).map((x) => x.t - late[0]!.t)).to.deep.equal([2n * SEC, 4n * SEC, 6n * SEC]);
    expect(net.client.state).to.equal('CLOSED');
    expect(net.client.error).to.equal('ETIMEDOUT');
  });

  it('keepalive: turned off before the idle time, no probe is sent', () => {
    const net = new Net(50n * MS);
    net.establish();
    const t0 = net.sched.now;
    net.client.setKeepalive({ idle: 5n * SEC, interval: 1n * SEC, probes: 2 });
    net.sched.runUntil(t0 + 4n * SEC);
    net.client.setKeepalive(null);
    net.sched.runUntil(t0 + 30n * SEC);
    expect(net.sent('client', (s) => s.t > t0)).to.deep.equal([]);
    expect(net.client.state).to.equal('ESTABLISHED');
  });

  it('RTO doubles on each expiry and ETIMEDOUT after 15 retransmissions', () => {
    const net = new Net(50n * MS);
    net.establish();
    net.sched.runUntil(1n * SEC);
    net.drop = (s) => s.from === 'client';
    net.client.write(new Uint8Array(1000));
    net.sched.runUntil(3000n * SEC);
    const sends = net.sent('client', (s) => s.seg.payload.length > 0).map((s) => s.t - 1n * SEC);
    // RTO 300 ms after the handshake sample, doubling up to 120 s.
    const expected = [0n];
    let rto = 300n * MS;
    for (let i = 0; i < 15; i++) {
      expected.push(expected.at(-1)! + rto);
      rto = rto * 2n > 120n * SEC ? 120n * SEC : rto * 2n;
    }
    expect(sends).to.deep.equal(expected);
    expect(net.client.state).to.equal('CLOSED');
    expect(net.client.error).to.equal('ETIMEDOUT');
    expect(net.client.info().timeouts).to.equal(16 - 1);
    expect(TCP_TIMING.dataRetries).to.equal(15);
  });

  it("autotuning: buffers start at tcp_wmem/tcp_rmem's defaults and grow with the transfer, up to the maxima", () => {
    const tuned = { sendBuffer: 16384, receiveBuffer: 131072, sendBufferMax: 4194304, receiveBufferMax: 6291456 };
    const fixed = { sendBuffer: 16384 * 2, receiveBuffer: 131072, sendBufferMax: null, receiveBufferMax: null };
    const sizes: { send: number; receive: number }[] = [];
    const probe = new Net(50n * MS, tuned, tuned);
    probe.establish();
    // tcp_sndbuf_expand at establishment: 2 x 10 segments x 4352 bytes; the window scale fits the maximum.
    expect(probe.client.bufferSizes()).to.deep.equal({ send: 87040, receive: 131072 });
    expect(probe.client.info().receiveWindowScale).to.equal(7);
    const MiB = 1 << 20;
    const grown = transfer('cubic', 8 * MiB, null, 50n * MS, tuned);
    const still = transfer('cubic', 8 * MiB, null, 50n * MS, fixed);
    sizes.push(grown.net.client.bufferSizes(), grown.net.srv.bufferSizes());
    expect(Buffer.from(grown.received).equals(Buffer.from(pattern(8 * MiB, 7)))).to.equal(true);
    expect(sizes[0]!.send).to.be.greaterThan(87040).and.at.most(4194304);
    expect(sizes[1]!.receive).to.be.greaterThan(131072).and.at.most(6291456);
    // A fixed 131072-byte buffer advertises at most 65536 bytes a round trip; the grown one more.
    expect(still.net.srv.bufferSizes().receive).to.equal(131072);
    expect(Number(grown.completed)).to.be.lessThan(Number(still.completed) / 2);
  });

  it('never sends beyond the peer window or the congestion window', () => {
    const net = new Net(50n * MS, {}, { receiveBuffer: 60_000 });
    net.establish();
    net.client.write(new Uint8Array(200_000));
    net.sched.runUntil(net.sched.now + 50n * MS);
    // The first flight is limited by min(IW10 = 14 600, window 30 000 of a 60 000-byte buffer).
    expect(net.sent('client', (s) => s.seg.payload.length > 0).length).to.equal(10);
    const chunks: Uint8Array[] = [];
    net.onChanged.server = () => {
      for (let c = net.srv.read(1 << 20); c.length > 0; c = net.srv.read(1 << 20)) chunks.push(c);
    };
    net.sched.runUntil(30n * SEC);
    expect(concat(chunks).length).to.equal(200_000);
  });
});

describe('tcp: seeded random loss, reordering and buffer sizes', function () {
  this.timeout(60_000);
  /** xorshift32 in [0, 1). */
  function rng(seed: number): () => number {
    let x = seed >>> 0 || 1;
    return () => {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      return x / 2 ** 32;
    };
  }

  for (const algorithm of ['reno', 'cubic']) {
    for (let seed = 1; seed <= 12; seed++) {
      const loss = [0, 0.01, 0.05, 0.1, 0.2, 0.3][seed % 6]!;
      it(`${algorithm} seed ${seed}: ${loss * 100}% loss both ways${seed % 3 === 0 ? ', jitter' : ''}, data both ways, clean close`, () => {
        const random = rng(seed * 7919);
        const sched = new Scheduler();
        const latency = BigInt(1 + Math.floor(random() * 80)) * MS;
        const upload = pattern(100_000 + Math.floor(random() * 300_000), seed);
        const download = pattern(5_000 + Math.floor(random() * 40_000), seed + 1);
        const opts = (local: number, remote: number): TcpOptions => ({
          ...options(local, remote),
          sendBuffer: 16_384 + Math.floor(random() * 200_000),
          receiveBuffer: 4_096 + Math.floor(random() * 300_000),
          congestion: CONGESTION[algorithm]!,
          noDelay: random() < 0.5,
        });
        let client!: TcpConnection;
        let server: TcpConnection | null = null;
        const send = (to: Side, seg: TcpSegment) => {
          if (random() < loss) return;
          const jitter = seed % 3 === 0 ? BigInt(Math.floor(random() * 20)) * MS : 0n;
          sched.schedule(sched.now + latency + jitter, () => deliver(to, seg));
        };
        const env = (me: Side, iss: number, changed: () => void): TcpEnvironment => ({
          now: () => sched.now,
          schedule: (at, cb) => sched.schedule(at, cb),
          emit: (seg) => send(me === 'client' ? 'server' : 'client', seg),
          changed,
          initialSequence: () => iss,
        });
        let written = 0;
        const gotUp: Uint8Array[] = [];
        const gotDown: Uint8Array[] = [];
        let busy = false;
        const clientApp = () => {
          if (busy) return;
          busy = true;
          while (written < upload.length) {
            const n = client.write(upload.subarray(written, written + 7000));
            if (n === 0) break;
            written += n;
          }
          if (written === upload.length && client.state === 'ESTABLISHED') client.shutdownWrite();
          for (let c = client.read(1 << 30); c.length > 0; c = client.read(1 << 30)) gotDown.push(c);
          if (client.readable().eof && client.state === 'FIN_WAIT_2') client.close();
          busy = false;
        };
        let serverBusy = false;
        let replying = false;
        let replied = 0;
        let closed = false;
        const serverApp = () => {
          if (serverBusy || server === null) return;
          serverBusy = true;
          // Sometimes the application is slow to read (the window closes).
          if (random() < 0.9) {
            for (let c = server.read(1 + Math.floor(random() * 50_000)); c.length > 0; c = server.read(1 + Math.floor(random() * 50_000))) gotUp.push(c);
          }
          if (server.readable().eof && server.readable().bytes === 0 && server.state === 'CLOSE_WAIT') replying = true;
          while (replying && replied < download.length) {
            const n = server.write(download.subarray(replied));
            if (n === 0) break;
            replied += n;
          }
          if (replying && replied === download.length && !closed) {
            closed = true;
            server.close();
          }
          serverBusy = false;
        };
        const deliver = (to: Side, seg: TcpSegment) => {
          if (to === 'client') return client.receive(seg);
          if (server !== null) return server.receive(seg);
          if (seg.flags.syn && !seg.flags.ack) {
            server = TcpConnection.fromSyn(seg, opts(SERVER_PORT, CLIENT_PORT), env('server', (seed * 0x9e3779b9) >>> 0, serverApp));
            return;
          }
          const rst = resetFor(seg);
          if (rst !== null) send('client', rst);
        };
        client = new TcpConnection(opts(CLIENT_PORT, SERVER_PORT), env('client', (0xffffffff - seed * 1000) >>> 0, clientApp));
        client.connect();
        const limit = 3000n * SEC;
        const poll = () => {
          serverApp();
          if (sched.now < limit) sched.schedule(sched.now + 500n * MS, poll);
        };
        sched.schedule(0n, poll);
        sched.runWhile(() => !(client.state === 'CLOSED' && server?.state === 'CLOSED'), limit);
        expect(client.error).to.equal(null);
        expect(Buffer.from(concat(gotUp)).equals(Buffer.from(upload))).to.equal(true);
        expect(Buffer.from(concat(gotDown)).equals(Buffer.from(download))).to.equal(true);
        expect(client.state).to.equal('CLOSED'); // after TIME_WAIT
        expect(server!.state).to.equal('CLOSED');
      });
    }
  }
});
