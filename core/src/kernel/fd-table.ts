import type { DescriptorTable, OpenFile } from '@shadow-ts/plugin-sdk';

/**
 * The virtual half of a process's descriptor table: which fd numbers are bound to virtual open
 * files. The numbers themselves are allocated by the tracee's kernel (each sits on a real
 * placeholder descriptor), so dup, lowest-free-fd and close-on-exec behave exactly as Linux.
 */
export class FdTable implements DescriptorTable {
  private readonly files = new Map<number, OpenFile>();
  /** Processes using this table (CLONE_FILES shares one table between processes). */
  private users = 1;

  get(fd: number): OpenFile | undefined {
    return this.files.get(fd);
  }

  bind(fd: number, file: OpenFile): void {
    this.unbind(fd);
    file.refs++;
    this.files.set(fd, file);
  }

  unbind(fd: number): void {
    const file = this.files.get(fd);
    if (!file) return;
    this.files.delete(fd);
    if (--file.refs === 0) file.release();
  }

  entries(): IterableIterator<[number, OpenFile]> {
    return this.files.entries();
  }

  /** The table for a child made without CLONE_FILES: the same bindings, sharing the open files. */
  copy(): FdTable {
    const table = new FdTable();
    for (const [fd, file] of this.files) table.bind(fd, file);
    return table;
  }

  /** The table for a child made with CLONE_FILES: this very table. */
  share(): FdTable {
    this.users++;
    return this;
  }

  /** A process using the table is gone; the last one closes every descriptor. */
  detach(): void {
    if (--this.users > 0) return;
    for (const fd of [...this.files.keys()]) this.unbind(fd);
  }
}
