import { HookMap, SyncBailHook, SyncHook } from 'tapable';
import type { CloneEvent, ExecEvent, HostView, ProcessView, SyscallContext, ThreadView } from './context.js';
import type { SocketUsage } from './network.js';
import type { SyscallResult } from './result.js';
import { SYSCALL_NUMBERS, type SyscallName } from './syscalls.js';

/** The bail chain of one syscall: a tap returns a result to handle it, undefined to pass. */
export type SyscallHook = SyncBailHook<[SyscallContext], SyscallResult | undefined>;

/** True for the kernel names of syscall_64.tbl. */
export function isSyscallName(name: string): name is SyscallName {
  return Object.hasOwn(SYSCALL_NUMBERS, name);
}

/**
 * A HookMap keyed by kernel syscall names only. `for('fstatat')` throws instead of quietly
 * creating a hook nobody calls (the real name is `newfstatat`), and after the kernel freezes
 * its hooks no new syscall hook can appear.
 */
export class SyscallHookMap {
  private readonly map: HookMap<SyscallHook>;
  private readonly tapped = new Set<SyscallName>();
  private frozen = false;

  /** `onCreate` lets the owner instrument each hook as it is created (e.g. to wrap taps). */
  constructor(onCreate?: (name: SyscallName, hook: SyscallHook) => void) {
    this.map = new HookMap(() => new SyncBailHook<[SyscallContext], SyscallResult | undefined>(['ctx']));
    this.map.intercept({
      factory: (key: string, hook: SyscallHook) => {
        if (!isSyscallName(key)) {
          throw new Error(`unknown syscall name "${key}": hook keys are x86_64 kernel names (e.g. newfstatat, pread64)`);
        }
        this.assertOpen(key);
        // tapable cannot untap and recompiles on every late tap: refuse taps after ready.
        hook.intercept({ register: (tap) => (this.assertOpen(key), tap) });
        this.tapped.add(key);
        onCreate?.(key, hook);
        return hook;
      },
    });
  }

  /** The hook of `name`, created on first use (only while plugins are being applied). */
  for(name: SyscallName): SyscallHook {
    return this.map.for(name);
  }

  /** The hook of `name` if any plugin asked for it. */
  get(name: SyscallName): SyscallHook | undefined {
    return this.map.get(name);
  }

  /** Names that have a hook. */
  names(): SyscallName[] {
    return [...this.tapped];
  }

  private assertOpen(name: string): void {
    if (this.frozen) throw new Error(`cannot tap syscall "${name}": the kernel's hooks are frozen after ready`);
  }

  /** Called by the kernel at `ready`. */
  freeze(): void {
    this.frozen = true;
  }
}

/** Every hook the kernel offers plugins. Taps are added only during `apply`. */
export interface KernelHooks {
  /** Bail chain per syscall; key = kernel syscall name. */
  readonly syscall: SyscallHookMap;
  /** Observe every trapped syscall before it is handled (strace, counters). */
  readonly syscallEnter: SyncHook<[SyscallContext]>;
  /** Observe every result. */
  readonly syscallExit: SyncHook<[SyscallContext, SyscallResult]>;
  /**
   * Observe what a call the kernel ran (a `native` or `rewrite` result) returned, as the program
   * sees it, at its syscall exit: output buffers are filled by then. A call that does not return
   * (a successful execve, exit) never comes here. Tapping it makes every such call stop at its
   * exit, which costs a context switch each: for observers that are switched on, like strace.
   */
  readonly nativeExit: SyncHook<[SyscallContext, bigint]>;
  /** Last chance for a syscall no tap handled; otherwise it fails with ENOSYS. */
  readonly unhandled: SyncBailHook<[SyscallContext], SyscallResult | undefined>;
  /** A process loaded a new image (after execve), before its first instruction. */
  readonly exec: SyncHook<[ExecEvent]>;
  /** A task was created by a `clone` result (copy per-process state here). */
  readonly clone: SyncHook<[CloneEvent]>;
  /** A thread ended (its final status is known; its process's memory may still be readable). */
  readonly threadExit: SyncHook<[ThreadView]>;
  /**
   * Whether a blocking call interrupted by `signal` restarts (a handler with SA_RESTART) rather
   * than failing with EINTR. Unanswered: EINTR.
   */
  readonly restartOnSignal: SyncBailHook<[ThreadView, number], boolean | undefined>;
  /**
   * A host's processes are about to be set up: a plugin adds to the set the names it taps that may
   * still run without a stop on this host (a strategy that needs none of them there). Only names
   * the support table runs natively, or traps per host, are affected; the others stay trapped.
   */
  readonly nativeOnHost: SyncHook<[HostView, Set<SyscallName>]>;
  /** The simulation starts: every host and its directory exist; no process has run yet. */
  readonly start: SyncHook<[readonly HostView[]]>;
  /** A process started: one the simulation file names, or a child a fork or clone made (after `clone`). */
  readonly processStart: SyncHook<[ProcessView]>;
  /** A process ended (`process.exit` says how); those still running at the end are killed first. */
  readonly processExit: SyncHook<[ProcessView]>;
  /** A host heartbeat lists the host's open sockets: the socket families add one row each. */
  readonly socketUsage: SyncHook<[HostView, SocketUsage[]]>;
  /** All plugins are applied; the hook graph is frozen. */
  readonly ready: SyncHook<[]>;
  /** The simulation ended and every process is gone: observers flush what they kept. */
  readonly finish: SyncHook<[]>;
}

/** Creates the hook set a kernel hands to plugins. */
export function createKernelHooks(onCreateSyscallHook?: (name: SyscallName, hook: SyscallHook) => void): KernelHooks {
  return {
    syscall: new SyscallHookMap(onCreateSyscallHook),
    syscallEnter: new SyncHook<[SyscallContext]>(['ctx']),
    syscallExit: new SyncHook<[SyscallContext, SyscallResult]>(['ctx', 'result']),
    nativeExit: new SyncHook<[SyscallContext, bigint]>(['ctx', 'value']),
    unhandled: new SyncBailHook<[SyscallContext], SyscallResult | undefined>(['ctx']),
    exec: new SyncHook<[ExecEvent]>(['event']),
    clone: new SyncHook<[CloneEvent]>(['event']),
    threadExit: new SyncHook<[ThreadView]>(['thread']),
    restartOnSignal: new SyncBailHook<[ThreadView, number], boolean | undefined>(['thread', 'signal']),
    nativeOnHost: new SyncHook<[HostView, Set<SyscallName>]>(['host', 'names']),
    start: new SyncHook<[readonly HostView[]]>(['hosts']),
    processStart: new SyncHook<[ProcessView]>(['process']),
    processExit: new SyncHook<[ProcessView]>(['process']),
    socketUsage: new SyncHook<[HostView, SocketUsage[]]>(['host', 'rows']),
    ready: new SyncHook<[]>([]),
    finish: new SyncHook<[]>([]),
  };
}
