#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/bundle.h"
#include "store/store.h"
#include "suites.h"

static char dir[64];
static struct store *st;

static void setup(void)
{
    struct err err = { 0 };
    char path[96];
    memcpy(dir, "/tmp/gz-store-XXXXXX", sizeof "/tmp/gz-store-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.db", dir);
    ck_assert_msg(store_open_sqlite(path, &st, &err) == GZ_OK, "%s", err.msg);
}

static void teardown(void)
{
    char cmd[128];
    store_close(st);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

static int64_t put(const char *slug, const char *section, const char *tags, const char *date)
{
    struct buf j, p;
    struct story *s = NULL;
    struct bundle_opts o = { NULL, "/nonexistent", 1 };
    struct err err = { 0 };
    int64_t id = 0;

    buf_init(&j, 0);
    buf_init(&p, 0);
    buf_printf(&j,
               "{\"gazette_bundle\":1,\"slug\":\"%s\",\"section\":{\"slug\":\"%s\",\"zh\":\"栏目\","
               "\"en\":\"Section\"},\"tags\":[%s],\"published\":\"%s\",\"en\":{\"headline\":"
               "\"Headline %s\",\"body\":[\"One. Two.\"]},\"zh\":{\"headline\":\"标题\","
               "\"body\":[\"一。\"]}}",
               slug, section, tags, date, slug);
    ck_assert_msg(bundle_load(j.data, j.len, &o, &s, &p) == GZ_OK, "%s", buf_cstr(&p));
    ck_assert_msg(st->ops->story_put(st, s, &id, &err) == GZ_OK, "%s", err.msg);
    story_free(s);
    buf_release(&j);
    buf_release(&p);
    return id;
}

START_TEST(put_get_related)
{
    struct err err = { 0 };
    struct story *s = NULL;
    struct brief_list l = { 0 };
    int64_t g0, g1, a, b, c, d, a2;

    ck_assert_int_eq(st->ops->generation(st, &g0, &err), GZ_OK);
    a = put("a", "biz", "\"x\"", "2026-11-20T00:00:00Z");
    b = put("b", "biz", "", "2026-11-21T00:00:00Z");
    c = put("c", "tech", "\"x\"", "2026-11-22T00:00:00Z");
    d = put("d", "tech", "\"y\"", "2026-11-23T00:00:00Z");
    ck_assert_int_eq(st->ops->generation(st, &g1, &err), GZ_OK);
    ck_assert_int_gt(g1, g0);

    ck_assert_int_eq(st->ops->story_get(st, a, &s, &err), GZ_OK);
    ck_assert_str_eq(s->l[LANG_EN].headline, "Headline a");
    ck_assert_str_eq(s->l[LANG_ZH].tr.para[0].sent[0].text, "一。");
    ck_assert_str_eq(s->tags, "x");
    story_free(s);
    ck_assert_int_eq(st->ops->story_get(st, 999, &s, &err), GZ_ENOTFOUND);

    /* Related to a: b (same section) and c (shared tag), newest first; never a, never d. */
    ck_assert_int_eq(st->ops->related(st, a, 5, &l, &err), GZ_OK);
    ck_assert_uint_eq(l.n, 2);
    ck_assert_int_eq(l.item[0].id, c);
    ck_assert_int_eq(l.item[1].id, b);
    brief_list_release(&l);

    ck_assert_int_eq(st->ops->latest(st, "tech", 10, &l, &err), GZ_OK);
    ck_assert_uint_eq(l.n, 2);
    ck_assert_int_eq(l.item[0].id, d);
    brief_list_release(&l);

    /* Re-import by slug replaces, keeping the id. */
    a2 = put("a", "tech", "", "2026-11-24T00:00:00Z");
    ck_assert_int_eq(a2, a);
    ck_assert_int_eq(st->ops->latest(st, NULL, 1, &l, &err), GZ_OK);
    ck_assert_int_eq(l.item[0].id, a);
    brief_list_release(&l);
}
END_TEST

Suite *suite_store(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("sqlite");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, put_get_related);
    suite_add_tcase(s, tc);
    return s;
}
