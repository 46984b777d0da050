/** Highest signal number Linux knows (realtime signals included). */
export const SIGRTMAX = 64;
export const SA_RESTART = 0x10000000n;
/** sa_flags: a SIGCHLD handler wants no signal when a child stops or continues. */
export const SA_NOCLDSTOP = 1n;

