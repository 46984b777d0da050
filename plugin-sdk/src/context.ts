import type { DescriptorTable, HeldDescriptor } from './files.js';
import type { HostNetwork } from './network.js';
import type { SyscallResult } from './result.js';
import type { SyscallName } from './syscalls.js';
import type { SimTime } from './time.js';
import type { Trigger, WakeReason } from './wait.js';

/** The six raw argument registers of a syscall, with typed views (gVisor's `args[i].Int()`). */
export interface SyscallArgs {
  /** The register as the kernel stores it (signed 64-bit). */
  raw(i: number): bigint;
  /** The low 32 bits as a signed C `int`. */
  int(i: number): number;
  /** The register as an unsigned 64-bit value. */
  u64(i: number): bigint;
  /** A pointer into the program's memory (0n is NULL). */
  ptr(i: number): bigint;
  /** A `size_t` that fits a JS number (larger sizes saturate at Number.MAX_SAFE_INTEGER). */
  sizeT(i: number): number;
}

/**
 * The calling program's memory. A read or write that touches an unmapped or protected byte fails
 * as a whole, and the handler answers EFAULT, as the kernel would.
 */
export interface TraceeMemory {
  /** `length` bytes at `addr`, or null when they are not all readable. */
  read(addr: bigint, length: number): Uint8Array | null;
  /**
   * The readable start of the `length` bytes at `addr`: all of them, or fewer up to the first
   * fault (empty when the first byte faults) — what the kernel copies before an EFAULT.
   */
  readPrefix(addr: bigint, length: number): Uint8Array;
  /** Writes all of `data` at `addr`; false when it could not. */
  write(addr: bigint, data: Uint8Array): boolean;
  /** A NUL-terminated string of at most `max` bytes, or null on a fault or when too long. */
  readCString(addr: bigint, max?: number): string | null;
}

/** A host's deterministic random stream (seeded from the simulation seed and the host name). */
export interface RandomSource {
  /** The next `length` bytes of the stream. */
  bytes(length: number): Uint8Array;
}

/** What plugins see of a simulated host. */
export interface HostView {
  readonly id: number;
  readonly name: string;
  /** Dotted IPv4 address of the host. */
  readonly ipAddress: string;
  /**
   * The host's directory in the data directory (`<data>/hosts/<name>`): its processes' working
   * directory and where their output files go (`<exe>.<pid>.stdout`, …). Observers write there.
   */
  readonly dataDir: string;
  readonly random: RandomSource;
  /** The host's current simulated time. */
  now(): SimTime;
  /**
   * Simulated time at which the host booted: one second before the simulation starts, so
   * CLOCK_MONOTONIC and CLOCK_BOOTTIME read 1 s at the start and never 0 (Go's runtime refuses a
   * zero nanotime). Not Shadow's base (every clock at 946684800 s): a monotonic reading that
   * large has a double's step of 0.12 µs, coarser than the 1 ns clock_getres reports, and
   * python's asyncio then spins forever on a timer due exactly now.
   */
  readonly bootTime: SimTime;
  /** Number of live processes on the host. */
  processCount(): number;
  /**
   * Runs `callback` at simulated time `at` on this host (timers of timerfd, …). Returns a function
   * that cancels it. The callback runs as an event of its own, never inside the caller.
   */
  schedule(at: SimTime, callback: () => void): () => void;
  /** Every host of the simulation (name and address), sorted by address: the simulated DNS. */
  knownHosts(): readonly { readonly name: string; readonly ipAddress: string }[];
  /** Its live processes, by pid. */
  processes(): readonly ProcessView[];
  /** Its network interfaces and the way packets leave and arrive. */
  readonly network: HostNetwork;
}

/** How a process ended. */
export type ProcessExit = { readonly exited: number } | { readonly signaled: number };

/** What plugins see of a managed process. Views are stable objects: use them as WeakMap keys. */
export interface ProcessView {
  /** Virtual pid on its host (from 1000). */
  readonly pid: number;
  /**
   * Virtual pid of the parent; 1 for processes the simulation started and for orphans that no
   * subreaper ancestor took in.
   */
  readonly parentPid: number;
  /** The real Linux pid, for handlers that let the kernel act on the process (wait4, kill). */
  readonly nativePid: number;
  /** Process group and session ids (virtual). */
  pgid: number;
  sid: number;
  /**
   * PR_SET_CHILD_SUBREAPER: when a descendant's parent ends, the orphans go to the nearest live
   * ancestor that set it instead of to init (pid 1). Not inherited by children (prctl(2)).
   */
  childSubreaper: boolean;
  /** How it ended; null while it runs. A process that ended and was not yet waited for is a zombie. */
  readonly exit: ProcessExit | null;
  /** Its children that have not been waited for (running or zombies), in creation order. */
  children(): readonly ProcessView[];
  /** Fires when one of its children ends, stops or is continued. */
  readonly childEvents: Trigger;
  /** Fires when a signal is sent to it or one of its threads (by the simulator, or SIGCHLD by the kernel). */
  readonly signalEvents: Trigger;
  /** Job control: the signal that stopped it, not yet reported to a wait (WUNTRACED/WSTOPPED), or null. */
  readonly stopReport: number | null;
  /** Job control: it was continued (SIGCONT) since the last report of that (WCONTINUED). */
  readonly continueReport: boolean;
  /** A wait reported the stop or the continue: it is not reported again. */
  takeJobReport(kind: 'stopped' | 'continued'): void;
  /** Forgets a zombie child once a wait has collected it. */
  reap(child: ProcessView): void;
  /** Its live threads. */
  threads(): readonly ThreadView[];
  /** The thread a process-directed signal goes to: the main thread while it lives, else another. */
  mainThread(): ThreadView | undefined;
  /** Basename of the executable, as in `<exe>.<pid>.stdout`. */
  readonly name: string;
  readonly host: HostView;
  /** Simulated time at which the process started. */
  readonly startTime: SimTime;
  /** Its descriptors that refer to virtual files. */
  readonly fds: DescriptorTable;
  /** Whether descriptor `fd` is open in the process (virtual or not). */
  isOpen(fd: number): boolean;
  /**
   * The soft limit of `resource` (an RLIMIT_* number) the kernel holds for the process now;
   * Infinity when unlimited or unreadable. (SDK 2.4)
   */
  resourceLimit(resource: number): number;
  /**
   * Its SIGCHLD handler was installed with SA_NOCLDSTOP: children that stop or continue send it
   * no SIGCHLD (the process plugin records it at rt_sigaction; fork copies it, exec clears it).
   */
  noChildStopSignals: boolean;
  /**
   * A hold of what descriptor `fd` refers to, for passing it to another process (SCM_RIGHTS;
   * `installDescriptors` gives the receiver its own): undefined when `fd` is not open.
   */
  holdDescriptor(fd: number): HeldDescriptor | undefined;
}

/** What plugins see of a managed thread. */
/**
 * Who a signal comes from, as its siginfo shows it: process `pid` (0: none) by kill, or by
 * tgkill/tkill when `tkill`; `code` overrides the si_code (SI_KERNEL, 0x80, for a signal the
 * kernel raises itself, such as ITIMER_REAL's SIGALRM).
 */
export interface SignalSource {
  readonly pid: number;
  readonly tkill?: boolean;
  readonly code?: number;
  /** SIGCHLD's si_status (the exit code or the signal), for the CLD_* codes. */
  readonly status?: number;
  /**
   * Called once, when the program takes the signal (its handler runs, sigtimedwait or a signalfd
   * returns it), with the siginfo it will see (128 bytes) to change in place: for what is known
   * only then, such as a POSIX timer's si_overrun.
   */
  readonly onTaken?: (siginfo: Uint8Array) => void;
}

export interface ThreadView {
  /** Virtual tid on its host (same counter as pids). */
  readonly tid: number;
  /** The real Linux tid. */
  readonly nativeTid: number;
  /**
   * Its stack pointer at the syscall being handled. Below the 128-byte red zone the stack is
   * scratch space until the call returns: where a handler puts a string it makes the kernel read.
   */
  readonly syscallStack: bigint;
  readonly process: ProcessView;
  /**
   * Sends a real signal to this thread, from process `sender` (by kill, or tgkill/tkill when
   * `tkill`; none: from the simulator). It is delivered when the thread runs next; a thread
   * parked in a blocking call that the signal would interrupt is woken with EINTR (or restarted,
   * for a handler installed with SA_RESTART on a restartable call), as Linux does. With `siginfo`
   * (128 bytes whose si_code is negative: SI_QUEUE, SI_TIMER, …) the signal carries that siginfo
   * as it is, as rt_tgsigqueueinfo(2) sends it — pids in it are the program's virtual ones.
   */
  signal(sig: number, sender?: SignalSource, siginfo?: Uint8Array): void;
  /** Signals pending for this thread or its process (bit n-1 for signal n; SigPnd | ShdPnd of /proc). */
  pendingSignals(): bigint;
  /**
   * The si_code and virtual si_pid a signal sent through `signal` must show, once: the kernel's
   * siginfo names the simulator. Delivery fixes it by itself; a call that takes the signal
   * without a delivery (rt_sigtimedwait run natively) asks for it here, with the si_code and
   * si_pid the kernel gave (`delivered`), which pick the right one of several queued real-time
   * signals. A `queued` one came with its own siginfo: only its `onTaken` is left to apply.
   */
  takeSender(
    sig: number,
    delivered?: { readonly code: number; readonly pid: number },
  ): (Pick<SignalSource, 'status' | 'onTaken'> & { readonly code: number; readonly pid: number; readonly queued?: boolean }) | undefined;
}

/** Log lines from plugin code, attributed to the plugin, host and simulated time. */
export interface PluginLogger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
}

/**
 * The key of one piece of per-call scratch state, typed by what it holds. Make it once, at
 * module scope (a key holds no state): `const DEADLINE = callSlot<SimTime>('epoll.deadline')`.
 */
export interface CallSlot<T> {
  readonly name: string;
  /** Never set: carries `T` for the type checker. */
  readonly value?: T;
}

/** A new slot key; `name` shows in debugging only, keys are told apart by identity. */
export function callSlot<T>(name: string): CallSlot<T> {
  return Object.freeze({ name });
}

/**
 * The state of one syscall that survives its restarts. A new call starts with nothing moved and
 * every slot empty; a restart of a blocked call sees what its earlier runs left.
 */
export interface CallState {
  /**
   * Bytes this call has moved so far (written, sent, or read into the program's buffer) when it
   * moves them over several runs: a blocking write larger than the buffer, a MSG_WAITALL receive.
   * The core settles every call by one rule (signal(7), pipe(7), socket(7)): once bytes moved, a
   * signal that interrupts the parked call, and any errno the handler answers (EAGAIN after
   * SO_SNDTIMEO, EPIPE, EFAULT, …), end the call with this count instead — never EINTR, never a
   * restart that would move the bytes again.
   */
  transferred: number;
  get<T>(slot: CallSlot<T>): T | undefined;
  set<T>(slot: CallSlot<T>, value: T): void;
}

/** The deadline of a call with a timeout, fixed at its first run (null: it waits without one). */
const DEADLINE = callSlot<SimTime | null>('deadline');

/**
 * The absolute deadline of the current call, or null to wait without one. `compute` runs on the
 * first run only (it reads the timeout argument, and may answer the call's errno instead); a
 * restart sees the same deadline, so a wake-up that finds nothing ready waits for the same
 * instant again rather than for a fresh timeout.
 */
export function callDeadline(
  ctx: SyscallContext,
  compute: () => SimTime | null | SyscallResult,
): SimTime | null | SyscallResult {
  const stored = ctx.call.get(DEADLINE);
  if (stored !== undefined) return stored;
  const deadline = compute();
  if (deadline === null || typeof deadline === 'bigint') ctx.call.set(DEADLINE, deadline);
  return deadline;
}

/** One trapped syscall, as the hook chain sees it. */
export interface SyscallContext {
  readonly name: SyscallName;
  readonly nr: number;
  readonly args: SyscallArgs;
  readonly thread: ThreadView;
  readonly process: ProcessView;
  readonly host: HostView;
  readonly memory: TraceeMemory;
  /** The host's simulated time when this call runs. */
  readonly now: SimTime;
  /** True when the call blocked before and is running again. */
  readonly restarted: boolean;
  /** Why a restarted call runs again; null on its first run. */
  readonly wake: WakeReason | null;
  /** What this call carries across its restarts: its progress and typed scratch slots. */
  readonly call: CallState;
  /** Warn once per run for `key` (partial support, ignored flags). */
  warnOnce(key: string, message: string): void;
}

/** A freshly executed image, at the moment its loader is about to run. */
export interface ExecEvent {
  readonly process: ProcessView;
  readonly host: HostView;
  readonly memory: TraceeMemory;
  /** The auxiliary vector of the new image (AT_* type → value). */
  readonly auxv: ReadonlyMap<number, bigint>;
}

/** A task created by a `clone` result, at the moment it exists (before it first runs). */
export interface CloneEvent {
  readonly parent: ThreadView;
  readonly child: ThreadView;
  readonly thread: boolean;
}
