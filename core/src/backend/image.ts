import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { SYSCALL_NUMBERS, isSyscallName } from '@shadow-ts/plugin-sdk';
import type { Backend } from './backend.js';

/**
 * Preparing a freshly executed image, at its PTRACE_EVENT_EXEC stop (the vDSO is mapped, ld.so
 * has not run): patch the vDSO so time reads trap, find the kernel's time pages ([vvar]), and
 * read the auxiliary vector.
 */

const SHT_DYNSYM = 11;

/** `mov eax, nr; syscall; ret`: the vDSO function becomes the real syscall, which the filter traps. */
function trapStub(nr: number): Uint8Array {
  return Uint8Array.of(0xb8, nr & 0xff, (nr >> 8) & 0xff, 0, 0, 0x0f, 0x05, 0xc3);
}

/**
 * `mov rax, -ENOSYS; ret`: for vgetrandom, whose calling convention differs from the syscall's.
 * libc treats the failure as "no vDSO getrandom" and falls back to the trapped syscall.
 */
const ENOSYS_STUB = Uint8Array.of(0x48, 0xc7, 0xc0, 0xda, 0xff, 0xff, 0xff, 0xc3);

/** `[start, end)` of every mapping of `pid` whose name satisfies `named`, in address order. */
function mappings(pid: number, named: (name: string) => boolean): [bigint, bigint][] {
  const ranges: [bigint, bigint][] = [];
  for (const line of readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
    // "start-end perms offset dev inode   name": the name is the sixth field, when there is one.
    const name = line.split(/\s+/, 6)[5];
    if (name === undefined || !named(name)) continue;
    const [start, end] = line.slice(0, line.indexOf(' ')).split('-').map((h) => BigInt(`0x${h}`));
    ranges.push([start!, end!]);
  }
  return ranges;
}

/**
 * The kernel's time data pages mapped into `pid`: `[vvar]`, and on 6.x kernels `[vvar_vclock]`.
 * The unpatched vDSO reads real time from them; so can any plain load.
 */
export function vvarRanges(pid: number): [bigint, bigint][] {
  return mappings(pid, (name) => name === '[vvar]' || name.startsWith('[vvar_'));
}

/** The vDSO image bytes (its ELF, including section headers), read through /proc/pid/mem. */
function readImage(pid: number, [start, end]: [bigint, bigint]): Buffer {
  const image = Buffer.alloc(Number(end - start));
  const fd = openSync(`/proc/${pid}/mem`, 'r');
  try {
    readSync(fd, image, 0, image.length, Number(start));
  } finally {
    closeSync(fd);
  }
  return image;
}

/** Exported dynamic symbols of an ELF64 image: name → offset from the load base and size. */
function dynamicSymbols(elf: Buffer): Map<string, { offset: number; size: number }> {
  const symbols = new Map<string, { offset: number; size: number }>();
  const shoff = Number(elf.readBigUInt64LE(0x28));
  const shentsize = elf.readUInt16LE(0x3a);
  const shnum = elf.readUInt16LE(0x3c);
  const section = (i: number) => shoff + i * shentsize;
  for (let i = 0; i < shnum; i++) {
    const sh = section(i);
    if (elf.readUInt32LE(sh + 4) !== SHT_DYNSYM) continue;
    const offset = Number(elf.readBigUInt64LE(sh + 0x18));
    const size = Number(elf.readBigUInt64LE(sh + 0x20));
    const entsize = Number(elf.readBigUInt64LE(sh + 0x38));
    const strtab = Number(elf.readBigUInt64LE(section(elf.readUInt32LE(sh + 0x28)) + 0x18));
    for (let sym = offset; sym + entsize <= offset + size; sym += entsize) {
      const nameStart = strtab + elf.readUInt32LE(sym);
      const name = elf.toString('latin1', nameStart, elf.indexOf(0, nameStart));
      const value = Number(elf.readBigUInt64LE(sym + 8));
      if (name && value) symbols.set(name, { offset: value, size: Number(elf.readBigUInt64LE(sym + 16)) });
    }
  }
  return symbols;
}

/** What patching a vDSO did. */
export interface VdsoPatch {
  /** The entries patched (syscall names), with their address and size in the vDSO. */
  readonly patched: ReadonlyMap<string, { readonly address: bigint; readonly size: number }>;
  /** Address of a `syscall` instruction in a trap stub (to run a call in the task), or null. */
  readonly syscallInsn: bigint | null;
}

/**
 * Makes every vDSO entry named after a syscall (`__vdso_clock_gettime`, `__vdso_time`, …) issue
 * that syscall instead, so time reads reach the simulator. No patched entry reads `[vvar]` any
 * more (the others, e.g. `__vdso_sgx_enter_enclave`, never did), so the time pages can go.
 */
export function patchVdso(backend: Backend, pid: number): VdsoPatch {
  const range = mappings(pid, (name) => name === '[vdso]')[0];
  if (range === undefined) return { patched: new Map(), syscallInsn: null };
  const base = range[0];
  const symbols = dynamicSymbols(readImage(pid, range));
  const patched = new Map<string, { address: bigint; size: number }>();
  let syscallInsn: bigint | null = null;
  for (const [symbol, { offset, size }] of symbols) {
    const name = symbol.startsWith('__vdso_') ? symbol.slice('__vdso_'.length) : null;
    if (name === null || !isSyscallName(name)) continue;
    const stub = name === 'getrandom' ? ENOSYS_STUB : trapStub(SYSCALL_NUMBERS[name]);
    const written = backend.patchMemory(pid, base + BigInt(offset), stub);
    if (written !== stub.length) throw new Error(`cannot patch vDSO entry ${symbol} of pid ${pid} (${written})`);
    patched.set(name, { address: base + BigInt(offset), size });
    // `mov eax, nr` is 5 bytes; the `syscall` follows.
    if (name !== 'getrandom') syscallInsn ??= base + BigInt(offset) + 5n;
  }
  return { patched, syscallInsn };
}

/** The auxiliary vector of `pid` (AT_* type → value). */
export function readAuxv(pid: number): Map<number, bigint> {
  const raw = readFileSync(`/proc/${pid}/auxv`);
  const auxv = new Map<number, bigint>();
  for (let at = 0; at + 16 <= raw.length; at += 16) {
    const type = Number(raw.readBigUInt64LE(at));
    if (type === 0) break;
    auxv.set(type, raw.readBigUInt64LE(at + 8));
  }
  return auxv;
}
