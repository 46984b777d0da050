/**
 * Benchmark of the round scheduler alone, printed as figures (it does not pass or fail): one
 * busy host (an event every millisecond, the runahead) among K idle ones, 5,000 rounds, in
 * process. The cost of a round should not grow with K: idle hosts are never visited.
 *
 * Run: node --import tsx bench/scheduler.ts
 */
import { SIM_START } from '@shadow-ts/plugin-sdk';
import { Host } from '../core/src/kernel/host.js';
import { SeedSource } from '../core/src/sim/random.js';
import { Scheduler } from '../core/src/sim/scheduler.js';
import { median } from './lib.js';

const MS = 1_000_000n;
const ROUNDS = 5_000;

function run(idle: number): number {
  const seeds = new SeedSource(1);
  const hosts = Array.from({ length: idle + 1 }, (_, i) => new Host(i, `h${i}`, '11.0.0.1', seeds.forHost(`h${i}`), '/nonexistent', []));
  const busy = hosts[0]!;
  const tick = () => busy.addEvent(busy.current + MS, tick);
  busy.addEvent(SIM_START, tick);
  const scheduler = new Scheduler(hosts, SIM_START + BigInt(ROUNDS) * MS, MS);
  const start = process.hrtime.bigint();
  while (scheduler.runRound()) {}
  return Number(process.hrtime.bigint() - start) / ROUNDS;
}

console.log(`shadow-ts scheduler benchmark: ${ROUNDS} rounds, one busy host among K idle ones (median of 5)`);
for (const idle of [0, 1_000, 10_000, 100_000]) {
  const perRound = median(Array.from({ length: 5 }, () => run(idle)));
  console.log(`K = ${String(idle).padStart(6)}: ${perRound.toFixed(0).padStart(6)} ns per round`);
}
