/*
 * test_newsroom.c: a save and the timing jobs it queues are one change; a job's result and its
 * "done" are one change. Against the failing store (fault.h).
 */
#include <string.h>

#include "fault.h"
#include "model/bundle.h"
#include "service/job.h"
#include "service/newsroom.h"
#include "suites.h"

static char dir[64];
static struct store *st;

static void setup(void)
{
    st = fault_store_open(dir);
}

static void teardown(void)
{
    fault_store_close(st, dir);
}

/* A story with an English recording ("a.mp3"), not stored. */
static struct story *draft(void)
{
    static const char j[] =
            "{\"gazette_bundle\":1,\"slug\":\"s\",\"section\":{\"slug\":\"x\",\"zh\":\"栏\","
            "\"en\":\"X\"},\"published\":\"2026-11-01T08:00:00Z\",\"en\":{\"headline\":\"H\","
            "\"body\":[\"One. Two.\"]}}";
    struct bundle_opts o = { NULL, "/nonexistent", 1 };
    struct story *s = NULL;
    struct buf p;

    buf_init(&p, 0);
    ck_assert_msg(bundle_load(j, sizeof j - 1, &o, &s, &p) == GZ_OK, "%s", buf_cstr(&p));
    buf_release(&p);
    s->l[LANG_EN].audio = xstrdup("a.mp3");
    s->status = STORY_DRAFT;
    return s;
}

static int queued(int64_t story_id)
{
    struct err err = { 0 };
    struct job_info ji;
    int rc = st->ops->job_latest(st, story_id, "en", &ji, &err);
    ck_assert(rc == GZ_OK || rc == GZ_ENOTFOUND);
    return rc == GZ_OK;
}

START_TEST(save_and_its_jobs_together_or_not_at_all)
{
    struct story *s = draft();
    struct err err = { 0 };
    const int retime[LANG_COUNT] = { [LANG_EN] = 1 };
    int64_t id = 0, ver = 0, n = -1;

    fault_arm(FAULT_IOERR, 1); /* the commit dies after its first page */
    ck_assert_int_eq(nr_save(st, s, retime, &id, &ver, &err), GZ_EDB);
    fault_disarm();
    ck_assert_int_eq(id, 0);
    ck_assert_int_eq(st->ops->story_count(st, &n, &err), GZ_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(nr_save(st, s, retime, &id, &ver, &err), GZ_OK);
    ck_assert_int_gt(id, 0);
    ck_assert_int_eq(ver, 1);
    ck_assert(queued(id));
    story_free(s);
}
END_TEST

START_TEST(a_stale_save_queues_nothing)
{
    struct story *s = draft();
    struct err err = { 0 };
    const int none[LANG_COUNT] = { 0 }, retime[LANG_COUNT] = { [LANG_EN] = 1 };
    int64_t id = 0, ver = 0;

    ck_assert_int_eq(nr_save(st, s, none, &id, &ver, &err), GZ_OK);
    s->version = ver;
    ck_assert_int_eq(nr_save(st, s, none, &id, &ver, &err), GZ_OK); /* someone else saves */
    ck_assert_int_eq(nr_save(st, s, retime, &id, &ver, &err), GZ_ECONFLICT); /* stale */
    ck_assert(!queued(id));
    story_free(s);
}
END_TEST

START_TEST(job_result_and_done_are_one_change)
{
    struct story *s = draft(), *got = NULL;
    struct err err = { 0 };
    const int none[LANG_COUNT] = { 0 };
    int64_t id = 0, ver = 0, jid = 0, claimed = 0, sid = 0;
    struct job_info ji;
    char lang[3], audio[64];
    int stored = -1;

    ck_assert_int_eq(nr_save(st, s, none, &id, &ver, &err), GZ_OK);
    ck_assert_int_eq(nr_queue(st, id, LANG_EN, "a.mp3", &jid, &err), GZ_OK);
    ck_assert_int_eq(st->ops->job_claim(st, 1, &claimed, &sid, lang, audio, sizeof audio, &err),
                     GZ_OK);
    s->version = ver;
    s->l[LANG_EN].duration = 12.5;
    fault_arm(FAULT_FULL, 0);
    ck_assert_int_eq(job_complete(st, jid, s, NULL, 0, 1.0, &stored, &err), GZ_EFULL);
    fault_disarm();
    ck_assert_int_eq(stored, 0);
    ck_assert_int_eq(st->ops->job_latest(st, id, "en", &ji, &err), GZ_OK);
    ck_assert_str_eq(ji.state, "running"); /* re-queued at the next start */
    ck_assert_int_eq(st->ops->story_get(st, id, &got, &err), GZ_OK);
    ck_assert(got->l[LANG_EN].duration < 1);
    story_free(got);
    ck_assert_int_eq(job_complete(st, jid, s, NULL, 0, 1.0, &stored, &err), GZ_OK);
    ck_assert_int_eq(stored, 1);
    ck_assert_int_eq(st->ops->job_latest(st, id, "en", &ji, &err), GZ_OK);
    ck_assert_str_eq(ji.state, "done");
    ck_assert_int_eq(st->ops->story_get(st, id, &got, &err), GZ_OK);
    ck_assert(got->l[LANG_EN].duration > 12);
    story_free(got);
    /* A done job is not ended twice (only the worker holding a running job may end it). */
    ck_assert_int_eq(job_complete(st, jid, s, NULL, 0, 1.0, &stored, &err), GZ_ECONFLICT);
    ck_assert_int_eq(stored, 0);
    /* Saved meanwhile (s has a stale version now): the editor's text wins, the job is
     * "failed" with why. */
    ck_assert_int_eq(nr_queue(st, id, LANG_EN, "a.mp3", &jid, &err), GZ_OK);
    ck_assert_int_eq(st->ops->job_claim(st, 2, &claimed, &sid, lang, audio, sizeof audio, &err),
                     GZ_OK);
    ck_assert_int_eq(claimed, jid);
    ck_assert_int_eq(job_complete(st, jid, s, NULL, 0, 1.0, &stored, &err), GZ_OK);
    ck_assert_int_eq(stored, 0);
    ck_assert_int_eq(st->ops->job_latest(st, id, "en", &ji, &err), GZ_OK);
    ck_assert_str_eq(ji.state, "failed");
    ck_assert_ptr_nonnull(strstr(ji.error, "saved during the job"));
    story_free(s);
}
END_TEST

START_TEST(save_fails_cleanly_at_every_step)
{
    struct story *s = draft();
    struct err err = { 0 };
    const int retime[LANG_COUNT] = { [LANG_EN] = 1 };
    int64_t id = 0, ver = 0, n_stories = -1;
    int n;

    for (n = 0; n < 10; n++) {
        int rc;
        fault_calls(st, n, n % 2 ? GZ_EBUSY : GZ_EFULL);
        rc = nr_save(st, s, retime, &id, &ver, &err);
        fault_calls(st, -1, 0);
        if (rc == GZ_OK)
            break;
        ck_assert_int_eq(rc, n % 2 ? GZ_EBUSY : GZ_EFULL);
        ck_assert_int_eq(st->ops->story_count(st, &n_stories, &err), GZ_OK);
        ck_assert_msg(n_stories == 0, "step %d left the story behind", n);
    }
    ck_assert_int_eq(n, 3); /* story_put, job_add, commit */
    ck_assert(queued(id));
    story_free(s);
}
END_TEST

static enum user_role role_of(int64_t uid)
{
    struct err err = { 0 };
    struct user u;
    enum user_role r;

    ck_assert_msg(st->ops->user_get(st, uid, &u, &err) == GZ_OK, "%s", err.msg);
    r = u.role;
    user_release(&u);
    return r;
}

/* Each writing call of a role change fails in turn (the count taken from a clean run): the
 * change answers that failure and the role stays, or succeeds only when nothing failed. */
START_TEST(set_role_fails_cleanly_at_every_step)
{
    struct err err = { 0 };
    int64_t a = 0, b = 0;
    int n, steps;

    ck_assert_int_eq(st->ops->user_create(st, "a@example.com", "a", "h", NULL, "1", 1, &a, &err),
                     GZ_OK);
    ck_assert_int_eq(st->ops->user_create(st, "b@example.com", "b", "h", NULL, "1", 1, &b, &err),
                     GZ_OK);
    fault_calls(st, -1, 0);
    ck_assert_int_eq(nr_set_role(st, a, ROLE_EDITOR, "10.0.0.1", &err), GZ_OK);
    steps = fault_calls_made();
    ck_assert_int_eq(steps, 3); /* the role, its audit line, commit */
    for (n = 0;; n++) {
        int code = n % 2 ? GZ_EBUSY : GZ_EFULL, rc, made;

        fault_calls(st, n, code);
        rc = nr_set_role(st, b, ROLE_ADMIN, "10.0.0.1", &err);
        made = fault_calls_made();
        fault_calls(st, -1, 0);
        if (n == steps) {
            ck_assert_int_eq(rc, GZ_OK);
            break;
        }
        ck_assert_msg(made > n, "step %d: stopped after %d calls", n, made);
        ck_assert_int_eq(rc, code);
        ck_assert_msg(role_of(b) == ROLE_READER, "step %d changed the role", n);
    }
    ck_assert_int_eq(role_of(b), ROLE_ADMIN);
}
END_TEST

Suite *suite_service_newsroom(void)
{
    Suite *s = suite_create("service_newsroom");
    TCase *tc = tcase_create("flows");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, save_and_its_jobs_together_or_not_at_all);
    tcase_add_test(tc, a_stale_save_queues_nothing);
    tcase_add_test(tc, job_result_and_done_are_one_change);
    tcase_add_test(tc, save_fails_cleanly_at_every_step);
    tcase_add_test(tc, set_role_fails_cleanly_at_every_step);
    suite_add_tcase(s, tc);
    return s;
}
