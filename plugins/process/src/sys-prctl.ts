import { Errno, errno, native, ok, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { SIGRTMAX } from './signals.js';
import type { ProcessState } from './state.js';

const PR_SET_PDEATHSIG = 1;
const PR_GET_PDEATHSIG = 2;
const PR_GET_SECCOMP = 21;
const PR_GET_TSC = 25;
const PR_SET_CHILD_SUBREAPER = 36;
const PR_GET_CHILD_SUBREAPER = 37;
const PR_SET_NO_NEW_PRIVS = 38;
const PR_GET_NO_NEW_PRIVS = 39;
/** PR_GET_TSC's answer when rdtsc is allowed. */
const PR_TSC_ENABLE = 1;

/**
 * prctl(2) options the kernel may run as they are: they only concern the process itself
 * (names, dumpability, capabilities and securebits, THP, timer slack, VMA names, machine-check
 * policy, perf events, speculation control, floating-point and endianness modes).
 */
const NATIVE_OPTIONS = new Set([
  3, // PR_GET_DUMPABLE
  4, // PR_SET_DUMPABLE
  7, // PR_GET_KEEPCAPS
  8, // PR_SET_KEEPCAPS
  9, // PR_GET_FPEMU
  10, // PR_SET_FPEMU
  11, // PR_GET_FPEXC
  12, // PR_SET_FPEXC
  13, // PR_GET_TIMING
  14, // PR_SET_TIMING
  15, // PR_SET_NAME
  16, // PR_GET_NAME
  19, // PR_GET_ENDIAN
  20, // PR_SET_ENDIAN
  23, // PR_CAPBSET_READ
  24, // PR_CAPBSET_DROP
  27, // PR_GET_SECUREBITS
  28, // PR_SET_SECUREBITS
  29, // PR_SET_TIMERSLACK
  30, // PR_GET_TIMERSLACK
  31, // PR_TASK_PERF_EVENTS_DISABLE
  32, // PR_TASK_PERF_EVENTS_ENABLE
  33, // PR_MCE_KILL
  34, // PR_MCE_KILL_GET
  41, // PR_SET_THP_DISABLE
  42, // PR_GET_THP_DISABLE
  47, // PR_CAP_AMBIENT
  52, // PR_GET_SPECULATION_CTRL
  53, // PR_SET_SPECULATION_CTRL
  57, // PR_SET_IO_FLUSHER
  58, // PR_GET_IO_FLUSHER
  0x53564d41, // PR_SET_VMA
]);

/** Stores the int a PR_GET_* option answers at argument 1. */
function putInt(ctx: SyscallContext, value: number): SyscallResult {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setInt32(0, value, true);
  return ctx.memory.write(ctx.args.ptr(1), bytes) ? ok() : errno(Errno.EFAULT);
}

/**
 * sysPrctl implements Linux syscall prctl(2) for the options of NATIVE_OPTIONS, for the ones
 * about the process tree, which the simulator models (the real parent of a configured process is
 * the simulator, and a death signal or a subreaper must act at the simulated time of an exit),
 * and for the ones whose kernel answer is the simulator's own setup rather than the program's:
 * every managed task runs with no_new_privs, a seccomp filter and a faulting TSC.
 */
export function sysPrctl(ctx: SyscallContext, state: ProcessState): SyscallResult {
  const option = ctx.args.int(0);
  if (NATIVE_OPTIONS.has(option)) return native();
  switch (option) {
    case PR_SET_PDEATHSIG: {
      const sig = ctx.args.u64(1);
      if (sig > BigInt(SIGRTMAX)) return errno(Errno.EINVAL);
      state.deathSignals.set(ctx.thread, Number(sig));
      return ok();
    }
    case PR_GET_PDEATHSIG:
      return putInt(ctx, state.deathSignals.get(ctx.thread) ?? 0);
    case PR_SET_CHILD_SUBREAPER:
      // The kernel keeps its own flag too, so that it hands the real orphans to the same process
      // and a wait in the subreaper finds them there.
      ctx.process.childSubreaper = ctx.args.u64(1) !== 0n;
      return native();
    case PR_GET_CHILD_SUBREAPER:
      return putInt(ctx, ctx.process.childSubreaper ? 1 : 0);
    case PR_SET_NO_NEW_PRIVS: {
      // The kernel's flag is already set (the seccomp filter needs it); the program's view is kept.
      if (ctx.args.u64(1) !== 1n || [2, 3, 4].some((i) => ctx.args.u64(i) !== 0n)) return errno(Errno.EINVAL);
      state.noNewPrivs.add(ctx.thread);
      return ok();
    }
    case PR_GET_NO_NEW_PRIVS:
      if ([1, 2, 3, 4].some((i) => ctx.args.u64(i) !== 0n)) return errno(Errno.EINVAL);
      return ok(state.noNewPrivs.has(ctx.thread) ? 1 : 0);
    case PR_GET_SECCOMP:
      // The simulator's filter is not the program's, and the program cannot add one (PR_SET_SECCOMP
      // is refused, seccomp(2) is ENOSYS).
      return ok(0);
    case PR_GET_TSC:
      // rdtsc works for the program (the simulator answers the fault it raises).
      return putInt(ctx, PR_TSC_ENABLE);
  }
  // Others (PR_SET_SECCOMP, PR_SET_TSC, …) would change how the simulator sees the process.
  ctx.warnOnce(`prctl:${option}`, `prctl: option ${option} is not supported; returning EINVAL`);
  return errno(Errno.EINVAL);
}
