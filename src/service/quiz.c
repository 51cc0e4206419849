/* quiz.c: a reader's answers in one transaction (see quiz.h). */
#include "service/quiz.h"

int qz_answer(struct store *st, int64_t quiz_id, const char *who, const char *answers,
              int64_t score, int64_t now, struct buf *first, int64_t *first_score, struct err *err)
{
    struct err why = { 0 };
    int rc = st->ops->tx_begin(st, err);

    *first_score = 0;
    if (rc != GZ_OK)
        return rc;
    rc = st->ops->attempt_put(st, quiz_id, who, answers, score, now, err);
    if (rc == GZ_ECONFLICT) {
        why = *err;
        rc = st->ops->attempt_get(st, quiz_id, who, first, first_score, err);
        if (rc == GZ_OK)
            rc = GZ_ECONFLICT;
    }
    if (rc != GZ_OK && rc != GZ_ECONFLICT) {
        store_rollback(st);
        return rc;
    }
    if (st->ops->tx_commit(st, err) != GZ_OK)
        return err->code;
    if (rc == GZ_ECONFLICT)
        *err = why;
    return rc;
}
