import { expect } from 'chai';
import { CallProgress } from '../../core/src/kernel/context.js';
import { Errno, POLL, Signal, type HostView, type SimTime, type SyscallContext } from '@shadow-ts/plugin-sdk';
import { EventFd } from '../../plugins/io/src/eventfd.js';
import { F_GETPIPE_SZ, F_SETPIPE_SZ, FIONREAD, PIPE_BUF, PipeBuffer } from '../../plugins/io/src/pipe.js';
import { TimerFd } from '../../plugins/io/src/timerfd.js';

/** A host with a simulated clock and an event queue that `runUntil` drains in time order. */
class FakeHost {
  time: SimTime = 1_000_000_000_000n;
  readonly bootTime: SimTime = 1_000_000_000_000n;
  events: { at: SimTime; callback: () => void; live: boolean }[] = [];

  view(): HostView {
    return {
      now: () => this.time,
      bootTime: this.bootTime,
      schedule: (at: SimTime, callback: () => void) => {
        const event = { at, callback, live: true };
        this.events.push(event);
        return () => {
          event.live = false;
        };
      },
    } as unknown as HostView;
  }

  get pending(): SimTime[] {
    return this.events.filter((e) => e.live).map((e) => e.at);
  }

  runUntil(t: SimTime): void {
    for (;;) {
      const live = this.events.filter((e) => e.live && e.at <= t).sort((a, b) => (a.at < b.at ? -1 : 1));
      const next = live[0];
      if (!next) break;
      next.live = false;
      this.time = next.at;
      next.callback();
    }
    this.time = t;
  }
}

/** The fields of SyscallContext the files use; one per syscall (state survives its restarts). */
function fakeCtx(host = new FakeHost()) {
  const signals: number[] = [];
  const mem = new Map<bigint, Uint8Array>();
  const ctx = {
    call: new CallProgress(),
    thread: { signal: (sig: number) => signals.push(sig) },
    process: { pid: 1000 },
    memory: {
      read: (addr: bigint) => mem.get(addr) ?? null,
      write: (addr: bigint, data: Uint8Array) => (addr === 0n ? false : (mem.set(addr, data.slice()), true)),
    },
    get now() {
      return host.time;
    },
    host: host.view(),
  };
  return { ctx: ctx as unknown as SyscallContext, signals, mem, host };
}

const bytes = (n: number, fill = 0x61) => new Uint8Array(n).fill(fill);
const u64 = (v: bigint) => {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return b;
};
const readU64 = (r: unknown) => {
  expect(r).to.be.instanceOf(Uint8Array);
  const b = r as Uint8Array;
  return new DataView(b.buffer, b.byteOffset, b.byteLength).getBigUint64(0, true);
};

describe('io plugin files', () => {
  describe('pipe', () => {
    it('reads what was written, blocks when empty, and reads EOF once the writer is gone', () => {
      const { ctx } = fakeCtx();
      const pipe = new PipeBuffer(false);
      let woken = 0;
      pipe.readEnd.readiness.subscribe(() => woken++);
      expect(pipe.readEnd.read(ctx, 10, null)).to.equal('again');
      expect(pipe.writeEnd.write(ctx, new Uint8Array([1, 2, 3]), null)).to.equal(3);
      expect(woken).to.equal(1);
      expect(pipe.readEnd.poll()).to.equal(POLL.IN | POLL.RDNORM);
      expect(pipe.readEnd.read(ctx, 2, null)).to.deep.equal(new Uint8Array([1, 2]));
      expect(pipe.readEnd.read(ctx, 10, null)).to.deep.equal(new Uint8Array([3]));
      pipe.writeEnd.release();
      expect(pipe.readEnd.poll()).to.equal(POLL.HUP);
      expect(pipe.readEnd.read(ctx, 10, null)).to.deep.equal(new Uint8Array(0));
      expect(pipe.readEnd.read(ctx, 10, 0n)).to.deep.equal({ errno: Errno.ESPIPE });
    });

    it('refuses the wrong direction with EBADF', () => {
      const { ctx } = fakeCtx();
      const pipe = new PipeBuffer(false);
      expect(pipe.readEnd.write(ctx, bytes(1), null)).to.deep.equal({ errno: Errno.EBADF });
      expect(pipe.writeEnd.read(ctx, 1, null)).to.deep.equal({ errno: Errno.EBADF });
    });

    it('raises SIGPIPE and fails with EPIPE without readers', () => {
      const { ctx, signals } = fakeCtx();
      const pipe = new PipeBuffer(false);
      pipe.readEnd.release();
      expect(pipe.writeEnd.poll() & POLL.ERR).to.equal(POLL.ERR);
      expect(pipe.writeEnd.write(ctx, bytes(5), null)).to.deep.equal({ errno: Errno.EPIPE });
      expect(signals).to.deep.equal([Signal.SIGPIPE]);
    });

    it('writes up to PIPE_BUF atomically', () => {
      const { ctx } = fakeCtx();
      const pipe = new PipeBuffer(true);
      expect(pipe.writeEnd.write(ctx, bytes(65536 - 100), null)).to.equal(65436);
      expect(pipe.writeEnd.poll() & POLL.OUT).to.equal(0);
      // The last page holds 3996 bytes: 101 more do not fit there, 100 do.
      expect(pipe.writeEnd.write(fakeCtx().ctx, bytes(101), null)).to.equal('again');
      expect(pipe.writeEnd.write(fakeCtx().ctx, bytes(100), null)).to.equal(100);
      expect(pipe.size).to.equal(65536);
    });

    it('writes part of a large non-blocking write, a page per free slot', () => {
      const { ctx } = fakeCtx();
      const pipe = new PipeBuffer(true);
      // 14 full pages and one of 2656 bytes: one slot of the 16 is left.
      expect(pipe.writeEnd.write(ctx, bytes(60000), null)).to.equal(60000);
      // What fits goes; the call's EAGAIN is settled as that count by the core. 10000 % 4096
      // bytes do not fit behind the last page's 2656, so one new page takes 4096.
      const second = fakeCtx().ctx;
      expect(pipe.writeEnd.write(second, bytes(10000), null)).to.equal('again');
      expect(second.call.transferred).to.equal(4096);
      const third = fakeCtx().ctx;
      expect(pipe.writeEnd.write(third, bytes(10000), null)).to.equal('again');
      expect(third.call.transferred).to.equal(0);
    });

    it('completes a large blocking write across re-runs of the same call', () => {
      const { ctx, signals } = fakeCtx();
      const reader = fakeCtx().ctx;
      const pipe = new PipeBuffer(false);
      const data = new Uint8Array(150000).map((_, i) => i % 251);
      // The generic handler re-runs the call with the same data after each wake-up.
      expect(pipe.writeEnd.write(ctx, data, null)).to.equal('again');
      expect(pipe.size).to.equal(65536);
      const got: Uint8Array[] = [pipe.readEnd.read(reader, 50000, null) as Uint8Array];
      expect(pipe.writeEnd.write(ctx, data, null)).to.equal('again');
      got.push(pipe.readEnd.read(reader, 1 << 20, null) as Uint8Array);
      expect(pipe.writeEnd.write(ctx, data, null)).to.equal(150000);
      got.push(pipe.readEnd.read(reader, 1 << 20, null) as Uint8Array);
      expect(Buffer.concat(got)).to.deep.equal(Buffer.from(data));
      expect(signals).to.deep.equal([]);

      // A reader closing mid-way: SIGPIPE, and EPIPE that the core settles as the count written so far.
      const next = fakeCtx();
      expect(pipe.writeEnd.write(next.ctx, data, null)).to.equal('again');
      pipe.readEnd.release();
      expect(pipe.writeEnd.write(next.ctx, data, null)).to.deep.equal({ errno: Errno.EPIPE });
      expect(next.ctx.call.transferred).to.equal(65536);
      expect(next.signals).to.deep.equal([Signal.SIGPIPE]);
    });

    it('counts capacity in pages: a write joins the last page when it fits, else needs a free slot', () => {
      const { ctx } = fakeCtx();
      const pipe = new PipeBuffer(true);
      expect(pipe.writeEnd.fcntl(ctx, F_SETPIPE_SZ, 8192n)).to.deep.equal({ kind: 'ok', value: 8192n });
      expect(pipe.writeEnd.write(ctx, bytes(3000), null)).to.equal(3000);
      expect(pipe.writeEnd.write(fakeCtx().ctx, bytes(1000), null)).to.equal(1000); // joins the first page
      expect(pipe.writeEnd.write(fakeCtx().ctx, bytes(2000), null)).to.equal(2000); // a second page
      expect(pipe.writeEnd.poll() & POLL.OUT).to.equal(0); // both slots hold a page
      expect(pipe.writeEnd.write(fakeCtx().ctx, bytes(2096), null)).to.equal(2096); // still joins the last page
      expect(pipe.writeEnd.write(fakeCtx().ctx, bytes(1), null)).to.equal('again');
      expect(pipe.size).to.equal(8096);
      expect(pipe.writeEnd.fcntl(ctx, F_SETPIPE_SZ, 4096n)).to.deep.include({ errno: Errno.EBUSY });
      pipe.readEnd.read(ctx, 4000, null); // frees the first page
      expect(pipe.writeEnd.poll() & POLL.OUT).to.equal(POLL.OUT);
      expect(pipe.writeEnd.fcntl(ctx, F_SETPIPE_SZ, 4096n)).to.deep.equal({ kind: 'ok', value: 4096n });
    });

    it('answers FIONREAD and F_GETPIPE_SZ/F_SETPIPE_SZ', () => {
      const { ctx, mem } = fakeCtx();
      const pipe = new PipeBuffer(false);
      pipe.writeEnd.write(ctx, bytes(5000), null);
      expect(pipe.readEnd.ioctl(ctx, FIONREAD, 0x1000n)).to.deep.equal({ kind: 'ok', value: 0n });
      expect(new DataView(mem.get(0x1000n)!.buffer).getInt32(0, true)).to.equal(5000);
      expect(pipe.readEnd.ioctl(ctx, FIONREAD, 0n)).to.deep.include({ errno: Errno.EFAULT });
      expect(pipe.writeEnd.fcntl(ctx, F_GETPIPE_SZ, 0n)).to.deep.equal({ kind: 'ok', value: 65536n });
      expect(pipe.writeEnd.fcntl(ctx, F_SETPIPE_SZ, 4096n)).to.deep.include({ errno: Errno.EBUSY });
      expect(pipe.writeEnd.fcntl(ctx, F_SETPIPE_SZ, 9000n)).to.deep.equal({ kind: 'ok', value: 16384n });
      expect(pipe.writeEnd.fcntl(ctx, F_SETPIPE_SZ, 0n)).to.deep.include({ errno: Errno.EBUSY });
      expect(pipe.writeEnd.fcntl(ctx, F_SETPIPE_SZ, 1048577n)).to.deep.include({ errno: Errno.EPERM });
      expect(pipe.writeEnd.fcntl(ctx, F_SETPIPE_SZ, 1048576n)).to.deep.equal({ kind: 'ok', value: 1048576n });
      expect(pipe.readEnd.fcntl(ctx, F_GETPIPE_SZ, 0n)).to.deep.equal({ kind: 'ok', value: 1048576n });
      expect(pipe.readEnd.stat().mode).to.equal(0o010600);
      expect(PIPE_BUF).to.equal(4096);
    });
  });

  describe('eventfd', () => {
    it('adds writes and drains on read', () => {
      const { ctx } = fakeCtx();
      const efd = new EventFd(0n, 0);
      expect(efd.poll()).to.equal(POLL.OUT);
      expect(efd.read(ctx, 8, null)).to.equal('again');
      expect(efd.write(ctx, u64(3n), null)).to.equal(8);
      expect(efd.write(ctx, u64(4n), null)).to.equal(8);
      expect(efd.poll()).to.equal(POLL.IN | POLL.OUT);
      expect(readU64(efd.read(ctx, 16, null))).to.equal(7n);
      expect(efd.read(ctx, 8, null)).to.equal('again');
      expect(efd.read(ctx, 4, null)).to.deep.equal({ errno: Errno.EINVAL });
      expect(efd.write(ctx, u64(2n ** 64n - 1n), null)).to.deep.equal({ errno: Errno.EINVAL });
      expect(efd.write(ctx, new Uint8Array(7), null)).to.deep.equal({ errno: Errno.EINVAL });
    });

    it('counts down by one in semaphore mode and blocks writes that would overflow', () => {
      const { ctx } = fakeCtx();
      const efd = new EventFd(2n, 1);
      expect(readU64(efd.read(ctx, 8, null))).to.equal(1n);
      expect(readU64(efd.read(ctx, 8, null))).to.equal(1n);
      expect(efd.read(ctx, 8, null)).to.equal('again');
      expect(efd.write(ctx, u64(0xfffffffffffffffen), null)).to.equal(8);
      expect(efd.poll()).to.equal(POLL.IN);
      expect(efd.write(ctx, u64(1n), null)).to.equal('again');
      expect(efd.stat().mode).to.equal(0o600);
    });
  });

  describe('timerfd', () => {
    it('counts periodic expirations lazily and keeps one host event', () => {
      const { ctx, host } = fakeCtx();
      const tfd = new TimerFd(1, host.view(), 0);
      let woken = 0;
      tfd.readiness.subscribe(() => woken++);
      const t0 = host.time;
      expect(tfd.settime(t0, false, 100n, 10n)).to.deep.equal({ value: 0n, interval: 0n });
      expect(host.pending).to.deep.equal([t0 + 100n]);
      expect(tfd.read(ctx, 8, null)).to.equal('again');
      expect(tfd.poll()).to.equal(0);
      host.runUntil(t0 + 100n);
      expect(woken).to.equal(1);
      expect(host.pending).to.deep.equal([]); // readable: no event until the count is read
      expect(tfd.poll()).to.equal(POLL.IN);
      host.runUntil(t0 + 135n);
      expect(tfd.current(host.time)).to.deep.equal({ value: 5n, interval: 10n });
      expect(readU64(tfd.read(ctx, 8, null))).to.equal(4n); // 100, 110, 120, 130
      expect(host.pending).to.deep.equal([t0 + 140n]);
      expect(tfd.read(ctx, 8, null)).to.equal('again');
      host.runUntil(t0 + 140n);
      expect(readU64(tfd.read(ctx, 8, null))).to.equal(1n);
      expect(tfd.read(ctx, 4, null)).to.deep.equal({ errno: Errno.EINVAL });
      // Disarming cancels the event and reports the old setting.
      expect(tfd.settime(host.time, false, 0n, 0n)).to.deep.equal({ value: 10n, interval: 10n });
      expect(host.pending).to.deep.equal([]);
      host.runUntil(t0 + 1000n);
      expect(tfd.read(ctx, 8, null)).to.equal('again');
    });

    it('fires a one-shot absolute timer once, at once when already past', () => {
      const { ctx, host } = fakeCtx();
      const tfd = new TimerFd(1, host.view(), 0);
      const monotonicNow = host.time - host.bootTime;
      tfd.settime(host.time, true, monotonicNow + 50n, 0n);
      expect(host.pending).to.deep.equal([host.time + 50n]);
      host.runUntil(host.time + 500n);
      expect(readU64(tfd.read(ctx, 8, null))).to.equal(1n);
      expect(tfd.current(host.time)).to.deep.equal({ value: 0n, interval: 0n });
      tfd.settime(host.time, true, 1n, 0n); // long past
      expect(tfd.poll()).to.equal(POLL.IN);
      expect(readU64(tfd.read(ctx, 8, null))).to.equal(1n);
      // Realtime absolute values are nanoseconds since the epoch, i.e. simulated time itself.
      const rt = new TimerFd(0, host.view(), 0);
      rt.settime(host.time, true, host.time + 7n, 0n);
      expect(host.pending).to.include(host.time + 7n);
      rt.release();
      expect(host.pending).to.not.include(host.time + 7n);
    });
  });
});
