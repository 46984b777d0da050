import { MAX_RW_COUNT, TASK_SIZE, type TraceeMemory } from '@shadow-ts/plugin-sdk';
import type { Backend } from '../backend/backend.js';

const PAGE = 4096n;
/** How much readPrefix reads at a time. */
const PREFIX_CHUNK = 1 << 20;

/**
 * Whether `length` bytes at `addr` can be user memory at all: a non-null address, a length no
 * transfer exceeds, and a range that neither wraps nor leaves user space (access_ok). Checked
 * here, once, for every handler: a program's pointers and counts are untrusted input.
 */
function inUserSpace(addr: bigint, length: number): boolean {
  return Number.isSafeInteger(length) && length >= 0 && length <= MAX_RW_COUNT && addr > 0n && addr + BigInt(length) <= TASK_SIZE;
}

/** A process's memory through process_vm_readv/writev: faults become null/false (EFAULT). */
export class ProcessMemory implements TraceeMemory {
  constructor(
    private readonly backend: Backend,
    private readonly realPid: number,
  ) {}

  read(addr: bigint, length: number): Uint8Array | null {
    if (length === 0) return new Uint8Array(0);
    if (!inUserSpace(addr, length)) return null;
    const out = new Uint8Array(length);
    return this.backend.readMemory(this.realPid, addr, out) === length ? out : null;
  }

  readPrefix(addr: bigint, length: number): Uint8Array {
    if (length <= 0 || !inUserSpace(addr, 1)) return new Uint8Array(0);
    const end = Math.min(length, MAX_RW_COUNT, Number(TASK_SIZE - addr));
    // Chunk by chunk, so that what is allocated follows what the program really has mapped,
    // not the count it passed.
    const chunks: Uint8Array[] = [];
    for (let done = 0; done < end; ) {
      const chunk = new Uint8Array(Math.min(PREFIX_CHUNK, end - done));
      const got = this.backend.readMemory(this.realPid, addr + BigInt(done), chunk);
      if (got > 0) chunks.push(chunk.subarray(0, got));
      if (got < chunk.length) break;
      done += got;
    }
    return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  }

  write(addr: bigint, data: Uint8Array): boolean {
    if (data.length === 0) return true;
    return inUserSpace(addr, data.length) && this.backend.writeMemory(this.realPid, addr, data) === data.length;
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
