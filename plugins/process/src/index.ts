import { definePlugin } from '@shadow-ts/plugin-sdk';
import { sysExecve, sysExit, sysExitGroup } from './sys-exit.js';
import { sysGetcpu, sysSysinfo, sysUname } from './sys-info.js';
import { sysGetpid, sysGetppid, sysGettid, sysSetTidAddress } from './sys-pid.js';

export const PLUGIN_NAME = 'core:process';

/** Process identity and lifecycle. */
export default definePlugin({
  meta: { name: PLUGIN_NAME, version: '0.1.0', apiVersion: '^0.1.0' },
  apply(kernel) {
    const sc = kernel.hooks.syscall;
    sc.for('getpid').tap(PLUGIN_NAME, sysGetpid);
    sc.for('getppid').tap(PLUGIN_NAME, sysGetppid);
    sc.for('gettid').tap(PLUGIN_NAME, sysGettid);
    sc.for('set_tid_address').tap(PLUGIN_NAME, sysSetTidAddress);
    sc.for('exit').tap(PLUGIN_NAME, sysExit);
    sc.for('exit_group').tap(PLUGIN_NAME, sysExitGroup);
    sc.for('execve').tap(PLUGIN_NAME, sysExecve);
    sc.for('uname').tap(PLUGIN_NAME, sysUname);
    sc.for('sysinfo').tap(PLUGIN_NAME, sysSysinfo);
    sc.for('getcpu').tap(PLUGIN_NAME, sysGetcpu);
  },
});
