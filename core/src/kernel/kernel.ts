import {
  Errno,
  createKernelHooks,
  errno,
  type KernelHooks,
  type PluginLogger,
  type SyscallContext,
  type SyscallResult,
  type CongestionAlgorithm,
  type FsStrategy,
  type VforkStrategy,
} from '@shadow-ts/plugin-sdk';
import type { Hook } from 'tapable';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- taps of every arity are wrapped alike
type AnyHook = Hook<any[], any>;
import type { Logger } from '../log.js';
import { PluginError, ShadowError } from './errors.js';
import { checkResult } from './results.js';
import { Strategies } from './strategies.js';

/**
 * The minimal kernel: the hooks plugins tap, dispatch through them, per-syscall counters and
 * the once-per-run warnings. Nothing here knows what any syscall means.
 */
export class Kernel {
  readonly hooks: KernelHooks;
  /** vfork strategies registered by plugins; each host uses `as-fork` unless the settings choose another. */
  readonly vfork = new Strategies<VforkStrategy>('vfork', 'as-fork');
  /** TCP congestion control algorithms; each host uses `cubic` (Linux's default) unless the settings choose another. */
  readonly congestion = new Strategies<CongestionAlgorithm>('TCP congestion control', 'cubic');
  /** File system strategies; each host uses `shared` (the real file system) unless the settings choose another. */
  readonly fs = new Strategies<FsStrategy>('file system', 'shared');
  /** Whether a plugin observes native results (then every native call stops at its exit). */
  observesNativeExits = false;
  /** Calls per syscall name, per host name (sim-stats.json; the run's totals are their sums). */
  readonly hostCounts = new Map<string, Map<string, number>>();
  private readonly warned = new Set<string>();
  /** What plugins offer each other (PluginKernel.provide), by plugin name. */
  private readonly apis = new Map<string, object>();
  /** The host whose syscall is being dispatched (plugin log lines name it), or null. */
  private host: string | null = null;

  constructor(private readonly log: Logger) {
    this.hooks = Object.freeze(
      createKernelHooks((name, hook) => attributeErrors(hook as unknown as AnyHook, `syscall ${name}`, checkResult)),
    );
    for (const [key, hook] of Object.entries(this.hooks)) {
      if (key === 'unhandled') attributeErrors(hook as AnyHook, `hook ${key}`, checkResult);
      else if (key !== 'syscall') attributeErrors(hook as AnyHook, `hook ${key}`);
    }
  }

  /** A logger for a plugin's own messages: attributed to the host whose syscall is being handled. */
  pluginLogger(plugin: string): PluginLogger {
    const child = this.log.child({ module: plugin });
    const bindings = () => (this.host === null ? {} : { host: this.host });
    return {
      error: (m) => child.error(bindings(), m),
      warn: (m) => child.warn(bindings(), m),
      info: (m) => child.info(bindings(), m),
      debug: (m) => child.debug(bindings(), m),
    };
  }

  /** Records the api plugin `name` provides; the hooks among `api.hooks` get its taps' errors attributed. */
  provide(name: string, api: object): void {
    if (this.apis.has(name)) throw new Error(`plugin "${name}" provided an api already`);
    const hooks = (api as { hooks?: Record<string, unknown> }).hooks;
    for (const [key, hook] of Object.entries(hooks ?? {})) {
      if (typeof (hook as Partial<AnyHook> | null)?.intercept === 'function') attributeErrors(hook as AnyHook, `${name} hook ${key}`);
    }
    this.apis.set(name, api);
  }

  /** The api plugin `name` provided, if any. */
  api(name: string): object | undefined {
    return this.apis.get(name);
  }

  /** Called once every plugin is applied: no hook can be added after this. */
  ready(): void {
    this.hooks.syscall.freeze();
    // Not isUsed(): the error-attribution interceptor makes every hook look used.
    this.observesNativeExits = this.hooks.nativeExit.taps.length > 0;
    this.hooks.ready.call();
  }

  /** Runs one trapped syscall through the hook chain. */
  dispatch(ctx: SyscallContext): SyscallResult {
    let perHost = this.hostCounts.get(ctx.host.name);
    if (!perHost) this.hostCounts.set(ctx.host.name, (perHost = new Map()));
    perHost.set(ctx.name, (perHost.get(ctx.name) ?? 0) + 1);
    this.host = ctx.host.name;
    try {
      this.hooks.syscallEnter.call(ctx);
      const result =
        this.hooks.syscall.get(ctx.name)?.call(ctx) ?? this.hooks.unhandled.call(ctx) ?? this.enosys(ctx, ctx.name);
      this.hooks.syscallExit.call(ctx, result);
      return result;
    } finally {
      this.host = null;
    }
  }

  /** The answer to a syscall nobody handles: ENOSYS, and one warning per name per run. */
  enosys(ctx: SyscallContext, name: string): SyscallResult {
    if (!ctx.restarted) {
      this.warnOnce(
        `enosys:${name}`,
        `Detected unsupported syscall ${name} (${ctx.nr}) called from thread ${ctx.thread.tid} in process ` +
          `${ctx.host.name}.${ctx.process.name}.${ctx.process.pid} on host ${ctx.host.name}; returning ENOSYS ` +
          `(reported once per run)`,
        ctx.host.name,
      );
    }
    return errno(Errno.ENOSYS);
  }

  /** Logs `message` at warning level the first time `key` is seen in this run. */
  warnOnce(key: string, message: string, host?: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.log.warn(host ? { host } : {}, message);
  }
}

/**
 * Wraps every tap of `hook` so an exception names the plugin (the tap name) and the hook; `check`
 * (syscall hooks) judges what the tap returned, inside the same attribution.
 */
function attributeErrors(hook: AnyHook, where: string, check?: (value: unknown) => void): void {
  hook.intercept({
    register: (tap) => {
      const fn = tap.fn as (...args: unknown[]) => unknown;
      return {
        ...tap,
        fn: (...args: unknown[]) => {
          try {
            const value = fn(...args);
            check?.(value);
            return value;
          } catch (error) {
            // Errors that already say what the user must do (a full disk under the data
            // directory, a plugin's own) pass unchanged.
            if (error instanceof ShadowError) throw error;
            const ctx = args[0] as Partial<SyscallContext> | undefined;
            const nr = typeof ctx?.nr === 'number' ? ctx.nr : null;
            throw new PluginError(tap.name, where, nr, error, nr === null ? undefined : describeCall(ctx as SyscallContext));
          }
        },
      };
    },
  });
}

/** `name(arg0, …, arg5) by pid P on host H`, the raw registers in hex: enough to replay the call. */
function describeCall(ctx: SyscallContext): string {
  const words = [0, 1, 2, 3, 4, 5].map((i) => `0x${ctx.args.u64(i).toString(16)}`);
  return `${ctx.name}(${words.join(', ')}) by pid ${ctx.process.pid} on host ${ctx.host.name}`;
}
