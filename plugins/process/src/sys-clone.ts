import {
  Errno,
  clone,
  errno,
  type CloneRequest,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import { CLONE, CLONE_ARGS, SUPPORTED } from './clone-flags.js';
import type { ProcessState } from './state.js';

const FORK: CloneRequest = {
  thread: false,
  shareFiles: false,
  sameParent: false,
  holdParent: false,
  restoreParentStack: false,
  parentTidAddress: 0n,
  childTidAddress: 0n,
  rewrite: null,
};

/** The common part of clone and clone3 once the arguments are read. */
function cloneInternal(
  ctx: SyscallContext,
  state: ProcessState,
  call: 'clone' | 'clone3',
  flags: bigint,
  parentTid: bigint,
  childTid: bigint,
  cloneArgs: bigint,
): SyscallResult {
  const unsupported = flags & ~SUPPORTED;
  if (unsupported) {
    ctx.warnOnce(`${call}:flags:${unsupported}`, `${call}: flags 0x${unsupported.toString(16)} are not supported; returning EINVAL`);
    return errno(Errno.EINVAL);
  }
  // The kernel's own consistency rules (clone(2) ERRORS), checked before anything is created.
  if (flags & CLONE.THREAD && !(flags & CLONE.SIGHAND)) return errno(Errno.EINVAL);
  if (flags & CLONE.SIGHAND && !(flags & CLONE.VM)) return errno(Errno.EINVAL);
  // Any CLONE_VFORK makes the kernel hold the caller: that is for the strategy to decide.
  const vfork = (flags & CLONE.VFORK) !== 0n && !(flags & CLONE.THREAD);
  if (vfork) return state.vfork.instance(ctx.host.name).onVfork(ctx, { syscall: call, flags, cloneArgs });
  if (flags & CLONE.VM && !(flags & CLONE.THREAD)) {
    ctx.warnOnce(`${call}:vm`, `${call}: CLONE_VM without CLONE_THREAD (a process sharing memory) is not supported; returning EINVAL`);
    return errno(Errno.EINVAL);
  }
  if (flags & CLONE.CHILD_CLEARTID) state.pendingClearTid.set(ctx.thread, childTid);
  return clone({
    ...FORK,
    thread: (flags & CLONE.THREAD) !== 0n,
    shareFiles: (flags & CLONE.FILES) !== 0n,
    sameParent: (flags & CLONE.PARENT) !== 0n,
    parentTidAddress: flags & CLONE.PARENT_SETTID ? parentTid : 0n,
    childTidAddress: flags & CLONE.CHILD_SETTID ? childTid : 0n,
  });
}

/** sysFork implements Linux syscall fork(2). */
export function sysFork(_ctx: SyscallContext): SyscallResult {
  return clone(FORK);
}

/** sysVfork implements Linux syscall vfork(2), through the selected vfork strategy. */
export function sysVfork(ctx: SyscallContext, state: ProcessState): SyscallResult {
  return state.vfork.instance(ctx.host.name).onVfork(ctx, { syscall: 'vfork', flags: CLONE.VM | CLONE.VFORK, cloneArgs: 0n });
}

/** sysClone implements Linux syscall clone(2) (x86_64 order: flags, stack, parent_tid, child_tid, tls). */
export function sysClone(ctx: SyscallContext, state: ProcessState): SyscallResult {
  const flags = ctx.args.u64(0) & ~0xffn; // the low byte is the exit signal
  return cloneInternal(ctx, state, 'clone', flags, ctx.args.ptr(2), ctx.args.ptr(3), 0n);
}

/** sysClone3 implements Linux syscall clone3(2). */
export function sysClone3(ctx: SyscallContext, state: ProcessState): SyscallResult {
  const addr = ctx.args.ptr(0);
  const size = ctx.args.sizeT(1);
  if (size < CLONE_ARGS.minSize) return errno(Errno.EINVAL);
  const raw = ctx.memory.read(addr, CLONE_ARGS.minSize);
  if (!raw) return errno(Errno.EFAULT);
  const view = new DataView(raw.buffer);
  const field = (offset: number) => view.getBigUint64(offset, true);
  return cloneInternal(ctx, state, 'clone3', field(CLONE_ARGS.flags), field(CLONE_ARGS.parentTid), field(CLONE_ARGS.childTid), addr);
}
