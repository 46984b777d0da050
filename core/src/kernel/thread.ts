import { Resume } from '@shadow-ts/native';
import type { CloneRequest, ResultMapper, ThreadView, WaitCondition } from '@shadow-ts/plugin-sdk';
import type { SimEvent } from '../sim/event-queue.js';
import { CallContext } from './context.js';
import type { Process } from './process.js';

/** A syscall parked at its seccomp stop until its wait condition fires. */
export interface BlockedCall {
  readonly condition: WaitCondition;
  readonly restartable: boolean;
  /** Signals that end the wait by running the call natively (see `block`). */
  readonly nativeOnSignals: bigint;
  /** Called when a signal ends the wait with EINTR. */
  readonly onInterrupt: (() => void) | undefined;
  /** Removes the trigger subscription and the timeout event. */
  release(): void;
}

/** A managed thread: a real task, parked at a ptrace stop whenever it is not running. */
export class Thread implements ThreadView {
  /** How to resume the real task the next time it runs. */
  resumeMode: Resume = Resume.None;
  resumeValue = 0n;
  /** Maps the native result of the syscall let through (native/rewrite with mapResult). */
  mapResult: ResultMapper | null = null;
  blocked: BlockedCall | null = null;
  /** The pending event that will run this thread, if any. */
  wakeEvent: SimEvent | null = null;
  /** A clone in progress: what was asked, the caller's stack pointer, and the child once it exists. */
  pendingClone: { readonly request: CloneRequest; readonly stack: bigint; child: Thread | null } | null = null;
  /** Kept from running (vfork semantics) until its child execs or exits. */
  held = false;
  /** Who sent the signals queued to this thread (si_code, virtual si_pid), by signal number. */
  readonly senders = new Map<number, { readonly code: number; readonly pid: number }>();
  /** Stack pointer at the current syscall stop. */
  syscallStack = 0n;
  exited = false;
  readonly ctx: CallContext;

  constructor(
    readonly tid: number,
    readonly realTid: number,
    readonly process: Process,
    warnOnce: (key: string, message: string) => void,
    private readonly sendSignal: (thread: Thread, sig: number, sender?: { pid: number; tkill?: boolean }) => void,
  ) {
    this.ctx = new CallContext(this, process, process.host, process.memory, warnOnce);
  }

  get nativeTid(): number {
    return this.realTid;
  }

  signal(sig: number, sender?: { readonly pid: number; readonly tkill?: boolean }): void {
    this.sendSignal(this, sig, sender);
  }

  /** Sets how the real task resumes next. */
  resumeWith(mode: Resume, value = 0n): void {
    this.resumeMode = mode;
    this.resumeValue = value;
  }
}
