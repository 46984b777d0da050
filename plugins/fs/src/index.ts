import { definePlugin } from '@shadow-ts/plugin-sdk';
import { sysCreat, sysNewfstatatPath, sysOpen, sysOpenat, sysStatxPath } from './sys-open.js';

export const PLUGIN_NAME = 'core:fs';

/**
 * Paths the simulator provides: /dev/urandom and /dev/random from the host's stream, and the
 * host's /etc/hosts, /etc/hostname and /etc/localtime (UTC). Every other path opens natively.
 */
export default definePlugin({
  meta: { name: PLUGIN_NAME, version: '0.1.0', apiVersion: '^2.0.0' },
  apply(kernel) {
    const sc = kernel.hooks.syscall;
    sc.for('open').tap(PLUGIN_NAME, sysOpen);
    sc.for('openat').tap(PLUGIN_NAME, sysOpenat);
    sc.for('creat').tap(PLUGIN_NAME, sysCreat);
    // Before core:io, which answers descriptor-based stats and lets the rest run natively.
    sc.for('newfstatat').tap({ name: PLUGIN_NAME, stage: -1 }, sysNewfstatatPath);
    sc.for('statx').tap({ name: PLUGIN_NAME, stage: -1 }, sysStatxPath);
  },
});
