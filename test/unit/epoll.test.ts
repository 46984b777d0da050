import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import native from '@shadow-ts/native';
import { CallProgress } from '../../core/src/kernel/context.js';
import {
  Errno,
  NS_PER_MS,
  NS_PER_SEC,
  OpenFile,
  POLL,
  SYSCALL_NUMBERS,
  type FileStat,
  type SyscallContext,
  type SyscallResult,
  type WakeReason,
} from '@shadow-ts/plugin-sdk';
import { FdTable } from '../../core/src/kernel/fd-table.js';
import { EPOLL, Epoll } from '../../plugins/io/src/epoll.js';
import {
  sysEpollCreate,
  sysEpollCreate1,
  sysEpollCtl,
  sysEpollPwait,
  sysEpollPwait2,
  sysEpollWait,
} from '../../plugins/io/src/sys-epoll.js';
import { sysPoll, sysPpoll, sysPselect6, sysSelect } from '../../plugins/io/src/sys-poll.js';

/** A virtual file whose poll bits the test sets; `set` notifies readiness like a real kind. */
class FakeFile extends OpenFile {
  readonly kind = 'fake';
  bits = 0;
  constructor() {
    super(2);
  }
  poll(): number {
    return this.bits;
  }
  stat(): FileStat {
    return { mode: 0 };
  }
  /** Sets the bits and wakes the readiness queue, with `key` as the wake-up's key if given. */
  set(bits: number, key?: number): void {
    this.bits = bits;
    this.readiness.notify(key);
  }
}

const BASE = 0x10000n;
const MEM_SIZE = 0x10000;
const NOW = 1_000n * NS_PER_SEC;

/** A minimal SyscallContext: flat memory at BASE, the core's descriptor table, ordinary fds 0-2. */
class FakeCtx {
  readonly mem = new Uint8Array(MEM_SIZE);
  readonly fds = new FdTable();
  readonly ordinary = new Set([0, 1, 2]);
  readonly warnings: string[] = [];
  now = NOW;
  restarted = false;
  wake: WakeReason | null = null;
  readonly progress = new CallProgress();
  private words: bigint[] = [];

  /** Runs `handler` as a new call with `args`. */
  call(handler: (ctx: SyscallContext) => SyscallResult, name: string, ...args: (bigint | number)[]): SyscallResult {
    this.words = args.map((a) => BigInt(a));
    this.restarted = false;
    this.wake = null;
    this.progress.clear();
    return handler(this.view(name));
  }

  /** Runs `handler` again as the restart of the parked call. */
  restart(handler: (ctx: SyscallContext) => SyscallResult, name: string, wake: WakeReason): SyscallResult {
    this.restarted = true;
    this.wake = wake;
    return handler(this.view(name));
  }

  private view(name: string): SyscallContext {
    const self = this;
    const w = (i: number) => BigInt.asIntN(64, this.words[i] ?? 0n);
    const inRange = (addr: bigint, length: number) => addr >= BASE && addr + BigInt(length) <= BASE + BigInt(MEM_SIZE);
    return {
      name: name as SyscallContext['name'],
      nr: 0,
      args: {
        raw: w,
        int: (i) => Number(BigInt.asIntN(32, w(i))),
        u64: (i) => BigInt.asUintN(64, w(i)),
        ptr: (i) => BigInt.asUintN(64, w(i)),
        sizeT: (i) => Number(BigInt.asUintN(64, w(i))),
      },
      thread: {} as SyscallContext['thread'],
      process: {
        fds: this.fds,
        // The test runner itself stands in for the process whose RLIMIT_NOFILE poll reads.
        nativePid: process.pid,
        resourceLimit: (resource: number) => native.resourceLimit(process.pid, resource),
        isOpen: (fd: number) => this.fds.get(fd) !== undefined || this.ordinary.has(fd),
      } as unknown as SyscallContext['process'],
      host: {} as SyscallContext['host'],
      memory: {
        read: (addr, length) => (inRange(addr, length) ? this.mem.slice(Number(addr - BASE), Number(addr - BASE) + length) : null),
        readPrefix: (addr, length) => (inRange(addr, 1) ? this.mem.slice(Number(addr - BASE), Number(addr - BASE) + length) : new Uint8Array(0)),
        write: (addr, data) => {
          if (!inRange(addr, data.length)) return false;
          this.mem.set(data, Number(addr - BASE));
          return true;
        },
        readCString: () => null,
      },
      get now() {
        return self.now;
      },
      restarted: this.restarted,
      wake: this.wake,
      call: this.progress,
      warnOnce: (_key, message) => this.warnings.push(message),
    };
  }

  dv(): DataView {
    return new DataView(this.mem.buffer);
  }
  at(addr: bigint): number {
    return Number(addr - BASE);
  }
}

const EVENT_BUF = BASE + 0x1000n;
const EVENTS = BASE + 0x2000n;
const BAD = 0x10n;

function putEvent(ctx: FakeCtx, events: number, data: bigint): bigint {
  ctx.dv().setUint32(ctx.at(EVENT_BUF), events >>> 0, true);
  ctx.dv().setBigUint64(ctx.at(EVENT_BUF) + 4, data, true);
  return EVENT_BUF;
}

function readEvents(ctx: FakeCtx, n: number): { events: number; data: bigint }[] {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push({
      events: ctx.dv().getUint32(ctx.at(EVENTS) + i * 12, true),
      data: ctx.dv().getBigUint64(ctx.at(EVENTS) + i * 12 + 4, true),
    });
  }
  return out;
}

const okv = (value: number) => ({ kind: 'ok', value: BigInt(value) });
const err = (e: number) => ({ kind: 'errno', errno: e, restartable: false });

/** Sets up an epoll at fd 10 and fake files at fds 3, 4, 5. */
function setup() {
  const ctx = new FakeCtx();
  const ep = new Epoll();
  ctx.fds.bind(10, ep);
  const files = [new FakeFile(), new FakeFile(), new FakeFile()];
  files.forEach((f, i) => ctx.fds.bind(3 + i, f));
  const add = (fd: number, events: number, data = BigInt(fd)) =>
    ctx.call(sysEpollCtl, 'epoll_ctl', 10, EPOLL.CTL_ADD, fd, putEvent(ctx, events, data));
  const wait = (max = 8, timeout = 0) => ctx.call(sysEpollWait, 'epoll_wait', 10, EVENTS, max, timeout);
  return { ctx, ep, files, add, wait };
}

describe('io: epoll', () => {
  it('creates epoll descriptors through a placeholder and validates flags', () => {
    const ctx = new FakeCtx();
    expect(ctx.call(sysEpollCreate, 'epoll_create', 0)).to.deep.equal(err(Errno.EINVAL));
    expect(ctx.call(sysEpollCreate1, 'epoll_create1', 1)).to.deep.equal(err(Errno.EINVAL));
    const r = ctx.call(sysEpollCreate1, 'epoll_create1', EPOLL.CLOEXEC);
    expect(r.kind).to.equal('rewrite');
    if (r.kind !== 'rewrite') return;
    expect(r.nr).to.equal(SYSCALL_NUMBERS.eventfd2);
    expect(r.args[1]).to.equal(0o2000000n);
    expect(r.mapResult!(7n)).to.equal(7n);
    expect(ctx.fds.get(7)).to.be.instanceOf(Epoll);
    expect(ctx.fds.get(7)!.stat().mode).to.equal(0o600);
    expect(ctx.call(sysEpollCreate, 'epoll_create', 1).kind).to.equal('rewrite');
  });

  it('checks epoll_ctl arguments like Linux', () => {
    const { ctx, add } = setup();
    const ev = putEvent(ctx, POLL.IN, 0n);
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 99, EPOLL.CTL_ADD, 3, ev)).to.deep.equal(err(Errno.EBADF));
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 10, EPOLL.CTL_ADD, 99, ev)).to.deep.equal(err(Errno.EBADF));
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 10, EPOLL.CTL_ADD, 1, ev)).to.deep.equal(err(Errno.EPERM));
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 3, EPOLL.CTL_ADD, 4, ev)).to.deep.equal(err(Errno.EINVAL));
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 0, EPOLL.CTL_ADD, 4, ev)).to.deep.equal(err(Errno.EINVAL));
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 10, EPOLL.CTL_ADD, 10, ev)).to.deep.equal(err(Errno.EINVAL));
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 10, EPOLL.CTL_ADD, 3, BAD)).to.deep.equal(err(Errno.EFAULT));
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 10, 7, 3, ev)).to.deep.equal(err(Errno.EINVAL));
    expect(add(3, POLL.IN)).to.deep.equal(okv(0));
    expect(add(3, POLL.IN)).to.deep.equal(err(Errno.EEXIST));
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 10, EPOLL.CTL_MOD, 4, ev)).to.deep.equal(err(Errno.ENOENT));
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 10, EPOLL.CTL_DEL, 4, BAD)).to.deep.equal(err(Errno.ENOENT));
    // DEL does not read the event: a bad pointer is fine.
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 10, EPOLL.CTL_DEL, 3, BAD)).to.deep.equal(okv(0));
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 10, EPOLL.CTL_DEL, 3, 0)).to.deep.equal(err(Errno.ENOENT));
    // EPOLLEXCLUSIVE: ADD only, with the allowed bits only.
    expect(add(4, POLL.IN | EPOLL.EXCLUSIVE)).to.deep.equal(okv(0));
    expect(ctx.warnings).to.have.length(1);
    expect(add(5, POLL.PRI | EPOLL.EXCLUSIVE)).to.deep.equal(err(Errno.EINVAL));
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 10, EPOLL.CTL_MOD, 4, putEvent(ctx, POLL.IN, 0n))).to.deep.equal(
      err(Errno.EINVAL),
    );
  });

  it('refuses epoll loops', () => {
    const { ctx, add } = setup();
    const inner = new Epoll();
    ctx.fds.bind(11, inner);
    expect(add(11, POLL.IN)).to.deep.equal(okv(0));
    // 11 inside 10: adding 10 to 11 would close a cycle.
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 11, EPOLL.CTL_ADD, 10, putEvent(ctx, POLL.IN, 0n))).to.deep.equal(
      err(Errno.ELOOP),
    );
  });

  it('reports level-triggered entries in ready-list order and rotates them', () => {
    const { ctx, files, add, wait } = setup();
    add(3, POLL.IN);
    add(4, POLL.IN);
    add(5, POLL.IN);
    files[1]!.set(POLL.IN);
    files[0]!.set(POLL.IN | POLL.OUT);
    files[2]!.set(POLL.IN);
    expect(wait(2)).to.deep.equal(okv(2));
    // Only the requested bits are reported.
    expect(readEvents(ctx, 2)).to.deep.equal([
      { events: POLL.IN, data: 4n },
      { events: POLL.IN, data: 3n },
    ]);
    // Level-triggered entries went to the tail; the one not harvested comes first now.
    expect(wait(8)).to.deep.equal(okv(3));
    expect(readEvents(ctx, 3).map((e) => e.data)).to.deep.equal([5n, 4n, 3n]);
    // A file that is no longer ready leaves the list.
    files[2]!.set(0);
    expect(wait(8)).to.deep.equal(okv(2));
    expect(readEvents(ctx, 2).map((e) => e.data)).to.deep.equal([4n, 3n]);
  });

  it('reports edge-triggered entries once per readiness change', () => {
    const { ctx, files, add, wait } = setup();
    add(3, POLL.IN | EPOLL.ET);
    files[0]!.set(POLL.IN);
    expect(wait()).to.deep.equal(okv(1));
    expect(wait()).to.deep.equal(okv(0));
    files[0]!.set(POLL.IN); // more data: a new edge
    expect(wait()).to.deep.equal(okv(1));
    expect(readEvents(ctx, 1)).to.deep.equal([{ events: POLL.IN, data: 3n }]);
  });

  it('ignores wake-ups keyed with bits an entry does not wait for (ep_poll_callback)', () => {
    const { files, add, wait } = setup();
    add(3, POLL.OUT | EPOLL.ET);
    files[0]!.set(POLL.OUT);
    expect(wait()).to.deep.equal(okv(1));
    files[0]!.set(POLL.OUT, POLL.IN); // a write to a pipe: the write end is still writable
    expect(wait()).to.deep.equal(okv(0));
    files[0]!.set(POLL.OUT, 0); // bits may only have gone
    expect(wait()).to.deep.equal(okv(0));
    files[0]!.set(POLL.OUT, POLL.OUT); // a read made room
    expect(wait()).to.deep.equal(okv(1));
  });

  it('disables EPOLLONESHOT entries until EPOLL_CTL_MOD', () => {
    const { ctx, files, add, wait } = setup();
    add(3, POLL.IN | EPOLL.ONESHOT);
    files[0]!.set(POLL.IN);
    expect(wait()).to.deep.equal(okv(1));
    files[0]!.set(POLL.IN);
    expect(wait()).to.deep.equal(okv(0));
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 10, EPOLL.CTL_MOD, 3, putEvent(ctx, POLL.IN, 42n))).to.deep.equal(okv(0));
    expect(wait()).to.deep.equal(okv(1));
    expect(readEvents(ctx, 1)).to.deep.equal([{ events: POLL.IN, data: 42n }]);
  });

  it('always reports EPOLLERR and EPOLLHUP and queues files ready at ADD', () => {
    const { ctx, files, add, wait } = setup();
    files[0]!.bits = POLL.HUP | POLL.IN;
    add(3, POLL.OUT);
    expect(wait()).to.deep.equal(okv(1));
    expect(readEvents(ctx, 1)).to.deep.equal([{ events: POLL.HUP, data: 3n }]);
  });

  it('drops entries whose file was closed, and keeps them while a dup is open', () => {
    const { ctx, files, add, wait, ep } = setup();
    add(3, POLL.IN);
    ctx.fds.bind(20, files[0]!); // dup
    ctx.fds.unbind(3);
    files[0]!.set(POLL.IN);
    expect(wait()).to.deep.equal(okv(1));
    ctx.fds.unbind(20);
    expect(wait()).to.deep.equal(okv(0));
    expect(files[0]!.readiness.size).to.equal(0);
    expect(ep.poll()).to.equal(0);
  });

  it('blocks with the deadline, keeps it across restarts, and ends with 0 on timeout', () => {
    const { ctx, files, add } = setup();
    add(3, POLL.IN);
    const r = ctx.call(sysEpollWait, 'epoll_wait', 10, EVENTS, 4, 250);
    expect(r.kind).to.equal('block');
    if (r.kind !== 'block') return;
    expect(r.on.deadline).to.equal(NOW + 250n * NS_PER_MS);
    expect(r.restartable).to.equal(false);
    let woken = 0;
    r.on.trigger!.subscribe(() => woken++);
    files[1]!.set(POLL.IN); // not watched
    expect(woken).to.equal(0);
    files[0]!.set(POLL.OUT); // watched, but not what was asked
    expect(woken).to.equal(0);
    files[0]!.set(POLL.IN);
    expect(woken).to.equal(1);
    // Spurious wake-up: nothing ready anymore, so it blocks again with the same deadline.
    files[0]!.bits = 0;
    ctx.now += 100n * NS_PER_MS;
    const again = ctx.restart(sysEpollWait, 'epoll_wait', 'trigger');
    expect(again.kind === 'block' && again.on.deadline).to.equal(NOW + 250n * NS_PER_MS);
    ctx.now = NOW + 250n * NS_PER_MS;
    expect(ctx.restart(sysEpollWait, 'epoll_wait', 'timeout')).to.deep.equal(okv(0));
    // Negative timeout: no deadline.
    const forever = ctx.call(sysEpollWait, 'epoll_wait', 10, EVENTS, 4, -1);
    expect(forever.kind === 'block' && forever.on.deadline).to.equal(undefined);
    // A trigger wake-up with an event delivers it.
    files[0]!.set(POLL.IN);
    expect(ctx.restart(sysEpollWait, 'epoll_wait', 'trigger')).to.deep.equal(okv(1));
  });

  it('validates epoll_wait arguments and copies events out safely', () => {
    const { ctx, files, add } = setup();
    expect(ctx.call(sysEpollWait, 'epoll_wait', 10, EVENTS, 0, 0)).to.deep.equal(err(Errno.EINVAL));
    expect(ctx.call(sysEpollWait, 'epoll_wait', 10, EVENTS, 0x7fffffff, 0)).to.deep.equal(err(Errno.EINVAL));
    expect(ctx.call(sysEpollWait, 'epoll_wait', 99, EVENTS, 1, 0)).to.deep.equal(err(Errno.EBADF));
    expect(ctx.call(sysEpollWait, 'epoll_wait', 3, EVENTS, 1, 0)).to.deep.equal(err(Errno.EINVAL));
    expect(ctx.call(sysEpollWait, 'epoll_wait', 1, EVENTS, 1, 0)).to.deep.equal(err(Errno.EINVAL));
    add(3, POLL.IN | EPOLL.ET);
    files[0]!.set(POLL.IN);
    expect(ctx.call(sysEpollWait, 'epoll_wait', 10, BAD, 1, 0)).to.deep.equal(err(Errno.EFAULT));
    // The edge was not lost to the fault.
    expect(ctx.call(sysEpollWait, 'epoll_wait', 10, EVENTS, 1, 0)).to.deep.equal(okv(1));
  });

  it('epoll_pwait checks the sigmask size, epoll_pwait2 takes a timespec', () => {
    const { ctx } = setup();
    const mask = BASE + 0x3000n;
    expect(ctx.call(sysEpollPwait, 'epoll_pwait', 10, EVENTS, 1, 0, mask, 4)).to.deep.equal(err(Errno.EINVAL));
    expect(ctx.call(sysEpollPwait, 'epoll_pwait', 10, EVENTS, 1, 0, mask, 8)).to.deep.equal(okv(0));
    expect(ctx.warnings).to.have.length(1);
    const ts = BASE + 0x3100n;
    ctx.dv().setBigInt64(ctx.at(ts), 1n, true);
    ctx.dv().setBigInt64(ctx.at(ts) + 8, 5n, true);
    const r = ctx.call(sysEpollPwait2, 'epoll_pwait2', 10, EVENTS, 1, ts, 0, 8);
    expect(r.kind === 'block' && r.on.deadline).to.equal(NOW + NS_PER_SEC + 5n);
    const inf = ctx.call(sysEpollPwait2, 'epoll_pwait2', 10, EVENTS, 1, 0, 0, 8);
    expect(inf.kind === 'block' && inf.on.deadline).to.equal(undefined);
    ctx.dv().setBigInt64(ctx.at(ts) + 8, NS_PER_SEC, true);
    expect(ctx.call(sysEpollPwait2, 'epoll_pwait2', 10, EVENTS, 1, ts, 0, 8)).to.deep.equal(err(Errno.EINVAL));
  });

  it('nests: an epoll is readable while its ready list has events', () => {
    const { ctx, files, add } = setup();
    const outer = new Epoll();
    ctx.fds.bind(12, outer);
    add(3, POLL.IN);
    expect(ctx.call(sysEpollCtl, 'epoll_ctl', 12, EPOLL.CTL_ADD, 10, putEvent(ctx, POLL.IN, 7n))).to.deep.equal(okv(0));
    expect(ctx.call(sysEpollWait, 'epoll_wait', 12, EVENTS, 4, 0)).to.deep.equal(okv(0));
    files[0]!.set(POLL.IN);
    expect(ctx.call(sysEpollWait, 'epoll_wait', 12, EVENTS, 4, 0)).to.deep.equal(okv(1));
    expect(readEvents(ctx, 1)).to.deep.equal([{ events: POLL.IN, data: 7n }]);
  });
});

const POLLFDS = BASE + 0x4000n;

function putPollfds(ctx: FakeCtx, entries: [number, number][]): bigint {
  entries.forEach(([fd, events], i) => {
    ctx.dv().setInt32(ctx.at(POLLFDS) + i * 8, fd, true);
    ctx.dv().setUint16(ctx.at(POLLFDS) + i * 8 + 4, events, true);
    ctx.dv().setUint16(ctx.at(POLLFDS) + i * 8 + 6, 0xffff, true);
  });
  return POLLFDS;
}

const revents = (ctx: FakeCtx, n: number) =>
  Array.from({ length: n }, (_, i) => ctx.dv().getUint16(ctx.at(POLLFDS) + i * 8 + 6, true));

describe('io: poll and select', () => {
  it('poll reports POLLNVAL, skips negative fds and filters events', () => {
    const { ctx, files } = setup();
    files[0]!.bits = POLL.IN | POLL.OUT;
    const fds = putPollfds(ctx, [
      [3, POLL.IN],
      [-1, POLL.IN],
      [77, POLL.IN],
      [4, POLL.IN],
      [1, POLL.OUT],
    ]);
    expect(ctx.call(sysPoll, 'poll', fds, 5, 0)).to.deep.equal(okv(3));
    expect(revents(ctx, 5)).to.deep.equal([POLL.IN, 0, POLL.NVAL, 0, POLL.OUT]);
    const softLimit = Number(/^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))![1]);
    expect(ctx.call(sysPoll, 'poll', fds, softLimit + 1, 0)).to.deep.equal(err(Errno.EINVAL));
    expect(ctx.call(sysPoll, 'poll', BAD, 1, 0)).to.deep.equal(err(Errno.EFAULT));
  });

  it('poll blocks on the virtual files involved and times out with 0', () => {
    const { ctx, files } = setup();
    const fds = putPollfds(ctx, [
      [3, POLL.IN],
      [4, POLL.IN],
    ]);
    const r = ctx.call(sysPoll, 'poll', fds, 2, 30);
    expect(r.kind === 'block' && r.on.deadline).to.equal(NOW + 30n * NS_PER_MS);
    if (r.kind !== 'block') return;
    let woken = 0;
    r.on.trigger!.subscribe(() => woken++);
    files[1]!.set(POLL.IN);
    expect(woken).to.equal(1);
    expect(ctx.restart(sysPoll, 'poll', 'trigger')).to.deep.equal(okv(1));
    expect(revents(ctx, 2)).to.deep.equal([0, POLL.IN]);
    files[1]!.bits = 0;
    ctx.call(sysPoll, 'poll', fds, 2, 30);
    ctx.now += 30n * NS_PER_MS;
    expect(ctx.restart(sysPoll, 'poll', 'timeout')).to.deep.equal(okv(0));
    expect(revents(ctx, 2)).to.deep.equal([0, 0]);
  });

  it('ppoll takes a timespec (NULL = infinite) and writes the time left back', () => {
    const { ctx, files } = setup();
    const fds = putPollfds(ctx, [[3, POLL.IN]]);
    const ts = BASE + 0x3100n;
    ctx.dv().setBigInt64(ctx.at(ts), 2n, true);
    ctx.dv().setBigInt64(ctx.at(ts) + 8, 0n, true);
    const r = ctx.call(sysPpoll, 'ppoll', fds, 1, ts, 0, 8);
    expect(r.kind === 'block' && r.on.deadline).to.equal(NOW + 2n * NS_PER_SEC);
    ctx.now += NS_PER_SEC / 2n;
    files[0]!.set(POLL.IN);
    expect(ctx.restart(sysPpoll, 'ppoll', 'trigger')).to.deep.equal(okv(1));
    expect(ctx.dv().getBigInt64(ctx.at(ts), true)).to.equal(1n);
    expect(ctx.dv().getBigInt64(ctx.at(ts) + 8, true)).to.equal(500_000_000n);
    files[0]!.bits = 0;
    const inf = ctx.call(sysPpoll, 'ppoll', fds, 1, 0, 0, 8);
    expect(inf.kind === 'block' && inf.on.deadline).to.equal(undefined);
    ctx.dv().setBigInt64(ctx.at(ts) + 8, -1n, true);
    expect(ctx.call(sysPpoll, 'ppoll', fds, 1, ts, 0, 8)).to.deep.equal(err(Errno.EINVAL));
  });

  it('select checks descriptors, fills the sets and counts every bit', () => {
    const { ctx, files } = setup();
    const [r, w, e] = [BASE + 0x5000n, BASE + 0x5100n, BASE + 0x5200n];
    const set = (addr: bigint, ...fds: number[]) => {
      ctx.dv().setBigUint64(ctx.at(addr), fds.reduce((acc, fd) => acc | (1n << BigInt(fd)), 0n), true);
    };
    const get = (addr: bigint) => ctx.dv().getBigUint64(ctx.at(addr), true);
    files[0]!.bits = POLL.IN | POLL.OUT;
    files[1]!.bits = POLL.PRI;
    set(r, 3, 4, 5);
    set(w, 3, 1);
    set(e, 4);
    expect(ctx.call(sysSelect, 'select', 6, r, w, e, 0)).to.deep.equal(okv(4));
    expect(get(r)).to.equal(1n << 3n);
    expect(get(w)).to.equal((1n << 3n) | (1n << 1n));
    expect(get(e)).to.equal(1n << 4n);
    set(r, 3, 40);
    expect(ctx.call(sysSelect, 'select', 41, r, 0, 0, 0)).to.deep.equal(err(Errno.EBADF));
    // Bits at or above nfds are ignored.
    set(r, 3, 40);
    expect(ctx.call(sysSelect, 'select', 4, r, 0, 0, 0)).to.deep.equal(okv(1));
    expect(ctx.call(sysSelect, 'select', -1, 0, 0, 0, 0)).to.deep.equal(err(Errno.EINVAL));
    expect(ctx.call(sysSelect, 'select', 6, BAD, 0, 0, 0)).to.deep.equal(err(Errno.EFAULT));
  });

  it('select blocks, then times out writing a zero timeval; pselect6 takes a timespec', () => {
    const { ctx, files } = setup();
    const r = BASE + 0x5000n;
    const tv = BASE + 0x5300n;
    ctx.dv().setBigUint64(ctx.at(r), 1n << 5n, true);
    ctx.dv().setBigInt64(ctx.at(tv), 0n, true);
    ctx.dv().setBigInt64(ctx.at(tv) + 8, 1_500_000n, true); // 1.5 s via tv_usec, as Linux accepts
    const first = ctx.call(sysSelect, 'select', 6, r, 0, 0, tv);
    expect(first.kind === 'block' && first.on.deadline).to.equal(NOW + 1_500n * NS_PER_MS);
    ctx.now += 1_500n * NS_PER_MS;
    expect(ctx.restart(sysSelect, 'select', 'timeout')).to.deep.equal(okv(0));
    expect(ctx.dv().getBigUint64(ctx.at(r), true)).to.equal(0n);
    expect(ctx.dv().getBigInt64(ctx.at(tv), true)).to.equal(0n);
    expect(ctx.dv().getBigInt64(ctx.at(tv) + 8, true)).to.equal(0n);

    ctx.dv().setBigUint64(ctx.at(r), 1n << 5n, true);
    ctx.dv().setBigInt64(ctx.at(tv), 1n, true);
    ctx.dv().setBigInt64(ctx.at(tv) + 8, 0n, true);
    const second = ctx.call(sysPselect6, 'pselect6', 6, r, 0, 0, tv, 0);
    expect(second.kind === 'block' && second.on.deadline).to.equal(NOW + 1_500n * NS_PER_MS + NS_PER_SEC);
    files[2]!.set(POLL.HUP); // hang-up counts as readable
    ctx.now += 250n * NS_PER_MS;
    expect(ctx.restart(sysPselect6, 'pselect6', 'trigger')).to.deep.equal(okv(1));
    expect(ctx.dv().getBigUint64(ctx.at(r), true)).to.equal(1n << 5n);
    expect(ctx.dv().getBigInt64(ctx.at(tv) + 8, true)).to.equal(750_000_000n);
  });

  it('poll sees an epoll descriptor as readable when it has events', () => {
    const { ctx, files, add } = setup();
    add(3, POLL.IN);
    const fds = putPollfds(ctx, [[10, POLL.IN]]);
    const r = ctx.call(sysPoll, 'poll', fds, 1, -1);
    expect(r.kind === 'block' && r.on.deadline).to.equal(undefined);
    files[0]!.set(POLL.IN);
    expect(ctx.restart(sysPoll, 'poll', 'trigger')).to.deep.equal(okv(1));
    expect(revents(ctx, 1)).to.deep.equal([POLL.IN]);
  });
});
