/** Highest signal number Linux knows (realtime signals included). */
export const SIGRTMAX = 64;
export const SA_RESTART = 0x10000000n;

