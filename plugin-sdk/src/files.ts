import type { SyscallContext } from './context.js';
import { rewrite, runCalls, type NativeCall, type SyscallResult } from './result.js';
import { SYSCALL_NUMBERS } from './syscalls.js';
import { WaitQueue } from './wait.js';

/** poll(2)/epoll(7) event bits (the values are the same for both). */
export const POLL = {
  IN: 0x001,
  PRI: 0x002,
  OUT: 0x004,
  ERR: 0x008,
  HUP: 0x010,
  NVAL: 0x020,
  RDNORM: 0x040,
  RDBAND: 0x080,
  WRNORM: 0x100,
  WRBAND: 0x200,
  RDHUP: 0x2000,
} as const;

/**
 * The events a blocked read and a blocked write wait for (`readiness.on(…)`): Linux wakes a
 * reader with EPOLLIN-type keys (sk_data_ready) and a writer with EPOLLOUT-type keys
 * (sk_write_space); an error or a hang-up wakes both. (SDK 2.3)
 */
export const POLL_READ = POLL.IN | POLL.PRI | POLL.RDNORM | POLL.RDHUP | POLL.ERR | POLL.HUP;
export const POLL_WRITE = POLL.OUT | POLL.WRNORM | POLL.ERR | POLL.HUP;

/** open(2) status flags that live on the open file description. */
export const O = {
  RDONLY: 0,
  WRONLY: 1,
  RDWR: 2,
  ACCMODE: 3,
  CREAT: 0o100,
  EXCL: 0o200,
  NOCTTY: 0o400,
  TRUNC: 0o1000,
  APPEND: 0o2000,
  NONBLOCK: 0o4000,
  DIRECTORY: 0o200000,
  NOFOLLOW: 0o400000,
  CLOEXEC: 0o2000000,
} as const;

/** File type bits of st_mode. */
export const S_IF = {
  FIFO: 0o010000,
  CHR: 0o020000,
  DIR: 0o040000,
  REG: 0o100000,
  SOCK: 0o140000,
} as const;

/**
 * The outcome of a read or write on an open file:
 * - `Uint8Array`: the bytes read (empty at end of file);
 * - `number`: the count of bytes written;
 * - `'again'`: nothing can be transferred now (the caller blocks or answers EAGAIN);
 * - `{ errno }`: the call fails.
 */
export type IoResult = Uint8Array | number | 'again' | { readonly errno: number };

/** What `OpenFile.readInto` answers: the count delivered, or as `IoResult` says. (SDK 2.4) */
export type IoCount = number | 'again' | { readonly errno: number };

/** What fstat(2) reports for a virtual file; absent fields are 0. */
export interface FileStat {
  readonly mode: number;
  readonly size?: bigint;
  readonly rdev?: bigint;
  readonly ino?: bigint;
  readonly blksize?: number;
  readonly nlink?: number;
}

/**
 * An open file description of a virtual kind (Linux's `struct file` with its `file_operations`).
 * Plugins subclass it to add kinds — pipes, eventfds, sockets, anything — and the io family
 * dispatches every descriptor syscall to it. Descriptors made by dup(2) or inherited share one
 * description, and with it the status flags and the position.
 */
export abstract class OpenFile {
  /** Short kind name for logs ("pipe", "eventfd", …). */
  abstract readonly kind: string;
  /** O_ACCMODE bits plus O_NONBLOCK / O_APPEND, as F_GETFL reports them. */
  statusFlags: number;
  /** Notified whenever `poll()` may have changed: blocked readers, writers and epoll wait on it. */
  readonly readiness = new WaitQueue();
  /** Descriptors (in any process) that refer to this description. */
  refs = 0;

  constructor(statusFlags: number) {
    this.statusFlags = statusFlags;
  }

  /** The poll(2) bits that hold now. */
  abstract poll(): number;

  /** Reads at most `length` bytes (at `offset` for pread-like calls, which the kind may refuse). */
  read(_ctx: SyscallContext, _length: number, _offset: bigint | null): IoResult {
    return { errno: 22 /* EINVAL */ };
  }

  /**
   * Optional: reads at most `length` bytes like `read` and hands them to `copyOut`, which copies
   * them to the program and answers false when its buffers fault; then answers their count. A kind
   * implements it when it can keep its bytes until they reached the program (a socket's queue):
   * a fault is then EFAULT with nothing taken, as Linux's. For a kind without it the io plugin
   * probes the program's buffer before `read`, and a fault further in loses what was read.
   * (SDK 2.4)
   */
  readInto?(ctx: SyscallContext, length: number, offset: bigint | null, copyOut: (data: Uint8Array) => boolean): IoCount;

  /** Writes `data` (at `offset` for pwrite-like calls). */
  write(_ctx: SyscallContext, _data: Uint8Array, _offset: bigint | null): IoResult {
    return { errno: 22 /* EINVAL */ };
  }

  /** lseek(2): the new position, or an errno result. Kinds without a position answer ESPIPE. */
  seek(_offset: bigint, _whence: number): bigint | { readonly errno: number } {
    return { errno: 29 /* ESPIPE */ };
  }

  /** ioctl(2) requests of this kind; undefined when the kind does not know `request` (ENOTTY). */
  ioctl(_ctx: SyscallContext, _request: number, _arg: bigint): SyscallResult | undefined {
    return undefined;
  }

  /** fcntl(2) commands of this kind (e.g. F_GETPIPE_SZ); undefined when it does not know `cmd`. */
  fcntl(_ctx: SyscallContext, _cmd: number, _arg: bigint): SyscallResult | undefined {
    return undefined;
  }

  abstract stat(): FileStat;

  /**
   * What /proc/<pid>/fd/<n> reads for a descriptor of this description — the name Linux gives
   * such a file ("socket:[ino]", "anon_inode:[eventpoll]", …); undefined keeps the placeholder's.
   */
  fdLink(): string | undefined {
    return undefined;
  }

  /** The last descriptor referring to this description was closed. */
  release(): void {}

  get nonBlocking(): boolean {
    return (this.statusFlags & O.NONBLOCK) !== 0;
  }
}

/**
 * A process's descriptors that refer to virtual files. Descriptor numbers are the tracee kernel's
 * own (each virtual file sits on a real placeholder fd), so only the binding lives here; a number
 * that is not bound is an ordinary descriptor the kernel handles natively.
 */
export interface DescriptorTable {
  get(fd: number): OpenFile | undefined;
  /** Binds `fd` to `file` (replacing and releasing any previous binding). */
  bind(fd: number, file: OpenFile): void;
  /** Removes the binding of `fd`; the file is released when no descriptor refers to it anymore. */
  unbind(fd: number): void;
  entries(): IterableIterator<[number, OpenFile]>;
}

/** Encodes a `struct stat` (x86_64, 144 bytes). */
export function statBytes(st: FileStat): Uint8Array {
  const out = new Uint8Array(144);
  const v = new DataView(out.buffer);
  v.setBigUint64(8, st.ino ?? 0n, true); // st_ino
  v.setBigUint64(16, BigInt(st.nlink ?? 1), true); // st_nlink
  v.setUint32(24, st.mode, true); // st_mode
  v.setBigUint64(40, st.rdev ?? 0n, true); // st_rdev
  v.setBigInt64(48, st.size ?? 0n, true); // st_size
  v.setBigInt64(56, BigInt(st.blksize ?? 4096), true); // st_blksize
  v.setBigInt64(64, ((st.size ?? 0n) + 511n) / 512n, true); // st_blocks
  return out;
}

/** Encodes a `struct statx` (256 bytes) with the basic fields of `st`. */
export function statxBytes(st: FileStat): Uint8Array {
  const out = new Uint8Array(256);
  const v = new DataView(out.buffer);
  const STATX_BASIC_STATS = 0x7ff;
  v.setUint32(0, STATX_BASIC_STATS, true); // stx_mask
  v.setUint32(4, st.blksize ?? 4096, true); // stx_blksize
  v.setUint32(16, st.nlink ?? 1, true); // stx_nlink
  v.setUint16(28, st.mode, true); // stx_mode
  v.setBigUint64(32, st.ino ?? 0n, true); // stx_ino
  v.setBigUint64(40, st.size ?? 0n, true); // stx_size
  v.setBigUint64(48, ((st.size ?? 0n) + 511n) / 512n, true); // stx_blocks
  const rdev = st.rdev ?? 0n;
  v.setUint32(128, Number((rdev >> 8n) & 0xfffn), true); // stx_rdev_major
  v.setUint32(132, Number((rdev & 0xffn) | ((rdev >> 12n) & 0xfff00n)), true); // stx_rdev_minor
  return out;
}

const EFD_CLOEXEC = 0o2000000n;

/**
 * The result that gives `file` a descriptor in the calling process: the call is rewritten to
 * create an eventfd placeholder (close-on-exec if asked), and the number the kernel returns is
 * bound to `file`. The placeholder only holds the number — lowest free fd, dup, inheritance and
 * close-on-exec then behave as Linux — while every syscall on it is answered by the file.
 */
export function newDescriptor(ctx: SyscallContext, file: OpenFile, options: { cloexec: boolean }): SyscallResult {
  const fds = ctx.process.fds;
  return rewrite(SYSCALL_NUMBERS.eventfd2, [0n, options.cloexec ? EFD_CLOEXEC : 0n], (ret) => {
    if (ret >= 0n) fds.bind(Number(ret), file);
    return ret;
  });
}

/**
 * What a descriptor referred to, taken for passing to another process (SCM_RIGHTS) by
 * `ProcessView.holdDescriptor`: a virtual file (kept open by the hold), or an ordinary
 * descriptor whose open file description the simulator keeps a real descriptor of.
 */
export interface HeldDescriptor {
  /** The virtual file; undefined for an ordinary descriptor. */
  readonly file: OpenFile | undefined;
  /** For an ordinary descriptor: the process and descriptor number pidfd_getfd(2) copies it from. */
  readonly native: { readonly pid: number; readonly fd: number } | undefined;
  /** Lets go of the hold: the file is released, or the simulator's descriptor closed, with the last one. */
  release(): void;
}

const O_CLOEXEC = 0o2000000n;

/**
 * The result that gives the calling process a new descriptor for each of `held`, lowest free
 * numbers first (and close-on-exec if asked), as recvmsg(2) installs the descriptors of an
 * SCM_RIGHTS message: a virtual file gets an eventfd placeholder bound to it; an ordinary one
 * is copied by pidfd_getfd(2) and moved down with dup3(2) to the number the pidfd took, so the
 * numbers are Linux's (at RLIMIT_NOFILE it needs one free number more). It stops at the first
 * that fails (EMFILE), as scm_detach_fds() does. `finish` gets the numbers made and answers
 * what the program's call returns (`options.abandoned` runs instead when the caller is killed
 * on the way). The holds stay the caller's: it releases them.
 */
export function installDescriptors(
  ctx: SyscallContext,
  held: readonly HeldDescriptor[],
  options: { readonly cloexec: boolean; readonly abandoned?: () => void },
  finish: (fds: readonly number[]) => bigint,
): SyscallResult {
  const fds = ctx.process.fds;
  const made: number[] = [];
  let index = 0;
  let stopped = false;
  // What the result of the call just made means: another call, this descriptor done, or failed.
  type Then = (result: bigint) => NativeCall | 'done' | 'failed';
  let then: Then | null = null;
  const run = (nr: number, args: bigint[], next: Then): NativeCall => {
    then = next;
    return { nr, args };
  };
  const close = (fd: bigint, meaning: 'done' | 'failed'): NativeCall => run(SYSCALL_NUMBERS.close, [fd], () => meaning);
  const copyOrdinary = (source: { readonly pid: number; readonly fd: number }): NativeCall =>
    run(SYSCALL_NUMBERS.pidfd_open, [BigInt(source.pid), 0n], (pidfd) => {
      if (pidfd < 0n) return 'failed';
      return run(SYSCALL_NUMBERS.pidfd_getfd, [pidfd, BigInt(source.fd), 0n], (copy) => {
        if (copy < 0n) return close(pidfd, 'failed');
        // The copy sits above the pidfd: it takes the pidfd's number, and its own is freed.
        return run(SYSCALL_NUMBERS.dup3, [copy, pidfd, options.cloexec ? O_CLOEXEC : 0n], (moved) => {
          if (moved < 0n) return run(SYSCALL_NUMBERS.close, [copy], () => close(pidfd, 'failed'));
          made.push(Number(pidfd));
          return close(copy, 'done');
        });
      });
    });
  const nextCall = (): NativeCall | bigint => {
    const passed = stopped ? undefined : held[index];
    if (!passed) return finish(made);
    const { file, native } = passed;
    if (!file) return copyOrdinary(native!);
    return run(SYSCALL_NUMBERS.eventfd2, [0n, options.cloexec ? EFD_CLOEXEC : 0n], (fd) => {
      if (fd < 0n) return 'failed';
      fds.bind(Number(fd), file);
      made.push(Number(fd));
      return 'done';
    });
  };
  return runCalls((previous) => {
    const handle = then;
    then = null;
    if (previous !== null && handle) {
      const meaning = handle(previous);
      if (typeof meaning === 'object') return meaning;
      if (meaning === 'failed') stopped = true;
      else index++;
    }
    return nextCall();
  }, options.abandoned);
}
