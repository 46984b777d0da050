/**
 * The configuration a run uses, written back in Shadow's keys and units with every default
 * filled in: what `--show-config` prints and `processed-config.yaml` holds.
 */
import { formatTime, signalName } from './units.js';
import type { ExpectedFinalState, HostOptions, SimulationConfig } from './types.js';

const time = (ns: bigint | null): string | null => (ns === null ? null : formatTime(ns));

/** Bits per second in the largest decimal prefix that divides them ("100 Mbit"). */
function bandwidth(bits: bigint | null | undefined): string | null {
  if (bits === null || bits === undefined) return null;
  for (const [prefix, factor] of [['G', 10n ** 9n], ['M', 10n ** 6n], ['K', 10n ** 3n]] as const) {
    if (bits !== 0n && bits % factor === 0n) return `${bits / factor} ${prefix}bit`;
  }
  return `${bits} bit`;
}

function finalState(state: ExpectedFinalState): unknown {
  if (state === 'running') return 'running';
  if ('exited' in state) return { exited: state.exited };
  return { signaled: signalName(state.signaled) ?? state.signaled };
}

function hostOptions(o: HostOptions): Record<string, unknown> {
  return {
    log_level: o.logLevel,
    pcap_enabled: o.pcapEnabled,
    pcap_capture_size: `${o.pcapCaptureSize} B`,
    host_heartbeat_interval: time(o.heartbeatInterval),
    host_heartbeat_log_level: o.heartbeatLogLevel,
    host_heartbeat_log_info: [...o.heartbeatLogInfo],
  };
}

/** Experimental values as the file spells them: times with units, bytes with `B`. */
function experimentalValue(key: string, value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  return /_buffer$/.test(key) ? `${value} B` : formatTime(value);
}

/**
 * The whole configuration of a run. `settings` are the `.shadowrc` values that applied (file,
 * plugins, strategies), recorded beside Shadow's sections under `x-shadowrc`.
 */
export function resolvedConfig(config: SimulationConfig, settings?: Record<string, unknown>): Record<string, unknown> {
  const { general: g, network: n, experimental: e } = config;
  const document = config.document as { network?: { graph?: unknown } } | null;
  const experimental: Record<string, unknown> = {
    ...Object.fromEntries(Object.entries(e.other).map(([k, v]) => [k, experimentalValue(k, v)])),
    runahead: time(e.runahead),
    use_cpu_pinning: e.useCpuPinning,
    unblocked_syscall_latency: time(e.unblockedSyscallLatency),
    unblocked_vdso_latency: time(e.unblockedVdsoLatency),
    max_unapplied_cpu_latency: time(e.maxUnappliedCpuLatency),
    native_preemption_enabled: e.nativePreemptionEnabled,
    native_preemption_native_interval: time(e.nativePreemptionNativeInterval),
    native_preemption_sim_interval: time(e.nativePreemptionSimInterval),
  };
  return {
    general: {
      stop_time: time(g.stopTime),
      seed: g.seed,
      parallelism: g.parallelism,
      bootstrap_end_time: time(g.bootstrapEndTime),
      log_level: g.logLevel,
      heartbeat_interval: time(g.heartbeatInterval),
      data_directory: g.dataDirectory,
      template_directory: g.templateDirectory,
      progress: g.progress,
      model_unblocked_syscall_latency: g.modelUnblockedSyscallLatency,
    },
    // The graph as the file gave it (inline GML or a file), not its parsed nodes.
    network: { graph: document?.network?.graph ?? null, use_shortest_path: n.useShortestPath },
    experimental: Object.fromEntries(Object.entries(experimental).sort(([a], [b]) => (a < b ? -1 : 1))),
    host_option_defaults: hostOptions(config.hostDefaults),
    hosts: Object.fromEntries(
      config.hosts.map((h) => [
        h.name,
        {
          network_node_id: h.networkNodeId,
          ip_addr: h.ipAddr,
          bandwidth_down: bandwidth(h.bandwidthDown),
          bandwidth_up: bandwidth(h.bandwidthUp),
          host_options: hostOptions(h.options),
          processes: h.processes.map((p) => ({
            path: p.path,
            args: [...p.args],
            environment: { ...p.environment },
            start_time: time(p.startTime),
            shutdown_time: time(p.shutdownTime),
            shutdown_signal: signalName(p.shutdownSignal) ?? p.shutdownSignal,
            expected_final_state: finalState(p.expectedFinalState),
          })),
        },
      ]),
    ),
    // An extension key (x-…), which Shadow and this reader skip: the file runs again as it is.
    ...(settings && { 'x-shadowrc': settings }),
  };
}
