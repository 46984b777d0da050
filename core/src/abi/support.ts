import { SYSCALL_NUMBERS, type SyscallName } from '@shadow-ts/plugin-sdk';

/**
 * The reviewed support table: what the simulator does with each x86_64 syscall.
 *
 * - `native`: on the seccomp allow-list; the kernel runs it without a stop (memory management,
 *   path-based file calls, identity getters).
 * - `emulated` / `partial`: trapped and answered by a built-in plugin (`partial` says what is
 *   missing, and the handler warns once when a program meets it: `test/unit/support-warnings.test.ts`).
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
const SOCKETS = 'on simulated sockets (AF_UNIX, UDP, TCP, AF_NETLINK route; ENOTSOCK on other descriptors)';
const INET_UNIX = 'AF_INET/AF_INET6 (UDP, TCP) and AF_UNIX (pathname and abstract names)';
const TEMPORARY_MASK = 'the temporary signal mask is checked (size, address) but not applied: signals stay as the thread had them (warned once)';
const REAL_TIMER_ONLY = 'ITIMER_REAL only: CPU-time timers never fire with an infinitely fast CPU (EINVAL, warned once)';
const SIGNALS_NATIVE = 'the kernel keeps masks and alternate stacks; signals reach it as real signals';

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
  ioctl: partial('on virtual files: FIONBIO, FIOCLEX/FIONCLEX and kind-specific requests (FIONREAD…); others ENOTTY (warned once, terminal requests excepted: Linux refuses them too)'),
  fstat: emulated(VIRTUAL_OR_NATIVE),
  newfstatat: emulated('virtual files (AT_EMPTY_PATH) and emulated paths answered; the rest natively'),
  statx: partial('virtual files (AT_EMPTY_PATH) and emulated paths report type, mode and size, owner and times 0 (warned once); the rest natively'),
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
  epoll_pwait: partial(TEMPORARY_MASK),
  epoll_pwait2: partial(TEMPORARY_MASK),
  poll: emulated('ordinary descriptors (regular files, devices) are always ready, as Linux reports them'),
  ppoll: partial(TEMPORARY_MASK),
  select: emulated('ordinary descriptors (regular files, devices) are always ready, as Linux reports them'),
  pselect6: partial(TEMPORARY_MASK),
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
  // signals
  rt_sigprocmask: native(SIGNALS_NATIVE),
  rt_sigreturn: native(),
  sigaltstack: native(SIGNALS_NATIVE),
  // time (core:time)
  clock_gettime: vdso(partial('CPU-time clocks read 0: the simulated CPU is infinitely fast (warned once); unknown clock ids EINVAL (warned once)')),
  gettimeofday: vdso(emulated()),
  time: vdso(emulated()),
  clock_getres: vdso(emulated()),
  nanosleep: emulated(),
  clock_nanosleep: emulated(),
  // process (core:process)
  getpid: emulated(),
  getppid: emulated('processes started by the simulation report parent pid 1'),
  gettid: emulated(),
  exit: emulated('runs natively; the simulator records the exit'),
  exit_group: emulated('runs natively; the simulator records the exit'),
  execve: emulated('runs natively; at the exec stop the new image gets its vDSO patched and close-on-exec bindings are dropped'),
  set_tid_address: emulated('the clear-child-tid address is recorded; when the thread ends its joiners are woken on the emulated futex'),
  uname: emulated('nodename is the host name; the rest is the real kernel'),
  sysinfo: emulated('uptime from simulated time; memory figures from the real machine'),
  getcpu: vdso(emulated('always CPU 0, node 0')),
  fork: emulated('the kernel forks; the child gets a virtual pid and waits to be scheduled'),
  vfork: partial('by the selected vfork strategy (as-fork by default: fork + parent held + stack restored; child writes outside the stack are lost)'),
  clone: partial('processes and threads; namespaces, CLONE_PIDFD, CLONE_PTRACE, CLONE_UNTRACED, CLONE_INTO_CGROUP and CLONE_VM without CLONE_THREAD or CLONE_VFORK are EINVAL (warned once); CLONE_VFORK goes to the vfork strategy'),
  clone3: partial('as clone (CLONE_INTO_CGROUP is EINVAL, warned once); the struct reaches the real kernel, so set_tid names a real pid, never a virtual one'),
  wait4: partial('exited children only: stopped/continued children are not reported (job control is not simulated)'),
  waitid: partial('exited children only; P_PIDFD is EINVAL'),
  futex: partial('WAIT, WAKE, the BITSET forms, REQUEUE, CMP_REQUEUE, WAKE_OP; keyed per process (no cross-process shared futexes); PI futexes ENOSYS'),
  kill: emulated('virtual pids, groups and -1 on the caller\'s host'),
  tkill: emulated(),
  tgkill: emulated(),
  rt_sigaction: emulated('runs natively; SA_RESTART is recorded to restart simulated blocking calls'),
  pause: emulated(),
  rt_sigsuspend: emulated('waits in the simulator; the kernel runs the call once a signal it lets through is pending'),
  rt_sigtimedwait: emulated('timeout on simulated time'),
  alarm: emulated('on simulated time'),
  setitimer: partial(REAL_TIMER_ONLY),
  getitimer: partial(REAL_TIMER_ONLY),
  setsid: emulated(),
  getsid: emulated(),
  setpgid: emulated(),
  getpgid: emulated(),
  getpgrp: emulated(),
  prctl: partial('options about the process itself run natively; others (PR_SET_SECCOMP, PR_SET_TSC, …) are EINVAL (warned once)'),
  sched_yield: emulated('the thread steps back behind the other events of the instant'),
  sched_getaffinity: emulated('one CPU, CPU 0'),
  // random (core:random)
  getrandom: emulated('from the host stream'),
  // sockets (core:net)
  socket: partial('AF_UNIX, AF_INET, AF_INET6 (stream: TCP, datagram: UDP), AF_NETLINK NETLINK_ROUTE (RTM_GETLINK/RTM_GETADDR dumps of lo and eth0 and RTM_GETLINK by index; other requests NLMSG_ERROR -EOPNOTSUPP; no multicast events); raw sockets EPERM, other families and netlink protocols EAFNOSUPPORT/EPROTONOSUPPORT (warned once)'),
  socketpair: partial('AF_UNIX only (stream, datagram, seqpacket)'),
  bind: partial(INET_UNIX + ', AF_NETLINK port ids (0: the virtual pid); a pathname AF_UNIX bind creates an empty regular file, not a socket inode'),
  listen: emulated('TCP and AF_UNIX stream/seqpacket; UDP, AF_UNIX datagram and netlink EOPNOTSUPP as on Linux; the backlog (capped at somaxconn 4096) bounds the accept queue, SYNs and connects beyond it are dropped or wait'),
  accept: emulated('TCP and AF_UNIX stream/seqpacket listeners (SO_RCVTIMEO on TCP); other kinds EOPNOTSUPP as on Linux'),
  accept4: emulated('as accept, with SOCK_NONBLOCK and SOCK_CLOEXEC; other flags EINVAL'),
  connect: partial(INET_UNIX + '; UDP to a closed port is silently dropped (no ICMP), so connected UDP never sees ECONNREFUSED'),
  sendto: partial(SOCKETS + '; MSG_OOB is EOPNOTSUPP; UDP broadcast is not delivered'),
  recvfrom: partial(SOCKETS + '; MSG_OOB and MSG_ERRQUEUE are not supported'),
  sendmsg: partial(SOCKETS + '; control messages (SCM_RIGHTS, SCM_CREDENTIALS, IP_PKTINFO, …) are dropped (warned once)'),
  recvmsg: partial(SOCKETS + '; never returns control messages'),
  shutdown: emulated(SOCKETS),
  getsockname: emulated(SOCKETS),
  getpeername: emulated(SOCKETS),
  getsockopt: partial(SOCKETS + '; SOL_SOCKET basics, TCP_NODELAY/MAXSEG/CONGESTION/INFO (minimal)/KEEP*, IPV6_V6ONLY; others ENOPROTOOPT (warned once)'),
  setsockopt: partial(SOCKETS + '; buffer sizes apply to the next TCP connection; keepalive and unix buffer sizes are recorded only; others ENOPROTOOPT (warned once)'),
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
