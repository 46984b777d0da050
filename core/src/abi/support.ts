import { SYSCALL_NUMBERS, type SyscallName } from '@shadow-ts/plugin-sdk';

/**
 * The reviewed support table: what the simulator does with each x86_64 syscall.
 *
 * - `native`: on the seccomp allow-list; the kernel runs it without a stop (memory management,
 *   regular-file I/O until the io family traps descriptors, identity getters).
 * - `emulated` / `partial`: trapped and answered by a built-in plugin (`partial` says what is
 *   missing, and the code warns once where it matters).
 * - any name not listed: trapped and answered ENOSYS with one warning per run.
 *
 * A plugin that taps a `native` name takes it over: the name leaves the allow-list.
 */
export type SupportLevel = 'native' | 'emulated' | 'partial';

export interface Support {
  readonly level: SupportLevel;
  readonly note?: string;
  /** Reached through the patched vDSO (time reads): counted as vDSO latency when modelled. */
  readonly vdso?: boolean;
}

const native = (note?: string): Support => (note ? { level: 'native', note } : { level: 'native' });
const emulated = (note?: string): Support => (note ? { level: 'emulated', note } : { level: 'emulated' });
const partial = (note: string): Support => ({ level: 'partial', note });
const vdso = (s: Support): Support => ({ ...s, vdso: true });

const VIRTUAL_OR_NATIVE = 'virtual files (pipes, eventfds, …) answer; ordinary descriptors run natively';
const EMULATED_PATHS = '/dev/urandom, /dev/random, /etc/hosts, /etc/hostname, /etc/localtime are emulated; other paths open natively';
const SIGNALS_NATIVE = 'runs natively until signals are emulated (process issue)';

export const SUPPORT: Readonly<Partial<Record<SyscallName, Support>>> = {
  // memory management: the kernel's business, never simulated
  brk: native(),
  mmap: native(),
  munmap: native(),
  mprotect: native(),
  mremap: native(),
  madvise: native(),
  msync: native(),
  mincore: native(),
  mlock: native(),
  munlock: native(),
  mlock2: native(),
  mlockall: native(),
  munlockall: native(),
  membarrier: native(),
  arch_prctl: native(),
  set_robust_list: native('the kernel keeps the list; it only matters when a thread dies holding a robust mutex'),
  rseq: native(),
  // descriptors (core:io): virtual files answer; ordinary descriptors run natively
  read: emulated(VIRTUAL_OR_NATIVE),
  write: emulated(VIRTUAL_OR_NATIVE),
  readv: emulated(VIRTUAL_OR_NATIVE),
  writev: emulated(VIRTUAL_OR_NATIVE),
  pread64: emulated(VIRTUAL_OR_NATIVE),
  pwrite64: emulated(VIRTUAL_OR_NATIVE),
  preadv: emulated(VIRTUAL_OR_NATIVE),
  pwritev: emulated(VIRTUAL_OR_NATIVE),
  preadv2: partial('RWF_* flags are ignored on virtual files (warned once)'),
  pwritev2: partial('RWF_* flags are ignored on virtual files (warned once)'),
  lseek: emulated(VIRTUAL_OR_NATIVE),
  close: emulated(VIRTUAL_OR_NATIVE),
  close_range: emulated(VIRTUAL_OR_NATIVE),
  dup: emulated(VIRTUAL_OR_NATIVE),
  dup2: emulated(VIRTUAL_OR_NATIVE),
  dup3: emulated(VIRTUAL_OR_NATIVE),
  fcntl: partial('on virtual files: dup, FD flags, status flags and kind-specific commands (F_GETPIPE_SZ…); locks are EINVAL (warned once)'),
  ioctl: partial('on virtual files: FIONBIO, FIOCLEX/FIONCLEX and kind-specific requests (FIONREAD…); others ENOTTY'),
  fstat: emulated(VIRTUAL_OR_NATIVE),
  newfstatat: emulated('virtual files with AT_EMPTY_PATH and emulated paths answered; the rest natively'),
  statx: partial('basic fields only for virtual files and emulated paths; the rest natively'),
  pipe: emulated('64 KiB virtual pipes'),
  pipe2: partial('O_DIRECT (packet mode) is accepted but not emulated (warned once)'),
  eventfd: emulated(),
  eventfd2: emulated(),
  timerfd_create: emulated('on the simulated clock'),
  timerfd_settime: partial('TFD_TIMER_CANCEL_ON_SET is accepted; the simulated clock is never set'),
  timerfd_gettime: emulated(),
  epoll_create: emulated(),
  epoll_create1: emulated(),
  epoll_ctl: partial('EPOLLEXCLUSIVE is treated as a normal registration (warned once)'),
  epoll_wait: emulated(),
  epoll_pwait: partial('the signal mask is ignored until signals are emulated (warned once)'),
  epoll_pwait2: partial('the signal mask is ignored until signals are emulated (warned once)'),
  poll: emulated('ordinary descriptors (regular files, devices) are always ready, as Linux reports them'),
  ppoll: partial('the signal mask is ignored until signals are emulated'),
  select: emulated('ordinary descriptors (regular files, devices) are always ready, as Linux reports them'),
  pselect6: partial('the signal mask is ignored until signals are emulated'),
  // paths (core:fs)
  open: emulated(EMULATED_PATHS),
  openat: emulated(EMULATED_PATHS),
  creat: emulated(EMULATED_PATHS),
  stat: native(),
  lstat: native(),
  statfs: native(),
  fstatfs: native(),
  access: native(),
  faccessat: native(),
  faccessat2: native(),
  getdents: native(),
  getdents64: native(),
  readlink: native(),
  readlinkat: native(),
  getcwd: native(),
  chdir: native(),
  fchdir: native(),
  mkdir: native(),
  mkdirat: native(),
  rmdir: native(),
  unlink: native(),
  unlinkat: native(),
  rename: native(),
  renameat: native(),
  renameat2: native(),
  link: native(),
  linkat: native(),
  symlink: native(),
  symlinkat: native(),
  chmod: native(),
  fchmod: native(),
  fchmodat: native(),
  chown: native(),
  fchown: native(),
  lchown: native(),
  fchownat: native(),
  utimensat: native(),
  truncate: native(),
  ftruncate: native(),
  fsync: native(),
  fdatasync: native(),
  fallocate: native(),
  fadvise64: native(),
  flock: native(),
  umask: native(),
  // identity and limits
  getuid: native(),
  geteuid: native(),
  getgid: native(),
  getegid: native(),
  getgroups: native(),
  getresuid: native(),
  getresgid: native(),
  prlimit64: native(),
  getrlimit: native(),
  setrlimit: native(),
  sched_getaffinity: native('reports the one CPU the simulator pins managed processes to'),
  sched_yield: native(),
  // signals
  rt_sigaction: native(SIGNALS_NATIVE),
  rt_sigprocmask: native(SIGNALS_NATIVE),
  rt_sigreturn: native(),
  sigaltstack: native(SIGNALS_NATIVE),
  futex: native('single-threaded processes only until threads are scheduled (process issue)'),
  // time (core:time)
  clock_gettime: vdso(partial('CPU-time clocks read 0: the simulated CPU is infinitely fast')),
  gettimeofday: vdso(emulated()),
  time: vdso(emulated()),
  clock_getres: vdso(emulated()),
  nanosleep: emulated(),
  clock_nanosleep: emulated(),
  // process (core:process)
  getpid: emulated(),
  getppid: partial('processes started by the simulation report parent pid 1'),
  gettid: emulated(),
  exit: emulated('runs natively; the simulator records the exit'),
  exit_group: emulated('runs natively; the simulator records the exit'),
  execve: partial('runs natively; the new image gets its vDSO patched'),
  set_tid_address: partial('the clear-child-tid address is recorded, not yet acted on (threads: process issue)'),
  uname: emulated('nodename is the host name; the rest is the real kernel'),
  sysinfo: emulated('uptime from simulated time; memory figures from the real machine'),
  getcpu: vdso(emulated('always CPU 0, node 0')),
  // random (core:random)
  getrandom: emulated('from the host stream'),
};

/** Name of each syscall number, for stops. */
export const SYSCALL_NAMES: readonly (SyscallName | undefined)[] = (() => {
  const names: (SyscallName | undefined)[] = [];
  for (const [name, nr] of Object.entries(SYSCALL_NUMBERS)) names[nr] = name as SyscallName;
  return names;
})();

/** Syscall numbers the seccomp filter lets run natively: the `native` names no plugin took over. */
export function nativeAllowList(tapped: ReadonlySet<string>): number[] {
  return Object.entries(SUPPORT)
    .filter(([name, s]) => s.level === 'native' && !tapped.has(name))
    .map(([name]) => SYSCALL_NUMBERS[name as SyscallName])
    .sort((a, b) => a - b);
}
