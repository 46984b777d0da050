import { Errno, POLL, ok, errno, type HostView, type IoResult, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { SO_BROADCAST, intBytes, type Received, type SendResult, type TransferOptions } from '../socket-common.js';
import { AF_INET, ANY4, ANY6, LOOPBACK4, LOOPBACK6, encodeSockaddr, isV4, isWildcard, type Endpoint, type InetFamily } from './addresses.js';
import type { UdpEndpoint } from './demux.js';
import { InetPacket } from './packet.js';
import type { PortTable } from './ports.js';
import { InetSocket, RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK } from './socket.js';

/**
 * UDP sockets (udp(7)) after Linux's net/ipv4/udp.c: datagrams keep their boundaries, a
 * receive takes one (cut to the buffer, MSG_TRUNC), the receive queue is bounded by SO_RCVBUF
 * charged with each datagram's skb truesize (a datagram that does not fit is dropped; one
 * always fits an empty queue, as on Linux). Sends leave at once (the send buffer never fills).
 * ICMP is not modelled: a datagram to a closed port vanishes, nobody learns ECONNREFUSED.
 */

/** The largest UDP payload: 65535 - 20 (IPv4) - 8; over IPv6 65535 - 8. */
export const MAX_UDP4 = 65507;
export const MAX_UDP6 = 65527;

/**
 * The memory Linux charges the receive buffer for a datagram of `length` bytes (skb->truesize
 * of an IPv4 loopback datagram, measured: 832 bytes up to ~500 bytes, then the kmalloc size of
 * the linear head, and past SKB_MAX_ALLOC a small head plus the payload in page fragments).
 */
export function truesize(length: number): number {
  const need = length + 28 + 31;
  const SKB = 256;
  const SHINFO = 320;
  if (need >= 16064) return 576 + SKB + length;
  const head = Math.ceil(need / 64) * 64 + SHINFO;
  if (head <= 576) return 576 + SKB;
  let alloc = 1024;
  while (alloc < head) alloc *= 2;
  return alloc + SKB;
}

interface Datagram {
  readonly data: Uint8Array;
  readonly from: Endpoint;
  readonly charge: number;
}

export class UdpSocket extends InetSocket implements UdpEndpoint {
  readonly kind = 'udp';
  readonly stream = false;
  readonly protocol = 17;
  peer: Endpoint | null = null;
  /** Bytes charged to the receive buffer (sk_rmem_alloc). */
  queued = 0;
  private readonly queue: Datagram[] = [];

  constructor(family: InetFamily, host: HostView, nonBlocking: boolean) {
    super(family, host, nonBlocking);
  }

  get table(): PortTable {
    return this.stack.udp;
  }

  get remote(): Endpoint | null {
    return this.peer;
  }

  /** datagram_poll(): readable with a datagram queued, always writable. */
  poll(): number {
    let bits = POLL.OUT | POLL.WRNORM | POLL.WRBAND;
    if (this.error) bits |= POLL.ERR;
    if (this.shutdown === SHUTDOWN_MASK) bits |= POLL.HUP;
    if (this.shutdown & RCV_SHUTDOWN) bits |= POLL.RDHUP | POLL.IN | POLL.RDNORM;
    if (this.queue.length > 0) bits |= POLL.IN | POLL.RDNORM;
    return bits;
  }

  /** A datagram for this socket arrived (the demux chose it). */
  deliver(packet: InetPacket): void {
    if (this.closed) return;
    const d = packet.udp!;
    const charge = truesize(d.payload.length);
    // __udp_enqueue_schedule_skb(): dropped when it would overrun SO_RCVBUF, unless the queue is empty.
    if (this.queued > 0 && this.queued + charge > this.receiveBuffer) return;
    this.queue.push({ data: d.payload, from: { ip: packet.source, port: d.srcPort }, charge });
    this.queued += charge;
    this.readiness.notify();
  }

  /** Where a datagram to `to` (or the connected peer) goes: the endpoint, or an errno. */
  private destination(to: Endpoint | undefined): Endpoint | { readonly errno: number } {
    const dest = to ?? this.peer;
    if (!dest) return { errno: Errno.EDESTADDRREQ };
    if (dest.port === 0) return { errno: Errno.EINVAL };
    // Sending to the unspecified address reaches this host (Linux routes 0.0.0.0 locally).
    if (isWildcard(dest.ip)) return { ip: isV4(dest.ip) ? LOOPBACK4 : LOOPBACK6, port: dest.port };
    if (isV4(dest.ip) && this.family !== AF_INET && this.v6only) return { errno: Errno.ENETUNREACH };
    return dest;
  }

  /** Binds to an ephemeral port on the wildcard address if not bound yet (inet_autobind()). */
  autobind(): { readonly errno: number } | null {
    return this.port === 0 ? this.bindTo(this.ip, 0, false) : null;
  }

  /**
   * sendto(2) of one datagram to `opts.to` (or the connected peer): EMSGSIZE beyond the largest
   * UDP payload, EDESTADDRREQ without a destination, EACCES for a broadcast without
   * SO_BROADCAST (broadcasts are not delivered: no broadcast domain is modelled).
   */
  send(_ctx: SyscallContext, data: Uint8Array, opts: TransferOptions & { readonly to?: Endpoint }): SendResult {
    const dest = this.destination(opts.to);
    if ('errno' in dest) return dest;
    if (data.length > (isV4(dest.ip) ? MAX_UDP4 : MAX_UDP6)) return { errno: Errno.EMSGSIZE };
    if (this.shutdown & SEND_SHUTDOWN) return { errno: Errno.EPIPE };
    if (dest.ip === '255.255.255.255') {
      if (!this.flag(SO_BROADCAST)) return { errno: Errno.EACCES };
      return data.length; // no broadcast domain: nobody receives it
    }
    const bound = this.autobind();
    if (bound) return bound;
    const source = this.stack.sourceFor(dest.ip, this.ip);
    this.stack.send(InetPacket.udp(source, dest.ip, { srcPort: this.port, dstPort: dest.port, payload: new Uint8Array(data) }));
    return data.length;
  }

  /**
   * connect(2): sets the default peer (and the local address, as Linux fixes the source);
   * null `to` (AF_UNSPEC) disconnects, giving up an implicitly bound port.
   */
  connectTo(to: Endpoint | null): SyscallResult {
    if (!to) {
      this.peer = null;
      if (!this.explicitBind) {
        this.unbind();
        this.ip = this.family === AF_INET ? ANY4 : ANY6;
      }
      return ok();
    }
    const dest = this.destination(to);
    if ('errno' in dest) return errno(dest.errno);
    const bound = this.autobind();
    if (bound) return errno(bound.errno);
    if (isWildcard(this.ip)) this.ip = this.stack.sourceFor(dest.ip, this.ip);
    this.peer = dest;
    this.readiness.notify();
    return ok();
  }

  /**
   * The first datagram, cut to `length`, with its full length and sender; when none: end of
   * file once reading is shut down (EAGAIN for a non-blocking call, as __skb_try_recv_datagram()
   * answers first), else 'again'.
   */
  receive(length: number, opts: TransferOptions): Received | 'again' | { readonly errno: number } {
    if (this.error) return { errno: this.takeError() };
    const first = this.queue[0];
    if (first) {
      return { data: first.data.subarray(0, length), length: first.data.length, from: encodeSockaddr(this.family, first.from) };
    }
    if (this.shutdown & RCV_SHUTDOWN && !opts.nonBlocking) return { data: new Uint8Array(0), length: 0 };
    return 'again';
  }

  consume(_count: number): void {
    const first = this.queue.shift();
    if (first) this.queued -= first.charge;
    this.readiness.notify();
  }

  shut(how: number): void {
    this.shutdown |= how + 1;
    this.readiness.notify();
  }

  override read(_ctx: SyscallContext, length: number, offset: bigint | null): IoResult {
    if (offset !== null) return { errno: Errno.ESPIPE };
    const result = this.receive(length, { nonBlocking: this.nonBlocking });
    if (result === 'again' || !('data' in result)) return result;
    this.consume(0);
    return result.data;
  }

  override write(ctx: SyscallContext, data: Uint8Array, offset: bigint | null): IoResult {
    if (offset !== null) return { errno: Errno.ESPIPE };
    return this.send(ctx, data, { nonBlocking: this.nonBlocking });
  }

  /** SIOCINQ (FIONREAD): the first datagram's length; SIOCOUTQ: nothing waits to be sent. */
  override ioctl(ctx: SyscallContext, request: number, arg: bigint): SyscallResult | undefined {
    let amount: number;
    if (request === 0x541b) amount = this.queue[0]?.data.length ?? 0;
    else if (request === 0x5411) amount = 0;
    else return undefined;
    return ctx.memory.write(arg, intBytes(amount)) ? ok() : errno(Errno.EFAULT);
  }

  override release(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queued = 0;
    this.unbind();
  }
}
