/**
 * The data directory and everything written into it. The directory is checked and created before
 * any process starts, and every write goes through here, so a full disk or a read-only file
 * system ends the run with one line naming the path and the reason instead of a stack trace.
 */

import { appendFileSync, cpSync, mkdirSync, realpathSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { ShadowError } from './kernel/errors.js';

/** Kernel file systems: files there are the kernel's interfaces, not storage (mkdir under /proc even makes Node loop). */
const KERNEL_FILESYSTEMS = ['/proc', '/sys', '/dev'];
/** The one place under /dev that is ordinary storage (a tmpfs). */
const DEV_SHM = '/dev/shm';

/** The system's description of a failed call ("no space left on device"), or the error's message. */
export function systemReason(error: unknown): string {
  const errno = (error as NodeJS.ErrnoException).errno;
  const known = errno === undefined ? undefined : getSystemErrorMap().get(errno)?.[1];
  return known ?? (error instanceof Error ? error.message : String(error));
}

/** Runs a file operation on the output `path`; a failure (a full disk) becomes one line naming it. */
export function writingTo<T>(path: string, op: () => T): T {
  try {
    return op();
  } catch (error) {
    throw new ShadowError('OUTPUT_WRITE_FAILED', `cannot write "${path}": ${systemReason(error)}`, { path });
  }
}

function isUnder(path: string, root: string): boolean {
  return path === root || path.startsWith(root + sep);
}

/** The deepest ancestor of `path` (itself included) that exists. */
function existingAncestor(path: string): string {
  for (let p = path; ; p = dirname(p)) {
    try {
      statSync(p);
      return p;
    } catch (error) {
      if (p === dirname(p)) throw error;
    }
  }
}

/**
 * Creates the data directory, which must not exist yet (as in Shadow). Refuses kernel file
 * systems, and reports a parent that is not a directory, a read-only file system, a missing
 * permission or a full disk as one line naming the directory.
 */
export function createDataDirectory(dir: string): void {
  const fail = (reason: string) =>
    new ShadowError('DATA_DIRECTORY_UNUSABLE', `cannot create data directory "${dir}": ${reason}`, { path: dir });
  const absolute = resolve(dir);
  const ancestor = existingAncestor(absolute);
  // Through symlinks: where the directory would really be.
  const real = join(realpathSync(ancestor), relative(ancestor, absolute));
  const kernel = KERNEL_FILESYSTEMS.find((root) => isUnder(real, root) && !isUnder(real, DEV_SHM));
  if (kernel !== undefined) {
    throw fail(`it is under ${kernel}, a kernel file system; choose a directory on a disk or a tmpfs`);
  }
  if (ancestor === absolute) {
    throw new ShadowError('DATA_DIRECTORY_EXISTS', `data directory "${dir}" already exists; remove it or choose another with -d`);
  }
  if (!statSync(ancestor).isDirectory()) throw fail(`"${ancestor}" is not a directory`);
  // One level at a time: the error then names the level that could not be made.
  const missing = relative(ancestor, absolute).split(sep);
  let path = ancestor;
  for (const name of missing) {
    path = join(path, name);
    try {
      mkdirSync(path);
    } catch (error) {
      throw fail(systemReason(error));
    }
  }
}

/**
 * Fills the new data directory with a recursive copy of `template` (Shadow's
 * `general.template_directory`: Tor experiments keep keys and torrcs there, under `hosts/<name>/`).
 */
export function copyTemplate(template: string, dir: string): void {
  let isDirectory: boolean;
  try {
    isDirectory = statSync(template).isDirectory();
  } catch (error) {
    throw new ShadowError('TEMPLATE_DIRECTORY_UNUSABLE', `template directory "${template}": ${systemReason(error)}`, { path: template });
  }
  if (!isDirectory) throw new ShadowError('TEMPLATE_DIRECTORY_UNUSABLE', `template directory "${template}": it is not a directory`, { path: template });
  writingTo(dir, () => cpSync(template, dir, { recursive: true, preserveTimestamps: true }));
}

/** Creates a directory inside the data directory (and its parents). */
export function createOutputDirectory(path: string): void {
  writingTo(path, () => mkdirSync(path, { recursive: true }));
}

/** Writes an output file. */
export function writeOutput(path: string, data: string): void {
  writingTo(path, () => writeFileSync(path, data));
}

/** Adds `data` at the end of an output file. */
export function appendOutput(path: string, data: string): void {
  writingTo(path, () => appendFileSync(path, data));
}
