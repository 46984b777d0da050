import type { HostView, ThreadView } from '@shadow-ts/plugin-sdk';
import { AsyncIo } from './async-io.js';
import { FifoTable } from './fifo.js';
import { LockWaits } from './locks.js';

/**
 * What the io family remembers between syscalls, for one kernel: per host, the lock waits and
 * the FIFOs opened by path; per virtual file, its O_ASYNC owner. `apply` creates it and the taps close over it.
 */
export class IoState {
  /** O_ASYNC owners and their signals (F_SETOWN, F_SETSIG, FIOASYNC). */
  readonly asyncIo = new AsyncIo();
  private readonly lockWaits = new WeakMap<HostView, LockWaits>();
  private readonly fifoTables = new WeakMap<HostView, FifoTable>();

  locks(host: HostView): LockWaits {
    let waits = this.lockWaits.get(host);
    if (!waits) this.lockWaits.set(host, (waits = new LockWaits(host)));
    return waits;
  }

  fifos(host: HostView): FifoTable {
    let table = this.fifoTables.get(host);
    if (!table) this.fifoTables.set(host, (table = new FifoTable()));
    return table;
  }

  /** A thread ended: what its process held may be released; a FIFO open it waited in is undone. */
  onThreadExit(thread: ThreadView): void {
    const host = thread.process.host;
    this.lockWaits.get(host)?.unpark(thread);
    this.lockWaits.get(host)?.releasedAny();
    this.fifoTables.get(host)?.abandon(thread);
  }
}
