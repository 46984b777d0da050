/* Pipes (pipe(7)): creation flags, reads and writes in every state of the other end, capacity,
 * atomic and partial writes, fcntl/ioctl, and the calls a pipe refuses. */
#include "conf.h"
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>

static int fionread(int fd) {
    int n = -1;
    return ioctl(fd, FIONREAD, &n) < 0 ? -1 : n;
}

/* A page of bytes to write. */
static char *big_page(void) {
    static char page[8192];
    return page;
}

static void closeboth(int p[2]) {
    close(p[0]);
    close(p[1]);
}

int main(void) {
    conf_start();
    count_signal(SIGPIPE, 0);
    int p[2], q[2];
    char buf[256];

    /* creation */
    T("pipe", pipe(p), "fds %d %d; read end %s %s; write end %s %s", p[0], p[1], getfl(p[0]), cloexec(p[0]), getfl(p[1]), cloexec(p[1]));
    closeboth(p);
    static const struct { int flags; const char *name; } flags[] = {
        {0, "0"}, {O_CLOEXEC, "O_CLOEXEC"}, {O_NONBLOCK, "O_NONBLOCK"}, {O_CLOEXEC | O_NONBLOCK, "O_CLOEXEC|O_NONBLOCK"},
        {O_APPEND, "O_APPEND"}, {O_RDWR, "O_RDWR"}, {O_SYNC, "O_SYNC"}, {-1, "-1"},
    };
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        p[0] = p[1] = -1;
        T(fmt("pipe2 flags=%s", flags[i].name), SYS(SYS_pipe2, p, flags[i].flags),
          "read end %s %s; write end %s %s", p[0] < 0 ? "none" : getfl(p[0]), p[0] < 0 ? "" : cloexec(p[0]),
          p[1] < 0 ? "none" : getfl(p[1]), p[1] < 0 ? "" : cloexec(p[1]));
        if (p[0] >= 0) closeboth(p);
    }
    T("pipe into NULL", SYS(SYS_pipe, NULL));
    T("pipe into an unmapped array", SYS(SYS_pipe, BADPTR));
    T("pipe2 into a kernel address", SYS(SYS_pipe2, KERNELPTR, 0));
    T("pipe: the lowest free descriptors are used", pipe(p), "%s", p[0] == 3 && p[1] == 4 ? "3 and 4" : "others");

    /* each end refuses the other direction, and what a pipe is */
    T("write to the read end", write(p[0], "x", 1));
    T("read from the write end", read(p[1], buf, 1));
    struct stat st;
    T("fstat read end", fstat(p[0], &st), "fifo %d mode %o size %ld nlink %ld", S_ISFIFO(st.st_mode), st.st_mode & 0777, (long)st.st_size, (long)st.st_nlink);
    T("fstat write end", fstat(p[1], &st), "fifo %d mode %o blksize %ld", S_ISFIFO(st.st_mode), st.st_mode & 0777, (long)st.st_blksize);
    T("lseek on a pipe", lseek(p[0], 0, SEEK_CUR));
    T("pread on a pipe", pread(p[0], buf, 1, 0));
    T("pwrite on a pipe", pwrite(p[1], "x", 1, 0));
    T("fsync on a pipe", fsync(p[1]));
    T("fdatasync on a pipe", fdatasync(p[0]));
    T("ioctl TCGETS on a pipe", ioctl(p[0], TCGETS, buf));
    T("ioctl unknown request on a pipe", ioctl(p[0], 0x12345678, buf));
    T("ftruncate on a pipe", ftruncate(p[1], 0));

    /* empty pipe, both ends open */
    T("poll empty pipe: read end", 0, "%s", pollbits(p[0]));
    T("poll empty pipe: write end", 0, "%s", pollbits(p[1]));
    T("FIONREAD empty pipe", ioctl(p[0], FIONREAD, &(int){0}), "%d", fionread(p[0]));
    T("read 0 bytes from an empty pipe", read(p[0], buf, 0));
    T("write 0 bytes", write(p[1], buf, 0), "FIONREAD %d", fionread(p[0]));
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    T("read empty O_NONBLOCK pipe", read(p[0], buf, sizeof buf));

    /* data */
    T("write 5 bytes", write(p[1], "hello", 5), "FIONREAD read end %d write end %d", fionread(p[0]), fionread(p[1]));
    T("poll pipe with data: read end", 0, "%s", pollbits(p[0]));
    T("read 2 of 5 bytes", read(p[0], buf, 2), "got '%.2s' left %d", buf, fionread(p[0]));
    T("read 100 with 3 left", read(p[0], buf, 100), "got '%.3s'", buf);
    T("write from an unmapped buffer", SYS(SYS_write, p[1], BADPTR, 4), "FIONREAD %d", fionread(p[0]));
    write(p[1], "data", 4);
    T("read into an unmapped buffer", SYS(SYS_read, p[0], BADPTR, 4), "FIONREAD %d", fionread(p[0]));
    T("read 0 bytes into NULL with data", read(p[0], NULL, 0), "FIONREAD %d", fionread(p[0]));
    read(p[0], buf, sizeof buf);
    struct iovec iov[3] = {{"ab", 2}, {"", 0}, {"cde", 3}};
    T("writev 3 iovecs (one empty)", writev(p[1], iov, 3), "FIONREAD %d", fionread(p[0]));
    char b1[2], b2[10];
    struct iovec riov[2] = {{b1, 2}, {b2, 10}};
    T("readv into 2 iovecs", readv(p[0], riov, 2), "'%.2s' '%.3s'", b1, b2);
    T("writev 0 iovecs", writev(p[1], iov, 0));
    T("writev -1 iovecs", SYS(SYS_writev, p[1], iov, -1));
    T("writev 1025 iovecs", SYS(SYS_writev, p[1], iov, 1025));
    T("writev with an unmapped iovec array", SYS(SYS_writev, p[1], BADPTR, 1));
    T("readv with an unmapped iovec array", SYS(SYS_readv, p[0], BADPTR, 1));

    /* flags on the shared description */
    int d = dup(p[0]);
    T("F_SETFL O_NONBLOCK via dup is shared", fcntl(d, F_SETFL, O_NONBLOCK | O_APPEND), "original %s", getfl(p[0]));
    T("F_SETFL clears O_NONBLOCK", fcntl(p[0], F_SETFL, 0), "dup %s", getfl(d));
    close(d);
    T("F_SETFD FD_CLOEXEC", fcntl(p[1], F_SETFD, FD_CLOEXEC), "%s", cloexec(p[1]));
    T("F_GETFD", fcntl(p[1], F_GETFD));
    fcntl(p[1], F_SETFD, 0);
    T("F_DUPFD 10", fcntl(p[1], F_DUPFD, 10), "%s", getfl(10));
    T("F_DUPFD_CLOEXEC 20", fcntl(p[1], F_DUPFD_CLOEXEC, 20), "%s", cloexec(20));
    close(10);
    close(20);
    T("fcntl bad command", fcntl(p[0], 9999));

    /* capacity */
    T("F_GETPIPE_SZ", fcntl(p[0], F_GETPIPE_SZ));
    T("F_SETPIPE_SZ 0", fcntl(p[0], F_SETPIPE_SZ, 0), "%d", fcntl(p[0], F_GETPIPE_SZ));
    T("F_SETPIPE_SZ 5000", fcntl(p[1], F_SETPIPE_SZ, 5000));
    T("F_SETPIPE_SZ 1 MiB", fcntl(p[1], F_SETPIPE_SZ, 1 << 20));
    T("F_SETPIPE_SZ 2^31 + 1", fcntl(p[1], F_SETPIPE_SZ, (1u << 31) + 1));
    T("F_SETPIPE_SZ -1", fcntl(p[1], F_SETPIPE_SZ, -1));
    T("F_SETPIPE_SZ 64 KiB", fcntl(p[1], F_SETPIPE_SZ, 65536));
    closeboth(p);

    /* Linux fills a pipe page by page: a write merges into the last page when it fits there,
     * else takes a new page (slot); capacity counts slots, not bytes */
    pipe2(p, O_NONBLOCK);
    write(p[1], "a", 1);
    write(p[1], "b", 1);
    T("F_SETPIPE_SZ 4096 with 2 bytes in one page", fcntl(p[1], F_SETPIPE_SZ, 4096), "FIONREAD %d write end %s", fionread(p[0]), pollbits(p[1]));
    T("write 4096 into a one-page pipe holding 2 bytes", write(p[1], big_page(), 4096));
    T("write 4094 into a one-page pipe holding 2 bytes", write(p[1], big_page(), 4094), "FIONREAD %d write end %s", fionread(p[0]), pollbits(p[1]));
    T("F_SETPIPE_SZ 8192 on a full one-page pipe", fcntl(p[1], F_SETPIPE_SZ, 8192), "write end %s", pollbits(p[1]));
    T("write 1 into a new page", write(p[1], "c", 1));
    T("F_SETPIPE_SZ 4096 with data in two pages", fcntl(p[1], F_SETPIPE_SZ, 4096));
    T("read 4097 of 4097", read(p[0], big_page(), 8192), "write end %s", pollbits(p[1]));
    write(p[1], big_page(), 3000);
    write(p[1], big_page(), 2000);
    read(p[0], big_page(), 2500);
    T("F_SETPIPE_SZ 4096 with 2500 bytes in two pages", fcntl(p[1], F_SETPIPE_SZ, 4096), "FIONREAD %d", fionread(p[0]));
    closeboth(p);

    /* full pipe, non-blocking writes */
    static char big[70000];
    memset(big, 'x', sizeof big);
    pipe2(p, O_NONBLOCK);
    T("write 65536 into an empty pipe", write(p[1], big, 65536), "FIONREAD %d", fionread(p[0]));
    T("poll full pipe: write end", 0, "%s", pollbits(p[1]));
    T("write 1 byte into a full pipe", write(p[1], big, 1));
    T("write 8192 into a full pipe", write(p[1], big, 8192));
    T("F_SETPIPE_SZ 4096 below the data held", fcntl(p[1], F_SETPIPE_SZ, 4096));
    T("read 3000 from a full pipe", read(p[0], big, 3000), "write end %s", pollbits(p[1]));
    T("write 4000 (atomic) with 3000 free", write(p[1], big, 4000));
    T("write 8192 (not atomic) with 3000 free", write(p[1], big, 8192), "FIONREAD %d", fionread(p[0]));
    T("read 65536 from a full pipe", read(p[0], big, 65536), "FIONREAD %d write end %s", fionread(p[0]), pollbits(p[1]));
    closeboth(p);

    /* the other end closed */
    pipe(p);
    write(p[1], "ab", 2);
    close(p[1]);
    T("poll read end, writer closed, data left", 0, "%s", pollbits(p[0]));
    T("read the data left after the writer closed", read(p[0], buf, sizeof buf));
    T("read after the writer closed (EOF)", read(p[0], buf, sizeof buf));
    T("poll read end, writer closed, empty", 0, "%s", pollbits(p[0]));
    close(p[0]);
    pipe(p);
    close(p[0]);
    signal_counts[SIGPIPE] = 0;
    T("write after the reader closed", write(p[1], "x", 1), "SIGPIPE %d", signal_counts[SIGPIPE]);
    signal_counts[SIGPIPE] = 0;
    T("write 0 bytes after the reader closed", write(p[1], "x", 0), "SIGPIPE %d", signal_counts[SIGPIPE]);
    signal_counts[SIGPIPE] = 0;
    T("writev after the reader closed", writev(p[1], iov, 1), "SIGPIPE %d", signal_counts[SIGPIPE]);
    T("poll write end, reader closed", 0, "%s", pollbits(p[1]));
    T("close write end", close(p[1]));
    T("close it again", close(p[1]));
    T("read on a closed descriptor", read(p[1], buf, 1));

    /* one pipe, two descriptors for the write end: EOF only after both close */
    pipe(q);
    int w2 = dup(q[1]);
    close(q[1]);
    fcntl(q[0], F_SETFL, O_NONBLOCK);
    T("read with a dup of the write end still open", read(q[0], buf, 1));
    close(w2);
    T("read after the last write end closed", read(q[0], buf, 1));
    close(q[0]);
    return conf_end();
}
