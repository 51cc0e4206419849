/* job.c: the end of a narration job in one transaction (see job.h). */
#include "service/job.h"

#include <stdio.h>

#include "core/clock.h"

static int mark(struct store *st, int64_t job, const char *why, int64_t flagged, double seconds,
                struct err *err)
{
    return st->ops->job_finish(st, job, why ? "failed" : "done", why, flagged, seconds, clock_now(),
                               err);
}

int job_complete(struct store *st, int64_t job, const struct story *result, const char *why,
                 int64_t flagged, double seconds, int *stored_result, struct err *err)
{
    char reason[sizeof err->msg];
    int64_t id;
    int rc;

    *stored_result = 0;
    if (!result)
        return mark(st, job, why ? why : "failed", flagged, seconds, err);
    rc = st->ops->tx_begin(st, err);
    if (rc != GZ_OK)
        return rc;
    rc = st->ops->story_put(st, result, &id, err);
    if (rc == GZ_OK)
        rc = mark(st, job, NULL, flagged, seconds, err);
    if (rc == GZ_OK) {
        rc = st->ops->tx_commit(st, err);
        *stored_result = rc == GZ_OK;
        return rc;
    }
    store_rollback(st);
    if (rc != GZ_ECONFLICT)
        return rc;
    /* Saved in between: the editor's text wins; the next run picks it up. */
    snprintf(reason, sizeof reason, "the story was saved during the job: run it again");
    return mark(st, job, reason, flagged, seconds, err);
}
