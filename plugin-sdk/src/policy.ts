import type { SyscallContext } from './context.js';
import type { SyscallResult } from './result.js';

/** The vfork-like call a strategy decides about. */
export interface VforkCall {
  /** `vfork`, `clone` with CLONE_VM|CLONE_VFORK, or `clone3` with those flags. */
  readonly syscall: 'vfork' | 'clone' | 'clone3';
  /** The clone flags (CLONE_VM|CLONE_VFORK for a plain vfork), exit signal excluded. */
  readonly flags: bigint;
  /** clone3 only: address of the program's `struct clone_args`. */
  readonly cloneArgs: bigint;
}

/**
 * How vfork is simulated: a swappable policy, chosen by name (`.shadowrc`: `vfork: <name>`, or
 * `--vfork <name>`). A strategy answers the call with any SyscallResult — typically a `clone`
 * result, or an errno.
 */
export interface VforkStrategy {
  readonly name: string;
  /** One line for `shadow --help` and error messages. */
  readonly description: string;
  onVfork(ctx: SyscallContext, call: VforkCall): SyscallResult;
  /** Receives the options given with the name (`vfork: [reject, { errno: EAGAIN }]`) when selected; throws on bad ones. */
  configure?(options: Readonly<Record<string, unknown>>): void;
}

/**
 * Named strategies that plugins register during `apply`; the simulator selects one before the
 * run, for all hosts and per host (`.shadowrc`: `hosts: { <name>: { … } }`).
 */
export interface StrategyRegistry<S extends { readonly name: string }> {
  register(strategy: S): void;
  get(name: string): S | undefined;
  names(): string[];
  /** The strategy selected for `host` (or for all hosts; the default before selection). */
  current(host?: string): S;
}

/** A TCP congestion control algorithm's state for one connection. Values are in bytes. */
export interface CongestionControl {
  readonly name: string;
  /** Congestion window now. */
  readonly cwnd: number;
  /** Slow-start threshold now. */
  readonly ssthresh: number;
  /** New data was acknowledged (`acked` bytes), with an RTT sample when one was taken. */
  onAck(acked: number, rtt: bigint | null, now: bigint): void;
  /** Three duplicate ACKs (fast retransmit / recovery). */
  onFastRetransmit(now: bigint): void;
  /** The retransmission timer expired. */
  onTimeout(now: bigint): void;
}

/** Creates a congestion control instance for a connection with this MSS. */
export type CongestionFactory = (mss: number) => CongestionControl;

/** A congestion control algorithm, registered by name (`reno` and `cubic` are built in). */
export interface CongestionAlgorithm {
  readonly name: string;
  readonly description: string;
  readonly create: CongestionFactory;
}

/** A simple registry with a default name. */
export class NamedRegistry<S extends { readonly name: string }> implements StrategyRegistry<S> {
  private readonly strategies = new Map<string, S>();
  private selected: string;
  private readonly perHost = new Map<string, string>();

  constructor(
    private readonly kind: string,
    defaultName: string,
  ) {
    this.selected = defaultName;
  }

  register(strategy: S): void {
    if (this.strategies.has(strategy.name)) throw new Error(`${this.kind} strategy "${strategy.name}" is already registered`);
    this.strategies.set(strategy.name, strategy);
  }

  get(name: string): S | undefined {
    return this.strategies.get(name);
  }

  names(): string[] {
    return [...this.strategies.keys()];
  }

  /**
   * Selects `name` for every host, or for `host` only; throws, listing the registered names, when
   * there is no such strategy.
   */
  select(name: string, options: Readonly<Record<string, unknown>> = {}, host?: string): void {
    const strategy = this.strategies.get(name);
    if (!strategy) {
      throw new Error(`unknown ${this.kind} strategy "${name}"; registered strategies: ${this.names().join(', ')}`);
    }
    (strategy as { configure?: (o: Readonly<Record<string, unknown>>) => void }).configure?.(options);
    if (host === undefined) this.selected = name;
    else this.perHost.set(host, name);
  }

  current(host?: string): S {
    const name = (host !== undefined && this.perHost.get(host)) || this.selected;
    const strategy = this.strategies.get(name);
    if (!strategy) throw new Error(`no ${this.kind} strategy "${name}" is registered`);
    return strategy;
  }
}
