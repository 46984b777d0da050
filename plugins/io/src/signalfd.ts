import { O, POLL, type ProcessView, type ThreadView } from '@shadow-ts/plugin-sdk';
import { AnonInodeFile } from './anon-inode.js';

/** SIGKILL and SIGSTOP, which a signalfd's mask silently leaves out (signalfd(2)). */
const UNCATCHABLE = (1n << 8n) | (1n << 18n);

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

  /** The signals of the mask pending for `reader`. */
  pendingFor(reader: ThreadView): bigint {
    return reader.pendingSignals() & this.mask;
  }

  poll(): number {
    const main = this.owner.mainThread();
    return main && this.pendingFor(main) !== 0n ? POLL.IN : 0;
  }

  override fdLink(): string {
    return 'anon_inode:[signalfd]';
  }

  override release(): void {
    this.unsubscribe();
  }
}
