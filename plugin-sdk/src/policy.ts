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

/** Named strategies that plugins register during `apply`; the simulator selects one before the run. */
export interface StrategyRegistry<S extends { readonly name: string }> {
  register(strategy: S): void;
  get(name: string): S | undefined;
  names(): string[];
  /** The selected strategy (after selection; the default before). */
  current(): S;
}

/** A simple registry with a default name. */
export class NamedRegistry<S extends { readonly name: string }> implements StrategyRegistry<S> {
  private readonly strategies = new Map<string, S>();
  private selected: string;

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

  /** Selects `name`; throws, listing the registered names, when there is no such strategy. */
  select(name: string, options: Readonly<Record<string, unknown>> = {}): void {
    const strategy = this.strategies.get(name);
    if (!strategy) {
      throw new Error(`unknown ${this.kind} strategy "${name}"; registered strategies: ${this.names().join(', ')}`);
    }
    (strategy as { configure?: (o: Readonly<Record<string, unknown>>) => void }).configure?.(options);
    this.selected = name;
  }

  current(): S {
    const strategy = this.strategies.get(this.selected);
    if (!strategy) throw new Error(`no ${this.kind} strategy "${this.selected}" is registered`);
    return strategy;
  }
}
