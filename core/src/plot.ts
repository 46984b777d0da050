/**
 * `shadow plot <data-dir>`: pictures of a finished run, from the files it left in its data
 * directory — per-host throughput over time (eth0, from each host's `heartbeat.node.csv`) and
 * each TCP connection's RTT, congestion window and bytes in flight over time (from each host's
 * `tcp.csv`, written with `.shadowrc` `tcp_log: true`). Charts are Vega-Lite specs rendered by
 * Vega to SVG, and by resvg to PNG; the libraries are loaded only when this command runs.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { TopLevelSpec } from 'vega-lite';
import { ShadowError } from './kernel/errors.js';

/** One step of a host's throughput: the rate over (start, end] of simulated seconds. */
export interface ThroughputPoint {
  /** Order along its line (two points of a step share a time). */
  readonly seq: number;
  readonly host: string;
  readonly direction: 'sent' | 'received';
  readonly time: number;
  readonly mbit: number;
}

/** One sample of a TCP connection (one end's view), in plotting units. */
export interface TcpPoint {
  readonly seq: number;
  readonly connection: string;
  readonly time: number;
  /** Smoothed RTT in ms; null before the first measurement. */
  readonly rttMs: number | null;
  readonly cwndKiB: number;
  readonly inFlightKiB: number;
}

/** What `plot` wrote, and what it could not find. */
export interface PlotResult {
  readonly files: readonly string[];
  readonly notes: readonly string[];
}

export interface PlotOptions {
  /** Where the pictures go (default `<data-dir>/plots`). */
  readonly outDir?: string;
  readonly formats?: readonly ('svg' | 'png')[];
  /** Samples kept per TCP connection at most (evenly spaced; default 2000). */
  readonly maxPoints?: number;
}

/** Rows of a CSV file the simulator wrote (no quoting: its fields hold no commas), by header name. */
function readCsv(file: string): Record<string, string>[] {
  const [header, ...lines] = readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  if (header === undefined) return [];
  const names = header.split(',');
  return lines.map((line) => {
    const fields = line.split(',');
    return Object.fromEntries(names.map((n, i) => [n, fields[i] ?? '']));
  });
}

/** Each host directory's `file`, by host name, sorted. */
function hostFiles(dataDir: string, file: string): [string, string][] {
  const hosts = join(dataDir, 'hosts');
  if (!existsSync(hosts)) return [];
  return readdirSync(hosts)
    .sort()
    .map((host) => [host, join(hosts, host, file)] as [string, string])
    .filter(([, path]) => existsSync(path));
}

/**
 * Throughput steps from `heartbeat.node.csv`: each row is the bytes of one interval ending at
 * `time_s`, drawn as a flat step over it (two points) in Mbit/s.
 */
export function readThroughput(dataDir: string): ThroughputPoint[] {
  const points: ThroughputPoint[] = [];
  for (const [host, file] of hostFiles(dataDir, 'heartbeat.node.csv')) {
    for (const row of readCsv(file)) {
      const end = Number(row['time_s']);
      const interval = Number(row['interval_s']);
      if (!(interval > 0)) continue;
      for (const [direction, column] of [['sent', 'eth0_send_bytes'], ['received', 'eth0_recv_bytes']] as const) {
        const mbit = (Number(row[column]) * 8) / interval / 1e6;
        points.push({ seq: points.length, host, direction, time: end - interval, mbit });
        points.push({ seq: points.length, host, direction, time: end, mbit });
      }
    }
  }
  return points;
}

/** Evenly spaced samples of `rows`, at most `max`, the first and the last always kept. */
function thin<T>(rows: readonly T[], max: number): T[] {
  if (rows.length <= max) return [...rows];
  const step = (rows.length - 1) / (max - 1);
  return Array.from({ length: max }, (_, i) => rows[Math.round(i * step)]!);
}

/** TCP samples from `tcp.csv`, per connection as each end saw it (`host: local → remote`). */
export function readTcp(dataDir: string, maxPoints = 2000): TcpPoint[] {
  const points: TcpPoint[] = [];
  for (const [host, file] of hostFiles(dataDir, 'tcp.csv')) {
    const byConnection = new Map<string, TcpPoint[]>();
    for (const row of readCsv(file)) {
      const connection = `${host}: ${row['local']} → ${row['remote']}`;
      const srtt = row['srtt_ns'] ?? '';
      const point: TcpPoint = {
        seq: 0,
        connection,
        time: Number(row['time_s']),
        rttMs: srtt === '' ? null : Number(srtt) / 1e6,
        cwndKiB: Number(row['cwnd_bytes']) / 1024,
        inFlightKiB: Number(row['in_flight_bytes']) / 1024,
      };
      let list = byConnection.get(connection);
      if (list === undefined) byConnection.set(connection, (list = []));
      list.push(point);
    }
    for (const list of byConnection.values()) {
      for (const p of thin(list, maxPoints)) points.push({ ...p, seq: points.length });
    }
  }
  return points;
}

const WIDTH = 720;
const FONT = 'DejaVu Sans, Liberation Sans, Arial, sans-serif';
const CONFIG = { background: 'white', font: FONT, view: { stroke: null }, legend: { symbolLimit: 40, labelLimit: 360 } };
const TIME_AXIS = { field: 'time', type: 'quantitative', title: 'simulated time (s)' } as const;

/** The throughput chart: a row per direction, a line per host. */
export function throughputSpec(points: readonly ThroughputPoint[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Throughput per host (eth0)', subtitle: 'from hosts/<host>/heartbeat.node.csv, one step per heartbeat' },
    config: CONFIG,
    data: { values: points as unknown as Record<string, unknown>[] },
    facet: { row: { field: 'direction', type: 'nominal', title: null, sort: ['sent', 'received'] } },
    spec: {
      width: WIDTH,
      height: 180,
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: TIME_AXIS,
        y: { field: 'mbit', type: 'quantitative', title: 'Mbit/s' },
        color: { field: 'host', type: 'nominal', title: 'host' },
        order: { field: 'seq', type: 'quantitative' },
      },
    },
  } as TopLevelSpec;
}

/** The TCP chart: RTT, congestion window and bytes in flight, one above the other, a line per connection end. */
export function tcpSpec(points: readonly TcpPoint[]): TopLevelSpec {
  const chart = (field: keyof TcpPoint, title: string, filter?: string) => ({
    width: WIDTH,
    height: 160,
    ...(filter && { transform: [{ filter }] }),
    mark: { type: 'line', strokeWidth: 1.2, interpolate: 'step-after' },
    encoding: {
      x: TIME_AXIS,
      y: { field, type: 'quantitative', title },
      color: { field: 'connection', type: 'nominal', title: 'host: local → remote' },
      order: { field: 'seq', type: 'quantitative' },
    },
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'TCP connections', subtitle: 'from hosts/<host>/tcp.csv (.shadowrc tcp_log: true), each end as it saw the connection' },
    config: CONFIG,
    data: { values: points as unknown as Record<string, unknown>[] },
    vconcat: [
      chart('rttMs', 'smoothed RTT (ms)', 'datum.rttMs !== null'),
      chart('cwndKiB', 'congestion window (KiB)'),
      chart('inFlightKiB', 'bytes in flight (KiB)'),
    ],
  } as TopLevelSpec;
}

/** A Vega-Lite spec as SVG (Vega's headless renderer, no canvas needed). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const [vega, { compile }] = await Promise.all([import('vega'), import('vega-lite')]);
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** An SVG as PNG, at twice its size (resvg; the system's fonts). */
export async function renderPng(svg: string): Promise<Buffer> {
  const { Resvg } = await import('@resvg/resvg-js');
  const font = { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' };
  return new Resvg(svg, { fitTo: { mode: 'zoom', value: 2 }, font }).render().asPng();
}

/** Draws what `dataDir` holds; a data directory with nothing to draw is an error saying what to turn on. */
export async function plot(dataDir: string, options: PlotOptions = {}): Promise<PlotResult> {
  const dir = resolve(dataDir);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new ShadowError('PLOT_INPUT', `${dataDir}: not a directory (give the data directory of a run, e.g. shadow.data)`);
  }
  const formats = options.formats ?? ['svg', 'png'];
  const outDir = resolve(options.outDir ?? join(dir, 'plots'));
  const charts: [string, TopLevelSpec][] = [];
  const notes: string[] = [];
  const throughput = readThroughput(dir);
  if (throughput.length > 0) charts.push(['throughput', throughputSpec(throughput)]);
  else notes.push('no throughput: no host has heartbeat.node.csv (set host_option_defaults.host_heartbeat_interval, with node in host_heartbeat_log_info)');
  const tcp = readTcp(dir, options.maxPoints);
  if (tcp.length > 0) charts.push(['tcp', tcpSpec(tcp)]);
  else notes.push('no TCP connections: no host has tcp.csv (set tcp_log: true in .shadowrc)');
  if (charts.length === 0) throw new ShadowError('PLOT_INPUT', `${dataDir}: nothing to plot; ${notes.join('; ')}`);
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  for (const [name, spec] of charts) {
    const svg = await renderSvg(spec);
    if (formats.includes('svg')) {
      files.push(join(outDir, `${name}.svg`));
      writeFileSync(files[files.length - 1]!, svg);
    }
    if (formats.includes('png')) {
      files.push(join(outDir, `${name}.png`));
      writeFileSync(files[files.length - 1]!, await renderPng(svg));
    }
  }
  return { files, notes };
}
