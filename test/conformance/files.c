/* Files and paths in the working directory (a fresh one for each run): open flags, positions,
 * the stat family, links, directories, timestamps (utimensat, futimesat, utimes), descriptor
 * duplication, fcntl, and the special files the simulator emulates (/dev/urandom, /etc/hosts).
 * Runs as root, so permission bits do not stop access(2) or open(2). */
#include "conf.h"
#include <dirent.h>
#include <limits.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <utime.h>

static const char *statstr(const char *path, int flags) {
    struct stat st;
    if (fstatat(AT_FDCWD, path, &st, flags) < 0) return fmt("stat %s", ename(errno));
    const char *type = S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir" : S_ISLNK(st.st_mode) ? "symlink" : S_ISFIFO(st.st_mode) ? "fifo" : S_ISCHR(st.st_mode) ? "chr" : S_ISSOCK(st.st_mode) ? "sock" : "other";
    return fmt("%s mode %o size %lld nlink %ld", type, st.st_mode & 07777, (long long)st.st_size, (long)st.st_nlink);
}

static const char *mtime(const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) return fmt("stat %s", ename(errno));
    return fmt("atime %lld.%09ld mtime %lld.%09ld", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static long pos(int fd) {
    return lseek(fd, 0, SEEK_CUR);
}

int main(void) {
    conf_start();
    umask(022);
    char buf[4200];
    int fd, fd2;
    static char longname[PATH_MAX + 10];
    memset(longname, 'a', sizeof longname - 1);

    /* open */
    T("open a missing file O_RDONLY", open("missing", O_RDONLY));
    TF("open O_CREAT 0640", fd, open("f1", O_WRONLY | O_CREAT, 0640), "%s; %s", getfl(fd), statstr("f1", 0));
    close(fd);
    T("open O_CREAT|O_EXCL an existing file", open("f1", O_WRONLY | O_CREAT | O_EXCL, 0600));
    T("open O_DIRECTORY a file", open("f1", O_RDONLY | O_DIRECTORY));
    T("open a directory O_WRONLY", open(".", O_WRONLY));
    T("open a directory O_RDWR", open(".", O_RDWR));
    TF("open a directory O_RDONLY", fd, open(".", O_RDONLY), "%s", getfl(fd));
    close(fd);
    T("open a name longer than PATH_MAX", open(longname, O_RDONLY));
    T("open a 300-character component", open(fmt("%.300s", longname), O_RDONLY));
    T("open an empty path", open("", O_RDONLY));
    T("open NULL", SYS(SYS_open, NULL, O_RDONLY));
    T("open a path through a file", open("f1/x", O_RDONLY));
    T("openat a bad dirfd", openat(999, "f1", O_RDONLY));
    T("openat a file as dirfd", ({ int f = open("f1", O_RDONLY); int r = openat(f, "x", O_RDONLY); close(f); r; }));
    TF("openat a bad dirfd with an absolute path", fd, openat(999, "/dev/null", O_RDONLY));
    close(fd);
    TF("open O_APPEND|O_NONBLOCK|O_CLOEXEC", fd, open("f1", O_WRONLY | O_APPEND | O_NONBLOCK | O_CLOEXEC), "%s %s", getfl(fd), cloexec(fd));
    close(fd);
    TF("creat", fd, creat("f2", 0600), "%s", getfl(fd));
    close(fd);
    TF("open O_TMPFILE", fd, open(".", O_TMPFILE | O_RDWR, 0600), "%s", ({ struct stat st; fstat(fd, &st); fmt("nlink %ld", (long)st.st_nlink); }));
    close(fd);
    T("open O_TMPFILE without write access", open(".", O_TMPFILE | O_RDONLY, 0600));
    TF("open O_PATH", fd, open("f1", O_PATH), "%s", getfl(fd));
    T("read on an O_PATH descriptor", read(fd, buf, 1));
    close(fd);
    T("open mode 0 file O_RDWR (root)", ({ close(open("f0", O_CREAT | O_WRONLY, 0)); int f = open("f0", O_RDWR); if (f >= 0) close(f); f < 0 ? f : 0; }));

    /* reads, writes, positions */
    fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0600);
    T("write 10 bytes", write(fd, "0123456789", 10), "position %ld", pos(fd));
    T("lseek SEEK_SET 2", lseek(fd, 2, SEEK_SET));
    T("read 3", read(fd, buf, 3), "'%.3s' position %ld", buf, pos(fd));
    T("lseek SEEK_CUR -1", lseek(fd, -1, SEEK_CUR));
    T("lseek SEEK_END 0", lseek(fd, 0, SEEK_END));
    T("lseek SEEK_END 5 (past the end)", lseek(fd, 5, SEEK_END));
    T("lseek negative", lseek(fd, -100, SEEK_SET));
    T("lseek whence 9", lseek(fd, 0, 9));
    T("lseek SEEK_DATA 0", lseek(fd, 0, SEEK_DATA));
    T("lseek SEEK_HOLE 0", lseek(fd, 0, SEEK_HOLE));
    T("lseek SEEK_DATA past the end", lseek(fd, 100, SEEK_DATA));
    T("read at end of file", (lseek(fd, 0, SEEK_END), read(fd, buf, 10)));
    T("pread 4 at 6", pread(fd, buf, 4, 6), "'%.4s' position unchanged %ld", buf, pos(fd));
    T("pread at a negative offset", pread(fd, buf, 4, -1));
    T("pwrite at 20 (leaves a hole)", pwrite(fd, "Z", 1, 20), "%s", statstr("data", 0));
    T("preadv 2 iovecs at 0", preadv(fd, (struct iovec[]){{buf, 2}, {buf + 2, 2}}, 2, 0), "'%.4s'", buf);
    T("read from an unmapped buffer", SYS(SYS_read, fd, BADPTR, 4));
    T("write from an unmapped buffer", SYS(SYS_write, fd, BADPTR, 4));
    T("read 0 bytes into NULL", SYS(SYS_read, fd, NULL, 0));
    T("ftruncate to 4", ftruncate(fd, 4), "%s", statstr("data", 0));
    T("ftruncate negative", ftruncate(fd, -1));
    T("truncate the path to 2", truncate("data", 2), "%s", statstr("data", 0));
    T("fsync", fsync(fd));
    T("fdatasync", fdatasync(fd));
    T("fallocate 8192", fallocate(fd, 0, 0, 8192), "%s", statstr("data", 0));
    T("fallocate bad mode", fallocate(fd, 0x100, 0, 10));
    T("posix_fadvise bad advice", SYS(SYS_fadvise64, fd, 0, 0, 99));
    close(fd);
    fd = open("data", O_RDONLY);
    T("write to an O_RDONLY descriptor", write(fd, "x", 1));
    T("ftruncate an O_RDONLY descriptor", ftruncate(fd, 0));
    close(fd);
    fd = open("data", O_WRONLY | O_APPEND);
    lseek(fd, 0, SEEK_SET);
    T("write with O_APPEND after lseek 0", write(fd, "A", 1), "position %ld", pos(fd));
    T("read from an O_WRONLY descriptor", read(fd, buf, 1));
    close(fd);
    fd = open("/dev/null", O_RDWR);
    T("read /dev/null", read(fd, buf, 10));
    T("write /dev/null", write(fd, buf, 10));
    T("lseek /dev/null", lseek(fd, 100, SEEK_SET));
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    buf[0] = 1;
    T("read /dev/zero", read(fd, buf, 8), "first byte %d", buf[0]);
    close(fd);
    fd = open("/dev/urandom", O_RDONLY);
    T("read 16 bytes of /dev/urandom", read(fd, buf, 16));
    T("lseek /dev/urandom", lseek(fd, 0, SEEK_SET));
    T("fstat /dev/urandom", ({ struct stat st; int r = fstat(fd, &st); r < 0 ? r : (S_ISCHR(st.st_mode) ? 1 : 0); }));
    close(fd);
    T("stat /dev/urandom", 0, "%s", statstr("/dev/urandom", 0));
    T("open /etc/hosts", ({ int f = open("/etc/hosts", O_RDONLY); int r = f < 0 ? f : 0; close(f); r; }));

    /* stat family, links */
    T("stat a file", 0, "%s", statstr("f1", 0));
    T("stat a missing file", 0, "%s", statstr("missing", 0));
    T("stat the directory", 0, "%s", ({ struct stat st; stat(".", &st) < 0 ? ename(errno) : S_ISDIR(st.st_mode) ? "dir" : "not a dir"; }));
    T("symlink", symlink("f1", "link1"), "%s; nofollow: %s", statstr("link1", 0), statstr("link1", AT_SYMLINK_NOFOLLOW));
    T("symlink over an existing name", symlink("f1", "link1"));
    T("readlink", readlink("link1", buf, sizeof buf), "'%.2s'", buf);
    T("readlink into 1 byte", readlink("link1", buf, 1));
    T("readlink a file", readlink("f1", buf, sizeof buf));
    T("readlink size 0", SYS(SYS_readlink, "link1", buf, 0));
    T("readlink a missing path", readlink("missing", buf, sizeof buf));
    symlink("loop2", "loop1");
    symlink("loop1", "loop2");
    T("open a symlink loop", open("loop1", O_RDONLY));
    T("open a symlink with O_NOFOLLOW", open("link1", O_RDONLY | O_NOFOLLOW));
    T("stat a dangling symlink", (symlink("nothing", "dangling"), 0), "%s", statstr("dangling", 0));
    T("link", link("f1", "hard1"), "%s", statstr("f1", 0));
    T("link to an existing name", link("f1", "hard1"));
    T("link a directory", link(".", "dirlink"));
    T("fstatat AT_EMPTY_PATH", ({ struct stat st; int f = open("f1", O_RDONLY); int r = fstatat(f, "", &st, AT_EMPTY_PATH); close(f); r < 0 ? r : (long)st.st_nlink; }));
    T("fstatat empty path without AT_EMPTY_PATH", ({ struct stat st; int f = open("f1", O_RDONLY); int r = fstatat(f, "", &st, 0); close(f); r; }));
    T("fstatat bad flags", ({ struct stat st; fstatat(AT_FDCWD, "f1", &st, 0x8000000); }));
    T("statx f1", ({ struct statx sx; int r = statx(AT_FDCWD, "f1", 0, STATX_BASIC_STATS, &sx); r < 0 ? r : (long)(sx.stx_mode & 07777); }));
    T("statx bad flags", ({ struct statx sx; statx(AT_FDCWD, "f1", 0x80000000, STATX_BASIC_STATS, &sx); }));
    T("statx STATX__RESERVED mask", ({ struct statx sx; statx(AT_FDCWD, "f1", 0, 0x80000000u, &sx); }));
    T("access F_OK", access("f1", F_OK));
    T("access a missing file", access("missing", F_OK));
    T("access mode 0 file R_OK|W_OK (root)", access("f0", R_OK | W_OK));
    T("access mode 0 file X_OK (root: needs some x bit)", access("f0", X_OK));
    T("access bad mode", access("f1", 8));
    T("faccessat2 AT_EACCESS", SYS(SYS_faccessat2, AT_FDCWD, "f1", R_OK, AT_EACCESS));
    T("faccessat2 bad flags", SYS(SYS_faccessat2, AT_FDCWD, "f1", R_OK, 0x1));
    T("chmod 0604", chmod("f1", 0604), "%s", statstr("f1", 0));
    T("fchmodat AT_SYMLINK_NOFOLLOW", fchmodat(AT_FDCWD, "f1", 0600, AT_SYMLINK_NOFOLLOW));
    T("chmod a missing file", chmod("missing", 0600));
    T("rename", rename("f2", "f3"), "old %s; new %s", statstr("f2", 0), statstr("f3", 0));
    T("rename a missing file", rename("missing", "x"));
    T("renameat2 RENAME_NOREPLACE onto an existing name", SYS(SYS_renameat2, AT_FDCWD, "f3", AT_FDCWD, "f1", 1));
    T("renameat2 bad flags", SYS(SYS_renameat2, AT_FDCWD, "f3", AT_FDCWD, "f4", 8));
    T("unlink", unlink("f3"), "%s", statstr("f3", 0));
    T("unlink a missing file", unlink("f3"));
    T("unlink a directory", (mkdir("d1", 0755), unlink("d1")));

    /* directories */
    T("mkdir", mkdir("d2", 0750), "%s", statstr("d2", 0));
    T("mkdir an existing name", mkdir("d2", 0750));
    T("mkdir in a missing directory", mkdir("nodir/d", 0750));
    T("rmdir a non-empty directory", (close(creat("d2/x", 0600)), rmdir("d2")));
    T("rmdir a file", rmdir("f1"));
    T("rmdir .", rmdir("."));
    unlink("d2/x");
    T("rmdir", rmdir("d2"));
    T("chdir a file", chdir("f1"));
    T("chdir a missing directory", chdir("missing"));
    T("chdir d1 and back", chdir("d1"), "then chdir .. %d", chdir(".."));
    T("fchdir a pipe", ({ int p[2]; pipe(p); fchdir(p[0]); }));
    T("fchdir a file", ({ int f = open("f1", O_RDONLY); int r = fchdir(f); close(f); r; }));
    T("getcwd size 0", SYS(SYS_getcwd, buf, 0));
    T("getcwd size 1", SYS(SYS_getcwd, buf, 1));
    T("getcwd is absolute", SYS(SYS_getcwd, buf, sizeof buf) > 0, "%s", buf[0] == '/' ? "starts with /" : "relative");
    T("getcwd into an unmapped buffer", SYS(SYS_getcwd, BADPTR, 100));
    mkdir("list", 0700);
    for (int i = 0; i < 5; i++) close(creat(fmt("list/entry-%d", i), 0600));
    fd = open("list", O_RDONLY | O_DIRECTORY);
    int entries = 0, total = 0;
    char dents[4096];
    long nread;
    while ((nread = SYS(SYS_getdents64, fd, dents, sizeof dents)) > 0) {
        total++;
        for (long off = 0; off < nread;) {
            struct dirent64 *d = (struct dirent64 *)(dents + off);
            entries++;
            off += d->d_reclen;
        }
    }
    T("getdents64 counts the entries", nread, "%d entries in %d read(s)", entries, total);
    T("getdents64 at the end", SYS(SYS_getdents64, fd, dents, sizeof dents));
    T("getdents64 buffer too small", (lseek(fd, 0, SEEK_SET), SYS(SYS_getdents64, fd, dents, 8)));
    T("getdents64 into an unmapped buffer", SYS(SYS_getdents64, fd, BADPTR, 4096));
    close(fd);
    T("getdents64 on a file", ({ int f = open("f1", O_RDONLY); long r = SYS(SYS_getdents64, f, dents, sizeof dents); close(f); r; }));
    T("getdents64 on a bad descriptor", SYS(SYS_getdents64, 999, dents, sizeof dents));

    /* timestamps */
    close(creat("times", 0600));
    T("utimensat explicit times", utimensat(AT_FDCWD, "times", (struct timespec[]){{1000, 500}, {2000, 600}}, 0), "%s", mtime("times"));
    T("utimensat UTIME_OMIT both", utimensat(AT_FDCWD, "times", (struct timespec[]){{0, UTIME_OMIT}, {0, UTIME_OMIT}}, 0), "%s", mtime("times"));
    T("utimensat nsec 1e9", utimensat(AT_FDCWD, "times", (struct timespec[]){{0, 1000000000}, {0, 0}}, 0));
    T("utimensat bad flags", utimensat(AT_FDCWD, "times", NULL, 0x1));
    T("utimensat a missing file", utimensat(AT_FDCWD, "missing", NULL, 0));
    T("futimesat explicit times", SYS(SYS_futimesat, AT_FDCWD, "times", (struct timeval[]){{3000, 7}, {4000, 8}}), "%s", mtime("times"));
    T("futimesat usec 1e6", SYS(SYS_futimesat, AT_FDCWD, "times", (struct timeval[]){{0, 1000000}, {0, 0}}));
    T("futimesat NULL times (now)", SYS(SYS_futimesat, AT_FDCWD, "times", NULL), "%s", ({ struct stat st; stat("times", &st); st.st_mtim.tv_sec > 4000 ? "set to now" : "unchanged"; }));
    T("futimesat a missing file", SYS(SYS_futimesat, AT_FDCWD, "missing", NULL));
    T("futimesat a bad dirfd", SYS(SYS_futimesat, 999, "times", NULL));
    T("futimesat from an unmapped times array", SYS(SYS_futimesat, AT_FDCWD, "times", BADPTR));
    T("utimes", utimes("times", (struct timeval[]){{5000, 1}, {6000, 2}}), "%s", mtime("times"));
    T("utime", utime("times", &(struct utimbuf){7000, 8000}), "%s", mtime("times"));
    T("futimens on a descriptor", ({ int f = open("times", O_RDONLY); int r = futimens(f, (struct timespec[]){{9000, 0}, {9001, 0}}); close(f); r; }), "%s", mtime("times"));
    T("futimens on a pipe", ({ int p[2]; pipe(p); futimens(p[0], NULL); }));

    /* descriptors */
    fd = open("f1", O_RDONLY);
    T("dup", (fd2 = dup(fd)), "%s", fd2 == fd + 1 ? "the next number" : "another number");
    close(fd2);
    T("dup2 onto itself", dup2(fd, fd) == fd);
    T("dup3 onto itself", dup3(fd, fd, 0));
    T("dup3 bad flags", dup3(fd, 50, 0x1));
    T("dup3 O_CLOEXEC", dup3(fd, 50, O_CLOEXEC), "%s", cloexec(50));
    close(50);
    T("dup2 onto -1", dup2(fd, -1));
    T("dup a bad descriptor", dup(999));
    T("F_DUPFD negative", fcntl(fd, F_DUPFD, -1));
    T("F_GETFL", fcntl(fd, F_GETFL), "%s", getfl(fd));
    T("F_SETFL O_APPEND|O_NONBLOCK|O_NOATIME", fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK | O_NOATIME), "%s", getfl(fd));
    T("F_SETFL cannot change the access mode", fcntl(fd, F_SETFL, O_RDWR), "%s", getfl(fd));
    T("fcntl bad command", fcntl(fd, 9999));
    T("F_GETPIPE_SZ on a file", fcntl(fd, F_GETPIPE_SZ));
    T("flock LOCK_EX|LOCK_NB", flock(fd, LOCK_EX | LOCK_NB));
    T("flock bad operation", flock(fd, 0));
    T("flock LOCK_UN", flock(fd, LOCK_UN));
    T("close_range above every descriptor", SYS(SYS_close_range, 100, 200, 0));
    T("close_range first > last", SYS(SYS_close_range, 10, 5, 0));
    T("close_range bad flags", SYS(SYS_close_range, 100, 200, 0x10));
    T("close_range CLOSE_RANGE_CLOEXEC", SYS(SYS_close_range, fd, fd, 4), "%s", cloexec(fd));
    close(fd);
    T("close a bad descriptor", close(999));

    /* what /proc says a descriptor is: the link's text up to the inode number */
    {
        int pp[2], sp[2];
        pipe(pp);
        socketpair(AF_UNIX, SOCK_STREAM, 0, sp);
        const struct { const char *name; int fd; } KINDS[] = {
            {"a pipe", pp[0]}, {"an eventfd", eventfd(0, 0)}, {"an epoll", epoll_create1(0)},
            {"a timerfd", timerfd_create(CLOCK_MONOTONIC, 0)}, {"a unix socket", sp[0]}, {"an inet socket", socket(AF_INET, SOCK_DGRAM, 0)},
            {"a regular file", open("f1", O_RDONLY)}, {"/dev/null", open("/dev/null", O_RDONLY)},
        };
        for (size_t i = 0; i < sizeof KINDS / sizeof KINDS[0]; i++) {
            char link[256] = "";
            ssize_t n = readlink(fmt("/proc/self/fd/%d", KINDS[i].fd), link, sizeof link - 1);
            if (n > 0) link[n] = 0;
            char *cut = strchr(link, '[');
            if (cut && cut[1] >= '0' && cut[1] <= '9') cut[1] = 0;
            if (link[0] == '/') strcpy(link, strrchr(link, '/'));
            T(fmt("readlink /proc/self/fd of %s", KINDS[i].name), n > 0, "%s", link);
            struct stat st;
            fstat(KINDS[i].fd, &st);
            T(fmt("fstat of %s", KINDS[i].name), 0, "type %o mode %o", st.st_mode & S_IFMT, st.st_mode & 07777);
            if (S_ISSOCK(st.st_mode)) {
                char full[256] = "";
                ssize_t m = readlink(fmt("/proc/self/fd/%d", KINDS[i].fd), full, sizeof full - 1);
                if (m > 0) full[m] = 0;
                T(fmt("the link of %s names its fstat inode", KINDS[i].name), strcmp(full, fmt("socket:[%lu]", (unsigned long)st.st_ino)) == 0);
            }
        }
    }
    struct statfs sf;
    T("statfs .", statfs(".", &sf));
    T("statfs a missing path", statfs("missing", &sf));
    T("sync", (sync(), 0));
    T("syncfs a pipe", ({ int p[2]; pipe(p); syncfs(p[0]); }));
    T("mknod a FIFO", mknod("fifo1", S_IFIFO | 0600, 0), "%s", statstr("fifo1", 0));
    T("open a FIFO O_WRONLY|O_NONBLOCK without a reader", open("fifo1", O_WRONLY | O_NONBLOCK));
    TF("open a FIFO O_RDONLY|O_NONBLOCK", fd, open("fifo1", O_RDONLY | O_NONBLOCK), "%s; %s", getfl(fd), pollbits(fd));
    TF("then O_WRONLY|O_NONBLOCK", fd2, open("fifo1", O_WRONLY | O_NONBLOCK), "read end %s", pollbits(fd));
    T("write to the FIFO", write(fd2, "fifo", 4), "read %ld", (long)read(fd, buf, sizeof buf));
    close(fd2);
    T("the FIFO's writer closed", 0, "%s", pollbits(fd));
    close(fd);
    return conf_end();
}
