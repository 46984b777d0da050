import { definePlugin } from '@shadow-ts/plugin-sdk';
import {
  sysAdjtimex,
  sysClockAdjtime,
  sysClockGetres,
  sysClockGettime,
  sysClockSettime,
  sysGettimeofday,
  sysSettimeofday,
  sysTime,
} from './sys-clock.js';
import { sysClockNanosleep, sysNanosleep } from './sys-sleep.js';

export const PLUGIN_NAME = 'core:time';

/** Simulated clocks and sleeps. */
export default definePlugin({
  meta: { name: PLUGIN_NAME, version: '0.1.0', apiVersion: '^2.0.0' },
  apply(kernel) {
    const sc = kernel.hooks.syscall;
    sc.for('clock_gettime').tap(PLUGIN_NAME, sysClockGettime);
    sc.for('clock_getres').tap(PLUGIN_NAME, sysClockGetres);
    sc.for('gettimeofday').tap(PLUGIN_NAME, sysGettimeofday);
    sc.for('time').tap(PLUGIN_NAME, sysTime);
    sc.for('clock_settime').tap(PLUGIN_NAME, sysClockSettime);
    sc.for('settimeofday').tap(PLUGIN_NAME, sysSettimeofday);
    sc.for('adjtimex').tap(PLUGIN_NAME, sysAdjtimex);
    sc.for('clock_adjtime').tap(PLUGIN_NAME, sysClockAdjtime);
    sc.for('nanosleep').tap(PLUGIN_NAME, sysNanosleep);
    sc.for('clock_nanosleep').tap(PLUGIN_NAME, sysClockNanosleep);
  },
});
