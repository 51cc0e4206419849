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

#endif
