import type { HostView, SimTime } from '@shadow-ts/plugin-sdk';
import type { Endpoint } from '../inet/addresses.js';
import { InetPacket } from '../inet/packet.js';
import { CONGESTION } from '../tcp/congestion.js';
import { TcpConnection, resetFor } from '../tcp/connection.js';
import type { TcpEnvironment, TcpOptions, TcpSegment } from '../tcp/types.js';

/**
 * DNS over TCP (RFC 1035 §4.2.2, RFC 7766): each connection to the resolver is a server-side
 * TcpConnection of its own (the sans-I/O state machine the sockets use), and each message on it
 * is framed by a two-byte length. Queries may be pipelined; each is answered after the same
 * delay as over UDP, in order. When the client has finished sending and every answer is
 * written, the resolver closes its side. A client that stops reading is not answered faster
 * than it reads: past a bounded backlog of answers, the resolver reads no more queries, and the
 * client's window closes. Idle connections are not timed out (RFC 7766 §6.2.3 lets servers
 * choose): nothing is lost by keeping them until the end of the run.
 */

/** What a session needs of the host's stack. */
export interface DnsStack {
  readonly host: HostView;
  send(packet: InetPacket): SimTime;
}

/** MSS over a 1500-byte MTU (the sockets' MSS4, tcp-socket.ts) and the buffers of a small server. */
const MSS = 1460;
const BUFFER = 65536;
/** The answers written but not yet taken by the connection, and those still being prepared, past which queries wait. */
const MAX_BACKLOG_BYTES = 65536;
const MAX_PENDING = 64;

class Session {
  readonly conn: TcpConnection;
  /** Bytes read from the connection that do not make a whole message yet. */
  private inbox = new Uint8Array(0);
  /** Framed answers the connection's send buffer has not taken yet. */
  private readonly outbox: Uint8Array[] = [];
  private outBytes = 0;
  /** Answers scheduled and not yet in the outbox. */
  private pending = 0;
  private closing = false;
  /** Set while `changed` runs: the connection calls it back from inside its own methods. */
  private busy = false;
  private again = false;

  constructor(
    private readonly service: DnsTcpService,
    readonly key: string,
    private readonly client: Endpoint,
    syn: TcpSegment,
    local: string,
  ) {
    const { stack } = service;
    const env: TcpEnvironment = {
      now: () => stack.host.now(),
      schedule: (at, callback) => stack.host.schedule(at, callback),
      emit: (segment) => void stack.send(InetPacket.tcp(local, client.ip, segment)),
      changed: () => this.changed(),
      initialSequence: () => {
        const b = stack.host.random.bytes(4);
        return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);
      },
    };
    const options: TcpOptions = {
      localPort: syn.dstPort,
      remotePort: client.port,
      mss: MSS,
      sendBuffer: BUFFER,
      receiveBuffer: BUFFER,
      sendBufferMax: null,
      receiveBufferMax: null,
      congestion: CONGESTION['cubic']!,
      // Each answer is one write: Nagle would hold the second of two pipelined answers for an ACK.
      noDelay: true,
    };
    this.conn = TcpConnection.fromSyn(syn, options, env);
  }

  /** The connection changed, or an answer is ready: write what fits, read what we may, close when done. */
  changed(): void {
    // fromSyn reports its first change before it returns: nothing to do until the handshake ends.
    if (this.conn === undefined) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    try {
      do {
        this.again = false;
        this.step();
      } while (this.again);
    } finally {
      this.busy = false;
    }
  }

  private step(): void {
    const conn = this.conn;
    if (conn.state === 'CLOSED') {
      this.service.forget(this);
      return;
    }
    if (conn.state === 'SYN_RECEIVED') return;
    this.flush();
    while (this.pending < MAX_PENDING && this.outBytes < MAX_BACKLOG_BYTES) {
      const message = this.nextMessage();
      if (message === null) break;
      this.pending++;
      this.service.answerLater(message, (answer) => {
        this.pending--;
        if (answer) {
          const framed = new Uint8Array(2 + answer.length);
          framed[0] = answer.length >> 8;
          framed[1] = answer.length & 0xff;
          framed.set(answer, 2);
          this.outbox.push(framed);
          this.outBytes += framed.length;
        }
        this.changed();
      });
    }
    const { eof } = conn.readable();
    if (eof && !this.closing && this.pending === 0 && this.outBytes === 0 && this.inbox.length < 2) {
      // Done: the client sent its last query and has every answer (a cut-off frame is dropped).
      this.closing = true;
      conn.close();
    }
  }

  /** Hands the connection as much of the outbox as its send buffer takes. */
  private flush(): void {
    while (this.outbox.length > 0) {
      const first = this.outbox[0]!;
      const n = this.conn.write(first);
      this.outBytes -= n;
      if (n < first.length) {
        this.outbox[0] = first.subarray(n);
        return;
      }
      this.outbox.shift();
    }
  }

  /** The next whole message from the client, reading from the connection as needed; null when none is complete. */
  private nextMessage(): Uint8Array | null {
    for (;;) {
      if (this.inbox.length >= 2) {
        const length = (this.inbox[0]! << 8) | this.inbox[1]!;
        if (this.inbox.length >= 2 + length) {
          const message = this.inbox.slice(2, 2 + length);
          this.inbox = this.inbox.slice(2 + length);
          return message;
        }
      }
      const data = this.conn.read(BUFFER);
      if (data.length === 0) return null;
      const joined = new Uint8Array(this.inbox.length + data.length);
      joined.set(this.inbox);
      joined.set(data, this.inbox.length);
      this.inbox = joined;
    }
  }
}

/** The resolver's TCP side: its connections by client address and port. */
export class DnsTcpService {
  private readonly sessions = new Map<string, Session>();

  constructor(
    readonly stack: DnsStack,
    /** Prepares the answer to a message and hands it over when it is due (null: no answer). */
    readonly answerLater: (message: Uint8Array, deliver: (answer: Uint8Array | null) => void) => void,
  ) {}

  /** A TCP segment for the resolver's address and port. */
  segment(packet: InetPacket): void {
    const seg = packet.tcp!;
    const key = `${packet.source}|${seg.srcPort}`;
    const session = this.sessions.get(key);
    if (session) {
      session.conn.receive(seg);
      return;
    }
    if (seg.flags.syn && !seg.flags.ack && !seg.flags.rst) {
      this.sessions.set(key, new Session(this, key, { ip: packet.source, port: seg.srcPort }, seg, packet.destination));
      return;
    }
    // Not a connection we know and not a new one: what a host answers for a closed port.
    const reset = resetFor(seg);
    if (reset) this.stack.send(InetPacket.tcp(packet.destination, packet.source, reset));
  }

  forget(session: Session): void {
    if (this.sessions.get(session.key) === session) this.sessions.delete(session.key);
  }
}
