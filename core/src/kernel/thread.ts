import { Resume } from '@shadow-ts/native';
import type { CloneRequest, ResultMapper, SignalSource, ThreadView, WaitCondition, WakeReason } from '@shadow-ts/plugin-sdk';
import type { SimEvent } from '../sim/event-queue.js';
import { CallContext } from './context.js';
import { SI_TKILL, pendingSignals } from './signals.js';
import type { Process } from './process.js';

/** A syscall parked at its seccomp stop until its wait condition fires. */
export interface BlockedCall {
  readonly condition: WaitCondition;
  readonly restartable: boolean;
  /** Signals that end the wait by running the call natively (see `block`). */
  readonly nativeOnSignals: bigint;
  /** Called when a signal ends the wait with EINTR. */
  readonly onInterrupt: (() => void) | undefined;
  /** Maps the result of the kernel's run of the call that a signal of `nativeOnSignals` started. */
  readonly mapResult: ResultMapper | undefined;
  /** Removes the trigger subscription and the timeout event. */
  release(): void;
}

/** A clone in progress: what was asked, the caller's stack pointer, and the child once it exists. */
export interface PendingClone {
  readonly request: CloneRequest;
  readonly stack: bigint;
  readonly child: Thread | null;
}

/** Who sent a signal queued to a thread: the si_code and virtual si_pid its siginfo must show. */
export interface SignalSender {
  readonly code: number;
  readonly pid: number;
  /** SIGCHLD's si_status, for the CLD_* codes. */
  readonly status?: number;
  /** Sees (and may change) the siginfo when the program takes the signal. */
  readonly onTaken?: (siginfo: Uint8Array) => void;
  /** Queued with a siginfo of its own (rt_tgsigqueueinfo): `code` and `pid` are that siginfo's. */
  readonly queued?: boolean;
}

/** The first real-time signal: those queue one instance per send, the others merge while pending. */
const SIGRTMIN = 32;

/**
 * A managed thread: a real task, parked at a ptrace stop whenever it is not running. Its state
 * changes only through its own methods; the task-* modules of the kernel call them.
 */
export class Thread implements ThreadView {
  readonly ctx: CallContext;
  private mode: Resume = Resume.None;
  private value = 0n;
  /** Stack pointer at the current syscall stop. */
  private stack = 0n;
  private mapper: ResultMapper | null = null;
  private parked: BlockedCall | null = null;
  private wake: SimEvent | null = null;
  private clone: PendingClone | null = null;
  private isHeld = false;
  private isExited = false;
  /** Who sent each pending signal: the last sender of a standard one, every queued real-time one in order. */
  private readonly senders = new Map<number, SignalSender[]>();
  /** Non-blocking calls made since the thread last parked (busy-loop detection). */
  unblockedCalls = 0;
  /** A run asked for while its process was stopped (job control), with its wake reason; run at SIGCONT. */
  stoppedRun: { wake: WakeReason | null } | null = null;

  constructor(
    readonly tid: number,
    readonly realTid: number,
    readonly process: Process,
    warnOnce: (key: string, message: string) => void,
    private readonly sendSignal: (thread: Thread, sig: number, sender?: SignalSource, siginfo?: Uint8Array) => void,
  ) {
    this.ctx = new CallContext(this, process, process.host, process.memory, warnOnce);
  }

  get syscallStack(): bigint {
    // A notification carries no stack pointer: read it when a handler first asks.
    if (this.stack === 0n) this.stack = this.process.syscallStack(this.realTid);
    return this.stack;
  }

  get nativeTid(): number {
    return this.realTid;
  }

  /** The call this thread is parked in, if any. */
  get blocked(): BlockedCall | null {
    return this.parked;
  }

  /** Kept from running (vfork semantics) until its child execs or exits. */
  get held(): boolean {
    return this.isHeld;
  }

  get exited(): boolean {
    return this.isExited;
  }

  signal(sig: number, sender?: SignalSource, siginfo?: Uint8Array): void {
    this.sendSignal(this, sig, sender, siginfo);
  }

  pendingSignals(): bigint {
    return pendingSignals(this.realTid);
  }

  /** How to resume the real task the next time it runs. */
  get resumeMode(): Resume {
    return this.mode;
  }

  /** The value `resumeMode` uses (a return value, a signal, a syscall number). */
  get resumeValue(): bigint {
    return this.value;
  }

  /** Sets how the real task resumes next. */
  resumeWith(mode: Resume, value = 0n): void {
    this.mode = mode;
    this.value = value;
  }

  /** Takes a seccomp stop for syscall `nr`: a new call begins. */
  beginSyscall(nr: number, now: bigint, stack: bigint): void {
    this.ctx.begin(nr, now);
    this.stack = stack;
  }

  /** Lets the call run natively; `map` (if any) rewrites its result at the syscall exit. */
  runNatively(map: ResultMapper | null): void {
    this.mapper = map;
    this.resumeWith(map ? Resume.ToExit : Resume.Continue);
  }

  /** The mapper of the call let through, once: its syscall exit has come. */
  takeResultMapper(): ResultMapper | null {
    const map = this.mapper;
    this.mapper = null;
    return map;
  }

  /** Lets a clone run natively to its exit stop, remembering what was asked and the stack it was asked on. */
  beginClone(request: CloneRequest): void {
    this.clone = { request, stack: this.stack, child: null };
    this.resumeWith(Resume.ToExit);
  }

  /** The clone in progress, without ending it. */
  get pendingClone(): PendingClone | null {
    return this.clone;
  }

  /** The clone in progress has created `child` (null: the new task ended before its first stop). */
  cloneCreated(child: Thread | null): void {
    if (this.clone) this.clone = { ...this.clone, child };
  }

  /** Ends the clone in progress and returns it. */
  takePendingClone(): PendingClone | null {
    const pending = this.clone;
    this.clone = null;
    return pending;
  }

  /** Parks the thread in `call` until its condition fires or a signal ends it. */
  park(call: BlockedCall): void {
    this.parked = call;
    this.unblockedCalls = 0;
  }

  /** Ends the parked call, if any: its trigger and timeout are released. */
  unpark(): void {
    this.parked?.release();
    this.parked = null;
  }

  /** Sets the event that will run this thread, replacing (cancelling) the one pending. */
  setWakeEvent(event: SimEvent): void {
    this.cancelWake();
    this.wake = event;
  }

  /** The wake event has fired: none is pending any more. */
  wakeEventRan(): void {
    this.wake = null;
  }

  /** Cancels the pending wake event, if any. */
  cancelWake(): void {
    if (this.wake) this.wake.cancelled = true;
    this.wake = null;
  }

  /** Keeps the thread from running (vfork semantics). */
  hold(): void {
    this.isHeld = true;
  }

  /** Lets a held thread run again. */
  release(): void {
    this.isHeld = false;
  }

  /** The real task is gone (or going): the thread never runs again. */
  markExited(): void {
    this.isExited = true;
  }

  /** Records who sent `sig`, for the siginfo the program will read. */
  recordSender(sig: number, sender: SignalSender): void {
    const queued = sig >= SIGRTMIN ? this.senders.get(sig) : undefined;
    if (queued) queued.push(sender);
    else this.senders.set(sig, [sender]);
  }

  /**
   * The recorded sender of `sig`, once. For a real-time signal, several may be queued: the one
   * whose siginfo the kernel delivers (`code` and `pid`, the siginfo's si_code and si_pid, when
   * known) — the simulator's tgkill for a plain send, the siginfo itself for a queued one.
   */
  takeSender(sig: number, delivered?: { readonly code: number; readonly pid: number }): SignalSender | undefined {
    const queued = this.senders.get(sig);
    if (!queued) return undefined;
    const at =
      sig < SIGRTMIN || !delivered
        ? 0
        : queued.findIndex((r) => (r.queued ? r.code === delivered.code && r.pid === delivered.pid : delivered.code === SI_TKILL));
    if (at < 0) return undefined;
    const [sender] = queued.splice(at, 1);
    if (queued.length === 0) this.senders.delete(sig);
    return sender;
  }
}
