/*
 * newsroom.h: editors' write flows (service layer). Each runs in ONE store transaction: the
 * story, its timing jobs and its audit line are stored together or not at all, and success is
 * answered only after the commit. Results are GZ codes the caller must check: GZ_ECONFLICT
 * (someone saved meanwhile), GZ_ENOTFOUND, GZ_EFULL (disk full), GZ_EBUSY, GZ_EDB.
 */
#ifndef GZ_SERVICE_NEWSROOM_H
#define GZ_SERVICE_NEWSROOM_H

#include <stdint.h>

#include "core/gz.h"
#include "model/story.h"
#include "store/store.h"

/* Save s (insert, or replace the story with its slug; with s->version > 0 only if that is
 * still the stored version) and queue a timing job for each language l with retime[l] set
 * (its recording s->l[l].audio, its text changed). OUT: *id, *version (the new one). */
GZ_MUST_CHECK int nr_save(struct store *st, const struct story *s, const int retime[LANG_COUNT],
                          int64_t *id, int64_t *version, struct err *err);
/* Queue a timing (audio non-empty: a new recording, already in the media folder) or a
 * synthesis (audio "") job. OUT: *job. */
GZ_MUST_CHECK int nr_queue(struct store *st, int64_t story_id, enum lang l, const char *audio,
                           int64_t *job, struct err *err);
/* Give user uid a role, with its audit line. */
GZ_MUST_CHECK int nr_set_role(struct store *st, int64_t uid, enum user_role role, const char *ip,
                              struct err *err);

/* ---- pictures (issue 11) ---- */
#define NR_IMAGE_NAME_LEN 20     /* hex characters of the content hash */
#define NR_IMAGE_TEXT_MAX 500    /* bytes of alt text or caption */

struct nr_image {
    char name[NR_IMAGE_NAME_LEN + 1]; /* files media_dir/img/NAME-<w>x<h>.webp|.jpg */
    char sizes[96];                   /* "480x270,960x540,1600x900", smallest first */
    int width, height;                /* the largest size */
};

/* Add the picture at upload (a finished upload in media_dir; the caller removes it) to story
 * story_id, and make it the lead when lead is set. The picture is decoded in full and written
 * at its sizes under temporary names, synced, renamed into media_dir/img/ under its content
 * hash, then recorded in one transaction. Any failure leaves no new file behind (files that
 * were already there, from the same picture uploaded before, stay) and the database unchanged.
 * GZ_EINVAL (not a picture, damaged, too large, alt/caption too long: err says which),
 * GZ_ENOTFOUND (no story), GZ_EIO, GZ_EFULL, GZ_EBUSY, GZ_EDB. OUT: *out. */
GZ_MUST_CHECK int nr_image_add(struct store *st, const char *media_dir, int64_t story_id,
                               const char *upload, const char *alt, const char *caption, int lead,
                               struct nr_image *out, struct err *err);
/* Make picture name (one of the story's; NULL or "" for none) the story's lead.
 * GZ_ENOTFOUND when the story or the picture (for this story) does not exist. */
GZ_MUST_CHECK int nr_image_lead(struct store *st, int64_t story_id, const char *name,
                                struct err *err);

#endif
