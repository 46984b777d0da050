import { WaitQueue, type ThreadView } from '@shadow-ts/plugin-sdk';
import { PipeBuffer, type PipeDuplexEnd, type PipeReadEnd, type PipeWriteEnd } from './pipe.js';

/** An end of a FIFO, as open(2) makes it. */
export type FifoEnd = PipeReadEnd | PipeWriteEnd | PipeDuplexEnd;

/** One FIFO of the host: its pipe while any end is open, and the openers waiting for a partner. */
export class FifoNode {
  private current: PipeBuffer | null = null;
  /** Notified on every open: a reader or writer waiting for its partner checks the counters. */
  readonly opens = new WaitQueue();

  /**
   * The pipe a new open joins. Linux frees a FIFO's pipe when its last end closes, data and all;
   * the next open starts a fresh one.
   */
  pipe(): PipeBuffer {
    if (!this.current || (this.current.readers === 0 && this.current.writers === 0)) this.current = PipeBuffer.fifo();
    return this.current;
  }
}

/** An open that waits for its partner: the end it made, and the partner count it saw. */
export interface PendingOpen {
  readonly end: FifoEnd;
  readonly node: FifoNode;
  /** The partner side's open count when this open began (it waits until that changes). */
  readonly partnerOpens: number;
  readonly waitsFor: 'reader' | 'writer';
}

/**
 * The FIFOs of one host, by real file ("dev:ino"). FIFOs are per host: two hosts that open the
 * same path get two pipes, as two machines would.
 */
export class FifoTable {
  private readonly nodes = new Map<string, FifoNode>();
  private readonly pending = new Map<ThreadView, PendingOpen>();

  node(file: string): FifoNode {
    let node = this.nodes.get(file);
    if (!node) this.nodes.set(file, (node = new FifoNode()));
    return node;
  }

  wait(thread: ThreadView, open: PendingOpen): void {
    this.pending.set(thread, open);
  }

  /** The open ended (it got its descriptor, or failed): it no longer waits. */
  done(thread: ThreadView): void {
    this.pending.delete(thread);
  }

  /** The thread ended while it waited in open(2): its end was never handed out. */
  abandon(thread: ThreadView): void {
    const open = this.pending.get(thread);
    this.pending.delete(thread);
    open?.end.release();
  }
}
