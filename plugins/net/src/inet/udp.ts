import { Errno, POLL, type SyscallContext } from '@shadow-ts/plugin-sdk';
import { RCV_SHUTDOWN, SEND_SHUTDOWN, SHUTDOWN_MASK, SOCK_DGRAM, SO_BROADCAST } from '../constants.js';
import { AGAIN, failure, isFailure, type Failure, type Outcome, type Received, type SendOptions, type TransferOptions } from '../socket.js';
import type { HostNet } from '../state.js';
import { AF_INET, ANY4, ANY6, LOOPBACK4, LOOPBACK6, SOCKADDR_IN, decodeSockaddr, encodeSockaddr, isV4, isWildcard, type Endpoint, type InetFamily } from './addresses.js';
import type { UdpEndpoint } from './demux.js';
import { datagramMessages, type Arrival } from './control.js';
import { InetPacket } from './packet.js';
import type { PortTable } from './ports.js';
import { InetSocket } from './socket.js';

/**
 * UDP sockets (udp(7)) after Linux's net/ipv4/udp.c: datagrams keep their boundaries, a
 * receive takes one (cut to the buffer, MSG_TRUNC), the receive queue is bounded by SO_RCVBUF
 * charged with each datagram's skb truesize (a datagram that does not fit is dropped; one
 * always fits an empty queue, as on Linux). A sent datagram stays charged to SO_SNDBUF until it
 * has left the host (its last bit on the uplink), and a send waits (or EAGAIN) while the charge
 * reaches SO_SNDBUF, as sock_alloc_send_skb() does: a flood goes at the link's pace, with a
 * bounded backlog.
 * A datagram no socket takes is answered with an ICMP port unreachable (demux.ts), and a socket
 * connected to that port then fails its next call with ECONNREFUSED, as on Linux.
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

interface Datagram extends Arrival {
  readonly data: Uint8Array;
  readonly from: Endpoint;
  readonly charge: number;
}

export class UdpSocket extends InetSocket implements UdpEndpoint {
  readonly kind = 'udp';
  readonly type = SOCK_DGRAM;
  readonly stream = false;
  readonly protocol = 17;
  peer: Endpoint | null = null;
  /** Bytes charged to the receive buffer (sk_rmem_alloc). */
  queued = 0;
  /** Bytes of sent datagrams that have not left the host yet, charged to the send buffer (sk_wmem_alloc). */
  private unsent = 0;
  private readonly queue: Datagram[] = [];

  constructor(family: InetFamily, net: HostNet, nonBlocking: boolean) {
    super(family, net, nonBlocking);
  }

  get table(): PortTable {
    return this.stack.udp;
  }

  get remote(): Endpoint | null {
    return this.peer;
  }

  /** datagram_poll(): readable with a datagram queued; writable below half the send buffer (sock_writeable()). */
  poll(): number {
    let bits = this.unsent < this.sendBuffer / 2 ? POLL.OUT | POLL.WRNORM | POLL.WRBAND : 0;
    if (this.error) bits |= POLL.ERR;
    if (this.shutdownBits === SHUTDOWN_MASK) bits |= POLL.HUP;
    if (this.shutdownBits & RCV_SHUTDOWN) bits |= POLL.RDHUP | POLL.IN | POLL.RDNORM;
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
    this.queue.push({ data: d.payload, from: { ip: packet.source, port: d.srcPort }, charge, to: packet.destination, at: this.net.host.now() });
    this.queued += charge;
    this.readiness.notify();
  }

  /** An ICMP port unreachable came back for a datagram to the peer (demux's receiveIcmp). */
  refused(): void {
    this.error = Errno.ECONNREFUSED;
    this.readiness.notify();
  }

  /** Where a datagram to `to` (or the connected peer) goes: the endpoint, or an errno. */
  private destination(to: Endpoint | undefined): Endpoint | Failure {
    const dest = to ?? this.peer;
    if (!dest) return failure(Errno.EDESTADDRREQ);
    if (dest.port === 0) return failure(Errno.EINVAL);
    // Sending to the unspecified address reaches this host (Linux routes 0.0.0.0 locally).
    if (isWildcard(dest.ip)) return { ip: isV4(dest.ip) ? LOOPBACK4 : LOOPBACK6, port: dest.port };
    if (isV4(dest.ip) && this.family !== AF_INET && this.v6only) return failure(Errno.ENETUNREACH);
    return dest;
  }

  /** Binds to an ephemeral port on the wildcard address if not bound yet (inet_autobind()). */
  autobind(): Failure | null {
    return this.port === 0 ? this.bindTo(this.ip, 0, false) : null;
  }

  /**
   * The destination sendto/sendmsg names (udp_sendmsg()'s checks): undefined for none, the
   * endpoint, or the failure.
   */
  private named(bytes: Uint8Array | undefined): Endpoint | undefined | Failure {
    if (!bytes?.length) return undefined;
    if (bytes.length < (this.family === AF_INET ? SOCKADDR_IN : 24)) return failure(Errno.EINVAL);
    const decoded = decodeSockaddr(this.family, bytes);
    if (isFailure(decoded)) return decoded;
    if (decoded.unspec) {
      if (this.family !== AF_INET) return failure(Errno.EAFNOSUPPORT);
      const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      return { ip: `${bytes[4]}.${bytes[5]}.${bytes[6]}.${bytes[7]}`, port: v.getUint16(2, false) };
    }
    return decoded.ep;
  }

  /**
   * sendto(2) of one datagram to `opts.to` (or the connected peer): EMSGSIZE beyond the largest
   * UDP payload, EDESTADDRREQ without a destination, EACCES for a broadcast without
   * SO_BROADCAST (broadcasts are not delivered: no broadcast domain is modelled).
   */
  send(ctx: SyscallContext, data: Uint8Array, opts: SendOptions): Outcome<number> {
    const to = this.named(opts.to);
    if (isFailure(to)) return to;
    const dest = this.destination(to);
    if (isFailure(dest)) return dest;
    if (data.length > (isV4(dest.ip) ? MAX_UDP4 : MAX_UDP6)) return failure(Errno.EMSGSIZE);
    if (this.shutdownBits & SEND_SHUTDOWN) return failure(Errno.EPIPE);
    if (dest.ip === '255.255.255.255') {
      if (!this.flag(SO_BROADCAST)) return failure(Errno.EACCES);
      return data.length; // no broadcast domain: nobody receives it
    }
    const bound = this.autobind();
    if (bound) return bound;
    if (this.unsent >= this.sendBuffer) return AGAIN;
    const source = this.stack.sourceFor(dest.ip, this.ip);
    const left = this.stack.send(InetPacket.udp(source, dest.ip, { srcPort: this.port, dstPort: dest.port, payload: new Uint8Array(data) }));
    if (left > ctx.now) {
      const charge = truesize(data.length);
      this.unsent += charge;
      ctx.host.schedule(left, () => {
        this.unsent -= charge;
        this.readiness.notify();
      });
    }
    return data.length;
  }

  /**
   * connect(2): sets the default peer (and the local address, as Linux fixes the source);
   * AF_UNSPEC disconnects, giving up an implicitly bound port.
   */
  connect(_ctx: SyscallContext, address: Uint8Array): Outcome {
    const to = this.connectTarget(address);
    if (isFailure(to)) return to;
    if (!to) {
      this.peer = null;
      if (!this.explicitBind) {
        this.unbind();
        this.ip = this.family === AF_INET ? ANY4 : ANY6;
      }
      return undefined;
    }
    const dest = this.destination(to);
    if (isFailure(dest)) return dest;
    const bound = this.autobind();
    if (bound) return bound;
    if (isWildcard(this.ip)) this.ip = this.stack.sourceFor(dest.ip, this.ip);
    this.peer = dest;
    this.readiness.notify();
    return undefined;
  }

  /**
   * The first datagram, cut to `length`, with its full length and sender; when none: end of
   * file once reading is shut down (EAGAIN for a non-blocking call, as __skb_try_recv_datagram()
   * answers first), else AGAIN.
   */
  receive(length: number, opts: TransferOptions): Outcome<Received> {
    if (this.error) return failure(this.takeError());
    const first = this.queue[0];
    if (first) {
      const messages = datagramMessages(this, first);
      const received = { data: first.data.subarray(0, length), length: first.data.length, from: encodeSockaddr(this.family, first.from) };
      return messages.length > 0 ? { ...received, messages } : received;
    }
    if (this.shutdownBits & RCV_SHUTDOWN && !opts.nonBlocking) return { data: new Uint8Array(0), length: 0 };
    return AGAIN;
  }

  consume(_count: number): void {
    const first = this.queue.shift();
    if (first) this.queued -= first.charge;
    this.readiness.notify();
  }

  /** shutdown(2) (inet_shutdown()): the bits stick even without a peer, which is ENOTCONN. */
  override shutdown(how: number): Outcome {
    this.shutdownBits |= how + 1;
    this.readiness.notify();
    return this.peer ? undefined : failure(Errno.ENOTCONN);
  }

  /** SIOCINQ (FIONREAD): the first datagram's length; SIOCOUTQ: nothing waits to be sent. */
  protected override queueSizes(): { readonly inq: number; readonly outq: number } {
    return { inq: this.queue[0]?.data.length ?? 0, outq: 0 };
  }

  override release(): void {
    this.closed = true;
    this.queue.length = 0;
    this.queued = 0;
    this.unbind();
  }
}
