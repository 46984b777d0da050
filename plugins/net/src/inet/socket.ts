import { Errno, O, OpenFile, S_IF, type FileStat, type HostView } from '@shadow-ts/plugin-sdk';
import type { Received, TransferOptions } from '../socket-common.js';
import { AF_INET, ANY4, ANY6, encodeSockaddr, type Endpoint, type InetFamily } from './addresses.js';
import { stackOf, type NetStack } from './demux.js';
import type { Binding, PortTable } from './ports.js';

/**
 * What AF_INET and AF_INET6 sockets share: the family, the local address and port (a Binding in
 * the host's port table once bound), the SOL_SOCKET options, the pending error and the
 * shutdown bits. UdpSocket and TcpSocket add their protocol.
 */

/** Default buffer sizes: Shadow's experimental defaults (socket_send_buffer / socket_recv_buffer). */
export const DEFAULT_SNDBUF = 131072;
export const DEFAULT_RCVBUF = 174760;
/** net.core.wmem_max / rmem_max (Linux defaults): setsockopt caps the request there, then doubles it. */
export const WMEM_MAX = 212992;
export const RMEM_MAX = 212992;
/**
 * What TCP buffers grow to under autotuning (net.ipv4.tcp_wmem / tcp_rmem maxima). A socket whose
 * buffer size was not set with SO_SNDBUF/SO_RCVBUF lets its connections use these at once — a
 * simplification of Linux's (and Shadow's socket_*_autotune) gradual growth, which reaches them
 * under bulk transfers; without it a connection's window would stay near 128 KiB.
 */
export const TCP_WMEM_MAX = 4194304;
export const TCP_RMEM_MAX = 6291456;
/** SOCK_MIN_SNDBUF / SOCK_MIN_RCVBUF on x86_64. */
export const MIN_SNDBUF = 4608;
export const MIN_RCVBUF = 2304;

/** sk_shutdown bits. */
export const RCV_SHUTDOWN = 1;
export const SEND_SHUTDOWN = 2;
export const SHUTDOWN_MASK = 3;

export abstract class InetSocket extends OpenFile implements Binding {
  abstract readonly stream: boolean;
  /** IP protocol number (6 TCP, 17 UDP). */
  abstract readonly protocol: number;
  readonly stack: NetStack;
  /** Local address (wire text; the family's wildcard until bound or connected) and port (0: none). */
  ip: string;
  port = 0;
  /** Bound by bind(2) (rather than implicitly by connect or send): kept on disconnect. */
  explicitBind = false;
  v6only = false;
  reuseAddr = false;
  reusePort = false;
  listening = false;
  sendBuffer = DEFAULT_SNDBUF;
  receiveBuffer = DEFAULT_RCVBUF;
  /** False once SO_SNDBUF / SO_RCVBUF fixed the size (which turns autotuning off, as in Linux). */
  autotuneSend = true;
  autotuneReceive = true;
  /** Boolean SOL_SOCKET options recorded for getsockopt (SO_KEEPALIVE, SO_BROADCAST, …). */
  readonly flags = new Map<number, number>();
  /** SO_LINGER: on, and seconds. */
  linger = { on: false, seconds: 0 };
  /** SO_RCVTIMEO / SO_SNDTIMEO in ns (0: none). */
  receiveTimeout = 0n;
  sendTimeout = 0n;
  /** Pending socket error (sk_err, an errno), reported once. */
  error = 0;
  /** sk_shutdown: RCV_SHUTDOWN | SEND_SHUTDOWN. */
  shutdown = 0;
  /** The last descriptor was closed. */
  closed = false;

  constructor(
    readonly family: InetFamily,
    readonly host: HostView,
    nonBlocking: boolean,
  ) {
    super(O.RDWR | (nonBlocking ? O.NONBLOCK : 0));
    this.stack = stackOf(host);
    this.ip = family === AF_INET ? ANY4 : ANY6;
  }

  /** The port table of this protocol on the host. */
  abstract get table(): PortTable;

  /** The connected peer, or null. */
  abstract get remote(): Endpoint | null;

  /** recv(2) without consuming; `consume` removes what reached the program. */
  abstract receive(length: number, opts: TransferOptions): Received | 'again' | { readonly errno: number };
  abstract consume(count: number): void;

  /** getsockname(2): the local address in this socket's family. */
  localName(): Uint8Array {
    return encodeSockaddr(this.family, { ip: this.ip, port: this.port });
  }

  /** The pending error, cleared (sock_error()); 0 when none. */
  takeError(): number {
    const e = this.error;
    this.error = 0;
    return e;
  }

  /**
   * Binds to `ip`:`port` (port 0: an ephemeral one). EINVAL if already bound, EADDRINUSE when
   * taken. Null on success.
   */
  bindTo(ip: string, port: number, explicit: boolean): { readonly errno: number } | null {
    if (this.port !== 0) return { errno: Errno.EINVAL };
    const previous = this.ip;
    this.ip = ip;
    const got = this.table.bind(this, port);
    if (typeof got !== 'number') {
      this.ip = previous;
      return got;
    }
    this.explicitBind = explicit;
    return null;
  }

  /** Gives up the port (close, or a UDP disconnect of an implicitly bound socket). */
  unbind(): void {
    if (this.port === 0) return;
    this.table.release(this);
    this.port = 0;
  }

  stat(): FileStat {
    return { mode: S_IF.SOCK | 0o777, blksize: 4096 };
  }

  /** Whether `flag` (SO_BROADCAST, SO_KEEPALIVE, …) is set. */
  flag(name: number): boolean {
    return (this.flags.get(name) ?? 0) !== 0;
  }
}
