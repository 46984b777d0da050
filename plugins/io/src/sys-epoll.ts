import { Errno, TASK_SIZE, callDeadline, errno, ok, type SimTime, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import {
  EPOLL,
  EPOLL_EVENT_SIZE,
  Epoll,
  checkSigmask,
  expired,
  isDeadline,
  msDeadline,
  timespecDeadline,
  waitReady,
} from './epoll.js';
import { EBADF, EFAULT, EINVAL, newDescriptor, virtualFile } from './io.js';

/** EP_MAX_EVENTS: INT_MAX / sizeof(struct epoll_event); larger maxevents are EINVAL. */
const EP_MAX_EVENTS = Math.floor(0x7fffffff / EPOLL_EVENT_SIZE);

/** The event bits EPOLLEXCLUSIVE may be combined with (EPOLLEXCLUSIVE_OK_BITS in fs/eventpoll.c). */
const EXCLUSIVE_OK_BITS = 0x001 | 0x004 | 0x008 | 0x010 | EPOLL.WAKEUP | EPOLL.ET | EPOLL.EXCLUSIVE;

/** sysEpollCreate implements Linux syscall epoll_create(2). */
export function sysEpollCreate(ctx: SyscallContext): SyscallResult {
  // The size hint has been ignored since Linux 2.6.8, but it must still be positive.
  if (ctx.args.int(0) <= 0) return EINVAL();
  return newDescriptor(ctx, new Epoll(), false);
}

/** sysEpollCreate1 implements Linux syscall epoll_create1(2). */
export function sysEpollCreate1(ctx: SyscallContext): SyscallResult {
  const flags = ctx.args.int(0);
  if ((flags & ~EPOLL.CLOEXEC) !== 0) return EINVAL();
  return newDescriptor(ctx, new Epoll(), (flags & EPOLL.CLOEXEC) !== 0);
}

/** sysEpollCtl implements Linux syscall epoll_ctl(2). */
export function sysEpollCtl(ctx: SyscallContext): SyscallResult {
  const epfd = ctx.args.int(0);
  const op = ctx.args.int(1);
  const fd = ctx.args.int(2);
  // The kernel copies the event in before looking at the descriptors; EPOLL_CTL_DEL has none
  // (a NULL pointer is fine there since Linux 2.6.9).
  let events = 0;
  let data = 0n;
  if (op !== EPOLL.CTL_DEL) {
    const bytes = ctx.memory.read(ctx.args.ptr(3), EPOLL_EVENT_SIZE);
    if (!bytes) return EFAULT();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    events = view.getUint32(0, true);
    data = view.getBigUint64(4, true);
  }
  const epFile = virtualFile(ctx, epfd);
  if (!epFile && !ctx.process.isOpen(epfd)) return EBADF();
  const target = virtualFile(ctx, fd);
  // Every ordinary descriptor of a simulated process is a regular file or a device without a
  // poll operation, which epoll_ctl refuses with EPERM.
  if (!target) return ctx.process.isOpen(fd) ? errno(Errno.EPERM) : EBADF();
  if (!(epFile instanceof Epoll) || target === epFile) return EINVAL();
  const epoll = epFile;
  if (op !== EPOLL.CTL_DEL && (events & EPOLL.EXCLUSIVE) !== 0) {
    // epoll_ctl(2): EPOLLEXCLUSIVE only with EPOLL_CTL_ADD, not on an epoll, and only with
    // EPOLLIN/OUT/ERR/HUP/WAKEUP/ET.
    if (op === EPOLL.CTL_MOD) return EINVAL();
    if (op === EPOLL.CTL_ADD && (target instanceof Epoll || (events & ~EXCLUSIVE_OK_BITS) !== 0)) return EINVAL();
    // One simulated waiter per wake-up is not modelled: every waiter wakes and re-checks.
    ctx.warnOnce('epoll_ctl:EPOLLEXCLUSIVE', 'epoll_ctl: EPOLLEXCLUSIVE is treated as a normal entry');
  }
  switch (op) {
    case EPOLL.CTL_ADD:
      // ep_loop_check: adding an epoll that (transitively) watches this one would make a cycle.
      if (target instanceof Epoll && target.reaches(epoll)) return errno(Errno.ELOOP);
      if (epoll.has(fd, target)) return errno(Errno.EEXIST);
      epoll.add(fd, target, events, data);
      return ok();
    case EPOLL.CTL_DEL:
      return epoll.remove(fd, target) ? ok() : errno(Errno.ENOENT);
    case EPOLL.CTL_MOD: {
      const current = epoll.eventsOf(fd, target);
      if (current === undefined) return errno(Errno.ENOENT);
      if ((current & EPOLL.EXCLUSIVE) !== 0) return EINVAL();
      epoll.modify(fd, target, events, data);
      return ok();
    }
    default:
      return EINVAL();
  }
}

/** sysEpollWait implements Linux syscall epoll_wait(2). */
export function sysEpollWait(ctx: SyscallContext): SyscallResult {
  return epollWait(ctx, () => msDeadline(ctx, ctx.args.int(3)));
}

/** sysEpollPwait implements Linux syscall epoll_pwait(2). */
export function sysEpollPwait(ctx: SyscallContext): SyscallResult {
  const refused = checkSigmask(ctx, ctx.args.ptr(4), ctx.args.sizeT(5));
  if (refused) return refused;
  return epollWait(ctx, () => msDeadline(ctx, ctx.args.int(3)));
}

/** sysEpollPwait2 implements Linux syscall epoll_pwait2(2). */
export function sysEpollPwait2(ctx: SyscallContext): SyscallResult {
  // epoll_pwait2 takes a struct timespec; NULL waits forever.
  const deadline = callDeadline(ctx, () => timespecDeadline(ctx, ctx.args.ptr(3)));
  if (!isDeadline(deadline)) return deadline;
  const refused = checkSigmask(ctx, ctx.args.ptr(4), ctx.args.sizeT(5));
  if (refused) return refused;
  return epollWait(ctx, () => deadline);
}

/**
 * The body of the epoll_wait family: report what the ready list holds, or park until the epoll
 * signals or the deadline passes. A woken call runs this again and re-checks.
 */
function epollWait(ctx: SyscallContext, timeout: () => SimTime | null | SyscallResult): SyscallResult {
  const epfd = ctx.args.int(0);
  const maxevents = ctx.args.int(2);
  if (maxevents <= 0 || maxevents > EP_MAX_EVENTS) return EINVAL();
  // access_ok() on the whole array, before the descriptor is looked at.
  if (ctx.args.ptr(1) + BigInt(maxevents * EPOLL_EVENT_SIZE) > TASK_SIZE) return EFAULT();
  const file = virtualFile(ctx, epfd);
  if (!file) return ctx.process.isOpen(epfd) ? EINVAL() : EBADF();
  if (!(file instanceof Epoll)) return EINVAL();
  const deadline = callDeadline(ctx, timeout);
  if (!isDeadline(deadline)) return deadline;

  const harvest = file.collect(maxevents);
  if (harvest.length > 0) {
    const out = new Uint8Array(harvest.length * EPOLL_EVENT_SIZE);
    const view = new DataView(out.buffer);
    harvest.forEach(({ entry, revents }, i) => {
      view.setUint32(i * EPOLL_EVENT_SIZE, revents >>> 0, true);
      view.setBigUint64(i * EPOLL_EVENT_SIZE + 4, entry.data, true);
    });
    // Consume only once the events reached the program: on a fault nothing is lost.
    if (!ctx.memory.write(ctx.args.ptr(1), out)) return EFAULT();
    file.consume(harvest);
    return ok(harvest.length);
  }
  if (expired(ctx, deadline)) return ok(0);
  return waitReady([file.readiness], deadline);
}
