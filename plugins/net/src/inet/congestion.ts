import { fixedStrategy, type CongestionAlgorithm, type HostView, type StrategyRegistry } from '@shadow-ts/plugin-sdk';
import { CONGESTION } from '../tcp/congestion.js';
import type { CongestionFactory } from '../tcp/types.js';

/**
 * Which congestion control a TCP socket uses: the algorithm chosen for its host in the kernel's
 * registry (`.shadowrc` `tcp_congestion`, per host or for all; `cubic` by default, as Linux), or
 * the one the program names with TCP_CONGESTION. The net plugin registers the built-in `reno`
 * and `cubic` there when it is applied; other plugins may add their own.
 */

const DESCRIPTIONS: Record<string, string> = {
  reno: 'Reno/NewReno (RFC 5681): slow start, congestion avoidance, halving on loss',
  cubic: "CUBIC (RFC 9438), Linux's default",
};

/**
 * The registry a host's sockets take their algorithms from, bound when the host first runs a
 * program. As with webpack's getCompilationHooks(compilation), the entry belongs to the host
 * object, so two simulations in one Node process share nothing.
 */
const registries = new WeakMap<HostView, StrategyRegistry<CongestionAlgorithm>>();

/** Registers the built-in algorithms (those not registered yet). */
export function registerCongestion(registry: StrategyRegistry<CongestionAlgorithm>): void {
  for (const [name, algorithm] of Object.entries(CONGESTION)) {
    if (!registry.get(name)) registry.register(fixedStrategy(name, DESCRIPTIONS[name] ?? name, algorithm));
  }
}

/** Gives `host`'s sockets the algorithms of `registry` (its kernel's). */
export function bindCongestion(host: HostView, registry: StrategyRegistry<CongestionAlgorithm>): void {
  registries.set(host, registry);
}

function registryOf(host: HostView): StrategyRegistry<CongestionAlgorithm> {
  const registry = registries.get(host);
  if (!registry) throw new Error(`host "${host.name}" has no congestion control bound (it never ran a program)`);
  return registry;
}

/** `host`'s instance of algorithm `name`, or undefined when no such algorithm exists (ENOENT). */
export function congestionFactory(host: HostView, name: string): CongestionFactory | undefined {
  return registryOf(host).instanceOf(host.name, name);
}

/** The name of the algorithm chosen for `host`. */
export function defaultCongestion(host: HostView): string {
  return registryOf(host).chosen(host.name);
}
