import type { SyscallContext } from './context.js';
import type { SyscallResult } from './result.js';

/**
 * The options given with a strategy's name in `.shadowrc` (`vfork: [reject, { errno: EAGAIN }]`);
 * empty when only the name is given.
 */
export type StrategyOptions = Readonly<Record<string, unknown>>;

/** The host a strategy instance is made for. */
export interface StrategyHost {
  readonly name: string;
}

/**
 * A swappable policy as plugins register it: a name, a description and `create`, which checks
 * the options and returns the instance one host uses for the whole run. The simulator calls
 * `create` once per host when the run starts, before any process runs, so instances keep their
 * own state and one host's options never reach another. An exception thrown by `create` is
 * reported as a mistake in the setting that chose the strategy (`.shadowrc: hosts.a.vfork:
 * reject: <message>`), without a stack trace.
 */
export interface StrategyFactory<Instance> {
  readonly name: string;
  /** One line for `shadow --help` and error messages. */
  readonly description: string;
  create(options: StrategyOptions, host: StrategyHost): Instance;
}

/**
 * Named strategies that plugins register during `apply`. The simulator chooses one per host when
 * the run starts: `--vfork` > `.shadowrc` `hosts.<name>.…` > `.shadowrc` for all hosts > the
 * default.
 */
export interface StrategyRegistry<Instance> {
  register(factory: StrategyFactory<Instance>): void;
  get(name: string): StrategyFactory<Instance> | undefined;
  names(): string[];
  /** The name of the strategy chosen for host `host`. */
  chosen(host: string): string;
  /** The instance host `host` uses: the one created from its settings when the run started. */
  instance(host: string): Instance;
  /**
   * Host `host`'s instance of strategy `name`: the chosen one, or else one created with no
   * options the first time the host asks for it (a program naming an algorithm, as
   * TCP_CONGESTION does). Undefined when no strategy has that name.
   */
  instanceOf(host: string, name: string): Instance | undefined;
}

/**
 * Throws, naming the first key of `options` that is not in `known`, so that a misspelt option is
 * an error when the run starts rather than silently ignored.
 */
export function checkOptionKeys(options: StrategyOptions, known: readonly string[]): void {
  const unknown = Object.keys(options).find((key) => !known.includes(key));
  if (unknown === undefined) return;
  throw new Error(
    `unknown option "${unknown}"; ${known.length === 0 ? 'it takes no options' : `expected ${known.join(', ')}`}`,
  );
}

/**
 * The factory of a strategy that takes no options and keeps no state: every host shares
 * `instance`, and any option given is an error.
 */
export function fixedStrategy<Instance>(name: string, description: string, instance: Instance): StrategyFactory<Instance> {
  return {
    name,
    description,
    create(options) {
      checkOptionKeys(options, []);
      return instance;
    },
  };
}

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
 * How vfork is simulated on one host. It answers the call with any SyscallResult — typically a
 * `clone` result, or an errno.
 */
export interface VforkStrategy {
  onVfork(ctx: SyscallContext, call: VforkCall): SyscallResult;
}

/**
 * A vfork strategy, registered by name (`as-fork`, `native` and `reject` are built in) and chosen
 * with `.shadowrc` `vfork: <name>` or `[name, {options}]`, per host or for all, or `--vfork <name>`.
 */
export type VforkStrategyFactory = StrategyFactory<VforkStrategy>;

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

/** A congestion control algorithm as one host runs it: it makes the state of each connection (with this MSS). */
export type CongestionAlgorithm = (mss: number) => CongestionControl;

/**
 * A TCP congestion control algorithm, registered by name (`reno` and `cubic` are built in) and
 * chosen with `.shadowrc` `tcp_congestion`, per host or for all, or by a program (TCP_CONGESTION).
 */
export type CongestionAlgorithmFactory = StrategyFactory<CongestionAlgorithm>;

/**
 * How one host sees the file system. The fs family (`core:fs`) hands the host's instance every
 * path-taking call it traps — open/openat/creat, the stat family, access/faccessat(2),
 * readlink(at), unlink(at), rename(at/at2), mkdir(at), rmdir, symlink(at), link(at),
 * chmod/fchmodat, chown/lchown/fchownat, (l)setxattr, (l)getxattr, (l)listxattr,
 * (l)removexattr, truncate, utimensat, chdir, execve, and getdents64/getdents/getcwd — before
 * answering it as on the shared file system (emulated files, /proc by virtual pid, else natively).
 */
export interface FsStrategy {
  /**
   * Whether this host's calls that only a strategy needs to see (unlink, rename, mkdir, rmdir,
   * link, symlink, chmod, chown, truncate, utimensat and their *at and l… forms, and the path
   * *xattr calls) must stop. False keeps them on the host's seccomp allow-list: they cost nothing
   * and `onPathCall` never sees them.
   */
  readonly interposes: boolean;
  /** Answers the call, or returns undefined: the fs family answers it as on the shared file system. */
  onPathCall(ctx: SyscallContext): SyscallResult | undefined;
}

/**
 * A file system strategy, registered by name (`shared`, the default, and `overlay` are built in)
 * and chosen with `.shadowrc` `fs: <name>` or `[name, {options}]`, for all hosts or per host.
 */
export type FsStrategyFactory = StrategyFactory<FsStrategy>;
