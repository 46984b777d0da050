import {
  SIM_START, SYSCALL_SIGNATURES, errnoName, NS_PER_SEC,
  type ArgKind, type SimTime, type SyscallContext, type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import * as values from './values.js';

/** `standard` shows pointer values; `deterministic` leaves them out so two runs are byte-identical. */
export type StraceMode = 'standard' | 'deterministic';

/** Bytes of a buffer shown (strace's default `-s 32`), and of a path. */
const BUFFER_SHOWN = 32;
const PATH_MAX = 4096;
const SOCKADDR_MAX = 128;
const AT_FDCWD = -100;

/** Simulated time since the start as `HH:MM:SS.nnnnnnnnn` (Shadow's strace and log format). */
export function formatTime(now: SimTime): string {
  const ns = now - SIM_START;
  const seconds = ns / NS_PER_SEC;
  const two = (n: bigint): string => n.toString().padStart(2, '0');
  return `${two(seconds / 3600n)}:${two((seconds / 60n) % 60n)}:${two(seconds % 60n)}.${(ns % NS_PER_SEC).toString().padStart(9, '0')}`;
}

/**
 * The value the program sees, when the result says it now: a success, or a count of bytes that
 * moved before an errno (the core's partial-transfer rule turns that errno into the count).
 */
export function returnedValue(ctx: SyscallContext, result: SyscallResult): bigint | null {
  if (result.kind === 'ok') return result.value;
  if (result.kind === 'errno' && ctx.call.transferred > 0) return BigInt(ctx.call.transferred);
  return null;
}

/** How one line renders what the call returned. */
export function formatResult(ctx: SyscallContext, result: SyscallResult, mode: StraceMode): string {
  const value = returnedValue(ctx, result);
  if (value !== null) {
    if (SYSCALL_SIGNATURES[ctx.name]?.result !== 'ptr') return value.toString();
    return mode === 'deterministic' ? '<pointer>' : `0x${value.toString(16)}`;
  }
  switch (result.kind) {
    case 'errno': return `-${result.errno} (${errnoName(result.errno)})`;
    case 'block': return '<blocked>';
    default: return '<native>';
  }
}

/** `name(arg, …)` with the arguments decoded by the syscall's signature. */
export function formatCall(ctx: SyscallContext, result: SyscallResult, mode: StraceMode): string {
  const signature = SYSCALL_SIGNATURES[ctx.name];
  if (!signature) {
    if (mode === 'deterministic') return `${ctx.name}(...)`;
    const raw = [0, 1, 2, 3, 4, 5].map((i) => `0x${ctx.args.u64(i).toString(16)}`);
    return `${ctx.name}(${raw.join(', ')})`;
  }
  const value = returnedValue(ctx, result);
  const args = signature.args.map((kind, i) => formatArg(ctx, kind, i, value, mode));
  return `${ctx.name}(${args.join(', ')})`;
}

function pointer(address: bigint, mode: StraceMode): string {
  if (address === 0n) return 'NULL';
  return mode === 'deterministic' ? '<pointer>' : `0x${address.toString(16)}`;
}

/** A buffer of `length` bytes at `address`, its first BUFFER_SHOWN bytes quoted. */
function buffer(ctx: SyscallContext, address: bigint, length: number, mode: StraceMode): string {
  const bytes = ctx.memory.readPrefix(address, Math.min(length, BUFFER_SHOWN));
  if (bytes.length === 0 && length > 0) return pointer(address, mode);
  return values.quoted(bytes, BUFFER_SHOWN, length > bytes.length);
}

function formatArg(ctx: SyscallContext, kind: ArgKind, i: number, value: bigint | null, mode: StraceMode): string {
  const { args, memory } = ctx;
  const int = args.int(i);
  switch (kind) {
    case 'int': case 'fd': return String(int);
    case 'uint': return String(int >>> 0);
    case 'long': return args.raw(i).toString();
    case 'ulong': return args.u64(i).toString();
    case 'hex': return `0x${args.u64(i).toString(16)}`;
    case 'octal': return int === 0 ? '0' : `0${(int >>> 0).toString(8)}`;
    case 'dirfd': return int === AT_FDCWD ? 'AT_FDCWD' : String(int);
    case 'ptr': return pointer(args.ptr(i), mode);
    case 'string': {
      const text = memory.readCString(args.ptr(i), PATH_MAX);
      return text === null ? pointer(args.ptr(i), mode) : values.quoted(Buffer.from(text), PATH_MAX);
    }
    case 'inbuf': return buffer(ctx, args.ptr(i), args.sizeT(i + 1), mode);
    case 'outbuf':
      return value === null || value < 0n ? pointer(args.ptr(i), mode) : buffer(ctx, args.ptr(i), Number(value), mode);
    case 'sockaddr': {
      const bytes = args.ptr(i) === 0n ? null : memory.read(args.ptr(i), Math.min(args.int(i + 1) >>> 0, SOCKADDR_MAX));
      return bytes === null ? pointer(args.ptr(i), mode) : values.sockaddr(bytes);
    }
    case 'outsockaddr': {
      const length = value === null || args.ptr(i) === 0n ? null : memory.read(args.ptr(i + 1), 4);
      if (length === null) return pointer(args.ptr(i), mode);
      const size = new DataView(length.buffer, length.byteOffset, 4).getUint32(0, true);
      const bytes = memory.read(args.ptr(i), Math.min(size, SOCKADDR_MAX));
      return bytes === null ? pointer(args.ptr(i), mode) : values.sockaddr(bytes);
    }
    case 'timespec': {
      const bytes = args.ptr(i) === 0n ? null : memory.read(args.ptr(i), 16);
      return bytes === null ? pointer(args.ptr(i), mode) : values.timespec(bytes);
    }
    case 'fdpair': {
      const bytes = value === null ? null : memory.read(args.ptr(i), 8);
      if (bytes === null) return pointer(args.ptr(i), mode);
      const view = new DataView(bytes.buffer, bytes.byteOffset, 8);
      return `[${view.getInt32(0, true)}, ${view.getInt32(4, true)}]`;
    }
    case 'open_flags': return values.openFlags(int);
    case 'prot': return values.prot(int);
    case 'map_flags': return values.mapFlags(int);
    case 'family': return values.family(int);
    case 'sock_type': return values.sockType(int);
    case 'sockopt_level': return values.sockoptLevel(int);
    case 'clockid': return values.clockId(int);
    case 'signal': return values.signal(int);
    case 'fcntl_cmd': return values.fcntlCmd(int);
    case 'epoll_op': return values.epollOp(int);
    case 'at_flags': return values.atFlags(int);
    case 'msg_flags': return values.msgFlags(int);
    case 'futex_op': return values.futexOp(int);
    case 'whence': return values.whence(int);
  }
}
