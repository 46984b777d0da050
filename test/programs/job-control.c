/*
 * Job control seen by a parent: children stopped by SIGSTOP, SIGTSTP and their own raise, and
 * continued by SIGCONT, as wait4 (WUNTRACED, WCONTINUED) and waitid (WSTOPPED, WCONTINUED,
 * WNOWAIT) report them; a stopped child runs no more until continued; SIGKILL ends a stop.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void nap(long ms) {
  struct timespec t = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&t, NULL);
}

static void show(const char *what, pid_t got, pid_t child, const int *status) {
  int st = *status; /* read after the wait: arguments have no evaluation order */
  printf("%s: %s", what, got == child ? "child" : got == 0 ? "0" : "?");
  if (got == child) {
    if (WIFSTOPPED(st)) printf(" stopped by %s", strsignal(WSTOPSIG(st)));
    else if (WIFCONTINUED(st)) printf(" continued");
    else if (WIFEXITED(st)) printf(" exited %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) printf(" killed by %s", strsignal(WTERMSIG(st)));
  } else if (got < 0) {
    printf(" (%s)", strerror(errno));
  }
  printf("\n");
  fflush(stdout);
}

static void showid(const char *what, int r, const siginfo_t *si, pid_t child) {
  const char *code = si->si_code == CLD_STOPPED ? "CLD_STOPPED" : si->si_code == CLD_CONTINUED ? "CLD_CONTINUED"
                   : si->si_code == CLD_EXITED ? "CLD_EXITED" : si->si_code == CLD_KILLED ? "CLD_KILLED" : "other";
  if (r < 0) printf("%s: %s\n", what, strerror(errno));
  else if (si->si_pid == 0) printf("%s: nothing\n", what);
  else printf("%s: %s signo %d pid %s status %d\n", what, code, si->si_signo, si->si_pid == child ? "child" : "?", si->si_status);
  fflush(stdout);
}

int main(void) {
  int st;
  siginfo_t si;

  /* 1. SIGSTOP and SIGCONT from the parent, seen by wait4. */
  pid_t c = fork();
  if (c == 0) {
    for (;;) pause();
  }
  kill(c, SIGSTOP);
  show("WUNTRACED after SIGSTOP", waitpid(c, &st, WUNTRACED), c, &st);
  show("again, WNOHANG|WUNTRACED", waitpid(c, &st, WNOHANG | WUNTRACED), c, &st);
  kill(c, SIGCONT);
  show("WCONTINUED after SIGCONT", waitpid(c, &st, WCONTINUED), c, &st);
  kill(c, SIGTERM);
  show("after SIGTERM", waitpid(c, &st, WUNTRACED | WCONTINUED), c, &st);

  /* 2. A child that stops itself runs no more until it is continued. */
  c = fork();
  if (c == 0) {
    raise(SIGSTOP);
    printf("child: running again\n");
    fflush(stdout);
    _exit(3);
  }
  show("raise(SIGSTOP)", waitpid(c, &st, WUNTRACED), c, &st);
  nap(200);
  printf("parent: the child printed nothing while stopped\n");
  fflush(stdout);
  kill(c, SIGCONT);
  show("after SIGCONT, without WCONTINUED", waitpid(c, &st, 0), c, &st);

  /* 3. SIGTSTP (default action) through waitid, WNOWAIT keeps the report. */
  c = fork();
  if (c == 0) {
    setpgid(0, 0); /* a group of its own, not orphaned: SIGTSTP stops it however the program was started */
    for (;;) pause();
  }
  setpgid(c, c);
  kill(c, SIGTSTP);
  memset(&si, 0, sizeof si);
  showid("waitid WSTOPPED|WNOWAIT", waitid(P_PID, c, &si, WSTOPPED | WNOWAIT), &si, c);
  memset(&si, 0, sizeof si);
  showid("waitid WSTOPPED", waitid(P_PID, c, &si, WSTOPPED), &si, c);
  memset(&si, 0, sizeof si);
  showid("waitid WSTOPPED|WNOHANG", waitid(P_PID, c, &si, WSTOPPED | WNOHANG), &si, c);
  kill(c, SIGCONT);
  memset(&si, 0, sizeof si);
  showid("waitid WCONTINUED", waitid(P_PID, c, &si, WCONTINUED), &si, c);

  /* 4. SIGKILL ends a stop. */
  kill(c, SIGSTOP);
  show("stopped again", waitpid(c, &st, WUNTRACED), c, &st);
  kill(c, SIGKILL);
  memset(&si, 0, sizeof si);
  showid("waitid WEXITED after SIGKILL", waitid(P_PID, c, &si, WEXITED), &si, c);

  /* 5. A handler for SIGTSTP runs instead of the stop. */
  c = fork();
  if (c == 0) {
    signal(SIGTSTP, SIG_IGN);
    raise(SIGTSTP);
    _exit(4);
  }
  show("ignored SIGTSTP", waitpid(c, &st, WUNTRACED), c, &st);
  return 0;
}
