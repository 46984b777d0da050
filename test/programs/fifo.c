/* A FIFO (mkfifo) between processes: the open rules of fifo(7) — O_RDONLY|O_NONBLOCK opens at
 * once, O_WRONLY|O_NONBLOCK without a reader is ENXIO, O_RDWR opens at once, a blocking open
 * waits for the other end (printed with the time it returns, rounded to 100 ms) — then data,
 * end-of-file and EPIPE as with pipes. */
#include "timing.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *FIFO = "test.fifo";

static void reap(const char *who) {
    int status;
    wait(&status);
    printf("parent: %s exited %d\n", who, WEXITSTATUS(status));
}

/* Reads to end-of-file; returns the byte count and the sum of the bytes. */
static long drain(int fd, unsigned long *sum) {
    char buf[4096];
    long total = 0;
    ssize_t n;
    *sum = 0;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) *sum += (unsigned char)buf[i];
        total += n;
    }
    return n < 0 ? -1 : total;
}

int main(void) {
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGPIPE, SIG_IGN);
    start_clock();
    show("mkfifo", mkfifo(FIFO, 0600));
    char buf[64];

    show("open O_WRONLY|O_NONBLOCK without a reader", open(FIFO, O_WRONLY | O_NONBLOCK));
    int r = open(FIFO, O_RDONLY | O_NONBLOCK);
    show("open O_RDONLY|O_NONBLOCK (fd >= 0)", r < 0 ? -1 : 1);
    struct pollfd p = {.fd = r, .events = POLLIN};
    show("poll before any writer (no POLLHUP)", poll(&p, 1, 0));
    show("read without a writer (end-of-file)", read(r, buf, sizeof buf));
    int w = open(FIFO, O_WRONLY | O_NONBLOCK);
    show("open O_WRONLY|O_NONBLOCK with a reader (fd >= 0)", w < 0 ? -1 : 1);
    show("write", write(w, "abc", 3));
    show("read", read(r, buf, sizeof buf));
    show("read empty with a writer", read(r, buf, sizeof buf));
    close(w);
    show("poll after the writer left", poll(&p, 1, 0));
    printf("revents POLLHUP: %d\n", (p.revents & POLLHUP) != 0);
    close(r);

    int rw = open(FIFO, O_RDWR);
    show("open O_RDWR (fd >= 0)", rw < 0 ? -1 : 1);
    show("F_GETFL & O_ACCMODE", fcntl(rw, F_GETFL) & O_ACCMODE);
    show("write on O_RDWR", write(rw, "xy", 2));
    show("read on O_RDWR", read(rw, buf, sizeof buf));
    struct stat st;
    fstat(rw, &st);
    printf("S_ISFIFO: %d\n", S_ISFIFO(st.st_mode));
    close(rw);

    // A writer opens first and waits for the reader.
    if (fork() == 0) {
        int fd = open(FIFO, O_WRONLY);
        printf("writer: opened at %.1f\n", elapsed());
        static char big[200000];
        for (size_t i = 0; i < sizeof big; i++) big[i] = (char)(i * 7);
        show("writer: write 200000", write(fd, big, sizeof big));
        exit(0);
    }
    pause_ms(1000);
    int fd = open(FIFO, O_RDONLY);
    unsigned long sum;
    long n = drain(fd, &sum);
    printf("reader: %ld bytes, sum %lu, then end-of-file at %.1f\n", n, sum, elapsed());
    close(fd);
    reap("writer");

    // A reader opens first and waits for the writer.
    if (fork() == 0) {
        int in = open(FIFO, O_RDONLY);
        printf("reader: opened at %.1f\n", elapsed());
        ssize_t got = read(in, buf, sizeof buf);
        printf("reader: read '%.*s' at %.1f\n", (int)got, buf, elapsed());
        exit(0);
    }
    pause_ms(1000);
    int out = open(FIFO, O_WRONLY);
    pause_ms(500);
    if (write(out, "hello", 5) != 5) show("writer: write", -1);
    reap("reader");
    show("write without a reader", write(out, "x", 1));
    close(out);
    unlink(FIFO);
    return 0;
}
