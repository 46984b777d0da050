/* What a process sees of its host through special files: 16 bytes from /dev/urandom (twice)
 * and from /dev/random in hex, /etc/hosts, /etc/hostname, its working directory, and the
 * local time zone (from /etc/localtime). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void hex(const char *path, int times) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        printf("%s: open %s\n", path, strerrorname_np(errno));
        return;
    }
    for (int t = 0; t < times; t++) {
        unsigned char b[16];
        ssize_t n = read(fd, b, sizeof b);
        printf("%s: %zd ", path, n);
        for (ssize_t i = 0; i < n; i++) printf("%02x", b[i]);
        printf("\n");
    }
    close(fd);
}

static void dump(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        printf("%s: open %s\n", path, strerrorname_np(errno));
        return;
    }
    printf("== %s\n", path);
    char line[512];
    while (fgets(line, sizeof line, f)) fputs(line, stdout);
    printf("== end\n");
    fclose(f);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    hex("/dev/urandom", 2);
    hex("/dev/random", 1);
    dump("/etc/hosts");
    dump("/etc/hostname");
    char cwd[4096];
    printf("cwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : strerrorname_np(errno));
    time_t t = 0;
    struct tm tm;
    localtime_r(&t, &tm);
    char zone[64];
    strftime(zone, sizeof zone, "%Z %z", &tm);
    printf("time zone: %s\n", zone);
    return 0;
}
