#include "core/dirlock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "core/buf.h"

static char *lock_path_named(const char *dir, const char *name)
{
    struct buf b;
    buf_init(&b, 0);
    buf_printf(&b, "%s/%s", dir, name);
    return buf_take(&b, NULL);
}

static char *lock_path(const char *dir)
{
    return lock_path_named(dir, ".lock");
}

/* The PID and role the holder wrote ("1234 serve"); 0 when unreadable. */
static long holder(int fd, char *what, size_t what_cap)
{
    char line[64];
    ssize_t n = pread(fd, line, sizeof line - 1, 0);
    char *end;
    long pid;

    what[0] = '\0';
    if (n <= 0)
        return 0;
    line[n] = '\0';
    pid = strtol(line, &end, 10);
    if (*end == ' ')
        snprintf(what, what_cap, "%.*s", (int)strcspn(end + 1, "\n"), end + 1);
    return pid > 0 ? pid : 0;
}

int dirlock_take(const char *dir, const char *what, struct err *err)
{
    char *path = lock_path(dir);
    char line[64], who[32];
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), n, rc;

    if (fd < 0) {
        rc = err_set(err, GZ_EIO, "cannot open lock file '%s': %s", path, strerror(errno));
        goto out;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        long pid = errno == EWOULDBLOCK ? holder(fd, who, sizeof who) : 0;
        if (errno == EWOULDBLOCK && pid)
            rc = err_set(err, GZ_ECONFLICT,
                         "data folder '%s' is in use by another gazette %s (pid %ld); stop it "
                         "first",
                         dir, who[0] ? who : "process", pid);
        else
            rc = err_set(err, errno == EWOULDBLOCK ? GZ_ECONFLICT : GZ_EIO,
                         "cannot lock data folder '%s': %s", dir,
                         errno == EWOULDBLOCK ? "in use by another gazette process"
                                              : strerror(errno));
        close(fd);
        goto out;
    }
    n = snprintf(line, sizeof line, "%ld %s\n", (long)getpid(), what);
    if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n) {
        rc = err_set(err, GZ_EIO, "cannot write lock file '%s': %s", path, strerror(errno));
        close(fd);
        goto out;
    }
    rc = fd;
out:
    free(path);
    return rc;
}

int dirlock_held(const char *dir, long *pid)
{
    char *path = lock_path(dir);
    char who[32];
    int fd = open(path, O_RDONLY | O_CLOEXEC), held = 0;

    *pid = 0;
    free(path);
    if (fd < 0)
        return 0;
    if (flock(fd, LOCK_SH | LOCK_NB) != 0) {
        held = errno == EWOULDBLOCK;
        *pid = held ? holder(fd, who, sizeof who) : 0;
    } else {
        flock(fd, LOCK_UN);
    }
    close(fd);
    return held;
}

int dirlock_use(const char *dir, int alone, struct err *err)
{
    char *path = lock_path_named(dir, ".use");
    char line[64], who[32];
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644), n, rc;

    if (fd < 0) {
        rc = err_set(err, GZ_EIO, "cannot open lock file '%s': %s", path, strerror(errno));
        goto out;
    }
    if (flock(fd, (alone ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
        long pid = alone ? 0 : holder(fd, who, sizeof who);
        int busy = errno == EWOULDBLOCK;
        if (busy && alone)
            rc = err_set(err, GZ_ECONFLICT,
                         "data folder '%s' is in use by a gazette import; wait for it to end", dir);
        else if (busy)
            rc = err_set(err, GZ_ECONFLICT,
                         "data folder '%s' is being restored by gazette restore (pid %ld); wait "
                         "for it to end",
                         dir, pid);
        else
            rc = err_set(err, GZ_EIO, "cannot lock '%s': %s", path, strerror(errno));
        close(fd);
        goto out;
    }
    if (alone) {
        n = snprintf(line, sizeof line, "%ld restore\n", (long)getpid());
        if (ftruncate(fd, 0) != 0 || pwrite(fd, line, (size_t)n, 0) != n) {
            rc = err_set(err, GZ_EIO, "cannot write lock file '%s': %s", path, strerror(errno));
            close(fd);
            goto out;
        }
    }
    rc = fd;
out:
    free(path);
    return rc;
}

void dirlock_release(int fd)
{
    if (fd < 0)
        return;
    if (ftruncate(fd, 0) != 0) {
        /* the lock goes with close() regardless; a stale PID in the file misleads no one */
    }
    flock(fd, LOCK_UN);
    close(fd);
}
