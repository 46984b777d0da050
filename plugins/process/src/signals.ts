import type { ProcessView, ThreadView } from '@shadow-ts/plugin-sdk';

/** Highest signal number Linux knows (realtime signals included). */
export const SIGRTMAX = 64;
export const SA_RESTART = 0x10000000n;

/** The thread a signal sent to a whole process goes to: its main thread while it lives. */
export function mainThread(process: ProcessView): ThreadView | undefined {
  const threads = process.threads();
  return threads.find((t) => t.tid === process.pid) ?? threads[0];
}
