/**
 * The simulation file, validated: Shadow's YAML configuration with units resolved.
 * Times are bigint nanoseconds (relative to the simulation start unless said otherwise),
 * bandwidths bit/s, sizes bytes.
 */

export type LogLevel = 'error' | 'warning' | 'info' | 'debug' | 'trace';

export type ExpectedFinalState =
  | { readonly exited: number }
  | { readonly signaled: number }
  | 'running';

export interface GeneralOptions {
  readonly stopTime: bigint;
  readonly seed: number;
  readonly parallelism: number;
  readonly bootstrapEndTime: bigint;
  readonly logLevel: LogLevel;
  /** null: no heartbeat. */
  readonly heartbeatInterval: bigint | null;
  readonly dataDirectory: string;
  readonly templateDirectory: string | null;
  readonly progress: boolean;
  readonly modelUnblockedSyscallLatency: boolean;
}

export interface GmlNode {
  readonly id: number;
  readonly label?: string;
  readonly bandwidthDown?: bigint;
  readonly bandwidthUp?: bigint;
}

export interface GmlEdge {
  readonly source: number;
  readonly target: number;
  readonly label?: string;
  readonly latency: bigint;
  readonly jitter: bigint;
  readonly packetLoss: number;
}

export interface NetworkGraph {
  readonly directed: boolean;
  readonly nodes: readonly GmlNode[];
  readonly edges: readonly GmlEdge[];
}

export interface NetworkOptions {
  readonly graph: NetworkGraph;
  readonly useShortestPath: boolean;
}

/** What a host heartbeat reports (Shadow's `host_heartbeat_log_info`). */
export type HeartbeatInfo = 'node' | 'socket' | 'ram';

export interface HostOptions {
  readonly logLevel: LogLevel | null;
  readonly pcapEnabled: boolean;
  readonly pcapCaptureSize: number;
  /** Simulated time between two host heartbeats; null: none. */
  readonly heartbeatInterval: bigint | null;
  readonly heartbeatLogLevel: LogLevel;
  readonly heartbeatLogInfo: readonly HeartbeatInfo[];
}

export interface ProcessOptions {
  /** Absolute path, resolved on PATH for bare names. */
  readonly path: string;
  /** argv[1..] (argv[0] is the path as written in the file). */
  readonly args: readonly string[];
  readonly argv0: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly startTime: bigint;
  readonly shutdownTime: bigint | null;
  readonly shutdownSignal: number;
  readonly expectedFinalState: ExpectedFinalState;
}

export interface HostConfig {
  readonly name: string;
  readonly networkNodeId: number;
  /** Dotted IPv4 or null to assign one. */
  readonly ipAddr: string | null;
  readonly bandwidthDown: bigint | null;
  readonly bandwidthUp: bigint | null;
  readonly options: HostOptions;
  readonly processes: readonly ProcessOptions[];
}

export interface ExperimentalOptions {
  readonly runahead: bigint | null;
  readonly useCpuPinning: boolean;
  readonly unblockedSyscallLatency: bigint;
  readonly unblockedVdsoLatency: bigint;
  readonly maxUnappliedCpuLatency: bigint;
  /** Shadow's native preemption: a run without a stop is ended after this much real CPU time… */
  readonly nativePreemptionEnabled: boolean;
  readonly nativePreemptionNativeInterval: bigint;
  /** …and this much simulated time is charged to its host before the thread runs again. */
  readonly nativePreemptionSimInterval: bigint;
  /** Every other experimental key, parsed but not used by this version. */
  readonly other: Readonly<Record<string, unknown>>;
}

export interface SimulationConfig {
  /** File the configuration came from ('-' for stdin). */
  readonly source: string;
  readonly general: GeneralOptions;
  readonly network: NetworkOptions;
  readonly experimental: ExperimentalOptions;
  /** `host_option_defaults` with Shadow's defaults filled in (each host's options start from it). */
  readonly hostDefaults: HostOptions;
  /** Sorted by name (Shadow sorts hosts for determinism). */
  readonly hosts: readonly HostConfig[];
  /** The merged document (anchors, merge keys and CLI overrides applied, x- keys removed), for processed-config.yaml. */
  readonly document: unknown;
}

/** Values from the command line that override the file (CLI > file > .shadowrc > defaults). */
export interface ConfigOverrides {
  readonly stopTime?: string;
  readonly seed?: string;
  readonly dataDirectory?: string;
  readonly logLevel?: string;
  /**
   * Any other key, by its dotted path (`general.parallelism`, `experimental.runahead`,
   * `host_option_defaults.log_level`, `network.use_shortest_path`), with its value as the
   * command line gave it (a string, or a boolean): written into the document before it is
   * checked, so the value is validated and reported as if the file held it.
   */
  readonly keys?: Readonly<Record<string, unknown>>;
}
