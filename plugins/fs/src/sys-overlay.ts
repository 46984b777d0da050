import { Errno, O, errno, native, ok, rewrite, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { errnoOf, type OverlayLayers, type Resolved } from './overlay-layers.js';
import { getcwdShowing, listDirectory, scratchStrings } from './sys-proc.js';

/**
 * The path-taking calls of a host whose file system is an overlay (overlay-layers.ts). Each
 * resolves its paths in the merged view and runs natively on the real path of the layer that
 * holds the file — copied up first when the call changes a lower file, made in the upper layer
 * when it creates one — written below the caller's red zone. Deleting a lower file records a
 * whiteout and runs nothing. Undefined: a path outside the overlay (/proc, /dev, /sys, the data
 * directory, the emulated files), answered as on the shared file system.
 */

const PATH_MAX = 4096;
const AT_FDCWD = -100;
const AT_SYMLINK_NOFOLLOW = 0x100;
const AT_REMOVEDIR = 0x200;
const AT_SYMLINK_FOLLOW = 0x400;
const O_TMPFILE = 0o20200000;
const RENAME_NOREPLACE = 1;
const RENAME_EXCHANGE = 2;

type Handler = (ctx: SyscallContext, layers: OverlayLayers) => SyscallResult | undefined;

/** The virtual path of argument `index` (relative to `dirfd`), an errno, or null: not the overlay's. */
function pathArg(ctx: SyscallContext, layers: OverlayLayers, dirfd: number, index: number, follow: boolean) {
  const addr = ctx.args.ptr(index);
  if (addr === 0n) return null; // utimensat's NULL path: the descriptor itself
  const text = ctx.memory.readCString(addr, PATH_MAX);
  return text === null ? null : layers.resolve(ctx, dirfd, text, follow);
}

/**
 * The call run natively with path arguments replaced (index → real path); `after` runs once it
 * succeeded (to record whiteouts and the like).
 */
function withPaths(ctx: SyscallContext, paths: ReadonlyMap<number, string>, after?: () => void): SyscallResult {
  const mapResult = after
    ? (ret: bigint) => {
        if (ret >= 0n) after();
        return ret;
      }
    : undefined;
  if (paths.size === 0) return native(mapResult);
  const indexes = [...paths.keys()];
  const addrs = scratchStrings(ctx, [...paths.values()]);
  if (addrs === null) return errno(Errno.EFAULT);
  const args = [0, 1, 2, 3, 4, 5].map((i) => (paths.has(i) ? addrs[indexes.indexOf(i)]! : ctx.args.raw(i)));
  return rewrite(ctx.nr, args, mapResult);
}

/** Runs `step` (which touches the layers), turning a Node error into the call's errno. */
function attempt(step: () => SyscallResult): SyscallResult {
  try {
    return step();
  } catch (error) {
    return errno(errnoOf(error));
  }
}

/**
 * A two-path call with a name an upper-layer symlink took out of the overlay: run natively when
 * both names are outside it (or the old one is the kernel's), else EXDEV, as between two file systems.
 */
function outside(ctx: SyscallContext, ...args: [number, Resolved][]): SyscallResult {
  const paths = new Map<number, string>();
  for (const [index, r] of args) {
    if (r === null) continue;
    if (!('outside' in r)) return errno(Errno.EXDEV);
    paths.set(index, r.outside);
  }
  return withPaths(ctx, paths);
}

/** A call that only looks its path up: it runs on the layer that holds the file. */
function lookup(ctx: SyscallContext, layers: OverlayLayers, dirfd: number, index: number, follow: boolean): SyscallResult | undefined {
  const r = pathArg(ctx, layers, dirfd, index, follow);
  if (r === null) return undefined;
  if ('errno' in r) return errno(r.errno);
  if ('outside' in r) return withPaths(ctx, new Map([[index, r.outside]]));
  const real = layers.lookupPath(r.path);
  return typeof real === 'string' ? withPaths(ctx, new Map([[index, real]])) : errno(real.errno);
}

/** A call that changes an existing file (chmod, truncate, utimensat): a lower file is copied up first. */
function change(ctx: SyscallContext, layers: OverlayLayers, dirfd: number, index: number, follow: boolean): SyscallResult | undefined {
  const r = pathArg(ctx, layers, dirfd, index, follow);
  if (r === null) return undefined;
  if ('errno' in r) return errno(r.errno);
  if ('outside' in r) return withPaths(ctx, new Map([[index, r.outside]]));
  const found = layers.locate(r.path);
  if (!found) return lookup(ctx, layers, dirfd, index, follow);
  return attempt(() => {
    layers.copyUp(r.path);
    return withPaths(ctx, new Map([[index, layers.upper + r.path]]));
  });
}

/** A call that makes a new name (mkdir, symlink): EEXIST if the merged view has it, else made in the upper layer. */
function create(ctx: SyscallContext, layers: OverlayLayers, dirfd: number, index: number): SyscallResult | undefined {
  const r = pathArg(ctx, layers, dirfd, index, false);
  if (r === null) return undefined;
  if ('errno' in r) return errno(r.errno);
  if ('outside' in r) return withPaths(ctx, new Map([[index, r.outside]]));
  if (layers.locate(r.path)) return errno(Errno.EEXIST);
  return attempt(() => {
    layers.ensureParents(r.path);
    return withPaths(ctx, new Map([[index, layers.upper + r.path]]), () => layers.created(r.path));
  });
}

/** open(2), openat(2), creat(2) under the overlay. */
function open(ctx: SyscallContext, layers: OverlayLayers, dirfd: number, index: number, flags: number): SyscallResult | undefined {
  const creating = (flags & O.CREAT) !== 0;
  const exclusive = creating && (flags & O.EXCL) !== 0;
  const r = pathArg(ctx, layers, dirfd, index, (flags & O.NOFOLLOW) === 0 && !exclusive);
  if (r === null) return undefined;
  if ('errno' in r) return errno(r.errno);
  if ('outside' in r) return withPaths(ctx, new Map([[index, r.outside]]));
  const path = r.path;
  const found = layers.locate(path);
  const tmpfile = (flags & O_TMPFILE) === O_TMPFILE;
  const writes = (flags & O.ACCMODE) !== O.RDONLY || (flags & O.TRUNC) !== 0;
  if (found) {
    if (exclusive) return errno(Errno.EEXIST);
    // An unnamed file is made in the directory's upper copy, so that linkat can name it there.
    const copy = found.layer === 'lower' && (tmpfile ? found.stat.isDirectory() : writes && found.stat.isFile());
    if (!copy) return withPaths(ctx, new Map([[index, found.layer === 'upper' ? layers.upper + path : path]]));
    return attempt(() => {
      layers.copyUp(path);
      return withPaths(ctx, new Map([[index, layers.upper + path]]));
    });
  }
  if (!creating) return lookup(ctx, layers, dirfd, index, true);
  return attempt(() => {
    layers.ensureParents(path);
    return withPaths(ctx, new Map([[index, layers.upper + path]]), () => layers.created(path));
  });
}

/** unlink(2), unlinkat(2), rmdir(2) under the overlay: a lower file is whited out, an upper one removed (and whited out if a lower one is under it). */
function remove(ctx: SyscallContext, layers: OverlayLayers, dirfd: number, index: number, directory: boolean): SyscallResult | undefined {
  const r = pathArg(ctx, layers, dirfd, index, false);
  if (r === null) return undefined;
  if ('errno' in r) return errno(r.errno);
  if ('outside' in r) return withPaths(ctx, new Map([[index, r.outside]]));
  const path = r.path;
  const found = layers.locate(path);
  if (!found) return lookup(ctx, layers, dirfd, index, false);
  if (path === '/') return errno(Errno.EBUSY);
  const isDir = found.stat.isDirectory();
  if (directory && !isDir) return errno(Errno.ENOTDIR);
  if (!directory && isDir) return errno(Errno.EISDIR);
  if (directory && layers.names(path).size > 0) return errno(Errno.ENOTEMPTY);
  const lower = layers.inLower(path);
  if (found.layer === 'lower') return attempt(() => (layers.whiteout(path), ok(0)));
  return withPaths(ctx, new Map([[index, layers.upper + path]]), () => {
    if (lower) layers.whiteout(path);
  });
}

/** rename(2), renameat(2), renameat2(2) under the overlay: both names in the upper layer (a lower file copied up first). */
function rename(ctx: SyscallContext, layers: OverlayLayers, from: [number, number], to: [number, number], flags: number): SyscallResult | undefined {
  const src = pathArg(ctx, layers, from[0], from[1], false);
  const dst = pathArg(ctx, layers, to[0], to[1], false);
  if (src === null && dst === null) return undefined;
  // One name in the overlay and one outside it: as between two file systems.
  if (src === null || dst === null) return errno(Errno.EXDEV);
  if ('errno' in src) return errno(src.errno);
  if ('errno' in dst) return errno(dst.errno);
  if ('outside' in src || 'outside' in dst) return outside(ctx, [from[1], src], [to[1], dst]);
  const s = layers.locate(src.path);
  if (!s) return errno(Errno.ENOENT);
  const d = layers.locate(dst.path);
  const srcDir = s.stat.isDirectory();
  const lowerSrc = layers.inLower(src.path);
  // overlayfs without redirect_dir: a directory with lower content is not renamed (mv copies it).
  if ((srcDir && lowerSrc) || (flags & RENAME_EXCHANGE && d?.layer === 'lower' && d.stat.isDirectory())) return errno(Errno.EXDEV);
  if (flags & RENAME_NOREPLACE && d) return errno(Errno.EEXIST);
  if (flags & RENAME_EXCHANGE && !d) return errno(Errno.ENOENT);
  if (src.path === dst.path) return ok(0);
  const overLowerDir = d?.layer === 'lower' && d.stat.isDirectory();
  if (d && !(flags & RENAME_EXCHANGE)) {
    if (srcDir && !d.stat.isDirectory()) return errno(Errno.ENOTDIR);
    if (!srcDir && d.stat.isDirectory()) return errno(Errno.EISDIR);
    if (d.stat.isDirectory() && layers.names(dst.path).size > 0) return errno(Errno.ENOTEMPTY);
  }
  return attempt(() => {
    layers.copyUp(src.path);
    if (flags & RENAME_EXCHANGE) layers.copyUp(dst.path);
    else layers.ensureParents(dst.path);
    const paths = new Map([
      [from[1], layers.upper + src.path],
      [to[1], layers.upper + dst.path],
    ]);
    return withPaths(ctx, paths, () => {
      if (flags & RENAME_EXCHANGE) return;
      layers.moved(src.path, dst.path);
      if (lowerSrc) layers.whiteout(src.path);
      layers.created(dst.path, overLowerDir);
    });
  });
}

/** link(2) and linkat(2) under the overlay: a lower file is copied up, the new name made in the upper layer. */
function link(ctx: SyscallContext, layers: OverlayLayers, from: [number, number], to: [number, number], follow: boolean): SyscallResult | undefined {
  const src = pathArg(ctx, layers, from[0], from[1], follow);
  const dst = pathArg(ctx, layers, to[0], to[1], false);
  if (dst === null) return src === null ? undefined : errno(Errno.EXDEV);
  if ('errno' in dst) return errno(dst.errno);
  if (src !== null && 'errno' in src) return errno(src.errno);
  if ('outside' in dst || (src !== null && 'outside' in src)) return outside(ctx, [from[1], src], [to[1], dst]);
  if (layers.locate(dst.path)) return errno(Errno.EEXIST);
  return attempt(() => {
    const paths = new Map<number, string>();
    // An old name outside the overlay (an O_TMPFILE's /proc/self/fd/N, AT_EMPTY_PATH) is the kernel's.
    if (src !== null) {
      const s = layers.locate(src.path);
      if (!s) return errno(Errno.ENOENT);
      if (s.stat.isDirectory()) return errno(Errno.EPERM);
      layers.copyUp(src.path);
      paths.set(from[1], layers.upper + src.path);
    }
    layers.ensureParents(dst.path);
    paths.set(to[1], layers.upper + dst.path);
    return withPaths(ctx, paths, () => layers.created(dst.path));
  });
}

const nofollow = (ctx: SyscallContext, i: number) => (ctx.args.int(i) & AT_SYMLINK_NOFOLLOW) === 0;

/** sysOpenOverlay implements Linux syscall open(2) on an overlay host. */
export const sysOpenOverlay: Handler = (ctx, l) => open(ctx, l, AT_FDCWD, 0, ctx.args.int(1));
/** sysOpenatOverlay implements Linux syscall openat(2) on an overlay host. */
export const sysOpenatOverlay: Handler = (ctx, l) => open(ctx, l, ctx.args.int(0), 1, ctx.args.int(2));
/** sysCreatOverlay implements Linux syscall creat(2) on an overlay host. */
export const sysCreatOverlay: Handler = (ctx, l) => open(ctx, l, AT_FDCWD, 0, O.CREAT | O.WRONLY | O.TRUNC);
/** sysNewfstatatOverlay implements Linux syscall newfstatat(2) on an overlay host. */
export const sysNewfstatatOverlay: Handler = (ctx, l) => lookup(ctx, l, ctx.args.int(0), 1, nofollow(ctx, 3));
/** sysStatxOverlay implements Linux syscall statx(2) on an overlay host. */
export const sysStatxOverlay: Handler = (ctx, l) => lookup(ctx, l, ctx.args.int(0), 1, nofollow(ctx, 2));
/** sysStatOverlay implements Linux syscall stat(2) on an overlay host. */
export const sysStatOverlay: Handler = (ctx, l) => lookup(ctx, l, AT_FDCWD, 0, true);
/** sysLstatOverlay implements Linux syscall lstat(2) on an overlay host. */
export const sysLstatOverlay: Handler = (ctx, l) => lookup(ctx, l, AT_FDCWD, 0, false);
/** sysAccessOverlay implements Linux syscall access(2) on an overlay host. */
export const sysAccessOverlay: Handler = (ctx, l) => lookup(ctx, l, AT_FDCWD, 0, true);
/** sysFaccessatOverlay implements Linux syscall faccessat(2) on an overlay host. */
export const sysFaccessatOverlay: Handler = (ctx, l) => lookup(ctx, l, ctx.args.int(0), 1, true);
/** sysFaccessat2Overlay implements Linux syscall faccessat2(2) on an overlay host. */
export const sysFaccessat2Overlay: Handler = (ctx, l) => lookup(ctx, l, ctx.args.int(0), 1, nofollow(ctx, 3));
/** sysReadlinkOverlay implements Linux syscall readlink(2) on an overlay host. */
export const sysReadlinkOverlay: Handler = (ctx, l) => lookup(ctx, l, AT_FDCWD, 0, false);
/** sysReadlinkatOverlay implements Linux syscall readlinkat(2) on an overlay host. */
export const sysReadlinkatOverlay: Handler = (ctx, l) => lookup(ctx, l, ctx.args.int(0), 1, false);
/** sysChdirOverlay implements Linux syscall chdir(2) on an overlay host. */
export const sysChdirOverlay: Handler = (ctx, l) => lookup(ctx, l, AT_FDCWD, 0, true);
/**
 * sysExecveOverlay implements Linux syscall execve(2) on an overlay host: an upper-layer binary
 * runs from there. A lower one the program's own text reaches runs with that text, since the
 * kernel hands it on (a script's interpreter gets it as its argument, AT_EXECFN points at it).
 */
export const sysExecveOverlay: Handler = (ctx, l) => {
  const text = ctx.memory.readCString(ctx.args.ptr(0), PATH_MAX);
  const r = text === null ? null : l.resolve(ctx, AT_FDCWD, text, true);
  if (r !== null && 'path' in r && l.locate(r.path)?.layer === 'lower' && l.reachesNatively(ctx, text!, r.path)) return undefined;
  return lookup(ctx, l, AT_FDCWD, 0, true);
};
/** sysChmodOverlay implements Linux syscall chmod(2) on an overlay host. */
export const sysChmodOverlay: Handler = (ctx, l) => change(ctx, l, AT_FDCWD, 0, true);
/** sysFchmodatOverlay implements Linux syscall fchmodat(2) on an overlay host. */
export const sysFchmodatOverlay: Handler = (ctx, l) => change(ctx, l, ctx.args.int(0), 1, true);
/** sysTruncateOverlay implements Linux syscall truncate(2) on an overlay host. */
export const sysTruncateOverlay: Handler = (ctx, l) => change(ctx, l, AT_FDCWD, 0, true);
/** sysUtimensatOverlay implements Linux syscall utimensat(2) on an overlay host (a NULL path is the descriptor's: native). */
export const sysUtimensatOverlay: Handler = (ctx, l) => change(ctx, l, ctx.args.int(0), 1, nofollow(ctx, 3));
/** sysChownOverlay implements Linux syscall chown(2) on an overlay host. */
export const sysChownOverlay: Handler = (ctx, l) => change(ctx, l, AT_FDCWD, 0, true);
/** sysLchownOverlay implements Linux syscall lchown(2) on an overlay host. */
export const sysLchownOverlay: Handler = (ctx, l) => change(ctx, l, AT_FDCWD, 0, false);
/** sysFchownatOverlay implements Linux syscall fchownat(2) on an overlay host (AT_EMPTY_PATH: the descriptor's, native). */
export const sysFchownatOverlay: Handler = (ctx, l) => change(ctx, l, ctx.args.int(0), 1, nofollow(ctx, 4));
/** sysGetxattrOverlay implements Linux syscall getxattr(2) on an overlay host. */
export const sysGetxattrOverlay: Handler = (ctx, l) => lookup(ctx, l, AT_FDCWD, 0, true);
/** sysLgetxattrOverlay implements Linux syscall lgetxattr(2) on an overlay host. */
export const sysLgetxattrOverlay: Handler = (ctx, l) => lookup(ctx, l, AT_FDCWD, 0, false);
/** sysListxattrOverlay implements Linux syscall listxattr(2) on an overlay host. */
export const sysListxattrOverlay: Handler = (ctx, l) => lookup(ctx, l, AT_FDCWD, 0, true);
/** sysLlistxattrOverlay implements Linux syscall llistxattr(2) on an overlay host. */
export const sysLlistxattrOverlay: Handler = (ctx, l) => lookup(ctx, l, AT_FDCWD, 0, false);
/** sysSetxattrOverlay implements Linux syscall setxattr(2) on an overlay host. */
export const sysSetxattrOverlay: Handler = (ctx, l) => change(ctx, l, AT_FDCWD, 0, true);
/** sysLsetxattrOverlay implements Linux syscall lsetxattr(2) on an overlay host. */
export const sysLsetxattrOverlay: Handler = (ctx, l) => change(ctx, l, AT_FDCWD, 0, false);
/** sysRemovexattrOverlay implements Linux syscall removexattr(2) on an overlay host. */
export const sysRemovexattrOverlay: Handler = (ctx, l) => change(ctx, l, AT_FDCWD, 0, true);
/** sysLremovexattrOverlay implements Linux syscall lremovexattr(2) on an overlay host. */
export const sysLremovexattrOverlay: Handler = (ctx, l) => change(ctx, l, AT_FDCWD, 0, false);
/** sysMkdirOverlay implements Linux syscall mkdir(2) on an overlay host. */
export const sysMkdirOverlay: Handler = (ctx, l) => create(ctx, l, AT_FDCWD, 0);
/** sysMkdiratOverlay implements Linux syscall mkdirat(2) on an overlay host. */
export const sysMkdiratOverlay: Handler = (ctx, l) => create(ctx, l, ctx.args.int(0), 1);
/** sysSymlinkOverlay implements Linux syscall symlink(2) on an overlay host: the link is made in the upper layer, its target text unchanged. */
export const sysSymlinkOverlay: Handler = (ctx, l) => create(ctx, l, AT_FDCWD, 1);
/** sysSymlinkatOverlay implements Linux syscall symlinkat(2) on an overlay host. */
export const sysSymlinkatOverlay: Handler = (ctx, l) => create(ctx, l, ctx.args.int(1), 2);
/** sysUnlinkOverlay implements Linux syscall unlink(2) on an overlay host. */
export const sysUnlinkOverlay: Handler = (ctx, l) => remove(ctx, l, AT_FDCWD, 0, false);
/** sysUnlinkatOverlay implements Linux syscall unlinkat(2) on an overlay host. */
export const sysUnlinkatOverlay: Handler = (ctx, l) => remove(ctx, l, ctx.args.int(0), 1, (ctx.args.int(2) & AT_REMOVEDIR) !== 0);
/** sysRmdirOverlay implements Linux syscall rmdir(2) on an overlay host. */
export const sysRmdirOverlay: Handler = (ctx, l) => remove(ctx, l, AT_FDCWD, 0, true);
/** sysRenameOverlay implements Linux syscall rename(2) on an overlay host. */
export const sysRenameOverlay: Handler = (ctx, l) => rename(ctx, l, [AT_FDCWD, 0], [AT_FDCWD, 1], 0);
/** sysRenameatOverlay implements Linux syscall renameat(2) on an overlay host. */
export const sysRenameatOverlay: Handler = (ctx, l) => rename(ctx, l, [ctx.args.int(0), 1], [ctx.args.int(2), 3], 0);
/** sysRenameat2Overlay implements Linux syscall renameat2(2) on an overlay host. */
export const sysRenameat2Overlay: Handler = (ctx, l) => rename(ctx, l, [ctx.args.int(0), 1], [ctx.args.int(2), 3], ctx.args.int(4));
/** sysLinkOverlay implements Linux syscall link(2) on an overlay host. */
export const sysLinkOverlay: Handler = (ctx, l) => link(ctx, l, [AT_FDCWD, 0], [AT_FDCWD, 1], false);
/** sysLinkatOverlay implements Linux syscall linkat(2) on an overlay host. */
export const sysLinkatOverlay: Handler = (ctx, l) =>
  link(ctx, l, [ctx.args.int(0), 1], [ctx.args.int(2), 3], (ctx.args.int(4) & AT_SYMLINK_FOLLOW) !== 0);
/** sysGetdents64Overlay implements Linux syscall getdents64(2) on an overlay host: an upper directory lists both layers. */
export const sysGetdents64Overlay: Handler = (ctx, l) => listDirectory(ctx, false, (dir) => l.listing(dir));
/** sysGetdentsOverlay implements Linux syscall getdents(2) on an overlay host. */
export const sysGetdentsOverlay: Handler = (ctx, l) => listDirectory(ctx, true, (dir) => l.listing(dir));
/** sysGetcwdOverlay implements Linux syscall getcwd(2) on an overlay host: an upper directory reads as its virtual path. */
export const sysGetcwdOverlay: Handler = (ctx, l) => getcwdShowing(ctx, (real) => l.virtual(real));
