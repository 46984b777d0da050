import { constants } from 'node:os';

/** Linux errno values by name (ENOSYS, EINVAL, …), as the managed program sees them. */
export const Errno = constants.errno;

/** Linux signal numbers by name (SIGINT, SIGKILL, …). */
export const Signal = constants.signals;

/** The name of an errno value (for logs and strace-like output), or `E<n>` when unknown. */
export function errnoName(value: number): string {
  for (const [name, v] of Object.entries(Errno)) if (v === value) return name;
  return `E${value}`;
}
