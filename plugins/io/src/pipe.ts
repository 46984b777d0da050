import {
  Errno,
  O,
  OpenFile,
  POLL,
  S_IF,
  Signal,
  errno,
  ok,
  type FileStat,
  type IoResult,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';

/**
 * Pipes (pipe(7)): one shared buffer and its open file descriptions. An anonymous pipe has two,
 * the read end and the write end; a FIFO (fifo(7)) gets one per open(2), read, write or both.
 * Every descriptor made by dup(2) or fork(2) shares its end's description, so "readers" and
 * "writers" count descriptions; a description goes away when its last descriptor closes
 * (`release()`).
 */

/** PIPE_BUF: writes of at most this many bytes are atomic (pipe(7)). */
export const PIPE_BUF = 4096;
/** The page size pipe capacities are counted in. */
const PAGE_SIZE = 4096;
/** Default capacity of a new pipe (16 pages, pipe(7) "Pipe capacity"). */
export const PIPE_DEFAULT_CAPACITY = 65536;
/** /proc/sys/fs/pipe-max-size: the most an unprivileged F_SETPIPE_SZ may ask for. */
export const PIPE_MAX_SIZE = 1048576;

/** fcntl(2) commands of pipes (F_LINUX_SPECIFIC_BASE + 7, + 8). */
export const F_SETPIPE_SZ = 1031;
export const F_GETPIPE_SZ = 1032;
/** ioctl(2) request: the number of unread bytes, as an int at *arg (ioctl_tty(2) FIONREAD). */
export const FIONREAD = 0x541b;

/** One page of a pipe's ring (Linux's `struct pipe_buffer`): bytes [start, end) are unread. */
interface Page {
  readonly bytes: Uint8Array;
  start: number;
  end: number;
}

/** The poll bits a change announces to each end (the wake-up key, pipe_write/pipe_read's). */
const READABLE = POLL.IN | POLL.RDNORM;
const WRITABLE = POLL.OUT | POLL.WRNORM;

/**
 * The buffer and bookkeeping both ends of one pipe share (Linux's `pipe_inode_info`). Data sits
 * in a ring of pages, one slot each, as in Linux: a write fills whole new pages, except that what
 * exceeds a multiple of the page size joins the last page when it fits there; a pipe is full when
 * every slot holds a page, however few bytes they hold. That decides when a write waits, what it
 * writes in part, POLLOUT, and whether F_SETPIPE_SZ can shrink the ring.
 */
export class PipeBuffer {
  /** The ring's pages, oldest first. */
  private readonly pages: Page[] = [];
  /** Number of unread bytes. */
  size = 0;
  /** The ring's size in bytes: its number of slots times the page size. */
  capacity = PIPE_DEFAULT_CAPACITY;
  /** Open descriptions that read and that write (one opened O_RDWR counts in both). */
  readers = 0;
  writers = 0;
  /** How many read and write opens there ever were (Linux's r_counter/w_counter, for FIFOs). */
  readerOpens = 0;
  writerOpens = 0;
  /** Every open description, all of them told of every change. */
  private readonly ends = new Set<PipeEnd>();
  readonly readEnd: PipeReadEnd;
  readonly writeEnd: PipeWriteEnd;

  /** Makes a pipe whose ends carry `nonBlocking` (O_NONBLOCK) and, for the write end, `extraWriteFlags`. */
  constructor(nonBlocking: boolean, extraWriteFlags = 0) {
    const nb = nonBlocking ? O.NONBLOCK : 0;
    this.readEnd = new PipeReadEnd(this, O.RDONLY | nb);
    this.writeEnd = new PipeWriteEnd(this, O.WRONLY | nb | extraWriteFlags);
  }

  /**
   * A FIFO's buffer: no description is open until open(2) attaches one (`readEnd` and
   * `writeEnd`, the anonymous pipe's, are never handed out).
   */
  static fifo(): PipeBuffer {
    const pipe = new PipeBuffer(false);
    pipe.detach(pipe.readEnd);
    pipe.detach(pipe.writeEnd);
    pipe.readerOpens = pipe.writerOpens = 0;
    return pipe;
  }

  /** Counts a new open description of the pipe (by its access mode). */
  attach(end: PipeEnd): void {
    this.ends.add(end);
    const mode = end.statusFlags & O.ACCMODE;
    if (mode !== O.WRONLY) (this.readers++, this.readerOpens++);
    if (mode !== O.RDONLY) (this.writers++, this.writerOpens++);
  }

  /** The description `end` went away: readers and writers learn it (EOF, EPIPE, POLLHUP/POLLERR). */
  detach(end: PipeEnd): void {
    if (!this.ends.delete(end)) return;
    const mode = end.statusFlags & O.ACCMODE;
    if (mode !== O.WRONLY) this.readers--;
    if (mode !== O.RDONLY) this.writers--;
    this.notify();
  }

  /** Whether every slot of the ring holds a page (pipe_full): writers wait, POLLOUT is off. */
  get full(): boolean {
    return this.pages.length >= this.capacity / PAGE_SIZE;
  }

  /**
   * Tells every end that poll bits may have changed. `events` is the wake-up's key: the bits that
   * may have come on (READABLE after a write, WRITABLE after a read from a full pipe), 0 when
   * bits can only have gone off, none when anything may have changed (an end closed). epoll
   * queues an entry only for a key it waits for, which is how edge-triggered ends see Linux's
   * wake-ups and no others.
   */
  notify(events?: number): void {
    for (const end of this.ends) end.readiness.notify(events);
  }

  /** Removes and returns up to `length` bytes, freeing the pages it empties. */
  take(length: number): Uint8Array {
    const n = Math.min(length, this.size);
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const page = this.pages[0]!;
      const part = page.bytes.subarray(page.start, Math.min(page.end, page.start + (n - at)));
      out.set(part, at);
      at += part.length;
      page.start += part.length;
      if (page.start === page.end) this.pages.shift();
    }
    this.size -= n;
    return out;
  }

  /**
   * pipe_write()'s merge: the bytes of a write beyond its last whole page join the last page
   * when they fit behind its data; returns how many joined (0 or `data.length % PAGE_SIZE`).
   */
  merge(data: Uint8Array): number {
    const extra = data.length % PAGE_SIZE;
    const last = this.pages[this.pages.length - 1];
    if (extra === 0 || !last || last.end + extra > PAGE_SIZE) return 0;
    last.bytes.set(data.subarray(0, extra), last.end);
    last.end += extra;
    this.size += extra;
    return extra;
  }

  /** Up to `length` unread bytes, left in place (tee(2) and splice(2) take them once they are placed). */
  peek(length: number): Uint8Array {
    const out = new Uint8Array(Math.min(length, this.size));
    let at = 0;
    for (const page of this.pages) {
      if (at === out.length) break;
      const part = page.bytes.subarray(page.start, Math.min(page.end, page.start + (out.length - at)));
      out.set(part, at);
      at += part.length;
    }
    return out;
  }

  /**
   * Removes and returns up to `length` bytes as a read does: pipe_read() wakes the writers only
   * when the pipe was full; other ends learn that bits may have gone (IN once it is empty),
   * which wakes no edge-triggered entry.
   */
  drain(length: number): Uint8Array {
    const wasFull = this.full;
    const data = this.take(length);
    this.notify(wasFull ? WRITABLE : 0);
    return data;
  }

  /** Bytes that fit in the free slots as whole pages (what splice(2) and tee(2) can add). */
  get room(): number {
    return Math.max(0, this.capacity / PAGE_SIZE - this.pages.length) * PAGE_SIZE;
  }

  /** Adds `data` in new pages, never merged into the last (splice(2) links buffers); it must fit `room`. */
  putPages(data: Uint8Array): void {
    for (let at = 0; at < data.length; ) at += this.putPage(data.subarray(at));
    if (data.length > 0) this.notify(READABLE);
  }

  /** Puts up to one page of `data` into a new slot (the caller made sure one is free); returns the count. */
  putPage(data: Uint8Array): number {
    const bytes = new Uint8Array(PAGE_SIZE);
    const n = Math.min(data.length, PAGE_SIZE);
    bytes.set(data.subarray(0, n));
    this.pages.push({ bytes, start: 0, end: n });
    this.size += n;
    return n;
  }

  /**
   * F_SETPIPE_SZ as Linux's pipe_set_size(): the size is rounded up to a power-of-two number of
   * pages (at least one); growing beyond pipe-max-size needs CAP_SYS_RESOURCE, which simulated
   * programs do not have (EPERM); a ring with fewer slots than pages in use is EBUSY
   * (pipe_resize_ring). The answer is the new capacity.
   */
  resize(arg: bigint): SyscallResult {
    const requested = Number(BigInt.asUintN(32, arg)); // the kernel takes an unsigned int
    if (requested > 2 ** 31) return errno(Errno.EINVAL); // round_pipe_size() gives 0 pages
    let size = PAGE_SIZE;
    while (size < requested) size *= 2;
    if (size > this.capacity && size > PIPE_MAX_SIZE) return errno(Errno.EPERM);
    if (size / PAGE_SIZE < this.pages.length) return errno(Errno.EBUSY);
    this.capacity = size;
    this.notify(WRITABLE); // room for writers may have appeared (or vanished)
    return ok(size);
  }
}

/** The pipe `file` is an end of (anonymous or FIFO), or undefined. */
export function pipeOf(file: OpenFile | undefined): PipeBuffer | undefined {
  return file instanceof PipeEnd ? file.pipe : undefined;
}

/** What every end has in common: pipe-wide fcntl/ioctl, stat, no position. */
abstract class PipeEnd extends OpenFile {
  readonly kind = 'pipe';

  constructor(
    readonly pipe: PipeBuffer,
    statusFlags: number,
  ) {
    super(statusFlags);
    pipe.attach(this);
  }

  override fcntl(_ctx: SyscallContext, cmd: number, arg: bigint): SyscallResult | undefined {
    if (cmd === F_GETPIPE_SZ) return ok(this.pipe.capacity);
    if (cmd === F_SETPIPE_SZ) return this.pipe.resize(arg);
    return undefined;
  }

  override ioctl(ctx: SyscallContext, request: number, arg: bigint): SyscallResult | undefined {
    if (request !== FIONREAD) return undefined;
    // Linux answers FIONREAD on either end with the bytes waiting in the pipe.
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setInt32(0, this.pipe.size, true);
    return ctx.memory.write(arg, bytes) ? ok() : errno(Errno.EFAULT);
  }

  stat(): FileStat {
    return { mode: S_IF.FIFO | 0o600, blksize: PAGE_SIZE };
  }

  override release(): void {
    this.pipe.detach(this);
  }

  /**
   * The read side's poll bits. POLLHUP once no writer is left — but a FIFO opened O_NONBLOCK
   * before any writer came hears no hang-up until one has come (`hupAfterOpens`, Linux's
   * f_version snapshot of w_counter in fifo_open()).
   */
  protected readBits(hupAfterOpens: number): number {
    let bits = 0;
    if (this.pipe.size > 0) bits |= POLL.IN | POLL.RDNORM;
    if (this.pipe.writers === 0 && this.pipe.writerOpens !== hupAfterOpens) bits |= POLL.HUP;
    return bits;
  }

  /**
   * pipe(7): a read takes what is there, up to `length`; an empty pipe blocks while a writer
   * exists, and reads end-of-file once none is left. pread on a pipe fails with ESPIPE.
   */
  protected readData(length: number, offset: bigint | null): IoResult {
    if (offset !== null) return { errno: Errno.ESPIPE };
    if (length === 0) return new Uint8Array(0); // Linux returns 0 at once for an empty request
    if (this.pipe.size === 0) return this.pipe.writers > 0 ? 'again' : new Uint8Array(0);
    return this.pipe.drain(length);
  }

  /** The write side's poll bits: writable while a slot is free (pipe_poll). */
  protected writeBits(): number {
    let bits = 0;
    if (!this.pipe.full) bits |= POLL.OUT | POLL.WRNORM;
    if (this.pipe.readers === 0) bits |= POLL.ERR;
    return bits;
  }

  /**
   * pipe(7) write semantics, page by page as pipe_write() does:
   * - no reader left: SIGPIPE and EPIPE (the core turns EPIPE into the count when part of a
   *   large write went through already, as Linux's pipe_write() does);
   * - the bytes beyond the last whole page of the write join the pipe's last page if they fit,
   *   then the rest goes into new pages while slots are free;
   * - n <= PIPE_BUF is atomic: it either joins the last page or takes one new page, all of it;
   * - a full pipe: 'again' — EAGAIN, or the count written so far, for a non-blocking write; a
   *   blocking one waits and returns only once all n bytes are in.
   *
   * The blocking write spans several runs of the same syscall. The generic write handler turns
   * 'again' into a block on `readiness`, and the woken call runs the handler again, which reads
   * the same user buffer and calls this method with the same `data`. Its progress is the call's
   * `transferred` count: each run writes what fits of `data.subarray(transferred)` and answers
   * 'again' until the last byte is in. A signal or O_NONBLOCK set on the way ends the call with
   * the count (the core's partial-transfer rule). Readers are woken after each run that wrote,
   * so they drain the pipe in between, as on Linux where a large write interleaves with reads.
   */
  protected writeData(ctx: SyscallContext, data: Uint8Array, offset: bigint | null): IoResult {
    if (offset !== null) return { errno: Errno.ESPIPE };
    if (data.length === 0) return 0; // Linux: a null write succeeds, even without readers
    if (this.pipe.readers === 0) {
      ctx.thread.signal(Signal.SIGPIPE, { pid: ctx.process.pid }); // send_sig(): the writer itself
      return { errno: Errno.EPIPE };
    }
    const progress = ctx.call;
    let done = progress.transferred;
    if (done === 0) done = this.pipe.merge(data);
    while (done < data.length && !this.pipe.full) done += this.pipe.putPage(data.subarray(done));
    if (done > progress.transferred) this.pipe.notify(READABLE);
    progress.transferred = done;
    return done === data.length ? data.length : 'again';
  }
}

/** The read end of a pipe, or a FIFO opened O_RDONLY. */
export class PipeReadEnd extends PipeEnd {
  /** See `readBits`: 0 for anonymous pipes and FIFOs that waited for their writer. */
  hupAfterOpens = 0;

  poll(): number {
    return this.readBits(this.hupAfterOpens);
  }

  override read(_ctx: SyscallContext, length: number, offset: bigint | null): IoResult {
    return this.readData(length, offset);
  }

  /** The read end is opened O_RDONLY: writing to it is EBADF (write(2)). */
  override write(_ctx: SyscallContext, _data: Uint8Array, _offset: bigint | null): IoResult {
    return { errno: Errno.EBADF };
  }
}

/** The write end of a pipe, or a FIFO opened O_WRONLY. */
export class PipeWriteEnd extends PipeEnd {
  poll(): number {
    return this.writeBits();
  }

  /** The write end is opened O_WRONLY: reading from it is EBADF (read(2)). */
  override read(_ctx: SyscallContext, _length: number, _offset: bigint | null): IoResult {
    return { errno: Errno.EBADF };
  }

  override write(ctx: SyscallContext, data: Uint8Array, offset: bigint | null): IoResult {
    return this.writeData(ctx, data, offset);
  }
}

/** A FIFO opened O_RDWR: one description that reads and writes (fifo(7), Linux only). */
export class PipeDuplexEnd extends PipeEnd {
  poll(): number {
    return this.readBits(0) | this.writeBits();
  }

  override read(_ctx: SyscallContext, length: number, offset: bigint | null): IoResult {
    return this.readData(length, offset);
  }

  override write(ctx: SyscallContext, data: Uint8Array, offset: bigint | null): IoResult {
    return this.writeData(ctx, data, offset);
  }
}
