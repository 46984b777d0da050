import { Errno, type SyscallContext } from '@shadow-ts/plugin-sdk';
import { IOV_MAX, MAX_RW_COUNT, MSG_CMSG_CLOEXEC, MSG_DONTWAIT, MSG_OOB, MSG_PEEK, MSG_TRUNC, MSG_WAITALL, SOCKADDR_STORAGE } from './constants.js';
import { failure, intBytes, succeeded, type ControlMessage, type Failure, type Outcome, type Socket } from './socket.js';
import { sameCreds, type Control } from './unix-control.js';

/**
 * The socket syscalls' side of user memory: ints, socket addresses, iovecs, msghdr and control
 * buffers, and the receive loop of recv/recvfrom/recvmsg that scatters what a socket delivers
 * into the program's buffers. Failures are the net plugin's one channel (socket.ts).
 */

export function readInt(ctx: SyscallContext, addr: bigint): number | null {
  const raw = ctx.memory.read(addr, 4);
  return raw ? new DataView(raw.buffer, raw.byteOffset, 4).getInt32(0, true) : null;
}

/**
 * move_addr_to_user(): copies as much of `name` as the program's *lenPtr allows and stores the
 * full length there. Null on success, else the failure.
 */
export function putAddress(ctx: SyscallContext, addr: bigint, lenPtr: bigint, name: Uint8Array): Failure | null {
  const room = readInt(ctx, lenPtr);
  if (room === null) return failure(Errno.EFAULT);
  const n = Math.min(room, name.length);
  if (n < 0) return failure(Errno.EINVAL);
  if (n > 0 && !ctx.memory.write(addr, name.subarray(0, n))) return failure(Errno.EFAULT);
  return ctx.memory.write(lenPtr, intBytes(name.length)) ? null : failure(Errno.EFAULT);
}

/** move_addr_to_kernel(): the `addrlen` bytes at `addr` (EINVAL beyond sockaddr_storage). */
export function getAddress(ctx: SyscallContext, addr: bigint, addrlen: number): Uint8Array | Failure {
  if (addrlen < 0 || addrlen > SOCKADDR_STORAGE) return failure(Errno.EINVAL);
  if (addrlen === 0) return new Uint8Array(0);
  return ctx.memory.read(addr, addrlen) ?? failure(Errno.EFAULT);
}

export interface Iovec {
  readonly base: bigint;
  readonly length: number;
}

export function readIovecs(ctx: SyscallContext, addr: bigint, count: number): Iovec[] | null {
  const raw = ctx.memory.read(addr, count * 16);
  if (!raw) return null;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  return Array.from({ length: count }, (_, i) => ({
    base: view.getBigUint64(i * 16, true),
    length: Math.min(Number(view.getBigUint64(i * 16 + 8, true)), MAX_RW_COUNT),
  }));
}

/** The bytes of all `iovecs`, concatenated; null on a fault. */
export function gather(ctx: SyscallContext, iovecs: readonly Iovec[]): Uint8Array | null {
  const parts: Uint8Array[] = [];
  let left = MAX_RW_COUNT;
  for (const { base, length } of iovecs) {
    // Capped before copying, and copied as far as memory is mapped: a huge count never sizes an allocation.
    const take = Math.min(length, left);
    if (take === 0) continue;
    const part = ctx.memory.readPrefix(base, take);
    if (part.length < take) return null;
    parts.push(part);
    left -= take;
  }
  return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
}

/** Copies `data` into the iovecs' space from byte `offset` on; false on a fault. */
export function scatter(ctx: SyscallContext, iovecs: readonly Iovec[], offset: number, data: Uint8Array): boolean {
  let at = 0;
  let skip = offset;
  for (const { base, length } of iovecs) {
    if (at >= data.length) break;
    if (skip >= length) {
      skip -= length;
      continue;
    }
    const part = data.subarray(at, at + length - skip);
    if (!ctx.memory.write(base + BigInt(skip), part)) return false;
    at += part.length;
    skip = 0;
  }
  return true;
}

/** The fields of a `struct msghdr` (56 bytes on x86_64). */
export interface Msghdr {
  readonly name: bigint;
  readonly namelen: number;
  readonly iov: bigint;
  readonly iovlen: bigint;
  readonly control: bigint;
  readonly controllen: bigint;
}

export const MSG_NAMELEN = 8n;
export const MSG_CONTROLLEN = 40n;
export const MSG_FLAGS = 48n;

/** The msghdr at `addr` with its iovecs, or the failure (__copy_msghdr()). */
export function readMsghdr(ctx: SyscallContext, addr: bigint): { msg: Msghdr; iovecs: Iovec[] } | Failure {
  const raw = ctx.memory.read(addr, 56);
  if (!raw) return failure(Errno.EFAULT);
  const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const name = v.getBigUint64(0, true);
  const msg: Msghdr = {
    name,
    namelen: name === 0n ? 0 : v.getInt32(8, true),
    iov: v.getBigUint64(16, true),
    iovlen: v.getBigUint64(24, true),
    control: v.getBigUint64(32, true),
    controllen: v.getBigUint64(40, true),
  };
  if (msg.iovlen > BigInt(IOV_MAX)) return failure(Errno.EMSGSIZE);
  if (msg.namelen < 0) return failure(Errno.EINVAL);
  const iovecs = readIovecs(ctx, msg.iov, Number(msg.iovlen));
  return iovecs ? { msg, iovecs } : failure(Errno.EFAULT);
}

/** What a receive delivered: the count the call returns, whether a datagram was cut, the sender. */
export interface Delivered {
  readonly count: number;
  readonly truncated: boolean;
  readonly from?: Uint8Array;
  /** What the bytes carried (AF_UNIX); its descriptors are the caller's to release unless it peeked. */
  readonly control?: Control;
  /** A datagram's control messages (AF_INET/AF_INET6). */
  readonly messages?: readonly ControlMessage[];
}

export const RECV_FLAGS = MSG_OOB | MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT | MSG_WAITALL | MSG_CMSG_CLOEXEC;

/**
 * Receives into `iovecs` with recv(2) `flags`. The bytes leave the queue only once they reached
 * the program (a fault loses nothing). MSG_WAITALL makes a blocking stream receive wait for the
 * full length (or end of file, or an error), delivering what arrives on the way; its progress is
 * the call's `transferred` count across the restarts, so a signal or SO_RCVTIMEO ends it with
 * the bytes delivered (the core's partial-transfer rule). AGAIN: the call waits (or EAGAIN).
 */
export function receiveInto(
  ctx: SyscallContext,
  sock: Socket,
  iovecs: readonly Iovec[],
  flags: number,
  nonBlocking: boolean,
  warnFlags: (flags: number) => void,
): Outcome<Delivered> {
  if (flags & MSG_OOB) return failure(sock.stream ? Errno.EINVAL : Errno.EOPNOTSUPP); // no urgent byte is ever queued
  warnFlags(flags & ~RECV_FLAGS);
  const total = Math.min(
    iovecs.reduce((n, v) => n + v.length, 0),
    MAX_RW_COUNT,
  );
  const peek = (flags & MSG_PEEK) !== 0;
  const waitAll = sock.stream && !peek && (flags & MSG_WAITALL) !== 0;
  const progress = ctx.call;
  let control: Control | undefined;
  for (let first = true; ; first = false) {
    const done = progress.transferred;
    const result = sock.receive(total - done, { nonBlocking, peek });
    if (!succeeded(result)) return result;
    // MSG_WAITALL reads on, but never into bytes that carry descriptors or other credentials.
    if (!first && ((result.control?.rights.length ?? 0) > 0 || !sameCreds(result.control?.creds ?? null, control?.creds ?? null))) {
      return { count: done, truncated: false, ...(control ? { control } : {}) };
    }
    const { data } = result;
    if (data.length > 0 && !scatter(ctx, iovecs, done, data)) return failure(Errno.EFAULT);
    if (!peek) sock.consume(data.length);
    if (first) control = result.control;
    if (waitAll && data.length > 0 && done + data.length < total && !control?.rights.length) {
      progress.transferred += data.length;
      continue; // more may be queued already, or end of file
    }
    const carried = control ? { control } : {};
    if (sock.stream) {
      const delivered = { count: done + data.length, truncated: false, ...carried };
      return result.from ? { ...delivered, from: result.from } : delivered;
    }
    // A datagram cut to the buffer: MSG_TRUNC in msg_flags; the flag on input asks for its real length.
    const delivered = {
      count: flags & MSG_TRUNC ? result.length : data.length,
      truncated: result.length > data.length,
      ...carried,
      ...(result.messages ? { messages: result.messages } : {}),
    };
    return result.from ? { ...delivered, from: result.from } : delivered;
  }
}

/** sizeof(struct cmsghdr), and CMSG_ALIGN. */
export const CMSG_HEADER = 16;
export const CMSG_ALIGN = (n: number): number => (n + 7) & ~7;

/**
 * Fills a recvmsg's control buffer as put_cmsg() and scm_detach_fds() do: each message takes
 * CMSG_SPACE of its data (the last may be cut: MSG_CTRUNC, its cmsg_len the length kept).
 */
export class ControlWriter {
  used = 0;
  truncated = false;

  constructor(
    private readonly ctx: SyscallContext,
    private readonly control: bigint,
    private readonly capacity: number,
  ) {}

  private get left(): number {
    return this.capacity - this.used;
  }

  /** put_cmsg(): a message of (`level`, `type`) with `data`, cut to what is left (nothing under a header). */
  put(level: number, type: number, data: Uint8Array): void {
    if (this.control === 0n || this.left < CMSG_HEADER) {
      this.truncated = true;
      return;
    }
    let length = CMSG_HEADER + data.length;
    if (this.left < length) {
      this.truncated = true;
      length = this.left;
    }
    const bytes = new Uint8Array(length);
    const view = new DataView(bytes.buffer);
    view.setBigUint64(0, BigInt(length), true);
    view.setInt32(8, level, true);
    view.setInt32(12, type, true);
    bytes.set(data.subarray(0, length - CMSG_HEADER), CMSG_HEADER);
    if (!this.ctx.memory.write(this.control + BigInt(this.used), bytes)) return;
    this.used += Math.min(CMSG_ALIGN(CMSG_HEADER + data.length), this.left);
  }

  /** How many descriptors fit in what is left (scm_detach_fds()'s fdmax). */
  descriptorRoom(): number {
    return this.control !== 0n && this.left > CMSG_HEADER ? Math.floor((this.left - CMSG_HEADER) / 4) : 0;
  }
}
