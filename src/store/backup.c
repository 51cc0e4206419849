#include "store/backup.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

int store_check_sqlite(const char *path, int full, struct err *err)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *s = NULL;
    struct stat sb;
    int rc;

    if (stat(path, &sb) != 0)
        return errno == ENOENT
                       ? err_set(err, GZ_ENOTFOUND, "'%s' does not exist", path)
                       : err_set(err, GZ_EIO, "cannot read '%s': %s", path, strerror(errno));
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rc = err_set(err, GZ_EDB, "cannot open database '%s': %s", path,
                     db ? sqlite3_errmsg(db) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_prepare_v2(db, full ? "PRAGMA integrity_check(1)" : "PRAGMA quick_check(1)", -1, &s,
                           NULL) != SQLITE_OK) {
        rc = err_set(err, GZ_EDB, "database '%s' is damaged or not a database: %s", path,
                     sqlite3_errmsg(db));
        goto out;
    }
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        rc = err_set(err, GZ_EDB, "database '%s' is damaged or not a database: %s", path,
                     sqlite3_errmsg(db));
        goto out;
    }
    if (strcmp((const char *)sqlite3_column_text(s, 0), "ok") != 0) {
        rc = err_set(err, GZ_EDB, "database '%s' is damaged: %s", path,
                     (const char *)sqlite3_column_text(s, 0));
        goto out;
    }
    rc = GZ_OK;
out:
    sqlite3_finalize(s);
    sqlite3_close(db);
    return rc;
}

int store_backup_sqlite(const char *src, const char *dst, struct err *err)
{
    sqlite3 *from = NULL, *to = NULL;
    sqlite3_backup *b = NULL;
    int rc, fd;

    if (access(dst, F_OK) == 0)
        return err_set(err, GZ_ECONFLICT, "'%s' exists already", dst);
    /* Read-write (never create) only so that closing tidies the -wal/-shm files away when no
     * server has the database open; SQLite falls back to read-only on a read-only folder. */
    if (sqlite3_open_v2(src, &from, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
        SQLITE_OK) {
        rc = err_set(err, GZ_EDB, "cannot open database '%s': %s", src,
                     from ? sqlite3_errmsg(from) : "out of memory");
        goto out;
    }
    sqlite3_busy_timeout(from, 10000);
    if (sqlite3_open_v2(dst, &to, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK) {
        rc = err_set(err, GZ_EIO, "cannot create '%s': %s", dst,
                     to ? sqlite3_errmsg(to) : "out of memory");
        goto out;
    }
    b = sqlite3_backup_init(to, "main", from, "main");
    if (!b) {
        rc = err_set(err, GZ_EDB, "cannot start the backup of '%s': %s", src, sqlite3_errmsg(to));
        goto out;
    }
    /* All pages in one step: one read transaction on the source, hence one snapshot. A busy
     * source (a writer checkpointing) is retried for a while. */
    for (int tries = 0;; tries++) {
        rc = sqlite3_backup_step(b, -1);
        if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || tries >= 100)
            break;
        sqlite3_sleep(100);
    }
    if (rc != SQLITE_DONE) {
        rc = err_set(err, rc == SQLITE_FULL ? GZ_EIO : GZ_EDB,
                     "backup of '%s' into '%s' failed: %s", src, dst, sqlite3_errstr(rc));
        goto out;
    }
    rc = sqlite3_backup_finish(b);
    b = NULL;
    if (rc != SQLITE_OK) {
        rc = err_set(err, GZ_EDB, "backup of '%s' into '%s' failed: %s", src, dst,
                     sqlite3_errmsg(to));
        goto out;
    }
    rc = GZ_OK;
out:
    if (b)
        sqlite3_backup_finish(b);
    sqlite3_close(from);
    if (sqlite3_close(to) != SQLITE_OK && rc == GZ_OK)
        rc = err_set(err, GZ_EIO, "cannot close '%s'", dst);
    if (rc == GZ_OK) {
        fd = open(dst, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd) != 0)
            rc = err_set(err, GZ_EIO, "cannot sync '%s': %s", dst, strerror(errno));
        if (fd >= 0)
            close(fd);
    }
    return rc;
}
