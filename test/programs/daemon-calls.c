/*
 * Calls stock daemons make at start (sshd's privilege separation, iperf3, cp -a, node): resource
 * usage, credentials, chroot, securebits, protection keys and extended attributes. Prints each
 * result or errno name; with the argument "usage", getrusage's figures instead.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

static void say(const char *what, long r) {
  if (r < 0) printf("%s: %s\n", what, strerrorname_np(errno));
  else printf("%s: %ld\n", what, r);
}

int main(int argc, char **argv) {
  struct rusage ru;
  if (argc > 1 && strcmp(argv[1], "usage") == 0) {
    for (volatile long i = 0; i < 20000000; i++) {}
    getrusage(RUSAGE_SELF, &ru);
    printf("utime %ld.%06ld stime %ld.%06ld maxrss %ld nvcsw %ld\n", ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec,
           ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec, ru.ru_maxrss, ru.ru_nvcsw);
    return 0;
  }
  say("getrusage self", getrusage(RUSAGE_SELF, &ru));
  say("getrusage children", getrusage(RUSAGE_CHILDREN, &ru));
  say("getrusage thread", getrusage(RUSAGE_THREAD, &ru));
  say("getrusage 7", getrusage(7, &ru));
  say("getrusage bad pointer", syscall(SYS_getrusage, RUSAGE_SELF, (void *)8));

  gid_t none[1];
  say("setgroups 0", setgroups(0, NULL));
  say("getgroups", getgroups(1, none));
  say("setresgid same", setresgid(getgid(), getgid(), getgid()));
  say("setresuid same", setresuid(getuid(), getuid(), getuid()));
  say("chroot /", chroot("/"));
  say("chroot missing", chroot("/no/such/dir"));
  say("PR_GET_SECUREBITS", prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
  say("PR_CAPBSET_READ 0", prctl(PR_CAPBSET_READ, 0, 0, 0, 0));

  long key = syscall(SYS_pkey_alloc, 0, 0);
  printf("pkey_alloc: %s\n", key >= 0 || errno == ENOSPC || errno == EINVAL ? "answered by the kernel" : strerrorname_np(errno));
  if (key >= 0) say("pkey_free", syscall(SYS_pkey_free, key));

  int p[2];
  pipe(p);
  char value[16];
  say("fgetxattr pipe", fgetxattr(p[0], "user.x", value, sizeof value));
  say("fsetxattr pipe", fsetxattr(p[1], "user.x", "1", 1, 0));
  say("fremovexattr pipe", fremovexattr(p[1], "user.x"));
  FILE *f = fopen("attrs", "w");
  fclose(f);
  long set = setxattr("attrs", "user.shadow", "ts", 2, 0);
  if (set < 0 && errno == ENOTSUP) {
    printf("user xattrs not supported here\n");
  } else {
    say("setxattr file", set);
    memset(value, 0, sizeof value);
    say("getxattr file", getxattr("attrs", "user.shadow", value, sizeof value));
    printf("value: %s\n", value);
    char names[64];
    say("listxattr file", listxattr("attrs", names, sizeof names));
  }
  return 0;
}
