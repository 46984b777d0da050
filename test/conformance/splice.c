/* splice(2) and tee(2): pipe to pipe, file to pipe and pipe to file (with and without offsets),
 * unix sockets to and from pipes, /dev/null and /dev/zero, what each refuses (neither end a
 * pipe, the same pipe, offsets on a pipe, wrong directions, O_APPEND, other kinds of files,
 * bad flags), waiting and SPLICE_F_NONBLOCK, end of file and a pipe without readers. */
#include "conf.h"
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>

static char buf[70000];

/* What a pipe holds now, drained (non-blocking), as "N bytes 'first...'". */
static const char *drain(int fd) {
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    long total = 0, r;
    char first[9] = "";
    while ((r = read(fd, buf, sizeof buf)) > 0) {
        if (total == 0) snprintf(first, sizeof first, "%.*s", (int)(r < 8 ? r : 8), buf);
        total += r;
    }
    fcntl(fd, F_SETFL, fl);
    return fmt("%ld bytes '%s'", total, first);
}

static const char *file_text(const char *path) {
    int fd = open(path, O_RDONLY);
    long r = read(fd, buf, 64);
    close(fd);
    return fmt("'%.*s'", (int)(r < 0 ? 0 : r), buf);
}

int main(void) {
    conf_start();
    count_signal(SIGPIPE, 0);
    int a[2], b[2];
    pipe(a);
    pipe(b);

    /* pipe to pipe */
    write(a[1], "hello world", 11);
    T("pipe to pipe", splice(a[0], NULL, b[1], NULL, 5, 0), "out holds %s, in holds %s", drain(b[0]), drain(a[0]));
    write(a[1], "abc", 3);
    T("pipe to pipe, more asked than there is", splice(a[0], NULL, b[1], NULL, 100, 0), "out holds %s", drain(b[0]));
    T("pipe to pipe, empty, SPLICE_F_NONBLOCK", splice(a[0], NULL, b[1], NULL, 10, SPLICE_F_NONBLOCK));
    fcntl(a[0], F_SETFL, O_NONBLOCK);
    T("pipe to pipe, empty, O_NONBLOCK read end", splice(a[0], NULL, b[1], NULL, 10, 0));
    fcntl(a[0], F_SETFL, 0);
    T("pipe to pipe, length 0", splice(a[0], NULL, b[1], NULL, 0, 0));
    T("length 0 with bad descriptors", splice(-1, NULL, -1, NULL, 0, 0));
    T("the same pipe", splice(a[0], NULL, a[1], NULL, 10, 0));
    loff_t off = 0;
    write(a[1], "x", 1);
    T("pipe to pipe with off_in", splice(a[0], &off, b[1], NULL, 10, 0));
    T("pipe to pipe with off_out", splice(a[0], NULL, b[1], &off, 10, 0));
    T("from a write end", splice(a[1], NULL, b[1], NULL, 10, 0));
    T("into a read end", splice(a[0], NULL, b[0], NULL, 10, 0));
    T("bad flags", splice(a[0], NULL, b[1], NULL, 10, 0x10));
    T("bad descriptor in", splice(99, NULL, b[1], NULL, 10, 0));
    T("bad descriptor out", splice(a[0], NULL, 99, NULL, 10, 0));
    drain(a[0]);
    /* a full destination */
    fcntl(b[1], F_SETFL, O_NONBLOCK);
    memset(buf, 'f', sizeof buf);
    while (write(b[1], buf, sizeof buf) > 0) {
    }
    write(a[1], "y", 1);
    T("pipe to a full pipe, non-blocking", splice(a[0], NULL, b[1], NULL, 10, 0));
    fcntl(b[1], F_SETFL, 0);
    T("the full pipe drained", 0, "%s", drain(b[0]));
    T("pipe to pipe once room came", splice(a[0], NULL, b[1], NULL, 10, 0), "out holds %s", drain(b[0]));
    /* capacity: 64 KiB of pages */
    memset(buf, 'p', sizeof buf);
    for (int i = 0; i < 10; i++) write(a[1], buf, 4000);
    T("10 writes of 4000 bytes, ten pages", splice(a[0], NULL, b[1], NULL, 1 << 20, 0), "out holds %s", drain(b[0]));
    drain(a[0]);

    /* end of file, and no reader */
    int c[2];
    pipe(c);
    close(c[1]);
    T("from a pipe without writers", splice(c[0], NULL, b[1], NULL, 10, 0));
    close(c[0]);
    pipe(c);
    close(c[0]);
    write(a[1], "z", 1);
    signal_counts[SIGPIPE] = 0;
    T("into a pipe without readers", splice(a[0], NULL, c[1], NULL, 10, 0), "SIGPIPE %d, in holds %s", signal_counts[SIGPIPE], drain(a[0]));
    close(c[1]);

    /* files */
    int f = open("splice-file", O_RDWR | O_CREAT | O_TRUNC, 0600);
    write(f, "0123456789", 10);
    lseek(f, 2, SEEK_SET);
    T("file to pipe", splice(f, NULL, b[1], NULL, 4, 0), "pipe holds %s, position %ld", drain(b[0]), (long)lseek(f, 0, SEEK_CUR));
    off = 7;
    T("file to pipe at off_in", splice(f, &off, b[1], NULL, 100, 0), "pipe holds %s, off_in %ld, position %ld", drain(b[0]), (long)off, (long)lseek(f, 0, SEEK_CUR));
    off = 10;
    T("file to pipe at the end", splice(f, &off, b[1], NULL, 100, 0), "off_in %ld", (long)off);
    off = -1;
    T("file to pipe at a negative offset", splice(f, &off, b[1], NULL, 100, 0));
    T("file to pipe with off_out", splice(f, NULL, b[1], &off, 100, 0));
    T("file to pipe with off_in unreadable", splice(f, BADPTR, b[1], NULL, 100, 0));
    write(a[1], "ABC", 3);
    T("pipe to file", splice(a[0], NULL, f, NULL, 10, 0), "position %ld, file %s", (long)lseek(f, 0, SEEK_CUR), file_text("splice-file"));
    write(a[1], "xy", 2);
    off = 1;
    T("pipe to file at off_out", splice(a[0], NULL, f, &off, 10, 0), "off_out %ld, position %ld, file %s", (long)off, (long)lseek(f, 0, SEEK_CUR), file_text("splice-file"));
    int ro = open("splice-file", O_RDONLY);
    write(a[1], "q", 1);
    T("pipe to a read-only file", splice(a[0], NULL, ro, NULL, 10, 0));
    T("read-only file to pipe", splice(ro, NULL, b[1], NULL, 3, 0), "pipe holds %s", drain(b[0]));
    int ap = open("splice-file", O_WRONLY | O_APPEND);
    T("pipe to an O_APPEND file", splice(a[0], NULL, ap, NULL, 10, 0));
    T("file to file", splice(ro, NULL, f, NULL, 10, 0));
    int wo = open("splice-file", O_WRONLY);
    T("write-only file to pipe", splice(wo, NULL, b[1], NULL, 10, 0));
    drain(a[0]);
    close(wo);
    close(ap);
    close(ro);

    /* /dev/null and /dev/zero */
    int null = open("/dev/null", O_WRONLY);
    write(a[1], "gone", 4);
    T("pipe to /dev/null", splice(a[0], NULL, null, NULL, 100, 0), "in holds %s", drain(a[0]));
    int zero = open("/dev/zero", O_RDONLY);
    T("/dev/zero to pipe", splice(zero, NULL, b[1], NULL, 5000, 0), "pipe holds %s", drain(b[0]));
    close(null);
    close(zero);

    /* sockets */
    int sv[2];
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    write(a[1], "to the socket", 13);
    T("pipe to a stream socket", splice(a[0], NULL, sv[0], NULL, 100, 0), "peer reads %ld", (long)read(sv[1], buf, sizeof buf));
    write(sv[1], "from the socket", 15);
    T("stream socket to pipe", splice(sv[0], NULL, b[1], NULL, 100, 0), "pipe holds %s", drain(b[0]));
    T("empty socket to pipe, SPLICE_F_NONBLOCK", splice(sv[0], NULL, b[1], NULL, 100, SPLICE_F_NONBLOCK));
    T("socket to pipe with off_in", splice(sv[0], &off, b[1], NULL, 100, 0));
    T("socket to socket", splice(sv[0], NULL, sv[1], NULL, 100, 0));
    close(sv[1]);
    T("socket whose peer closed to pipe", splice(sv[0], NULL, b[1], NULL, 100, 0));
    write(a[1], "w", 1);
    signal_counts[SIGPIPE] = 0;
    T("pipe to a socket whose peer closed", splice(a[0], NULL, sv[0], NULL, 100, 0), "SIGPIPE %d", signal_counts[SIGPIPE]);
    drain(a[0]);
    close(sv[0]);
    int dg[2];
    socketpair(AF_UNIX, SOCK_DGRAM, 0, dg);
    send(dg[1], "datagram", 8, 0);
    T("datagram socket to pipe", splice(dg[0], NULL, b[1], NULL, 100, 0), "pipe holds %s", drain(b[0]));
    close(dg[0]);
    close(dg[1]);

    /* other kinds of files */
    int e = eventfd(1, 0);
    T("eventfd to pipe", splice(e, NULL, b[1], NULL, 8, 0));
    write(a[1], "12345678", 8);
    T("pipe to eventfd", splice(a[0], NULL, e, NULL, 8, 0));
    drain(a[0]);
    close(e);

    /* tee */
    write(a[1], "shared", 6);
    T("tee", tee(a[0], b[1], 100, 0), "out holds %s, in holds %s", drain(b[0]), drain(a[0]));
    write(a[1], "abcdef", 6);
    T("tee part", tee(a[0], b[1], 2, 0), "out holds %s, in holds %s", drain(b[0]), drain(a[0]));
    T("tee from an empty pipe, SPLICE_F_NONBLOCK", tee(a[0], b[1], 10, SPLICE_F_NONBLOCK));
    T("tee the same pipe", tee(a[0], a[1], 10, 0));
    T("tee to a file", tee(a[0], f, 10, 0));
    T("tee from a file", tee(f, b[1], 10, 0));
    T("tee length 0", tee(a[0], b[1], 0, 0));
    T("tee bad flags", tee(a[0], b[1], 10, 0x20));
    T("tee from a write end", tee(a[1], b[1], 10, 0));
    pipe(c);
    close(c[1]);
    T("tee from a pipe without writers", tee(c[0], b[1], 10, 0));
    close(c[0]);
    pipe(c);
    close(c[0]);
    write(a[1], "v", 1);
    signal_counts[SIGPIPE] = 0;
    T("tee into a pipe without readers", tee(a[0], c[1], 10, 0), "SIGPIPE %d", signal_counts[SIGPIPE]);
    close(c[1]);
    drain(a[0]);

    /* vmsplice */
    {
        struct iovec two[2] = {{"vm", 2}, {"splice", 6}};
        T("vmsplice into a write end", vmsplice(a[1], two, 2, 0), "pipe holds %s", drain(a[0]));
        write(a[1], "read back", 9);
        char got[16] = "";
        struct iovec into = {got, sizeof got - 1};
        T("vmsplice from a read end", vmsplice(a[0], &into, 1, 0), "'%s', pipe holds %s", got, drain(a[0]));
        T("vmsplice from an empty read end, SPLICE_F_NONBLOCK", vmsplice(a[0], &into, 1, SPLICE_F_NONBLOCK));
        T("vmsplice of no bytes", vmsplice(a[1], two, 0, 0));
        T("vmsplice with 1025 iovecs", vmsplice(a[1], two, 1025, 0));
        T("vmsplice with an unreadable iovec array", vmsplice(a[1], BADPTR, 1, 0));
        T("vmsplice bad flags", vmsplice(a[1], two, 2, 0x40));
        int e2 = eventfd(0, 0);
        T("vmsplice into an eventfd", vmsplice(e2, two, 2, 0));
        close(e2);
        T("vmsplice into a file", vmsplice(f, two, 2, 0));
        T("vmsplice into a bad descriptor", vmsplice(99, two, 2, 0));
        /* one slot per vmsplice, even of one byte: 16 fill the pipe */
        int filled = 0;
        struct iovec one = {"1", 1};
        long last;
        while ((last = vmsplice(a[1], &one, 1, SPLICE_F_NONBLOCK)) == 1 && filled < 40) filled++;
        const char *stop = last < 0 ? ename(errno) : fmt("%ld", last);
        T("one-byte vmsplices until the pipe is full", filled, "then %s, pipe holds %s", stop, drain(a[0]));
        static char spanning[3 * 4096];
        memset(spanning, 's', sizeof spanning);
        char *unaligned = (char *)(((uintptr_t)spanning + 4095) & ~(uintptr_t)4095) + 100;
        struct iovec span = {unaligned, 5000};
        filled = 0;
        while (filled < 40 && vmsplice(a[1], &span, 1, SPLICE_F_NONBLOCK) > 0) filled++;
        T("vmsplices of 5000 bytes across two pages until full", filled, "pipe holds %s", drain(a[0]));
        pipe(c);
        close(c[0]);
        signal_counts[SIGPIPE] = 0;
        T("vmsplice into a pipe without readers", vmsplice(c[1], two, 2, 0), "SIGPIPE %d", signal_counts[SIGPIPE]);
        close(c[1]);
        pipe(c);
        close(c[1]);
        T("vmsplice from a pipe without writers", vmsplice(c[0], &into, 1, 0));
        close(c[0]);
    }

    /* a splice that waits for data from another process */
    pid_t child = fork();
    if (child == 0) {
        usleep(20000);
        write(a[1], "late", 4);
        _exit(0);
    }
    T("pipe to pipe waits for a writer", splice(a[0], NULL, b[1], NULL, 100, 0), "out holds %s", drain(b[0]));
    waitpid(child, NULL, 0);

    close(f);
    unlink("splice-file");
    return conf_end();
}
