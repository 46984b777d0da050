/* Job-control signals a process may catch or ignore: SIGTSTP with a handler runs the handler
 * (a shell's suspend key), SIGTTOU ignored is ignored, SIGTTIN caught and blocked stays pending
 * until unblocked. Prints what happened; the same natively and under the simulator. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

static volatile sig_atomic_t tstp, ttin;
static void on_tstp(int sig) { tstp += sig == SIGTSTP; }
static void on_ttin(int sig) { ttin += sig == SIGTTIN; }

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  signal(SIGTSTP, on_tstp);
  raise(SIGTSTP);
  printf("SIGTSTP handler ran: %d time(s)\n", (int)tstp);
  signal(SIGTTOU, SIG_IGN);
  raise(SIGTTOU);
  printf("SIGTTOU ignored: still running\n");
  signal(SIGTTIN, on_ttin);
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTTIN);
  sigprocmask(SIG_BLOCK, &set, NULL);
  kill(getpid(), SIGTTIN);
  sigset_t pending;
  sigpending(&pending);
  printf("SIGTTIN pending while blocked: %s, handled yet: %d\n", sigismember(&pending, SIGTTIN) ? "yes" : "no", (int)ttin);
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  printf("after unblocking, handled: %d\n", (int)ttin);
  return 0;
}
