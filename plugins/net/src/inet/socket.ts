import { Errno, O, type HostView, type SyscallContext } from '@shadow-ts/plugin-sdk';
import { IPPROTO_TCP, TCP_CONGESTION, getOption, setOption } from './options.js';
import { Socket, failure, isFailure, type Failure, type Outcome } from '../socket.js';
import type { HostNet } from '../state.js';
import { AF_INET, ANY4, ANY6, SOCKADDR_IN, decodeSockaddr, encodeSockaddr, type Endpoint, type InetFamily } from './addresses.js';
import type { NetStack } from './demux.js';
import type { Binding, PortTable } from './ports.js';
import type { BufferSizes } from '../tcp/types.js';

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
 * TCP buffers (net.ipv4.tcp_wmem / tcp_rmem, Linux's defaults): the size a socket starts with,
 * and what autotuning lets a connection's buffers grow to while SO_SNDBUF/SO_RCVBUF are not set.
 */
export const TCP_WMEM_DEFAULT = 16384;
export const TCP_RMEM_DEFAULT = 131072;
export const TCP_WMEM_MAX = 4194304;
export const TCP_RMEM_MAX = 6291456;
/** SOCK_MIN_SNDBUF / SOCK_MIN_RCVBUF on x86_64. */
export const MIN_SNDBUF = 4608;
export const MIN_RCVBUF = 2304;

export abstract class InetSocket extends Socket implements Binding {
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

  /** SO_SNDBUF and SO_RCVBUF as getsockopt reports them. */
  bufferSizes(): BufferSizes {
    return { send: this.sendBuffer, receive: this.receiveBuffer };
  }

  /** setsockopt(SO_SNDBUF / SO_RCVBUF): the size is fixed, autotuning off for that buffer. */
  fixBufferSizes(sizes: Partial<BufferSizes>): void {
    if (sizes.send !== undefined) {
      this.sendBuffer = sizes.send;
      this.autotuneSend = false;
    }
    if (sizes.receive !== undefined) {
      this.receiveBuffer = sizes.receive;
      this.autotuneReceive = false;
    }
  }
  /** Boolean SOL_SOCKET options recorded for getsockopt (SO_KEEPALIVE, SO_BROADCAST, …). */
  readonly flags = new Map<number, number>();
  /** SO_LINGER: on, and seconds. */
  linger = { on: false, seconds: 0 };
  /** Options recorded for getsockopt only (options.ts RECORDED), by `level:name`. */
  readonly recorded = new Map<string, number | Uint8Array>();
  /** SO_BINDTODEVICE: the interface named ('' when unbound). */
  boundDevice = '';
  /** Pending socket error (sk_err, an errno), reported once. */
  error = 0;
  /** sk_shutdown: RCV_SHUTDOWN | SEND_SHUTDOWN. */
  shutdownBits = 0;
  /** The last descriptor was closed. */
  closed = false;

  constructor(
    readonly family: InetFamily,
    /** The namespace of the host the socket was made on (its stack, its congestion control). */
    readonly net: HostNet,
    nonBlocking: boolean,
  ) {
    super(O.RDWR | (nonBlocking ? O.NONBLOCK : 0));
    this.stack = net.stack;
    this.ip = family === AF_INET ? ANY4 : ANY6;
  }

  get host(): HostView {
    return this.net.host;
  }

  /** The port table of this protocol on the host. */
  abstract get table(): PortTable;

  /** The connected peer, or null. */
  abstract get remote(): Endpoint | null;

  /** getsockname(2): the local address in this socket's family. */
  getsockname(): Uint8Array {
    return encodeSockaddr(this.family, { ip: this.ip, port: this.port });
  }

  /** getpeername(2): ENOTCONN without a peer. */
  getpeername(): Outcome<Uint8Array> {
    const peer = this.remote;
    return peer ? encodeSockaddr(this.family, peer) : failure(Errno.ENOTCONN);
  }

  /**
   * bind(2) (inet_bind() / inet6_bind()): a local address (or the wildcard; AF_UNSPEC with
   * INADDR_ANY too on AF_INET), port 0 for an ephemeral one. EADDRNOTAVAIL for an address that
   * is not the host's, EADDRINUSE when the port is taken, EINVAL when already bound or (v6only)
   * for a v4-mapped address.
   */
  bind(_ctx: SyscallContext, address: Uint8Array): Outcome {
    if (address.length < (this.family === AF_INET ? SOCKADDR_IN : 24)) return failure(Errno.EINVAL);
    const decoded = decodeSockaddr(this.family, address);
    if (isFailure(decoded)) return decoded;
    let ep: Endpoint;
    if (decoded.unspec) {
      // Only AF_INET takes AF_UNSPEC, and only with INADDR_ANY (old programs' habit).
      if (this.family !== AF_INET) return failure(Errno.EAFNOSUPPORT);
      const any = address.subarray(4, 8).every((b) => b === 0);
      if (!any) return failure(Errno.EAFNOSUPPORT);
      ep = { ip: ANY4, port: new DataView(address.buffer, address.byteOffset).getUint16(2, false) };
    } else {
      ep = decoded.ep;
      if (decoded.mapped && this.v6only) return failure(Errno.EINVAL);
    }
    if (!this.stack.isLocal(ep.ip)) return failure(Errno.EADDRNOTAVAIL);
    return this.bindTo(ep.ip, ep.port, true) ?? undefined;
  }

  /** connect(2)'s address: the endpoint, null for AF_UNSPEC (disconnect), or the failure. */
  protected connectTarget(address: Uint8Array): Endpoint | null | Failure {
    if (address.length < 2) return failure(Errno.EINVAL);
    const decoded = decodeSockaddr(this.family, address);
    if (isFailure(decoded)) return decoded;
    return decoded.unspec ? null : decoded.ep;
  }

  /** getsockopt(2): SOL_SOCKET, IPPROTO_IPV6 (options.ts), IPPROTO_TCP (TCP only). */
  getsockopt(ctx: SyscallContext, level: number, name: number): Outcome<Uint8Array> {
    return level === IPPROTO_TCP ? this.getTcpOption(ctx, name) : getOption(ctx, this, level, name);
  }

  /** setsockopt(2): as getsockopt. The value must have been readable. */
  setsockopt(ctx: SyscallContext, level: number, name: number, value: Uint8Array | null): Outcome {
    if (!value) return failure(Errno.EFAULT);
    return level === IPPROTO_TCP ? this.setTcpOption(ctx, name, value) : setOption(ctx, this, level, name, value);
  }

  /** IPPROTO_TCP options: EOPNOTSUPP but on TCP sockets. */
  protected getTcpOption(_ctx: SyscallContext, _name: number): Outcome<Uint8Array> {
    return failure(Errno.EOPNOTSUPP);
  }

  protected setTcpOption(_ctx: SyscallContext, name: number, value: Uint8Array): Outcome {
    return failure(value.length < 4 && name !== TCP_CONGESTION ? Errno.EINVAL : Errno.EOPNOTSUPP);
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
  bindTo(ip: string, port: number, explicit: boolean): Failure | null {
    if (this.port !== 0) return failure(Errno.EINVAL);
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

  /** SO_KEEPALIVE or a TCP_KEEP* setting changed (TCP passes it to its connection). */
  keepaliveChanged(): void {}

  /** Whether `flag` (SO_BROADCAST, SO_KEEPALIVE, …) is set. */
  flag(name: number): boolean {
    return (this.flags.get(name) ?? 0) !== 0;
  }
}
