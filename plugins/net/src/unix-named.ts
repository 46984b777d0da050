import { closeSync, lstatSync, openSync, readlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { Errno, block, errno, newDescriptor, ok, waitFor, type HostView, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { SOCK_NONBLOCK, SOCK_CLOEXEC, putAddress, wouldBlock } from './socket-common.js';
import { AF_UNIX, SOCK_DGRAM, UnixSocket } from './unix.js';

/**
 * Named AF_UNIX sockets: bind(2) to a pathname or an abstract name, listen/accept/connect for
 * stream and seqpacket sockets, connect/sendto for datagram ones. Each host has a registry of
 * bound names. A pathname bind also creates the path as Linux creates a socket inode, so `ls`
 * sees it and a second bind finds it taken (EADDRINUSE) — but as an empty *regular* file (node
 * cannot make a socket inode), relative to the process's working directory. The program's
 * unlink(2) runs natively and removes it; a connect to a path that is gone is ENOENT, to a path
 * that is not (or no longer) the bound socket's file ECONNREFUSED.
 */

/** offsetof(struct sockaddr_un, sun_path) and sizeof(struct sockaddr_un). */
const SUN_PATH = 2;
const SOCKADDR_UN = 110;
/** The address of an unnamed socket: sa_family only. */
export const UNNAMED = new Uint8Array([AF_UNIX, 0]);

interface Entry {
  readonly socket: UnixSocket;
  /** The inode of the file a pathname bind created (to notice an unlink or a replacement). */
  readonly ino: number | null;
}

class Registry {
  readonly names = new Map<string, Entry>();
  nextAuto = 0;
}

const registries = new WeakMap<HostView, Registry>();

function registryOf(host: HostView): Registry {
  let r = registries.get(host);
  if (!r) {
    r = new Registry();
    registries.set(host, r);
  }
  return r;
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

/**
 * unix_validate_addr() and the name in it: EINVAL when too short, too long or not AF_UNIX;
 * null for an autobind request (the family alone).
 */
function decodeName(ctx: SyscallContext, bytes: Uint8Array): Name | null | { readonly errno: number } {
  if (bytes.length < SUN_PATH || bytes.length > SOCKADDR_UN) return { errno: Errno.EINVAL };
  if (bytes[0]! + bytes[1]! * 256 !== AF_UNIX) return { errno: Errno.EINVAL };
  if (bytes.length === SUN_PATH) return null;
  const sunPath = bytes.subarray(SUN_PATH);
  if (sunPath[0] === 0) {
    return { abstract: true, key: `@${Buffer.from(sunPath.subarray(1)).toString('hex')}`, address: new Uint8Array(bytes) };
  }
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

/** bind(2) on an AF_UNIX socket. */
export function unixBind(ctx: SyscallContext, sock: UnixSocket, bytes: Uint8Array): SyscallResult {
  const name = decodeName(ctx, bytes);
  if (name && 'errno' in name) return errno(name.errno);
  if (sock.name) return errno(Errno.EINVAL);
  const registry = registryOf(ctx.host);
  if (!name) return autobind(registry, sock) ? ok() : errno(Errno.ENOSPC);
  if (registry.names.has(name.key) && name.abstract) return errno(Errno.EADDRINUSE);
  let ino: number | null = null;
  if (!name.abstract) {
    try {
      closeSync(openSync(name.path, 'wx', 0o777 & ~0o022));
      ino = lstatSync(name.path).ino;
    } catch (e) {
      const code = errnoOf(e);
      return errno(code === Errno.EEXIST ? Errno.EADDRINUSE : code);
    }
  }
  register(registry, sock, name.key, name.address, ino);
  return ok();
}

function register(registry: Registry, sock: UnixSocket, key: string, address: Uint8Array, ino: number | null): void {
  sock.name = address;
  registry.names.set(key, { socket: sock, ino });
  sock.onRelease = () => {
    if (registry.names.get(key)?.socket === sock) registry.names.delete(key);
  };
}

/** unix_autobind(): an abstract name of five hex digits. */
function autobind(registry: Registry, sock: UnixSocket): boolean {
  for (let i = 0; i < 0x100000; i++) {
    const n = (registry.nextAuto++ & 0xfffff).toString(16).padStart(5, '0');
    const raw = Buffer.from(n, 'latin1');
    const key = `@${raw.toString('hex')}`;
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
 * The socket of type `type` bound to `bytes` (unix_find_other()): ENOENT for a missing path,
 * ECONNREFUSED when nobody is bound there, EPROTOTYPE for a path bound by another type (an
 * abstract name of another type is simply not found: ECONNREFUSED).
 */
function lookup(ctx: SyscallContext, bytes: Uint8Array, type: number): UnixSocket | { readonly errno: number } {
  const name = decodeName(ctx, bytes);
  if (!name) return { errno: Errno.EINVAL };
  if ('errno' in name) return name;
  const entry = registryOf(ctx.host).names.get(name.key);
  if (!name.abstract) {
    let ino: number;
    try {
      ino = lstatSync(name.path).ino;
    } catch (e) {
      return { errno: errnoOf(e) };
    }
    if (!entry || entry.ino !== ino) return { errno: Errno.ECONNREFUSED };
  }
  if (!entry || entry.socket.closed) return { errno: Errno.ECONNREFUSED };
  if (entry.socket.type !== type) return { errno: name.abstract ? Errno.ECONNREFUSED : Errno.EPROTOTYPE };
  return entry.socket;
}

/** listen(2) on an AF_UNIX socket: stream and seqpacket only; it must be bound. */
export function unixListen(sock: UnixSocket, backlog: number): SyscallResult {
  if (sock.type === SOCK_DGRAM) return errno(Errno.EOPNOTSUPP);
  if (!sock.name || sock.peer || !sock.unconnected) return errno(Errno.EINVAL);
  sock.backlog = backlog < 0 || backlog > 4096 ? 4096 : backlog;
  sock.listening = true;
  sock.readiness.notify();
  return ok();
}

/**
 * connect(2) on an AF_UNIX socket. Stream/seqpacket (unix_stream_connect()): the listener gets
 * a new connected end in its accept queue at once; a full queue blocks (EAGAIN when
 * non-blocking). Datagram: sets the default destination; AF_UNSPEC disconnects.
 */
export function unixConnect(ctx: SyscallContext, sock: UnixSocket, bytes: Uint8Array): SyscallResult {
  if (sock.type === SOCK_DGRAM) {
    if (bytes.length >= 2 && bytes[0] === 0 && bytes[1] === 0) {
      sock.peer = null;
      sock.peerName = null;
      return ok();
    }
    const target = lookup(ctx, bytes, sock.type);
    if ('errno' in target) return errno(target.errno);
    sock.peer = target;
    sock.peerName = target.name;
    return ok();
  }
  if (sock.listening) return errno(Errno.EINVAL);
  if (sock.peer || !sock.unconnected) return errno(Errno.EISCONN);
  const target = lookup(ctx, bytes, sock.type);
  if ('errno' in target) return errno(target.errno);
  if (!target.listening) return errno(Errno.ECONNREFUSED);
  if (target.acceptQueue.length > target.backlog) {
    return sock.nonBlocking ? errno(Errno.EAGAIN) : block(waitFor.trigger(target.readiness));
  }
  const server = new UnixSocket(sock.type, false);
  server.unconnected = false;
  server.name = target.name;
  server.peerName = sock.name;
  server.peer = sock;
  sock.peer = server;
  sock.peerName = target.name;
  sock.unconnected = false;
  target.acceptQueue.push(server);
  target.readiness.notify();
  sock.readiness.notify();
  return ok();
}

/** accept(2)/accept4(2) on an AF_UNIX listener: the next connection, with its peer's address. */
export function unixAccept(ctx: SyscallContext, sock: UnixSocket, addr: bigint, lenPtr: bigint, flags: number): SyscallResult {
  if (!sock.listening) return errno(Errno.EINVAL);
  const child = sock.acceptQueue.shift();
  if (!child) return wouldBlock(ctx, sock, sock.nonBlocking);
  sock.readiness.notify(); // room for a blocked connect
  if (flags & SOCK_NONBLOCK) child.statusFlags |= 0o4000;
  if (addr !== 0n) {
    const fault = putAddress(ctx, addr, lenPtr, child.peerName ?? UNNAMED);
    if (fault) {
      sock.acceptQueue.unshift(child);
      return fault;
    }
  }
  return withRequeue(newDescriptor(ctx, child, { cloexec: (flags & SOCK_CLOEXEC) !== 0 }), () => sock.acceptQueue.unshift(child));
}

/** Runs `undo` when the descriptor the result creates could not be made (EMFILE…). */
export function withRequeue(result: SyscallResult, undo: () => void): SyscallResult {
  if (result.kind !== 'rewrite' || !result.mapResult) return result;
  const map = result.mapResult;
  return {
    ...result,
    mapResult: (ret) => {
      if (ret < 0n) undo();
      return map(ret);
    },
  };
}

/** The target of sendto(2) on an AF_UNIX datagram socket, or the errno. */
export function unixTarget(ctx: SyscallContext, bytes: Uint8Array): UnixSocket | { readonly errno: number } {
  return lookup(ctx, bytes, SOCK_DGRAM);
}
