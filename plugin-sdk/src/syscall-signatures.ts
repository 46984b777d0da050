import type { SyscallName } from './syscalls.js';

/**
 * What one syscall argument is, for observers that show calls (strace logs, counters by
 * descriptor). Plain data: how to render a kind is the observer's business.
 *
 * - numbers: `int` (signed 32-bit), `uint`, `long` (signed 64-bit), `ulong`, `hex`, `octal`
 *   (permission bits), `fd`, `dirfd` (an fd or AT_FDCWD);
 * - `ptr`: an address whose contents are not shown;
 * - `string`: a NUL-terminated string the call reads (paths, names);
 * - `inbuf`: bytes the call reads from the program, the length in the next argument;
 * - `outbuf`: bytes the call writes into the program, as many as the result says;
 * - `sockaddr`: a socket address the call reads, the length in the next argument;
 * - `outsockaddr`: a socket address the call writes, the `socklen_t *` in the next argument;
 * - `timespec`: a `struct timespec *` the call reads;
 * - `fdpair`: an `int[2]` the call fills (pipe, socketpair);
 * - named constants and flag sets: `open_flags`, `prot`, `map_flags`, `family`, `sock_type`,
 *   `sockopt_level`, `clockid`, `signal`, `fcntl_cmd`, `epoll_op`, `at_flags`, `msg_flags`,
 *   `futex_op`, `whence`.
 */
export type ArgKind =
  | 'int' | 'uint' | 'long' | 'ulong' | 'hex' | 'octal' | 'fd' | 'dirfd'
  | 'ptr' | 'string' | 'inbuf' | 'outbuf' | 'sockaddr' | 'outsockaddr' | 'timespec' | 'fdpair'
  | 'open_flags' | 'prot' | 'map_flags' | 'family' | 'sock_type' | 'sockopt_level' | 'clockid'
  | 'signal' | 'fcntl_cmd' | 'epoll_op' | 'at_flags' | 'msg_flags' | 'futex_op' | 'whence';

/** A syscall's arguments, in order, and what its result is (a number unless `ptr`). */
export interface SyscallSignature {
  readonly args: readonly ArgKind[];
  readonly result?: 'ptr';
}

const sig = (...args: ArgKind[]): SyscallSignature => ({ args });

/** Signatures of the syscalls programs commonly make (syscall(2) prototypes, x86_64). */
export const SYSCALL_SIGNATURES: Readonly<Partial<Record<SyscallName, SyscallSignature>>> = {
  read: sig('fd', 'outbuf', 'ulong'),
  write: sig('fd', 'inbuf', 'ulong'),
  open: sig('string', 'open_flags', 'octal'),
  close: sig('fd'),
  stat: sig('string', 'ptr'),
  fstat: sig('fd', 'ptr'),
  lstat: sig('string', 'ptr'),
  poll: sig('ptr', 'uint', 'int'),
  lseek: sig('fd', 'long', 'whence'),
  mmap: { args: ['ptr', 'ulong', 'prot', 'map_flags', 'fd', 'hex'], result: 'ptr' },
  mprotect: sig('ptr', 'ulong', 'prot'),
  munmap: sig('ptr', 'ulong'),
  brk: { args: ['ptr'], result: 'ptr' },
  rt_sigaction: sig('signal', 'ptr', 'ptr', 'ulong'),
  rt_sigprocmask: sig('int', 'ptr', 'ptr', 'ulong'),
  ioctl: sig('fd', 'hex', 'ptr'),
  pread64: sig('fd', 'outbuf', 'ulong', 'long'),
  pwrite64: sig('fd', 'inbuf', 'ulong', 'long'),
  readv: sig('fd', 'ptr', 'int'),
  writev: sig('fd', 'ptr', 'int'),
  access: sig('string', 'octal'),
  pipe: sig('fdpair'),
  select: sig('int', 'ptr', 'ptr', 'ptr', 'ptr'),
  sched_yield: sig(),
  madvise: sig('ptr', 'ulong', 'int'),
  dup: sig('fd'),
  dup2: sig('fd', 'fd'),
  pause: sig(),
  nanosleep: sig('timespec', 'ptr'),
  alarm: sig('uint'),
  getpid: sig(),
  sendfile: sig('fd', 'fd', 'ptr', 'ulong'),
  socket: sig('family', 'sock_type', 'int'),
  connect: sig('fd', 'sockaddr', 'uint'),
  accept: sig('fd', 'outsockaddr', 'ptr'),
  sendto: sig('fd', 'inbuf', 'ulong', 'msg_flags', 'sockaddr', 'uint'),
  recvfrom: sig('fd', 'outbuf', 'ulong', 'msg_flags', 'outsockaddr', 'ptr'),
  sendmsg: sig('fd', 'ptr', 'msg_flags'),
  recvmsg: sig('fd', 'ptr', 'msg_flags'),
  shutdown: sig('fd', 'int'),
  bind: sig('fd', 'sockaddr', 'uint'),
  listen: sig('fd', 'int'),
  getsockname: sig('fd', 'outsockaddr', 'ptr'),
  getpeername: sig('fd', 'outsockaddr', 'ptr'),
  socketpair: sig('family', 'sock_type', 'int', 'fdpair'),
  setsockopt: sig('fd', 'sockopt_level', 'int', 'ptr', 'uint'),
  getsockopt: sig('fd', 'sockopt_level', 'int', 'ptr', 'ptr'),
  clone: sig('hex', 'ptr', 'ptr', 'ptr', 'hex'),
  fork: sig(),
  vfork: sig(),
  execve: sig('string', 'ptr', 'ptr'),
  exit: sig('int'),
  wait4: sig('int', 'ptr', 'hex', 'ptr'),
  kill: sig('int', 'signal'),
  uname: sig('ptr'),
  fcntl: sig('fd', 'fcntl_cmd', 'hex'),
  flock: sig('fd', 'int'),
  fsync: sig('fd'),
  fdatasync: sig('fd'),
  ftruncate: sig('fd', 'long'),
  getcwd: sig('ptr', 'ulong'),
  chdir: sig('string'),
  fchdir: sig('fd'),
  rename: sig('string', 'string'),
  mkdir: sig('string', 'octal'),
  rmdir: sig('string'),
  unlink: sig('string'),
  readlink: sig('string', 'ptr', 'ulong'),
  chmod: sig('string', 'octal'),
  umask: sig('octal'),
  gettimeofday: sig('ptr', 'ptr'),
  getrlimit: sig('int', 'ptr'),
  sysinfo: sig('ptr'),
  getuid: sig(),
  getgid: sig(),
  geteuid: sig(),
  getegid: sig(),
  setpgid: sig('int', 'int'),
  getppid: sig(),
  getpgrp: sig(),
  setsid: sig(),
  getpgid: sig('int'),
  getsid: sig('int'),
  sigaltstack: sig('ptr', 'ptr'),
  prctl: sig('int', 'hex', 'hex', 'hex', 'hex'),
  arch_prctl: sig('hex', 'ptr'),
  gettid: sig(),
  time: sig('ptr'),
  futex: sig('ptr', 'futex_op', 'int', 'ptr', 'ptr', 'int'),
  sched_getaffinity: sig('int', 'uint', 'ptr'),
  epoll_create: sig('int'),
  getdents64: sig('fd', 'ptr', 'uint'),
  set_tid_address: sig('ptr'),
  clock_gettime: sig('clockid', 'ptr'),
  clock_getres: sig('clockid', 'ptr'),
  clock_nanosleep: sig('clockid', 'hex', 'timespec', 'ptr'),
  exit_group: sig('int'),
  epoll_wait: sig('fd', 'ptr', 'int', 'int'),
  epoll_ctl: sig('fd', 'epoll_op', 'fd', 'ptr'),
  tgkill: sig('int', 'int', 'signal'),
  tkill: sig('int', 'signal'),
  openat: sig('dirfd', 'string', 'open_flags', 'octal'),
  mkdirat: sig('dirfd', 'string', 'octal'),
  newfstatat: sig('dirfd', 'string', 'ptr', 'at_flags'),
  unlinkat: sig('dirfd', 'string', 'at_flags'),
  renameat: sig('dirfd', 'string', 'dirfd', 'string'),
  readlinkat: sig('dirfd', 'string', 'ptr', 'ulong'),
  faccessat: sig('dirfd', 'string', 'octal'),
  faccessat2: sig('dirfd', 'string', 'octal', 'at_flags'),
  pselect6: sig('int', 'ptr', 'ptr', 'ptr', 'ptr', 'ptr'),
  ppoll: sig('ptr', 'uint', 'timespec', 'ptr', 'ulong'),
  set_robust_list: sig('ptr', 'ulong'),
  epoll_pwait: sig('fd', 'ptr', 'int', 'int', 'ptr', 'ulong'),
  timerfd_create: sig('clockid', 'hex'),
  timerfd_settime: sig('fd', 'hex', 'ptr', 'ptr'),
  timerfd_gettime: sig('fd', 'ptr'),
  eventfd: sig('uint'),
  eventfd2: sig('uint', 'hex'),
  epoll_create1: sig('hex'),
  dup3: sig('fd', 'fd', 'hex'),
  pipe2: sig('fdpair', 'hex'),
  accept4: sig('fd', 'outsockaddr', 'ptr', 'hex'),
  prlimit64: sig('int', 'int', 'ptr', 'ptr'),
  getrandom: sig('outbuf', 'ulong', 'hex'),
  statx: sig('dirfd', 'string', 'at_flags', 'hex', 'ptr'),
  rseq: sig('ptr', 'uint', 'int', 'hex'),
  clone3: sig('ptr', 'ulong'),
  close_range: sig('uint', 'uint', 'hex'),
  sendmmsg: sig('fd', 'ptr', 'uint', 'msg_flags'),
  recvmmsg: sig('fd', 'ptr', 'uint', 'msg_flags', 'timespec'),
};
