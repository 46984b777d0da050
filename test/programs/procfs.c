/* What a managed program sees of /proc: its own host's processes by virtual pid, nothing else.
 * Prints key=value lines. argv[1]: a real pid outside the simulation (the test runner's).
 * With argv[1] == "reexec": the image started through /proc/<pid>/exe; it says so and exits. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *err(int ok) {
  if (ok) return "ok";
  switch (errno) {
  case ENOENT: return "ENOENT";
  case EACCES: return "EACCES";
  case EPERM: return "EPERM";
  default: return strerror(errno);
  }
}

/* The whole of `path` into `buf`, or -1 with errno. */
static ssize_t slurp(int dirfd, const char *path, char *buf, size_t size) {
  int fd = openat(dirfd, path, O_RDONLY);
  if (fd < 0) return -1;
  ssize_t n, total = 0;
  while ((n = read(fd, buf + total, size - 1 - total)) > 0) total += n;
  close(fd);
  buf[total] = 0;
  return total;
}

static const char *open_result(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd >= 0) close(fd);
  return err(fd >= 0);
}

/* Prints the status lines named by `keys` (each "Key:") of `path` as prefix.Key=value. */
static void status_lines(const char *prefix, const char *path) {
  static const char *keys[] = {"Pid:", "PPid:", "Tgid:", "TracerPid:", "NSpid:", NULL};
  char buf[8192];
  if (slurp(AT_FDCWD, path, buf, sizeof buf) < 0) {
    printf("%s=%s\n", prefix, err(0));
    return;
  }
  for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
    for (int i = 0; keys[i]; i++) {
      size_t k = strlen(keys[i]);
      if (strncmp(line, keys[i], k) == 0) {
        char *v = line + k;
        while (*v == '\t' || *v == ' ') v++;
        printf("%s.%.*s=%s\n", prefix, (int)(k - 1), keys[i], v);
      }
    }
  }
}

/* Fields 1, 4, 5 and 6 of a stat file read relative to `dirfd`. */
static void stat_fields(const char *prefix, int dirfd, const char *path) {
  char buf[4096];
  if (slurp(dirfd, path, buf, sizeof buf) < 0) {
    printf("%s=%s\n", prefix, err(0));
    return;
  }
  int pid, ppid, pgrp, sid;
  char state;
  char *close_paren = strrchr(buf, ')');
  sscanf(buf, "%d", &pid);
  sscanf(close_paren + 2, "%c %d %d %d", &state, &ppid, &pgrp, &sid);
  printf("%s=%d %d %d %d\n", prefix, pid, ppid, pgrp, sid);
}

/* The numeric entries of directory `path`, ascending, comma-separated. */
static void list_ids(const char *prefix, const char *path) {
  DIR *d = opendir(path);
  if (!d) {
    printf("%s=%s\n", prefix, err(0));
    return;
  }
  long ids[4096];
  int n = 0, others = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 4096) {
    char *end;
    long id = strtol(e->d_name, &end, 10);
    if (*end == 0 && end != e->d_name) ids[n++] = id;
    else others++;
  }
  closedir(d);
  for (int i = 1; i < n; i++)
    for (int j = i; j > 0 && ids[j - 1] > ids[j]; j--) {
      long t = ids[j];
      ids[j] = ids[j - 1];
      ids[j - 1] = t;
    }
  printf("%s=", prefix);
  for (int i = 0; i < n; i++) printf("%s%ld", i ? "," : "", ids[i]);
  printf("\n%s.others=%s\n", prefix, others > 2 ? "yes" : "no");
}

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  if (argc > 1 && strcmp(argv[1], "reexec") == 0) {
    printf("reexec=ok pid=%d\n", getpid());
    return 0;
  }
  const char *outside = argc > 1 ? argv[1] : "1";
  pid_t me = getpid();
  char path[256], buf[4096];
  printf("getpid=%d\ngetppid=%d\n", me, getppid());
  status_lines("self.status", "/proc/self/status");
  stat_fields("self.stat", AT_FDCWD, "/proc/self/stat");
  snprintf(path, sizeof path, "/proc/%d/status", me);
  status_lines("pid.status", path);
  status_lines("thread-self.status", "/proc/thread-self/status");

  ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
  printf("readlink.self=%.*s\n", (int)(n < 0 ? 0 : n), buf);
  n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  buf[n < 0 ? 0 : n] = 0;
  printf("readlink.exe=%s\n", n < 0 ? err(0) : strrchr(buf, '/') + 1);
  snprintf(path, sizeof path, "/proc/%d/exe", me);
  n = readlink(path, buf, sizeof buf - 1);
  buf[n < 0 ? 0 : n] = 0;
  printf("readlink.pid-exe=%s\n", n < 0 ? err(0) : strrchr(buf, '/') + 1);

  /* Nothing outside the host: pid 1, the test runner, through symlinks and dirfds too. */
  printf("open.1.status=%s\n", open_result("/proc/1/status"));
  snprintf(path, sizeof path, "/proc/%s/environ", outside);
  printf("open.outside.environ=%s\n", open_result(path));
  snprintf(path, sizeof path, "/proc/%s/mem", outside);
  int fd = open(path, O_RDWR);
  printf("open.outside.mem=%s\n", err(fd >= 0));
  snprintf(path, sizeof path, "/proc/%s", outside);
  struct stat st;
  printf("stat.outside=%s\n", err(stat(path, &st) == 0));
  printf("access.outside=%s\n", err(access(path, F_OK) == 0));
  printf("stat.1=%s\n", err(stat("/proc/1", &st) == 0));
  printf("lstat.1=%s\n", err(lstat("/proc/1/exe", &st) == 0));
  printf("readlink.1.exe=%s\n", err(readlink("/proc/1/exe", buf, sizeof buf) >= 0));
  printf("open.root-trick=%s\n", open_result("/proc/self/root/proc/1/status"));
  printf("open.self-mem=%s\n", open_result("/proc/self/mem"));
  snprintf(path, sizeof path, "/proc/%d", me);
  printf("stat.me=%s\n", err(stat(path, &st) == 0 && S_ISDIR(st.st_mode)));
  printf("access.me=%s\n", err(access(path, R_OK) == 0));

  list_ids("list.proc", "/proc");
  list_ids("list.task", "/proc/self/task");

  /* Relative to a /proc descriptor and to a cwd in /proc. */
  int procfd = open("/proc", O_RDONLY | O_DIRECTORY);
  snprintf(path, sizeof path, "%d/stat", me);
  stat_fields("openat.me.stat", procfd, path);
  printf("openat.1.stat=%s\n", err(openat(procfd, "1/stat", O_RDONLY) >= 0));
  printf("fstatat.1=%s\n", err(fstatat(procfd, "1", &st, 0) == 0));
  printf("openat.cpuinfo=%s\n", err(openat(procfd, "cpuinfo", O_RDONLY) >= 0));
  if (chdir("/proc") != 0) perror("chdir /proc");
  stat_fields("cwd.me.stat", AT_FDCWD, path);
  printf("cwd.1.status=%s\n", open_result("1/status"));
  snprintf(path, sizeof path, "/proc/%d", me);
  printf("chdir.me=%s\n", err(chdir(path) == 0));
  printf("getcwd=%s\n", getcwd(buf, sizeof buf) ? buf : err(0));
  stat_fields("cwd.stat", AT_FDCWD, "stat");
  printf("chdir.1=%s\n", err(chdir("/proc/1") == 0));
  if (chdir("/") != 0) perror("chdir /");

  /* A child: its /proc entry works, shows virtual ids; its memory is not ours. */
  int go[2];
  if (pipe(go) != 0) return 1;
  pid_t child = fork();
  if (child == 0) {
    char c;
    close(go[1]);
    (void)!read(go[0], &c, 1);
    _exit(0);
  }
  close(go[0]);
  printf("child=%d\n", child);
  snprintf(path, sizeof path, "/proc/%d/stat", child);
  stat_fields("child.stat", AT_FDCWD, path);
  snprintf(path, sizeof path, "/proc/%d/status", child);
  status_lines("child.status", path);
  snprintf(path, sizeof path, "/proc/%d/environ", child);
  printf("child.environ=%s\n", open_result(path));
  snprintf(path, sizeof path, "/proc/%d/mem", child);
  printf("child.mem=%s\n", open_result(path));
  snprintf(path, sizeof path, "/proc/%d/task/%d/children", me, me);
  n = slurp(AT_FDCWD, path, buf, sizeof buf);
  printf("children=%s\n", n < 0 ? err(0) : buf);
  list_ids("list.proc.child", "/proc");
  (void)!write(go[1], "x", 1);
  waitpid(child, NULL, 0);

  /* exec through /proc/<pid>/exe (the virtual pid is translated for the kernel). */
  fflush(stdout);
  snprintf(path, sizeof path, "/proc/%d/exe", me);
  char *args[] = {argv[0], "reexec", NULL};
  execv(path, args);
  printf("exec=%s\n", err(0));
  return 1;
}
