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

const REGULAR_FILES = 'regular files, directories and std streams run natively (virtual descriptors: io issue)';
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
  // files and descriptors
  read: native(REGULAR_FILES),
  write: native(REGULAR_FILES),
  readv: native(REGULAR_FILES),
  writev: native(REGULAR_FILES),
  pread64: native(REGULAR_FILES),
  pwrite64: native(REGULAR_FILES),
  preadv: native(REGULAR_FILES),
  pwritev: native(REGULAR_FILES),
  preadv2: native(REGULAR_FILES),
  pwritev2: native(REGULAR_FILES),
  lseek: native(REGULAR_FILES),
  open: native(REGULAR_FILES),
  openat: native(REGULAR_FILES),
  creat: native(REGULAR_FILES),
  close: native(REGULAR_FILES),
  close_range: native(REGULAR_FILES),
  dup: native(REGULAR_FILES),
  dup2: native(REGULAR_FILES),
  dup3: native(REGULAR_FILES),
  fcntl: native(REGULAR_FILES),
  ioctl: native(REGULAR_FILES),
  stat: native(),
  fstat: native(),
  lstat: native(),
  newfstatat: native(),
  statx: native(),
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
