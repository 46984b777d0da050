import { definePlugin, native, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { STRATEGY_SYSCALLS, overlayFs, sharedFs } from './strategies.js';
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
 * /etc/localtime (UTC); and /proc as the host's own, by virtual pid (docs/sandbox.md). Every
 * other path goes through the host's file system strategy (`shared`: natively; `overlay`: a
 * layer of its own over the real one).
 */
export default definePlugin({
  meta: { name: PLUGIN_NAME, version: '0.1.0', apiVersion: '^2.1.0' },
  apply(kernel) {
    const sc = kernel.hooks.syscall;
    kernel.fs.register(sharedFs);
    kernel.fs.register(overlayFs(kernel.dataDirectory));
    // The host's strategy sees each call first; undefined: the shared file system's answer.
    const strategy =
      <R extends SyscallResult | undefined>(handler: (ctx: SyscallContext) => R) =>
      (ctx: SyscallContext): SyscallResult | R =>
        kernel.fs.instance(ctx.host.name).onPathCall(ctx) ?? handler(ctx);
    sc.for('open').tap(PLUGIN_NAME, strategy(sysOpen));
    sc.for('openat').tap(PLUGIN_NAME, strategy(sysOpenat));
    sc.for('creat').tap(PLUGIN_NAME, strategy(sysCreat));
    // Before core:io, which answers descriptor-based stats and lets the rest run natively.
    sc.for('newfstatat').tap({ name: PLUGIN_NAME, stage: -1 }, strategy(sysNewfstatatPath));
    sc.for('statx').tap({ name: PLUGIN_NAME, stage: -1 }, strategy(sysStatxPath));
    // Path-taking calls that can reach /proc: trapped (a stop each), native unless the path enters /proc.
    sc.for('stat').tap(PLUGIN_NAME, strategy(sysStat));
    sc.for('lstat').tap(PLUGIN_NAME, strategy(sysLstat));
    sc.for('access').tap(PLUGIN_NAME, strategy(sysAccess));
    sc.for('faccessat').tap(PLUGIN_NAME, strategy(sysFaccessat));
    sc.for('faccessat2').tap(PLUGIN_NAME, strategy(sysFaccessat2));
    sc.for('readlink').tap(PLUGIN_NAME, strategy(sysReadlink));
    sc.for('readlinkat').tap(PLUGIN_NAME, strategy(sysReadlinkat));
    sc.for('chdir').tap(PLUGIN_NAME, strategy(sysChdir));
    sc.for('getcwd').tap(PLUGIN_NAME, strategy(sysGetcwd));
    sc.for('getdents').tap(PLUGIN_NAME, strategy(sysGetdents));
    sc.for('getdents64').tap(PLUGIN_NAME, strategy(sysGetdents64));
    // Before core:process, which lets every other execve run natively.
    sc.for('execve').tap({ name: PLUGIN_NAME, stage: -1 }, strategy(sysExecveProc));
    // Calls only a strategy needs: trapped on hosts whose strategy interposes, native elsewhere.
    for (const name of STRATEGY_SYSCALLS) sc.for(name).tap(PLUGIN_NAME, strategy(() => native()));
    kernel.hooks.nativeOnHost.tap(PLUGIN_NAME, (host, names) => {
      if (!kernel.fs.instance(host.name).interposes) for (const name of STRATEGY_SYSCALLS) names.add(name);
    });
  },
});
