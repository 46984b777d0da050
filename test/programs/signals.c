// Signals between processes and from timers, printing what a native run prints too (no pids).
//   signals usr1-from-child   a forked child kill()s its parent with SIGUSR1; the handler sees it
//   signals wait-usr1         waits for SIGUSR1 and prints the sender's pid and the time (for a
//                             second configured process to send it)
//   signals alarm-read        alarm(2) interrupts a read on an empty pipe: EINTR at 2.0
//   signals alarm-restart     the same with SA_RESTART: the read goes on until a child writes at 3.0
//   signals sigchld           sigsuspend ends when a child that sleeps 1 s exits (SIGCHLD handler),
//                             as a shell's `wait` does
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t got, alarms;
static volatile pid_t sender;
static volatile int code;
static struct timespec start;

static double elapsed(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - start.tv_sec) + (double)(now.tv_nsec - start.tv_nsec) / 1e9;
}

static void on_usr1(int sig, siginfo_t *info, void *uc) {
  (void)sig, (void)uc;
  sender = info->si_pid;
  code = info->si_code;
  got = 1;
}

static volatile sig_atomic_t chlds;

static void on_chld(int sig) {
  (void)sig;
  chlds++;
}

static int sigchld(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_chld;
  sigaction(SIGCHLD, &sa, NULL);
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGCHLD);
  sigprocmask(SIG_BLOCK, &block, &old);
  pid_t child = fork();
  if (child == 0) {
    struct timespec t = {1, 0};
    nanosleep(&t, NULL);
    _exit(4);
  }
  int status;
  while (waitpid(-1, &status, WNOHANG) == 0) sigsuspend(&old);
  printf("SIGCHLD handled %d time(s), child exited %d at %.1f\n", (int)chlds, WEXITSTATUS(status), elapsed());
  return 0;
}

static void on_alarm(int sig) {
  (void)sig;
  alarms++;
}

static void handle_usr1(sigset_t *old) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr1;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGUSR1, &sa, NULL);
  sigset_t block;
  sigemptyset(&block);
  sigaddset(&block, SIGUSR1);
  sigprocmask(SIG_BLOCK, &block, old);
}

static int usr1_from_child(void) {
  sigset_t old;
  handle_usr1(&old);
  pid_t child = fork();
  if (child == 0) {
    kill(getppid(), SIGUSR1);
    _exit(3);
  }
  while (!got) sigsuspend(&old);
  printf("SIGUSR1 handled: sent by the child %s, SI_USER %s\n", sender == child ? "yes" : "no", code == SI_USER ? "yes" : "no");
  int status;
  pid_t reaped = waitpid(child, &status, 0);
  printf("waitpid: child %s, exited %d\n", reaped == child ? "reaped" : "missing", WEXITSTATUS(status));
  return 0;
}

static int wait_usr1(void) {
  sigset_t old;
  handle_usr1(&old);
  while (!got) sigsuspend(&old);
  printf("SIGUSR1 from pid %d (SI_USER %s) at %.1f\n", (int)sender, code == SI_USER ? "yes" : "no", elapsed());
  return 0;
}

static int alarm_read(int restart) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_alarm;
  sa.sa_flags = restart ? SA_RESTART : 0;
  sigaction(SIGALRM, &sa, NULL);
  int fds[2];
  if (pipe(fds) != 0) return perror("pipe"), 1;
  pid_t child = -1;
  if (restart) {
    child = fork();
    if (child == 0) {
      struct timespec t = {3, 0};
      nanosleep(&t, NULL);
      if (write(fds[1], "x", 1) != 1) _exit(1);
      _exit(0);
    }
  }
  alarm(restart ? 1 : 2);
  char c = '?';
  ssize_t n = read(fds[0], &c, 1);
  int e = errno;
  if (n < 0) printf("read: -1 %s after %.1f s, handler ran %d time(s)\n", strerrorname_np(e), elapsed(), (int)alarms);
  else printf("read: %zd '%c' after %.1f s, handler ran %d time(s)\n", n, c, elapsed(), (int)alarms);
  if (child > 0) {
    int status;
    waitpid(child, &status, 0);
    printf("writer exited %d\n", WEXITSTATUS(status));
  }
  return 0;
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  clock_gettime(CLOCK_MONOTONIC, &start);
  const char *mode = argc > 1 ? argv[1] : "";
  if (strcmp(mode, "usr1-from-child") == 0) return usr1_from_child();
  if (strcmp(mode, "wait-usr1") == 0) return wait_usr1();
  if (strcmp(mode, "alarm-read") == 0) return alarm_read(0);
  if (strcmp(mode, "alarm-restart") == 0) return alarm_read(1);
  if (strcmp(mode, "sigchld") == 0) return sigchld();
  fprintf(stderr, "usage: signals usr1-from-child|wait-usr1|alarm-read|alarm-restart|sigchld\n");
  return 2;
}
