/**
 * Exec: what a process's execve changes in the simulator — descriptors closed on exec, the
 * patched vDSO, the real-time sources closed (TSC, [vvar]), the process's name, a vfork parent
 * let go — and the exec hook plugins observe.
 */
import { Resume, StopKind } from '@shadow-ts/native';
import type { ExecEvent } from '@shadow-ts/plugin-sdk';
import { patchVdso, readAuxv, vvarRanges, type VdsoPatch } from '../backend/image.js';
import { commandName } from './procfs.js';
import type { TaskEnv } from './runner.js';
import { releaseVforkParent } from './task-clone.js';
import { injector } from './task-syscall.js';
import type { Thread } from './thread.js';

const NR_PRCTL = 157;
const NR_MUNMAP = 11;
const PR_SET_TSC = 26n;
/** rdtsc/rdtscp raise SIGSEGV; task-signals.ts answers them from simulated time. */
const PR_TSC_SIGSEGV = 2n;

/** The exec event of `thread`: a new image is mapped and ld.so has not run yet (docs/ptrace-notes.md §2). */
export function onExec(env: TaskEnv, thread: Thread): void {
  const process = thread.process;
  const pid = process.realPid;
  // exec closed the close-on-exec placeholders: their virtual files go with them.
  for (const [fd] of [...process.fds.entries()]) {
    if (!process.isOpen(fd)) process.fds.unbind(fd);
  }
  const vdso = patchVdso(env.backend, pid);
  closeRealTime(env, thread, vdso);
  process.execedImage(() => commandName(pid));
  releaseVforkParent(env, process);
  const event: ExecEvent = { process, host: process.host, memory: process.memory, auxv: readAuxv(pid) };
  env.kernel.hooks.exec.call(event);
}

/**
 * With the vDSO patched, two ways to real time remain that need no syscall: the TSC and the
 * kernel's time pages. The task itself runs, before ld.so: prctl(PR_SET_TSC, PR_TSC_SIGSEGV) —
 * inherited by fork and kept across exec on this kernel, set again at every exec all the same —
 * and munmap of every [vvar] mapping, which the patched vDSO no longer reads. The calls run
 * from the execve's syscall-exit stop, at the `syscall` of a vDSO trap stub (docs/ptrace-notes.md §12).
 * Then, unless `fast_time: false`, the time entries of the vDSO are pointed at code that answers
 * without a trap (fast-time.ts).
 */
function closeRealTime(env: TaskEnv, thread: Thread, vdso: VdsoPatch): void {
  const process = thread.process;
  const syscallInsn = vdso.syscallInsn;
  if (syscallInsn === null) {
    env.kernel.warnOnce('no-vdso', `process '${process.displayName}' has no vDSO: rdtsc and [vvar] are left readable`, process.host.name);
    return;
  }
  const tid = thread.realTid;
  // The EXEC stop is inside execve, which would overwrite rax on its way out: go to its exit stop.
  if (env.backend.resumeWait(tid, Resume.ToExit, 0n, tid) !== StopKind.SyscallExit) return; // killed meanwhile
  // The TSC faults unless `.shadowrc` says `rdtsc: native`: a task with a faulting TSC makes the
  // kernel rewrite CR4 at each switch to and from it, which a virtual machine pays with an exit
  // each (measured here: a ptrace round trip 11.7 µs without, 25.2 µs with).
  const calls: [string, number, bigint[]][] = env.trapTsc ? [['prctl(PR_SET_TSC)', NR_PRCTL, [PR_SET_TSC, PR_TSC_SIGSEGV]]] : [];
  for (const [start, end] of vvarRanges(process.realPid)) calls.push(['munmap([vvar])', NR_MUNMAP, [start, end - start]]);
  const inject = injector(env, tid, syscallInsn);
  for (const [what, nr, values] of calls) {
    const result = inject(nr, values);
    if (result === null) return; // it stopped otherwise first (exiting): the runner continues it to its end
    if (result < 0n) throw new Error(`${what} failed in process '${process.displayName}' at exec (errno ${-result})`);
  }
  const failed = env.fastTime?.install(process.realPid, process.host, vdso, inject);
  if (failed) {
    env.kernel.warnOnce(`fast-time:${process.host.name}:${process.pid}`, `process '${process.displayName}': time reads trap (fast time could not be set up: ${failed})`, process.host.name);
  }
}
