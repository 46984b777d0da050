import type {
  CallSlot,
  CallState,
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
  readonly call = new CallProgress();

  constructor(
    readonly thread: ThreadView,
    readonly process: ProcessView,
    readonly host: HostView,
    readonly memory: TraceeMemory,
    readonly warnOnce: (key: string, message: string) => void,
  ) {}

  /** Starts a new call (not a restart): nothing moved, no slot filled. */
  begin(nr: number, now: bigint): void {
    this.nr = nr;
    this.now = now;
    this.restarted = false;
    this.wake = null;
    this.call.clear();
  }

  /** Runs the parked call again (its condition fired or its deadline passed): what it moved so far stays. */
  rerun(wake: WakeReason | null, now: bigint): void {
    this.restarted = true;
    this.wake = wake;
    this.now = now;
  }
}

/** One call's progress and slots; the map is made on first use, so most calls allocate nothing. */
export class CallProgress implements CallState {
  transferred = 0;
  private slots: Map<CallSlot<unknown>, unknown> | null = null;

  get<T>(slot: CallSlot<T>): T | undefined {
    return this.slots?.get(slot) as T | undefined;
  }

  set<T>(slot: CallSlot<T>, value: T): void {
    (this.slots ??= new Map()).set(slot, value);
  }

  clear(): void {
    this.transferred = 0;
    this.slots = null;
  }
}
