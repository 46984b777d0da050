// Exercises the path-taking calls a file system strategy sees, on the directory given as argv[1]
// (absolute), which the test prepares with: keep.txt "keep\n", old.txt "old\n", gone.txt
// "gone\n", sub/inner.txt "inner\n", link-to-keep -> keep.txt. Prints one line per step, the
// same natively and under `fs: overlay` (where the directory is the lower layer and stays as it was).
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char *D;

static char *at(const char *name) {
  static char bufs[4][4096];
  static int next;
  char *b = bufs[next++ % 4];
  snprintf(b, sizeof bufs[0], "%s/%s", D, name);
  return b;
}

static void r(const char *what, long ret) {
  if (ret < 0) printf("%s = -1 %s\n", what, strerrorname_np(errno));
  else printf("%s = %ld\n", what, ret);
}

static void content(const char *what, const char *path) {
  char buf[256] = {0};
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    printf("%s: -1 %s\n", what, strerrorname_np(errno));
    return;
  }
  ssize_t n = read(fd, buf, sizeof buf - 1);
  close(fd);
  printf("%s: %zd \"", what, n);
  for (ssize_t i = 0; i < n; i++) putchar(buf[i] == '\n' ? '|' : buf[i]);
  printf("\"\n");
}

static void describe(const char *what, const char *path, int follow) {
  struct stat st;
  int ret = follow ? stat(path, &st) : lstat(path, &st);
  if (ret < 0) {
    printf("%s: -1 %s\n", what, strerrorname_np(errno));
    return;
  }
  printf("%s: type %o mode %o size %lld nlink %ld\n", what, st.st_mode & S_IFMT, st.st_mode & 07777, (long long)st.st_size,
         (long)st.st_nlink);
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *what, const char *path) {
  DIR *dir = opendir(path);
  if (!dir) {
    printf("%s: -1 %s\n", what, strerrorname_np(errno));
    return;
  }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(dir)) && n < 64) names[n++] = strdup(e->d_name);
  closedir(dir);
  qsort(names, n, sizeof names[0], cmp);
  printf("%s:", what);
  for (int i = 0; i < n; i++) printf(" %s", names[i]), free(names[i]);
  printf("\n");
}

static long put(const char *path, int flags, const char *text) {
  int fd = open(path, flags, 0640);
  if (fd < 0) return -1;
  long n = write(fd, text, strlen(text));
  close(fd);
  return n;
}

int main(int argc, char **argv) {
  if (argc != 2) return 2;
  D = argv[1];
  char buf[4096];
  struct stat st;

  // Create, and the exclusive create of a lower name.
  r("create new.txt", put(at("new.txt"), O_CREAT | O_WRONLY | O_EXCL, "new\n"));
  describe("new.txt", at("new.txt"), 1);
  r("O_EXCL keep.txt", open(at("keep.txt"), O_CREAT | O_WRONLY | O_EXCL, 0600));
  // Writing a lower file (copy-up), then reading it back.
  r("append old.txt", put(at("old.txt"), O_WRONLY | O_APPEND, "more\n"));
  content("old.txt", at("old.txt"));
  content("keep.txt", at("keep.txt"));
  // Rename across directories.
  r("rename old.txt sub/moved.txt", rename(at("old.txt"), at("sub/moved.txt")));
  describe("old.txt", at("old.txt"), 1);
  content("sub/moved.txt", at("sub/moved.txt"));
  // Unlink of a lower file.
  r("unlink gone.txt", unlink(at("gone.txt")));
  r("access gone.txt", access(at("gone.txt"), F_OK));
  r("unlink gone.txt again", unlink(at("gone.txt")));
  content("gone.txt", at("gone.txt"));
  r("create gone.txt again", put(at("gone.txt"), O_CREAT | O_WRONLY, "back\n"));
  content("gone.txt", at("gone.txt"));
  // Directories.
  r("mkdir newdir", mkdir(at("newdir"), 0750));
  r("mkdir newdir again", mkdir(at("newdir"), 0750));
  r("mkdir sub", mkdir(at("sub"), 0750));
  describe("newdir", at("newdir"), 1);
  int dfd = open(D, O_RDONLY | O_DIRECTORY);
  r("mkdirat newdir/deep", mkdirat(dfd, "newdir/deep", 0700));
  // Symlinks.
  r("symlink ln", symlink("sub/inner.txt", at("ln")));
  ssize_t n = readlink(at("ln"), buf, sizeof buf);
  printf("readlink ln: %.*s\n", (int)(n < 0 ? 0 : n), buf);
  n = readlink(at("link-to-keep"), buf, sizeof buf);
  printf("readlink link-to-keep: %.*s\n", (int)(n < 0 ? 0 : n), buf);
  content("through ln", at("ln"));
  describe("lstat ln", at("ln"), 0);
  r("symlink over keep.txt", symlink("x", at("keep.txt")));
  r("symlinkat ln2", symlinkat("/nonexistent", dfd, "ln2"));
  describe("stat ln2", at("ln2"), 1);
  // A symlink made here that leads out of the directory tree, to a device.
  r("symlink devnull", symlink("/dev/null", at("devnull")));
  r("write through devnull", put(at("devnull"), O_WRONLY, "x"));
  content("devnull", at("devnull"));
  describe("stat devnull", at("devnull"), 1);
  r("unlink devnull", unlink(at("devnull")));
  // Hard links.
  r("link keep.txt hard.txt", link(at("keep.txt"), at("hard.txt")));
  describe("keep.txt", at("keep.txt"), 1);
  describe("hard.txt", at("hard.txt"), 1);
  struct stat a, b;
  stat(at("keep.txt"), &a);
  stat(at("hard.txt"), &b);
  printf("same inode: %d\n", a.st_ino == b.st_ino);
  r("link onto new.txt", link(at("keep.txt"), at("new.txt")));
  // chmod, truncate, utimensat of lower files.
  r("chmod keep.txt", chmod(at("keep.txt"), 0600));
  describe("keep.txt", at("keep.txt"), 1);
  r("fchmodat link-to-keep", fchmodat(AT_FDCWD, at("link-to-keep"), 0604, 0));
  describe("keep.txt", at("keep.txt"), 1);
  r("truncate sub/inner.txt", truncate(at("sub/inner.txt"), 2));
  content("sub/inner.txt", at("sub/inner.txt"));
  struct timespec times[2] = {{1000000000, 0}, {1000000000, 0}};
  r("utimensat keep.txt", utimensat(AT_FDCWD, at("keep.txt"), times, 0));
  stat(at("keep.txt"), &st);
  printf("keep.txt mtime: %lld\n", (long long)st.st_mtime);
  // chown and extended attributes of lower files (the test runs as root).
  r("chown sub/inner.txt", chown(at("sub/inner.txt"), 1234, 1235));
  stat(at("sub/inner.txt"), &st);
  printf("sub/inner.txt owner: %d:%d\n", (int)st.st_uid, (int)st.st_gid);
  r("lchown link-to-keep", lchown(at("link-to-keep"), 1236, 1237));
  lstat(at("link-to-keep"), &st);
  printf("link-to-keep owner: %d:%d\n", (int)st.st_uid, (int)st.st_gid);
  r("fchownat keep.txt", fchownat(AT_FDCWD, at("keep.txt"), 0, 0, 0));
  r("setxattr gone.txt", setxattr(at("gone.txt"), "user.shadow", "ts", 2, 0));
  n = getxattr(at("gone.txt"), "user.shadow", buf, sizeof buf);
  printf("getxattr gone.txt: %.*s\n", (int)(n < 0 ? 0 : n), buf);
  r("listxattr gone.txt", listxattr(at("gone.txt"), buf, sizeof buf));
  r("removexattr gone.txt", removexattr(at("gone.txt"), "user.shadow"));
  r("getxattr gone.txt again", getxattr(at("gone.txt"), "user.shadow", buf, sizeof buf));
  // O_TMPFILE, named afterwards with linkat.
  int tfd = open(D, O_TMPFILE | O_RDWR, 0600);
  r("O_TMPFILE", tfd < 0 ? -1 : 0);
  if (tfd >= 0) {
    r("write tmpfile", write(tfd, "tmp\n", 4));
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", tfd);
    r("linkat tmpfile", linkat(AT_FDCWD, proc, AT_FDCWD, at("tmp-linked"), AT_SYMLINK_FOLLOW));
    close(tfd);
    content("tmp-linked", at("tmp-linked"));
  }
  // rmdir.
  r("rmdir sub", rmdir(at("sub")));
  r("rmdir newdir/deep", rmdir(at("newdir/deep")));
  r("unlinkat newdir", unlinkat(dfd, "newdir", AT_REMOVEDIR));
  describe("newdir", at("newdir"), 1);
  r("unlink sub (a directory)", unlink(at("sub")));
  // Relative paths from a cwd in the overlay.
  r("chdir sub", chdir(at("sub")));
  char *cwd = getcwd(buf, sizeof buf);
  printf("getcwd: %s\n", cwd && strncmp(cwd, D, strlen(D)) == 0 ? cwd + strlen(D) : "(elsewhere)");
  content("moved.txt", "moved.txt");
  r("creat rel.txt", put("rel.txt", O_CREAT | O_WRONLY | O_TRUNC, "rel\n"));
  describe("../keep.txt", "../keep.txt", 1);
  r("rename rel.txt ../rel2.txt", rename("rel.txt", "../rel2.txt"));
  r("chdir ..", chdir(".."));
  content("rel2.txt", "rel2.txt");
  // *at calls on a directory descriptor.
  int kfd = openat(dfd, "keep.txt", O_RDONLY);
  n = read(kfd, buf, sizeof buf);
  printf("openat keep.txt: %zd\n", n);
  close(kfd);
  r("fstatat hard.txt", fstatat(dfd, "hard.txt", &st, 0));
  printf("hard.txt nlink: %ld\n", (long)st.st_nlink);
  struct statx sx;
  r("statx sub/moved.txt", statx(dfd, "sub/moved.txt", 0, STATX_SIZE, &sx));
  printf("statx size: %llu\n", (unsigned long long)sx.stx_size);
  r("faccessat gone.txt", faccessat(dfd, "gone.txt", R_OK, 0));
  r("faccessat old.txt", faccessat(dfd, "old.txt", F_OK, 0));
  n = readlinkat(dfd, "ln", buf, sizeof buf);
  printf("readlinkat ln: %.*s\n", (int)(n < 0 ? 0 : n), buf);
  r("renameat hard.txt sub/hard2.txt", renameat(dfd, "hard.txt", dfd, "sub/hard2.txt"));
  r("unlinkat sub/hard2.txt", unlinkat(dfd, "sub/hard2.txt", 0));
  r("renameat2 NOREPLACE", renameat2(dfd, "new.txt", dfd, "keep.txt", RENAME_NOREPLACE));
  // Listings of merged directories.
  list("ls", D);
  list("ls sub", at("sub"));
  // execve of a file made here.
  r("script", put(at("script.sh"), O_CREAT | O_WRONLY | O_TRUNC, "#!/bin/sh\necho script ran\n"));
  r("chmod script", chmod(at("script.sh"), 0755));
  fflush(stdout);
  pid_t pid = fork();
  if (pid == 0) {
    char *args[] = {at("script.sh"), NULL};
    char *env[] = {NULL};
    execve(args[0], args, env);
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  printf("script exit: %d\n", WEXITSTATUS(status));
  // A lower directory emptied and removed, made again (empty: its lower files stay gone), removed
  // again and replaced by a file.
  r("unlink sub/inner.txt", unlink(at("sub/inner.txt")));
  r("unlink sub/moved.txt", unlink(at("sub/moved.txt")));
  r("rmdir sub", rmdir(at("sub")));
  r("mkdir sub", mkdir(at("sub"), 0700));
  list("ls sub", at("sub"));
  describe("sub/inner.txt", at("sub/inner.txt"), 1);
  r("rmdir sub", rmdir(at("sub")));
  r("create sub (a file)", put(at("sub"), O_CREAT | O_WRONLY, "file\n"));
  describe("sub/inner.txt", at("sub/inner.txt"), 1);
  list("ls", D);
  close(dfd);
  return 0;
}
