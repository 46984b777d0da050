import { readFileSync } from 'node:fs';
import type { Backend } from '../backend/backend.js';
import type { Process } from './process.js';

/** What the simulator reads about real tasks from /proc. */

/** The command name the kernel gave a process at exec (basename of the path, 15 bytes at most). */
export function commandName(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * vfork as fork: the child ran on a copy of the parent's stack. Copy the region from the
 * parent's stack pointer at the call to the end of its mapping back into the parent, so what
 * the child wrote there (posix_spawn's error code) reaches the parent as with a shared stack.
 */
export function restoreStack(backend: Backend, child: Process, parent: Process, sp: bigint): void {
  const end = mappingEnd(parent.realPid, sp);
  if (end === null) return;
  const bytes = new Uint8Array(Number(end - sp));
  if (backend.readMemory(child.realPid, sp, bytes) === bytes.length) backend.writeMemory(parent.realPid, sp, bytes);
}

/** End of the mapping of `pid` that contains `addr`. */
function mappingEnd(pid: number, addr: bigint): bigint | null {
  for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    const dash = line.indexOf('-');
    const space = line.indexOf(' ');
    if (dash < 0) continue;
    const start = BigInt(`0x${line.slice(0, dash)}`);
    const end = BigInt(`0x${line.slice(dash + 1, space)}`);
    if (addr >= start && addr < end) return end;
  }
  return null;
}

