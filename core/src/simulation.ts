import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NS_PER_MS, NS_PER_SEC, SIM_START, type SimTime, type SyscallName } from '@shadow-ts/plugin-sdk';
import { nativeAllowList } from './abi/support.js';
import { loadBackend, type Backend } from './backend/backend.js';
import { toYaml } from './config/emit.js';
import { resolvedConfig } from './config/resolved.js';
import type { HostConfig, ProcessOptions, SimulationConfig } from './config/types.js';
import { ShadowError } from './kernel/errors.js';
import { HostHeartbeats } from './host-heartbeat.js';
import { FastTime } from './kernel/fast-time.js';
import { Host } from './kernel/host.js';
import { Kernel } from './kernel/kernel.js';
import type { Strategies } from './kernel/strategies.js';
import { Process, formatFinalState, sameFinalState } from './kernel/process.js';
import { Runner } from './kernel/runner.js';
import { beginCpuSample, chooseCpu, type CpuSample } from './placement.js';
import { signalName } from './kernel/signals.js';
import { Thread } from './kernel/thread.js';
import { BUILTIN_PLUGINS, applyPlugins, builtinObservers, checkPluginOptions, loadPlugin, type LoadedPlugin } from './loader/loader.js';
import { rcSettings, type PluginSpec, type RcConfig } from './loader/rc.js';
import type { Logger } from './log.js';
import { Network, type Traffic } from './net/network.js';
import { copyTemplate, createDataDirectory, createOutputDirectory, writeOutput } from './output.js';
import { SeedSource } from './sim/random.js';
import { Scheduler } from './sim/scheduler.js';
import { formatSimTime } from './sim/time.js';

/** What a run needs besides the simulation file. */
export interface RunOptions {
  readonly config: SimulationConfig;
  readonly rc: RcConfig;
  readonly log: Logger;
  /** The vfork strategy named on the command line (wins over `.shadowrc`, per-host choices included). */
  readonly vfork?: string;
  /** The watchdog's wall-time limit from the command line, ns (wins over `.shadowrc`; 0n: off). */
  readonly watchdog?: bigint;
  /** Called between rounds with the simulated time reached (progress bar, heartbeats). */
  readonly onRound?: (now: SimTime) => void;
  /** Receives the function that tells the current simulated time (for log lines). */
  readonly useClock?: (clock: () => SimTime) => void;
  /** Lets the CLI's event loop breathe (progress output, signals) between rounds. */
  readonly yieldToEventLoop?: () => Promise<void>;
  /** The first reading of the CPU-load sample that use_cpu_pinning judges by, taken as the CLI starts. */
  readonly cpuSample?: CpuSample;
}

/** The outcome of a run. */
export interface RunResult {
  readonly exitCode: number;
  /** Processes whose final state differs from the expected one. */
  readonly unexpected: number;
}

/**
 * Wall time a task may run without a stop before the watchdog acts: long enough for any real
 * computation between two syscalls, short enough that a CPU loop is reported rather than hanging
 * the run.
 */
export const DEFAULT_WATCHDOG = 10n * NS_PER_SEC;

/**
 * Non-blocking calls a thread makes in a row before each further one costs unblocked-call
 * latency: far more than a program's start-up or a burst of work makes between two waits, and
 * reached in well under a second by an event loop that polls without time passing.
 */
export const DEFAULT_BUSY_LOOP_THRESHOLD = 10_000;

const HOST_ADDRESS_BASE = (11 << 24) >>> 0; // 11.0.0.0: Shadow assigns from 11.0.0.1 upward

function ipToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => ((acc << 8) | Number(part)) >>> 0, 0);
}

function intToIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 0xff).join('.');
}

/** An argument as a shell would need it written (for log lines). */
function quoteArg(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : JSON.stringify(arg);
}

/** Addresses for every host: its `ip_addr`, or the next free one from 11.0.0.1 in name order. */
export function assignAddresses(hosts: readonly HostConfig[]): Map<string, string> {
  const used = new Set(hosts.flatMap((h) => (h.ipAddr ? [ipToInt(h.ipAddr)] : [])));
  const assigned = new Map<string, string>();
  let next = HOST_ADDRESS_BASE;
  for (const host of hosts) {
    if (host.ipAddr) {
      assigned.set(host.name, host.ipAddr);
      continue;
    }
    do next++;
    while (used.has(next));
    assigned.set(host.name, intToIp(next));
  }
  return assigned;
}

/** Loads the built-in plugins and observers, then those listed in the settings file, in order. */
async function loadAllPlugins(rc: RcConfig, config: SimulationConfig): Promise<LoadedPlugin[]> {
  const coreDir = dirname(fileURLToPath(import.meta.url));
  const loaded: LoadedPlugin[] = [];
  const builtins = [...BUILTIN_PLUGINS, ...builtinObservers(String(config.experimental.other['strace_logging_mode']), rc.tcpLog === true)];
  // Imported side by side (their module graphs load in parallel); applied, and a failure
  // reported, in the order they are listed.
  const settled = await Promise.allSettled([
    ...builtins.map((spec) => loadPlugin(spec, coreDir, 'the built-in plugins')),
    ...rc.plugins.map((spec) => loadPlugin(spec, dirname(rc.file!), rc.file!)),
  ]);
  for (const outcome of settled) {
    if (outcome.status === 'rejected') throw outcome.reason;
    loaded.push(outcome.value);
  }
  // Options are checked against each plugin's meta.optionsSchema before anything is applied.
  loaded.forEach(({ plugin, options }, i) => {
    const listed = i - builtins.length;
    checkPluginOptions(plugin, options, listed < 0 ? `the built-in plugin ${plugin.meta.name}'s options` : `${rc.file}: plugins[${listed}][1]`);
  });
  // Per-host options name a listed plugin, as listed or by its own name.
  for (const [host, settings] of Object.entries(rc.hosts)) {
    for (const [name, options] of Object.entries(settings.plugins ?? {})) {
      const target = loaded.find((p) => p.listedAs === name || p.plugin.meta.name === name);
      if (!target) {
        throw new ShadowError('RC_INVALID', `${rc.file}: hosts.${host}.plugins.${name}: no plugin "${name}" is listed in plugins`);
      }
      checkPluginOptions(target.plugin, { ...target.options, ...options }, `${rc.file}: hosts.${host}.plugins.${name}`);
      target.hostOptions.set(host, options);
    }
  }
  return loaded;
}

/** A running simulation: hosts, their processes, the kernel and the backend that runs them. */
class Simulation {
  private readonly hosts: Host[] = [];
  /** Carries packets between hosts; its capture files are closed by close(). */
  private readonly network: Network;
  private readonly heartbeats: HostHeartbeats;
  private readonly started: Process[] = [];
  private startFailures = 0;
  /** Processes the watchdog killed: each fails the run, whatever its expected final state. */
  private readonly runaways = new Set<Process>();
  private readonly runner: Runner;
  /** Each host's seccomp allow-list: a plugin may leave some of its taps native on a host (nativeOnHost). */
  private readonly allow = new Map<Host, number[]>();
  private readonly cpu: number;

  constructor(
    private readonly config: SimulationConfig,
    private readonly kernel: Kernel,
    private readonly backend: Backend,
    private readonly log: Logger,
    watchdog: bigint,
    busyLoopThreshold: number,
    fastTime: boolean,
    trapTsc: boolean,
    cpuSample: CpuSample | null,
  ) {
    const { general, experimental } = config;
    const unblocked = {
      syscall: experimental.unblockedSyscallLatency,
      vdso: experimental.unblockedVdsoLatency,
      maxUnapplied: experimental.maxUnappliedCpuLatency,
    };
    const latency = general.modelUnblockedSyscallLatency ? unblocked : null;
    const busyLoop = busyLoopThreshold > 0 ? { threshold: busyLoopThreshold, latency: unblocked } : null;
    const preempt = experimental.nativePreemptionEnabled;
    this.runner = new Runner(
      backend,
      kernel,
      log,
      latency,
      busyLoop,
      preempt ? experimental.nativePreemptionSimInterval : null,
      fastTime ? new FastTime(backend, general.dataDirectory, config.hosts.length) : null,
      trapTsc,
      (p) => this.onProcessExit(p),
      (p) => this.runaways.add(p),
      (tid, realTid, process) => this.newThread(tid, realTid, process),
    );
    const tapped = kernel.hooks.syscall.names();
    // One CPU for the simulator and every managed task: a wake-up across vCPUs costs ~30 µs here.
    // The least busy one it may use: another process saturating a CPU would starve the run.
    this.cpu = experimental.useCpuPinning ? chooseCpu(backend.currentCpu(), cpuSample ?? undefined) : -1;
    if (this.cpu >= 0) {
      backend.pinSelf(this.cpu);
      log.info(`pinned to CPU ${this.cpu}, the least busy of those allowed (use_cpu_pinning)`);
    }
    // The simulator's TSC faults when its tasks' does: a switch between threads of different TSC
    // modes rewrites CR4, which costs a hypervisor exit each way on a virtual machine. Only this
    // thread keeps the mode: any other that inherits it is given a readable TSC (tsc.cc).
    if (trapTsc) backend.faultOwnTsc(true);
    // After pinning: the backend's watch thread shares the simulator's CPU.
    backend.watchRuns(preempt ? experimental.nativePreemptionNativeInterval : 0n, watchdog);

    const seeds = new SeedSource(general.seed);
    const addresses = assignAddresses(config.hosts);
    const directory = [...addresses]
      .map(([name, ipAddress]) => ({ name, ipAddress }))
      .sort((a, b) => ipToInt(a.ipAddress) - ipToInt(b.ipAddress));
    config.hosts.forEach((hc, id) => {
      const dataDir = join(general.dataDirectory, 'hosts', hc.name);
      createOutputDirectory(dataDir);
      const host = new Host(id, hc.name, addresses.get(hc.name)!, seeds.forHost(hc.name), dataDir, directory);
      this.hosts.push(host);
      const untrapped = new Set<SyscallName>();
      kernel.hooks.nativeOnHost.call(host, untrapped);
      this.allow.set(host, nativeAllowList(new Set(tapped.filter((name) => !untrapped.has(name)))));
      for (const options of hc.processes) this.scheduleProcess(host, options);
    });
    this.network = new Network({
      graph: config.network.graph,
      useShortestPath: config.network.useShortestPath,
      bootstrapEnd: SIM_START + general.bootstrapEndTime,
      seeds,
      log,
      hosts: this.hosts.map((host, id) => ({ host, config: config.hosts[id]! })),
    });
    this.heartbeats = new HostHeartbeats(
      this.hosts.map((host, id) => ({ host, options: config.hosts[id]!.options })),
      this.network,
      kernel,
      log,
    );
  }

  private scheduleProcess(host: Host, options: ProcessOptions): void {
    const start = SIM_START + options.startTime;
    host.addEvent(start, () => {
      const process = this.spawn(host, options);
      if (process && options.shutdownTime !== null) {
        host.addEvent(SIM_START + options.shutdownTime, () => this.signal(process, options.shutdownSignal));
      }
    });
  }

  /** Starts a configured process now; null when it could not be started. */
  private spawn(host: Host, options: ProcessOptions): Process | null {
    const pid = host.allocateId();
    const name = options.path.slice(options.path.lastIndexOf('/') + 1);
    const base = join(host.dataDir, `${name}.${pid}`);
    let realPid: number;
    try {
      realPid = this.backend.spawn({
        path: options.path,
        argv: [options.argv0, ...options.args],
        envp: Object.entries(options.environment).map(([k, v]) => `${k}=${v}`),
        cwd: host.dataDir,
        stdout: `${base}.stdout`,
        stderr: `${base}.stderr`,
        allow: this.allow.get(host)!,
        cpu: this.cpu,
      });
    } catch (error) {
      this.log.error({ host: host.name }, `cannot start process '${host.name}.${name}.${pid}': ${(error as Error).message}`);
      this.startFailures++;
      return null;
    }
    const process = new Process(host, pid, null, name, realPid, this.backend, host.current, options);
    const thread = this.newThread(pid, realPid, process);
    process.addTask(thread);
    host.addProcess(process);
    this.started.push(process);
    this.kernel.hooks.processStart.call(process);
    this.log.info({ host: host.name }, `process '${process.displayName}' started: ${[options.path, ...options.args].map(quoteArg).join(' ')}`);
    this.runner.run(thread);
    return process;
  }

  private newThread(tid: number, realTid: number, process: Process): Thread {
    return new Thread(
      tid,
      realTid,
      process,
      (key, message) => this.kernel.warnOnce(key, message, process.host.name),
      (thread, sig, sender, siginfo) => this.runner.deliver(thread, sig, sender, siginfo),
    );
  }

  /** Sends shutdown_signal to a process: to its main thread, as kill(2) from outside would. */
  private signal(process: Process, sig: number): void {
    if (!process.alive) return;
    this.log.info({ host: process.host.name }, `sending ${signalName(sig)} to process '${process.displayName}'`);
    const target = process.mainThread();
    // From outside the simulated machine: the sender pid reads 0, as for the kernel's own signals.
    if (target) this.runner.deliver(target, sig);
  }

  private onProcessExit(process: Process): void {
    process.host.removeProcess(process);
    this.kernel.hooks.processExit.call(process);
    const state = formatFinalState(process.final!, signalName);
    if (!process.execed) {
      this.log.error(
        { host: process.host.name },
        `process '${process.displayName}' could not execute ${process.options?.path ?? process.name} (${state}); see ${process.name}.${process.pid}.stderr`,
      );
    } else {
      this.log.info({ host: process.host.name }, `process '${process.displayName}' ended: ${state}`);
    }
  }

  /** Runs rounds until the stop time or until nothing is left to do. */
  async run(options: RunOptions): Promise<SimTime> {
    const { stopTime, runahead } = this.timing();
    const scheduler = new Scheduler(this.hosts, stopTime, runahead);
    this.kernel.hooks.start.call(this.hosts);
    options.useClock?.(() => scheduler.clock());
    const interval = this.config.general.heartbeatInterval;
    let nextHeartbeat = interval === null ? null : SIM_START + interval;
    for (let more = true; more; ) {
      more = scheduler.runRound();
      options.onRound?.(scheduler.now);
      this.heartbeats.tick(scheduler.now);
      if (nextHeartbeat !== null && interval !== null && scheduler.now >= nextHeartbeat) {
        this.heartbeat(scheduler.now);
        nextHeartbeat = scheduler.now - ((scheduler.now - SIM_START) % interval) + interval;
      }
      await options.yieldToEventLoop?.();
    }
    this.heartbeats.finish(scheduler.now);
    return scheduler.now;
  }

  /** Shadow's heartbeat line (tornettools parses it): the simulator's own resource usage. */
  private heartbeat(now: SimTime): void {
    const usage = process.resourceUsage();
    const minutes = (us: number) => (us / 60e6).toFixed(3);
    this.log.info(
      `Process resource usage at simtime ${now - SIM_START} reported by getrusage(): ` +
        `ru_maxrss=${(usage.maxRSS / 1024 / 1024).toFixed(3)} GiB, ru_utime=${minutes(usage.userCPUTime)} minutes, ` +
        `ru_stime=${minutes(usage.systemCPUTime)} minutes, ru_nvcsw=${usage.voluntaryContextSwitches}, ` +
        `ru_nivcsw=${usage.involuntaryContextSwitches}`,
    );
  }

  private timing(): { stopTime: SimTime; runahead: SimTime } {
    const { general, network, experimental } = this.config;
    const minLatency = network.graph.edges.reduce((min, e) => (e.latency < min ? e.latency : min), general.stopTime);
    const floor = experimental.runahead ?? NS_PER_MS;
    return { stopTime: SIM_START + general.stopTime, runahead: minLatency > floor ? minLatency : floor };
  }

  /** What each host did and used, for sim-stats.json: its strategies, its calls, its traffic. */
  hostStats(): Record<string, unknown> {
    const sorted = (counts: ReadonlyMap<string, number> | undefined) =>
      Object.fromEntries([...(counts ?? [])].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    return Object.fromEntries(
      this.hosts.map((host) => {
        const { eth0, lo } = this.network.traffic(host);
        return [
          host.name,
          {
            vfork: this.kernel.vfork.chosen(host.name),
            tcp_congestion: this.kernel.congestion.chosen(host.name),
            fs: this.kernel.fs.chosen(host.name),
            syscalls: sorted(this.kernel.hostCounts.get(host.name)),
            interfaces: { eth0: trafficStats(eth0), lo: trafficStats(lo) },
          },
        ];
      }),
    );
  }

  /** Closes the network's capture files. */
  close(): void {
    this.backend.faultOwnTsc(false);
    this.network.close();
    this.runner.fastTime?.close();
  }

  /** Kills what is still running (final state `running`). */
  stopAll(at: SimTime): void {
    for (const host of this.hosts) {
      if (host.current < at) host.current = at;
      for (const process of [...host.live.values()]) {
        this.runner.kill(process);
        process.final = 'running';
        host.removeProcess(process);
        this.kernel.hooks.processExit.call(process);
      }
    }
  }

  /** Compares every configured process's end with its expected final state; returns the mismatches. */
  checkFinalStates(): number {
    let unexpected = 0;
    for (const process of this.started) {
      const expected = process.options!.expectedFinalState;
      if (sameFinalState(process.final!, expected)) {
        if (this.runaways.has(process)) unexpected++; // reported when the watchdog killed it
        continue;
      }
      unexpected++;
      this.log.error(
        { host: process.host.name },
        `process '${process.displayName}' ended as ${formatFinalState(process.final!, signalName)}; ` +
          `expected end state was ${formatFinalState(expected, signalName)} but was ${formatFinalState(process.final!, signalName)}`,
      );
    }
    // A child the watchdog killed fails the run too, though no final state was expected of it.
    const children = [...this.runaways].filter((p) => !this.started.includes(p)).length;
    return unexpected + this.startFailures + children;
  }
}

/** An interface's counters as sim-stats.json spells them. */
function trafficStats(t: Readonly<Traffic>): Record<string, number> {
  return { sent_packets: t.sentPackets, sent_bytes: t.sentBytes, received_packets: t.receivedPackets, received_bytes: t.receivedBytes };
}

/** A strategy choice and the setting it came from (for error messages). */
interface Choice {
  readonly spec: PluginSpec;
  readonly key: string;
}

/**
 * Creates every host's vfork strategy, TCP congestion control and file system strategy, before anything runs:
 * `--vfork` > `.shadowrc` `hosts.<name>.…` > `.shadowrc` for all hosts > the default. Every name
 * given is checked, used or not; options are checked by the instance of each host that uses them.
 */
function chooseStrategies(kernel: Kernel, rc: RcConfig, config: SimulationConfig, cliVfork: string | undefined): void {
  const where = (key: string): string => `${rc.file}: ${key}`;
  const choice = (spec: PluginSpec | null | undefined, key: string): Choice | null => (spec ? { spec, key: where(key) } : null);
  const known = new Set(config.hosts.map((h) => h.name));
  for (const host of Object.keys(rc.hosts)) {
    if (!known.has(host)) throw new ShadowError('RC_INVALID', `${where(`hosts.${host}`)}: no host "${host}" in the simulation`);
  }
  const cli: Choice | null = cliVfork === undefined ? null : { spec: { name: cliVfork, options: {} }, key: '--vfork' };
  const vfork = choice(rc.vfork, 'vfork');
  const congestion = choice(rc.tcpCongestion, 'tcp_congestion');
  const fs = choice(rc.fs, 'fs');
  const perHost = new Map(
    Object.entries(rc.hosts).map(([host, settings]) => [
      host,
      {
        vfork: choice(settings.vfork, `hosts.${host}.vfork`),
        congestion: choice(settings.tcpCongestion, `hosts.${host}.tcp_congestion`),
        fs: choice(settings.fs, `hosts.${host}.fs`),
      },
    ]),
  );
  const own = [...perHost.values()];
  for (const c of [cli, vfork, ...own.map((h) => h.vfork)]) if (c) kernel.vfork.factory(c.spec.name, c.key);
  for (const c of [congestion, ...own.map((h) => h.congestion)]) if (c) kernel.congestion.factory(c.spec.name, c.key);
  for (const c of [fs, ...own.map((h) => h.fs)]) if (c) kernel.fs.factory(c.spec.name, c.key);
  const choose = <I>(registry: Strategies<I>, host: string, c: Choice | null): void =>
    registry.choose({ name: host }, c?.spec.name ?? registry.defaultName, c?.spec.options ?? {}, c?.key ?? 'default');
  for (const { name } of config.hosts) {
    choose(kernel.vfork, name, cli ?? perHost.get(name)?.vfork ?? vfork);
    choose(kernel.congestion, name, perHost.get(name)?.congestion ?? congestion);
    choose(kernel.fs, name, perHost.get(name)?.fs ?? fs);
  }
}

/** Runs a whole simulation: outputs in the data directory, exit code as Shadow's. */
export async function runSimulation(options: RunOptions): Promise<RunResult> {
  const { config, rc, log } = options;
  const dataDir = config.general.dataDirectory;
  // Where to pin is judged over a sample that overlaps start-up: from the CLI's start, or from now.
  const cpuSample = config.experimental.useCpuPinning ? (options.cpuSample ?? beginCpuSample()) : null;
  const plugins = await loadAllPlugins(rc, config);
  // SHADOW_TS_BACKEND overrides .shadowrc's `backend:` (the test suite runs on each backend).
  const backend = await loadBackend(process.env['SHADOW_TS_BACKEND'] || rc.backend);
  // Plugins may write to the data directory from `apply` on. A mistake found before anything
  // runs (a plugin's options, a strategy's name) leaves no data directory behind: it is new.
  createDataDirectory(dataDir);
  const kernel = new Kernel(log);
  try {
    if (config.general.templateDirectory !== null) copyTemplate(config.general.templateDirectory, dataDir);
    createOutputDirectory(join(dataDir, 'hosts'));
    applyPlugins(kernel, plugins, resolve(dataDir));
    kernel.ready();
    chooseStrategies(kernel, rc, config, options.vfork);
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }

  writeOutput(join(dataDir, 'processed-config.yaml'), toYaml(resolvedConfig(config, rcSettings(rc))));

  const simulation = new Simulation(
    config,
    kernel,
    backend,
    log,
    options.watchdog ?? rc.watchdog ?? DEFAULT_WATCHDOG,
    rc.busyLoopThreshold ?? DEFAULT_BUSY_LOOP_THRESHOLD,
    rc.fastTime ?? true,
    rc.rdtsc !== 'native',
    cpuSample,
  );
  let end: SimTime = SIM_START;
  try {
    end = await simulation.run(options);
  } finally {
    simulation.stopAll(end > SIM_START ? end : SIM_START + config.general.stopTime);
    simulation.close();
    kernel.hooks.finish.call();
  }
  const totals = new Map<string, number>();
  for (const perHost of kernel.hostCounts.values()) for (const [name, n] of perHost) totals.set(name, (totals.get(name) ?? 0) + n);
  const syscalls = Object.fromEntries([...totals].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  // No wall time here: the data directory stays byte-identical from run to run (the log has it).
  const stats = {
    syscalls,
    plugins: plugins.map(({ plugin }) => ({ name: plugin.meta.name, version: plugin.meta.version })),
    hosts: simulation.hostStats(),
  };
  writeOutput(join(dataDir, 'sim-stats.json'), `${JSON.stringify(stats, null, 2)}\n`);
  const unexpected = simulation.checkFinalStates();
  log.info(`simulation ended at ${formatSimTime(end)}`);
  if (unexpected > 0) log.error(`${unexpected} managed processes in unexpected final state`);
  return { exitCode: unexpected > 0 ? 1 : 0, unexpected };
}
