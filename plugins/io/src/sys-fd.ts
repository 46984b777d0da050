import { Errno, O, errno, native, ok, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { O_ASYNC } from './async-io.js';
import { EFAULT, virtualFile } from './io.js';
import { nativeFile } from './locks.js';
import { F_GETPIPE_SZ, F_SETPIPE_SZ } from './pipe.js';
import type { IoState } from './state.js';
import { LOCK_COMMANDS, fcntlLock } from './sys-lock.js';

const F_DUPFD = 0;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const F_DUPFD_CLOEXEC = 1030;
/** Status flags F_SETFL may change (fcntl(2)); the access mode and creation flags are fixed. */
const O_DIRECT = 0o40000;
const O_NOATIME = 0o1000000;
const SETFL_MASK = O.APPEND | O.NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME;

const FIONBIO = 0x5421;
const FIOCLEX = 0x5451;
const FIONCLEX = 0x5450;

const CLOSE_RANGE_CLOEXEC = 4;

/**
 * Lets the kernel duplicate the placeholder and binds the new number to the same open file
 * (dup shares the description, and with it the status flags).
 */
function dupVirtual(ctx: SyscallContext, oldfd: number): SyscallResult {
  const file = virtualFile(ctx, oldfd)!;
  const fds = ctx.process.fds;
  return native((ret) => {
    if (ret >= 0n) fds.bind(Number(ret), file);
    return ret;
  });
}

/**
 * dup2/dup3: the kernel does the work (EBADF, EINVAL, EBUSY, closing `newfd`); on success the
 * table follows: `newfd` now refers to what `oldfd` refers to, or to nothing virtual.
 */
function dupOnto(ctx: SyscallContext, state: IoState, oldfd: number, newfd: number): SyscallResult {
  const fds = ctx.process.fds;
  const file = virtualFile(ctx, oldfd);
  const waits = state.locks(ctx.host);
  // Replacing an open `newfd` closes it, which may release locks (fcntl(2)).
  if (oldfd === newfd || (!file && !fds.get(newfd) && waits.idle)) return native();
  return native((ret) => {
    if (ret >= 0n) {
      if (file) fds.bind(newfd, file);
      else fds.unbind(newfd);
      waits.releasedAny();
    }
    return ret;
  });
}

/** sysClose implements Linux syscall close(2). */
export function sysClose(ctx: SyscallContext, state: IoState): SyscallResult {
  const fd = ctx.args.int(0);
  // The kernel closes the placeholder; close(2) frees the descriptor even when it reports an error.
  ctx.process.fds.unbind(fd);
  // Closing any descriptor of a file drops the process's record locks on it, the last one of a
  // description its flock and OFD locks: the file's lock waiters try again.
  const waits = state.locks(ctx.host);
  const file = waits.idle ? undefined : nativeFile(ctx.process, fd)?.key;
  return file ? native((ret) => (waits.released(file), ret)) : native();
}

/** sysCloseRange implements Linux syscall close_range(2). */
export function sysCloseRange(ctx: SyscallContext, state: IoState): SyscallResult {
  const first = Number(ctx.args.u64(0) & 0xffffffffn);
  const last = Number(ctx.args.u64(1) & 0xffffffffn);
  const flags = ctx.args.int(2);
  const fds = ctx.process.fds;
  // With CLOSE_RANGE_CLOEXEC nothing closes now; exec drops the bindings of closed placeholders.
  if (flags & CLOSE_RANGE_CLOEXEC) return native();
  const waits = state.locks(ctx.host);
  return native((ret) => {
    if (ret === 0n) {
      for (const [fd] of [...fds.entries()]) if (fd >= first && fd <= last) fds.unbind(fd);
      waits.releasedAny();
    }
    return ret;
  });
}

/** sysDup implements Linux syscall dup(2). */
export function sysDup(ctx: SyscallContext): SyscallResult {
  return virtualFile(ctx, ctx.args.int(0)) ? dupVirtual(ctx, ctx.args.int(0)) : native();
}

/** sysDup2 implements Linux syscall dup2(2). */
export function sysDup2(ctx: SyscallContext, state: IoState): SyscallResult {
  return dupOnto(ctx, state, ctx.args.int(0), ctx.args.int(1));
}

/** sysDup3 implements Linux syscall dup3(2). */
export function sysDup3(ctx: SyscallContext, state: IoState): SyscallResult {
  const [oldfd, newfd] = [ctx.args.int(0), ctx.args.int(1)];
  // dup3 refuses oldfd == newfd (EINVAL); the kernel says so itself.
  return oldfd === newfd ? native() : dupOnto(ctx, state, oldfd, newfd);
}

/** sysFcntl implements Linux syscall fcntl(2). */
export function sysFcntl(ctx: SyscallContext, state: IoState): SyscallResult {
  const fd = ctx.args.int(0);
  const file = virtualFile(ctx, fd);
  const cmd = ctx.args.int(1);
  if (!file) return LOCK_COMMANDS.has(cmd) ? fcntlLock(ctx, state) : native();
  switch (cmd) {
    case F_DUPFD:
    case F_DUPFD_CLOEXEC:
      return dupVirtual(ctx, fd);
    case F_GETFD:
    case F_SETFD:
      return native(); // FD_CLOEXEC belongs to the descriptor, which the kernel keeps
    case F_GETFL:
      return ok(file.statusFlags);
    case F_SETFL: {
      const flags = ctx.args.int(2);
      file.statusFlags = (file.statusFlags & ~SETFL_MASK) | (flags & SETFL_MASK);
      state.asyncIo.update(file, fd);
      return ok();
    }
    default: {
      const result = state.asyncIo.fcntl(ctx, file, cmd) ?? file.fcntl(ctx, cmd, ctx.args.u64(2));
      if (result) return result;
      // pipe_fcntl() on a file that is no pipe: EBADF, not EINVAL.
      if (cmd === F_GETPIPE_SZ || cmd === F_SETPIPE_SZ) return errno(Errno.EBADF);
      ctx.warnOnce(`fcntl:${file.kind}:${cmd}`, `fcntl: command ${cmd} is not supported on a ${file.kind}; returning EINVAL`);
      return errno(Errno.EINVAL);
    }
  }
}

/** sysIoctl implements Linux syscall ioctl(2). */
export function sysIoctl(ctx: SyscallContext, state: IoState): SyscallResult {
  const file = virtualFile(ctx, ctx.args.int(0));
  if (!file) return native();
  const request = Number(ctx.args.u64(1) & 0xffffffffn);
  switch (request) {
    case FIOCLEX:
    case FIONCLEX:
      return native(); // close-on-exec is the descriptor's, kept by the kernel
    case FIONBIO: {
      const raw = ctx.memory.read(ctx.args.ptr(2), 4);
      if (!raw) return EFAULT();
      const on = new DataView(raw.buffer).getInt32(0, true) !== 0;
      file.statusFlags = on ? file.statusFlags | O.NONBLOCK : file.statusFlags & ~O.NONBLOCK;
      return ok();
    }
    default: {
      const answer = state.asyncIo.ioctl(ctx, file, request) ?? file.ioctl(ctx, request, ctx.args.u64(2));
      if (answer) return answer;
      // Terminal requests ('T', 0x54xx: TCGETS from isatty(), TIOCGWINSZ) are ENOTTY on Linux too.
      if (((request >> 8) & 0xff) !== 0x54) {
        ctx.warnOnce(
          `ioctl:${file.kind}:${request}`,
          `ioctl: request 0x${request.toString(16)} is not simulated on a ${file.kind}; returning ENOTTY`,
        );
      }
      return errno(Errno.ENOTTY);
    }
  }
}

/** sysLseek implements Linux syscall lseek(2). */
export function sysLseek(ctx: SyscallContext): SyscallResult {
  const file = virtualFile(ctx, ctx.args.int(0));
  if (!file) return native();
  const result = file.seek(ctx.args.raw(1), ctx.args.int(2));
  return typeof result === 'bigint' ? ok(result) : errno(result.errno);
}
