import { lstatSync, readFileSync, readdirSync, readlinkSync, type BigIntStats } from 'node:fs';
import { Errno, type HostView, type ProcessView, type SyscallContext, type ThreadView } from '@shadow-ts/plugin-sdk';

/**
 * /proc as a managed program sees it: `/proc/<n>` names the processes (and threads) of its own
 * host by virtual id, nothing else. Paths are resolved here, component by component, the way the
 * kernel would resolve them for the caller (its cwd, its dirfd, `/proc/self`, symlinks), so a
 * path that reaches /proc through a symlink or a directory descriptor is judged like a literal
 * one. The result is the real path the kernel should be given, and whether the program's own
 * text would reach it (it would not once a virtual id was translated to a real one).
 */

const AT_FDCWD = -100;
const MAX_SYMLINKS = 40;

/** A path resolved for the kernel. */
export interface ResolvedPath {
  /** The absolute real path: virtual ids translated, symlinks outside /proc/<pid> followed. */
  readonly path: string;
  /** A virtual id was translated: the program's text would name another (real) process. */
  readonly translated: boolean;
  /** The walk went through /proc (the caller's cwd or dirfd included). */
  readonly proc: boolean;
}

/** A path that is not ours to judge (the kernel answers it), a resolved one, or an errno. */
export type Resolution = ResolvedPath | { readonly errno: number } | null;

/** A managed task found by id: its process and, for a thread id, its thread. */
export interface Task {
  readonly process: ProcessView;
  readonly thread: ThreadView | null;
  /** Its virtual id (pid of the process, or tid of the thread). */
  readonly vid: number;
  /** Its real id. */
  readonly rid: number;
}

/** The managed task of `host` whose virtual (or, with `real`, real) id is `id`. */
export function findTask(host: HostView, id: number, real = false): Task | null {
  for (const process of host.processes()) {
    if ((real ? process.nativePid : process.pid) === id) return { process, thread: null, vid: process.pid, rid: process.nativePid };
    for (const thread of process.threads()) {
      if ((real ? thread.nativeTid : thread.tid) === id) return { process, thread, vid: thread.tid, rid: thread.nativeTid };
    }
  }
  return null;
}

/** The thread of `process` whose virtual (or real) tid is `id`. */
function findThread(process: ProcessView, id: number, real: boolean): ThreadView | undefined {
  return process.threads().find((t) => (real ? t.nativeTid : t.tid) === id);
}

const NUMERIC = /^\d+$/;

/** Where a relative path starts: the caller's cwd or the directory `dirfd` refers to. */
function baseOf(ctx: SyscallContext, dirfd: number): string | null {
  if (dirfd !== AT_FDCWD && ctx.process.fds.get(dirfd)) return null; // a virtual file: the kernel says ENOTDIR
  const link = dirfd === AT_FDCWD ? `/proc/${ctx.process.nativePid}/cwd` : `/proc/${ctx.process.nativePid}/fd/${dirfd}`;
  try {
    const target = readlinkSync(link);
    return target.startsWith('/') && !target.endsWith(' (deleted)') ? target : null;
  } catch {
    return null; // EBADF and the like: the kernel answers
  }
}

/** Whether `path` is a symlink, something else, or cannot be looked up. */
function fileKind(path: string): 'link' | 'other' | 'missing' {
  try {
    const st = lstatSync(path, { throwIfNoEntry: false });
    return !st ? 'missing' : st.isSymbolicLink() ? 'link' : 'other';
  } catch {
    return 'missing';
  }
}

interface Component {
  readonly name: string;
  /** From a link the kernel resolved (cwd, fd/N): its ids are real, not the program's. */
  readonly real: boolean;
}

const componentsOf = (path: string, real: boolean): Component[] =>
  path
    .split('/')
    .filter((c) => c !== '')
    .map((name) => ({ name, real }));

/**
 * Resolves `text` as the caller's kernel would (relative to `dirfd`), following a final symlink
 * only with `followLast`. Null when the path cannot reach /proc or the kernel must answer it (an
 * unreadable base, an empty path).
 */
export function resolvePath(ctx: SyscallContext, dirfd: number, text: string, followLast: boolean): Resolution {
  if (text === '') return null;
  let stack: string[] = [];
  let proc = false;
  if (!text.startsWith('/')) {
    const base = baseOf(ctx, dirfd);
    if (base === null) return null;
    stack = componentsOf(base, true).map((c) => c.name);
    proc = stack[0] === 'proc';
  }
  const queue = componentsOf(text, false);
  let translated = false;
  let links = 0;
  const self = ctx.process.nativePid;
  while (queue.length > 0) {
    const c = queue.shift()!;
    const last = queue.length === 0;
    if (c.name === '.') continue;
    if (c.name === '..') {
      stack.pop();
      continue;
    }
    if (stack.length === 1 && stack[0] === 'proc') {
      proc = true;
      if ((c.name === 'self' || c.name === 'thread-self') && (!last || followLast)) {
        stack.push(String(self));
        if (c.name === 'thread-self') stack.push('task', String(ctx.thread.nativeTid));
        continue;
      }
      if (NUMERIC.test(c.name)) {
        const task = findTask(ctx.host, Number(c.name), c.real);
        if (!task) return { errno: Errno.ENOENT };
        translated ||= !c.real;
        stack.push(String(task.rid));
        continue;
      }
    } else if (stack.length === 3 && stack[0] === 'proc' && stack[2] === 'task' && NUMERIC.test(c.name)) {
      const owner = findTask(ctx.host, Number(stack[1]), true);
      const thread = owner && findThread(owner.process, Number(c.name), c.real);
      if (!thread) return { errno: Errno.ENOENT };
      translated ||= !c.real;
      stack.push(String(thread.nativeTid));
      continue;
    }
    stack.push(c.name);
    if (last && !followLast) break;
    const full = `/${stack.join('/')}`;
    const kind = fileKind(full);
    if (kind === 'missing') {
      // A file about to be created, or an error the kernel reports (ENOENT, ENOTDIR, EACCES).
      stack.push(...queue.map((q) => q.name));
      break;
    }
    if (kind === 'other') continue;
    if (++links > MAX_SYMLINKS) return { errno: Errno.ELOOP };
    const target = readlinkSync(full);
    // Links inside /proc/<pid>/ (cwd, root, exe, fd/N) are the kernel's: their targets hold real ids.
    const magic = stack[0] === 'proc' && stack.length >= 3 && NUMERIC.test(stack[1]!);
    if (magic) {
      if (last) break; // the kernel follows it itself (a deleted file, a pipe, a socket)
      if (!target.startsWith('/')) return { errno: Errno.ENOTDIR };
      stack = [];
      queue.unshift(...componentsOf(target, true));
      proc ||= target.startsWith('/proc');
      continue;
    }
    stack.pop();
    if (target.startsWith('/')) stack = [];
    queue.unshift(...componentsOf(target, false));
  }
  const path = `/${stack.join('/')}`;
  return { path, translated, proc: proc || path === '/proc' || path.startsWith('/proc/') };
}

/** The ids in a real /proc path: `/proc/<pid>[/task/<tid>]` and what follows. */
const PROC_PATH = /^\/proc\/(\d+)(?:\/task\/(\d+))?(\/.*)?$/;

/**
 * The task a real `/proc/<pid>[/task/<tid>]/…` path names and the rest of the path, or null for
 * a path outside the per-process directories.
 */
export function procTask(host: HostView, path: string): { task: Task; rest: string; perThread: boolean } | null {
  const m = PROC_PATH.exec(path);
  if (!m) return null;
  const owner = findTask(host, Number(m[1]), true);
  if (!owner) return null;
  if (m[2] === undefined) return { task: owner, rest: m[3] ?? '', perThread: false };
  const thread = findThread(owner.process, Number(m[2]), true);
  if (!thread) return null;
  return { task: { process: owner.process, thread, vid: thread.tid, rid: thread.nativeTid }, rest: m[3] ?? '', perThread: true };
}

/** A real path with its /proc ids replaced by the virtual ones the program knows. */
export function virtualPath(host: HostView, path: string): string {
  const m = PROC_PATH.exec(path);
  if (!m) return path;
  const owner = findTask(host, Number(m[1]), true);
  if (!owner) return path;
  const thread = m[2] === undefined ? undefined : findThread(owner.process, Number(m[2]), true);
  const task = m[2] === undefined ? '' : `/task/${thread?.tid ?? m[2]}`;
  return `/proc/${owner.vid}${task}${m[3] ?? ''}`;
}

/** Virtual ids of a real id list (`children`), dropping tasks that are not on the host. */
function virtualIds(host: HostView, ids: string): string {
  return ids
    .split(/\s+/)
    .filter((id) => id !== '')
    .map((id) => findTask(host, Number(id), true)?.vid)
    .filter((id) => id !== undefined)
    .map((id) => `${id} `)
    .join('');
}

/** Clock ticks (USER_HZ, 100 a second) of the simulated clock since the host booted. */
const ticksSince = (host: HostView, at: bigint): bigint => (at - host.bootTime) / 10_000_000n;

/** `/proc/<pid>/stat` with virtual pid, ppid, pgrp, session, no terminal group, simulated start time. */
function statFile(task: Task, real: string): string {
  const close = real.lastIndexOf(')');
  const fields = real.slice(close + 2).trimEnd().split(' ');
  const p = task.process;
  // fields[0] is field 3 (state); field n is fields[n - 3].
  fields[1] = String(p.parentPid);
  fields[2] = String(p.pgid);
  fields[3] = String(p.sid);
  fields[5] = '-1';
  fields[19] = String(ticksSince(p.host, p.startTime));
  return `${task.vid} ${real.slice(real.indexOf('('), close + 1)} ${fields.join(' ')}\n`;
}

/** `/proc/<pid>/status` with virtual ids and no tracer. */
function statusFile(task: Task, real: string): string {
  const p = task.process;
  const values: Record<string, number> = {
    Tgid: p.pid,
    Pid: task.vid,
    PPid: p.parentPid,
    TracerPid: 0,
    NStgid: p.pid,
    NSpid: task.vid,
    NSpgid: p.pgid,
    NSsid: p.sid,
  };
  return real.replace(/^(\w+):\t.*$/gm, (line, key: string) => (key in values ? `${key}:\t${values[key]}` : line));
}

const GENERATED: Record<string, (host: HostView, task: Task, real: string) => string> = {
  '/stat': (_host, task, real) => statFile(task, real),
  '/status': (_host, task, real) => statusFile(task, real),
  '/children': (host, _task, real) => virtualIds(host, real),
};

/**
 * The bytes of a per-process file whose real text holds real ids (stat, status, children),
 * rewritten with virtual ones; undefined for every other path. An errno when the task ended.
 */
export function generatedFile(host: HostView, path: string): Uint8Array | { errno: number } | undefined {
  const found = procTask(host, path);
  const make = found && GENERATED[found.rest];
  if (!found || !make || (found.rest === '/children' && !found.perThread)) return undefined;
  try {
    return Buffer.from(make(host, found.task, readFileSync(path, 'utf8')));
  } catch {
    return { errno: Errno.ENOENT };
  }
}

/** One directory entry of an emulated listing, at its position (as lseek and d_off see it). */
export interface DirEntry {
  readonly name: string;
  readonly ino: bigint;
  /** DT_* type. */
  readonly type: number;
  readonly pos: number;
}

const DT_DIR = 4;
const DT_REG = 8;
const DT_LNK = 10;
/** Positions of per-process entries: this plus the virtual id, so a listing resumes by id. */
const ID_POSITION = 1 << 24;

export function dirEntry(name: string, path: string, pos: number): DirEntry {
  let st: BigIntStats | undefined;
  try {
    st = lstatSync(path, { throwIfNoEntry: false, bigint: true });
  } catch {
    st = undefined; // gone or unreadable while listing: listed as a plain entry
  }
  const type = !st ? DT_REG : st.isDirectory() ? DT_DIR : st.isSymbolicLink() ? DT_LNK : DT_REG;
  return { name, ino: st?.ino ?? 0n, type, pos };
}

/**
 * The listing of a /proc directory whose entries name tasks (`/proc` itself and
 * `/proc/<pid>/task`), with the host's virtual ids only; undefined for every other directory.
 */
export function procListing(host: HostView, dir: string): DirEntry[] | undefined {
  if (dir === '/proc') {
    const fixed = ['.', '..', ...readdirSync('/proc').filter((name) => !NUMERIC.test(name))];
    const ids = host
      .processes()
      .map((p) => p.pid)
      .sort((a, b) => a - b);
    return [
      ...fixed.map((name, i) => dirEntry(name, name === '..' ? '/' : `/proc/${name === '.' ? '' : name}`, i)),
      ...ids.map((vid) => dirEntry(String(vid), `/proc/${findTask(host, vid)!.rid}`, ID_POSITION + vid)),
    ];
  }
  const m = /^\/proc\/(\d+)\/task$/.exec(dir);
  const owner = m && findTask(host, Number(m[1]), true);
  if (!owner) return undefined;
  const tids = owner.process
    .threads()
    .map((t) => t.tid)
    .sort((a, b) => a - b);
  return [
    dirEntry('.', dir, 0),
    dirEntry('..', `/proc/${m![1]}`, 1),
    ...tids.map((vid) => dirEntry(String(vid), `${dir}/${findThread(owner.process, vid, false)!.nativeTid}`, ID_POSITION + vid)),
  ];
}
