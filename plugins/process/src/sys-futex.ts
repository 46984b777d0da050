import {
  Errno,
  block,
  callSlot,
  errno,
  ok,
  readDuration,
  waitFor,
  type SimTime,
  type SyscallContext,
  type SyscallResult,
} from '@shadow-ts/plugin-sdk';
import { FutexTable, FutexWaiter } from './futex.js';
import type { ProcessState } from './state.js';

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_REQUEUE = 3;
const FUTEX_CMP_REQUEUE = 4;
const FUTEX_WAKE_OP = 5;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_WAKE_BITSET = 10;
const FUTEX_PRIVATE_FLAG = 128;
const FUTEX_CLOCK_REALTIME = 256;
const FUTEX_BITSET_MATCH_ANY = -1;

/** A parked FUTEX_WAIT: its place in the queue and its deadline, kept across its restarts. */
const WAIT = callSlot<{ readonly waiter: FutexWaiter; readonly deadline: SimTime | undefined }>('futex.wait');

function readU32(ctx: SyscallContext, addr: bigint): number | null {
  const raw = ctx.memory.read(addr, 4);
  return raw ? new DataView(raw.buffer).getUint32(0, true) : null;
}

/** The absolute deadline of a futex wait, or undefined (no timeout), or an errno result. */
function deadline(ctx: SyscallContext, op: number, cmd: number): SimTime | undefined | SyscallResult {
  const addr = ctx.args.ptr(3);
  if (addr === 0n) return undefined;
  const value = readDuration(ctx, addr);
  if (typeof value !== 'bigint') return value;
  // FUTEX_WAIT takes a relative timeout; WAIT_BITSET an absolute one on MONOTONIC or REALTIME.
  if (cmd === FUTEX_WAIT) return ctx.now + value;
  return op & FUTEX_CLOCK_REALTIME ? value : ctx.host.bootTime + value;
}

/** The WAIT commands: park the caller on the futex word if it still holds the expected value. */
function futexWait(ctx: SyscallContext, table: FutexTable, op: number, cmd: number, bitset: number): SyscallResult {
  const parked = ctx.call.get(WAIT);
  if (ctx.restarted && parked) {
    if (parked.waiter.woken) return ok();
    if (ctx.wake === 'timeout') return errno(Errno.ETIMEDOUT);
    return block(waitFor.trigger(parked.waiter, parked.deadline));
  }
  if (bitset === 0) return errno(Errno.EINVAL);
  const addr = ctx.args.ptr(0);
  const current = readU32(ctx, addr);
  if (current === null) return errno(Errno.EFAULT);
  if (current !== (ctx.args.int(2) >>> 0)) return errno(Errno.EAGAIN);
  const until = deadline(ctx, op, cmd);
  if (typeof until === 'object') return until;
  if (until !== undefined && until <= ctx.now) return errno(Errno.ETIMEDOUT);
  const waiter = new FutexWaiter(table, keyOf(ctx, addr), bitset);
  ctx.call.set(WAIT, { waiter, deadline: until });
  return block(waitFor.trigger(waiter, until));
}

/** The key of the futex at `addr`: by process unless the call is shared and the memory is (FutexTable.sharedKey). */
function keyOf(ctx: SyscallContext, addr: bigint): string {
  return ctx.args.int(1) & FUTEX_PRIVATE_FLAG ? FutexTable.key(ctx.process, addr) : FutexTable.sharedKey(ctx.process, addr);
}

/** FUTEX_WAKE_OP: the operation on *uaddr2 and its comparison (futex(2)). */
function wakeOp(ctx: SyscallContext, table: FutexTable): SyscallResult {
  const [addr, addr2] = [ctx.args.ptr(0), ctx.args.ptr(4)];
  const encoded = ctx.args.int(5);
  const op = (encoded >>> 28) & 0x7;
  const cmp = (encoded >>> 24) & 0xf;
  let oparg = (encoded << 8) >> 20;
  const cmparg = (encoded << 20) >> 20;
  if (op & 8) oparg = 1 << (oparg & 31); // FUTEX_OP_OPARG_SHIFT
  const old = readU32(ctx, addr2);
  if (old === null) return errno(Errno.EFAULT);
  const ops = [() => oparg, () => old + oparg, () => old | oparg, () => old & ~oparg, () => old ^ oparg];
  const compute = ops[op & 7];
  if (!compute) return errno(Errno.ENOSYS);
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, compute() >>> 0, true);
  if (!ctx.memory.write(addr2, bytes)) return errno(Errno.EFAULT);
  const signedOld = old | 0;
  const tests = [signedOld === cmparg, signedOld !== cmparg, signedOld < cmparg, signedOld <= cmparg, signedOld > cmparg, signedOld >= cmparg];
  const test = tests[cmp];
  if (test === undefined) return errno(Errno.ENOSYS);
  let woken = table.wake(keyOf(ctx, addr), ctx.args.int(2));
  if (test) woken += table.wake(keyOf(ctx, addr2), Number(ctx.args.u64(3) & 0x7fffffffn));
  return ok(woken);
}

/** sysFutex implements Linux syscall futex(2): WAIT, WAKE, their BITSET forms, REQUEUE, CMP_REQUEUE, WAKE_OP. */
export function sysFutex(ctx: SyscallContext, state: ProcessState): SyscallResult {
  const op = ctx.args.int(1);
  const cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  const table = state.futexTable(ctx.host);
  // Only the commands that use it pay for a shared key (a read of /proc/<pid>/maps); waits make their own.
  const key = () => keyOf(ctx, ctx.args.ptr(0));
  const count = Math.max(0, ctx.args.int(2));
  switch (cmd) {
    case FUTEX_WAIT:
      return futexWait(ctx, table, op, cmd, FUTEX_BITSET_MATCH_ANY);
    case FUTEX_WAIT_BITSET:
      return futexWait(ctx, table, op, cmd, ctx.args.int(5));
    case FUTEX_WAKE:
      return ok(table.wake(key(), count));
    case FUTEX_WAKE_BITSET: {
      const bitset = ctx.args.int(5);
      return bitset === 0 ? errno(Errno.EINVAL) : ok(table.wake(key(), count, bitset));
    }
    case FUTEX_REQUEUE:
    case FUTEX_CMP_REQUEUE: {
      if (cmd === FUTEX_CMP_REQUEUE) {
        const current = readU32(ctx, ctx.args.ptr(0));
        if (current === null) return errno(Errno.EFAULT);
        if (current !== (ctx.args.int(5) >>> 0)) return errno(Errno.EAGAIN);
      }
      const move = Number(ctx.args.u64(3) & 0x7fffffffn); // val2 travels in the timeout argument
      return ok(table.requeue(key(), keyOf(ctx, ctx.args.ptr(4)), count, move));
    }
    case FUTEX_WAKE_OP:
      return wakeOp(ctx, table);
    default:
      ctx.warnOnce(`futex:${cmd}`, `futex: operation ${cmd} (priority-inheritance and others) is not supported; returning ENOSYS`);
      return errno(Errno.ENOSYS);
  }
}
