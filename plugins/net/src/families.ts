/**
 * The address families the simulator has, and how each makes its sockets (Linux's
 * net_proto_family, gVisor's socket.Provider): socket(2) and socketpair(2) look the family up
 * here, after the checks every family shares, and the family checks type and protocol.
 */

import type { SyscallContext } from '@shadow-ts/plugin-sdk';
import { AF_INET, AF_INET6, AF_NETLINK, AF_UNIX } from './constants.js';
import { inetFamily } from './inet/family.js';
import { netlinkFamily } from './netlink.js';
import type { Failure, Socket } from './socket.js';
import type { HostNet } from './state.js';
import { unixFamily } from './unix.js';

/** One address family's constructors. */
export interface Family {
  /** socket(2): a new unconnected socket, or why not (EPROTONOSUPPORT, ESOCKTNOSUPPORT, …). */
  create(net: HostNet, type: number, protocol: number, nonBlocking: boolean, ctx: SyscallContext): Socket | Failure;
  /** socketpair(2): two connected sockets, or why not (EOPNOTSUPP for families without pairs). */
  pair(net: HostNet, type: number, protocol: number, nonBlocking: boolean, ctx: SyscallContext): readonly [Socket, Socket] | Failure;
}

/** The families by number; socket(2) of any other is EAFNOSUPPORT. */
export const FAMILIES: ReadonlyMap<number, Family> = new Map([
  [AF_UNIX, unixFamily],
  [AF_INET, inetFamily(AF_INET)],
  [AF_INET6, inetFamily(AF_INET6)],
  [AF_NETLINK, netlinkFamily],
]);
