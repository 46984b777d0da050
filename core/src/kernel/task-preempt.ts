/**
 * Runs that do not stop: the backend ended a run that went past one of its limits
 * (StopKind.Interrupted, see `watchRuns` in the native addon).
 *
 * With native preemption on (Shadow's model, `src/lib/shim/src/preempt.rs`): the thread used
 * `native_preemption_native_interval` of CPU time, or the watchdog's wall time, without a stop.
 * Its host is charged `native_preemption_sim_interval` of CPU latency and, once that takes the
 * clock past the round, the thread runs again at the new time, so the host's other events go
 * first. Without it, the watchdog caught a task that ran its wall-time limit without a stop: it
 * is reported and killed, and the run fails (a simulation that would otherwise never end).
 */
import { Stop } from '@shadow-ts/native';
import { constants } from 'node:os';
import { SYSCALL_NAMES } from '../abi/support.js';
import type { TaskEnv } from './runner.js';
import type { Thread } from './thread.js';

/** The stop that ended a run past its limit; false when the thread stops running. */
export function onInterrupted(env: TaskEnv, thread: Thread): boolean {
  const process = thread.process;
  const host = process.host;
  const stop = env.backend.stop;
  if (env.preemption !== null) {
    env.log.debug({ host: host.name }, `preempting thread ${thread.tid} of '${process.displayName}': ${formatRun(stop)} without a stop`);
    const resumeAt = host.chargeLatency(env.preemption, 0n);
    if (resumeAt === null) return true;
    env.scheduleRun(thread, host, resumeAt);
    return false;
  }
  const nr = thread.ctx.nr;
  const last = nr < 0 ? 'none yet' : (SYSCALL_NAMES[nr] ?? `syscall_${nr}`);
  const ip = BigInt.asUintN(64, stop[Stop.Ip]!).toString(16);
  env.log.error(
    { host: host.name },
    `process '${process.displayName}' (thread ${thread.tid}) ran ${formatRun(stop)} without a stop ` +
      `(last syscall: ${last}; ip 0x${ip}); the watchdog kills it ` +
      '(experimental.native_preemption_enabled preempts such loops instead)',
  );
  env.backend.signal(process.realPid, process.realPid, constants.signals.SIGKILL);
  env.onRunaway(process);
  // The loop continues the stop and collects the end SIGKILL brings, as for any killed process.
  return true;
}

/** "2.00 s (1.98 s of CPU time)": how long the interrupted run lasted, as the backend measured it. */
function formatRun(stop: BigInt64Array): string {
  const seconds = (ns: bigint) => `${(Number(ns) / 1e9).toFixed(2)} s`;
  return `${seconds(stop[Stop.Arg0 + 1]!)} (${seconds(stop[Stop.Arg0]!)} of CPU time)`;
}
