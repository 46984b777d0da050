// The ways C programs start other programs, each reporting what it got back (errno names, exit
// statuses, never pids), so that a native run and a simulated one print the same lines.
//   spawn [case...]   cases: vfork-exec vfork-retry spawn-good spawn-missing system clone-exec
//                     clone-exit (default: all, in that order)
//   spawn loop N      N cycles of vfork (fork if vfork fails) + exec /bin/true + waitpid (bench)
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *status_text(int status) {
  static char text[64];
  if (WIFEXITED(status)) snprintf(text, sizeof text, "exited %d", WEXITSTATUS(status));
  else if (WIFSIGNALED(status)) snprintf(text, sizeof text, "killed by %s", sigabbrev_np(WTERMSIG(status)));
  else snprintf(text, sizeof text, "status 0x%x", status);
  return text;
}

static void reap(const char *what, pid_t pid) {
  int status;
  if (waitpid(pid, &status, 0) != pid) printf("%s: waitpid: %s\n", what, strerrorname_np(errno));
  else printf("%s: child %s\n", what, status_text(status));
}

static void vfork_exec(int retry) {
  const char *what = retry ? "vfork-retry" : "vfork-exec";
  pid_t pid = -1;
  for (volatile int attempt = 1; attempt <= 3; attempt++) {
    pid = vfork();
    if (pid == 0) {
      char *argv[] = {"echo", "hello from a vfork child", NULL};
      execve("/bin/echo", argv, environ);
      _exit(127);
    }
    if (pid > 0 || !retry || errno != EAGAIN) break;
    printf("%s: vfork attempt %d: EAGAIN, retrying\n", what, attempt);
  }
  if (pid < 0) printf("%s: vfork: -1 %s\n", what, strerrorname_np(errno));
  else reap(what, pid);
}

static void spawn(const char *path) {
  const char *what = path[1] == 'b' ? "spawn-good" : "spawn-missing";
  char *argv[] = {(char *)path, "hello from posix_spawn", NULL};
  pid_t pid;
  int rc = posix_spawn(&pid, path, NULL, NULL, argv, environ);
  if (rc != 0) printf("%s: posix_spawn: %s\n", what, strerrorname_np(rc));
  else reap(what, pid);
}

static void run_system(void) {
  errno = 0;
  int rc = system("echo hello from system");
  int e = errno;
  if (rc == -1) printf("system: -1 %s\n", strerrorname_np(e));
  else printf("system: %d (%s)\n", rc, status_text(rc));
}

static int clone_child(void *arg) {
  if (arg == NULL) _exit(7);
  char *argv[] = {"echo", "hello from a clone(CLONE_VM|CLONE_VFORK) child", NULL};
  execve("/bin/echo", argv, environ);
  _exit(127);
}

/** clone(CLONE_VM|CLONE_VFORK|SIGCHLD) on a stack of its own; the child only execs or exits. */
static void raw_clone(int exec) {
  const char *what = exec ? "clone-exec" : "clone-exit";
  const size_t size = 256 * 1024;
  char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    printf("%s: mmap: %s\n", what, strerrorname_np(errno));
    return;
  }
  pid_t pid = clone(clone_child, stack + size, CLONE_VM | CLONE_VFORK | SIGCHLD, exec ? "exec" : NULL);
  if (pid < 0) printf("%s: clone: -1 %s\n", what, strerrorname_np(errno));
  else reap(what, pid);
  munmap(stack, size);
}

static int loop(long n) {
  for (volatile long i = 0; i < n; i++) {
    pid_t pid = vfork();
    if (pid < 0) pid = fork();
    if (pid == 0) {
      char *argv[] = {"true", NULL};
      execve("/bin/true", argv, environ);
      _exit(127);
    }
    int status;
    if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0) return 1;
  }
  return 0;
}

static void run_case(const char *name) {
  if (strcmp(name, "vfork-exec") == 0) vfork_exec(0);
  else if (strcmp(name, "vfork-retry") == 0) vfork_exec(1);
  else if (strcmp(name, "spawn-good") == 0) spawn("/bin/echo");
  else if (strcmp(name, "spawn-missing") == 0) spawn("/nonexistent/program");
  else if (strcmp(name, "system") == 0) run_system();
  else if (strcmp(name, "clone-exec") == 0) raw_clone(1);
  else if (strcmp(name, "clone-exit") == 0) raw_clone(0);
  else printf("%s: unknown case\n", name);
}

int main(int argc, char **argv) {
  // Line-buffered even into a file: the parent's lines and its children's interleave in order.
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc == 3 && strcmp(argv[1], "loop") == 0) return loop(atol(argv[2]));
  static const char *all[] = {"vfork-exec", "vfork-retry", "spawn-good", "spawn-missing", "system", "clone-exec", "clone-exit"};
  if (argc > 1) {
    for (int i = 1; i < argc; i++) run_case(argv[i]);
  } else {
    for (size_t i = 0; i < sizeof all / sizeof *all; i++) run_case(all[i]);
  }
  return 0;
}
