/* Creates, writes, closes and deletes N files in a directory (the file system benchmark's load):
 * every call is a path call the overlay strategy resolves. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10000;
  mkdir("files", 0755);
  char name[64];
  for (int i = 0; i < n; i++) {
    snprintf(name, sizeof name, "files/%d", i);
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "x", 1) != 1) return 1;
    close(fd);
  }
  for (int i = 0; i < n; i++) {
    snprintf(name, sizeof name, "files/%d", i);
    if (unlink(name) < 0) return 1;
  }
  return rmdir("files") < 0;
}
