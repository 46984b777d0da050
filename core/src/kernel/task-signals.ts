/**
 * Signals at work: sending a real signal to a thread, ending the blocking call it is parked in
 * when the signal interrupts it (EINTR, a restart, or the partial-transfer count), the
 * signal-delivery stop (where rdtsc/rdtscp are answered from simulated time), and the virtual
 * sender the program's siginfo shows. The facts about signals (names, default actions, masks read
 * from /proc) are in signals.ts.
 */
import { REG_WORDS, Reg, Resume, Stop } from '@shadow-ts/native';
import { Errno, type SignalSource } from '@shadow-ts/plugin-sdk';
import { constants } from 'node:os';
import type { TaskEnv } from './runner.js';
import type { Process } from './process.js';
import { FAULTS, JOB_CONTROL_STOPS, SI_TKILL, interrupts, signalName, stopsThread } from './signals.js';
import { chargeCpu } from './task-syscall.js';
import type { Thread } from './thread.js';
import { tscAt, tscInstruction } from './tsc.js';

const EINTR = BigInt(-Errno.EINTR);
const { SIGCHLD, SIGCONT, SIGKILL } = constants.signals;
/** si_code of a signal sent by kill(2). */
const SI_USER = 0;
/** si_code of a fault the kernel raises without an address (a #GP such as rdtsc under PR_TSC_SIGSEGV). */
const SI_KERNEL = 0x80;
/** SIGCHLD's si_code for a child that stopped, and for one that continued. */
const CLD_STOPPED = 5;
const CLD_CONTINUED = 6;

/**
 * do_notify_parent_cldstop(): the parent of a child that stopped or continued gets SIGCHLD
 * (CLD_STOPPED or CLD_CONTINUED, the signal as si_status), unless its handler has SA_NOCLDSTOP.
 * The kernel cannot send it: the stop is the simulator's.
 */
function notifyParent(env: TaskEnv, child: Process, code: number, status: number): void {
  const parent = child.parent;
  if (!parent?.alive || parent.noChildStopSignals) return;
  const target = parent.mainThread();
  if (target) deliverSignal(env, target, SIGCHLD, { pid: child.pid, code, status });
}

/**
 * Sends a real signal to `thread` on behalf of `sender` (none: the simulator itself), and wakes
 * the thread if the signal ends the blocking call it is parked in.
 */
export function deliverSignal(
  env: TaskEnv,
  thread: Thread,
  sig: number,
  sender?: SignalSource,
  siginfo?: Uint8Array,
): void {
  if (thread.exited) return;
  const process = thread.process;
  // Job control: a stop the thread would take stops the whole process here, with no real
  // signal (the real stop would leave the task where nothing resumes it); SIGCONT and SIGKILL
  // end a stop. A blocked stop signal stays pending in the kernel and stops at its delivery.
  if (JOB_CONTROL_STOPS.has(sig) && stopsThread(thread.realTid, sig, true)) {
    stopProcess(env, process, sig);
    return;
  }
  if (sig === SIGCONT || sig === SIGKILL) continueProcess(env, process, sig === SIGCONT);
  // A siginfo of the caller's (negative si_code) goes as it is; a kill's is fixed at delivery.
  const view = siginfo ? new DataView(siginfo.buffer, siginfo.byteOffset, 128) : null;
  if (view && view.getInt32(8, true) < 0) {
    // The kernel keeps this siginfo as it is: the record only carries onTaken.
    if (sender?.onTaken) thread.recordSender(sig, { code: view.getInt32(8, true), pid: view.getInt32(16, true), onTaken: sender.onTaken, queued: true });
    env.backend.queueSignal(process.realPid, thread.realTid, sig, siginfo!);
  } else {
    const { status, onTaken } = sender ?? {};
    thread.recordSender(sig, {
      code: sender?.code ?? (sender?.tkill ? SI_TKILL : SI_USER),
      pid: sender?.pid ?? 0,
      ...(status === undefined ? {} : { status }),
      ...(onTaken ? { onTaken } : {}),
    });
    env.backend.signal(process.realPid, thread.realTid, sig);
  }
  process.signalEvents.notify();
  wakeForSignal(env, thread, sig);
}

/** Job control: `process` stops on `sig`; its threads' runs wait for SIGCONT (Runner.run). */
function stopProcess(env: TaskEnv, process: Process, sig: number): void {
  if (process.jobStop !== null) return;
  process.stopped(sig);
  notifyParent(env, process, CLD_STOPPED, sig);
}

/** Job control: a stopped `process` runs again; `report`: a WCONTINUED wait learns of it. */
function continueProcess(env: TaskEnv, process: Process, report: boolean): void {
  if (process.jobStop === null) return;
  process.continued(report);
  if (report) notifyParent(env, process, CLD_CONTINUED, SIGCONT);
  for (const thread of process.tasks.values()) {
    const pending = thread.stoppedRun;
    if (!pending) continue;
    thread.stoppedRun = null;
    env.scheduleRun(thread, process.host, process.host.current, pending.wake);
  }
}

/**
 * A signal is pending for `thread`. If it is parked in a blocking call the signal interrupts
 * (not blocked, not ignored), the call ends so the kernel can deliver it: with the count of
 * bytes it moved, if any (the partial-transfer rule); else with EINTR — or it is restarted
 * after the handler when the handler has SA_RESTART and the call is restartable
 * (docs/ptrace-notes.md §5). Signals the call itself waits for (sigsuspend, sigtimedwait) let
 * the kernel run the call.
 */
export function wakeForSignal(env: TaskEnv, thread: Thread, sig: number): void {
  const blocked = thread.blocked;
  if (!blocked) return;
  const bit = 1n << BigInt(sig - 1);
  const moved = thread.ctx.call.transferred;
  if (blocked.nativeOnSignals & bit) {
    thread.runNatively(blocked.mapResult ?? null); // the kernel runs the call and finds the signal pending
  } else if (!interrupts(thread.realTid, sig)) {
    return;
  } else if (moved > 0) {
    thread.resumeWith(Resume.Return, BigInt(moved));
  } else {
    const restart = blocked.restartable && env.kernel.hooks.restartOnSignal.call(thread, sig) === true;
    if (!restart) blocked.onInterrupt?.();
    thread.resumeWith(restart ? Resume.Restart : Resume.Return, restart ? BigInt(thread.ctx.nr) : EINTR);
  }
  thread.unpark();
  env.scheduleRun(thread, thread.process.host);
}

/**
 * A signal-delivery stop: rdtsc/rdtscp are answered, job-control stops dropped, faults reported,
 * the rest delivered. Returns false when the thread must yield (the modelled cost of a TSC read).
 */
export function onSignal(env: TaskEnv, thread: Thread, signal: number): boolean {
  const process = thread.process;
  if (signal === constants.signals.SIGSEGV && emulateTsc(env, thread)) return chargeCpu(env, thread, true);
  fixSender(env, thread, signal);
  // A stop signal that was blocked when sent, delivered now: the real stop is dropped and the
  // process stops as job control (deliverSignal); a handler for SIGTSTP & co. still runs.
  if (JOB_CONTROL_STOPS.has(signal) && stopsThread(thread.realTid, signal)) {
    thread.resumeWith(Resume.Continue, 0n);
    stopProcess(env, process, signal);
    return true;
  }
  if (FAULTS.has(signal)) {
    const stop = env.backend.stop;
    env.log.warn(
      { host: process.host.name },
      `process '${process.displayName}' received ${signalName(signal)} (si_code ${stop[Stop.Arg0]}, ` +
        `address 0x${BigInt.asUintN(64, stop[Stop.Arg0 + 1]!).toString(16)}, ip 0x${BigInt.asUintN(64, stop[Stop.Ip]!).toString(16)})`,
    );
  }
  thread.resumeWith(Resume.Continue, BigInt(signal));
  return true;
}

const regs = new BigInt64Array(REG_WORDS);
/** The siginfo of a delivery an onTaken sees. */
const siginfo = new Uint8Array(128);
const insnBytes = new Uint8Array(3);

/**
 * A SIGSEGV from rdtsc or rdtscp (PR_TSC_SIGSEGV, set at exec): write what the instruction reads
 * from the simulated counter (edx:eax; rdtscp also ecx = TSC_AUX, cpu 0 on node 0), step over it
 * and drop the signal. False for any other SIGSEGV, which is delivered as before.
 */
function emulateTsc(env: TaskEnv, thread: Thread): boolean {
  const stop = env.backend.stop;
  if (Number(stop[Stop.Arg0]) !== SI_KERNEL) return false;
  const read = env.backend.readMemory(thread.process.realPid, BigInt.asUintN(64, stop[Stop.Ip]!), insnBytes);
  const insn = tscInstruction(insnBytes.subarray(0, Math.max(read, 0)));
  if (insn === null || env.backend.getRegisters(thread.realTid, regs) < 0) return false;
  const host = thread.process.host;
  const tsc = tscAt(host.current, host.bootTime);
  regs[Reg.Rax] = tsc & 0xffffffffn;
  regs[Reg.Rdx] = (tsc >> 32n) & 0xffffffffn;
  if (insn.aux) regs[Reg.Rcx] = 0n;
  regs[Reg.Rip] = regs[Reg.Rip]! + BigInt(insn.length);
  if (env.backend.setRegisters(thread.realTid, regs) < 0) return false;
  thread.resumeWith(Resume.Continue, 0n);
  return true;
}

/**
 * The siginfo of a signal about to be delivered names the real sender (the simulator for
 * signals it sent, a real pid otherwise). Programs see the virtual sender: the one recorded when
 * the signal was sent, or the virtual pid of a real one (SIGCHLD from a child).
 */
function fixSender(env: TaskEnv, thread: Thread, signal: number): void {
  const stop = env.backend.stop;
  const recorded = thread.takeSender(signal, { code: Number(stop[Stop.Arg0]), pid: Number(stop[Stop.Arg0 + 2]) });
  if (recorded) {
    // A queued siginfo is delivered as it was given; a tgkill's names the simulator.
    if (!recorded.queued) env.backend.setSignalSender(thread.realTid, recorded.code, recorded.pid, recorded.status);
    if (recorded.onTaken && env.backend.signalInfo(thread.realTid, siginfo, false) === 0) {
      recorded.onTaken(siginfo);
      env.backend.signalInfo(thread.realTid, siginfo, true);
    }
    return;
  }
  const code = Number(stop[Stop.Arg0]);
  const virtual = thread.process.host.virtualPids.get(Number(stop[Stop.Arg0 + 2]));
  // Only codes whose siginfo carries a pid: SI_USER/SI_TKILL/SI_QUEUE and SIGCHLD's CLD_*.
  if (virtual !== undefined && (code <= 0 || signal === constants.signals.SIGCHLD)) {
    env.backend.setSignalSender(thread.realTid, code, virtual);
  }
}
