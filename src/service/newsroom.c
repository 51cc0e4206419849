/* newsroom.c: editors' write flows, each in one store transaction (see newsroom.h). */
#include "service/newsroom.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/clock.h"
#include "image/image.h"

/* Commit when rc is GZ_OK, else roll back; the final result. */
static int finish(struct store *st, int rc, struct err *err)
{
    if (rc != GZ_OK) {
        store_rollback(st);
        return rc;
    }
    return st->ops->tx_commit(st, err);
}

int nr_save(struct store *st, const struct story *s, const int retime[LANG_COUNT], int64_t *id,
            int64_t *version, struct err *err)
{
    struct story *back = NULL;
    int rc = st->ops->tx_begin(st, err);

    *id = 0;
    *version = 0;
    if (rc != GZ_OK)
        return rc;
    rc = st->ops->story_put(st, s, id, err);
    for (int l = 0; rc == GZ_OK && l < LANG_COUNT; l++)
        if (retime[l] && s->l[l].audio) {
            int64_t job;
            rc = st->ops->job_add(st, *id, lang_code((enum lang)l), s->l[l].audio, clock_now(),
                                  &job, err);
        }
    if (rc == GZ_OK)
        rc = st->ops->story_get(st, *id, &back, err);
    if (rc == GZ_OK)
        *version = back->version;
    story_free(back);
    rc = finish(st, rc, err);
    if (rc != GZ_OK) {
        *id = 0;
        *version = 0;
    }
    return rc;
}

int nr_queue(struct store *st, int64_t story_id, enum lang l, const char *audio, int64_t *job,
             struct err *err)
{
    /* One statement: autocommit is its transaction, and job_add steps it to its commit. */
    return st->ops->job_add(st, story_id, lang_code(l), audio, clock_now(), job, err);
}

int nr_set_role(struct store *st, int64_t uid, enum user_role role, const char *ip, struct err *err)
{
    int rc = st->ops->tx_begin(st, err);

    if (rc != GZ_OK)
        return rc;
    rc = st->ops->user_set_role(st, uid, role, err);
    if (rc == GZ_OK)
        rc = st->ops->audit_add(st, uid, clock_now(), "role", ip, user_role_name(role), err);
    return finish(st, rc, err);
}

/* ---- pictures ---- */

_Static_assert(NR_IMAGE_NAME_LEN / 2 <= crypto_generichash_BYTES_MIN, "name longer than the hash");

/* BLAKE2b of the file at path, as NR_IMAGE_NAME_LEN hex characters. GZ_EIO when unreadable. */
static int content_name(const char *path, char out[NR_IMAGE_NAME_LEN + 1], struct err *err)
{
    crypto_generichash_state h;
    /* BLAKE2b's shortest output is 16 bytes; the name keeps the first 10 (80 bits). */
    unsigned char buf[65536], d[crypto_generichash_BYTES_MIN];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);

    if (fd < 0)
        return err_set(err, GZ_EIO, "cannot read the upload: %s", strerror(errno));
    if (crypto_generichash_init(&h, NULL, 0, sizeof d) != 0) {
        close(fd);
        return err_set(err, GZ_EIO, "cannot hash the upload");
    }
    while ((n = read(fd, buf, sizeof buf)) > 0)
        crypto_generichash_update(&h, buf, (size_t)n);
    close(fd);
    if (n < 0)
        return err_set(err, GZ_EIO, "cannot read the upload: %s", strerror(errno));
    if (crypto_generichash_final(&h, d, sizeof d) != 0)
        return err_set(err, GZ_EIO, "cannot hash the upload");
    sodium_bin2hex(out, NR_IMAGE_NAME_LEN + 1, d, NR_IMAGE_NAME_LEN / 2);
    return GZ_OK;
}

/* fsync the file at path: a picture the database names must survive a power cut. */
static int sync_file(const char *path, struct err *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC), e = 0;

    if (fd < 0)
        return err_set(err, GZ_EIO, "cannot open '%s': %s", path, strerror(errno));
    if (fsync(fd) != 0)
        e = errno;
    close(fd);
    if (e)
        return err_set(err, e == ENOSPC || e == EDQUOT ? GZ_EFULL : GZ_EIO,
                       "cannot write the picture: %s", strerror(e));
    return GZ_OK;
}

/* The files of one size: variant k (0 webp, 1 jpg) of size (w, h). */
static void image_file(char *out, size_t cap, const char *dir_or_stem, const char *name, int w,
                       int h, int k)
{
    static const char *const ext[] = { "webp", "jpg" };
    if (name)
        snprintf(out, cap, "%s/img/%s-%dx%d.%s", dir_or_stem, name, w, h, ext[k]);
    else
        snprintf(out, cap, "%s-%dx%d.%s", dir_or_stem, w, h, ext[k]);
}

int nr_image_add(struct store *st, const char *media_dir, int64_t story_id, const char *upload,
                 const char *alt, const char *caption, int lead, struct nr_image *out,
                 struct err *err)
{
    struct image_size sz[IMAGE_N_WIDTHS + 1];
    char stem[4096], dir[4096], from[4200], to[4200];
    /* moved[i][k]: the file was renamed into place by this call (removed again on failure) */
    int moved[IMAGE_N_WIDTHS + 1][2] = { { 0 } };
    int n = 0, rc, fd;
    size_t off = 0;

    memset(out, 0, sizeof *out);
    stem[0] = '\0';
    if (alt && strlen(alt) > NR_IMAGE_TEXT_MAX)
        return err_set(err, GZ_EINVAL, "the alt text is longer than %d bytes", NR_IMAGE_TEXT_MAX);
    if (caption && strlen(caption) > NR_IMAGE_TEXT_MAX)
        return err_set(err, GZ_EINVAL, "the caption is longer than %d bytes", NR_IMAGE_TEXT_MAX);
    rc = content_name(upload, out->name, err);
    if (rc != GZ_OK)
        return rc;
    snprintf(dir, sizeof dir, "%s/img", media_dir);
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return err_set(err, GZ_EIO, "cannot make the picture folder: %s", strerror(errno));
    /* A placeholder reserves the temporary stem; ".upload-" leftovers of a crash are removed
     * at start-up (cli/datadir.c). */
    snprintf(stem, sizeof stem, "%s/.upload-img-XXXXXX", media_dir);
    fd = mkstemp(stem);
    if (fd < 0) {
        stem[0] = '\0';
        rc = err_set(err, errno == ENOSPC ? GZ_EFULL : GZ_EIO, "cannot store the picture: %s",
                     strerror(errno));
        goto out;
    }
    close(fd);
    /* The slow part, before any lock: decode, strip, resize, encode. */
    rc = image_process(upload, stem, sz, GZ_NELEM(sz), err);
    if (rc < 0)
        goto out;
    n = rc;
    rc = GZ_OK;
    for (int i = 0; i < n && rc == GZ_OK; i++)
        for (int k = 0; k < 2 && rc == GZ_OK; k++) {
            image_file(from, sizeof from, stem, NULL, sz[i].width, sz[i].height, k);
            rc = sync_file(from, err);
        }
    /* Into place under the content hash. The same picture makes the same files, so one that
     * is already there (uploaded before) is kept as it is and never rewritten. */
    for (int i = 0; i < n && rc == GZ_OK; i++)
        for (int k = 0; k < 2 && rc == GZ_OK; k++) {
            image_file(from, sizeof from, stem, NULL, sz[i].width, sz[i].height, k);
            image_file(to, sizeof to, media_dir, out->name, sz[i].width, sz[i].height, k);
            if (access(to, F_OK) == 0) {
                unlink(from);
            } else if (rename(from, to) != 0) {
                rc = err_set(err, GZ_EIO, "cannot move the picture into place: %s",
                             strerror(errno));
            } else {
                moved[i][k] = 1;
            }
        }
    for (int i = 0; i < n; i++) {
        off += (size_t)snprintf(out->sizes + off, sizeof out->sizes - off, "%s%dx%d",
                                i ? "," : "", sz[i].width, sz[i].height);
        out->width = sz[i].width;
        out->height = sz[i].height;
    }
    if (rc == GZ_OK)
        rc = st->ops->tx_begin(st, err);
    if (rc == GZ_OK) {
        rc = st->ops->image_put(st, out->name, story_id, out->sizes, alt, caption, clock_now(),
                                err);
        if (rc == GZ_OK && lead)
            rc = st->ops->story_set_lead(st, story_id, out->name, err);
        rc = finish(st, rc, err);
    }
out:
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 2; k++) {
            image_file(from, sizeof from, stem, NULL, sz[i].width, sz[i].height, k);
            unlink(from); /* the temporary names: gone after a rename, else removed now */
            if (rc != GZ_OK && moved[i][k]) {
                image_file(to, sizeof to, media_dir, out->name, sz[i].width, sz[i].height, k);
                unlink(to);
            }
        }
    if (stem[0])
        unlink(stem);
    if (rc != GZ_OK)
        memset(out, 0, sizeof *out);
    return rc;
}

int nr_image_lead(struct store *st, int64_t story_id, const char *name, struct err *err)
{
    struct story *s = NULL;
    int rc = st->ops->tx_begin(st, err);

    if (rc != GZ_OK)
        return rc;
    rc = st->ops->story_get(st, story_id, &s, err);
    if (rc == GZ_OK && name && *name && !story_image_find(s, name, strlen(name)))
        rc = err_set(err, GZ_ENOTFOUND, "story %lld has no picture '%s'", (long long)story_id,
                     name);
    if (rc == GZ_OK)
        rc = st->ops->story_set_lead(st, story_id, name && *name ? name : NULL, err);
    story_free(s);
    return finish(st, rc, err);
}
