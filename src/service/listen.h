/*
 * listen.h: a signed-in reader's listening position per story (service layer, issue 11).
 * Each call is one store transaction: the rate check, its event and the write commit together
 * or not at all. Signed-out readers keep their positions in the browser; nothing here.
 */
#ifndef GZ_SERVICE_LISTEN_H
#define GZ_SERVICE_LISTEN_H

#include <stdint.h>

#include "core/gz.h"
#include "store/store.h"

/* Saves a reader may make per minute: every 10 s while playing, plus pauses and seeks, leaves
 * room for several tabs. */
#define LISTEN_SAVES_PER_MIN 60
/* The longest position accepted: 24 hours, in milliseconds. */
#define LISTEN_T_MAX_MS (24LL * 3600 * 1000)

/* Store where user_id stopped in story_id's narration in lang ("en" or "zh"), or with done != 0
 * forget it (heard to the end). GZ_EINVAL: lang or t_ms out of range (nothing read or written);
 * GZ_ENOTFOUND: no published story narrated in lang; GZ_ELIMIT: more than LISTEN_SAVES_PER_MIN
 * in the last minute (OUT: *retry_after_s); GZ_EFULL, GZ_EBUSY, GZ_EDB: nothing stored. */
GZ_MUST_CHECK int listen_save(struct store *st, int64_t user_id, int64_t story_id, const char *lang,
                              int64_t t_ms, int done, int64_t now, int64_t *retry_after_s,
                              struct err *err);

/* 1 when lang names a narration language ("en", "zh"). */
int listen_lang_ok(const char *lang);

#endif
