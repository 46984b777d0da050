import { Errno, NS_PER_SEC, errno, ok, type SyscallContext, type SyscallResult } from '@shadow-ts/plugin-sdk';
import { machine, release, totalmem, type as osType, version } from 'node:os';

const UTS_FIELD = 65;

/** The real kernel's identity: programs see the machine they run on, under the host's name. */
const KERNEL = { sysname: osType(), release: release(), version: version(), machine: machine() };

function utsname(fields: readonly string[]): Uint8Array {
  const out = new Uint8Array(UTS_FIELD * fields.length);
  fields.forEach((field, i) => out.set(Buffer.from(field, 'utf8').subarray(0, UTS_FIELD - 1), i * UTS_FIELD));
  return out;
}

/** sysUname implements Linux syscall uname(2). */
export function sysUname(ctx: SyscallContext): SyscallResult {
  const fields = [KERNEL.sysname, ctx.host.name, KERNEL.release, KERNEL.version, KERNEL.machine, '(none)'];
  return ctx.memory.write(ctx.args.ptr(0), utsname(fields)) ? ok() : errno(Errno.EFAULT);
}

/** sysSysinfo implements Linux syscall sysinfo(2). */
export function sysSysinfo(ctx: SyscallContext): SyscallResult {
  const out = new Uint8Array(112);
  const view = new DataView(out.buffer);
  const total = BigInt(totalmem());
  view.setBigInt64(0, (ctx.now - ctx.host.bootTime) / NS_PER_SEC, true); // uptime
  // loads[3] stay 0: nothing competes for the simulated CPU.
  view.setBigUint64(32, total, true); // totalram
  view.setBigUint64(40, total, true); // freeram: the simulated machine runs nothing else
  view.setUint16(80, ctx.host.processCount(), true); // procs
  view.setUint32(104, 1, true); // mem_unit
  return ctx.memory.write(ctx.args.ptr(0), out) ? ok() : errno(Errno.EFAULT);
}

/** getrusage(2) targets: the caller, its waited-for children, the calling thread. */
const RUSAGE_WHO = new Set([0, -1, 1]);
/** sizeof(struct rusage) on x86_64: two timevals and fourteen longs. */
const RUSAGE_SIZE = 144;

/**
 * sysGetrusage implements Linux syscall getrusage(2): every figure is 0. The simulated CPU is
 * infinitely fast (no user or system time, as the CPU-time clocks read), and the real memory
 * use and context switches would differ from run to run.
 */
export function sysGetrusage(ctx: SyscallContext): SyscallResult {
  if (!RUSAGE_WHO.has(ctx.args.int(0))) return errno(Errno.EINVAL);
  return ctx.memory.write(ctx.args.ptr(1), new Uint8Array(RUSAGE_SIZE)) ? ok() : errno(Errno.EFAULT);
}

/** sysGetcpu implements Linux syscall getcpu(2): one simulated CPU, one NUMA node. */
export function sysGetcpu(ctx: SyscallContext): SyscallResult {
  for (const i of [0, 1]) {
    const ptr = ctx.args.ptr(i);
    if (ptr !== 0n && !ctx.memory.write(ptr, new Uint8Array(4))) return errno(Errno.EFAULT);
  }
  return ok();
}
