/*
 * test_store_fault.c: a write answers GZ_OK only once it is committed. Each test fills the
 * disk (fault.h) before one write; before the fix, the autocommit INSERT/UPDATE … RETURNING
 * statements answered OK on their first row while their commit failed afterwards.
 */
#include <string.h>

#include "fault.h"
#include "model/bundle.h"
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

static int64_t story(void)
{
    static const char j[] =
            "{\"gazette_bundle\":1,\"slug\":\"s\",\"section\":{\"slug\":\"x\",\"zh\":\"栏\","
            "\"en\":\"X\"},\"published\":\"2026-11-01T08:00:00Z\",\"en\":{\"headline\":\"H\",\"body\":"
            "[\"One. Two.\"]}}";
    struct bundle_opts o = { NULL, "/nonexistent", 1 };
    struct story *s = NULL;
    struct buf p;
    struct err err = { 0 };
    int64_t id = 0;

    buf_init(&p, 0);
    ck_assert_msg(bundle_load(j, sizeof j - 1, &o, &s, &p) == GZ_OK, "%s", buf_cstr(&p));
    ck_assert_msg(st->ops->story_put(st, s, &id, &err) == GZ_OK, "%s", err.msg);
    story_free(s);
    buf_release(&p);
    return id;
}

START_TEST(user_create_reports_a_failed_commit)
{
    struct err err = { 0 };
    struct user u;
    int64_t id = 0;
    int rc;

    fault_arm(FAULT_FULL, 0);
    rc = st->ops->user_create(st, "a@example.com", "a", "h", NULL, NULL, 1, &id, &err);
    fault_disarm();
    ck_assert_int_eq(rc, GZ_EFULL);
    ck_assert_int_eq(id, 0);
    ck_assert_int_eq(st->ops->user_by_login(st, "a", &u, &err), GZ_ENOTFOUND);
}
END_TEST

START_TEST(job_add_reports_a_failed_commit)
{
    struct err err = { 0 };
    int64_t sid = story(), id = 0, got = 0, got_story = 0;
    char lang[3], audio[64];
    int rc;

    fault_arm(FAULT_FULL, 0);
    rc = st->ops->job_add(st, sid, "en", "a.mp3", 1, &id, &err);
    fault_disarm();
    ck_assert_int_eq(rc, GZ_EFULL);
    ck_assert_int_eq(st->ops->job_claim(st, 2, &got, &got_story, lang, audio, sizeof audio, &err),
                     GZ_ENOTFOUND);
}
END_TEST

START_TEST(job_claim_reports_a_failed_commit)
{
    struct err err = { 0 };
    int64_t sid = story(), id = 0, got = 0, got_story = 0;
    char lang[3], audio[64];
    int rc;

    ck_assert_int_eq(st->ops->job_add(st, sid, "en", "a.mp3", 1, &id, &err), GZ_OK);
    fault_arm(FAULT_FULL, 0);
    rc = st->ops->job_claim(st, 2, &got, &got_story, lang, audio, sizeof audio, &err);
    fault_disarm();
    ck_assert_int_eq(rc, GZ_EFULL);
    /* Not claimed: still queued for the next worker. */
    ck_assert_int_eq(st->ops->job_claim(st, 3, &got, &got_story, lang, audio, sizeof audio, &err),
                     GZ_OK);
    ck_assert_int_eq(got, id);
}
END_TEST

START_TEST(reset_take_reports_a_failed_commit)
{
    struct err err = { 0 };
    unsigned char d[32];
    int64_t uid = 0, got = 0;
    int rc;

    memset(d, 7, sizeof d);
    ck_assert_int_eq(st->ops->user_create(st, "b@example.com", "b", "h", NULL, NULL, 1, &uid, &err),
                     GZ_OK);
    ck_assert_int_eq(st->ops->reset_put(st, d, uid, 1000, &err), GZ_OK);
    fault_arm(FAULT_FULL, 0);
    rc = st->ops->reset_take(st, d, 10, &got, &err);
    fault_disarm();
    ck_assert_int_eq(rc, GZ_EFULL);
    ck_assert_int_eq(got, 0);
    ck_assert_int_eq(st->ops->reset_take(st, d, 10, &got, &err), GZ_OK); /* not spent */
    ck_assert_int_eq(got, uid);
    ck_assert_int_eq(st->ops->reset_take(st, d, 10, &got, &err), GZ_ENOTFOUND);
}
END_TEST

START_TEST(story_put_joins_an_open_transaction)
{
    struct err err = { 0 };
    int64_t n = -1;

    ck_assert_int_eq(st->ops->tx_begin(st, &err), GZ_OK);
    ck_assert_int_eq(st->ops->tx_begin(st, &err), GZ_EINVAL); /* no nesting */
    story();
    store_rollback(st);
    ck_assert_int_eq(st->ops->story_count(st, &n, &err), GZ_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(st->ops->tx_begin(st, &err), GZ_OK);
    story();
    ck_assert_int_eq(st->ops->tx_commit(st, &err), GZ_OK);
    ck_assert_int_eq(st->ops->story_count(st, &n, &err), GZ_OK);
    ck_assert_int_eq(n, 1);
}
END_TEST

START_TEST(commit_on_a_full_disk_stores_nothing)
{
    struct err err = { 0 };
    int64_t id = 0, n = -1;

    ck_assert_int_eq(st->ops->tx_begin(st, &err), GZ_OK);
    ck_assert_int_eq(st->ops->user_create(st, "c@example.com", "c", "h", NULL, NULL, 1, &id, &err),
                     GZ_OK);
    story();
    fault_arm(FAULT_FULL, 0);
    ck_assert_int_eq(st->ops->tx_commit(st, &err), GZ_EFULL);
    fault_disarm();
    ck_assert_int_eq(st->ops->story_count(st, &n, &err), GZ_OK);
    ck_assert_int_eq(n, 0);
}
END_TEST

Suite *suite_store_fault(void)
{
    Suite *s = suite_create("store_fault");
    TCase *tc = tcase_create("writes");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, user_create_reports_a_failed_commit);
    tcase_add_test(tc, job_add_reports_a_failed_commit);
    tcase_add_test(tc, job_claim_reports_a_failed_commit);
    tcase_add_test(tc, reset_take_reports_a_failed_commit);
    tcase_add_test(tc, story_put_joins_an_open_transaction);
    tcase_add_test(tc, commit_on_a_full_disk_stores_nothing);
    suite_add_tcase(s, tc);
    return s;
}
