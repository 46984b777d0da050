import { clone, fixedStrategy, type VforkStrategy } from '@shadow-ts/plugin-sdk';
import { CLONE } from '../clone-flags.js';

/**
 * `native`: the kernel performs a real vfork. The parent waits in the kernel until the child
 * execs or exits; the simulator counts it as blocked meanwhile and runs the child.
 */
const nativeStrategy: VforkStrategy = {
  onVfork(_ctx, call) {
    return clone({
      thread: false,
      shareFiles: false,
      sameParent: (call.flags & CLONE.PARENT) !== 0n,
      holdParent: true,
      restoreParentStack: false,
      parentTidAddress: 0n,
      childTidAddress: 0n,
      rewrite: null,
    });
  },
};

/** The `native` factory: no options, no state. */
export const nativeVfork = fixedStrategy('native', 'let the kernel do a real vfork; the parent counts as blocked until the child execs or exits', nativeStrategy);
