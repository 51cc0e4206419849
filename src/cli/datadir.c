#include "cli/datadir.h"

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"
#include "store/backup.h"

int datadir_check_db(const char *dir, const char *db, struct err *err)
{
    struct stat sb;
    int rc;

    if (access(dir, W_OK) != 0)
        return err_set(err, GZ_EIO, "data folder '%s' is not writable: %s", dir, strerror(errno));
    if (stat(db, &sb) != 0)
        return errno == ENOENT
                       ? GZ_OK /* a new site */
                       : err_set(err, GZ_EIO, "cannot read database '%s': %s", db, strerror(errno));
    if (sb.st_size == 0)
        return err_set(err, GZ_EDB,
                       "database '%s' is empty (0 bytes): its contents were lost; restore a "
                       "backup (gazette restore) or delete the file to start a new site",
                       db);
    if (access(db, R_OK | W_OK) != 0)
        return err_set(err, GZ_EIO, "database '%s' cannot be written: %s", db, strerror(errno));
    rc = store_check_sqlite(db, 0, err);
    if (rc != GZ_OK) {
        struct err why = *err;
        return err_set(err, rc, "%s; restore a backup (gazette restore SRC)", why.msg);
    }
    return GZ_OK;
}

static int gone(long pid)
{
    return pid > 0 && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
}

/* "name.tmp<digits>" whose process is gone. */
static int stale_tmp(const char *name)
{
    const char *t = strstr(name, ".tmp");
    char *end;
    long pid;

    if (!t || !t[4])
        return 0;
    pid = strtol(t + 4, &end, 10);
    return *end == '\0' && gone(pid);
}

/* ".import-<pid>-…" (an import's narration before it is published, model/bundle.c) whose
 * process is gone; an import running beside the server keeps its files. */
static int stale_import(const char *name)
{
    char *end;
    long pid;

    if (strncmp(name, ".import-", 8) != 0)
        return 0;
    pid = strtol(name + 8, &end, 10);
    return *end == '-' && gone(pid);
}

int datadir_clean(const char *media)
{
    DIR *d = opendir(media);
    struct dirent *e;
    int n = 0;

    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        const char *name = e->d_name;
        size_t len = strlen(name);
        if (strncmp(name, ".upload-", 8) == 0 || stale_tmp(name) || stale_import(name) ||
            (len > 12 && strcmp(name + len - 12, ".restore-tmp") == 0)) {
            struct buf p;
            buf_init(&p, 0);
            buf_printf(&p, "%s/%s", media, name);
            if (unlink(buf_cstr(&p)) == 0) {
                log_info("data", "removed '%s' left by an interrupted upload, import or copy",
                         buf_cstr(&p));
                n++;
            }
            buf_release(&p);
        }
    }
    closedir(d);
    return n;
}
