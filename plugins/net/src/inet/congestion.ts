import type { CongestionAlgorithm, StrategyRegistry } from '@shadow-ts/plugin-sdk';
import { CONGESTION, DEFAULT_CONGESTION } from '../tcp/congestion.js';
import type { CongestionFactory } from '../tcp/types.js';

/**
 * Which congestion control a TCP socket uses: the algorithm selected for its host in the
 * kernel's registry (`.shadowrc` `tcp_congestion`, per host or for all; `cubic` by default, as
 * Linux), or the one the program names with TCP_CONGESTION. The net plugin registers the
 * built-in `reno` and `cubic` there when it is applied; other plugins may add their own.
 */

const DESCRIPTIONS: Record<string, string> = {
  reno: 'Reno/NewReno (RFC 5681): slow start, congestion avoidance, halving on loss',
  cubic: "CUBIC (RFC 9438), Linux's default",
};

let registry: StrategyRegistry<CongestionAlgorithm> | null = null;

/** Registers the built-in algorithms (those not registered yet) and remembers the registry. */
export function useCongestionRegistry(r: StrategyRegistry<CongestionAlgorithm>): void {
  registry = r;
  for (const [name, create] of Object.entries(CONGESTION)) {
    if (!r.get(name)) r.register({ name, description: DESCRIPTIONS[name] ?? name, create });
  }
}

/** The factory of algorithm `name`, or undefined when no such algorithm exists (ENOENT). */
export function congestionFactory(name: string): CongestionFactory | undefined {
  return registry ? registry.get(name)?.create : CONGESTION[name];
}

/** The name of the algorithm selected for `host`. */
export function defaultCongestion(host: string): string {
  return registry ? registry.current(host).name : DEFAULT_CONGESTION;
}
