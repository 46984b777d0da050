// Calls that name other processes by pid, and the prctl options about the process tree. Each
// case prints errno names and relations between processes (never raw pids), so that a native run
// and a simulated one print the same lines.
//   sandbox-pids prlimit-self | prlimit-sibling | prlimit-errors | pdeathsig | subreaper | others
//   sandbox-pids prlimit-pid PID | prlimit-real-parent   (simulator only: they reach other processes)
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/uio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *err(long ret) { return ret < 0 ? strerrorname_np(errno) : "ok"; }

static long prlimit_raw(pid_t pid, int resource, const void *new_limit, void *old_limit) {
  return syscall(SYS_prlimit64, pid, resource, new_limit, old_limit);
}

static void prlimit_self(void) {
  struct rlimit old, set, now;
  printf("get on pid 0: %s\n", err(prlimit_raw(0, RLIMIT_NOFILE, NULL, &old)));
  set.rlim_cur = 64;
  set.rlim_max = old.rlim_max;
  printf("set on own pid: %s\n", err(prlimit_raw(getpid(), RLIMIT_NOFILE, &set, NULL)));
  getrlimit(RLIMIT_NOFILE, &now);
  printf("getrlimit soft limit: %lu, hard limit unchanged: %s\n", (unsigned long)now.rlim_cur,
         now.rlim_max == old.rlim_max ? "yes" : "no");
  // RLIMIT_CPU on itself ends only itself: a generous limit lets the program go on. Not above the
  // hard limit the machine gave: raising it needs CAP_SYS_RESOURCE, which even root may lack.
  getrlimit(RLIMIT_CPU, &old);
  set.rlim_cur = set.rlim_max = old.rlim_max < 1000 ? old.rlim_max : 1000;
  printf("RLIMIT_CPU on itself: %s\n", err(prlimit_raw(0, RLIMIT_CPU, &set, NULL)));
}

static void prlimit_sibling(void) {
  int go[2];
  if (pipe(go) < 0) exit(1);
  pid_t a = fork();
  if (a == 0) {
    char c;
    close(go[1]);
    if (read(go[0], &c, 1) != 1) _exit(1);
    struct rlimit now;
    getrlimit(RLIMIT_NOFILE, &now);
    printf("sibling A: soft limit %lu\n", (unsigned long)now.rlim_cur);
    _exit(0);
  }
  pid_t b = fork();
  if (b == 0) {
    struct rlimit old, set;
    printf("sibling B: get on A: %s\n", err(prlimit_raw(a, RLIMIT_NOFILE, NULL, &old)));
    set.rlim_cur = 32;
    set.rlim_max = old.rlim_max;
    printf("sibling B: set on A: %s\n", err(prlimit_raw(a, RLIMIT_NOFILE, &set, NULL)));
    _exit(0);
  }
  waitpid(b, NULL, 0);
  if (write(go[1], "g", 1) != 1) exit(1);
  waitpid(a, NULL, 0);
}

static void prlimit_errors(void) {
  struct rlimit set = {1, 0};
  struct rlimit old;
  printf("bad resource: %s\n", err(prlimit_raw(0, 99, NULL, &old)));
  printf("bad new pointer: %s\n", err(prlimit_raw(0, RLIMIT_NOFILE, (void *)8, NULL)));
  printf("bad old pointer: %s\n", err(prlimit_raw(0, RLIMIT_NOFILE, NULL, (void *)8)));
  printf("soft above hard: %s\n", err(prlimit_raw(0, RLIMIT_NOFILE, &set, NULL)));
  printf("bad new pointer, unknown pid: %s\n", err(prlimit_raw(0x3fffffff, RLIMIT_NOFILE, (void *)8, NULL)));
  printf("unknown pid: %s\n", err(prlimit_raw(0x3fffffff, RLIMIT_NOFILE, NULL, &old)));
}

// Only under the simulator: natively these would act on a real process outside the program. The
// limit is harmless should it escape (an hour of CPU, the hard limit left alone).
static void prlimit_pid(pid_t pid) {
  struct rlimit old, set = {3600, RLIM_INFINITY};
  printf("get on %d: %s\n", (int)pid, err(prlimit_raw(pid, RLIMIT_NOFILE, NULL, &old)));
  printf("RLIMIT_CPU on %d: %s\n", (int)pid, err(prlimit_raw(pid, RLIMIT_CPU, &set, NULL)));
}

/** The real parent, from /proc (under the simulator: the simulator itself). */
static pid_t real_parent(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  pid_t ppid = -1;
  while (f && fgets(line, sizeof line, f))
    if (sscanf(line, "PPid: %d", &ppid) == 1) break;
  if (f) fclose(f);
  return ppid;
}

static volatile sig_atomic_t got;
static void on_signal(int sig);

// The other calls that take a pid, on the caller's own virtual pid and on a child's.
static void others(void) {
  pid_t child = fork();
  if (child == 0) {
    pause();
    _exit(0);
  }
  pid_t self = getpid();
  struct sched_param param;
  cpu_set_t cpus;
  CPU_ZERO(&cpus);
  CPU_SET(0, &cpus);
  printf("sched_getscheduler(child): %s\n", err(sched_getscheduler(child)));
  printf("sched_getparam(self): %s\n", err(sched_getparam(self, &param)));
  printf("sched_setaffinity(child, CPU 0): %s\n", err(sched_setaffinity(child, sizeof cpus, &cpus)));
  errno = 0;
  getpriority(PRIO_PROCESS, child);
  printf("getpriority(child): %s\n", errno ? strerrorname_np(errno) : "ok");
  printf("setpriority(self, 1): %s\n", err(setpriority(PRIO_PROCESS, self, 1)));
  long word = 42, copy = 0;
  struct iovec local = {&copy, sizeof copy}, remote = {&word, sizeof word};
  const char *read = err(process_vm_readv(self, &local, 1, &remote, 1, 0));
  printf("process_vm_readv(self): %s, value %ld\n", read, copy);
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, child};
  struct __user_cap_data_struct data[2];
  const char *caps = err(syscall(SYS_capget, &header, data));
  printf("capget(child): %s, header pid kept: %s\n", caps, header.pid == child ? "yes" : "no");
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGUSR2, &sa, NULL);
  union sigval value = {.sival_int = 5};
  const char *queued = err(sigqueue(self, SIGUSR2, value));
  printf("sigqueue(self, SIGUSR2): %s, handled: %d\n", queued, (int)got);
  kill(child, SIGKILL);
  waitpid(child, NULL, 0);
}
static void on_signal(int sig) { got = sig; }

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/** How `ppid` relates to the processes of a case. */
static const char *relation(pid_t ppid, pid_t main_pid, pid_t parent) {
  if (ppid == main_pid) return "main";
  if (ppid == parent) return "parent";
  return ppid == 1 ? "1" : "other";
}

// main → parent → child: the child asks for SIGUSR1 when its parent ends; the parent ends 1 s
// after the child is ready. main learns that the child is done from EOF on a pipe.
static void pdeathsig(void) {
  pid_t main_pid = getpid();
  int ready[2], done[2];
  if (pipe(ready) < 0 || pipe(done) < 0) exit(1);
  pid_t parent = fork();
  if (parent == 0) {
    close(done[0]);
    if (fork() == 0) {
      close(ready[0]);
      struct sigaction sa;
      memset(&sa, 0, sizeof sa);
      sa.sa_handler = on_signal;
      sigaction(SIGUSR1, &sa, NULL);
      int sig = -1;
      printf("child: set: %s\n", err(prctl(PR_SET_PDEATHSIG, SIGUSR1)));
      prctl(PR_GET_PDEATHSIG, &sig);
      printf("child: pdeathsig %d, bad signal: %s\n", sig, err(prctl(PR_SET_PDEATHSIG, 65)));
      if (fork() == 0) {
        prctl(PR_GET_PDEATHSIG, &sig);
        printf("grandchild: pdeathsig %d after fork\n", sig);
        _exit(0);
      }
      wait(NULL);
      double start = now();
      if (write(ready[1], "r", 1) != 1) _exit(1);
      while (!got) pause();
      printf("child: woke by signal %d after %s, ppid: %s\n", (int)got, now() - start >= 1 ? ">= 1 s" : "< 1 s",
             relation(getppid(), main_pid, parent));
      _exit(0);
    }
    close(ready[1]);
    close(done[1]);
    char c;
    if (read(ready[0], &c, 1) != 1) _exit(1);
    sleep(1);
    _exit(0);
  }
  close(ready[0]);
  close(ready[1]);
  close(done[1]);
  int status;
  waitpid(parent, &status, 0);
  char c;
  while (read(done[0], &c, 1) > 0) {}
  printf("main: parent exited %d, child done\n", WEXITSTATUS(status));
}

// main (a subreaper) → middle → grandchild: the middle ends, the grandchild is re-parented to
// main, which reaps it.
static void subreaper(void) {
  pid_t main_pid = getpid();
  int flag = -1, go[2], report[2];
  printf("set subreaper: %s\n", err(prctl(PR_SET_CHILD_SUBREAPER, 1)));
  prctl(PR_GET_CHILD_SUBREAPER, &flag);
  printf("subreaper flag: %d\n", flag);
  if (pipe(go) < 0 || pipe(report) < 0) exit(1);
  pid_t middle = fork();
  if (middle == 0) {
    prctl(PR_GET_CHILD_SUBREAPER, &flag);
    printf("middle: subreaper flag %d (not inherited)\n", flag);
    pid_t grandchild = fork();
    if (grandchild == 0) {
      char c;
      close(go[1]);
      if (read(go[0], &c, 1) != 1) _exit(1);
      printf("grandchild: ppid: %s\n", relation(getppid(), main_pid, middle));
      _exit(7);
    }
    if (write(report[1], &grandchild, sizeof grandchild) != sizeof grandchild) _exit(1);
    _exit(0);
  }
  pid_t grandchild;
  if (read(report[0], &grandchild, sizeof grandchild) != sizeof grandchild) exit(1);
  int status;
  printf("main: reaped middle: %s\n", waitpid(middle, &status, 0) == middle ? "yes" : "no");
  if (write(go[1], "g", 1) != 1) exit(1);
  pid_t reaped = wait(&status);
  printf("main: reaped the grandchild: %s, exited %d\n", reaped == grandchild ? "yes" : "no", WEXITSTATUS(status));
  printf("main: wait again: %s\n", err(wait(NULL)));
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *what = argc > 1 ? argv[1] : "";
  if (!strcmp(what, "prlimit-self")) prlimit_self();
  else if (!strcmp(what, "prlimit-sibling")) prlimit_sibling();
  else if (!strcmp(what, "prlimit-errors")) prlimit_errors();
  else if (!strcmp(what, "prlimit-pid") && argc > 2) prlimit_pid(atoi(argv[2]));
  else if (!strcmp(what, "prlimit-real-parent")) prlimit_pid(real_parent());
  else if (!strcmp(what, "pdeathsig")) pdeathsig();
  else if (!strcmp(what, "subreaper")) subreaper();
  else if (!strcmp(what, "others")) others();
  else {
    fprintf(stderr, "usage: %s case\n", argv[0]);
    return 2;
  }
  return 0;
}
