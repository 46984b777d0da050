import { SYSCALL_NUMBERS, type SyscallName } from '@shadow-ts/plugin-sdk';

/**
 * The reviewed support table: what the simulator does with each x86_64 syscall.
 *
 * - `native`: on the seccomp allow-list; the kernel runs it without a stop (memory management,
 *   most path-based file calls, identity getters).
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
  /**
   * Trapped only on hosts whose strategy needs it (a plugin's `nativeOnHost` leaves it native on
   * the others): the file system calls only `fs: overlay` (or a plugin's strategy) rewrites.
   */
  readonly perHost?: boolean;
}

const native = (note?: string): Support => (note ? { level: 'native', note } : { level: 'native' });
const emulated = (note?: string): Support => (note ? { level: 'emulated', note } : { level: 'emulated' });
const partial = (note: string): Support => ({ level: 'partial', note });
const vdso = (s: Support): Support => ({ ...s, vdso: true });
/** Native on `fs: shared` hosts (no stop); trapped and rewritten on `fs: overlay` hosts. */
const byFsStrategy = (note: string): Support => ({ level: 'emulated', note: `fs: shared: native, no stop; fs: overlay: ${note}`, perHost: true });

const VIRTUAL_OR_NATIVE = 'virtual files (pipes, eventfds, …) answer; ordinary descriptors run natively';
const EMULATED_PATHS = '/dev/urandom, /dev/random, /etc/hosts, /etc/hostname, /etc/localtime are emulated; /proc/<pid> names the host\'s processes by virtual pid (stat, status, task/<tid>/children show virtual ids; another process\'s mem is EACCES, warned once); other paths open natively';
const OVERLAY_LISTING = '; under fs: overlay a directory with an upper copy lists both layers (upper first, whiteouts hidden), sorted by name, positions by index';
const PROC_LISTING = 'a descriptor on /proc or /proc/<pid>/task lists the host\'s virtual ids (plus the entries that are not ids); others natively';
const PROC_PATHS = 'trapped (a stop per call) so /proc resolves by virtual pid: paths that do not enter /proc run natively unchanged, /proc/<pid> of no managed process of the host is ENOENT, a virtual pid is translated to the real path';
/** What `fs: overlay` adds to the calls every host traps. */
const OVERLAY_LOOKUP = '; under fs: overlay the path resolves in the host\'s merged view (symlinks from either layer, cwd and dirfd included) and runs on the upper-layer copy if there is one, else the real file (a deleted one is ENOENT)';
const OPEN_PATHS = `${EMULATED_PATHS}; FIFOs become simulated pipes shared by the host's processes; under fs: overlay writing or creating copies up to / makes in the host's upper layer, O_TMPFILE goes to the directory's upper copy, reading takes the upper layer first`;
const SOCKETS = 'on simulated sockets (AF_UNIX, UDP, TCP, AF_NETLINK route; ENOTSOCK on other descriptors)';
const INET_UNIX = 'AF_INET/AF_INET6 (UDP, TCP) and AF_UNIX (pathname and abstract names)';
const TEMPORARY_MASK = 'the temporary signal mask is checked (size, address) but not applied: signals stay as the thread had them (warned once)';
const REAL_TIMER_ONLY = 'ITIMER_REAL only: CPU-time timers never fire with an infinitely fast CPU (EINVAL, warned once)';
const SIGNALS_NATIVE = 'the kernel keeps masks and alternate stacks; signals reach it as real signals';
/** Calls naming a task by pid: virtual pids and tids of the caller's host map to real ones, 0 is the caller, others ESRCH. */
const REAL_PID = 'runs natively on the real task behind a virtual pid/tid of the caller\'s host (0: the caller); other pids ESRCH';
const REAL_PID_SCHED = REAL_PID + '; real scheduling only, simulated time is not affected';
const ONE_TASK_PRIORITY = REAL_PID + ' for a single task; process groups and users would reach processes outside the host: EPERM (warned once)';
const SIGNALFD = 'a descriptor of the simulator\'s: poll/epoll readiness from the signals pending, a read dequeues through the kernel (rt_sigtimedwait) one signal at a time, where Linux returns as many as fit (warned once)';
const SIGQUEUE = 'virtual pids of the caller\'s host; the siginfo (si_code, si_value) is carried, but a non-negative or SI_TKILL code a process sends itself arrives as kill/tgkill would send it (warned once)';

export const SUPPORT: Readonly<Partial<Record<SyscallName, Support>>> = {
  // memory management: the kernel's business, never simulated
  brk: native(),
  mmap: native(),
  munmap: native(),
  mprotect: native(),
  mremap: native(),
  madvise: native(),
  pkey_alloc: native(),
  pkey_free: native(),
  pkey_mprotect: native(),
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
  fcntl: partial(
    'on virtual files: dup, FD flags, status flags, signal-driven I/O (F_SETOWN/F_SETOWN_EX/F_SETSIG: the owner gets SIGIO or its signal when a poll bit comes on) and kind-specific commands (F_GETPIPE_SZ…), locks EINVAL (warned once); on native files record and OFD locks are the kernel\'s, taken without blocking, F_SETLKW/F_OFD_SETLKW wait on simulated time (EDEADLK for POSIX cycles), F_GETLK reports virtual pids (0 outside the host, warned once)',
  ),
  ioctl: partial('on virtual files: FIONBIO, FIOCLEX/FIONCLEX, FIOASYNC, FIOSETOWN/SIOCSPGRP and their getters, and kind-specific requests (FIONREAD; on sockets SIOCINQ, SIOCOUTQ, on TCP also SIOCOUTQNSD…); others ENOTTY (warned once, terminal requests excepted: Linux refuses them too)'),
  fstat: emulated(VIRTUAL_OR_NATIVE),
  newfstatat: emulated('virtual files (AT_EMPTY_PATH) and emulated paths answered; /proc paths by virtual pid; the rest natively' + OVERLAY_LOOKUP),
  statx: partial('virtual files (AT_EMPTY_PATH) and emulated paths report type, mode and size, owner and times 0 (warned once); /proc paths by virtual pid; the rest natively' + OVERLAY_LOOKUP),
  pipe: emulated('64 KiB virtual pipes'),
  pipe2: partial('O_DIRECT (packet mode) is accepted but not emulated (warned once)'),
  eventfd: emulated(),
  eventfd2: emulated(),
  signalfd: partial(SIGNALFD),
  signalfd4: partial(SIGNALFD),
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
  open: partial(OPEN_PATHS),
  openat: partial(OPEN_PATHS),
  creat: partial(OPEN_PATHS),
  stat: emulated(PROC_PATHS + OVERLAY_LOOKUP),
  lstat: emulated(PROC_PATHS + OVERLAY_LOOKUP),
  statfs: native(),
  chroot: native('the kernel changes the process\'s root; the emulated paths (/etc/hosts, /proc/<pid>, …) keep their meaning'),
  // extended attributes of real files (virtual descriptors have none: see plugins/io sys-xattr.ts); by path: per fs strategy (core:fs)
  getxattr: byFsStrategy('the upper-layer copy if there is one, else the real file'),
  lgetxattr: byFsStrategy('the upper-layer copy if there is one, else the real file'),
  setxattr: byFsStrategy('a lower file is copied up first (its extended attributes are not copied)'),
  lsetxattr: byFsStrategy('a lower file is copied up first (its extended attributes are not copied)'),
  listxattr: byFsStrategy('the upper-layer copy if there is one, else the real file'),
  llistxattr: byFsStrategy('the upper-layer copy if there is one, else the real file'),
  removexattr: byFsStrategy('a lower file is copied up first (its extended attributes are not copied)'),
  lremovexattr: byFsStrategy('a lower file is copied up first (its extended attributes are not copied)'),
  copy_file_range: emulated('between real files natively; a virtual file on either side is EINVAL'),
  splice: emulated('where a simulated pipe is one end: to or from another simulated pipe, a simulated socket, or an ordinary regular file or character device (read or written by the simulator through /proc, then *offset or the position moved); between ordinary descriptors natively'),
  tee: emulated('between two simulated pipes (copies without taking); between ordinary descriptors natively'),
  vmsplice: emulated('on a simulated pipe: into the write end one page per user page the iovecs span, from the read end as readv; only SPLICE_F_NONBLOCK keeps it from waiting'),
  sendfile: emulated('into a virtual file (simulated socket or pipe) from a regular file: the simulator reads at most 256 KiB and writes them, then moves *offset or the file position; a virtual source is EINVAL; between real files natively'),
  fgetxattr: emulated(VIRTUAL_OR_NATIVE + ' (virtual ones have no attributes: ENODATA)'),
  fsetxattr: emulated(VIRTUAL_OR_NATIVE + ' (virtual ones take no user attributes: EPERM, as Linux for pipes and sockets)'),
  flistxattr: emulated(VIRTUAL_OR_NATIVE + ' (virtual ones: an empty list)'),
  fremovexattr: emulated(VIRTUAL_OR_NATIVE + ' (virtual ones: EPERM)'),
  fstatfs: native(),
  access: emulated(PROC_PATHS + OVERLAY_LOOKUP),
  faccessat: emulated(PROC_PATHS + OVERLAY_LOOKUP),
  faccessat2: emulated(PROC_PATHS + OVERLAY_LOOKUP),
  getdents: emulated(PROC_LISTING + OVERLAY_LISTING),
  getdents64: emulated(PROC_LISTING + OVERLAY_LISTING),
  readlink: emulated(PROC_PATHS + '; /proc links (self, thread-self, fd/N, cwd) read with virtual ids; fd/N of a virtual file reads its own name (socket:[ino], anon_inode:[eventpoll], anon_inode:[timerfd])' + OVERLAY_LOOKUP),
  readlinkat: emulated(PROC_PATHS + '; /proc links (self, thread-self, fd/N, cwd) read with virtual ids; fd/N of a virtual file reads its own name (socket:[ino], anon_inode:[eventpoll], anon_inode:[timerfd])' + OVERLAY_LOOKUP),
  getcwd: emulated('runs natively; a cwd inside /proc/<pid> reads with the virtual pid; under fs: overlay a cwd in the upper layer reads as its path in the merged view'),
  chdir: emulated(PROC_PATHS + OVERLAY_LOOKUP),
  fchdir: native(),
  mkdir: byFsStrategy('made in the upper layer (its lower parents copied up); EEXIST if the merged view has the name; over a deleted lower directory it is opaque'),
  mkdirat: byFsStrategy('as mkdir, relative to the dirfd\'s merged path'),
  mknod: native('FIFOs and regular files; opening a FIFO is simulated (open, openat)'),
  mknodat: native('FIFOs and regular files; opening a FIFO is simulated (open, openat)'),
  rmdir: byFsStrategy('ENOTEMPTY unless the merged directory is empty; a lower directory is whited out (recorded in the simulator), an upper one removed'),
  unlink: byFsStrategy('a lower file is whited out (recorded in the simulator, nothing runs), an upper one removed (and whited out if a lower one is under it)'),
  unlinkat: byFsStrategy('as unlink, or rmdir with AT_REMOVEDIR'),
  rename: byFsStrategy('both names in the upper layer, a lower file copied up first and whited out after; a directory with lower content is EXDEV (overlayfs without redirect_dir; mv copies); one name outside the overlay is EXDEV'),
  renameat: byFsStrategy('as rename'),
  renameat2: byFsStrategy('as rename; RENAME_NOREPLACE and RENAME_EXCHANGE judged in the merged view (exchange copies both up)'),
  link: byFsStrategy('a lower file is copied up, the new name made in the upper layer'),
  linkat: byFsStrategy('as link; an old path outside the overlay (/proc/self/fd/N of an O_TMPFILE, AT_EMPTY_PATH) is the kernel\'s'),
  symlink: byFsStrategy('the link is made in the upper layer, its target text unchanged (resolved in the merged view when followed)'),
  symlinkat: byFsStrategy('as symlink'),
  chmod: byFsStrategy('a lower file is copied up first'),
  fchmod: native(),
  fchmodat: byFsStrategy('a lower file is copied up first'),
  chown: byFsStrategy('a lower file is copied up first'),
  fchown: native(),
  lchown: byFsStrategy('a lower file is copied up first'),
  fchownat: byFsStrategy('a lower file is copied up first; AT_EMPTY_PATH runs natively on the descriptor'),
  utimensat: byFsStrategy('a lower file is copied up first; a NULL path (futimens) runs natively on the descriptor'),
  truncate: byFsStrategy('a lower file is copied up first'),
  // not through the fs strategy: under fs: overlay they change the real (lower) file
  futimesat: native(),
  utimes: native(),
  utime: native(),
  ftruncate: native(),
  fsync: native(),
  fdatasync: native(),
  sync: native(),
  syncfs: native('on a virtual file it syncs the file system of its placeholder, as it would for a pipe'),
  sync_file_range: native('ESPIPE on virtual files, as on pipes: their placeholders are not regular files'),
  fallocate: native(),
  fadvise64: native(),
  flock: partial(
    'the kernel holds the locks, taken with LOCK_NB; blocking requests wait on simulated time, woken by the host\'s unlocks, closes and exits; locks held outside the host are polled every 10 ms (warned once); a blocking conversion keeps the old lock while it waits (warned once); on virtual files (pipes, sockets) granted without being recorded (warned once)',
  ),
  umask: native(),
  // identity and limits
  getuid: native(),
  geteuid: native(),
  getgid: native(),
  getegid: native(),
  getgroups: native(),
  getresuid: native(),
  getresgid: native(),
  // credentials of the process itself (sshd's privilege separation): the kernel's business
  setuid: native(),
  setgid: native(),
  setreuid: native(),
  setregid: native(),
  setresuid: native(),
  setresgid: native(),
  setfsuid: native(),
  setfsgid: native(),
  setgroups: native(),
  timer_create: partial('POSIX timers on simulated time: SIGEV_SIGNAL, SIGEV_THREAD_ID (and so glibc\'s SIGEV_THREAD) and SIGEV_NONE, the signal with SI_TIMER, the timer id and sigev_value; timers on the CPU-time clocks never fire (warned once); si_overrun is always 0'),
  timer_settime: emulated('relative or TIMER_ABSTIME on simulated time, intervals re-arm; deleted at exec and exit'),
  timer_gettime: emulated(),
  timer_getoverrun: emulated('the overruns of the last signal taken: the expiries while it waited to be taken (also its si_overrun)'),
  timer_delete: emulated(),
  getrusage: emulated('all figures 0: the simulated CPU is infinitely fast (no CPU time, as the CPU-time clocks), and real memory use and context switches would differ between runs; RUSAGE_SELF, RUSAGE_CHILDREN, RUSAGE_THREAD, others EINVAL'),
  prlimit64: emulated(REAL_PID + ' (new limits read first: EFAULT); the kernel checks resource (EINVAL) and permission; RLIMIT_CPU counts the real CPU time of the managed process and cannot reach the simulator'),
  capget: emulated('the header\'s pid is a virtual pid of the caller\'s host (0: the caller), given to the kernel as the real one; others ESRCH'),
  capset: emulated('the caller only (pid 0 or its own tid); other pids EPERM, as Linux'),
  getrlimit: native(),
  setrlimit: native(),
  // signals
  rt_sigprocmask: native(SIGNALS_NATIVE),
  rt_sigpending: native(SIGNALS_NATIVE),
  rt_sigreturn: native(),
  sigaltstack: native(SIGNALS_NATIVE),
  // time (core:time)
  clock_gettime: vdso(partial('CPU-time clocks read 0: the simulated CPU is infinitely fast (warned once); unknown clock ids EINVAL (warned once)')),
  gettimeofday: vdso(emulated()),
  time: vdso(emulated()),
  clock_getres: vdso(emulated()),
  clock_settime: partial('the checks are Linux\'s (EINVAL, EFAULT); simulated time cannot be set: a valid request is EPERM, as without CAP_SYS_TIME (warned once)'),
  settimeofday: partial('the checks are Linux\'s (EINVAL, EFAULT); simulated time and the time zone cannot be set: a request to set either is EPERM, as without CAP_SYS_TIME (warned once)'),
  adjtimex: partial('reads the state of a never-synchronized clock (TIME_ERROR, STA_UNSYNC) with the simulated time; an adjustment is EPERM, as without CAP_SYS_TIME (warned once)'),
  clock_adjtime: partial('as adjtimex for CLOCK_REALTIME and CLOCK_TAI; other clocks EOPNOTSUPP, unknown ones EINVAL'),
  nanosleep: emulated(),
  clock_nanosleep: emulated('clocks without a sleep in Linux (MONOTONIC_RAW, the COARSE clocks, THREAD_CPUTIME_ID) EOPNOTSUPP, PROCESS_CPUTIME_ID EINVAL (warned once: an infinitely fast CPU never gets there)'),
  // process (core:process)
  getpid: emulated(),
  getppid: emulated('processes started by the simulation report parent pid 1; orphans report their subreaper (PR_SET_CHILD_SUBREAPER) or 1'),
  gettid: emulated(),
  exit: emulated('runs natively; the simulator records the exit'),
  exit_group: emulated('runs natively; the simulator records the exit'),
  execve: emulated('runs natively (/proc/<pid>/exe by virtual pid; under fs: overlay an upper-layer binary runs from its upper path); at the exec stop the new image gets its vDSO patched and close-on-exec bindings are dropped'),
  set_tid_address: emulated('the clear-child-tid address is recorded; when the thread ends its joiners are woken on the emulated futex'),
  uname: emulated('nodename is the host name; the rest is the real kernel'),
  sysinfo: emulated('uptime from simulated time; memory figures from the real machine'),
  getcpu: vdso(emulated('always CPU 0, node 0')),
  fork: emulated('the kernel forks; the child gets a virtual pid and waits to be scheduled'),
  vfork: partial('by the selected vfork strategy (as-fork by default: fork + parent held + stack restored; child writes outside the stack are lost)'),
  clone: partial('processes and threads; namespaces, CLONE_PIDFD, CLONE_PTRACE, CLONE_UNTRACED, CLONE_INTO_CGROUP and CLONE_VM without CLONE_THREAD or CLONE_VFORK are EINVAL (warned once); CLONE_VFORK goes to the vfork strategy'),
  clone3: partial('as clone (CLONE_INTO_CGROUP is EINVAL, warned once); the struct reaches the real kernel, so set_tid names a real pid, never a virtual one'),
  wait4: emulated(),
  waitid: partial('P_PIDFD is EINVAL'),
  futex: partial('WAIT, WAKE, the BITSET forms, REQUEUE, CMP_REQUEUE, WAKE_OP; private ones keyed by process, shared ones in MAP_SHARED memory by the mapped object and offset (processes sharing memory meet); PI futexes ENOSYS'),
  kill: emulated('virtual pids, groups and -1 on the caller\'s host'),
  tkill: emulated(),
  tgkill: emulated(),
  rt_sigaction: emulated('runs natively; SA_RESTART is recorded to restart simulated blocking calls, and SIGCHLD\'s SA_NOCLDSTOP for job-control SIGCHLDs'),
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
  prctl: partial('options about the process itself run natively; PR_GET_SECCOMP answers 0, PR_GET_TSC PR_TSC_ENABLE and PR_GET_NO_NEW_PRIVS what the program set (the simulator\'s own filter, TSC trap and no_new_privs stay hidden); PR_SET/GET_PDEATHSIG are modelled (the signal follows the parent process\'s end at its simulated time, not the parent thread\'s); PR_SET/GET_CHILD_SUBREAPER are modelled (orphans go to the nearest live subreaper ancestor) and also set in the kernel; others (PR_SET_SECCOMP, PR_SET_TSC, …) are EINVAL (warned once)'),
  sched_yield: emulated('the thread steps back behind the other events of the instant'),
  sched_getaffinity: emulated('one CPU, CPU 0: the kernel runs the call on the real task behind a virtual pid of the host (its size checks, its mask length), and the mask it wrote holds CPU 0 only'),
  sched_get_priority_max: native(),
  sched_get_priority_min: native(),
  sched_setaffinity: emulated('one CPU: a mask holding CPU 0 is accepted and not applied (the run\'s real pinning stays), others EINVAL; virtual tids of the host, others ESRCH'),
  sched_setscheduler: emulated(REAL_PID_SCHED),
  sched_getscheduler: emulated(REAL_PID_SCHED),
  sched_setparam: emulated(REAL_PID_SCHED),
  sched_getparam: emulated(REAL_PID_SCHED),
  sched_setattr: emulated(REAL_PID_SCHED),
  sched_getattr: emulated(REAL_PID_SCHED),
  sched_rr_get_interval: emulated(REAL_PID_SCHED),
  getpriority: partial(ONE_TASK_PRIORITY),
  setpriority: partial(ONE_TASK_PRIORITY),
  ioprio_get: partial(ONE_TASK_PRIORITY),
  ioprio_set: partial(ONE_TASK_PRIORITY),
  process_vm_readv: emulated(REAL_PID),
  process_vm_writev: emulated(REAL_PID),
  get_robust_list: emulated(REAL_PID),
  migrate_pages: emulated(REAL_PID),
  move_pages: emulated(REAL_PID),
  rt_sigqueueinfo: partial(SIGQUEUE),
  rt_tgsigqueueinfo: partial(SIGQUEUE),
  // random (core:random)
  getrandom: emulated('from the host stream'),
  // sockets (core:net)
  socket: partial('AF_UNIX, AF_INET, AF_INET6 (stream: TCP, datagram: UDP), AF_NETLINK NETLINK_ROUTE (RTM_GETLINK/RTM_GETADDR/RTM_GETROUTE dumps of lo and eth0 and RTM_GETLINK by index; other requests NLMSG_ERROR -EOPNOTSUPP; no multicast events); raw sockets EPERM, other families and netlink protocols EAFNOSUPPORT/EPROTONOSUPPORT (warned once)'),
  socketpair: partial('AF_UNIX only (stream, datagram, seqpacket)'),
  bind: partial(INET_UNIX + ', AF_NETLINK port ids (0: the virtual pid); a pathname AF_UNIX bind creates an empty regular file, not a socket inode'),
  listen: emulated('TCP and AF_UNIX stream/seqpacket; UDP, AF_UNIX datagram and netlink EOPNOTSUPP as on Linux; the backlog (capped at somaxconn 4096) bounds the accept queue, SYNs and connects beyond it are dropped or wait'),
  accept: emulated('TCP and AF_UNIX stream/seqpacket listeners (SO_RCVTIMEO on TCP); other kinds EOPNOTSUPP as on Linux'),
  accept4: emulated('as accept, with SOCK_NONBLOCK and SOCK_CLOEXEC; other flags EINVAL'),
  connect: emulated(INET_UNIX + '; a UDP datagram to a closed port is answered with an ICMP port unreachable (6 a second per peer, loopback unlimited): the connected socket\'s next call fails with ECONNREFUSED'),
  sendto: partial(SOCKETS + '; MSG_OOB is EOPNOTSUPP; UDP broadcast is not delivered'),
  recvfrom: partial(SOCKETS + '; MSG_OOB and MSG_ERRQUEUE are not supported'),
  sendmsg: partial(SOCKETS + '; SCM_RIGHTS and SCM_CREDENTIALS on unix sockets; control messages on inet sockets (IP_PKTINFO, IP_TOS, …) are dropped (warned once)'),
  recvmmsg: partial(SOCKETS + '; as recvmsg for each message (descriptors installed in turn); the first waits, later ones are taken if they are there (a blocking call without MSG_WAITFORONE returns short, warned once); the timeout is checked but, as Linux\'s, never ends a wait'),
  sendmmsg: partial(SOCKETS + '; as sendmsg for each message; only the first may wait: a later one that would block ends the call with the count sent (warned once)'),
  recvmsg: partial(SOCKETS + '; control messages: SCM_RIGHTS and SCM_CREDENTIALS on unix sockets, SCM_TIMESTAMP(NS), IP_PKTINFO, IP_TTL, IP_TOS and their IPv6 twins on UDP; none on TCP'),
  shutdown: emulated(SOCKETS),
  getsockname: emulated(SOCKETS),
  getpeername: emulated(SOCKETS),
  getsockopt: partial(SOCKETS + '; SOL_SOCKET basics (SO_PEERCRED of AF_UNIX: virtual pid, effective ids), TCP_NODELAY/MAXSEG/CONGESTION/INFO (minimal)/KEEP*, IPV6_V6ONLY, SO_BINDTODEVICE, and the recorded options (IP_TOS, IP_TTL, IP_OPTIONS, IP_RECVERR, SO_TIMESTAMP, TCP_USER_TIMEOUT, …) as set; others ENOPROTOOPT (warned once)'),
  setsockopt: partial(SOCKETS + '; buffer sizes apply to the next TCP connection; SO_KEEPALIVE with TCP_KEEPIDLE/INTVL/CNT probes idle TCP connections (ETIMEDOUT when unanswered); on unix sockets SO_KEEPALIVE, unix buffer sizes (read back as Linux stores them), SO_BINDTODEVICE (lo, eth0) and the IP/TCP tuning options (IP_TOS, IP_TTL, IP_OPTIONS, IP_RECVERR, SO_PRIORITY, TCP_USER_TIMEOUT, TCP_QUICKACK, IPV6_TCLASS, …) are recorded only (warned once each); SO_PASSCRED, SO_TIMESTAMP(NS), IP_PKTINFO, IP_RECVTTL/TOS and IPV6_RECVPKTINFO/HOPLIMIT/TCLASS give control messages; others ENOPROTOOPT (warned once)'),
};

/**
 * Calls refused on purpose: they stay out of SUPPORT, so they are trapped and answered ENOSYS with
 * one warning per run (what a kernel without the feature says, which programs handle). Each would
 * otherwise reach a process or kernel object the simulator does not map to the caller's host.
 */
export const REFUSED: Readonly<Partial<Record<SyscallName, string>>> = {
  pidfd_open: 'a pidfd is a real kernel object: polling it or signalling through it would bypass the simulated process tree (CLONE_PIDFD is EINVAL too)',
  pidfd_send_signal: 'no pidfds exist in a simulation; it also accepts /proc/<pid> descriptors naming real pids',
  pidfd_getfd: 'no pidfds exist in a simulation; a copied descriptor would bypass the virtual descriptor tables',
  process_madvise: 'takes a pidfd, and no pidfds exist in a simulation',
  process_mrelease: 'takes a pidfd, and no pidfds exist in a simulation',
  kcmp: 'compares real kernel objects, which virtual descriptors do not have: its answers would be wrong',
};

/** Name of each syscall number, for stops. */
export const SYSCALL_NAMES: readonly (SyscallName | undefined)[] = (() => {
  const names: (SyscallName | undefined)[] = [];
  for (const [name, nr] of Object.entries(SYSCALL_NUMBERS)) names[nr] = name as SyscallName;
  return names;
})();

/** Syscall numbers the seccomp filter lets run natively: the `native` (and per-host) names not in `tapped` (the taps in force on the host). */
export function nativeAllowList(tapped: ReadonlySet<string>): number[] {
  return Object.entries(SUPPORT)
    .filter(([name, s]) => (s.level === 'native' || s.perHost === true) && !tapped.has(name))
    .map(([name]) => SYSCALL_NUMBERS[name as SyscallName])
    .sort((a, b) => a - b);
}
