/**
 * Blocking: a call whose handler returned `block` is parked at its seccomp stop, with its
 * deadline as a host event and its trigger subscribed; whichever fires first runs the thread
 * again (the handler then sees `ctx.restarted`). A signal ends a parked call in task-signals.ts.
 */
import type { ResultMapper, WaitCondition, WakeReason } from '@shadow-ts/plugin-sdk';
import type { TaskEnv } from './runner.js';
import type { BlockedCall, Thread } from './thread.js';

/** Parks `thread` at its stop until the condition fires. */
export function park(
  env: TaskEnv,
  thread: Thread,
  condition: WaitCondition,
  restartable: boolean,
  nativeOnSignals: bigint,
  onInterrupt: (() => void) | undefined,
  mapResult: ResultMapper | undefined,
): void {
  const host = thread.process.host;
  host.discardLatency();
  let timeout: { cancel(): void } | null = null;
  let unsubscribe: (() => void) | null = null;
  const wake = (reason: WakeReason) => {
    if (thread.blocked !== blocked) return;
    env.scheduleRun(thread, host, host.current, reason);
    blocked.release();
  };
  const blocked: BlockedCall = {
    condition,
    restartable,
    nativeOnSignals,
    onInterrupt,
    mapResult,
    release: () => {
      timeout?.cancel();
      unsubscribe?.();
      timeout = null;
      unsubscribe = null;
    },
  };
  thread.park(blocked);
  if (condition.deadline !== undefined) {
    const event = host.addEvent(condition.deadline, () => {
      if (thread.blocked !== blocked) return;
      env.run(thread, 'timeout');
    });
    timeout = { cancel: () => (event.cancelled = true) };
  }
  if (condition.trigger) unsubscribe = condition.trigger.subscribe(() => wake('trigger'));
}
