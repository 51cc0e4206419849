/*
 * test_listen.c: a listening position is stored only for a published story narrated in that
 * language, replaced by a later save, forgotten when done, limited to LISTEN_SAVES_PER_MIN a
 * minute, gone with its reader; a failing disk stores nothing (fault.h).
 */
#include <string.h>

#include "fault.h"
#include "model/bundle.h"
#include "service/listen.h"
#include "suites.h"

static char dir[64];
static struct store *st;
static int64_t uid, sid;

/* A reader and a published story with English narration only ("a.mp3"). */
static void setup(void)
{
    static const char j[] =
            "{\"gazette_bundle\":1,\"slug\":\"s\",\"section\":{\"slug\":\"x\",\"zh\":\"栏\","
            "\"en\":\"X\"},\"published\":\"2026-11-01T08:00:00Z\",\"en\":{\"headline\":\"H\","
            "\"body\":[\"One. Two.\"]},\"zh\":{\"headline\":\"标\",\"body\":[\"一。二。\"]}}";
    struct bundle_opts o = { NULL, "/nonexistent", 1 };
    struct story *s = NULL;
    struct err err = { 0 };
    struct buf p;

    st = fault_store_open(dir);
    buf_init(&p, 0);
    ck_assert_msg(bundle_load(j, sizeof j - 1, &o, &s, &p) == GZ_OK, "%s", buf_cstr(&p));
    buf_release(&p);
    s->l[LANG_EN].audio = xstrdup("a.mp3");
    ck_assert_msg(st->ops->story_put(st, s, &sid, &err) == GZ_OK, "%s", err.msg);
    story_free(s);
    ck_assert_int_eq(st->ops->user_create(st, "r@example.com", "r", "h", NULL, "v", 1, &uid, &err),
                     GZ_OK);
}

static void teardown(void)
{
    fault_store_close(st, dir);
}

static int64_t stored(const char *lang)
{
    struct err err = { 0 };
    int64_t t = -1;
    int rc = st->ops->position_get(st, uid, sid, lang, &t, &err);
    ck_assert(rc == GZ_OK || rc == GZ_ENOTFOUND);
    return rc == GZ_OK ? t : -1;
}

START_TEST(saved_replaced_forgotten)
{
    struct err err = { 0 };
    int64_t ra = -1;

    ck_assert_int_eq(stored("en"), -1);
    ck_assert_int_eq(listen_save(st, uid, sid, "en", 192400, 0, 100, &ra, &err), GZ_OK);
    ck_assert_int_eq(stored("en"), 192400);
    ck_assert_int_eq(listen_save(st, uid, sid, "en", 0, 0, 101, &ra, &err), GZ_OK);
    ck_assert_int_eq(stored("en"), 0);
    ck_assert_int_eq(listen_save(st, uid, sid, "en", 0, 1, 102, &ra, &err), GZ_OK);
    ck_assert_int_eq(stored("en"), -1);
    /* done twice is not an error */
    ck_assert_int_eq(listen_save(st, uid, sid, "en", 0, 1, 103, &ra, &err), GZ_OK);
}
END_TEST

START_TEST(refused_input_stores_nothing)
{
    struct err err = { 0 };
    int64_t ra = -1;

    ck_assert_int_eq(listen_save(st, uid, sid, "fr", 1000, 0, 100, &ra, &err), GZ_EINVAL);
    ck_assert_int_eq(listen_save(st, uid, sid, NULL, 1000, 0, 100, &ra, &err), GZ_EINVAL);
    ck_assert_int_eq(listen_save(st, uid, sid, "en", -1, 0, 100, &ra, &err), GZ_EINVAL);
    ck_assert_int_eq(listen_save(st, uid, sid, "en", LISTEN_T_MAX_MS + 1, 0, 100, &ra, &err),
                     GZ_EINVAL);
    ck_assert_int_eq(listen_save(st, uid, 0, "en", 1000, 0, 100, &ra, &err), GZ_EINVAL);
    /* no such story; a story not narrated in that language */
    ck_assert_int_eq(listen_save(st, uid, sid + 1, "en", 1000, 0, 100, &ra, &err), GZ_ENOTFOUND);
    ck_assert_int_eq(listen_save(st, uid, sid, "zh", 1000, 0, 100, &ra, &err), GZ_ENOTFOUND);
    ck_assert_int_eq(stored("zh"), -1);
    ck_assert_int_eq(stored("en"), -1);
}
END_TEST

START_TEST(unpublished_story_takes_no_position)
{
    struct err err = { 0 };
    int64_t ra = -1;

    ck_assert_int_eq(listen_save(st, uid, sid, "en", 5000, 0, 100, &ra, &err), GZ_OK);
    ck_assert_int_eq(st->ops->story_set_status(st, sid, STORY_DRAFT, 0, &err), GZ_OK);
    ck_assert_int_eq(listen_save(st, uid, sid, "en", 6000, 0, 101, &ra, &err), GZ_ENOTFOUND);
    ck_assert_int_eq(stored("en"), 5000);
}
END_TEST

START_TEST(limited_per_minute)
{
    struct err err = { 0 };
    int64_t ra = -1;

    for (int i = 0; i < LISTEN_SAVES_PER_MIN; i++)
        ck_assert_int_eq(listen_save(st, uid, sid, "en", i * 1000, 0, 1000 + i / 2, &ra, &err),
                         GZ_OK);
    ck_assert_int_eq(listen_save(st, uid, sid, "en", 999000, 0, 1030, &ra, &err), GZ_ELIMIT);
    ck_assert_int_eq(ra, 60);
    ck_assert_int_eq(stored("en"), (LISTEN_SAVES_PER_MIN - 1) * 1000);
    /* a minute after the first saves, room again */
    ck_assert_int_eq(listen_save(st, uid, sid, "en", 7000, 0, 1061, &ra, &err), GZ_OK);
    ck_assert_int_eq(stored("en"), 7000);
}
END_TEST

START_TEST(full_disk_stores_nothing_and_reader_deletion_removes_it)
{
    struct err err = { 0 };
    int64_t ra = -1;

    ck_assert_int_eq(listen_save(st, uid, sid, "en", 1000, 0, 100, &ra, &err), GZ_OK);
    fault_arm(FAULT_FULL, 0);
    ck_assert_int_eq(listen_save(st, uid, sid, "en", 2000, 0, 101, &ra, &err), GZ_EFULL);
    ck_assert_int_gt(fault_hits(), 0);
    fault_disarm();
    ck_assert_int_eq(stored("en"), 1000);
    ck_assert_int_eq(st->ops->user_delete(st, uid, &err), GZ_OK);
    ck_assert_int_eq(stored("en"), -1);
}
END_TEST

Suite *suite_service_listen(void)
{
    Suite *s = suite_create("service_listen");
    TCase *tc = tcase_create("position");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, saved_replaced_forgotten);
    tcase_add_test(tc, refused_input_stores_nothing);
    tcase_add_test(tc, unpublished_story_takes_no_position);
    tcase_add_test(tc, limited_per_minute);
    tcase_add_test(tc, full_disk_stores_nothing_and_reader_deletion_removes_it);
    suite_add_tcase(s, tc);
    return s;
}
