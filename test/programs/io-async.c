/*
 * Signal-driven I/O (nginx's worker channels, daemons' SIGIO): O_ASYNC by ioctl(FIOASYNC) and by
 * F_SETFL, the owner by F_SETOWN / F_SETOWN_EX, another signal by F_SETSIG; a child writes into a
 * socketpair and a pipe, the parent counts the signals it gets. Prints each step.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t sigio, sigusr1;
static void on_sigio(int sig) { sigio += sig == SIGIO; }
static void on_sigusr1(int sig) { sigusr1 += sig == SIGUSR1; }

static void say(const char *what, long r) {
  if (r < 0) printf("%s: %s\n", what, strerrorname_np(errno));
  else printf("%s: %ld\n", what, r);
}

/** A child that writes one byte into `fd` after a short sleep, then ends; the parent waits. */
static void poke(int fd) {
  pid_t child = fork();
  if (child == 0) {
    usleep(10000);
    if (write(fd, "x", 1) != 1) _exit(1);
    _exit(0);
  }
  usleep(50000);
  waitpid(child, NULL, 0);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  signal(SIGIO, on_sigio);
  signal(SIGUSR1, on_sigusr1);
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  int on = 1;
  say("ioctl FIOASYNC", ioctl(sv[0], FIOASYNC, &on));
  say("O_ASYNC in F_GETFL", (fcntl(sv[0], F_GETFL) & O_ASYNC) != 0);
  say("F_SETOWN self", fcntl(sv[0], F_SETOWN, getpid()));
  say("F_GETOWN is self", fcntl(sv[0], F_GETOWN) == getpid());
  say("F_SETOWN no such pid", fcntl(sv[0], F_SETOWN, 999999));
  poke(sv[1]);
  char buf[8];
  say("read", read(sv[0], buf, sizeof buf));
  printf("SIGIO after a write: %s\n", sigio > 0 ? "yes" : "no");

  say("F_SETSIG SIGUSR1", fcntl(sv[0], F_SETSIG, SIGUSR1));
  say("F_GETSIG", fcntl(sv[0], F_GETSIG));
  say("F_SETSIG 99", fcntl(sv[0], F_SETSIG, 99));
  int before = sigio;
  poke(sv[1]);
  say("read", read(sv[0], buf, sizeof buf));
  printf("SIGUSR1 after a write: %s, no more SIGIO: %s\n", sigusr1 > 0 ? "yes" : "no", sigio == before ? "yes" : "no");

  on = 0;
  ioctl(sv[0], FIOASYNC, &on);
  int quiet = sigusr1;
  poke(sv[1]);
  say("read", read(sv[0], buf, sizeof buf));
  printf("after FIOASYNC off, no signal: %s\n", sigusr1 == quiet ? "yes" : "no");

  int p[2];
  pipe(p);
  struct f_owner_ex owner = {.type = F_OWNER_PID, .pid = getpid()};
  say("F_SETOWN_EX pipe", fcntl(p[0], F_SETOWN_EX, &owner));
  struct f_owner_ex got = {0};
  say("F_GETOWN_EX", fcntl(p[0], F_GETOWN_EX, &got));
  printf("owner type %d is self: %s\n", got.type, got.pid == getpid() ? "yes" : "no");
  say("F_SETFL O_ASYNC", fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_ASYNC));
  before = sigio;
  poke(p[1]);
  printf("SIGIO from a pipe: %s\n", sigio > before ? "yes" : "no");
  return 0;
}
