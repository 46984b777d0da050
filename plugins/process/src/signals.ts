import type { ProcessView, ThreadView } from '@shadow-ts/plugin-sdk';

/** Highest signal number Linux knows (realtime signals included). */
export const SIGRTMAX = 64;
export const SA_RESTART = 0x10000000n;

/**
 * Which signals of a process have handlers installed with SA_RESTART. rt_sigaction runs in the
 * kernel; this copy of one bit per signal is what the simulator needs to decide whether a call
 * it parked restarts after a handler (signal(7)).
 */
export const restartingSignals = new WeakMap<ProcessView, Set<number>>();

export function restartSet(process: ProcessView): Set<number> {
  let set = restartingSignals.get(process);
  if (!set) restartingSignals.set(process, (set = new Set()));
  return set;
}

/** The thread a signal sent to a whole process goes to: its main thread while it lives. */
export function mainThread(process: ProcessView): ThreadView | undefined {
  const threads = process.threads();
  return threads.find((t) => t.tid === process.pid) ?? threads[0];
}
