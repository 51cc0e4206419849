/* listen.c: listening positions in one transaction each (see listen.h). */
#include "service/listen.h"

#include <stdio.h>
#include <string.h>

int listen_lang_ok(const char *lang)
{
    return lang && (strcmp(lang, "en") == 0 || strcmp(lang, "zh") == 0);
}

int listen_save(struct store *st, int64_t user_id, int64_t story_id, const char *lang, int64_t t_ms,
                int done, int64_t now, int64_t *retry_after_s, struct err *err)
{
    char key[48];
    int64_t n = 0, last = 0;
    int rc;

    *retry_after_s = 0;
    if (user_id <= 0 || story_id <= 0 || !listen_lang_ok(lang))
        return err_set(err, GZ_EINVAL, "a position needs a story id and 'en' or 'zh'");
    if (!done && (t_ms < 0 || t_ms > LISTEN_T_MAX_MS))
        return err_set(err, GZ_EINVAL, "position %lld ms is out of range", (long long)t_ms);
    snprintf(key, sizeof key, "listen:%lld", (long long)user_id);
    rc = st->ops->tx_begin(st, err);
    if (rc != GZ_OK)
        return rc;
    rc = st->ops->rate_count(st, key, now - 60, &n, &last, err);
    if (rc == GZ_OK && n >= LISTEN_SAVES_PER_MIN) {
        /* the oldest of the minute's events leaves within 60 s; say the whole minute */
        *retry_after_s = 60;
        rc = err_set(err, GZ_ELIMIT, "more than %d position saves a minute", LISTEN_SAVES_PER_MIN);
    }
    if (rc == GZ_OK)
        rc = st->ops->rate_add(st, key, now, err);
    if (rc == GZ_OK && done)
        rc = st->ops->position_delete(st, user_id, story_id, lang, err);
    else if (rc == GZ_OK)
        rc = st->ops->position_put(st, user_id, story_id, lang, t_ms, now, err);
    if (rc != GZ_OK) {
        store_rollback(st);
        return rc;
    }
    return st->ops->tx_commit(st, err);
}
