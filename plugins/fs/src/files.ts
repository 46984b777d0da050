import {
  Errno,
  OpenFile,
  POLL,
  S_IF,
  type FileStat,
  type HostView,
  type IoResult,
  type SyscallContext,
} from '@shadow-ts/plugin-sdk';

const SEEK_SET = 0;
const SEEK_CUR = 1;
const SEEK_END = 2;
const ALWAYS_READY = POLL.IN | POLL.OUT | POLL.RDNORM | POLL.WRNORM;
const PAGE_SIZE = 4096;

/** A read-only regular file whose bytes the simulator provides (/etc/hosts, /etc/hostname, …). */
export class ContentFile extends OpenFile {
  readonly kind = 'file';
  private position = 0n;

  constructor(
    private readonly content: Uint8Array,
    statusFlags: number,
  ) {
    super(statusFlags);
  }

  poll(): number {
    return ALWAYS_READY;
  }

  read(_ctx: SyscallContext, length: number, offset: bigint | null): IoResult {
    const start = offset ?? this.position;
    const size = BigInt(this.content.length);
    const from = start > size ? size : start;
    const to = from + BigInt(length) > size ? size : from + BigInt(length);
    if (offset === null) this.position = to;
    return this.content.slice(Number(from), Number(to));
  }

  write(): IoResult {
    return { errno: Errno.EBADF }; // opened read-only: open refuses write access
  }

  seek(offset: bigint, whence: number): bigint | { readonly errno: number } {
    const base = whence === SEEK_SET ? 0n : whence === SEEK_CUR ? this.position : whence === SEEK_END ? BigInt(this.content.length) : null;
    if (base === null || base + offset < 0n) return { errno: Errno.EINVAL };
    this.position = base + offset;
    return this.position;
  }

  /**
   * st_blksize is the whole file (in pages): stdio sizes its buffer by it, so a program reads
   * /etc/hosts, which lists every host, in one call instead of one per 8 KiB.
   */
  stat(): FileStat {
    const pages = Math.max(1, Math.ceil(this.content.length / PAGE_SIZE));
    return { mode: S_IF.REG | 0o644, size: BigInt(this.content.length), blksize: pages * PAGE_SIZE };
  }
}

/** /dev/urandom and /dev/random: endless bytes from the host's seeded stream. */
export class RandomDevice extends OpenFile {
  readonly kind = 'random';

  constructor(
    private readonly host: HostView,
    /** The device's minor number: 8 for /dev/random, 9 for /dev/urandom (major 1). */
    private readonly minor: bigint,
    statusFlags: number,
  ) {
    super(statusFlags);
  }

  poll(): number {
    return ALWAYS_READY;
  }

  read(_ctx: SyscallContext, length: number): IoResult {
    return this.host.random.bytes(length);
  }

  /** Writing mixes entropy into the kernel pool; here it is accepted and changes nothing. */
  write(_ctx: SyscallContext, data: Uint8Array): IoResult {
    return data.length;
  }

  /** Character devices without a position: lseek succeeds and reports 0 (noop_llseek). */
  seek(): bigint {
    return 0n;
  }

  stat(): FileStat {
    return { mode: S_IF.CHR | 0o666, rdev: (1n << 8n) | this.minor };
  }
}
