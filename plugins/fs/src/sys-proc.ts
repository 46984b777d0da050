import { readFileSync, readlinkSync } from 'node:fs';
import {
  Errno,
  O,
  SYSCALL_NUMBERS,
  errno,
  native,
  newDescriptor,
  ok,
  rewrite,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import { ContentFile } from './files.js';
import { generatedFile, procListing, procTask, resolvePath, virtualPath, type DirEntry, type ResolvedPath } from './procfs.js';

/**
 * The path-taking syscalls that can reach /proc. Each resolves its path as the caller's kernel
 * would (procfs.ts): a path that never enters /proc runs natively, untouched; one that names a
 * task that is not a managed process of the caller's host is ENOENT; one whose text names a
 * virtual id runs natively on the real path, written below the caller's stack red zone.
 */

const PATH_MAX = 4096;
const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_EMPTY_PATH = 0x1000;
const SEEK_SET = 0n;
const RED_ZONE = 128n;

/**
 * `paths` as NUL-terminated strings below the caller's red zone, one under the other, or null when
 * they cannot be written.
 */
export function scratchStrings(ctx: SyscallContext, paths: readonly string[]): bigint[] | null {
  const addrs: bigint[] = [];
  let top = ctx.thread.syscallStack - RED_ZONE;
  for (const path of paths) {
    const bytes = Buffer.from(`${path}\0`);
    top = (top - BigInt(bytes.length)) & ~15n;
    if (!ctx.memory.write(top, bytes)) return null;
    addrs.push(top);
  }
  return addrs;
}

/** The call run natively with argument `index` pointing at the real path instead of the program's. */
function withRealPath(ctx: SyscallContext, index: number, resolved: ResolvedPath): SyscallResult {
  const addr = scratchStrings(ctx, [resolved.path])?.[0];
  if (addr === undefined) return errno(Errno.EFAULT);
  const args = [0, 1, 2, 3, 4, 5].map((i) => (i === index ? addr : ctx.args.raw(i)));
  return rewrite(ctx.nr, args);
}

/** The resolution of path argument `index` (relative to `dirfd`); null when it is not about /proc. */
function resolveArg(ctx: SyscallContext, dirfd: number, index: number, followLast: boolean) {
  const text = ctx.memory.readCString(ctx.args.ptr(index), PATH_MAX);
  return text === null ? null : resolvePath(ctx, dirfd, text, followLast);
}

/**
 * A call whose only business with its path is finding it: the errno of a path that names no
 * managed task, the real path when the program's names a virtual id, else `otherwise`.
 */
function pathCall(
  ctx: SyscallContext,
  dirfd: number,
  index: number,
  followLast: boolean,
  otherwise: SyscallResult | undefined,
): SyscallResult | undefined {
  const resolved = resolveArg(ctx, dirfd, index, followLast);
  if (resolved === null) return otherwise;
  if ('errno' in resolved) return errno(resolved.errno);
  return resolved.translated ? withRealPath(ctx, index, resolved) : otherwise;
}

/**
 * open(2) and openat(2) of a /proc path: generated files (stat, status, children) are virtual,
 * another process's memory is refused, the rest opens natively. Undefined: not a /proc path.
 */
export function openProc(ctx: SyscallContext, dirfd: number, index: number, flags: number): SyscallResult | undefined {
  const resolved = resolveArg(ctx, dirfd, index, (flags & O.NOFOLLOW) === 0);
  if (resolved === null || !('errno' in resolved || resolved.proc)) return undefined;
  if ('errno' in resolved) return errno(resolved.errno);
  const found = procTask(ctx.host, resolved.path);
  if (found && found.rest === '/mem' && found.task.process !== ctx.process) {
    ctx.warnOnce(`${ctx.name}:proc-mem`, `${ctx.name}: /proc/<pid>/mem of another process is refused (EACCES)`);
    return errno(Errno.EACCES);
  }
  const content = generatedFile(ctx.host, resolved.path);
  if (content === undefined) return resolved.translated ? withRealPath(ctx, index, resolved) : native();
  if ('errno' in content) return errno(content.errno);
  if ((flags & O.ACCMODE) !== O.RDONLY) return errno(Errno.EACCES);
  return newDescriptor(ctx, new ContentFile(content, O.RDONLY), { cloexec: (flags & O.CLOEXEC) !== 0 });
}

/** newfstatat(2) and statx(2) of a /proc path (undefined: not one, the next tap answers). */
export function statAtProc(ctx: SyscallContext, flags: number): SyscallResult | undefined {
  if (flags & AT_EMPTY_PATH) return undefined;
  return pathCall(ctx, ctx.args.int(0), 1, (flags & AT_SYMLINK_NOFOLLOW) === 0, undefined);
}

/** sysStat implements Linux syscall stat(2). */
export function sysStat(ctx: SyscallContext): SyscallResult {
  return pathCall(ctx, AT_FDCWD, 0, true, native())!;
}

/** sysLstat implements Linux syscall lstat(2). */
export function sysLstat(ctx: SyscallContext): SyscallResult {
  return pathCall(ctx, AT_FDCWD, 0, false, native())!;
}

/** sysAccess implements Linux syscall access(2). */
export function sysAccess(ctx: SyscallContext): SyscallResult {
  return pathCall(ctx, AT_FDCWD, 0, true, native())!;
}

/** sysFaccessat implements Linux syscall faccessat(2). */
export function sysFaccessat(ctx: SyscallContext): SyscallResult {
  return pathCall(ctx, ctx.args.int(0), 1, true, native())!;
}

/** sysFaccessat2 implements Linux syscall faccessat2(2). */
export function sysFaccessat2(ctx: SyscallContext): SyscallResult {
  return pathCall(ctx, ctx.args.int(0), 1, (ctx.args.int(3) & AT_SYMLINK_NOFOLLOW) === 0, native())!;
}

/** sysChdir implements Linux syscall chdir(2). */
export function sysChdir(ctx: SyscallContext): SyscallResult {
  return pathCall(ctx, AT_FDCWD, 0, true, native())!;
}

/** sysExecveProc implements Linux syscall execve(2) for /proc paths (/proc/<pid>/exe); the process family runs the rest. */
export function sysExecveProc(ctx: SyscallContext): SyscallResult | undefined {
  return pathCall(ctx, AT_FDCWD, 0, true, undefined);
}

/**
 * The name a descriptor link of the host's processes reads (/proc/<real pid>[/task/<tid>]/fd/<n>)
 * when it is a virtual file's: its own (fdLink), not its placeholder's; undefined otherwise.
 */
function virtualFdLink(ctx: SyscallContext, path: string): string | undefined {
  const m = /^\/proc\/(\d+)\/(?:task\/\d+\/)?fd\/(\d+)$/.exec(path);
  if (!m) return undefined;
  const process = ctx.host.processes().find((p) => p.nativePid === Number(m[1]));
  return process?.fds.get(Number(m[2]))?.fdLink();
}

/** What a /proc symlink reads as: `self` and `thread-self` name virtual ids, targets hold virtual ids. */
function procLinkTarget(ctx: SyscallContext, path: string): Uint8Array | { errno: number } {
  if (path === '/proc/self') return Buffer.from(String(ctx.process.pid));
  if (path === '/proc/thread-self') return Buffer.from(`${ctx.process.pid}/task/${ctx.thread.tid}`);
  const own = virtualFdLink(ctx, path);
  if (own !== undefined) return Buffer.from(own, 'latin1');
  try {
    const target = readlinkSync(path, { encoding: 'buffer' });
    return target.subarray(0, 6).toString('latin1') === '/proc/' ? Buffer.from(virtualPath(ctx.host, target.toString('latin1')), 'latin1') : target;
  } catch (e) {
    return { errno: Errno[(e as NodeJS.ErrnoException).code as keyof typeof Errno] ?? Errno.EINVAL };
  }
}

/** readlink(2) and readlinkat(2): /proc links are read by the simulator, the rest natively. */
function readlinkCall(ctx: SyscallContext, dirfd: number, index: number): SyscallResult {
  const resolved = resolveArg(ctx, dirfd, index, false);
  if (resolved === null) return native();
  if ('errno' in resolved) return errno(resolved.errno);
  if (!resolved.proc) return native();
  const size = ctx.args.int(index + 2);
  if (size <= 0) return errno(Errno.EINVAL);
  const target = procLinkTarget(ctx, resolved.path);
  if ('errno' in target) return errno(target.errno);
  const bytes = target.subarray(0, size);
  return ctx.memory.write(ctx.args.ptr(index + 1), bytes) ? ok(bytes.length) : errno(Errno.EFAULT);
}

/** sysReadlink implements Linux syscall readlink(2). */
export function sysReadlink(ctx: SyscallContext): SyscallResult {
  return readlinkCall(ctx, AT_FDCWD, 0);
}

/** sysReadlinkat implements Linux syscall readlinkat(2). */
export function sysReadlinkat(ctx: SyscallContext): SyscallResult {
  return readlinkCall(ctx, ctx.args.int(0), 1);
}

/** sysGetcwd implements Linux syscall getcwd(2): a cwd inside /proc/<pid> reads with the virtual id. */
export function sysGetcwd(ctx: SyscallContext): SyscallResult {
  return getcwdShowing(ctx, (real) => real);
}

/**
 * getcwd(2) run natively, the directory it returns shown as `show` maps it (a file system
 * strategy's own view), and inside /proc/<pid> with the virtual id.
 */
export function getcwdShowing(ctx: SyscallContext, show: (real: string) => string): SyscallResult {
  const { memory, host } = ctx;
  const buf = ctx.args.ptr(0);
  const size = ctx.args.sizeT(1);
  return native((ret) => {
    if (ret <= 0n) return ret;
    const real = memory.readCString(buf, Number(ret));
    if (real === null) return ret;
    const mapped = show(real);
    if (mapped === real && !real.startsWith('/proc/')) return ret;
    const shown = Buffer.from(`${virtualPath(host, mapped)}\0`);
    if (shown.length > size) return BigInt(-Errno.ERANGE);
    return memory.write(buf, shown) ? BigInt(shown.length) : BigInt(-Errno.EFAULT);
  });
}

/** Encodes `entries` from position `from` as dirents into at most `size` bytes; `next` is where the listing resumes. */
function encodeDirents(entries: readonly DirEntry[], from: number, size: number, legacy: boolean) {
  const chunks: Buffer[] = [];
  let used = 0;
  let next = from;
  const pending = entries.filter((e) => e.pos >= from);
  for (const [i, e] of pending.entries()) {
    const name = Buffer.from(e.name);
    // linux_dirent64: ino, off, reclen, type, name; linux_dirent: ino, off, reclen, name, pad, type.
    const reclen = (19 + name.length + 1 + (legacy ? 1 : 0) + 7) & ~7;
    if (used + reclen > size) break;
    const rec = Buffer.alloc(reclen);
    const after = pending[i + 1]?.pos ?? e.pos + 1;
    rec.writeBigUInt64LE(e.ino, 0);
    rec.writeBigInt64LE(BigInt(after), 8);
    rec.writeUInt16LE(reclen, 16);
    if (legacy) {
      name.copy(rec, 18);
      rec[reclen - 1] = e.type;
    } else {
      rec[18] = e.type;
      name.copy(rec, 19);
    }
    chunks.push(rec);
    used += reclen;
    next = after;
  }
  return { bytes: Buffer.concat(chunks), next, more: pending.length > chunks.length };
}

/**
 * getdents64(2) and getdents(2): a descriptor open on `/proc` or `/proc/<pid>/task` lists the
 * host's virtual ids only. The listing resumes at the description's own file position, which
 * the call then moves by a native lseek — so rewinddir, dup and fork behave as Linux.
 */
function getdentsCall(ctx: SyscallContext, legacy: boolean): SyscallResult {
  return listDirectory(ctx, legacy, (dir) => procListing(ctx.host, dir)) ?? native();
}

/**
 * getdents64(2) or getdents(2) answered from `list` (given the real path the descriptor is open
 * on), at the description's own position; undefined when `list` has no listing for it (or the
 * descriptor is not a real directory): the kernel answers.
 */
export function listDirectory(ctx: SyscallContext, legacy: boolean, list: (dir: string) => DirEntry[] | undefined): SyscallResult | undefined {
  const fd = ctx.args.int(0);
  if (ctx.process.fds.get(fd)) return undefined; // a virtual file: the kernel says ENOTDIR
  const pid = ctx.process.nativePid;
  let entries: DirEntry[] | undefined;
  let position: number;
  try {
    entries = list(readlinkSync(`/proc/${pid}/fd/${fd}`));
    if (!entries) return undefined;
    position = Number(/^pos:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1] ?? 0);
  } catch {
    return undefined; // EBADF: the kernel answers
  }
  const { bytes, next, more } = encodeDirents(entries, position, ctx.args.sizeT(2), legacy);
  if (bytes.length === 0) return more ? errno(Errno.EINVAL) : ok(0);
  if (!ctx.memory.write(ctx.args.ptr(1), bytes)) return errno(Errno.EFAULT);
  return rewrite(SYSCALL_NUMBERS.lseek, [BigInt(fd), BigInt(next), SEEK_SET, 0n, 0n, 0n], (ret) =>
    ret >= 0n ? BigInt(bytes.length) : ret,
  );
}

/** sysGetdents64 implements Linux syscall getdents64(2). */
export function sysGetdents64(ctx: SyscallContext): SyscallResult {
  return getdentsCall(ctx, false);
}

/** sysGetdents implements Linux syscall getdents(2). */
export function sysGetdents(ctx: SyscallContext): SyscallResult {
  return getdentsCall(ctx, true);
}
