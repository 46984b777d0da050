/**
 * Fakes of what a syscall handler reads, for unit tests that call plugin handlers directly: the
 * argument registers, and the program's memory as one flat region where anything outside faults.
 */

import type { SyscallArgs } from '@shadow-ts/plugin-sdk';

/** Typed views of the registers `values()` holds now (missing ones are 0). */
export function fakeArgs(values: () => readonly bigint[]): SyscallArgs {
  const at = (i: number) => values()[i] ?? 0n;
  return {
    raw: at,
    int: (i) => Number(BigInt.asIntN(32, at(i))),
    u64: (i) => BigInt.asUintN(64, at(i)),
    ptr: (i) => BigInt.asUintN(64, at(i)),
    sizeT: (i) => Number(at(i)),
  };
}

/** `size` bytes of program memory at `base`: the bytes, and read/write as TraceeMemory answers them. */
export function fakeMemory(base: bigint, size: number) {
  const bytes = new Uint8Array(size);
  const inRange = (addr: bigint, n: number) => addr >= base && addr + BigInt(n) <= base + BigInt(size);
  const offset = (addr: bigint) => Number(addr - base);
  return {
    bytes,
    memory: {
      read: (addr: bigint, n: number) => (inRange(addr, n) ? bytes.slice(offset(addr), offset(addr) + n) : null),
      readPrefix: (addr: bigint, n: number) => (inRange(addr, 1) ? bytes.slice(offset(addr), offset(addr) + n) : new Uint8Array(0)),
      write: (addr: bigint, data: Uint8Array) => (inRange(addr, data.length) ? (bytes.set(data, offset(addr)), true) : false),
    },
  };
}
