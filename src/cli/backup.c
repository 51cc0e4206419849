/*
 * backup.c: `gazette backup DEST` and `gazette restore SRC`.
 * A backup folder holds gazette.db (a consistent snapshot taken with SQLite's online backup
 * API while the site serves), media/ (every narration file the snapshot refers to) and
 * MANIFEST: "gazette-backup 1", then one line per file, "<size> <blake2b-256 hex> <path>".
 * Both commands verify before they report success: every file against the manifest, and the
 * database with PRAGMA integrity_check. restore refuses a backup that fails its check and a
 * data folder a running server holds (core/dirlock.h).
 */
#include "store/backup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "core/buf.h"
#include "core/dirlock.h"
#include "store/store.h"

#define HASH_LEN 32

static char *path2(const char *a, const char *b)
{
    struct buf p;
    buf_init(&p, 0);
    buf_printf(&p, "%s/%s", a, b);
    return buf_take(&p, NULL);
}

/* A media name is a plain file name, or one in the pictures folder "img/": no other folder
 * part, no dot file (no '..'). */
static int safe_name(const char *name)
{
    if (strncmp(name, "img/", 4) == 0)
        name += 4;
    return name[0] && name[0] != '.' && !strchr(name, '/') && strlen(name) < 200;
}

static int sync_path(const char *path, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = GZ_OK;
    if (fd < 0 || fsync(fd) != 0)
        rc = err_set(err, GZ_EIO, "cannot sync '%s': %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return rc;
}

/* Size and BLAKE2b-256 of a file; with dst, also copy it there (written to dst, fsynced). */
static int copy_hash(const char *src, const char *dst, int64_t *size, char hex[2 * HASH_LEN + 1],
                     struct err *err)
{
    crypto_generichash_state h;
    unsigned char d[HASH_LEN];
    static _Thread_local char chunk[1 << 16];
    int in = open(src, O_RDONLY | O_CLOEXEC), out = -1, rc = GZ_OK;
    ssize_t n;

    *size = 0;
    if (in < 0)
        return err_set(err, errno == ENOENT ? GZ_ENOTFOUND : GZ_EIO, "cannot read '%s': %s", src,
                       strerror(errno));
    if (dst) {
        out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (out < 0) {
            rc = err_set(err, GZ_EIO, "cannot create '%s': %s", dst, strerror(errno));
            goto out;
        }
    }
    crypto_generichash_init(&h, NULL, 0, HASH_LEN);
    while ((n = read(in, chunk, sizeof chunk)) > 0) {
        crypto_generichash_update(&h, (const unsigned char *)chunk, (unsigned long long)n);
        *size += n;
        if (out >= 0 && write(out, chunk, (size_t)n) != n) {
            rc = err_set(err, GZ_EIO, "cannot write '%s': %s", dst, strerror(errno));
            goto out;
        }
    }
    if (n < 0) {
        rc = err_set(err, GZ_EIO, "cannot read '%s': %s", src, strerror(errno));
        goto out;
    }
    if (out >= 0 && fsync(out) != 0) {
        rc = err_set(err, GZ_EIO, "cannot write '%s': %s", dst, strerror(errno));
        goto out;
    }
    crypto_generichash_final(&h, d, sizeof d);
    sodium_bin2hex(hex, 2 * HASH_LEN + 1, d, sizeof d);
out:
    close(in);
    if (out >= 0 && close(out) != 0 && rc == GZ_OK)
        rc = err_set(err, GZ_EIO, "cannot write '%s': %s", dst, strerror(errno));
    return rc;
}

struct media_walk {
    const char *from, *to; /* media folders */
    struct buf *manifest;
    int n, missing;
    struct err *err;
};

static int copy_media(void *cls, const char *name)
{
    struct media_walk *w = cls;
    char hex[2 * HASH_LEN + 1];
    char *src, *dst;
    int64_t size;
    int rc;

    if (!safe_name(name)) {
        fprintf(stderr, "gazette backup: skipping unsafe media name '%s'\n", name);
        return 0;
    }
    src = path2(w->from, name);
    dst = path2(w->to, name);
    rc = copy_hash(src, dst, &size, hex, w->err);
    if (rc == GZ_ENOTFOUND) {
        /* referred to (e.g. by a failed job) but gone: say so, keep going */
        fprintf(stderr, "gazette backup: media '%s' is referred to but missing\n", src);
        w->missing++;
        unlink(dst);
        rc = GZ_OK;
    } else if (rc == GZ_OK) {
        buf_printf(w->manifest, "%lld %s media/%s\n", (long long)size, hex, name);
        w->n++;
    }
    free(src);
    free(dst);
    return rc == GZ_OK ? 0 : rc;
}

/* Check every file of the backup folder dir against its MANIFEST, then the database.
 * OUT: *n_files. */
static int verify(const char *dir, int *n_files, struct err *err)
{
    char *mpath = path2(dir, "MANIFEST"), *db = path2(dir, "gazette.db");
    struct buf m;
    const char *p;
    int rc, has_db = 0;

    *n_files = 0;
    buf_init(&m, 16 << 20);
    rc = buf_read_file(&m, mpath, err);
    if (rc != GZ_OK)
        goto out;
    p = buf_cstr(&m);
    if (strncmp(p, "gazette-backup 1\n", 17) != 0) {
        rc = err_set(err, GZ_EINVAL, "'%s' is not a gazette backup manifest", mpath);
        goto out;
    }
    for (p += 17; *p;) {
        const char *nl = strchr(p, '\n'), *sp1, *sp2;
        char hex[2 * HASH_LEN + 1], *file, *name;
        int64_t want, got;
        char *end;

        if (!nl)
            nl = p + strlen(p);
        want = strtoll(p, &end, 10);
        sp1 = end;
        sp2 = *sp1 == ' ' ? memchr(sp1 + 1, ' ', (size_t)(nl - sp1 - 1)) : NULL;
        if (*sp1 != ' ' || !sp2 || sp2 - sp1 - 1 != 2 * HASH_LEN || want < 0) {
            rc = err_set(err, GZ_EINVAL, "'%s': malformed line '%.*s'", mpath,
                         (int)(nl - p > 80 ? 80 : nl - p), p);
            goto out;
        }
        name = xstrndup(sp2 + 1, (size_t)(nl - sp2 - 1));
        if (strcmp(name, "gazette.db") != 0 &&
            (strncmp(name, "media/", 6) != 0 || !safe_name(name + 6))) {
            rc = err_set(err, GZ_EINVAL, "'%s': unexpected file '%s'", mpath, name);
            free(name);
            goto out;
        }
        has_db |= strcmp(name, "gazette.db") == 0;
        file = path2(dir, name);
        rc = copy_hash(file, NULL, &got, hex, err);
        if (rc == GZ_OK && (got != want || strncmp(hex, sp1 + 1, 2 * HASH_LEN) != 0))
            rc = err_set(err, GZ_EIO, "'%s' does not match the manifest (size %lld, want %lld)",
                         file, (long long)got, (long long)want);
        free(file);
        free(name);
        if (rc != GZ_OK)
            goto out;
        (*n_files)++;
        p = *nl ? nl + 1 : nl;
    }
    if (!has_db) {
        rc = err_set(err, GZ_EINVAL, "'%s' lists no gazette.db", mpath);
        goto out;
    }
    rc = store_check_sqlite(db, 1, err);
out:
    buf_release(&m);
    free(mpath);
    free(db);
    return rc;
}

/* On PostgreSQL (--db URL or GAZETTE_DB) the database is backed up with its own tools; say
 * exactly how, with the media step after the dump (media files are only ever added, so a
 * copy taken after the dump holds every file the dump refers to). Returns 2: nothing done. */
static int pg_instructions(const char *cmd, const char *where, const char *data, const char *arg)
{
    char url[1024];

    store_where_for_humans(where, url, sizeof url); /* a password goes in ~/.pgpass instead */
    fprintf(stderr,
            "gazette %s: the database is PostgreSQL; use its own tools, then copy the media.\n"
            "  backup, in this order:\n"
            "    mkdir %s && pg_dump --format=custom --file %s/gazette.pgdump '%s'\n"
            "    cp -a %s/media %s/media\n"
            "  restore (servers stopped), in this order:\n"
            "    pg_restore --clean --if-exists --no-owner --dbname '%s' %s/gazette.pgdump\n"
            "    cp -a %s/media/. %s/media/\n"
            "(docs/DEPLOY.md, \"Backups\")\n",
            cmd, arg, arg, url, data, arg, url, arg, arg, data);
    return 2;
}

static int parse(int argc, char **argv, const char *cmd, const char **data, const char **arg,
                 const char **db)
{
    *data = "var";
    *arg = NULL;
    *db = getenv("GAZETTE_DB");
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--data") == 0 && i + 1 < argc)
            *data = argv[++i];
        else if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
            *db = argv[++i];
        else if (argv[i][0] == '-' || *arg) {
            fprintf(stderr, "gazette %s: unexpected '%s'\nusage: gazette %s [--data DIR] %s\n", cmd,
                    argv[i], cmd, strcmp(cmd, "backup") == 0 ? "DEST" : "SRC");
            return 0;
        } else
            *arg = argv[i];
    }
    if (!*arg)
        fprintf(stderr, "usage: gazette %s [--data DIR] %s\n", cmd,
                strcmp(cmd, "backup") == 0 ? "DEST" : "SRC");
    return *arg != NULL;
}

int cmd_backup(int argc, char **argv)
{
    const char *data, *dest, *url;
    char *db = NULL, *media = NULL, *out_db = NULL, *out_media = NULL, *mpath = NULL;
    char hex[2 * HASH_LEN + 1];
    struct store *st = NULL;
    struct err err = { 0 };
    struct buf manifest;
    struct media_walk w;
    int64_t size;
    int rc, n_files = 0, fd;

    if (!parse(argc, argv, "backup", &data, &dest, &url))
        return 2;
    if (store_is_pg(url))
        return pg_instructions("backup", url, data, dest);
    buf_init(&manifest, 0);
    db = path2(data, "gazette.db");
    media = path2(data, "media");
    out_db = path2(dest, "gazette.db");
    out_media = path2(dest, "media");
    mpath = path2(dest, "MANIFEST");
    rc = store_check_sqlite(db, 0, &err);
    if (rc != GZ_OK)
        goto out;
    if (mkdir(dest, 0755) != 0) {
        rc = err_set(&err, GZ_EIO, "cannot create backup folder '%s': %s", dest,
                     errno == EEXIST ? "it exists already (choose a new folder)" : strerror(errno));
        goto out;
    }
    if (mkdir(out_media, 0755) != 0) {
        rc = err_set(&err, GZ_EIO, "cannot create '%s': %s", out_media, strerror(errno));
        goto out;
    }
    {
        char *img = path2(out_media, "img");
        int bad = mkdir(img, 0755) != 0;
        if (bad)
            rc = err_set(&err, GZ_EIO, "cannot create '%s': %s", img, strerror(errno));
        free(img);
        if (bad)
            goto out;
    }
    rc = store_backup_sqlite(db, out_db, &err);
    if (rc != GZ_OK)
        goto out;
    /* The media the snapshot refers to, read from the snapshot itself. */
    rc = store_open_sqlite(out_db, &st, &err);
    if (rc != GZ_OK)
        goto out;
    memset(&w, 0, sizeof w);
    w.from = media;
    w.to = out_media;
    w.manifest = &manifest;
    w.err = &err;
    rc = st->ops->media_names(st, copy_media, &w, &err);
    store_close(st);
    st = NULL;
    if (rc == GZ_OK) /* after the store is closed: it is the file as it stays */
        rc = copy_hash(out_db, NULL, &size, hex, &err);
    if (rc != GZ_OK)
        goto out;
    {
        struct buf head;
        buf_init(&head, 0);
        buf_printf(&head, "gazette-backup 1\n%lld %s gazette.db\n", (long long)size, hex);
        buf_append(&head, manifest.data, manifest.len);
        buf_release(&manifest);
        manifest = head;
    }
    fd = open(mpath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0 || write(fd, manifest.data, manifest.len) != (ssize_t)manifest.len ||
        fsync(fd) != 0) {
        rc = err_set(&err, GZ_EIO, "cannot write '%s': %s", mpath, strerror(errno));
        if (fd >= 0)
            close(fd);
        goto out;
    }
    close(fd);
    rc = sync_path(out_media, &err);
    if (rc == GZ_OK)
        rc = sync_path(dest, &err);
    if (rc == GZ_OK)
        rc = verify(dest, &n_files, &err);
    if (rc == GZ_OK)
        printf("backup '%s': database and %d media files, verified%s\n", dest, n_files - 1,
               w.missing ? " (some referred-to media were missing: see above)" : "");
out:
    if (rc != GZ_OK)
        fprintf(stderr, "gazette backup: %s\n", err.msg);
    store_close(st);
    buf_release(&manifest);
    free(db);
    free(media);
    free(out_db);
    free(out_media);
    free(mpath);
    return rc == GZ_OK ? 0 : 1;
}

/* Copy src to dst through a temporary name, so dst is either the old file or the new one. */
static int install(const char *src, const char *dst, struct err *err)
{
    struct buf tmp;
    char hex[2 * HASH_LEN + 1];
    int64_t size;
    int rc;

    buf_init(&tmp, 0);
    buf_printf(&tmp, "%s.restore-tmp", dst);
    rc = copy_hash(src, buf_cstr(&tmp), &size, hex, err);
    if (rc == GZ_OK && rename(buf_cstr(&tmp), dst) != 0)
        rc = err_set(err, GZ_EIO, "cannot move '%s' into place: %s", dst, strerror(errno));
    if (rc != GZ_OK)
        unlink(buf_cstr(&tmp));
    buf_release(&tmp);
    return rc;
}

int cmd_restore(int argc, char **argv)
{
    const char *data, *src, *url;
    char *db = NULL, *media = NULL, *from_db = NULL, *mpath = NULL, *wal = NULL, *shm = NULL, *img = NULL;
    struct err err = { 0 };
    struct buf m;
    int rc, lock = -1, use = -1, n_files = 0;

    if (!parse(argc, argv, "restore", &data, &src, &url))
        return 2;
    if (store_is_pg(url))
        return pg_instructions("restore", url, data, src);
    buf_init(&m, 16 << 20);
    db = path2(data, "gazette.db");
    media = path2(data, "media");
    from_db = path2(src, "gazette.db");
    mpath = path2(src, "MANIFEST");
    wal = path2(data, "gazette.db-wal");
    shm = path2(data, "gazette.db-shm");
    rc = verify(src, &n_files, &err);
    if (rc != GZ_OK) {
        struct err why = err; /* err_set must not format a buffer into itself */
        err_set(&err, rc, "refusing to restore from '%s': %s", src, why.msg);
        goto out;
    }
    img = path2(media, "img");
    if ((mkdir(data, 0755) != 0 && errno != EEXIST) ||
        (mkdir(media, 0755) != 0 && errno != EEXIST) || (mkdir(img, 0755) != 0 && errno != EEXIST)) {
        rc = err_set(&err, GZ_EIO, "cannot create data folder '%s': %s", data, strerror(errno));
        goto out;
    }
    lock = dirlock_take(data, "restore", &err);
    if (lock < 0) {
        rc = lock;
        goto out;
    }
    use = dirlock_use(data, 1, &err);
    if (use < 0) {
        rc = use;
        goto out;
    }
    rc = buf_read_file(&m, mpath, &err);
    for (const char *p = buf_cstr(&m); rc == GZ_OK && *p;) {
        const char *nl = strchr(p, '\n'), *name = strrchr(p, ' ');
        if (!nl)
            break;
        name = memchr(p, ' ', (size_t)(nl - p));
        name = name ? memchr(name + 1, ' ', (size_t)(nl - name - 1)) : NULL;
        if (name && strncmp(name + 1, "media/", 6) == 0) {
            char *rel = xstrndup(name + 1, (size_t)(nl - name - 1));
            char *from = path2(src, rel), *to = path2(data, rel);
            rc = install(from, to, &err);
            free(rel);
            free(from);
            free(to);
        }
        p = nl + 1;
    }
    if (rc != GZ_OK)
        goto out;
    rc = sync_path(media, &err);
    if (rc == GZ_OK)
        rc = sync_path(img, &err);
    if (rc != GZ_OK)
        goto out;
    /* The old database's write-ahead log belongs to the old file: drop it before the new file
     * takes the name, or SQLite would replay it over the restored pages. */
    if ((unlink(wal) != 0 && errno != ENOENT) || (unlink(shm) != 0 && errno != ENOENT)) {
        rc = err_set(&err, GZ_EIO, "cannot remove '%s': %s", wal, strerror(errno));
        goto out;
    }
    rc = install(from_db, db, &err);
    if (rc == GZ_OK)
        rc = sync_path(data, &err);
    if (rc == GZ_OK)
        rc = store_check_sqlite(db, 1, &err);
    if (rc == GZ_OK)
        printf("restored '%s' into '%s': database and %d media files, verified\n", src, data,
               n_files - 1);
out:
    if (rc != GZ_OK)
        fprintf(stderr, "gazette restore: %s\n", err.msg);
    dirlock_release(use);
    dirlock_release(lock);
    buf_release(&m);
    free(db);
    free(media);
    free(img);
    free(from_db);
    free(mpath);
    free(wal);
    free(shm);
    return rc == GZ_OK ? 0 : 1;
}
