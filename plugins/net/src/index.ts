import { definePlugin, type NetApi } from '@shadow-ts/plugin-sdk';
import { registerCongestion } from './inet/congestion.js';
import { NetState } from './state.js';
import { listSockets } from './usage.js';
import {
  sysAccept,
  sysAccept4,
  sysBind,
  sysConnect,
  sysGetpeername,
  sysGetsockname,
  sysGetsockopt,
  sysListen,
  sysRecvfrom,
  sysRecvmsg,
  sysRecvmmsg,
  sysSendmmsg,
  sysSendmsg,
  sysSendto,
  sysSetsockopt,
  sysShutdown,
  sysSocket,
  sysSocketpair,
} from './sys-socket.js';

export const PLUGIN_NAME = 'core:net';

/**
 * Sockets: AF_UNIX (pairs, and named sockets bound to paths or abstract names) and AF_INET /
 * AF_INET6 UDP and TCP over the simulated network (ctx.host.network; the TCP state machine is
 * ./tcp). read/write/poll/epoll/close on their descriptors go through the io family like any
 * virtual file.
 */
export default definePlugin({
  meta: { name: PLUGIN_NAME, version: '0.1.0', apiVersion: '^2.4.0' },
  apply(kernel) {
    registerCongestion(kernel.congestion);
    const state = new NetState(kernel.congestion);
    const api: NetApi = { hooks: state.events };
    kernel.provide(api);
    // Every host that runs a program answers TCP segments to closed ports with a RST, even
    // before (or without) opening a socket of its own.
    kernel.hooks.exec.tap(PLUGIN_NAME, (event) => void state.of(event.host).stack);
    const sc = kernel.hooks.syscall;
    sc.for('socket').tap(PLUGIN_NAME, (ctx) => sysSocket(ctx, state));
    sc.for('socketpair').tap(PLUGIN_NAME, (ctx) => sysSocketpair(ctx, state));
    sc.for('bind').tap(PLUGIN_NAME, sysBind);
    sc.for('listen').tap(PLUGIN_NAME, sysListen);
    sc.for('accept').tap(PLUGIN_NAME, (ctx) => sysAccept(ctx, state));
    sc.for('accept4').tap(PLUGIN_NAME, (ctx) => sysAccept4(ctx, state));
    sc.for('connect').tap(PLUGIN_NAME, sysConnect);
    sc.for('sendto').tap(PLUGIN_NAME, sysSendto);
    sc.for('recvfrom').tap(PLUGIN_NAME, sysRecvfrom);
    sc.for('sendmsg').tap(PLUGIN_NAME, sysSendmsg);
    sc.for('sendmmsg').tap(PLUGIN_NAME, sysSendmmsg);
    sc.for('recvmmsg').tap(PLUGIN_NAME, sysRecvmmsg);
    sc.for('recvmsg').tap(PLUGIN_NAME, sysRecvmsg);
    sc.for('shutdown').tap(PLUGIN_NAME, sysShutdown);
    sc.for('getsockname').tap(PLUGIN_NAME, sysGetsockname);
    sc.for('getpeername').tap(PLUGIN_NAME, sysGetpeername);
    sc.for('getsockopt').tap(PLUGIN_NAME, sysGetsockopt);
    sc.for('setsockopt').tap(PLUGIN_NAME, sysSetsockopt);
    kernel.hooks.socketUsage.tap(PLUGIN_NAME, listSockets);
  },
});
