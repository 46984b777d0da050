import { O, POLL, type ProcessView } from '@shadow-ts/plugin-sdk';
import { readFileSync } from 'node:fs';
import { AnonInodeFile } from './anon-inode.js';

/** SIGKILL and SIGSTOP, which a signalfd's mask silently leaves out (signalfd(2)). */
const UNCATCHABLE = (1n << 8n) | (1n << 18n);

/** Signals pending for real thread `tid` or its process (SigPnd | ShdPnd of /proc). */
export function pendingSignals(tid: number): bigint {
  try {
    const status = readFileSync(`/proc/${tid}/status`, 'utf8');
    const field = (name: string) => BigInt(`0x${new RegExp(`^${name}:\\s*([0-9a-f]+)`, 'm').exec(status)?.[1] ?? '0'}`);
    return field('SigPnd') | field('ShdPnd');
  } catch {
    return 0n;
  }
}

/**
 * A signalfd (signalfd(2)): readable while a signal of its mask is pending for the reader; a
 * read dequeues one (sys-signalfd.ts has the kernel do it). It learns of signals through the
 * signal events of the process that made it.
 */
export class SignalFd extends AnonInodeFile {
  readonly kind = 'signalfd';
  mask: bigint;
  private readonly unsubscribe: () => void;

  constructor(
    mask: bigint,
    flags: number,
    private readonly owner: ProcessView,
  ) {
    super(O.RDWR | (flags & O.NONBLOCK));
    this.mask = mask & ~UNCATCHABLE;
    this.unsubscribe = owner.signalEvents.subscribe(() => this.readiness.notify(POLL.IN));
  }

  setMask(mask: bigint): void {
    this.mask = mask & ~UNCATCHABLE;
    this.readiness.notify();
  }

  /** The signals of the mask pending for real thread `tid` (the reader). */
  pendingFor(tid: number): bigint {
    return pendingSignals(tid) & this.mask;
  }

  poll(): number {
    const threads = this.owner.threads();
    const main = threads.find((t) => t.tid === this.owner.pid) ?? threads[0];
    return main && this.pendingFor(main.nativeTid) !== 0n ? POLL.IN : 0;
  }

  override fdLink(): string {
    return 'anon_inode:[signalfd]';
  }

  override release(): void {
    this.unsubscribe();
  }
}
