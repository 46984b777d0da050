import { Signal, readTimespec } from '@shadow-ts/plugin-sdk';

/**
 * Names of the constants and flag bits strace logs show (x86_64 values from the uapi headers),
 * and the renderers of the small structures (socket addresses, timespecs, byte strings).
 */

type Bits = readonly (readonly [mask: number, name: string])[];

/** `A|B|0x40` for the bits of `value`: named ones first (multi-bit masks before their parts). */
function flagSet(value: number, bits: Bits, zero = '0'): string {
  const names: string[] = [];
  let rest = value >>> 0;
  for (const [mask, name] of bits) {
    if ((rest & mask) === mask >>> 0 && mask !== 0) {
      names.push(name);
      rest = (rest & ~mask) >>> 0;
    }
  }
  if (rest !== 0) names.push(`0x${rest.toString(16)}`);
  return names.length === 0 ? zero : names.join('|');
}

function named(value: number, table: Readonly<Record<number, string>>): string {
  return table[value] ?? String(value);
}

const OPEN_ACCESS = ['O_RDONLY', 'O_WRONLY', 'O_RDWR', 'O_ACCMODE'];
const OPEN_BITS: Bits = [
  [0o20200000, 'O_TMPFILE'], [0o4010000, 'O_SYNC'], [0o100, 'O_CREAT'], [0o200, 'O_EXCL'], [0o400, 'O_NOCTTY'],
  [0o1000, 'O_TRUNC'], [0o2000, 'O_APPEND'], [0o4000, 'O_NONBLOCK'], [0o10000, 'O_DSYNC'], [0o20000, 'O_ASYNC'],
  [0o40000, 'O_DIRECT'], [0o100000, 'O_LARGEFILE'], [0o200000, 'O_DIRECTORY'], [0o400000, 'O_NOFOLLOW'],
  [0o1000000, 'O_NOATIME'], [0o2000000, 'O_CLOEXEC'], [0o10000000, 'O_PATH'],
];
const PROT_BITS: Bits = [[1, 'PROT_READ'], [2, 'PROT_WRITE'], [4, 'PROT_EXEC']];
const MAP_BITS: Bits = [
  [0x1, 'MAP_SHARED'], [0x2, 'MAP_PRIVATE'], [0x10, 'MAP_FIXED'], [0x20, 'MAP_ANONYMOUS'], [0x100, 'MAP_GROWSDOWN'],
  [0x800, 'MAP_DENYWRITE'], [0x4000, 'MAP_NORESERVE'], [0x8000, 'MAP_POPULATE'], [0x20000, 'MAP_STACK'],
  [0x100000, 'MAP_FIXED_NOREPLACE'],
];
const FAMILIES: Record<number, string> = { 0: 'AF_UNSPEC', 1: 'AF_UNIX', 2: 'AF_INET', 10: 'AF_INET6', 16: 'AF_NETLINK', 17: 'AF_PACKET' };
const SOCK_TYPES: Record<number, string> = { 1: 'SOCK_STREAM', 2: 'SOCK_DGRAM', 3: 'SOCK_RAW', 5: 'SOCK_SEQPACKET' };
const SOCK_BITS: Bits = [[0o4000, 'SOCK_NONBLOCK'], [0o2000000, 'SOCK_CLOEXEC']];
const LEVELS: Record<number, string> = { 0: 'SOL_IP', 1: 'SOL_SOCKET', 6: 'SOL_TCP', 17: 'SOL_UDP', 41: 'SOL_IPV6', 270: 'SOL_NETLINK' };
const CLOCKS: Record<number, string> = {
  0: 'CLOCK_REALTIME', 1: 'CLOCK_MONOTONIC', 2: 'CLOCK_PROCESS_CPUTIME_ID', 3: 'CLOCK_THREAD_CPUTIME_ID',
  4: 'CLOCK_MONOTONIC_RAW', 5: 'CLOCK_REALTIME_COARSE', 6: 'CLOCK_MONOTONIC_COARSE', 7: 'CLOCK_BOOTTIME',
};
const FCNTL: Record<number, string> = {
  0: 'F_DUPFD', 1: 'F_GETFD', 2: 'F_SETFD', 3: 'F_GETFL', 4: 'F_SETFL', 5: 'F_GETLK', 6: 'F_SETLK', 7: 'F_SETLKW',
  8: 'F_SETOWN', 9: 'F_GETOWN', 36: 'F_OFD_GETLK', 37: 'F_OFD_SETLK', 38: 'F_OFD_SETLKW', 1030: 'F_DUPFD_CLOEXEC',
  1031: 'F_SETPIPE_SZ', 1032: 'F_GETPIPE_SZ',
};
const EPOLL_OPS: Record<number, string> = { 1: 'EPOLL_CTL_ADD', 2: 'EPOLL_CTL_DEL', 3: 'EPOLL_CTL_MOD' };
const AT_BITS: Bits = [
  [0x100, 'AT_SYMLINK_NOFOLLOW'], [0x200, 'AT_REMOVEDIR'], [0x400, 'AT_SYMLINK_FOLLOW'], [0x800, 'AT_NO_AUTOMOUNT'],
  [0x1000, 'AT_EMPTY_PATH'],
];
const MSG_BITS: Bits = [
  [0x1, 'MSG_OOB'], [0x2, 'MSG_PEEK'], [0x4, 'MSG_DONTROUTE'], [0x20, 'MSG_TRUNC'], [0x40, 'MSG_DONTWAIT'],
  [0x80, 'MSG_EOR'], [0x100, 'MSG_WAITALL'], [0x4000, 'MSG_NOSIGNAL'], [0x8000, 'MSG_MORE'],
  [0x40000000, 'MSG_CMSG_CLOEXEC'],
];
const FUTEX_OPS: Record<number, string> = {
  0: 'FUTEX_WAIT', 1: 'FUTEX_WAKE', 2: 'FUTEX_FD', 3: 'FUTEX_REQUEUE', 4: 'FUTEX_CMP_REQUEUE', 5: 'FUTEX_WAKE_OP',
  6: 'FUTEX_LOCK_PI', 7: 'FUTEX_UNLOCK_PI', 8: 'FUTEX_TRYLOCK_PI', 9: 'FUTEX_WAIT_BITSET', 10: 'FUTEX_WAKE_BITSET',
  11: 'FUTEX_WAIT_REQUEUE_PI', 12: 'FUTEX_CMP_REQUEUE_PI', 13: 'FUTEX_LOCK_PI2',
};
const WHENCE: Record<number, string> = { 0: 'SEEK_SET', 1: 'SEEK_CUR', 2: 'SEEK_END', 3: 'SEEK_DATA', 4: 'SEEK_HOLE' };
const SIGNALS: Record<number, string> = Object.fromEntries(
  Object.entries(Signal).filter(([name]) => name !== 'SIGIOT' && name !== 'SIGPOLL' && name !== 'SIGUNUSED').map(([name, n]) => [n, name]),
);

export const openFlags = (v: number): string => {
  const access = OPEN_ACCESS[v & 3]!;
  const rest = flagSet(v & ~3, OPEN_BITS, '');
  return rest === '' ? access : `${access}|${rest}`;
};
export const prot = (v: number): string => flagSet(v, PROT_BITS, 'PROT_NONE');
export const mapFlags = (v: number): string => flagSet(v, MAP_BITS);
export const family = (v: number): string => named(v, FAMILIES);
export const sockType = (v: number): string => {
  const bits = flagSet(v & ~0xf, SOCK_BITS, '');
  const base = named(v & 0xf, SOCK_TYPES);
  return bits === '' ? base : `${base}|${bits}`;
};
export const sockoptLevel = (v: number): string => named(v, LEVELS);
export const clockId = (v: number): string => named(v, CLOCKS);
export const fcntlCmd = (v: number): string => named(v, FCNTL);
export const epollOp = (v: number): string => named(v, EPOLL_OPS);
export const atFlags = (v: number): string => flagSet(v, AT_BITS);
export const msgFlags = (v: number): string => flagSet(v, MSG_BITS);
export const whence = (v: number): string => named(v, WHENCE);
export const signal = (v: number): string => (v === 0 ? '0' : named(v, SIGNALS));
export const futexOp = (v: number): string => {
  const name = FUTEX_OPS[v & 127] ?? String(v & 127);
  const clock = v & 256 ? '|FUTEX_CLOCK_REALTIME' : '';
  const rest = v & ~(127 | 128 | 256) ? `|0x${(v & ~(127 | 128 | 256)).toString(16)}` : '';
  return `${name}${v & 128 ? '_PRIVATE' : ''}${clock}${rest}`;
};

/** Bytes as a C string literal, at most `max` of them shown, `...` after a cut (strace -s). */
export function quoted(bytes: Uint8Array, max: number, cut = bytes.length > max): string {
  let out = '"';
  for (const b of bytes.subarray(0, max)) {
    if (b === 0x22) out += '\\"';
    else if (b === 0x5c) out += '\\\\';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0d) out += '\\r';
    else if (b >= 0x20 && b < 0x7f) out += String.fromCharCode(b);
    else out += `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return `${out}"${cut ? '...' : ''}`;
}

/** RFC 5952 text of 16 address bytes (longest run of zero groups compressed). */
function ipv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at < 0) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}

/** A `struct sockaddr` as strace decodes it. */
export function sockaddr(bytes: Uint8Array): string {
  if (bytes.length < 2) return '{}';
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const fam = view.getUint16(0, true);
  const head = `sa_family=${family(fam)}`;
  if (fam === 1) {
    const path = bytes.subarray(2);
    if (path.length === 0) return `{${head}}`;
    if (path[0] === 0) return `{${head}, sun_path=@${quoted(path.subarray(1), 108, false)}}`;
    const end = path.indexOf(0);
    return `{${head}, sun_path=${quoted(end < 0 ? path : path.subarray(0, end), 108, false)}}`;
  }
  if (fam === 2 && bytes.length >= 8) {
    return `{${head}, sin_port=htons(${view.getUint16(2, false)}), sin_addr=inet_addr("${bytes.subarray(4, 8).join('.')}")}`;
  }
  if (fam === 10 && bytes.length >= 24) {
    return `{${head}, sin6_port=htons(${view.getUint16(2, false)}), sin6_addr="${ipv6(bytes.subarray(8, 24))}"}`;
  }
  if (fam === 16 && bytes.length >= 12) {
    return `{${head}, nl_pid=${view.getUint32(4, true)}, nl_groups=${view.getUint32(8, true).toString(16).padStart(8, '0')}}`;
  }
  return `{${head}}`;
}

/** A `struct timespec`. */
export function timespec(bytes: Uint8Array): string {
  const { sec, nsec } = readTimespec(bytes);
  return `{tv_sec=${sec}, tv_nsec=${nsec}}`;
}
