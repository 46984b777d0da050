// Runs a program natively with every vfork failing, to see what callers do when a real vfork
// fails (the reference for the simulator's `reject` strategy):
//   vfork-fail ERRNO program [args...]     (ERRNO: ENOSYS, EAGAIN, ENOMEM or EPERM)
// A seccomp filter answers vfork, and clone with CLONE_VFORK, with ERRNO. clone3 (whose flags sit
// in memory, out of a filter's reach) answers ENOSYS, so glibc falls back to clone and meets the
// same ERRNO; the filter is inherited by every descendant.
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: vfork-fail ERRNO program [args...]\n");
    return 2;
  }
  static const struct { const char *name; int value; } names[] = {
      {"ENOSYS", ENOSYS}, {"EAGAIN", EAGAIN}, {"ENOMEM", ENOMEM}, {"EPERM", EPERM}};
  int err = -1;
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp(argv[1], names[i].name) == 0) err = names[i].value;
  if (err < 0) {
    fprintf(stderr, "vfork-fail: unknown errno %s\n", argv[1]);
    return 2;
  }
  struct sock_filter filter[] = {
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_vfork, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone3, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_clone, 0, 3),
      BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0])),
      BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_VFORK, 0, 1),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_fprog prog = {.len = sizeof filter / sizeof *filter, .filter = filter};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0) {
    perror("vfork-fail: seccomp");
    return 2;
  }
  execvp(argv[2], argv + 2);
  perror("vfork-fail: exec");
  return 127;
}
