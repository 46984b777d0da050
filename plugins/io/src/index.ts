import { definePlugin } from '@shadow-ts/plugin-sdk';
import { sysEpollCreate, sysEpollCreate1, sysEpollCtl, sysEpollPwait, sysEpollPwait2, sysEpollWait } from './sys-epoll.js';
import { sysEventfd, sysEventfd2 } from './sys-eventfd.js';
import { sysSignalfd, sysSignalfd4 } from './sys-signalfd.js';
import { sysClose, sysCloseRange, sysDup, sysDup2, sysDup3, sysFcntl, sysIoctl, sysLseek } from './sys-fd.js';
import { sysCreatFifo, sysOpenFifo, sysOpenatFifo } from './sys-fifo.js';
import { sysFlock } from './sys-lock.js';
import { sysPipe, sysPipe2 } from './sys-pipe.js';
import { sysPoll, sysPpoll, sysPselect6, sysSelect } from './sys-poll.js';
import {
  sysPread64,
  sysPreadv,
  sysPreadv2,
  sysPwrite64,
  sysPwritev,
  sysPwritev2,
  sysRead,
  sysReadv,
  sysWrite,
  sysWritev,
} from './sys-read-write.js';
import { IoState } from './state.js';
import { sysCopyFileRange, sysSendfile } from './sys-sendfile.js';
import { sysSplice, sysTee, sysVmsplice } from './sys-splice.js';
import { sysFstat, sysNewfstatat, sysStatx } from './sys-stat.js';
import { sysTimerfdCreate, sysTimerfdGettime, sysTimerfdSettime } from './sys-timerfd.js';
import { sysFgetxattr, sysFlistxattr, sysFsetxattr } from './sys-xattr.js';

export const PLUGIN_NAME = 'core:io';

/**
 * Descriptor syscalls for every kind of file. Calls on a descriptor bound to a virtual file
 * (pipe, eventfd, timerfd, epoll, and whatever kinds other plugins add) go to that file;
 * calls on ordinary descriptors run natively. File locks (flock, fcntl record and OFD locks) are
 * the real kernel's, taken without blocking, with blocking waits on simulated time; FIFOs opened
 * by path become simulated pipes between the host's processes.
 */
export default definePlugin({
  meta: { name: PLUGIN_NAME, version: '0.1.0', apiVersion: '^2.4.0' },
  apply(kernel) {
    const state = new IoState();
    const sc = kernel.hooks.syscall;
    sc.for('read').tap(PLUGIN_NAME, sysRead);
    sc.for('write').tap(PLUGIN_NAME, sysWrite);
    sc.for('readv').tap(PLUGIN_NAME, sysReadv);
    sc.for('writev').tap(PLUGIN_NAME, sysWritev);
    sc.for('pread64').tap(PLUGIN_NAME, sysPread64);
    sc.for('pwrite64').tap(PLUGIN_NAME, sysPwrite64);
    sc.for('preadv').tap(PLUGIN_NAME, sysPreadv);
    sc.for('pwritev').tap(PLUGIN_NAME, sysPwritev);
    sc.for('preadv2').tap(PLUGIN_NAME, sysPreadv2);
    sc.for('pwritev2').tap(PLUGIN_NAME, sysPwritev2);
    sc.for('lseek').tap(PLUGIN_NAME, sysLseek);
    sc.for('close').tap(PLUGIN_NAME, (ctx) => sysClose(ctx, state));
    sc.for('close_range').tap(PLUGIN_NAME, (ctx) => sysCloseRange(ctx, state));
    sc.for('dup').tap(PLUGIN_NAME, sysDup);
    sc.for('dup2').tap(PLUGIN_NAME, (ctx) => sysDup2(ctx, state));
    sc.for('dup3').tap(PLUGIN_NAME, (ctx) => sysDup3(ctx, state));
    sc.for('fcntl').tap(PLUGIN_NAME, (ctx) => sysFcntl(ctx, state));
    sc.for('flock').tap(PLUGIN_NAME, (ctx) => sysFlock(ctx, state));
    // Before core:fs, which opens every path it does not emulate natively.
    sc.for('open').tap({ name: PLUGIN_NAME, stage: -1 }, (ctx) => sysOpenFifo(ctx, state));
    sc.for('openat').tap({ name: PLUGIN_NAME, stage: -1 }, (ctx) => sysOpenatFifo(ctx, state));
    sc.for('creat').tap({ name: PLUGIN_NAME, stage: -1 }, (ctx) => sysCreatFifo(ctx, state));
    sc.for('ioctl').tap(PLUGIN_NAME, (ctx) => sysIoctl(ctx, state));
    sc.for('fstat').tap(PLUGIN_NAME, sysFstat);
    sc.for('fgetxattr').tap(PLUGIN_NAME, sysFgetxattr);
    sc.for('fsetxattr').tap(PLUGIN_NAME, sysFsetxattr);
    sc.for('fremovexattr').tap(PLUGIN_NAME, sysFsetxattr);
    sc.for('flistxattr').tap(PLUGIN_NAME, sysFlistxattr);
    sc.for('sendfile').tap(PLUGIN_NAME, sysSendfile);
    sc.for('copy_file_range').tap(PLUGIN_NAME, sysCopyFileRange);
    sc.for('splice').tap(PLUGIN_NAME, sysSplice);
    sc.for('tee').tap(PLUGIN_NAME, sysTee);
    sc.for('vmsplice').tap(PLUGIN_NAME, sysVmsplice);
    sc.for('newfstatat').tap(PLUGIN_NAME, sysNewfstatat);
    sc.for('statx').tap(PLUGIN_NAME, sysStatx);
    sc.for('pipe').tap(PLUGIN_NAME, sysPipe);
    sc.for('pipe2').tap(PLUGIN_NAME, sysPipe2);
    sc.for('eventfd').tap(PLUGIN_NAME, sysEventfd);
    sc.for('eventfd2').tap(PLUGIN_NAME, sysEventfd2);
    sc.for('signalfd').tap(PLUGIN_NAME, sysSignalfd);
    sc.for('signalfd4').tap(PLUGIN_NAME, sysSignalfd4);
    sc.for('timerfd_create').tap(PLUGIN_NAME, sysTimerfdCreate);
    sc.for('timerfd_settime').tap(PLUGIN_NAME, sysTimerfdSettime);
    sc.for('timerfd_gettime').tap(PLUGIN_NAME, sysTimerfdGettime);
    sc.for('epoll_create').tap(PLUGIN_NAME, sysEpollCreate);
    sc.for('epoll_create1').tap(PLUGIN_NAME, sysEpollCreate1);
    sc.for('epoll_ctl').tap(PLUGIN_NAME, sysEpollCtl);
    sc.for('epoll_wait').tap(PLUGIN_NAME, sysEpollWait);
    sc.for('epoll_pwait').tap(PLUGIN_NAME, sysEpollPwait);
    sc.for('epoll_pwait2').tap(PLUGIN_NAME, sysEpollPwait2);
    sc.for('poll').tap(PLUGIN_NAME, sysPoll);
    sc.for('ppoll').tap(PLUGIN_NAME, sysPpoll);
    sc.for('select').tap(PLUGIN_NAME, sysSelect);
    sc.for('pselect6').tap(PLUGIN_NAME, sysPselect6);
    kernel.hooks.threadExit.tap(PLUGIN_NAME, (thread) => state.onThreadExit(thread));
    // exec closes the close-on-exec descriptors, and with them their locks.
    kernel.hooks.exec.tap(PLUGIN_NAME, ({ host }) => state.locks(host).releasedAny());
  },
});
