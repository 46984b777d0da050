import {
  SYSCALL_NUMBERS,
  clone,
  fixedStrategy,
  type SyscallContext,
  type SyscallResult,
  type VforkCall,
  type VforkStrategy,
  type VforkStrategyFactory,
} from '@shadow-ts/plugin-sdk';
import { CLONE, CLONE_ARGS } from '../clone-flags.js';

const SHARED = CLONE.VM | CLONE.VFORK | CLONE.SIGHAND;

/** The native call that makes a vfork a fork, keeping every argument register but the flags. */
function asForkCall(ctx: SyscallContext, call: VforkCall): { nr: number; args: bigint[] } | null {
  const args = [0, 1, 2, 3, 4, 5].map((i) => ctx.args.raw(i));
  switch (call.syscall) {
    case 'vfork':
      // Only the number changes: glibc's vfork stub keeps its return address in rdi (docs/ptrace-notes.md §7).
      return { nr: SYSCALL_NUMBERS.fork, args };
    case 'clone':
      // The stack argument stays: the child starts on the requested stack in its own copy.
      args[0] = BigInt.asIntN(64, ctx.args.u64(0) & ~SHARED);
      return { nr: SYSCALL_NUMBERS.clone, args };
    case 'clone3':
      return null; // the flags live in memory; see below
  }
}

/**
 * `as-fork` (default): vfork runs as fork — the "stack switch" kept — and the parent is held
 * until the child execs or exits. If the child exits first, the parent's stack is copied back
 * from it, so errors reported through the shared stack (posix_spawn's ENOENT) still arrive.
 */
const asForkStrategy: VforkStrategy = {
  onVfork(ctx: SyscallContext, call: VforkCall): SyscallResult {
    ctx.warnOnce('vfork:as-fork', 'vfork is emulated as fork (as-fork strategy): child writes outside the stack are not seen by the parent');
    const rewrite = asForkCall(ctx, call);
    if (call.syscall === 'clone3') {
      // The kernel reads struct clone_args after this stop: rewriting `flags` there is enough.
      const flags = new Uint8Array(8);
      new DataView(flags.buffer).setBigUint64(0, call.flags & ~SHARED, true);
      ctx.memory.write(call.cloneArgs + BigInt(CLONE_ARGS.flags), flags);
    }
    return clone({
      thread: false,
      shareFiles: false,
      sameParent: (call.flags & CLONE.PARENT) !== 0n,
      holdParent: true,
      restoreParentStack: true,
      parentTidAddress: 0n,
      childTidAddress: 0n,
      rewrite,
    });
  },
};

/** The `as-fork` factory: no options, no state. */
export const asFork: VforkStrategyFactory = fixedStrategy('as-fork', 'run vfork as fork with the stack switch; hold the parent until exec or exit; restore its stack', asForkStrategy);
