/** Simulated time: nanoseconds since the Unix epoch, as a bigint. */
export type SimTime = bigint;

export const NS_PER_US = 1_000n;
export const NS_PER_MS = 1_000_000n;
export const NS_PER_SEC = 1_000_000_000n;

/** Every simulation starts at 2000-01-01T00:00:00Z (Shadow's EMUTIME_SIMULATION_START). */
export const SIM_START: SimTime = 946_684_800n * NS_PER_SEC;
