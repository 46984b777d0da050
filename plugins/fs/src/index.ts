import { definePlugin } from '@shadow-ts/plugin-sdk';
import { sysCreat, sysNewfstatatPath, sysOpen, sysOpenat, sysStatxPath } from './sys-open.js';
import {
  sysAccess,
  sysChdir,
  sysExecveProc,
  sysFaccessat,
  sysFaccessat2,
  sysGetcwd,
  sysGetdents,
  sysGetdents64,
  sysLstat,
  sysReadlink,
  sysReadlinkat,
  sysStat,
} from './sys-proc.js';

export const PLUGIN_NAME = 'core:fs';

/**
 * Paths the simulator provides: /dev/urandom and /dev/random from the host's stream, and the
 * host's /etc/hosts, /etc/hostname, /etc/resolv.conf (the simulated resolver, core:net) and
 * /etc/localtime (UTC); and /proc as the host's own, by
 * virtual pid (docs/sandbox.md). Every other path runs natively.
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
    // Path-taking calls that can reach /proc: trapped (a stop each), native unless the path enters /proc.
    sc.for('stat').tap(PLUGIN_NAME, sysStat);
    sc.for('lstat').tap(PLUGIN_NAME, sysLstat);
    sc.for('access').tap(PLUGIN_NAME, sysAccess);
    sc.for('faccessat').tap(PLUGIN_NAME, sysFaccessat);
    sc.for('faccessat2').tap(PLUGIN_NAME, sysFaccessat2);
    sc.for('readlink').tap(PLUGIN_NAME, sysReadlink);
    sc.for('readlinkat').tap(PLUGIN_NAME, sysReadlinkat);
    sc.for('chdir').tap(PLUGIN_NAME, sysChdir);
    sc.for('getcwd').tap(PLUGIN_NAME, sysGetcwd);
    sc.for('getdents').tap(PLUGIN_NAME, sysGetdents);
    sc.for('getdents64').tap(PLUGIN_NAME, sysGetdents64);
    // Before core:process, which lets every other execve run natively.
    sc.for('execve').tap({ name: PLUGIN_NAME, stage: -1 }, sysExecveProc);
  },
});
