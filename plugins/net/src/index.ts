import { definePlugin } from '@shadow-ts/plugin-sdk';
import {
  sysGetpeername,
  sysGetsockname,
  sysGetsockopt,
  sysRecvfrom,
  sysRecvmsg,
  sysSendmsg,
  sysSendto,
  sysSetsockopt,
  sysShutdown,
  sysSocketpair,
} from './sys-socket.js';

export const PLUGIN_NAME = 'core:net';

/**
 * Sockets. For now AF_UNIX socket pairs (what asyncio's self-pipe needs) and the data calls on
 * them; read/write/poll/close on their descriptors go through the io family like any virtual
 * file. socket(2), bind, connect and AF_INET come with the simulated network.
 */
export default definePlugin({
  meta: { name: PLUGIN_NAME, version: '0.1.0', apiVersion: '^0.1.0' },
  apply(kernel) {
    const sc = kernel.hooks.syscall;
    sc.for('socketpair').tap(PLUGIN_NAME, sysSocketpair);
    sc.for('sendto').tap(PLUGIN_NAME, sysSendto);
    sc.for('recvfrom').tap(PLUGIN_NAME, sysRecvfrom);
    sc.for('sendmsg').tap(PLUGIN_NAME, sysSendmsg);
    sc.for('recvmsg').tap(PLUGIN_NAME, sysRecvmsg);
    sc.for('shutdown').tap(PLUGIN_NAME, sysShutdown);
    sc.for('getsockname').tap(PLUGIN_NAME, sysGetsockname);
    sc.for('getpeername').tap(PLUGIN_NAME, sysGetpeername);
    sc.for('getsockopt').tap(PLUGIN_NAME, sysGetsockopt);
    sc.for('setsockopt').tap(PLUGIN_NAME, sysSetsockopt);
  },
});
