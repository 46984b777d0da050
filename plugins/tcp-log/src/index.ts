/**
 * Each TCP connection's round-trip time, congestion window and bytes in flight over simulated
 * time, one row each time the connection takes in a segment, in `hosts/<host>/tcp.csv`: what
 * `shadow plot` draws. Switched on by `.shadowrc` `tcp_log: true`. Built on the net family's api
 * (`NetApi.hooks.tcpSegment`) and the lifecycle hooks only, as a third-party observer would be.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, NET_API, NS_PER_SEC, SIM_START, type HostView, type NetApi, type TcpSample } from '@shadow-ts/plugin-sdk';

export const PLUGIN_NAME = 'core:tcp-log';

/** The file's name in each host's directory, and its header line. */
export const TCP_LOG_FILE = 'tcp.csv';
export const TCP_LOG_COLUMNS = 'time_s,local,remote,state,srtt_ns,cwnd_bytes,in_flight_bytes';

/** Rows a host's file holds in memory before they are appended to it. */
const FLUSH_ROWS = 4096;

/** Seconds with nanoseconds, `12.000500000`, as the host heartbeat CSVs write them. */
function seconds(ns: bigint): string {
  return `${ns / NS_PER_SEC}.${(ns % NS_PER_SEC).toString().padStart(9, '0')}`;
}

/** One host's tcp.csv, created at its first sample, written in chunks. */
class HostLog {
  private rows: string[] = [];

  constructor(private readonly path: string) {
    writeFileSync(path, `${TCP_LOG_COLUMNS}\n`);
  }

  add(sample: TcpSample): void {
    const time = seconds(sample.host.now() - SIM_START);
    const srtt = sample.srtt === null ? '' : String(sample.srtt);
    this.rows.push(`${time},${sample.local},${sample.remote},${sample.state},${srtt},${sample.cwnd},${sample.inFlight}`);
    if (this.rows.length >= FLUSH_ROWS) this.flush();
  }

  flush(): void {
    if (this.rows.length === 0) return;
    appendFileSync(this.path, `${this.rows.join('\n')}\n`);
    this.rows = [];
  }
}

export default definePlugin({
  meta: {
    name: PLUGIN_NAME,
    version: '0.1.0',
    apiVersion: '^2.2.0',
    optionsSchema: { type: 'object', additionalProperties: false },
  },
  apply(kernel) {
    const net = kernel.api<NetApi>(NET_API);
    if (net === undefined) throw new Error(`the net family provides no api (${NET_API})`);
    const logs = new Map<HostView, HostLog>();
    net.hooks.tcpSegment.tap(PLUGIN_NAME, (sample) => {
      let log = logs.get(sample.host);
      if (log === undefined) {
        log = new HostLog(join(sample.host.dataDir, TCP_LOG_FILE));
        logs.set(sample.host, log);
      }
      log.add(sample);
    });
    kernel.hooks.finish.tap(PLUGIN_NAME, () => {
      for (const log of logs.values()) log.flush();
    });
  },
});
