import { fixedStrategy, type CongestionAlgorithm, type StrategyRegistry } from '@shadow-ts/plugin-sdk';
import { CONGESTION } from '../tcp/congestion.js';

/**
 * Which congestion control a TCP socket uses: the algorithm chosen for its host in the kernel's
 * registry (`.shadowrc` `tcp_congestion`, per host or for all; `cubic` by default, as Linux), or
 * the one the program names with TCP_CONGESTION. The net plugin registers the built-in `reno`
 * and `cubic` there when it is applied; other plugins may add their own. A socket reaches the
 * registry through its host's namespace (state.ts).
 */

const DESCRIPTIONS: Record<string, string> = {
  reno: 'Reno/NewReno (RFC 5681): slow start, congestion avoidance, halving on loss',
  cubic: "CUBIC (RFC 9438), Linux's default",
};

/** Registers the built-in algorithms (those not registered yet). */
export function registerCongestion(registry: StrategyRegistry<CongestionAlgorithm>): void {
  for (const [name, algorithm] of Object.entries(CONGESTION)) {
    if (!registry.get(name)) registry.register(fixedStrategy(name, DESCRIPTIONS[name] ?? name, algorithm));
  }
}
