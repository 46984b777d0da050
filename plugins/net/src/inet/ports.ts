import { Errno } from '@shadow-ts/plugin-sdk';
import { failure, type Failure } from '../socket.js';
import { ANY4, ANY6, isV4, type InetFamily, AF_INET } from './addresses.js';

/**
 * One host's port table for one protocol (Linux's bind hash, simplified): who holds which
 * port on which address, the bind conflict rules of SO_REUSEADDR / SO_REUSEPORT, and ephemeral
 * ports (net.ipv4.ip_local_port_range, 32768–60999), handed out in order so runs repeat.
 */

export const EPHEMERAL_LOW = 32768;
export const EPHEMERAL_HIGH = 60999;

/** A socket's claim on a port. The owner keeps it up to date (listening, flags). */
export interface Binding {
  /** The socket family (an AF_INET6 socket bound to :: also takes IPv4 unless v6only). */
  readonly family: InetFamily;
  /** Wire text; ANY4 / ANY6 for the wildcard. */
  readonly ip: string;
  port: number;
  readonly v6only: boolean;
  readonly reuseAddr: boolean;
  readonly reusePort: boolean;
  /** A TCP listener (SO_REUSEADDR does not let another socket share its port). */
  readonly listening: boolean;
}

/** The addresses a binding covers: per IP version, none, all (wildcard) or one. */
interface Coverage {
  readonly v4: string | 'all' | null;
  readonly v6: string | 'all' | null;
}

function coverage(b: Pick<Binding, 'family' | 'ip' | 'v6only'>): Coverage {
  if (b.ip === ANY4) return { v4: 'all', v6: null };
  if (b.ip === ANY6) return { v4: b.family === AF_INET || b.v6only ? null : 'all', v6: 'all' };
  return isV4(b.ip) ? { v4: b.ip, v6: null } : { v4: null, v6: b.ip };
}

function meet(a: string | 'all' | null, b: string | 'all' | null): boolean {
  return a !== null && b !== null && (a === 'all' || b === 'all' || a === b);
}

/** Whether two bindings claim a common address. */
export function overlaps(a: Pick<Binding, 'family' | 'ip' | 'v6only'>, b: Pick<Binding, 'family' | 'ip' | 'v6only'>): boolean {
  const ca = coverage(a);
  const cb = coverage(b);
  return meet(ca.v4, cb.v4) || meet(ca.v6, cb.v6);
}

/** Whether binding `wanted` collides with `held` (inet_csk_bind_conflict / udp_lib_lport_inuse). */
export function conflicts(tcp: boolean, wanted: Binding, held: Binding): boolean {
  if (!overlaps(wanted, held)) return false;
  if (wanted.reusePort && held.reusePort) return false;
  // SO_REUSEADDR on both shares a port, except (TCP) with a socket that listens on it: a new
  // listener may take the port of connections still open or in TIME_WAIT (a restarted server).
  if (wanted.reuseAddr && held.reuseAddr && !(tcp && held.listening)) return false;
  return true;
}

/** Whether an address matches a binding (for delivery): wildcard coverage or the same address. */
export function accepts(b: Binding, ip: string): boolean {
  const c = coverage(b);
  const slot = isV4(ip) ? c.v4 : c.v6;
  return slot === 'all' || slot === ip;
}

export class PortTable {
  private readonly ports = new Map<number, Binding[]>();
  private cursor = EPHEMERAL_LOW;

  constructor(readonly tcp: boolean) {}

  /** The bindings on `port`, oldest first. */
  at(port: number): readonly Binding[] {
    return this.ports.get(port) ?? [];
  }

  /** Whether `b` could take `port` now (ignoring `b` itself). */
  free(b: Binding, port: number): boolean {
    const wanted = { ...b, port };
    return this.at(port).every((held) => held === b || !conflicts(this.tcp, wanted, held));
  }

  /**
   * Claims a port for `b`: `port` if non-zero (EADDRINUSE when taken), else the next free
   * ephemeral port in order (EADDRINUSE when none is left). Returns the port.
   */
  bind(b: Binding, port: number): number | Failure {
    if (port === 0) {
      const range = EPHEMERAL_HIGH - EPHEMERAL_LOW + 1;
      for (let i = 0; i < range; i++) {
        const candidate = EPHEMERAL_LOW + ((this.cursor - EPHEMERAL_LOW + i) % range);
        // An ephemeral port is one nobody holds at all.
        if (this.at(candidate).length === 0) {
          this.cursor = candidate + 1 > EPHEMERAL_HIGH ? EPHEMERAL_LOW : candidate + 1;
          return this.claim(b, candidate);
        }
      }
      return failure(Errno.EADDRINUSE);
    }
    if (!this.free(b, port)) return failure(Errno.EADDRINUSE);
    return this.claim(b, port);
  }

  /** Adds `b` on `port` without checks (an accepted connection shares its listener's port). */
  claim(b: Binding, port: number): number {
    b.port = port;
    const list = this.ports.get(port);
    if (list) list.push(b);
    else this.ports.set(port, [b]);
    return port;
  }

  release(b: Binding): void {
    const list = this.ports.get(b.port);
    if (!list) return;
    const i = list.indexOf(b);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.ports.delete(b.port);
  }
}
