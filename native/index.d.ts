/**
 * @shadow-ts/native — the thin ptrace + seccomp backend addon.
 *
 * Mechanism only: it spawns traced processes, reports their stops through a preallocated
 * BigInt64Array (one addon call per syscall), resumes them as told, and copies tracee memory.
 * It never decides what a syscall means; the core and its plugins do.
 *
 * The const enums below are inlined by tsc. The addon also exports frozen runtime copies
 * (`Stop`, `StopKind`, `Resume`, `Reg`), so code run without tsc (tsx/esbuild) works too.
 */

/** Number of 64-bit words in the stop record. */
export declare const STOP_WORDS: 16;

/** Word indexes in the stop record. */
export declare const enum Stop {
  /** One of StopKind. */
  Kind = 0,
  /** Real tid the stop belongs to. */
  Tid = 1,
  /** Syscall number (Syscall, SyscallExit), or -1. */
  Nr = 2,
  /**
   * Syscall arguments 0..5 at Arg0..Arg0+5. At a Signal stop: si_code, si_addr, si_pid, si_status
   * (raw siginfo words; si_addr shares a union with si_pid/si_status, read what the signal defines).
   */
  Arg0 = 3,
  /** Event message / exit code / signal number / syscall return value, depending on Kind. */
  Msg = 9,
  /**
   * Instruction pointer (after the syscall instruction at a Syscall stop). Set at Syscall,
   * SyscallExit, Exec (entry point of ld.so) and Signal stops; 0 otherwise.
   */
  Ip = 10,
  /** Stack pointer (same stops as Ip; at Exec it points at argc, argv, envp, auxv). */
  Sp = 11,
  /** Raw waitpid status. */
  Status = 12,
}

export declare const enum StopKind {
  /** No stop (poll found nothing). */
  None = 0,
  /** seccomp RET_TRACE stop: Nr, Arg0..5, Ip, Sp are set (Msg = the filter's RET_DATA, 0). The syscall has not run. */
  Syscall = 1,
  /** syscall-exit stop after Resume.ToExit: Nr is the syscall that ran, Msg its return value. */
  SyscallExit = 2,
  /** PTRACE_EVENT_EXEC: the new image is mapped, ld.so has not run. Msg = former tid. */
  Exec = 3,
  /** PTRACE_EVENT_FORK / VFORK / CLONE in the parent: Msg = new real tid. */
  Fork = 4,
  Vfork = 5,
  Clone = 6,
  /** PTRACE_EVENT_EXIT: the task is exiting; Msg = wait status. Must be continued. */
  ExitEvent = 7,
  /** Final status of a tid: exited with Msg as exit code. */
  Exited = 8,
  /** Final status of a tid: killed by signal Msg. */
  Signaled = 9,
  /** Signal-delivery-stop: Msg = signal; Arg0 = si_code, Arg1 = si_addr, Arg2 = si_pid, Arg3 = si_status; Ip, Sp. */
  Signal = 10,
  /** Group-stop (PTRACE_EVENT_STOP with a stop signal): Msg = signal. */
  GroupStop = 11,
  /** PTRACE_EVENT_STOP with SIGTRAP: initial stop of an auto-attached task, or after an interrupt. */
  EventStop = 12,
  /** PTRACE_EVENT_VFORK_DONE: Msg = the vfork child's tid. */
  VforkDone = 13,
  /**
   * A watched run went past a limit of `watchRuns` and the backend stopped the task (a SIGSTOP
   * from its helper thread, reported at the task's delivery-stop): Msg = the RunLimit hit,
   * Arg0 = the CPU time (ns) and Arg1 = the wall time (ns) the run had used, as measured; Ip, Sp.
   * Resume with Continue and 0n (the SIGSTOP is suppressed). A task that stopped on its own just
   * as the limit was hit reports this stop after its next resume.
   */
  Interrupted = 14,
}

/** Which limit of `watchRuns` ended a run (Msg of an Interrupted stop). */
export declare const enum RunLimit {
  /** The task's CPU time (its process's CPU clock: every other task sits in a stop). */
  Cpu = 1,
  /** Wall time since the wait began. */
  Wall = 2,
}

export declare const enum Resume {
  /** PTRACE_CONT, delivering signal `value` (0n = none). At a Syscall stop the syscall runs natively. */
  Continue = 0,
  /** At a Syscall stop: skip the syscall and make it return `value` (a negative errno for errors). */
  Return = 1,
  /** PTRACE_SYSCALL: let the (possibly rewritten) syscall run natively and stop at its exit. */
  ToExit = 2,
  /** At a SyscallExit stop: replace the return value with `value`, then PTRACE_CONT. */
  SetReturn = 3,
  /** Resume nothing; only wait. */
  None = 4,
  /**
   * At a Syscall stop: skip the call, set rax = `value` (the syscall number) and step the
   * instruction pointer back over `syscall`, so the call is issued again once the program runs
   * on — after the handler of a pending signal has returned (SA_RESTART semantics).
   */
  Restart = 5,
}

/** Number of 64-bit words in a register set (x86_64 `user_regs_struct`). */
export declare const REG_WORDS: 27;

/** Word indexes in a register set (`user_regs_struct` order); the ones the core uses. */
export declare const enum Reg {
  Rax = 10,
  Rcx = 11,
  Rdx = 12,
  Rip = 16,
}

export interface SpawnOptions {
  /** Absolute path of the executable. */
  path: string;
  argv: string[];
  /** "NAME=value" strings; the child's whole environment. */
  envp: string[];
  cwd: string;
  /** Files (created or truncated, mode 0644) that become fds 1 and 2. stdin is /dev/null. */
  stdout: string;
  stderr: string;
  /** Syscall numbers the seccomp filter lets run natively; every other x86_64 syscall traps. */
  allow: number[];
  /** CPU to pin the child to, or -1 for no pinning. */
  cpu: number;
  /**
   * With this, the other trapped syscalls reach the tracer as seccomp user notifications (the
   * filter's listener is taken at the child's first stop) and only these stay ptrace stops. Stops
   * of both kinds come through resumeWait and poll the same way: a notification is a Syscall
   * stop (with Sp 0), answered by Return, Continue or Restart; ToExit, and a setSyscall before the
   * resume, run the call under ptrace to its SyscallExit stop. Note: the waits then take stops
   * with waitpid(-1), as poll() does.
   */
  traced?: number[];
}

export interface NativeBackend {
  /** The stop record filled by resumeWait and poll. Its length is STOP_WORDS. */
  readonly stop: BigInt64Array;
  /**
   * Fork, set up and exec a traced child (ASLR off, fds 0-2 inheritable, default signal
   * dispositions, empty mask, PTRACE_SEIZE with EXITKILL, seccomp filter installed just before
   * execve). Returns the real pid. The child's first stop is the seccomp stop of its execve.
   * If a setup step in the child fails (bad cwd, unwritable stdout, execve error...), the child
   * writes "shadow-ts spawn: <step> failed (errno N)" to its stderr file and exits with 127:
   * the caller sees ExitEvent then Exited 127 (after the execve Syscall stop for an execve error).
   * Throws an Error naming the failing parent-side step (pipe2, fork, PTRACE_SEIZE; `errno` set),
   * or a TypeError for malformed options.
   */
  spawn(options: SpawnOptions): number;
  /**
   * Resume `tid` as `mode` says (with `value`), then wait for the next stop of `waitTid`
   * (-1: any traced task; 0: do not wait, return StopKind.None) and fill `stop`. Returns the
   * stop kind. A resume that fails with ESRCH (the task was killed) is ignored and the wait
   * still happens; other ptrace errors throw. Note: a task SIGKILLed after its last reported stop
   * may already sit in its EXIT stop, which this resume then continues unseen; the caller gets
   * Exited/Signaled without an ExitEvent (the final status is the authoritative end). If waitpid fails (ECHILD: `waitTid` is not a
   * traced task) it returns StopKind.None with Msg = -errno.
   * With `watchPid` (the real pid of `waitTid`'s process) and a limit set by `watchRuns`, the wait
   * is watched: past a limit the task is stopped and the stop is Interrupted.
   */
  resumeWait(tid: number, mode: Resume, value: bigint, waitTid: number, watchPid?: number): StopKind;
  /**
   * Limits of a watched run (see resumeWait): the task's CPU time and the wall time since its wait
   * began, in ns; 0n: no such limit. A helper thread measures them (within ~1/10 of the smaller
   * limit, at most 10 ms); it starts on the first call with a limit and inherits the caller's CPU
   * affinity. Throws a RangeError for a negative limit.
   */
  watchRuns(cpuNs: bigint, wallNs: bigint): void;
  /**
   * Non-blocking wait for any traced task; returns StopKind.None when nothing is pending
   * (Msg = 0) or when there is nothing to wait for (Msg = -ECHILD). Note: waitpid(-1) also
   * reaps Node `child_process` children; don't mix the two (docs/ptrace-notes.md §11).
   */
  poll(): StopKind;
  /** At a Syscall stop: change the syscall number and its six arguments (`args` has 6 words). Throws on error. */
  setSyscall(tid: number, nr: number, args: BigInt64Array): void;
  /**
   * At a Signal stop: make the siginfo name `pid` as the sender with `code` (SI_USER 0, SI_TKILL
   * -6, or the kernel's own code kept), and `status` as SIGCHLD's si_status if given; the rest as
   * the kernel filled it. Returns 0 or -errno.
   */
  setSignalSender(tid: number, code: number, pid: number, status?: number): number;
  /**
   * At a Signal stop: the siginfo of the signal being delivered into `info` (128 bytes), or with
   * `set` the siginfo replaced by `info`. Returns 0 or -errno.
   */
  signalInfo(tid: number, info: Uint8Array, set: boolean): number;
  /** At any stop: the task's registers (`user_regs_struct`, REG_WORDS words) into `out`. Returns 0 or -errno. */
  getRegisters(tid: number, out: BigInt64Array): number;
  /** At any stop: replace the task's registers with `regs` (REG_WORDS words). Returns 0 or -errno. */
  setRegisters(tid: number, regs: BigInt64Array): number;
  /**
   * At a syscall-exit stop (registers are the program's, a resume returns to user mode): make the
   * task run syscall `nr` with `args` (6 words) at `ip`, the address of a `syscall` instruction in
   * its memory, then restore every register and the signal mask. Signals stay blocked meanwhile;
   * a seccomp stop on the way lets the call run natively. Returns the call's result (a negative
   * errno on failure), or null if the task reached another stop first (e.g. ExitEvent after a
   * SIGKILL): that stop is in `stop`. Throws on ptrace errors. The task is left at the call's
   * syscall-exit stop (docs/ptrace-notes.md §12).
   */
  injectSyscall(tid: number, ip: bigint, nr: number, args: BigInt64Array): bigint | null;
  /** Copy tracee memory into `dest`; returns bytes copied (short on a fault) or -errno. */
  readMemory(pid: number, addr: bigint, dest: Uint8Array): number;
  /** Copy `src` into tracee memory honouring page protections; returns bytes or -errno. */
  writeMemory(pid: number, addr: bigint, src: Uint8Array): number;
  /** Write `src` through /proc/pid/mem (bypasses protections: for code patches only). Returns bytes or -errno. */
  patchMemory(pid: number, addr: bigint, src: Uint8Array): number;
  /** Path of native/fast-time's build: the code and entry offsets of in-process time reads. */
  readonly fastTimeImage: string;
  /** A MAP_SHARED read/write mapping of the first `bytes` of file `fd` (throws on failure). */
  mapShared(fd: number, bytes: number): ArrayBuffer;
  /** tgkill(tgid, tid, sig) on real ids; returns 0 or -errno. */
  signal(tgid: number, tid: number, sig: number): number;
  /** rt_tgsigqueueinfo(tgid, tid, sig, info) with a 128-byte siginfo (negative si_code only); 0 or -errno. */
  queueSignal(tgid: number, tid: number, sig: number, info: Uint8Array): number;
  /**
   * pidfd_getfd: a duplicate, in the simulator's own process, of descriptor `fd` of process `pid`
   * (the same open file description, close-on-exec). Returns the new descriptor or -errno
   * (-EBADF: `fd` is not open there).
   */
  copyDescriptor(pid: number, fd: number): number;
  /** The soft limit of `resource` (RLIMIT_*) of process `pid` (prlimit): Infinity when unlimited, -errno when unreadable. */
  resourceLimit(pid: number, resource: number): number;
  /**
   * The stack pointer of `tid` while it waits in a syscall (a notification's Syscall stop has
   * Sp 0), read from /proc/<tid>/syscall; 0n if it cannot be read.
   */
  syscallStack(tid: number): bigint;
  /** Pin the calling (tracer) thread to `cpu`; returns 0 or -errno. */
  pinSelf(cpu: number): number;
  /** The CPU the calling thread runs on now. */
  currentCpu(): number;
  /**
   * Make rdtsc/rdtscp fault in the calling thread (`on`) or read the counter again. While they
   * fault, a SIGSEGV handler (installed at the first call, chained to the previous one) answers
   * them with the real counter in this thread; any other thread that inherited the mode and
   * faults is given a readable TSC for good. The first call also points the process's own vDSO
   * time entries at their syscalls, for good (restoring code other threads may be inside is not
   * safe). Returns 0 or -errno.
   */
  faultOwnTsc(on: boolean): number;
  /** How many rdtsc/rdtscp of the simulator's own threads the handler of faultOwnTsc answered. */
  tscEmulations(): bigint;
}

// index.cjs is CommonJS and `module.exports` is the addon object itself, so its members are named
// exports here. A default import from ESM (`import native from '@shadow-ts/native'`, or
// `(await import('@shadow-ts/native')).default`) is that whole object: a NativeBackend.
export declare const stop: NativeBackend['stop'];
export declare const spawn: NativeBackend['spawn'];
export declare const resumeWait: NativeBackend['resumeWait'];
export declare const watchRuns: NativeBackend['watchRuns'];
export declare const poll: NativeBackend['poll'];
export declare const setSyscall: NativeBackend['setSyscall'];
export declare const setSignalSender: NativeBackend['setSignalSender'];
export declare const signalInfo: NativeBackend['signalInfo'];
export declare const getRegisters: NativeBackend['getRegisters'];
export declare const setRegisters: NativeBackend['setRegisters'];
export declare const injectSyscall: NativeBackend['injectSyscall'];
export declare const readMemory: NativeBackend['readMemory'];
export declare const writeMemory: NativeBackend['writeMemory'];
export declare const patchMemory: NativeBackend['patchMemory'];
export declare const mapShared: NativeBackend['mapShared'];
export declare const fastTimeImage: NativeBackend['fastTimeImage'];
export declare const signal: NativeBackend['signal'];
export declare const queueSignal: NativeBackend['queueSignal'];
export declare const copyDescriptor: NativeBackend['copyDescriptor'];
export declare const resourceLimit: NativeBackend['resourceLimit'];
export declare const syscallStack: NativeBackend['syscallStack'];
export declare const pinSelf: NativeBackend['pinSelf'];
export declare const currentCpu: NativeBackend['currentCpu'];
export declare const faultOwnTsc: NativeBackend['faultOwnTsc'];
export declare const tscEmulations: NativeBackend['tscEmulations'];
