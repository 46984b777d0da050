import type { SyscallContext } from './context.js';
import { Errno } from './errno.js';
import { errno, type SyscallResult } from './result.js';
import { NS_PER_SEC, NS_PER_US } from './time.js';

/** Linux's MAX_RW_COUNT (INT_MAX rounded down to a page): no single transfer moves more bytes. */
export const MAX_RW_COUNT = 0x7ffff000;

/** Where user addresses end on x86_64 (TASK_SIZE): an address + length beyond it is EFAULT (access_ok). */
export const TASK_SIZE = 0x7ffffffff000n;

/** Encodes nanoseconds as a `struct timespec` (16 bytes, x86_64). */
export function timespecBytes(ns: bigint): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setBigInt64(0, ns / NS_PER_SEC, true);
  view.setBigInt64(8, ns % NS_PER_SEC, true);
  return out;
}

/** Encodes nanoseconds as a `struct timeval` (16 bytes, x86_64), truncated to microseconds. */
export function timevalBytes(ns: bigint): Uint8Array {
  const out = new Uint8Array(16);
  const view = new DataView(out.buffer);
  view.setBigInt64(0, ns / NS_PER_SEC, true);
  view.setBigInt64(8, (ns % NS_PER_SEC) / NS_PER_US, true);
  return out;
}

/**
 * Decodes a `struct timespec`: `{ sec, nsec }` as the program wrote them, so callers can apply
 * their own validity rules (EINVAL for nsec outside [0, 1e9), negative seconds, …).
 */
export function readTimespec(bytes: Uint8Array): { sec: bigint; nsec: bigint } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { sec: view.getBigInt64(0, true), nsec: view.getBigInt64(8, true) };
}

/**
 * A `struct timespec` duration or timeout argument at `addr`, in nanoseconds — or the result a
 * syscall gives for a bad one: EFAULT when unreadable, EINVAL for negative seconds or nanoseconds
 * outside [0, 1e9) (timespec64_valid).
 */
export function readDuration(ctx: SyscallContext, addr: bigint): bigint | SyscallResult {
  const bytes = ctx.memory.read(addr, 16);
  if (!bytes) return errno(Errno.EFAULT);
  const { sec, nsec } = readTimespec(bytes);
  if (sec < 0n || nsec < 0n || nsec >= NS_PER_SEC) return errno(Errno.EINVAL);
  return sec * NS_PER_SEC + nsec;
}
