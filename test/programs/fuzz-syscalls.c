/*
 * A syscall fuzzer to run under the simulator (never natively: it makes random calls as root).
 *
 *   fuzz-syscalls SEED CALLS [PER_CHILD]
 *
 * Forks one child after another; each child opens a few descriptors of every kind the simulator
 * emulates, then makes PER_CHILD (default 1000) calls with random numbers and arguments drawn
 * from a seeded generator, until CALLS calls were made in all. Calls that would end the fuzzing
 * rather than test a handler (exit, fork, exec, signals to others, limits) or that change the
 * machine outside the simulation (mounts, unlink, rename, chmod, reboot, clock setting, disk
 * allocation, System V IPC objects that outlive the process, …) are never drawn. A child that
 * blocks is killed after 5 simulated seconds; a real CPU loop ends at its RLIMIT_CPU, and its
 * address space and file sizes are bounded too. The parent prints what happened; the simulator
 * must survive all of it.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_NR 470
#define SCRATCH (64 * 1024)

/* Never drawn: see the header comment. */
static const int excluded[] = {
    SYS_exit, SYS_exit_group, SYS_fork, SYS_vfork, SYS_clone, SYS_clone3, SYS_execve, SYS_execveat,
    SYS_kill, SYS_tkill, SYS_tgkill, SYS_rt_sigqueueinfo, SYS_rt_tgsigqueueinfo, SYS_pidfd_send_signal,
    SYS_rt_sigreturn, SYS_setrlimit, SYS_prlimit64, SYS_reboot, SYS_kexec_load, SYS_kexec_file_load,
    SYS_init_module, SYS_finit_module, SYS_delete_module, SYS_mount, SYS_umount2, SYS_pivot_root,
    SYS_chroot, SYS_swapon, SYS_swapoff, SYS_sethostname, SYS_setdomainname, SYS_settimeofday,
    SYS_clock_settime, SYS_adjtimex, SYS_clock_adjtime, SYS_acct, SYS_quotactl, SYS_unlink,
    SYS_unlinkat, SYS_rmdir, SYS_rename, SYS_renameat, SYS_renameat2, SYS_truncate, SYS_chmod,
    SYS_fchmod, SYS_fchmodat, SYS_chown, SYS_fchown, SYS_lchown, SYS_fchownat, SYS_link, SYS_linkat,
    SYS_symlink, SYS_symlinkat, SYS_mknod, SYS_mknodat, SYS_mkdir, SYS_mkdirat, SYS_creat,
    SYS_setxattr, SYS_lsetxattr, SYS_removexattr, SYS_lremovexattr, SYS_utime, SYS_utimes,
    SYS_utimensat, SYS_futimesat, SYS_iopl, SYS_ioperm, SYS_syslog, SYS_vhangup, SYS_ptrace,
    SYS_mount_setattr, SYS_move_mount, SYS_fsmount, SYS_open_tree, SYS_fsconfig, SYS_fsopen,
    SYS_fallocate, SYS_ftruncate, SYS_shmget, SYS_msgget, SYS_semget, SYS_mq_open, SYS_mq_unlink,
    335, /* unassigned; the kernels here answer it with SIGILL, natively too */
};

static uint64_t state;

static uint64_t next(void) {
  state ^= state << 13;
  state ^= state >> 7;
  state ^= state << 17;
  return state;
}

static uint64_t below(uint64_t n) { return next() % n; }

static unsigned char *scratch;

/* One argument, drawn from the shapes that reach handlers' corner cases. */
static uint64_t argument(void) {
  switch (below(12)) {
  case 0: return 0;
  case 1: return below(32); /* a descriptor */
  case 2: return below(4096);
  case 3: return (uint64_t)-1;
  case 4: return (uint64_t)scratch + below(SCRATCH); /* valid memory, random bytes */
  case 5: return (uint64_t)scratch + SCRATCH - below(64); /* runs off the end of a mapping */
  case 6: return 0xfffffffffffff000ull + below(4096); /* wraps */
  case 7: return 0xffff800000000000ull; /* the kernel's half */
  case 8: return (uint64_t)1 << below(64);
  case 9: return next() & 0xffffffffu; /* flags */
  case 10: return (uint64_t)(int64_t)(int32_t)next();
  default: return next();
  }
}

static int drawable[MAX_NR];

static void open_descriptors(void) {
  int p[2], s[2];
  if (pipe(p) == 0 && socketpair(AF_UNIX, SOCK_STREAM, 0, s) == 0) {
    (void)write(p[1], "x", 1);
    (void)write(s[0], "y", 1);
  }
  (void)eventfd(1, 0);
  (void)timerfd_create(CLOCK_MONOTONIC, 0);
  int ep = epoll_create1(0);
  struct epoll_event ev = {.events = EPOLLIN, .data.fd = p[0]};
  epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev);
  (void)socket(AF_INET, SOCK_DGRAM, 0);
  (void)socket(AF_INET, SOCK_STREAM, 0);
  (void)socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0);
  (void)socket(AF_NETLINK, SOCK_RAW, 0);
  (void)open("fuzz-scratch", O_RDWR | O_CREAT, 0600);
}

static void fuzz(int per_child, volatile uint64_t *made) {
  /* Quiet standard descriptors: the parent's stdout reports. */
  int null = open("/dev/null", O_RDWR);
  dup2(null, 0);
  dup2(null, 1);
  dup2(null, 2);
  struct rlimit cpu = {2, 2}, as = {1 << 30, 1 << 30}, fsize = {16 << 20, 16 << 20};
  setrlimit(RLIMIT_CPU, &cpu);
  setrlimit(RLIMIT_AS, &as);
  setrlimit(RLIMIT_FSIZE, &fsize);
  signal(SIGXFSZ, SIG_IGN);
  scratch = mmap(NULL, SCRATCH, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (scratch == MAP_FAILED) _exit(3);
  open_descriptors();
  for (int i = 0; i < per_child; i++) {
    for (int j = 0; j < 256; j++) scratch[below(SCRATCH)] = (unsigned char)next();
    scratch[below(SCRATCH)] = 0;
    int nr;
    do nr = (int)below(MAX_NR);
    while (!drawable[nr]);
    uint64_t a[6];
    for (int k = 0; k < 6; k++) a[k] = argument();
    (*made)++;
    syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
  }
  _exit(0);
}

static void sleep_ms(int ms) {
  struct timespec ts = {0, ms * 1000000L};
  nanosleep(&ts, NULL);
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s SEED CALLS [PER_CHILD]\n", argv[0]);
    return 2;
  }
  state = strtoull(argv[1], NULL, 0) * 0x9e3779b97f4a7c15ull + 1;
  long calls = strtol(argv[2], NULL, 0);
  int per_child = argc > 3 ? atoi(argv[3]) : 1000;
  for (int nr = 0; nr < MAX_NR; nr++) drawable[nr] = 1;
  for (size_t i = 0; i < sizeof excluded / sizeof excluded[0]; i++) drawable[excluded[i]] = 0;
  volatile uint64_t *made = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (made == MAP_FAILED) return 1;
  long total = 0, children = 0, exited = 0, signaled = 0, timed_out = 0;
  long by_signal[65] = {0};
  while (total < calls) {
    *made = 0;
    uint64_t seed = next();
    pid_t child = fork();
    if (child < 0) {
      perror("fork");
      return 1;
    }
    if (child == 0) {
      state = seed | 1;
      fuzz(calls - total < per_child ? (int)(calls - total) : per_child, made);
    }
    children++;
    int status = 0, waited = 0;
    for (int ms = 0; ms < 5000; ms += 10) {
      if (waitpid(child, &status, WNOHANG) == child) {
        waited = 1;
        break;
      }
      sleep_ms(10);
    }
    if (!waited) {
      kill(child, SIGKILL);
      waitpid(child, &status, 0);
      timed_out++;
    } else if (WIFSIGNALED(status)) {
      signaled++;
      by_signal[WTERMSIG(status) & 63]++;
    } else {
      exited++;
    }
    /* A child that died before its first call still counts one, so the loop always ends. */
    total += *made > 0 ? (long)*made : 1;
  }
  printf("calls %ld, children %ld: %ld exited, %ld killed by a signal, %ld stopped after 5 s\n", total, children, exited,
         signaled, timed_out);
  for (int sig = 1; sig < 65; sig++)
    if (by_signal[sig]) printf("  %s: %ld\n", strsignal(sig), by_signal[sig]);
  return 0;
}
