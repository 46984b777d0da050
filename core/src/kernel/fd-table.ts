import type { DescriptorTable, OpenFile } from '@shadow-ts/plugin-sdk';

/**
 * The virtual half of a process's descriptor table: which fd numbers are bound to virtual open
 * files. The numbers themselves are allocated by the tracee's kernel (each sits on a real
 * placeholder descriptor), so dup, lowest-free-fd and close-on-exec behave exactly as Linux.
 */
export class FdTable implements DescriptorTable {
  private readonly files = new Map<number, OpenFile>();

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

  /** Drops every binding (the process is gone). */
  clear(): void {
    for (const fd of [...this.files.keys()]) this.unbind(fd);
  }
}
