import { Errno, POLL, Signal, errno, ok, type HostView, type OpenFile, type ProcessView, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';

/**
 * Signal-driven I/O on virtual files (fcntl(2) "Managing signals"): O_ASYNC (F_SETFL or
 * ioctl FIOASYNC), the owner (F_SETOWN, F_SETOWN_EX, FIOSETOWN/SIOCSPGRP: a process of the host,
 * or a process group as a negative number) and the signal (F_SETSIG; 0 is SIGIO). While both
 * are set, the owner gets the signal each time the file becomes readable, writable or hung up
 * — when a poll bit comes on, as the kernel's wake-ups announce new data or new room.
 */

export const O_ASYNC = 0o20000;
export const F_SETOWN = 8;
export const F_GETOWN = 9;
export const F_SETSIG = 10;
export const F_GETSIG = 11;
export const F_SETOWN_EX = 15;
export const F_GETOWN_EX = 16;
export const FIOASYNC = 0x5452;
export const FIOSETOWN = 0x8901;
export const SIOCSPGRP = 0x8902;
export const FIOGETOWN = 0x8903;
export const SIOCGPGRP = 0x8904;

const F_OWNER_TID = 0;
const F_OWNER_PID = 1;
const F_OWNER_PGRP = 2;
const SIGRTMAX = 64;
/**
 * The poll bits whose coming on raises the signal, each with the si_code (POLL_IN, POLL_OUT,
 * POLL_PRI, POLL_ERR, POLL_HUP) and si_band (the kernel's band_table) an F_SETSIG signal carries.
 */
const REASONS = [
  { bit: POLL.IN, code: 1, band: POLL.IN | POLL.RDNORM },
  { bit: POLL.OUT, code: 2, band: POLL.OUT | POLL.WRNORM | POLL.WRBAND },
  { bit: POLL.PRI, code: 5, band: POLL.PRI | POLL.RDBAND },
  { bit: POLL.ERR, code: 4, band: POLL.ERR },
  { bit: POLL.HUP, code: 6, band: POLL.HUP | POLL.ERR },
] as const;
/** si_code of the plain SIGIO (F_SETSIG 0): the kernel's own (SEND_SIG_PRIV). */
const SI_KERNEL = 0x80;

interface Owner {
  readonly host: HostView;
  /** A virtual pid (> 0) or minus a process group id; 0: none. */
  who: number;
  /** F_SETSIG's signal; 0: SIGIO. */
  signal: number;
  /** The poll bits when they were last looked at. */
  bits: number;
  unsubscribe: (() => void) | null;
}

/** The processes `who` names on `host`: one by pid, or a whole group. */
function targets(host: HostView, who: number): ProcessView[] {
  return host.processes().filter((p) => (who > 0 ? p.pid === who : p.pgid === -who));
}

/** Each virtual file's owner, for one kernel. */
export class AsyncIo {
  private readonly owners = new WeakMap<OpenFile, Owner>();
  /** The descriptor O_ASYNC was last set through, for si_fd (the kernel's fasync entry keeps it). */
  private readonly asyncFds = new WeakMap<OpenFile, number>();

  private ownerOf(ctx: SyscallContext, file: OpenFile): Owner {
    let owner = this.owners.get(file);
    if (!owner) this.owners.set(file, (owner = { host: ctx.host, who: 0, signal: 0, bits: 0, unsubscribe: null }));
    return owner;
  }

  /** O_ASYNC or the owner changed (`fd`: the descriptor O_ASYNC was set through): watch the file while both are set. */
  update(file: OpenFile, fd?: number): void {
    if (fd !== undefined && file.statusFlags & O_ASYNC) this.asyncFds.set(file, fd);
    const owner = this.owners.get(file);
    if (!owner) return;
    const active = (file.statusFlags & O_ASYNC) !== 0 && owner.who !== 0;
    if (active && !owner.unsubscribe) {
      owner.bits = file.poll();
      owner.unsubscribe = file.readiness.subscribe(() => this.changed(file, owner));
    } else if (!active && owner.unsubscribe) {
      owner.unsubscribe();
      owner.unsubscribe = null;
    }
  }

  private changed(file: OpenFile, owner: Owner): void {
    const bits = file.poll();
    const rose = bits & ~owner.bits;
    owner.bits = bits;
    const reasons = REASONS.filter((r) => rose & r.bit);
    if (reasons.length === 0) return;
    for (const process of targets(owner.host, owner.who)) {
      const thread = process.mainThread();
      if (!thread) continue;
      if (owner.signal === 0) {
        thread.signal(Signal.SIGIO, { pid: 0, code: SI_KERNEL });
        continue;
      }
      // send_sigio_to_task(): the F_SETSIG signal says why, with the band and the descriptor.
      const fd = this.asyncFds.get(file) ?? -1;
      for (const { code, band } of reasons) {
        const onTaken = (siginfo: Uint8Array): void => {
          const view = new DataView(siginfo.buffer, siginfo.byteOffset, 128);
          view.setBigInt64(16, BigInt(band), true); // si_band
          view.setInt32(24, fd, true); // si_fd
        };
        thread.signal(owner.signal, { pid: 0, code, onTaken });
      }
    }
  }

  /** F_SETOWN and FIOSETOWN/SIOCSPGRP: `who` > 0 a process, < 0 a process group, 0 none. */
  setOwner(ctx: SyscallContext, file: OpenFile, who: number): SyscallResult {
    if (who !== 0 && targets(ctx.host, who).length === 0) return errno(Errno.ESRCH);
    this.ownerOf(ctx, file).who = who;
    this.update(file);
    return ok();
  }

  /** F_GETOWN: the owner (minus a group id), 0 when none. */
  getOwner(file: OpenFile): number {
    return this.owners.get(file)?.who ?? 0;
  }

  /** fcntl's signal commands on a virtual file; undefined for other commands. */
  fcntl(ctx: SyscallContext, file: OpenFile, cmd: number): SyscallResult | undefined {
    const arg = ctx.args.int(2);
    switch (cmd) {
      case F_SETOWN:
        return this.setOwner(ctx, file, arg);
      case F_GETOWN:
        return ok(this.getOwner(file));
      case F_SETSIG:
        if (arg < 0 || arg > SIGRTMAX) return errno(Errno.EINVAL);
        this.ownerOf(ctx, file).signal = arg;
        return ok();
      case F_GETSIG:
        return ok(this.owners.get(file)?.signal ?? 0);
      case F_SETOWN_EX: {
        const raw = ctx.memory.read(ctx.args.ptr(2), 8);
        if (!raw) return errno(Errno.EFAULT);
        const view = new DataView(raw.buffer, raw.byteOffset, 8);
        const type = view.getInt32(0, true);
        const pid = view.getInt32(4, true);
        // A thread owner is its process here: the signal goes to the main thread.
        if (type === F_OWNER_TID || type === F_OWNER_PID) return this.setOwner(ctx, file, pid);
        if (type === F_OWNER_PGRP) return this.setOwner(ctx, file, -pid);
        return errno(Errno.EINVAL);
      }
      case F_GETOWN_EX: {
        const who = this.getOwner(file);
        const out = new Uint8Array(8);
        const view = new DataView(out.buffer);
        view.setInt32(0, who < 0 ? F_OWNER_PGRP : F_OWNER_PID, true);
        view.setInt32(4, Math.abs(who), true);
        return ctx.memory.write(ctx.args.ptr(2), out) ? ok() : errno(Errno.EFAULT);
      }
      default:
        return undefined;
    }
  }

  /** ioctl's ownership requests on a virtual file; undefined for other requests. */
  ioctl(ctx: SyscallContext, file: OpenFile, request: number): SyscallResult | undefined {
    if (request !== FIOASYNC && request !== FIOSETOWN && request !== SIOCSPGRP && request !== FIOGETOWN && request !== SIOCGPGRP) {
      return undefined;
    }
    const addr = ctx.args.ptr(2);
    if (request === FIOGETOWN || request === SIOCGPGRP) {
      const out = new Uint8Array(4);
      new DataView(out.buffer).setInt32(0, this.getOwner(file), true);
      return ctx.memory.write(addr, out) ? ok() : errno(Errno.EFAULT);
    }
    const raw = ctx.memory.read(addr, 4);
    if (!raw) return errno(Errno.EFAULT);
    const value = new DataView(raw.buffer, raw.byteOffset, 4).getInt32(0, true);
    if (request !== FIOASYNC) return this.setOwner(ctx, file, value);
    file.statusFlags = value !== 0 ? file.statusFlags | O_ASYNC : file.statusFlags & ~O_ASYNC;
    this.update(file, ctx.args.int(0));
    return ok();
  }
}
