import { definePlugin } from '@shadow-ts/plugin-sdk';
import { reseedAtRandom, sysGetrandom } from './sys-random.js';

export const PLUGIN_NAME = 'core:random';

/** Deterministic randomness from each host's seeded stream. */
export default definePlugin({
  meta: { name: PLUGIN_NAME, version: '0.1.0', apiVersion: '^2.0.0' },
  apply(kernel) {
    kernel.hooks.syscall.for('getrandom').tap(PLUGIN_NAME, sysGetrandom);
    kernel.hooks.exec.tap(PLUGIN_NAME, reseedAtRandom);
  },
});
