import type { SimTime } from './time.js';

/**
 * Something a blocked syscall can wait on: a pipe becoming readable, a futex word, a child's
 * exit. `subscribe` registers a wake-up callback and returns the function that removes it.
 * The owner calls every subscriber when the state the waiters care about may have changed;
 * the blocked syscall then runs again and decides for itself.
 */
export interface Trigger {
  subscribe(wake: () => void): () => void;
}

/** What a blocked syscall waits for: a trigger, a deadline on simulated time, or both. */
export interface WaitCondition {
  /** Absolute simulated time at which the wait ends with `wake === 'timeout'`. */
  readonly deadline?: SimTime;
  readonly trigger?: Trigger;
}

/** Why a blocked syscall is running again. */
export type WakeReason = 'timeout' | 'trigger';

/** Builders for wait conditions. */
export const waitFor = {
  /** Wake at an absolute simulated time. */
  deadline: (deadline: SimTime): WaitCondition => ({ deadline }),
  /** Wake when the trigger fires, or at the deadline if one is given. */
  trigger: (trigger: Trigger, deadline?: SimTime): WaitCondition =>
    deadline === undefined ? { trigger } : { trigger, deadline },
};

/**
 * A ready-made Trigger: holds its subscribers and wakes them all on `notify()`. A wake-up may
 * carry a key, the poll bits it is about (Linux's wake_up_poll key): subscribers that wait for
 * other bits may ignore it, as epoll does.
 */
export class WaitQueue implements Trigger {
  private readonly waiters = new Set<(events?: number) => void>();

  subscribe(wake: (events?: number) => void): () => void {
    this.waiters.add(wake);
    return () => this.waiters.delete(wake);
  }

  /**
   * Wake every current subscriber (each wake-up is scheduled, not run inline). `events`: the poll
   * bits that may have come on; 0 when bits may only have gone off; omitted, anything may have
   * changed.
   */
  notify(events?: number): void {
    for (const wake of [...this.waiters]) wake(events);
  }

  /**
   * This queue as a trigger that ignores keyed wake-ups for none of `events`, as a poll waiter
   * does: a blocked write waits with `on(POLL_WRITE)`, so a change that
   * leaves no room to write does not run it again. Unkeyed wake-ups still reach it. (SDK 2.3)
   */
  on(events: number): Trigger {
    return {
      subscribe: (wake: () => void) =>
        this.subscribe((key) => {
          if (key === undefined || (key & events) !== 0) wake();
        }),
    };
  }

  get size(): number {
    return this.waiters.size;
  }
}

/** A trigger that fires when any of `triggers` fires (poll and select over several files). */
export function anyOf(triggers: readonly Trigger[]): Trigger {
  return {
    subscribe(wake: () => void): () => void {
      const unsubscribers = triggers.map((t) => t.subscribe(wake));
      return () => unsubscribers.forEach((u) => u());
    },
  };
}
