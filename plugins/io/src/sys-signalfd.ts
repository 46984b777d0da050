import { Errno, O, SYSCALL_NUMBERS, block, errno, ok, rewrite, waitFor, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { EINVAL, newDescriptor, scatter, virtualFile, type Iovec } from './io.js';
import { SignalFd } from './signalfd.js';

/** The flags signalfd4(2) accepts: SFD_NONBLOCK (O_NONBLOCK) and SFD_CLOEXEC (O_CLOEXEC). */
const SFD_FLAGS = O.NONBLOCK | O.CLOEXEC;
/** sizeof(struct signalfd_siginfo): a read takes whole ones. */
const SSI_SIZE = 128;
const SIGCHLD = 17;
/** Below the red zone: the set, the zero timeout and the siginfo of the rt_sigtimedwait a read becomes. */
const SCRATCH = 128n + 256n;

/** Creates a signalfd, or with `ufd` a signalfd's own, sets its mask (signalfd4(2)). */
function signalfd(ctx: SyscallContext, flags: number): SyscallResult {
  const ufd = ctx.args.int(0);
  if ((flags & ~SFD_FLAGS) !== 0 || ctx.args.sizeT(2) !== 8) return EINVAL();
  const raw = ctx.memory.read(ctx.args.ptr(1), 8);
  if (!raw) return errno(Errno.EFAULT);
  const mask = new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true);
  if (ufd === -1) {
    ctx.warnOnce(`${ctx.name}:one-per-read`, `${ctx.name}: a read returns one signal at a time (Linux returns as many as are pending and fit)`);
    return newDescriptor(ctx, new SignalFd(mask, flags, ctx.process), (flags & O.CLOEXEC) !== 0);
  }
  const file = virtualFile(ctx, ufd);
  // An open descriptor of another kind is EINVAL; one that is not open, EBADF.
  if (!(file instanceof SignalFd)) return ufd >= 0 && ctx.process.isOpen(ufd) ? EINVAL() : errno(Errno.EBADF);
  file.setMask(mask);
  return ok(ufd);
}

/** sysSignalfd implements Linux syscall signalfd(2) (the original call, without flags). */
export function sysSignalfd(ctx: SyscallContext): SyscallResult {
  return signalfd(ctx, 0);
}

/** sysSignalfd4 implements Linux syscall signalfd4(2). */
export function sysSignalfd4(ctx: SyscallContext): SyscallResult {
  return signalfd(ctx, ctx.args.int(3));
}

/**
 * A read of a signalfd: with a signal of its mask pending, the call becomes rt_sigtimedwait on
 * the mask with a zero timeout, so the kernel dequeues it (the thread's own queue first, then the
 * process's), and its siginfo is written to the buffer as a signalfd_siginfo — one per read
 * (Linux fills the buffer with as many as are pending). None pending: EAGAIN, or it waits.
 */
export function readSignals(ctx: SyscallContext, file: SignalFd, iovecs: readonly Iovec[], total: number): SyscallResult {
  if (total < SSI_SIZE) return EINVAL();
  if (file.pendingFor(ctx.thread) === 0n) {
    return file.nonBlocking ? errno(Errno.EAGAIN) : block(waitFor.trigger(file.readiness));
  }
  const scratch = (ctx.thread.syscallStack - SCRATCH) & ~15n;
  const setAt = scratch;
  const timeoutAt = scratch + 16n;
  const infoAt = scratch + 32n;
  const setAndTimeout = new Uint8Array(32);
  new DataView(setAndTimeout.buffer).setBigUint64(0, file.mask, true);
  if (!ctx.memory.write(setAt, setAndTimeout)) return errno(Errno.EFAULT);
  const { memory, thread } = ctx;
  return rewrite(SYSCALL_NUMBERS.rt_sigtimedwait, [setAt, infoAt, timeoutAt, 8n, 0n, 0n], (ret) => {
    if (ret <= 0n) return ret === -BigInt(Errno.EAGAIN) ? -BigInt(Errno.EAGAIN) : ret;
    const info = memory.read(infoAt, 128);
    if (!info) return -BigInt(Errno.EFAULT);
    const si = new DataView(info.buffer, info.byteOffset, 128);
    const sender = thread.takeSender(Number(ret), { code: si.getInt32(8, true), pid: si.getInt32(16, true) });
    sender?.onTaken?.(info);
    const ssi = signalfdSiginfo(ctx, Number(ret), info, sender?.queued ? undefined : sender);
    return scatter(ctx, iovecs, ssi) ? BigInt(SSI_SIZE) : -BigInt(Errno.EFAULT);
  });
}

/** Which fields of a siginfo_t its signal and si_code fill (the kernel's siginfo_layout()). */
type Layout = 'kill' | 'timer' | 'poll' | 'fault' | 'chld' | 'rt';

/** Signals whose own si_codes (up to a limit) have a layout of their own (sig_sicodes[]). */
const SIGNAL_CODES: ReadonlyMap<number, { readonly limit: number; readonly layout: Layout }> = new Map([
  [4, { limit: 11, layout: 'fault' }], // SIGILL
  [5, { limit: 6, layout: 'fault' }], // SIGTRAP
  [7, { limit: 5, layout: 'fault' }], // SIGBUS
  [8, { limit: 15, layout: 'fault' }], // SIGFPE
  [11, { limit: 10, layout: 'fault' }], // SIGSEGV
  [SIGCHLD, { limit: 6, layout: 'chld' }],
  [29, { limit: 6, layout: 'poll' }], // SIGPOLL
]);
const SI_TIMER = -2;
const SI_SIGIO = -5;
const SI_KERNEL = 0x80;
/** POLL_IN … POLL_HUP: any signal with one of these kernel codes carries a band and a descriptor. */
const NSIGPOLL = 6;

function layoutOf(sig: number, code: number): Layout {
  if (code > 0 && code < SI_KERNEL) {
    const own = SIGNAL_CODES.get(sig);
    if (own && code <= own.limit) return own.layout;
    return code <= NSIGPOLL ? 'poll' : 'kill';
  }
  if (code === SI_TIMER) return 'timer';
  if (code === SI_SIGIO) return 'poll';
  return code < 0 ? 'rt' : 'kill';
}

/**
 * struct signalfd_siginfo from a siginfo_t, field by field as signalfd_copyinfo() copies its
 * layout, the sender's pid the virtual one: recorded when the simulator sent the signal, or for
 * SIGCHLD the child's (the kernel names its real pid).
 */
function signalfdSiginfo(ctx: SyscallContext, sig: number, info: Uint8Array, sender: { code: number; pid: number; status?: number } | undefined): Uint8Array {
  const si = new DataView(info.buffer, info.byteOffset, 128);
  const out = new Uint8Array(SSI_SIZE);
  const ssi = new DataView(out.buffer);
  const code = sender?.code ?? si.getInt32(8, true);
  let pid = sender?.pid ?? si.getInt32(16, true);
  if (!sender && sig === SIGCHLD) pid = ctx.process.children().find((c) => c.nativePid === pid)?.pid ?? pid;
  ssi.setUint32(0, sig, true); // ssi_signo
  ssi.setInt32(4, si.getInt32(4, true), true); // ssi_errno
  ssi.setInt32(8, code, true); // ssi_code
  const fromSender = (): void => {
    ssi.setUint32(12, pid, true); // ssi_pid
    ssi.setUint32(16, si.getUint32(20, true), true); // ssi_uid
  };
  const value = (): void => {
    ssi.setInt32(44, si.getInt32(24, true), true); // ssi_int (si_value)
    ssi.setBigUint64(48, si.getBigUint64(24, true), true); // ssi_ptr (si_value)
  };
  switch (layoutOf(sig, code)) {
    case 'kill':
      fromSender();
      break;
    case 'rt':
      fromSender();
      value();
      break;
    case 'timer':
      ssi.setUint32(24, si.getUint32(16, true), true); // ssi_tid (the timer's id)
      ssi.setUint32(32, si.getUint32(20, true), true); // ssi_overrun
      value();
      break;
    case 'poll':
      ssi.setUint32(28, Number(BigInt.asUintN(32, si.getBigInt64(16, true))), true); // ssi_band
      ssi.setInt32(20, si.getInt32(24, true), true); // ssi_fd
      break;
    case 'fault':
      ssi.setBigUint64(72, si.getBigUint64(16, true), true); // ssi_addr
      break;
    case 'chld':
      fromSender();
      ssi.setInt32(40, sender?.status ?? si.getInt32(24, true), true); // ssi_status
      ssi.setBigUint64(56, si.getBigUint64(32, true), true); // ssi_utime
      ssi.setBigUint64(64, si.getBigUint64(40, true), true); // ssi_stime
      break;
  }
  return out;
}
