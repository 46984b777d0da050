import { constants } from 'node:os';
import { readFileSync } from 'node:fs';
import { signalName as standardName } from '../config/units.js';

/** Signal facts the runner needs: names, default actions, and what would interrupt a sleep. */

/** Signals that would stop a process for job control: the simulation has no terminal, so they are dropped. */
/** si_code of a signal sent by tkill(2)/tgkill(2), as the simulator sends its own. */
export const SI_TKILL = -6;

export const JOB_CONTROL_STOPS = new Set([constants.signals.SIGSTOP, constants.signals.SIGTSTP, constants.signals.SIGTTIN, constants.signals.SIGTTOU]);
/** Signals the kernel raises for a fault in the program itself. */
export const FAULTS = new Set([constants.signals.SIGSEGV, constants.signals.SIGBUS, constants.signals.SIGILL, constants.signals.SIGFPE]);

/**
 * Name of a signal number (SIGKILL), or its number as a string. One name per number: SIGABRT,
 * not its alias SIGIOT (both are 6), as Shadow and abort(3) say.
 */
export function signalName(n: number): string {
  return standardName(n) ?? String(n);
}

/** Signals whose default action is to do nothing: they never interrupt a sleep. */
const DEFAULT_IGNORED = new Set([constants.signals.SIGCHLD, constants.signals.SIGCONT, constants.signals.SIGURG, constants.signals.SIGWINCH]);

/** The signal masks of real thread `tid` by /proc/<tid>/status field (SigBlk, SigCgt, SigPnd, …), or null once it is gone. */
function threadMasks(tid: number): ((field: string) => bigint) | null {
  let status: string;
  try {
    status = readFileSync(`/proc/${tid}/status`, 'utf8');
  } catch {
    return null;
  }
  return (field) => BigInt(`0x${new RegExp(`^${field}:\\s*([0-9a-f]+)`, 'm').exec(status)?.[1] ?? '0'}`);
}

/**
 * Whether a job-control stop signal reaching real thread `tid` would stop it: its default action,
 * not a handler (SIGTSTP, SIGTTIN, SIGTTOU may be caught) or SIG_IGN; SIGSTOP always would. With
 * `unlessBlocked`, not while the thread blocks it either (it stops when it is delivered then).
 */
export function stopsThread(tid: number, sig: number, unlessBlocked = false): boolean {
  if (sig === constants.signals.SIGSTOP) return true;
  const mask = threadMasks(tid);
  if (!mask) return true;
  const bit = 1n << BigInt(sig - 1);
  if (unlessBlocked && mask('SigBlk') & bit) return false;
  return ((mask('SigCgt') | mask('SigIgn')) & bit) === 0n;
}

/** Signals pending for real thread `tid` or its process (SigPnd | ShdPnd). */
export function pendingSignals(tid: number): bigint {
  const mask = threadMasks(tid);
  return mask ? mask('SigPnd') | mask('ShdPnd') : 0n;
}

/** Whether `sig` would interrupt a blocking call of real thread `tid` (read from /proc). */
export function interrupts(tid: number, sig: number): boolean {
  const mask = threadMasks(tid);
  if (!mask) return false;
  const bit = 1n << BigInt(sig - 1);
  if (sig === constants.signals.SIGKILL) return true;
  if ((mask('SigBlk') | mask('SigIgn')) & bit) return false;
  const caught = (mask('SigCgt') & bit) !== 0n;
  // A default-ignored signal without a handler is discarded. Not even a caught SIGCHLD ends the
  // wait: the child's exit or stop that raised it also wakes a wait4/waitid parked for it, which
  // Linux lets find the child first; here the signal would win the race and turn the wait into
  // EINTR. A caught SIGCONT, SIGURG or SIGWINCH interrupts as any caught signal does.
  if (DEFAULT_IGNORED.has(sig) && (!caught || sig === constants.signals.SIGCHLD)) return false;
  return caught || !JOB_CONTROL_STOPS.has(sig);
}
