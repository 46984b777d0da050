import {
  Errno,
  MAX_RW_COUNT,
  POLL,
  block,
  errno,
  newDescriptor as sdkNewDescriptor,
  ok,
  waitFor,
  type IoResult,
  type OpenFile,
  type SimTime,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';

/**
 * Helpers shared by the io family: turning file results into syscall results, placeholder
 * descriptors, iovecs, and what native descriptors look like to poll.
 */

export const EBADF = (): SyscallResult => errno(Errno.EBADF);
export const EFAULT = (): SyscallResult => errno(Errno.EFAULT);
export const EINVAL = (): SyscallResult => errno(Errno.EINVAL);

/**
 * The descriptor `fd` of the calling process as a virtual file, or undefined when it is an
 * ordinary descriptor the kernel handles (or not open at all: the kernel then says EBADF).
 */
export function virtualFile(ctx: SyscallContext, fd: number): OpenFile | undefined {
  return fd < 0 ? undefined : ctx.process.fds.get(fd);
}

/**
 * The answer when `file` cannot transfer data now: park the thread until the file's readiness
 * changes (for `events`, when given: POLL_READ, POLL_WRITE), or EAGAIN for a non-blocking
 * description. A woken call runs again and re-checks.
 */
export function wouldBlock(file: OpenFile, deadline?: SimTime, events?: number): SyscallResult {
  if (file.nonBlocking) return errno(Errno.EAGAIN);
  return block(waitFor.trigger(events === undefined ? file.readiness : file.readiness.on(events), deadline));
}

/**
 * Turns a file's read/write outcome into a syscall result; `'again'` blocks (until `events`)
 * or fails with EAGAIN.
 */
export function ioResult(file: OpenFile, result: IoResult, deliver: (data: Uint8Array) => boolean, events: number): SyscallResult {
  if (result === 'again') return wouldBlock(file, undefined, events);
  if (typeof result === 'number') return ok(result);
  if (result instanceof Uint8Array) return deliver(result) ? ok(result.length) : EFAULT();
  return errno(result.errno);
}

/** Gives `file` a descriptor in the calling process (see the SDK's newDescriptor). */
export function newDescriptor(ctx: SyscallContext, file: OpenFile, cloexec: boolean): SyscallResult {
  return sdkNewDescriptor(ctx, file, { cloexec });
}

/** One `struct iovec`. */
export interface Iovec {
  readonly base: bigint;
  readonly length: number;
}

/** IOV_MAX: Linux refuses more iovecs with EINVAL. */
export const IOV_MAX = 1024;

/** Reads `count` iovecs at `addr`; null on a fault. */
export function readIovecs(ctx: SyscallContext, addr: bigint, count: number): Iovec[] | null {
  const raw = ctx.memory.read(addr, count * 16);
  if (!raw) return null;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const iovecs: Iovec[] = [];
  for (let i = 0; i < count; i++) {
    iovecs.push({ base: view.getBigUint64(i * 16, true), length: Number(view.getBigUint64(i * 16 + 8, true)) });
  }
  return iovecs;
}

/** Copies `data` into the buffers of `iovecs` in order; false on a fault. */
export function scatter(ctx: SyscallContext, iovecs: readonly Iovec[], data: Uint8Array): boolean {
  let at = 0;
  for (const { base, length } of iovecs) {
    if (at >= data.length) break;
    const chunk = data.subarray(at, at + length);
    if (!ctx.memory.write(base, chunk)) return false;
    at += chunk.length;
  }
  return true;
}

/**
 * The bytes of `iovecs`, concatenated, up to MAX_RW_COUNT in all (Linux caps a transfer before
 * it copies, so a huge count never sizes an allocation), and only up to the first fault: the
 * bytes before it are what the kernel would write before its EFAULT. Null when nothing at all
 * is readable although bytes were asked for.
 */
export function gather(ctx: SyscallContext, iovecs: readonly Iovec[]): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let left = MAX_RW_COUNT;
  let asked = 0;
  for (const { base, length } of iovecs) {
    const take = Math.min(length, left);
    if (take === 0) continue;
    asked += take;
    const part = ctx.memory.readPrefix(base, take);
    parts.push(part);
    left -= part.length;
    if (part.length < take) break;
  }
  const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return asked > 0 && data.length === 0 ? null : data;
}

/** Linux's DEFAULT_POLLMASK: what a file without a poll operation (regular files, /dev/null) reports. */
const ALWAYS_READY = POLL.IN | POLL.OUT | POLL.RDNORM | POLL.WRNORM;

/**
 * poll(2) bits of descriptor `fd`: the virtual file's, or for an ordinary descriptor what Linux
 * reports for regular files and devices without a poll operation (always ready). Null when `fd`
 * is not open.
 */
export function pollDescriptor(ctx: SyscallContext, fd: number): number | null {
  const file = virtualFile(ctx, fd);
  if (file) return file.poll();
  return ctx.process.isOpen(fd) ? ALWAYS_READY : null;
}
