import type {
  HostView,
  ProcessView,
  SyscallArgs,
  SyscallContext,
  SyscallName,
  ThreadView,
  TraceeMemory,
  WakeReason,
} from '@shadow-ts/plugin-sdk';

/** Typed views of six saved argument registers. */
export class ArgWords implements SyscallArgs {
  readonly words = new BigInt64Array(6);

  raw(i: number): bigint {
    return this.words[i]!;
  }
  int(i: number): number {
    return Number(BigInt.asIntN(32, this.words[i]!));
  }
  u64(i: number): bigint {
    return BigInt.asUintN(64, this.words[i]!);
  }
  ptr(i: number): bigint {
    return BigInt.asUintN(64, this.words[i]!);
  }
  sizeT(i: number): number {
    const v = BigInt.asUintN(64, this.words[i]!);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
}

/**
 * The context of the syscall a thread is making. One per thread, refilled at each stop (no
 * allocation per syscall); while the thread is blocked it keeps the parked call's arguments.
 */
export class CallContext implements SyscallContext {
  name: SyscallName = 'read';
  nr = -1;
  readonly args = new ArgWords();
  now = 0n;
  restarted = false;
  wake: WakeReason | null = null;
  private callState: Record<string, unknown> | null = null;

  constructor(
    readonly thread: ThreadView,
    readonly process: ProcessView,
    readonly host: HostView,
    readonly memory: TraceeMemory,
    readonly warnOnce: (key: string, message: string) => void,
  ) {}

  /** Created on first use, so calls that need no state allocate nothing. */
  get state(): Record<string, unknown> {
    return (this.callState ??= {});
  }

  /** Starts a new call (not a restart): its state begins empty. */
  begin(nr: number, now: bigint): void {
    this.nr = nr;
    this.now = now;
    this.restarted = false;
    this.wake = null;
    this.callState = null;
  }
}
