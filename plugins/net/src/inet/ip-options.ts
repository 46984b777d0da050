import { intBytes, intOf, type Outcome } from '../socket.js';
import { AF_INET } from './addresses.js';
import type { InetSocket } from './socket.js';

/**
 * IP-level options that resolvers set: IP_RECVERR and IPV6_RECVERR (ip(7), ipv6(7)). glibc's
 * res_send gives up on a nameserver whose socket refuses them, so they are accepted and
 * reported back; they change nothing, because the errors they would queue for MSG_ERRQUEUE
 * come from ICMP, which is not simulated.
 */

const IPPROTO_IP = 0;
const IPPROTO_IPV6 = 41;
export const IP_RECVERR = 11;
export const IPV6_RECVERR = 25;

/** Whether (`level`, `name`) is one of these options for `sock` (IPV6_RECVERR needs an AF_INET6 socket). */
function handles(sock: InetSocket, level: number, name: number): boolean {
  return (level === IPPROTO_IP && name === IP_RECVERR) || (level === IPPROTO_IPV6 && name === IPV6_RECVERR && sock.family !== AF_INET);
}

/** The option's value, or undefined when it is not one of these. */
export function getIpOption(sock: InetSocket, level: number, name: number): Uint8Array | undefined {
  if (!handles(sock, level, name)) return undefined;
  return intBytes(level === IPPROTO_IP ? +sock.recvErr.v4 : +sock.recvErr.v6);
}

/** Sets the option from `raw` (at least an int, checked by the caller); false when it is not one of these. */
export function setIpOption(sock: InetSocket, level: number, name: number, raw: Uint8Array): Outcome | false {
  if (!handles(sock, level, name)) return false;
  if (level === IPPROTO_IP) sock.recvErr.v4 = intOf(raw) !== 0;
  else sock.recvErr.v6 = intOf(raw) !== 0;
  return undefined;
}
