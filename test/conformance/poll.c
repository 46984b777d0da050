/* poll(2), ppoll, select(2) and pselect6 over every kind of descriptor: pipes, eventfds,
 * sockets, regular files, /dev/null, descriptors that are not open; timeouts and argument checks. */
#include "conf.h"
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>

static long mono_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000000000L + t.tv_nsec;
}

/* poll of one descriptor asking `events`: the count and revents. */
static const char *poll1(int fd, short events) {
    struct pollfd p = {fd, events, 0x7fff};
    int n = poll(&p, 1, 0);
    return n < 0 ? fmt("poll %s", ename(errno)) : fmt("%d revents %s", n, evnames((unsigned short)p.revents));
}

/* select with a zero timeout on one descriptor in each set asked for: the count and the sets. */
static const char *select1(int fd, int r, int w, int x) {
    fd_set rs, ws, xs;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_ZERO(&xs);
    if (r) FD_SET(fd, &rs);
    if (w) FD_SET(fd, &ws);
    if (x) FD_SET(fd, &xs);
    struct timeval tv = {0, 0};
    int n = select(fd + 1, &rs, &ws, &xs, &tv);
    if (n < 0) return fmt("select %s", ename(errno));
    return fmt("%d%s%s%s", n, FD_ISSET(fd, &rs) ? " r" : "", FD_ISSET(fd, &ws) ? " w" : "", FD_ISSET(fd, &xs) ? " x" : "");
}

int main(void) {
    conf_start();
    int p[2], sv[2];
    pipe(p);
    int e = eventfd(0, 0);
    int file = open("poll-file", O_RDWR | O_CREAT, 0600);
    int null = open("/dev/null", O_RDWR);
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    short all = POLLIN | POLLPRI | POLLOUT | POLLRDHUP;

    /* one descriptor of each kind */
    const struct { const char *name; int fd; } kinds[] = {
        {"pipe read end", p[0]}, {"pipe write end", p[1]}, {"eventfd 0", e}, {"regular file", file},
        {"/dev/null", null}, {"unix stream socket", sv[0]}, {"descriptor 999 (not open)", 999}, {"descriptor -1", -1},
    };
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        T(fmt("poll all events: %s", kinds[i].name), 0, "%s", poll1(kinds[i].fd, all));
        T(fmt("poll events 0: %s", kinds[i].name), 0, "%s", poll1(kinds[i].fd, 0));
        if (kinds[i].fd >= 0) T(fmt("select r/w/x: %s", kinds[i].name), 0, "%s", select1(kinds[i].fd, 1, 1, 1));
    }
    write(p[1], "x", 1);
    eventfd_write(e, 1);
    write(sv[1], "x", 1);
    T("poll POLLIN: pipe with data", 0, "%s", poll1(p[0], POLLIN));
    T("poll POLLOUT only: pipe read end with data", 0, "%s", poll1(p[0], POLLOUT));
    T("poll POLLIN: eventfd 1", 0, "%s", poll1(e, POLLIN | POLLOUT));
    T("poll POLLIN: socket with data", 0, "%s", poll1(sv[0], POLLIN));
    T("select r: pipe with data", 0, "%s", select1(p[0], 1, 0, 0));
    T("select r: socket with data", 0, "%s", select1(sv[0], 1, 1, 0));
    shutdown(sv[1], SHUT_WR);
    T("poll: socket peer shut down writing", 0, "%s", poll1(sv[0], all));
    close(sv[1]);
    T("poll: socket peer closed", 0, "%s", poll1(sv[0], all));
    T("select: socket peer closed", 0, "%s", select1(sv[0], 1, 1, 1));
    close(p[1]);
    T("poll: pipe writer closed, data left", 0, "%s", poll1(p[0], POLLIN));
    T("select: pipe writer closed, data left", 0, "%s", select1(p[0], 1, 0, 1));

    /* several descriptors at once: the count is of descriptors with revents */
    struct pollfd many[4] = {{p[0], POLLIN, 0}, {e, POLLIN, 0}, {999, POLLIN, 0}, {-5, POLLIN, 0x7fff}};
    T("poll 4 descriptors (one not open, one negative)", poll(many, 4, 0), "%s %s %s %s", evnames((unsigned short)many[0].revents),
      evnames((unsigned short)many[1].revents), evnames((unsigned short)many[2].revents), evnames((unsigned short)many[3].revents));

    /* argument checks */
    T("poll NULL, 0 descriptors", poll(NULL, 0, 0));
    T("poll NULL, 1 descriptor", SYS(SYS_poll, NULL, 1, 0));
    T("poll an unmapped array", SYS(SYS_poll, BADPTR, 1, 0));
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    T("poll more descriptors than RLIMIT_NOFILE", SYS(SYS_poll, many, rl.rlim_cur + 1, 0));
    T("ppoll timeout nsec 1e9", SYS(SYS_ppoll, many, 1, &(struct timespec){0, 1000000000}, NULL, 8));
    T("ppoll negative timeout", SYS(SYS_ppoll, many, 1, &(struct timespec){-1, 0}, NULL, 8));
    T("ppoll unmapped timeout", SYS(SYS_ppoll, many, 1, BADPTR, NULL, 8));
    T("ppoll sigsetsize 4", SYS(SYS_ppoll, many, 1, &(struct timespec){0, 0}, &(sigset_t){{0}}, 4));
    T("ppoll zero timeout", SYS(SYS_ppoll, many, 1, &(struct timespec){0, 0}, NULL, 8));
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(999, &rs);
    struct timeval tv = {0, 0};
    T("select descriptor 999, beyond the descriptor table", select(1000, &rs, NULL, NULL, &tv), "bit 999 %s", FD_ISSET(999, &rs) ? "left set" : "cleared");
    FD_ZERO(&rs);
    FD_SET(40, &rs);
    T("select descriptor 40, in the table but not open", select(41, &rs, NULL, NULL, &tv));
    T("select nfds -1", SYS(SYS_select, -1, NULL, NULL, NULL, &tv));
    T("select negative timeout", SYS(SYS_select, 1, NULL, NULL, NULL, &(struct timeval){-1, 0}));
    T("select timeout usec 1e6 (normalized)", SYS(SYS_select, 0, NULL, NULL, NULL, &(struct timeval){0, 1000000}));
    T("select unmapped set", SYS(SYS_select, 4, BADPTR, NULL, NULL, &(struct timeval){0, 0}));
    T("select nfds beyond the descriptor table, empty sets", SYS(SYS_select, 100000, NULL, NULL, NULL, &(struct timeval){0, 0}));
    T("pselect6 nsec 1e9", SYS(SYS_pselect6, 0, NULL, NULL, NULL, &(struct timespec){0, 1000000000}, NULL));
    T("pselect6 zero timeout", SYS(SYS_pselect6, 0, NULL, NULL, NULL, &(struct timespec){0, 0}, NULL));

    /* timeouts */
    long t0 = mono_ns();
    T("poll nothing for 15 ms", poll(NULL, 0, 15), "%s", mono_ns() - t0 >= 15000000 ? "waited" : "too short");
    struct pollfd empty = {p[1] >= 0 ? e : e, 0, 0};
    eventfd_t v;
    eventfd_read(e, &v);
    empty.events = POLLIN;
    t0 = mono_ns();
    T("poll an empty eventfd for 10 ms", poll(&empty, 1, 10), "revents %s %s", evnames((unsigned short)empty.revents), mono_ns() - t0 >= 10000000 ? "waited" : "too short");
    struct timespec ts = {0, 5000000};
    T("ppoll 5 ms: the timeout left is written back", SYS(SYS_ppoll, &empty, 1, &ts, NULL, 8), "left %ld.%09ld", (long)ts.tv_sec, ts.tv_nsec);
    tv = (struct timeval){0, 5000};
    FD_ZERO(&rs);
    FD_SET(e, &rs);
    T("select 5 ms: the timeout left is written back", select(e + 1, &rs, NULL, NULL, &tv), "left %ld.%06ld set %d", (long)tv.tv_sec, (long)tv.tv_usec, FD_ISSET(e, &rs));
    tv = (struct timeval){0, 0};
    FD_ZERO(&rs);
    FD_SET(p[0], &rs);
    T("select zero timeout, ready: timeout stays 0", select(p[0] + 1, &rs, NULL, NULL, &tv), "left %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
    close(p[0]);
    close(e);
    close(file);
    close(null);
    close(sv[0]);
    unlink("poll-file");
    return conf_end();
}
