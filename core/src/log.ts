import { writeSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import type { SimTime } from '@shadow-ts/plugin-sdk';
import { formatSimTime } from './sim/time.js';

/**
 * Shadow-style log lines on stdout:
 * `wall-time [LEVEL] sim-time [host:ip] [module] message`, wall time since the simulator
 * started (HH:MM:SS.uuuuuu), sim time since the simulation start or `n/a`.
 *
 * pino provides levels, child bindings and cheap level checks; the destination below renders
 * its records as text. Wall time only appears here, never in simulation state.
 */

export type { Logger };

const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'ERROR' };

/** Shadow's level names → pino's. */
export const PINO_LEVEL: Record<string, string> = {
  error: 'error',
  warning: 'warn',
  info: 'info',
  debug: 'debug',
  trace: 'trace',
};

/** The wall time since the simulator's process started (performance.now() counts from there), as Shadow stamps its log. */
function wallTime(): string {
  const us = BigInt(Math.floor(performance.now() * 1000));
  const s = us / 1_000_000n;
  const two = (v: bigint) => v.toString().padStart(2, '0');
  return `${two(s / 3600n)}:${two((s / 60n) % 60n)}:${two(s % 60n)}.${(us % 1_000_000n).toString().padStart(6, '0')}`;
}

/** Writes synchronously (log lines stay in order with a crash); a closed reader (`| head`) is not an error. */
function writeLine(fd: number, text: string): void {
  try {
    writeSync(fd, text);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPIPE') throw error;
  }
}

/** A clock the logger asks for the current simulated time (null outside the simulation). */
export type SimClock = () => SimTime | null;

interface Record_ {
  level: number;
  msg: string;
  host?: string;
  module?: string;
}

/** Creates the simulator's root logger at `level` (a Shadow level name). */
export function createLogger(level: string, simClock: SimClock, errorsToStderr = true): Logger {
  const destination = {
    write(line: string): void {
      const rec = JSON.parse(line) as Record_;
      const now = simClock();
      const parts = [
        wallTime(),
        `[${LEVELS[rec.level] ?? rec.level}]`,
        now === null ? 'n/a' : formatSimTime(now),
        `[${rec.host ?? 'n/a'}]`,
      ];
      if (rec.module) parts.push(`[${rec.module}]`);
      const text = `${parts.join(' ')} ${rec.msg}\n`;
      writeLine(1, text);
      if (errorsToStderr && rec.level >= 50) writeLine(2, text);
    },
  };
  return pino(
    { level: PINO_LEVEL[level] ?? level, base: undefined, timestamp: false, messageKey: 'msg' },
    destination,
  );
}
