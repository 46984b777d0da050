import { Errno, errno, native, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';

/**
 * prctl(2) options the kernel may run as they are: they only concern the process itself
 * (names, dumpability, capabilities, no_new_privs, THP, timer slack, VMA names).
 */
const NATIVE_OPTIONS = new Set([
  1, // PR_SET_PDEATHSIG
  2, // PR_GET_PDEATHSIG
  3, // PR_GET_DUMPABLE
  4, // PR_SET_DUMPABLE
  7, // PR_GET_KEEPCAPS
  8, // PR_SET_KEEPCAPS
  15, // PR_SET_NAME
  16, // PR_GET_NAME
  21, // PR_GET_SECCOMP
  23, // PR_CAPBSET_READ
  29, // PR_SET_TIMERSLACK
  30, // PR_GET_TIMERSLACK
  36, // PR_SET_CHILD_SUBREAPER
  37, // PR_GET_CHILD_SUBREAPER
  38, // PR_SET_NO_NEW_PRIVS
  39, // PR_GET_NO_NEW_PRIVS
  41, // PR_SET_THP_DISABLE
  42, // PR_GET_THP_DISABLE
  47, // PR_CAP_AMBIENT
  0x53564d41, // PR_SET_VMA
]);

/** sysPrctl implements Linux syscall prctl(2) for the options of NATIVE_OPTIONS. */
export function sysPrctl(ctx: SyscallContext): SyscallResult {
  const option = ctx.args.int(0);
  if (NATIVE_OPTIONS.has(option)) return native();
  // Others (PR_SET_SECCOMP, PR_SET_TSC, …) would change how the simulator sees the process.
  ctx.warnOnce(`prctl:${option}`, `prctl: option ${option} is not supported; returning EINVAL`);
  return errno(Errno.EINVAL);
}
