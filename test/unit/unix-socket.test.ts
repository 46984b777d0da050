import { expect } from 'chai';
import { CallProgress } from '../../core/src/kernel/context.js';
import { Errno, POLL, Signal, type OpenFile, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import {
  sysGetpeername,
  sysGetsockopt,
  sysRecvfrom,
  sysRecvmsg,
  sysSendto,
  sysSetsockopt,
  sysShutdown,
  sysSocketpair,
} from '../../plugins/net/src/sys-socket.js';
import { SOCKET_BUFFER, SOCK_DGRAM, SOCK_SEQPACKET, SOCK_STREAM } from '../../plugins/net/src/constants.js';
import { NetState } from '../../plugins/net/src/state.js';
import { UnixSocket } from '../../plugins/net/src/unix.js';
import { fakeArgs, fakeMemory } from './fake-syscall.js';

/** One kernel's net state and the host every fake call runs on (unix sockets need no congestion control). */
const state = new NetState({} as never);
const HOST = { name: 'test' };
const net = state.of(HOST as never);
const socketpair = (ctx: SyscallContext) => sysSocketpair(ctx, state);

/** Program memory: one flat region at BASE; anything outside faults. */
const BASE = 0x10000n;
const SIZE = 1 << 20;

/** A SyscallContext with memory, a descriptor table and recorded signals; `call` sets the arguments. */
function fakeCtx() {
  const { bytes, memory } = fakeMemory(BASE, SIZE);
  const table = new Map<number, OpenFile>();
  const signals: number[] = [];
  const warnings: string[] = [];
  let args: bigint[] = [];
  const ctx = {
    name: 'test',
    call: new CallProgress(),
    args: fakeArgs(() => args),
    memory,
    thread: { signal: (sig: number) => signals.push(sig) },
    host: HOST,
    process: {
      fds: {
        get: (fd: number) => table.get(fd),
        bind: (fd: number, file: OpenFile) => table.set(fd, file),
        unbind: (fd: number) => table.delete(fd),
      },
      isOpen: (fd: number) => table.has(fd) || fd <= 2,
    },
    warnOnce: (_key: string, message: string) => warnings.push(message),
  };
  const c = ctx as unknown as SyscallContext;
  return {
    ctx: c,
    signals,
    warnings,
    table,
    /** Runs `handler` with `values` as arguments (a fresh call: empty state unless `restart`). */
    call(handler: (ctx: SyscallContext) => SyscallResult, values: (bigint | number)[], restart = false): SyscallResult {
      args = values.map((v) => BigInt(v));
      if (!restart) ctx.call.clear();
      return handler(c);
    },
    put(addr: bigint, data: Uint8Array | number[]) {
      bytes.set(data, Number(addr - BASE));
    },
    get(addr: bigint, n: number) {
      return bytes.slice(Number(addr - BASE), Number(addr - BASE) + n);
    },
    i32(addr: bigint) {
      return new DataView(bytes.buffer).getInt32(Number(addr - BASE), true);
    },
    setI32(addr: bigint, v: number) {
      new DataView(bytes.buffer).setInt32(Number(addr - BASE), v, true);
    },
  };
}

const text = (s: string) => new TextEncoder().encode(s);
const asText = (r: unknown) => {
  expect(r).to.have.property('data');
  return new TextDecoder().decode((r as { data: Uint8Array }).data);
};
const okValue = (r: SyscallResult) => {
  expect(r.kind, JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).to.equal('ok');
  return Number((r as { value: bigint }).value);
};
const errnoOf = (r: SyscallResult) => (r.kind === 'errno' ? r.errno : r.kind);

/** Reads what the socket has, consuming it. */
function drain(sock: UnixSocket, length = SOCKET_BUFFER): Uint8Array {
  const r = sock.receive(length, { nonBlocking: true });
  if (r === 'again' || !('data' in r)) throw new Error(`nothing to drain: ${JSON.stringify(r)}`);
  sock.consume(sock.stream ? r.data.length : 0);
  return r.data;
}

/** `ctx` as a new call of the same thread: nothing transferred yet. */
function newCall(ctx: SyscallContext): SyscallContext {
  (ctx.call as CallProgress).clear();
  return ctx;
}

describe('net plugin: AF_UNIX socket pairs', () => {
  describe('stream', () => {
    it('is a byte stream with partial reads, MSG_PEEK-style receive and poll bits', () => {
      const { ctx } = fakeCtx();
      const [a, b] = UnixSocket.pair(SOCK_STREAM, false, net);
      expect(b.poll()).to.equal(POLL.OUT | POLL.WRNORM | POLL.WRBAND);
      expect(b.receive(10, { nonBlocking: false })).to.equal('again');
      let woken = 0;
      b.readiness.subscribe(() => woken++);
      expect(a.send(ctx, text('hello '), { nonBlocking: false })).to.equal(6);
      expect(a.write(newCall(ctx), text('world'), null)).to.equal(5);
      expect(woken).to.equal(2);
      expect(b.poll() & (POLL.IN | POLL.RDNORM)).to.equal(POLL.IN | POLL.RDNORM);
      expect(asText(b.receive(8, { nonBlocking: false, peek: true }))).to.equal('hello wo');
      expect(new TextDecoder().decode(b.read(ctx, 3, null) as Uint8Array)).to.equal('hel');
      expect(new TextDecoder().decode(drain(b))).to.equal('lo world');
      expect(b.read(ctx, 3, 0n)).to.deep.equal({ errno: Errno.ESPIPE });
      expect(b.stat().mode).to.equal(0o140777);
    });

    it('reads end of file once the peer closed and the data is drained; writes then raise SIGPIPE and EPIPE', () => {
      const { ctx, signals } = fakeCtx();
      const [a, b] = UnixSocket.pair(SOCK_STREAM, false, net);
      a.send(ctx, text('last'), { nonBlocking: false });
      a.release();
      expect(b.poll()).to.equal(POLL.IN | POLL.RDNORM | POLL.RDHUP | POLL.HUP | POLL.OUT | POLL.WRNORM | POLL.WRBAND);
      expect(new TextDecoder().decode(drain(b))).to.equal('last');
      expect(b.read(ctx, 10, null)).to.deep.equal(new Uint8Array(0));
      expect(b.write(newCall(ctx), text('x'), null)).to.deep.equal({ errno: Errno.EPIPE });
      expect(signals).to.deep.equal([Signal.SIGPIPE]);
      expect(b.send(newCall(ctx), text('x'), { nonBlocking: false, noSignal: true })).to.deep.equal({ errno: Errno.EPIPE });
      expect(signals).to.have.length(1); // MSG_NOSIGNAL
    });

    it('reports ECONNRESET once when the peer closed with data unread', () => {
      const { ctx } = fakeCtx();
      const [a, b] = UnixSocket.pair(SOCK_STREAM, false, net);
      b.send(ctx, text('unread'), { nonBlocking: false });
      a.release();
      expect(b.poll() & POLL.ERR).to.equal(POLL.ERR);
      expect(b.receive(10, { nonBlocking: false })).to.deep.equal({ errno: Errno.ECONNRESET });
      expect(b.receive(10, { nonBlocking: false })).to.deep.equal({ data: new Uint8Array(0), length: 0 });
    });

    it('completes a large blocking write across restarts, and writes what fits when non-blocking', () => {
      const { ctx } = fakeCtx();
      const [a, b] = UnixSocket.pair(SOCK_STREAM, false, net);
      const big = new Uint8Array(300000).fill(7);
      expect(a.write(ctx, big, null)).to.equal('again'); // the buffer filled; the call waits
      expect(ctx.call.transferred).to.equal(SOCKET_BUFFER); // what a signal now would end it with
      expect(b.poll() & POLL.IN).to.equal(POLL.IN);
      expect(a.poll() & POLL.OUT).to.equal(0);
      expect(drain(b)).to.have.length(SOCKET_BUFFER);
      expect(a.write(ctx, big, null)).to.equal(300000); // the restarted call finishes
      expect(drain(b)).to.have.length(300000 - SOCKET_BUFFER);

      // Non-blocking: what fits goes, and the call's EAGAIN is settled as that count by the core.
      a.statusFlags |= 0o4000;
      expect(a.write(newCall(ctx), big, null)).to.equal('again');
      expect(ctx.call.transferred).to.equal(SOCKET_BUFFER);
      expect(a.write(newCall(ctx), text('x'), null)).to.equal('again');
      expect(ctx.call.transferred).to.equal(0);
    });

    it('shutdown(SHUT_WR) gives the peer end of file and this end EPIPE', () => {
      const { ctx } = fakeCtx();
      const [a, b] = UnixSocket.pair(SOCK_STREAM, false, net);
      a.shutdown(1);
      expect(b.poll() & (POLL.RDHUP | POLL.IN)).to.equal(POLL.RDHUP | POLL.IN);
      expect(b.poll() & POLL.HUP).to.equal(0);
      expect(b.read(ctx, 10, null)).to.deep.equal(new Uint8Array(0));
      expect(a.send(ctx, text('x'), { nonBlocking: false, noSignal: true })).to.deep.equal({ errno: Errno.EPIPE });
      expect(b.send(ctx, text('back'), { nonBlocking: false })).to.equal(4);
      b.shutdown(1);
      expect(a.poll() & POLL.HUP).to.equal(POLL.HUP);
    });
  });

  describe('datagram kinds', () => {
    it('keeps message boundaries, truncates short reads and allows empty messages', () => {
      const { ctx, signals } = fakeCtx();
      const [a, b] = UnixSocket.pair(SOCK_DGRAM, false, net);
      a.send(ctx, text('abcdef'), { nonBlocking: false });
      a.send(ctx, new Uint8Array(0), { nonBlocking: false });
      a.send(ctx, text('gh'), { nonBlocking: false });
      expect(b.receive(3, { nonBlocking: false, peek: true })).to.deep.include({ length: 6 });
      expect(new TextDecoder().decode(b.read(ctx, 3, null) as Uint8Array)).to.equal('abc'); // the rest is gone
      expect(b.poll() & POLL.IN).to.equal(POLL.IN); // the empty message is pending
      expect(b.read(ctx, 10, null)).to.deep.equal(new Uint8Array(0));
      expect(new TextDecoder().decode(b.read(ctx, 10, null) as Uint8Array)).to.equal('gh');
      expect(b.read(ctx, 10, null)).to.equal('again');
      expect(a.send(ctx, new Uint8Array(SOCKET_BUFFER), { nonBlocking: false })).to.deep.equal({ errno: Errno.EMSGSIZE });
      b.release();
      expect(a.send(ctx, text('x'), { nonBlocking: false })).to.deep.equal({ errno: Errno.ECONNREFUSED });
      expect(a.send(ctx, text('x'), { nonBlocking: false })).to.deep.equal({ errno: Errno.ENOTCONN });
      expect(a.read(ctx, 10, null)).to.equal('again'); // a datagram pair never reads end of file
      expect(signals).to.deep.equal([]);
    });

    it('seqpacket reads end of file after the peer closed and fails writes with EPIPE without SIGPIPE', () => {
      const { ctx, signals } = fakeCtx();
      const [a, b] = UnixSocket.pair(SOCK_SEQPACKET, true, net);
      a.send(ctx, text('one'), { nonBlocking: true });
      a.release();
      expect(b.poll() & (POLL.HUP | POLL.IN)).to.equal(POLL.HUP | POLL.IN);
      expect(new TextDecoder().decode(b.read(ctx, 10, null) as Uint8Array)).to.equal('one');
      expect(b.read(ctx, 10, null)).to.deep.equal(new Uint8Array(0));
      expect(b.write(ctx, text('x'), null)).to.deep.equal({ errno: Errno.EPIPE });
      expect(signals).to.deep.equal([]);
    });
  });

  describe('syscalls', () => {
    const SV = BASE;
    const BUF = BASE + 0x100n;
    const ADDR = BASE + 0x200n;
    const LEN = BASE + 0x300n;

    /** socketpair(2) through its exit-stop mapper, with the kernel's numbers 3 and 4. */
    function pair(f: ReturnType<typeof fakeCtx>, type: number): [number, number] {
      const r = f.call(socketpair, [1, type, 0, SV]);
      expect(r.kind).to.equal('rewrite');
      if (r.kind !== 'rewrite') throw new Error('not a rewrite');
      expect(r.args.slice(0, 3)).to.deep.equal([1n, BigInt(SOCK_STREAM | (type & 0o2000000)), 0n]);
      f.setI32(SV, 3);
      f.setI32(SV + 4n, 4);
      expect(r.mapResult!(0n)).to.equal(0n);
      return [3, 4];
    }

    it('validates socketpair arguments as Linux does', () => {
      const f = fakeCtx();
      expect(errnoOf(f.call(socketpair, [2, 1, 0, SV]))).to.equal(Errno.EOPNOTSUPP);
      expect(errnoOf(f.call(socketpair, [16, 1, 0, SV]))).to.equal(94); // netlink_create(): ESOCKTNOSUPPORT
      expect(errnoOf(f.call(socketpair, [16, 3, 0, SV]))).to.equal(Errno.EOPNOTSUPP); // sock_no_socketpair()
      expect(errnoOf(f.call(socketpair, [17, 3, 0, SV]))).to.equal(Errno.EAFNOSUPPORT);
      expect(errnoOf(f.call(socketpair, [1, 1 | 0o100, 0, SV]))).to.equal(Errno.EINVAL);
      expect(errnoOf(f.call(socketpair, [1, 1, 6, SV]))).to.equal(Errno.EPROTONOSUPPORT);
      expect(errnoOf(f.call(socketpair, [1, 4, 0, SV]))).to.equal(94); // ESOCKTNOSUPPORT
    });

    it('binds both ends and carries data with sendto/recvfrom, MSG_PEEK and MSG_DONTWAIT', () => {
      const f = fakeCtx();
      const [a, b] = pair(f, SOCK_STREAM | 0o4000);
      expect((f.table.get(a) as UnixSocket).nonBlocking).to.equal(true);
      f.put(BUF, text('ping'));
      expect(okValue(f.call(sysSendto, [a, BUF, 4, 0x4000, 0, 0]))).to.equal(4);
      expect(okValue(f.call(sysRecvfrom, [b, BUF + 0x10n, 2, 2 /* MSG_PEEK */, 0, 0]))).to.equal(2);
      expect(new TextDecoder().decode(f.get(BUF + 0x10n, 2))).to.equal('pi');
      f.setI32(LEN, 16);
      expect(okValue(f.call(sysRecvfrom, [b, BUF + 0x10n, 100, 0, ADDR, LEN]))).to.equal(4);
      expect(new TextDecoder().decode(f.get(BUF + 0x10n, 4))).to.equal('ping');
      expect(f.i32(LEN)).to.equal(0); // an unnamed sender: no address
      expect(errnoOf(f.call(sysRecvfrom, [b, BUF, 100, 0, 0, 0]))).to.equal(Errno.EAGAIN);
      expect(errnoOf(f.call(sysRecvfrom, [b, 0, 100, 0, 0, 0]))).to.equal(Errno.EAGAIN);
      expect(errnoOf(f.call(sysSendto, [a, BUF, 4, 0, ADDR, 16]))).to.equal(Errno.EISCONN);
      expect(errnoOf(f.call(sysSendto, [1, BUF, 4, 0, 0, 0]))).to.equal(Errno.ENOTSOCK);
      expect(errnoOf(f.call(sysSendto, [99, BUF, 4, 0, 0, 0]))).to.equal(Errno.EBADF);
    });

    it('blocks a blocking recvfrom, and MSG_DONTWAIT makes one call non-blocking', () => {
      const f = fakeCtx();
      const [a, b] = pair(f, SOCK_STREAM);
      expect(f.call(sysRecvfrom, [b, BUF, 10, 0, 0, 0]).kind).to.equal('block');
      expect(errnoOf(f.call(sysRecvfrom, [b, BUF, 10, 0x40, 0, 0]))).to.equal(Errno.EAGAIN);
      f.put(BUF, text('x'));
      expect(okValue(f.call(sysSendto, [a, BUF, 1, 0, 0, 0]))).to.equal(1);
      expect(okValue(f.call(sysRecvfrom, [b, BUF + 8n, 10, 0, 0, 0]))).to.equal(1);
      expect(okValue(f.call(sysShutdown, [a, 2]))).to.equal(0);
      expect(okValue(f.call(sysRecvfrom, [b, BUF, 10, 0, 0, 0]))).to.equal(0);
      expect(errnoOf(f.call(sysShutdown, [a, 3]))).to.equal(Errno.EINVAL);
      expect(okValue(f.call(sysGetpeername, [a, ADDR, LEN]))).to.equal(0);
    });

    it('reports a truncated datagram in recvmsg msg_flags', () => {
      const f = fakeCtx();
      const [a, b] = pair(f, SOCK_DGRAM);
      f.put(BUF, text('0123456789'));
      f.call(sysSendto, [a, BUF, 10, 0, 0, 0]);
      // struct msghdr at ADDR with one iovec (BUF + 0x40, 4 bytes) at ADDR + 0x40.
      const hdr = new DataView(new ArrayBuffer(56));
      hdr.setBigUint64(16, ADDR + 0x40n, true);
      hdr.setBigUint64(24, 1n, true);
      f.put(ADDR, new Uint8Array(hdr.buffer));
      const iov = new DataView(new ArrayBuffer(16));
      iov.setBigUint64(0, BUF + 0x40n, true);
      iov.setBigUint64(8, 4n, true);
      f.put(ADDR + 0x40n, new Uint8Array(iov.buffer));
      expect(okValue(f.call(sysRecvmsg, [b, ADDR, 0]))).to.equal(4);
      expect(new TextDecoder().decode(f.get(BUF + 0x40n, 4))).to.equal('0123');
      expect(f.i32(ADDR + 48n)).to.equal(0x20); // MSG_TRUNC
      expect(errnoOf(f.call(sysRecvmsg, [b, ADDR, 0x40]))).to.equal(Errno.EAGAIN); // the rest was discarded
    });

    it('answers getsockopt and setsockopt at SOL_SOCKET', () => {
      const f = fakeCtx();
      const [a] = pair(f, SOCK_DGRAM);
      const get = (name: number, room = 4) => {
        f.setI32(LEN, room);
        const r = f.call(sysGetsockopt, [a, 1, name, ADDR, LEN]);
        return r.kind === 'ok' ? f.i32(ADDR) : -errnoOf(r);
      };
      expect(get(3)).to.equal(SOCK_DGRAM); // SO_TYPE
      expect(get(4)).to.equal(0); // SO_ERROR
      expect(get(7)).to.equal(SOCKET_BUFFER); // SO_SNDBUF
      expect(get(39)).to.equal(1); // SO_DOMAIN
      expect(get(38)).to.equal(0); // SO_PROTOCOL
      expect(get(30)).to.equal(0); // SO_ACCEPTCONN
      expect(get(12345)).to.equal(-Errno.ENOPROTOOPT);
      expect(errnoOf(f.call(sysGetsockopt, [a, 6, 1, ADDR, LEN]))).to.equal(Errno.EOPNOTSUPP);
      f.setI32(ADDR, 1);
      expect(okValue(f.call(sysSetsockopt, [a, 1, 9, ADDR, 4]))).to.equal(0); // SO_KEEPALIVE
      expect(get(9)).to.equal(1);
      expect(errnoOf(f.call(sysSetsockopt, [a, 1, 9, ADDR, 2]))).to.equal(Errno.EINVAL);
      expect(errnoOf(f.call(sysSetsockopt, [a, 1, 3, ADDR, 4]))).to.equal(Errno.ENOPROTOOPT);
    });
  });
});
