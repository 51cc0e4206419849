/* newsroom.c: editors' write flows, each in one store transaction (see newsroom.h). */
#include "service/newsroom.h"

#include <string.h>

#include "core/clock.h"

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
