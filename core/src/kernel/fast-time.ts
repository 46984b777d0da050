/**
 * Time without a trap: `clock_gettime`, `gettimeofday`, `time` and `clock_getres` answered inside
 * the managed process (issue 12 §1). Each host has a page in a file the simulator maps shared; at
 * every exec the process gets native/fast-time's code on a page of its own with the host's page
 * right after it, and the vDSO entries jump there. Static binaries use the vDSO too, so they are
 * covered; a raw `syscall(SYS_clock_gettime)` still traps and gets the same answer.
 *
 * Only one managed thread runs at a time, so a page shared by all processes of a host is exact:
 * before a thread runs the simulator writes the host's clock, its unapplied latency and run
 * limit (the round end, or the host's next event if sooner: Host.runLimit), and what a read
 * costs that thread (model_unblocked_syscall_latency, or a busy loop once past its threshold);
 * the code charges each read as the trapped read would be charged, applies the latency to its
 * copy of the clock, and traps only for a read that would end the thread's turn (reach the
 * run limit). At the next stop the simulator takes the clock, the latency and
 * the count back. The outputs are the same with the fast path on or off; only strace logs and
 * syscall counts, which no longer see the reads answered in the process, differ.
 */
import { SYSCALL_NUMBERS } from '@shadow-ts/plugin-sdk';
import { closeSync, ftruncateSync, openSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Backend } from '../backend/backend.js';
import type { VdsoPatch } from '../backend/image.js';
import { ShadowError } from './errors.js';
import type { Host } from './host.js';

/** Words of a host's page, as `struct time_page` in native/fast-time/fast-time.c. */
const NOW = 0;
const BOOT = 1;
const ROUND_END = 2;
const UNAPPLIED = 3;
const VDSO = 4;
const MAX_UNAPPLIED = 5;
const FREE_READS = 6;
const READS = 7;
const PAGE = 4096;
const WORDS_PER_PAGE = PAGE / 8;
/** Where in the code page the path of the shared file goes while it is being opened. */
const PATH_AT = 3072n;
const NEVER = (1n << 63n) - 1n;

/** What reads cost the thread about to run: free for `freeReads`, then `vdso` each (0: never). */
export interface ReadCost {
  readonly freeReads: number;
  readonly vdso: bigint;
  readonly maxUnapplied: bigint;
}

/** What the reads answered in the process did: how many, and the host's clock and latency after them. */
export interface ReadsTaken {
  readonly reads: number;
  readonly now: bigint;
  readonly unapplied: bigint;
}

const PROT_READ = 1n;
const PROT_WRITE = 2n;
const PROT_EXEC = 4n;
const MAP_SHARED = 1n;
const MAP_PRIVATE = 2n;
const MAP_FIXED = 0x10n;
const MAP_ANONYMOUS = 0x20n;
const AT_FDCWD = -100n;
const O_RDWR = 2n;
const O_CLOEXEC = 0o2000000n;

/** The code the vDSO entries jump to, built by native/fast-time/build.sh. */
interface CodeImage {
  readonly code: Uint8Array;
  /** Entry name (a syscall name) → offset in `code`. */
  readonly entries: ReadonlyMap<string, number>;
}

function loadCode(path: string): CodeImage {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ShadowError('INSTALL_INCOMPLETE', `${path} is missing: build it with \`bash native/fast-time/build.sh\` (npm ci does), or set fast_time: false in .shadowrc`);
  }
  const image = JSON.parse(text) as { code: string; entries: Record<string, number> };
  return { code: Buffer.from(image.code, 'base64'), entries: new Map(Object.entries(image.entries)) };
}

/** `movabs rax, target; jmp rax`: 12 bytes, any distance. */
function jumpTo(target: bigint): Uint8Array {
  const stub = new Uint8Array(12);
  stub.set([0x48, 0xb8]);
  new DataView(stub.buffer).setBigUint64(2, target, true);
  stub.set([0xff, 0xe0], 10);
  return stub;
}

export class FastTime {
  private readonly code: CodeImage;
  private readonly fd: number;
  private readonly pages: BigInt64Array;
  private readonly path: Uint8Array;

  /** Opens the shared file in `dataDir` (unlinked at once: nothing is left behind) for hosts 0 to `hosts` - 1. */
  constructor(
    private readonly backend: Backend,
    dataDir: string,
    hosts: number,
  ) {
    this.code = loadCode(backend.fastTimeImage);
    const file = join(dataDir, '.fast-time');
    this.fd = openSync(file, 'w+');
    unlinkSync(file);
    const bytes = Math.max(1, hosts) * PAGE;
    ftruncateSync(this.fd, bytes);
    this.pages = new BigInt64Array(backend.mapShared(this.fd, bytes));
    // The managed process opens the simulator's descriptor: a deleted file has no other name.
    this.path = new TextEncoder().encode(`/proc/${process.pid}/fd/${this.fd}\0`);
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Before a thread of `host` runs: the host's clock and what a read costs that thread. */
  beforeRun(host: Host, cost: ReadCost | null): void {
    const page = this.pages;
    const at = host.id * WORDS_PER_PAGE;
    page[at + NOW] = host.current;
    page[at + BOOT] = host.bootTime;
    page[at + ROUND_END] = host.runLimit();
    page[at + UNAPPLIED] = host.pendingLatency;
    page[at + VDSO] = cost?.vdso ?? 0n;
    page[at + MAX_UNAPPLIED] = cost?.maxUnapplied ?? NEVER;
    page[at + FREE_READS] = cost && cost.vdso > 0n ? BigInt(cost.freeReads) : NEVER;
    page[at + READS] = 0n;
  }

  /**
   * After a run of a thread of `host`: what its reads did, or null if it made none. A program
   * can write the page: what it says is kept within what reads could have done (the clock
   * between where it was and the round end, the latency below its maximum).
   */
  takeReads(host: Host): ReadsTaken | null {
    const page = this.pages;
    const at = host.id * WORDS_PER_PAGE;
    const reads = page[at + READS]!;
    if (reads === 0n) return null;
    const clamp = (v: bigint, low: bigint, high: bigint) => (v > high ? high : v < low ? low : v);
    const now = clamp(page[at + NOW]!, host.current, host.runLimit() - 1n);
    return {
      reads: Number(clamp(reads, 0n, 1n << 40n)),
      now: now < host.current ? host.current : now,
      unapplied: clamp(page[at + UNAPPLIED]!, 0n, page[at + MAX_UNAPPLIED]! - 1n),
    };
  }

  /**
   * At exec, in the task stopped at its execve's exit: maps the code and the host's page and
   * points the vDSO's time entries at the code. `inject` runs one syscall in the task (null: the
   * task ended meanwhile). Returns null when done or the task went away, else why it could not
   * be done — a task in a chroot cannot open /proc/<simulator>/fd, say — in which case the vDSO
   * keeps its trap stubs and nothing of it is left mapped.
   */
  install(pid: number, host: Host, vdso: VdsoPatch, inject: (nr: number, args: bigint[]) => bigint | null): string | null {
    const pages = 2n * BigInt(PAGE);
    const code = inject(SYSCALL_NUMBERS.mmap, [0n, pages, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1n, 0n]);
    if (code === null) return null;
    if (code < 0n) return `mmap failed (errno ${-code})`;
    const undo = (why: string): string => {
      inject(SYSCALL_NUMBERS.munmap, [code, pages]);
      return why;
    };
    if (!this.patch(pid, code + PATH_AT, this.path)) return undo('cannot write its code page');
    const fd = inject(SYSCALL_NUMBERS.openat, [AT_FDCWD, code + PATH_AT, O_RDWR | O_CLOEXEC]);
    if (fd === null) return null;
    if (fd < 0n) return undo(`cannot open the time page (errno ${-fd})`);
    const mapped = inject(SYSCALL_NUMBERS.mmap, [code + BigInt(PAGE), BigInt(PAGE), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_FIXED, fd, BigInt(host.id * PAGE)]);
    if (inject(SYSCALL_NUMBERS.close, [fd]) === null || mapped === null) return null;
    if (mapped < 0n) return undo(`cannot map the time page (errno ${-mapped})`);
    if (!this.patch(pid, code, this.code.code)) return undo('cannot write its code page');
    const sealed = inject(SYSCALL_NUMBERS.mprotect, [code, BigInt(PAGE), PROT_READ | PROT_EXEC]);
    if (sealed === null) return null;
    if (sealed < 0n) return undo(`mprotect failed (errno ${-sealed})`);
    for (const [name, offset] of this.code.entries) {
      const entry = vdso.patched.get(name);
      // An entry too short for the jump keeps its trap stub.
      if (entry && entry.size >= 12) this.patch(pid, entry.address, jumpTo(code + BigInt(offset)));
    }
    return null;
  }

  private patch(pid: number, address: bigint, bytes: Uint8Array): boolean {
    return this.backend.patchMemory(pid, address, bytes) === bytes.length;
  }
}
