import type { TraceeMemory } from '@shadow-ts/plugin-sdk';
import type { Backend } from '../backend/backend.js';

const PAGE = 4096n;

/** A process's memory through process_vm_readv/writev: faults become null/false (EFAULT). */
export class ProcessMemory implements TraceeMemory {
  constructor(
    private readonly backend: Backend,
    private readonly realPid: number,
  ) {}

  read(addr: bigint, length: number): Uint8Array | null {
    if (addr === 0n && length > 0) return null;
    const out = new Uint8Array(length);
    return length === 0 || this.backend.readMemory(this.realPid, addr, out) === length ? out : null;
  }

  write(addr: bigint, data: Uint8Array): boolean {
    if (addr === 0n && data.length > 0) return false;
    return data.length === 0 || this.backend.writeMemory(this.realPid, addr, data) === data.length;
  }

  readCString(addr: bigint, max = 4096): string | null {
    const chunks: Uint8Array[] = [];
    let total = 0;
    let at = addr;
    while (total < max) {
      // Read up to the end of the page: the next page may be unmapped although the string ends here.
      const length = Math.min(Number(PAGE - (at % PAGE)), max - total);
      const chunk = this.read(at, length);
      if (!chunk) return null;
      const nul = chunk.indexOf(0);
      if (nul >= 0) {
        chunks.push(chunk.subarray(0, nul));
        return Buffer.concat(chunks).toString('utf8');
      }
      chunks.push(chunk);
      total += length;
      at += BigInt(length);
    }
    return null;
  }
}
