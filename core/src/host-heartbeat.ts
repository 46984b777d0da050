/**
 * Shadow's host heartbeat (`host_heartbeat_interval`, `host_heartbeat_log_level`,
 * `host_heartbeat_log_info`): every interval of simulated time, each host logs what it did since
 * the last beat — `[shadow-heartbeat] [node]` bytes and packets in and out per interface,
 * `[socket]` one line per open socket with its queued bytes, `[ram]` its processes' resident
 * memory — and adds the same figures as rows to `heartbeat.<kind>.csv` in its directory. A last
 * beat at the end of the run covers the rest, so the node rows add up to all the traffic.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NS_PER_SEC, SIM_START, type SimTime, type SocketUsage } from '@shadow-ts/plugin-sdk';
import type { HeartbeatInfo, HostOptions } from './config/types.js';
import type { Host } from './kernel/host.js';
import type { Kernel } from './kernel/kernel.js';
import { PINO_LEVEL, type Logger } from './log.js';
import type { Network, Traffic } from './net/network.js';
import { appendOutput, writeOutput } from './output.js';

const COLUMNS: Readonly<Record<HeartbeatInfo, string>> = {
  node: 'time_s,interval_s,eth0_recv_bytes,eth0_send_bytes,eth0_recv_packets,eth0_send_packets,lo_recv_bytes,lo_send_bytes,lo_recv_packets,lo_send_packets',
  socket: 'time_s,pid,fd,protocol,local,peer,recv_queued_bytes,send_queued_bytes',
  ram: 'time_s,processes,rss_bytes',
};
const PAGE_SIZE = 4096;

/** Seconds with nanoseconds, `12.000500000`. */
function seconds(ns: bigint): string {
  return `${ns / NS_PER_SEC}.${(ns % NS_PER_SEC).toString().padStart(9, '0')}`;
}

type Totals = { readonly eth0: Traffic; readonly lo: Traffic };
const copy = (t: Totals): Totals => ({ eth0: { ...t.eth0 }, lo: { ...t.lo } });
const delta = (now: Traffic, then: Traffic): number[] => [
  now.receivedBytes - then.receivedBytes, now.sentBytes - then.sentBytes,
  now.receivedPackets - then.receivedPackets, now.sentPackets - then.sentPackets,
];

/** One host's beats: when the next is due and the totals the last one saw. */
class HostBeat {
  private last: SimTime = SIM_START;
  private seen: Totals;
  private next: SimTime;
  private readonly log: (message: string) => void;

  constructor(
    private readonly host: Host,
    private readonly interval: bigint,
    private readonly info: readonly HeartbeatInfo[],
    private readonly network: Network,
    private readonly kernel: Kernel,
    logger: Logger,
    level: string,
  ) {
    this.next = SIM_START + interval;
    this.seen = copy(network.traffic(host));
    const child = logger.child({ host: host.name });
    const method = PINO_LEVEL[level] as 'info';
    this.log = (message) => child[method](message);
    for (const kind of info) {
      writeOutput(this.csv(kind), `${COLUMNS[kind]}\n`);
      this.log(`[shadow-heartbeat] [${kind}-header] ${COLUMNS[kind]}`);
    }
  }

  private csv(kind: HeartbeatInfo): string {
    return join(this.host.dataDir, `heartbeat.${kind}.csv`);
  }

  /** Beats if one is due by `now` (the end of a round); `final`: the last one, due or not. */
  beat(now: SimTime, final = false): void {
    if (!final && now < this.next) return;
    if (final && now <= this.last) return;
    const at = final ? now : this.next;
    const rows: Record<HeartbeatInfo, string[]> = { node: [], socket: [], ram: [] };
    const time = seconds(at - SIM_START);
    if (this.info.includes('node')) {
      const totals = this.network.traffic(this.host);
      const figures = [...delta(totals.eth0, this.seen.eth0), ...delta(totals.lo, this.seen.lo)];
      this.seen = copy(totals);
      rows.node.push([time, seconds(at - this.last), ...figures].join(','));
    }
    if (this.info.includes('socket')) {
      const sockets: SocketUsage[] = [];
      this.kernel.hooks.socketUsage.call(this.host, sockets);
      for (const s of sockets) {
        rows.socket.push([time, s.pid, s.fd, s.protocol, s.local, s.peer, s.receiveQueued, s.sendQueued].join(','));
      }
    }
    if (this.info.includes('ram')) rows.ram.push([time, this.host.live.size, this.residentBytes()].join(','));
    for (const kind of this.info) {
      if (rows[kind].length === 0) continue;
      for (const row of rows[kind]) this.log(`[shadow-heartbeat] [${kind}] ${row}`);
      appendOutput(this.csv(kind), `${rows[kind].join('\n')}\n`);
    }
    this.last = at;
    // A round longer than the interval gives one beat for all of it, at the last due time.
    while (this.next <= now) this.next += this.interval;
  }

  /** Resident memory of the host's live processes (statm's second field), 0 for those gone. */
  private residentBytes(): number {
    let total = 0;
    for (const process of this.host.live.values()) {
      try {
        total += Number(readFileSync(`/proc/${process.realPid}/statm`, 'latin1').split(' ')[1]) * PAGE_SIZE;
      } catch {
        // Ended since: nothing resident.
      }
    }
    return total;
  }
}

/** The heartbeats of every host that asked for them. */
export class HostHeartbeats {
  private readonly beats: HostBeat[];

  constructor(hosts: readonly { host: Host; options: HostOptions }[], network: Network, kernel: Kernel, log: Logger) {
    this.beats = hosts.flatMap(({ host, options }) =>
      options.heartbeatInterval === null || options.heartbeatLogInfo.length === 0
        ? []
        : [new HostBeat(host, options.heartbeatInterval, options.heartbeatLogInfo, network, kernel, log, options.heartbeatLogLevel)],
    );
  }

  /** After a round that reached `now`. */
  tick(now: SimTime): void {
    for (const beat of this.beats) beat.beat(now);
  }

  /** At the end of the run: the rest since each host's last beat. */
  finish(end: SimTime): void {
    for (const beat of this.beats) beat.beat(end, true);
  }
}
