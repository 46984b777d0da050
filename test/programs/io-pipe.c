/* Pipes within one process: pipe/pipe2 flags, data order, readv/writev, FIONREAD, fcntl
 * F_GETFL/F_SETFL, dup, the pipe capacity, EAGAIN on empty and full non-blocking pipes, EOF
 * once every write end is closed, EPIPE (SIGPIPE ignored) once every read end is closed, and
 * a blocking read that returns at once when data is there. Prints results and errno names. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

static void show(const char *what, long r) {
    if (r < 0) printf("%s: -1 %s(%d)\n", what, strerrorname_np(errno), errno);
    else printf("%s: %ld\n", what, r);
}

int main(void) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    int p[2];
    char buf[256];

    show("pipe", pipe(p));
    printf("fds distinct and low: %d\n", p[0] >= 3 && p[1] == p[0] + 1);
    show("F_GETFL read end O_ACCMODE", fcntl(p[0], F_GETFL) & O_ACCMODE);
    show("F_GETFL write end O_ACCMODE", fcntl(p[1], F_GETFL) & O_ACCMODE);
    show("F_GETFD", fcntl(p[0], F_GETFD));
    show("write hello", write(p[1], "hello", 5));
    show("write world", write(p[1], " world", 6));
    int avail = -1;
    show("FIONREAD", ioctl(p[0], FIONREAD, &avail));
    printf("available: %d\n", avail);
    ssize_t n = read(p[0], buf, 3);
    show("read 3", n);
    printf("got '%.*s'\n", (int)n, buf);
    n = read(p[0], buf, sizeof buf);
    show("read rest", n);
    printf("got '%.*s'\n", (int)n, buf);
    show("read end to the wrong direction (write)", write(p[0], "x", 1));
    show("write end to the wrong direction (read)", read(p[1], buf, 1));

    /* readv / writev */
    struct iovec w[3] = {{"ab", 2}, {"", 0}, {"cdef", 4}};
    show("writev", writev(p[1], w, 3));
    char a[3], b[10];
    struct iovec r[2] = {{a, 3}, {b, sizeof b}};
    n = readv(p[0], r, 2);
    show("readv", n);
    printf("readv got '%.3s' '%.*s'\n", a, (int)(n - 3), b);

    /* O_NONBLOCK through fcntl: an empty pipe says EAGAIN */
    show("F_SETFL O_NONBLOCK", fcntl(p[0], F_SETFL, O_NONBLOCK));
    show("F_GETFL has O_NONBLOCK", (fcntl(p[0], F_GETFL) & O_NONBLOCK) != 0);
    show("read empty non-blocking", read(p[0], buf, sizeof buf));
    show("zero-length read", read(p[0], buf, 0));

    /* dup shares the open file description: O_NONBLOCK is seen through the copy */
    int d = dup(p[0]);
    show("dup > write end", d > p[1]);
    show("dup F_GETFL has O_NONBLOCK", (fcntl(d, F_GETFL) & O_NONBLOCK) != 0);
    show("dup F_GETFD", fcntl(d, F_GETFD));
    show("write via original", write(p[1], "xyz", 3));
    n = read(d, buf, sizeof buf);
    show("read via dup", n);
    printf("got '%.*s'\n", (int)n, buf);
    int d2 = fcntl(p[1], F_DUPFD_CLOEXEC, 50);
    show("F_DUPFD_CLOEXEC 50", d2);
    show("F_DUPFD_CLOEXEC F_GETFD", fcntl(d2, F_GETFD));
    show("dup2 to 60", dup2(p[0], 60));
    show("dup3 O_CLOEXEC to 61", dup3(p[0], 61, O_CLOEXEC));
    show("F_GETFD 61", fcntl(61, F_GETFD));
    show("dup3 same fd", dup3(61, 61, 0));
    show("dup2 same fd", dup2(61, 61));
    show("close 60", close(60));
    show("close 61", close(61));
    show("close 60 again", close(60));

    /* pipe2 flags and the capacity of a full pipe */
    int q[2];
    show("pipe2 O_NONBLOCK|O_CLOEXEC", pipe2(q, O_NONBLOCK | O_CLOEXEC));
    show("pipe2 F_GETFD", fcntl(q[1], F_GETFD));
    show("pipe2 F_GETFL has O_NONBLOCK", (fcntl(q[1], F_GETFL) & O_NONBLOCK) != 0);
    show("F_GETPIPE_SZ", fcntl(q[1], F_GETPIPE_SZ));
    memset(buf, 'z', sizeof buf);
    long total = 0;
    for (;;) {
        ssize_t k = write(q[1], buf, sizeof buf);
        if (k < 0) {
            show("write to full pipe", k);
            break;
        }
        total += k;
    }
    printf("bytes until full: %ld\n", total);
    show("FIONREAD full", ioctl(q[0], FIONREAD, &avail));
    printf("available: %d\n", avail);
    long drained = 0;
    for (;;) {
        ssize_t k = read(q[0], buf, sizeof buf);
        if (k <= 0) {
            show("read drained pipe", k);
            break;
        }
        drained += k;
    }
    printf("bytes drained: %ld\n", drained);

    /* EOF when all write ends are closed (p[1] and its copy d2) */
    show("write before close", write(p[1], "end", 3));
    show("close write end", close(p[1]));
    n = read(p[0], buf, sizeof buf);
    show("read after writer closed, data first", n);
    show("read again: still one write end (dup'd)", read(p[0], buf, sizeof buf));
    show("close dup'd write end", close(d2));
    show("read at EOF", read(p[0], buf, sizeof buf));

    /* EPIPE when all read ends are closed */
    show("close read ends", close(q[0]));
    show("write with no reader", write(q[1], "x", 1));

    /* A blocking read on a pipe with data returns at once */
    int s[2];
    show("pipe", pipe(s));
    show("write", write(s[1], "now", 3));
    n = read(s[0], buf, sizeof buf);
    show("blocking read with data", n);
    show("close p[0]", close(p[0]));
    show("close d", close(d));
    show("close q[1]", close(q[1]));
    show("close s[0]", close(s[0]));
    show("close s[1]", close(s[1]));
    show("close again", close(s[1]));
    return 0;
}
