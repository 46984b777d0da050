import { definePlugin } from '@shadow-ts/plugin-sdk';
import { ProcessState } from './state.js';
import { sysClone, sysClone3, sysFork, sysVfork } from './sys-clone.js';
import { sysExecve, sysExit, sysExitGroup } from './sys-exit.js';
import { sysFutex } from './sys-futex.js';
import { sysGetcpu, sysGetrusage, sysSysinfo, sysUname } from './sys-info.js';
import { sysGetpgid, sysGetpgrp, sysGetsid, sysSetpgid, sysSetsid } from './sys-pgrp.js';
import { sysGetpid, sysGetppid, sysGettid, sysSetTidAddress } from './sys-pid.js';
import { sysCapget, sysCapset } from './sys-caps.js';
import { sysPrctl } from './sys-prctl.js';
import { sysGetRobustList, sysMigratePages, sysMovePages, sysProcessVmReadv, sysProcessVmWritev } from './sys-procmem.js';
import { sysPrlimit64 } from './sys-rlimit.js';
import {
  sysGetpriority,
  sysIoprioGet,
  sysIoprioSet,
  sysSchedGetaffinity,
  sysSchedGetattr,
  sysSchedGetparam,
  sysSchedGetscheduler,
  sysSchedRrGetInterval,
  sysSchedSetaffinity,
  sysSchedSetattr,
  sysSchedSetparam,
  sysSchedSetscheduler,
  sysSchedYield,
  sysSetpriority,
} from './sys-sched.js';
import {
  sysAlarm,
  sysGetitimer,
  sysKill,
  sysPause,
  sysRtSigaction,
  sysRtSigqueueinfo,
  sysRtSigsuspend,
  sysRtSigtimedwait,
  sysRtTgsigqueueinfo,
  sysSetitimer,
  sysTgkill,
  sysTkill,
} from './sys-signal.js';
import { deleteTimers, sysTimerCreate, sysTimerDelete, sysTimerGetoverrun, sysTimerGettime, sysTimerSettime } from './sys-timer.js';
import { sysWait4, sysWaitid } from './sys-wait.js';
import { asFork } from './vfork/as-fork.js';
import { nativeVfork } from './vfork/native.js';
import { rejectVfork } from './vfork/reject.js';

export const PLUGIN_NAME = 'core:process';

/** Processes, threads, futexes, signals and the vfork strategies. */
export default definePlugin({
  meta: { name: PLUGIN_NAME, version: '0.1.0', apiVersion: '^2.0.0' },
  apply(kernel) {
    // Everything the family remembers lives here, one per kernel (see ProcessState).
    const state = new ProcessState(kernel.vfork);
    const sc = kernel.hooks.syscall;
    sc.for('getpid').tap(PLUGIN_NAME, sysGetpid);
    sc.for('getppid').tap(PLUGIN_NAME, sysGetppid);
    sc.for('gettid').tap(PLUGIN_NAME, sysGettid);
    sc.for('set_tid_address').tap(PLUGIN_NAME, (ctx) => sysSetTidAddress(ctx, state));
    sc.for('exit').tap(PLUGIN_NAME, sysExit);
    sc.for('exit_group').tap(PLUGIN_NAME, sysExitGroup);
    sc.for('execve').tap(PLUGIN_NAME, sysExecve);
    sc.for('uname').tap(PLUGIN_NAME, sysUname);
    sc.for('sysinfo').tap(PLUGIN_NAME, sysSysinfo);
    sc.for('getrusage').tap(PLUGIN_NAME, sysGetrusage);
    sc.for('timer_create').tap(PLUGIN_NAME, (ctx) => sysTimerCreate(ctx, state));
    sc.for('timer_settime').tap(PLUGIN_NAME, (ctx) => sysTimerSettime(ctx, state));
    sc.for('timer_gettime').tap(PLUGIN_NAME, (ctx) => sysTimerGettime(ctx, state));
    sc.for('timer_getoverrun').tap(PLUGIN_NAME, (ctx) => sysTimerGetoverrun(ctx, state));
    sc.for('timer_delete').tap(PLUGIN_NAME, (ctx) => sysTimerDelete(ctx, state));
    sc.for('getcpu').tap(PLUGIN_NAME, sysGetcpu);
    sc.for('fork').tap(PLUGIN_NAME, sysFork);
    sc.for('vfork').tap(PLUGIN_NAME, (ctx) => sysVfork(ctx, state));
    sc.for('clone').tap(PLUGIN_NAME, (ctx) => sysClone(ctx, state));
    sc.for('clone3').tap(PLUGIN_NAME, (ctx) => sysClone3(ctx, state));
    sc.for('wait4').tap(PLUGIN_NAME, sysWait4);
    sc.for('waitid').tap(PLUGIN_NAME, sysWaitid);
    sc.for('futex').tap(PLUGIN_NAME, (ctx) => sysFutex(ctx, state));
    sc.for('kill').tap(PLUGIN_NAME, sysKill);
    sc.for('tkill').tap(PLUGIN_NAME, sysTkill);
    sc.for('tgkill').tap(PLUGIN_NAME, sysTgkill);
    sc.for('rt_sigaction').tap(PLUGIN_NAME, (ctx) => sysRtSigaction(ctx, state));
    sc.for('pause').tap(PLUGIN_NAME, sysPause);
    sc.for('rt_sigsuspend').tap(PLUGIN_NAME, sysRtSigsuspend);
    sc.for('rt_sigtimedwait').tap(PLUGIN_NAME, sysRtSigtimedwait);
    sc.for('alarm').tap(PLUGIN_NAME, (ctx) => sysAlarm(ctx, state));
    sc.for('setitimer').tap(PLUGIN_NAME, (ctx) => sysSetitimer(ctx, state));
    sc.for('getitimer').tap(PLUGIN_NAME, (ctx) => sysGetitimer(ctx, state));
    sc.for('setsid').tap(PLUGIN_NAME, sysSetsid);
    sc.for('getsid').tap(PLUGIN_NAME, sysGetsid);
    sc.for('setpgid').tap(PLUGIN_NAME, sysSetpgid);
    sc.for('getpgid').tap(PLUGIN_NAME, sysGetpgid);
    sc.for('getpgrp').tap(PLUGIN_NAME, sysGetpgrp);
    sc.for('prctl').tap(PLUGIN_NAME, (ctx) => sysPrctl(ctx, state));
    sc.for('sched_yield').tap(PLUGIN_NAME, sysSchedYield);
    sc.for('sched_getaffinity').tap(PLUGIN_NAME, sysSchedGetaffinity);
    sc.for('sched_setaffinity').tap(PLUGIN_NAME, sysSchedSetaffinity);
    sc.for('sched_setscheduler').tap(PLUGIN_NAME, sysSchedSetscheduler);
    sc.for('sched_getscheduler').tap(PLUGIN_NAME, sysSchedGetscheduler);
    sc.for('sched_setparam').tap(PLUGIN_NAME, sysSchedSetparam);
    sc.for('sched_getparam').tap(PLUGIN_NAME, sysSchedGetparam);
    sc.for('sched_setattr').tap(PLUGIN_NAME, sysSchedSetattr);
    sc.for('sched_getattr').tap(PLUGIN_NAME, sysSchedGetattr);
    sc.for('sched_rr_get_interval').tap(PLUGIN_NAME, sysSchedRrGetInterval);
    sc.for('getpriority').tap(PLUGIN_NAME, sysGetpriority);
    sc.for('setpriority').tap(PLUGIN_NAME, sysSetpriority);
    sc.for('ioprio_get').tap(PLUGIN_NAME, sysIoprioGet);
    sc.for('ioprio_set').tap(PLUGIN_NAME, sysIoprioSet);
    sc.for('prlimit64').tap(PLUGIN_NAME, sysPrlimit64);
    sc.for('process_vm_readv').tap(PLUGIN_NAME, sysProcessVmReadv);
    sc.for('process_vm_writev').tap(PLUGIN_NAME, sysProcessVmWritev);
    sc.for('get_robust_list').tap(PLUGIN_NAME, sysGetRobustList);
    sc.for('migrate_pages').tap(PLUGIN_NAME, sysMigratePages);
    sc.for('move_pages').tap(PLUGIN_NAME, sysMovePages);
    sc.for('capget').tap(PLUGIN_NAME, sysCapget);
    sc.for('capset').tap(PLUGIN_NAME, sysCapset);
    sc.for('rt_sigqueueinfo').tap(PLUGIN_NAME, sysRtSigqueueinfo);
    sc.for('rt_tgsigqueueinfo').tap(PLUGIN_NAME, sysRtTgsigqueueinfo);

    kernel.hooks.clone.tap(PLUGIN_NAME, (event) => state.onClone(event));
    kernel.hooks.threadExit.tap(PLUGIN_NAME, (thread) => state.onThreadExit(thread));
    kernel.hooks.exec.tap(PLUGIN_NAME, ({ process }) => {
      state.forgetHandlers(process);
      deleteTimers(state, process);
    });
    kernel.hooks.processExit.tap(PLUGIN_NAME, (process) => deleteTimers(state, process));
    kernel.hooks.restartOnSignal.tap(PLUGIN_NAME, (thread, sig) => state.restartSet(thread.process).has(sig));

    for (const factory of [asFork, nativeVfork, rejectVfork]) kernel.vfork.register(factory);
  },
});
