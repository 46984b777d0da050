import {
  chownSync,
  copyFileSync,
  chmodSync,
  lstatSync,
  lutimesSync,
  mkdirSync,
  readdirSync,
  readlinkSync,
  realpathSync,
  symlinkSync,
  type Stats,
} from 'node:fs';
import { Errno, type SyscallContext } from '@shadow-ts/plugin-sdk';
import { emulatedPath } from './paths.js';
import { dirEntry, type DirEntry } from './procfs.js';

/**
 * One host's overlay: the real file system is the read-only lower layer, `upper` (under the
 * host's data directory) holds what the host changed. A path is *virtual* (what the program
 * names) and lives in the upper layer (`upper + path`), the lower one (`path`), or neither.
 * Deleted lower entries are whiteouts, and a name made again where a lower one was deleted is
 * opaque (what the lower layer has below it stays hidden); both are kept here rather than on disk, since a
 * character-device whiteout needs CAP_MKNOD and the simulator must not depend on it.
 */

const AT_FDCWD = -100;
const MAX_SYMLINKS = 40;
/** Paths no overlay covers: the kernel's own trees, and /proc judged by virtual pid (sys-proc.ts). */
const KERNEL_TREES = ['/proc', '/dev', '/sys'];

/** Where a virtual path is now. */
export type Layer = 'upper' | 'lower';

/**
 * A path resolved in the merged view: absolute, without `.`, `..` or symlinks but maybe the last;
 * or, when a symlink of the upper layer leads out of the overlay (to /dev/null, say), the real path
 * outside it that the call must be given instead (the program's text would not reach it).
 */
export type Resolved = { readonly path: string } | { readonly outside: string } | { readonly errno: number } | null;

const under = (path: string, dir: string): boolean => path === dir || path.startsWith(`${dir}/`);

const lstatOrNull = (path: string): Stats | null => {
  try {
    return lstatSync(path, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null; // EACCES, ENOTDIR: as good as absent to a lookup; the kernel reports the real error
  }
};

/** The errno of a Node error (EIO when it has none we know). */
export function errnoOf(error: unknown): number {
  return Errno[(error as NodeJS.ErrnoException).code as keyof typeof Errno] ?? Errno.EIO;
}

/** The proper ancestors of an absolute path, outermost first (`/a/b/c` → `/a`, `/a/b`). */
function ancestors(path: string): string[] {
  const parts = path.split('/').filter((p) => p !== '');
  return parts.slice(0, -1).map((_, i) => `/${parts.slice(0, i + 1).join('/')}`);
}

export class OverlayLayers {
  private readonly whiteouts = new Set<string>();
  private readonly opaque = new Set<string>();

  constructor(
    /** The upper layer's root (absolute, symlink-free). */
    readonly upper: string,
    /** The run's data directory (absolute, symlink-free): it stays as it is, outside the overlay. */
    private readonly dataDirectory: string,
  ) {}

  /** The virtual path of a real one (the kernel's view of a cwd or descriptor). */
  virtual(real: string): string {
    if (real === this.upper) return '/';
    return real.startsWith(`${this.upper}/`) ? real.slice(this.upper.length) : real;
  }

  /** Whether `path` is outside the overlay: kernel trees, the data directory, emulated files. */
  excluded(path: string): boolean {
    return KERNEL_TREES.some((t) => under(path, t)) || under(path, this.dataDirectory) || emulatedPath(path) !== undefined;
  }

  /** Whether the lower layer's `path` shows through: no whiteout on it or above it, no opaque directory above it. */
  lowerVisible(path: string): boolean {
    if (this.whiteouts.has(path)) return false;
    return !ancestors(path).some((a) => this.whiteouts.has(a) || this.opaque.has(a));
  }

  /** The layer `path` is found in, with its lstat. */
  locate(path: string): { layer: Layer; stat: Stats } | null {
    const up = lstatOrNull(this.upper + path);
    if (up) return { layer: 'upper', stat: up };
    if (!this.lowerVisible(path)) return null;
    const low = lstatOrNull(path);
    return low ? { layer: 'lower', stat: low } : null;
  }

  /** Where a relative path starts for the caller (virtual), or null when the kernel must answer (EBADF, a deleted cwd). */
  private base(ctx: SyscallContext, dirfd: number): string | null {
    if (dirfd !== AT_FDCWD && ctx.process.fds.get(dirfd)) return null; // a virtual file: the kernel says ENOTDIR
    const link = dirfd === AT_FDCWD ? `/proc/${ctx.process.nativePid}/cwd` : `/proc/${ctx.process.nativePid}/fd/${dirfd}`;
    try {
      const target = readlinkSync(link);
      return target.startsWith('/') && !target.endsWith(' (deleted)') ? this.virtual(target) : null;
    } catch {
      return null;
    }
  }

  /**
   * Resolves `text` (relative to `dirfd`) in the merged view, following symlinks from whichever
   * layer holds them, the last one only with `followLast`. Null: not the overlay's business (an
   * empty path, an unreadable base, a path that reaches an excluded tree, which is judged from the
   * program's own text as on the shared file system).
   */
  resolve(ctx: SyscallContext, dirfd: number, text: string, followLast: boolean): Resolved {
    if (text === '') return null;
    let stack: string[] = [];
    if (!text.startsWith('/')) {
      const base = this.base(ctx, dirfd);
      if (base === null) return null;
      stack = base.split('/').filter((c) => c !== '');
    }
    const queue = text.split('/').filter((c) => c !== '');
    let links = 0;
    let upperLink = false;
    while (queue.length > 0) {
      const name = queue.shift()!;
      const last = queue.length === 0;
      if (name === '.') continue;
      if (name === '..') {
        stack.pop();
        continue;
      }
      stack.push(name);
      const full = `/${stack.join('/')}`;
      if (this.excluded(full)) {
        if (!upperLink) return null; // the program's text reaches it: judged as on the shared file system
        const outside = [full, ...queue].join('/');
        // A /proc/<n> the simulator did not judge could name any real process.
        return /^\/proc\/\d/.test(outside) ? { errno: Errno.ENOENT } : { outside };
      }
      if (last && !followLast) break;
      const found = this.locate(full);
      if (!found) {
        stack.push(...queue); // a name about to be made, or an error the kernel gives on the rewritten path
        break;
      }
      if (!found.stat.isSymbolicLink()) continue;
      if (++links > MAX_SYMLINKS) return { errno: Errno.ELOOP };
      upperLink ||= found.layer === 'upper';
      const target = readlinkSync(found.layer === 'upper' ? this.upper + full : full);
      stack.pop();
      if (target.startsWith('/')) stack = [];
      queue.unshift(...target.split('/').filter((c) => c !== ''));
    }
    const path = `/${stack.join('/')}`;
    return this.excluded(path) ? null : { path };
  }

  /** Whether the kernel, given the program's `text` (relative to the cwd), reaches lower file `path` too. */
  reachesNatively(ctx: SyscallContext, text: string, path: string): boolean {
    try {
      const cwd = text.startsWith('/') ? '' : readlinkSync(`/proc/${ctx.process.nativePid}/cwd`);
      if (this.virtual(cwd) !== cwd) return false; // a cwd in the upper layer: the text means an upper file
      return realpathSync(`${cwd}/${text}`) === realpathSync(path);
    } catch {
      return false;
    }
  }

  /** Makes the upper copies of the lower directories above `path` (overlayfs's copy-up of parents). */
  ensureParents(path: string): void {
    mkdirSync(this.upper, { recursive: true });
    for (const dir of ancestors(path)) {
      const found = this.locate(dir);
      if (!found || !found.stat.isDirectory()) return; // the kernel reports ENOENT or ENOTDIR on the upper path
      if (found.layer === 'lower') this.copyOne(dir, found.stat);
    }
  }

  /** Copies lower `path` up (its parents first): its bytes, mode, owner and times. Throws a Node error. */
  copyUp(path: string): void {
    const found = this.locate(path);
    if (!found || found.layer === 'upper') return;
    this.ensureParents(path);
    this.copyOne(path, found.stat);
  }

  private copyOne(path: string, st: Stats): void {
    const dest = this.upper + path;
    if (st.isDirectory()) mkdirSync(dest, { mode: st.mode & 0o7777 });
    else if (st.isSymbolicLink()) symlinkSync(readlinkSync(path), dest);
    else if (st.isFile()) copyFileSync(path, dest);
    else throw Object.assign(new Error(`cannot copy up ${path}`), { code: 'EPERM' }); // devices, FIFOs, sockets
    if (!st.isSymbolicLink()) chmodSync(dest, st.mode & 0o7777);
    try {
      chownSync(dest, st.uid, st.gid);
    } catch {
      // A simulator not running as the owner cannot give the copy the owner's ids; it stays the
      // simulator's user's, as a file the program made would be.
    }
    lutimesSync(dest, st.atime, st.mtime);
  }

  /** A lower `path` was deleted: it stays hidden; its parent has an upper copy so that listings notice. */
  whiteout(path: string): void {
    this.ensureParents(path);
    this.whiteouts.add(path);
    this.opaque.delete(path);
    for (const w of [...this.whiteouts]) if (w !== path && under(w, path)) this.whiteouts.delete(w);
  }

  /**
   * `path` was made in the upper layer: a whiteout on it ends. Made over a deleted lower entry,
   * or renamed over a lower directory (`overLower`), it is opaque: nothing of the lower layer
   * below it shows (a file made where a lower directory was deleted hides that directory's files).
   */
  created(path: string, overLower = false): void {
    const hidLower = this.whiteouts.delete(path) || !this.lowerVisible(path);
    if ((hidLower || overLower) && lstatOrNull(path)) this.opaque.add(path);
  }

  /** Whether the real file system (the lower layer) has `path`, hidden or not. */
  inLower(path: string): boolean {
    return lstatOrNull(path) !== null;
  }

  /**
   * The real path a lookup of virtual `path` goes to: its upper copy, the lower file, or where
   * the kernel gives the right error (ENOENT, ENOTDIR); ENOENT for a deleted lower file.
   */
  lookupPath(path: string): string | { errno: number } {
    const found = this.locate(path);
    if (found) return found.layer === 'upper' ? this.upper + path : path;
    const parent = path.slice(0, path.lastIndexOf('/')) || '/';
    if (lstatOrNull(this.upper + parent)) return this.upper + path;
    return this.lowerVisible(path) ? path : { errno: Errno.ENOENT };
  }

  /** Upper `from` was renamed to `to`: what was recorded below it moves along. */
  moved(from: string, to: string): void {
    for (const set of [this.whiteouts, this.opaque]) {
      for (const p of [...set]) {
        if (p !== from && under(p, from)) {
          set.delete(p);
          set.add(to + p.slice(from.length));
        }
      }
    }
  }

  /** The names in directory `path` of the merged view (not `.` and `..`), sorted, each with the real path it lists. */
  names(path: string): Map<string, string> {
    const child = (name: string) => `${path === '/' ? '' : path}/${name}`;
    const names = new Map<string, string>();
    try {
      for (const name of readdirSync(this.upper + path)) names.set(name, this.upper + child(name));
    } catch {
      // no upper directory
    }
    if (this.lowerVisible(path) && !this.opaque.has(path)) {
      for (const [name, real] of this.lowerNames(path)) if (!names.has(name)) names.set(name, real);
    }
    return new Map([...names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }

  private lowerNames(path: string): Map<string, string> {
    const names = new Map<string, string>();
    try {
      for (const name of readdirSync(path)) {
        const child = `${path === '/' ? '' : path}/${name}`;
        if (!this.whiteouts.has(child)) names.set(name, child);
      }
    } catch {
      // no lower directory
    }
    return names;
  }

  /**
   * The listing of a directory descriptor open on `real` when it needs merging (an upper directory,
   * or a lower one that has an upper copy); undefined when the kernel's own listing is right.
   */
  listing(real: string): DirEntry[] | undefined {
    const path = this.virtual(real);
    const inUpper = path !== real || real === this.upper;
    if (!inUpper && (this.excluded(real) || !lstatOrNull(this.upper + path)?.isDirectory())) return undefined;
    const parent = path === '/' ? '/' : path.slice(0, path.lastIndexOf('/')) || '/';
    const where = (p: string) => (lstatOrNull(this.upper + p) ? this.upper + p : p);
    const entries = [dirEntry('.', where(path), 0), dirEntry('..', where(parent), 1)];
    let pos = 2;
    for (const [name, listed] of this.names(path)) entries.push(dirEntry(name, listed, pos++));
    return entries;
  }
}
