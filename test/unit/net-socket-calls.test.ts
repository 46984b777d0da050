/**
 * The socket syscalls driven through their handlers for every family the net plugin has
 * (AF_UNIX, AF_INET/AF_INET6 TCP and UDP, AF_NETLINK): the same entry point answers each
 * through the Socket interface, ENOTSOCK for a descriptor that is no socket, EBADF for one
 * that is not open; and two kernels' net states share nothing.
 */

import { expect } from 'chai';
import { Errno, OpenFile, type FileStat, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { CallProgress } from '../../core/src/kernel/context.js';
import { AF_INET, AF_INET6, AF_NETLINK, AF_UNIX, SIOCINQ, SOCK_DGRAM, SOCK_RAW, SOCK_STREAM } from '../../plugins/net/src/constants.js';
import { NetState } from '../../plugins/net/src/state.js';
import * as sys from '../../plugins/net/src/sys-socket.js';
import { fakeArgs, fakeMemory } from './fake-syscall.js';

const BASE = 0x10000n;
const SIZE = 1 << 16;
const ADDR = BASE + 0x100n;
const LEN = BASE + 0x200n;

/** A non-socket virtual file (as a pipe end would be). */
class NotASocket extends OpenFile {
  readonly kind = 'pipe';
  constructor() {
    super(0);
  }
  poll(): number {
    return 0;
  }
  stat(): FileStat {
    return { mode: 0o10600 };
  }
}

const congestion = { chosen: () => 'cubic', instanceOf: () => undefined } as never;

function fakeHost(name: string) {
  return { name, network: { setReceiver: () => {}, isLocal: () => false, interfaces: [], send: () => {} } };
}

function fakeKernel(host = fakeHost('h')) {
  const state = new NetState(congestion);
  const { bytes, memory } = fakeMemory(BASE, SIZE);
  const table = new Map<number, OpenFile>([[5, new NotASocket()]]);
  const warnings: string[] = [];
  let args: bigint[] = [];
  let nextFd = 10;
  const ctx = {
    name: 'test',
    call: new CallProgress(),
    restarted: false,
    wake: null,
    args: fakeArgs(() => args),
    memory,
    thread: { signal: () => {} },
    host,
    process: {
      pid: 1000,
      fds: { get: (fd: number) => table.get(fd), bind: (fd: number, file: OpenFile) => table.set(fd, file), unbind: (fd: number) => table.delete(fd) },
      isOpen: (fd: number) => table.has(fd) || fd <= 2,
    },
    warnOnce: (key: string) => warnings.push(key),
  };
  const c = ctx as unknown as SyscallContext;
  const call = (name: string, handler: (ctx: SyscallContext) => SyscallResult, values: (bigint | number)[]): SyscallResult => {
    args = values.map((v) => BigInt(v));
    ctx.name = name;
    ctx.call.clear();
    return handler(c);
  };
  return {
    state,
    table,
    warnings,
    call,
    /** socket(2) through the handler; the kernel's descriptor number is the next free one. */
    socket(domain: number, type: number, protocol = 0): number {
      const r = call('socket', (x) => sys.sysSocket(x, state), [domain, type, protocol]);
      expect(r.kind, JSON.stringify(r, (_k, v) => (typeof v === 'bigint' ? String(v) : v))).to.equal('rewrite');
      const fd = nextFd++;
      expect((r as { mapResult: (ret: bigint) => bigint }).mapResult(BigInt(fd))).to.equal(BigInt(fd));
      return fd;
    },
    put(addr: bigint, data: Uint8Array) {
      bytes.set(data, Number(addr - BASE));
    },
    /** getsockname/getpeername through the handler: the address, or the errno. */
    name(handler: (ctx: SyscallContext) => SyscallResult, fd: number): Uint8Array | number {
      new DataView(bytes.buffer).setInt32(Number(LEN - BASE), 128, true);
      const r = call('getsockname', handler, [fd, ADDR, LEN]);
      if (r.kind === 'errno') return r.errno;
      expect(r.kind).to.equal('ok');
      const n = new DataView(bytes.buffer).getInt32(Number(LEN - BASE), true);
      return bytes.slice(Number(ADDR - BASE), Number(ADDR - BASE) + n);
    },
  };
}

/** Kinds that can listen and accept, and kinds that never do (sock_no_listen(), sock_no_accept()). */
const LISTENERS = [
  [AF_INET, SOCK_STREAM],
  [AF_UNIX, SOCK_STREAM],
] as const;
const NEVER_LISTEN = [
  [AF_INET, SOCK_DGRAM],
  [AF_UNIX, SOCK_DGRAM],
  [AF_NETLINK, SOCK_RAW],
] as const;

const errnoOf = (r: SyscallResult) => (r.kind === 'errno' ? r.errno : r.kind);
const family = (address: Uint8Array | number) => (typeof address === 'number' ? address : address[0]! | (address[1]! << 8));

describe('net plugin: the socket calls of every family', () => {
  it('answers getsockname on an unbound socket of each family with its family and no address', () => {
    const k = fakeKernel();
    const cases: [number, number, number, number][] = [
      [AF_UNIX, SOCK_STREAM, 0, 2],
      [AF_UNIX, SOCK_DGRAM, 0, 2],
      [AF_INET, SOCK_STREAM, 0, 16],
      [AF_INET, SOCK_DGRAM, 0, 16],
      [AF_INET6, SOCK_STREAM, 0, 28],
      [AF_INET6, SOCK_DGRAM, 0, 28],
      [AF_NETLINK, SOCK_RAW, 0, 12],
    ];
    for (const [domain, type, protocol, length] of cases) {
      const name = k.name(sys.sysGetsockname, k.socket(domain, type, protocol));
      expect(name, `family ${domain} type ${type}`).to.be.instanceOf(Uint8Array);
      expect(family(name)).to.equal(domain);
      expect((name as Uint8Array).length).to.equal(length);
      expect((name as Uint8Array).subarray(2).every((b) => b === 0)).to.equal(true); // port 0, wildcard, unnamed
    }
  });

  it('answers getpeername on an unconnected socket: ENOTCONN, but netlink names its destination (the kernel)', () => {
    const k = fakeKernel();
    for (const [domain, type] of [
      [AF_UNIX, SOCK_STREAM],
      [AF_UNIX, SOCK_DGRAM],
      [AF_INET, SOCK_STREAM],
      [AF_INET6, SOCK_DGRAM],
    ] as const) {
      expect(k.name(sys.sysGetpeername, k.socket(domain, type)), `family ${domain} type ${type}`).to.equal(Errno.ENOTCONN);
    }
    const peer = k.name(sys.sysGetpeername, k.socket(AF_NETLINK, SOCK_RAW));
    expect(peer).to.deep.equal(Uint8Array.from([AF_NETLINK, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]));
  });

  it('answers ENOTSOCK on a descriptor that is no socket and EBADF on one that is not open, for every socket call', () => {
    const k = fakeKernel();
    const calls: [string, (ctx: SyscallContext) => SyscallResult][] = [
      ['bind', sys.sysBind],
      ['listen', sys.sysListen],
      ['accept', (c) => sys.sysAccept(c, k.state)],
      ['accept4', (c) => sys.sysAccept4(c, k.state)],
      ['connect', sys.sysConnect],
      ['sendto', sys.sysSendto],
      ['recvfrom', sys.sysRecvfrom],
      ['sendmsg', sys.sysSendmsg],
      ['recvmsg', sys.sysRecvmsg],
      ['shutdown', sys.sysShutdown],
      ['getsockname', sys.sysGetsockname],
      ['getpeername', sys.sysGetpeername],
      ['getsockopt', sys.sysGetsockopt],
      ['setsockopt', sys.sysSetsockopt],
    ];
    for (const [name, handler] of calls) {
      expect(errnoOf(k.call(name, handler, [5, ADDR, 16, 0, 0, 0])), `${name} on a pipe`).to.equal(Errno.ENOTSOCK);
      expect(errnoOf(k.call(name, handler, [1, ADDR, 16, 0, 0, 0])), `${name} on a native descriptor`).to.equal(Errno.ENOTSOCK);
      expect(errnoOf(k.call(name, handler, [9, ADDR, 16, 0, 0, 0])), `${name} on a closed descriptor`).to.equal(Errno.EBADF);
      expect(errnoOf(k.call(name, handler, [-1, ADDR, 16, 0, 0, 0])), `${name} on -1`).to.equal(Errno.EBADF);
    }
  });

  it('answers listen and accept with EOPNOTSUPP on the kinds that never listen, EINVAL on those that could', () => {
    const k = fakeKernel();
    for (const [domain, type] of NEVER_LISTEN) {
      const fd = k.socket(domain, type);
      expect(errnoOf(k.call('listen', sys.sysListen, [fd, 5])), `listen ${domain}/${type}`).to.equal(Errno.EOPNOTSUPP);
      expect(errnoOf(k.call('accept', (c) => sys.sysAccept(c, k.state), [fd, 0, 0])), `accept ${domain}/${type}`).to.equal(Errno.EOPNOTSUPP);
    }
    for (const [domain, type] of LISTENERS) {
      expect(errnoOf(k.call('accept', (c) => sys.sysAccept(c, k.state), [k.socket(domain, type), 0, 0])), `accept ${domain}/${type}`).to.equal(Errno.EINVAL);
    }
    expect(errnoOf(k.call('accept4', (c) => sys.sysAccept4(c, k.state), [k.socket(AF_INET, SOCK_STREAM), 0, 0, 0o100]))).to.equal(Errno.EINVAL);
  });

  it('shuts down each kind as Linux does: netlink EOPNOTSUPP, unconnected inet ENOTCONN, unix never fails', () => {
    const k = fakeKernel();
    expect(errnoOf(k.call('shutdown', sys.sysShutdown, [k.socket(AF_NETLINK, SOCK_RAW), 1]))).to.equal(Errno.EOPNOTSUPP);
    expect(errnoOf(k.call('shutdown', sys.sysShutdown, [k.socket(AF_INET, SOCK_DGRAM), 1]))).to.equal(Errno.ENOTCONN);
    expect(errnoOf(k.call('shutdown', sys.sysShutdown, [k.socket(AF_INET, SOCK_STREAM), 1]))).to.equal(Errno.ENOTCONN);
    expect(errnoOf(k.call('shutdown', sys.sysShutdown, [k.socket(AF_UNIX, SOCK_STREAM), 1]))).to.equal('ok');
    expect(errnoOf(k.call('shutdown', sys.sysShutdown, [k.socket(AF_UNIX, SOCK_STREAM), 3]))).to.equal(Errno.EINVAL);
  });

  it('answers FIONREAD once for every kind that has it (netlink: ENOTTY)', () => {
    const k = fakeKernel();
    const ctx = { memory: { write: () => true } } as unknown as SyscallContext;
    for (const [domain, type] of [...LISTENERS, [AF_INET, SOCK_DGRAM] as const]) {
      expect(k.table.get(k.socket(domain, type))!.ioctl(ctx, SIOCINQ, ADDR)).to.deep.equal({ kind: 'ok', value: 0n });
    }
    expect(k.table.get(k.socket(AF_NETLINK, SOCK_RAW))!.ioctl(ctx, SIOCINQ, ADDR)).to.equal(undefined);
  });

  it('refuses socketpair for families without pairs, and warns once for a family it lacks', () => {
    const k = fakeKernel();
    expect(errnoOf(k.call('socketpair', (c) => sys.sysSocketpair(c, k.state), [AF_INET, SOCK_STREAM, 0, ADDR]))).to.equal(Errno.EOPNOTSUPP);
    expect(errnoOf(k.call('socketpair', (c) => sys.sysSocketpair(c, k.state), [17, SOCK_RAW, 0, ADDR]))).to.equal(Errno.EAFNOSUPPORT);
    expect(k.warnings).to.deep.equal(['socketpair:family:17']);
  });

  it('keeps each kernel’s names apart: two net states bind the same netlink port id on one host', () => {
    const host = fakeHost('shared');
    const a = fakeKernel(host);
    const b = fakeKernel(host);
    expect(a.state.of(host as never)).to.not.equal(b.state.of(host as never));
    const sockaddr = Uint8Array.from([AF_NETLINK, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0]);
    for (const k of [a, b]) {
      const fd = k.socket(AF_NETLINK, SOCK_RAW);
      k.put(ADDR, sockaddr);
      expect(errnoOf(k.call('bind', sys.sysBind, [fd, ADDR, sockaddr.length]))).to.equal('ok');
      const again = k.socket(AF_NETLINK, SOCK_RAW);
      expect(errnoOf(k.call('bind', sys.sysBind, [again, ADDR, sockaddr.length]))).to.equal(Errno.EADDRINUSE);
    }
  });
});
