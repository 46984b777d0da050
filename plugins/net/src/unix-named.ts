import { closeSync, lstatSync, openSync, readlinkSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { Errno, type SyscallContext } from '@shadow-ts/plugin-sdk';
import { AF_UNIX } from './constants.js';
import { failure, type Failure, type Outcome } from './socket.js';
import type { HostNet } from './state.js';
import type { UnixSocket } from './unix.js';

/**
 * The names of AF_UNIX sockets: bind(2) to a pathname or an abstract name, and the lookup of
 * the socket bound at a name that connect(2) and sendto(2) do. Each host's namespace holds its
 * registry of bound names (state.ts). A pathname bind also creates the path as Linux creates a
 * socket inode, so `ls` sees it and a second bind finds it taken (EADDRINUSE) — but as an empty
 * *regular* file (node cannot make a socket inode), relative to the process's working directory. The program's
 * unlink(2) runs natively and removes it; a connect to a path that is gone is ENOENT, to a path
 * that is not (or no longer) the bound socket's file ECONNREFUSED. Abstract names are per socket
 * type, as Linux hashes the type into them: a stream and a datagram socket may hold the same one.
 */

/** offsetof(struct sockaddr_un, sun_path) and sizeof(struct sockaddr_un). */
const SUN_PATH = 2;
const SOCKADDR_UN = 110;
/** The address of an unnamed socket: sa_family only. */
export const UNNAMED = new Uint8Array([AF_UNIX, 0]);

export interface Entry {
  readonly socket: UnixSocket;
  /** The inode of the file a pathname bind created (to notice an unlink or a replacement). */
  readonly ino: number | null;
}

/** One host's bound names (pathnames by absolute path, abstract names by `@<type>:<hex>`). */
export interface UnixNames {
  readonly names: Map<string, Entry>;
  nextAuto: number;
}

/** A decoded sockaddr_un: an abstract name (key) or an absolute path. */
type Name = { readonly abstract: true; readonly key: string; readonly address: Uint8Array } | { readonly abstract: false; readonly path: string; readonly key: string; readonly address: Uint8Array };

/** The working directory of the calling process (the simulator's own if it cannot be read). */
function cwdOf(ctx: SyscallContext): string {
  try {
    return readlinkSync(`/proc/${ctx.process.nativePid}/cwd`);
  } catch {
    return process.cwd();
  }
}

/** The registry key of abstract name `raw` (the bytes after the leading NUL) for sockets of `type`. */
function abstractKey(type: number, raw: Uint8Array): string {
  return `@${type}:${Buffer.from(raw).toString('hex')}`;
}

/**
 * unix_validate_addr() and the name in it, for a socket of `type`: EINVAL when too short, too
 * long or not AF_UNIX; null for an autobind request (the family alone).
 */
function decodeName(ctx: SyscallContext, bytes: Uint8Array, type: number): Name | null | Failure {
  if (bytes.length < SUN_PATH || bytes.length > SOCKADDR_UN) return failure(Errno.EINVAL);
  if (bytes[0]! + bytes[1]! * 256 !== AF_UNIX) return failure(Errno.EINVAL);
  if (bytes.length === SUN_PATH) return null;
  const sunPath = bytes.subarray(SUN_PATH);
  if (sunPath[0] === 0) return { abstract: true, key: abstractKey(type, sunPath.subarray(1)), address: new Uint8Array(bytes) };
  const end = sunPath.indexOf(0);
  const raw = Buffer.from(end >= 0 ? sunPath.subarray(0, end) : sunPath);
  const path = resolve(cwdOf(ctx), raw.toString('latin1'));
  // Linux reports a pathname address as the path and its NUL.
  const address = new Uint8Array(SUN_PATH + raw.length + 1);
  address.set(bytes.subarray(0, SUN_PATH));
  address.set(raw, SUN_PATH);
  return { abstract: false, path, key: path, address };
}

function errnoOf(e: unknown): number {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && (Errno as Record<string, number>)[code]) || Errno.EACCES;
}

/**
 * unix_bind(): names `sock`. An autobind request on a named socket does nothing (unix_autobind);
 * an abstract name is EINVAL on a named socket, EADDRINUSE when taken. A pathname bind creates
 * the path first (EADDRINUSE when it exists, the path's errno otherwise) and only then finds the
 * socket named (EINVAL, the path removed again), as unix_bind_bsd(); as node cannot make a socket
 * inode, the path is an empty regular file (warned once).
 */
export function bindName(ctx: SyscallContext, sock: UnixSocket, bytes: Uint8Array): Outcome {
  const name = decodeName(ctx, bytes, sock.type);
  if (name && 'errno' in name) return name;
  const registry = sock.net.unixNames;
  if (!name) return sock.name || autobind(registry, sock) ? undefined : failure(Errno.ENOSPC);
  if (name.abstract) {
    if (sock.name) return failure(Errno.EINVAL);
    if (registry.names.has(name.key)) return failure(Errno.EADDRINUSE);
    register(registry, sock, name.key, name.address, null);
    return undefined;
  }
  ctx.warnOnce('bind:unix-pathname', 'bind: a pathname AF_UNIX socket is an empty regular file on the real file system, not a socket inode');
  let ino: number;
  try {
    closeSync(openSync(name.path, 'wx', 0o777 & ~0o022));
    ino = lstatSync(name.path).ino;
  } catch (e) {
    const code = errnoOf(e);
    return failure(code === Errno.EEXIST ? Errno.EADDRINUSE : code);
  }
  if (sock.name) {
    unlinkSync(name.path);
    return failure(Errno.EINVAL);
  }
  register(registry, sock, name.key, name.address, ino);
  return undefined;
}

function register(registry: UnixNames, sock: UnixSocket, key: string, address: Uint8Array, ino: number | null): void {
  sock.name = address;
  registry.names.set(key, { socket: sock, ino });
  sock.onRelease = () => {
    if (registry.names.get(key)?.socket === sock) registry.names.delete(key);
  };
}

/** unix_autobind(): an abstract name of five hex digits. */
function autobind(registry: UnixNames, sock: UnixSocket): boolean {
  for (let i = 0; i < 0x100000; i++) {
    const n = (registry.nextAuto++ & 0xfffff).toString(16).padStart(5, '0');
    const raw = Buffer.from(n, 'latin1');
    const key = abstractKey(sock.type, raw);
    if (registry.names.has(key)) continue;
    const address = new Uint8Array(SUN_PATH + 1 + raw.length);
    address[0] = AF_UNIX;
    address.set(raw, SUN_PATH + 1);
    register(registry, sock, key, address, null);
    return true;
  }
  return false;
}

/**
 * The socket of type `type` bound to `bytes` on `net`'s host (unix_find_other()): ENOENT for a
 * missing path, ECONNREFUSED when nobody is bound there, EPROTOTYPE for a path bound by another
 * type (an abstract name is looked up among the sockets of `type` only: ECONNREFUSED otherwise).
 */
export function findSocket(ctx: SyscallContext, net: HostNet, bytes: Uint8Array, type: number): UnixSocket | Failure {
  const name = decodeName(ctx, bytes, type);
  if (!name) return failure(Errno.EINVAL);
  if ('errno' in name) return name;
  const entry = net.unixNames.names.get(name.key);
  if (!name.abstract) {
    let ino: number;
    try {
      ino = lstatSync(name.path).ino;
    } catch (e) {
      return failure(errnoOf(e));
    }
    if (!entry || entry.ino !== ino) return failure(Errno.ECONNREFUSED);
  }
  if (!entry || entry.socket.closed) return failure(Errno.ECONNREFUSED);
  if (entry.socket.type !== type) return failure(Errno.EPROTOTYPE);
  return entry.socket;
}
