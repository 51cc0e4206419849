#include <math.h>
#include <string.h>

#include "model/bundle.h"
#include "suites.h"

static const struct bundle_opts check_only = { NULL, "/nonexistent", 1 };

static const char good[] =
        "{\"gazette_bundle\":1,\"slug\":\"t1\",\"section\":{\"slug\":\"biz\",\"zh\":\"商业\","
        "\"en\":\"Business\"},\"tags\":[\"a\",\"b\"],\"published\":\"2026-11-20T08:00:00Z\","
        "\"byline\":{\"en\":\"By A\"},\"en\":{\"headline\":\"H\",\"standfirst\":\"S.\","
        "\"body\":[\"One. Two.\",[\"Three.\"],{\"sentences\":[\"Caption\"],\"spoken\":false}],"
        "\"narration\":{\"transcript\":{\"text\":[[{\"start\":1.5,\"text\":\"One.\"},"
        "{\"start\":2.5,\"text\":\"Two.\"}],[{\"start\":3,\"text\":\"Three.\"}],"
        "[{\"start\":null,\"text\":\"Caption\"}],[{\"start\":4.25,\"text\":\"\"}]]}}},"
        "\"zh\":{\"headline\":\"标题\",\"body\":[\"一。二！\"]}}";

START_TEST(valid_bundle)
{
    struct story *s = NULL;
    struct buf p;

    buf_init(&p, 0);
    ck_assert_msg(bundle_load(good, strlen(good), &check_only, &s, &p) == GZ_OK, "%s",
                  buf_cstr(&p));
    ck_assert_str_eq(s->slug, "t1");
    ck_assert_str_eq(s->tags, "a,b");
    ck_assert_int_eq(s->published, 1795161600);
    ck_assert(s->l[LANG_EN].present && s->l[LANG_ZH].present);
    ck_assert_uint_eq(s->l[LANG_EN].tr.n_para, 3);
    ck_assert_uint_eq(s->l[LANG_EN].tr.para[0].n_sent, 2);
    ck_assert_double_eq_tol(s->l[LANG_EN].tr.para[0].sent[1].start, 2.5, 1e-9);
    ck_assert(isnan(s->l[LANG_EN].tr.para[2].sent[0].start));
    ck_assert_double_eq_tol(s->l[LANG_EN].tr.end, 4.25, 1e-9);
    ck_assert_uint_eq(s->l[LANG_ZH].tr.para[0].n_sent, 2);
    ck_assert(isnan(s->l[LANG_ZH].tr.para[0].sent[0].start)); /* no narration: untimed */
    ck_assert_str_eq(s->l[LANG_EN].summary, "S.");
    story_free(s);
    buf_release(&p);
}
END_TEST

/* Each bad bundle must fail and name the field at fault. */
START_TEST(invalid_bundles)
{
    static const struct {
        const char *json, *field;
    } cases[] = {
        { "[]", "(document)" },
        { "{\"gazette_bundle\":1", "(document)" },
        { "{\"gazette_bundle\":2}", "gazette_bundle:" },
        { "{\"gazette_bundle\":1,\"slug\":\"Bad Slug\"}", "slug:" },
        { "{\"gazette_bundle\":1,\"slug\":\"ok\",\"section\":{\"slug\":\"s\",\"zh\":\"z\","
          "\"en\":\"e\"},\"published\":\"yesterday\",\"en\":{\"headline\":\"h\",\"body\":[\"b\"]}}",
          "published:" },
        { "{\"gazette_bundle\":1,\"slug\":\"ok\",\"section\":{\"slug\":\"s\",\"zh\":\"z\","
          "\"en\":\"e\"},\"published\":\"2026-01-01T00:00:00Z\"}",
          "en/zh:" },
        { "{\"gazette_bundle\":1,\"slug\":\"ok\",\"section\":{\"slug\":\"s\",\"zh\":\"z\","
          "\"en\":\"e\"},\"published\":\"2026-01-01T00:00:00Z\",\"en\":{\"headline\":\"\","
          "\"body\":[\"b\"]}}",
          "en.headline:" },
        { "{\"gazette_bundle\":1,\"slug\":\"ok\",\"section\":{\"slug\":\"s\",\"zh\":\"z\","
          "\"en\":\"e\"},\"published\":\"2026-01-01T00:00:00Z\",\"en\":{\"headline\":\"h\","
          "\"body\":[]}}",
          "en.body:" },
        { "{\"gazette_bundle\":1,\"slug\":\"ok\",\"section\":{\"slug\":\"s\",\"zh\":\"z\","
          "\"en\":\"e\"},\"published\":\"2026-01-01T00:00:00Z\",\"en\":{\"headline\":\"h\\u0001\","
          "\"body\":[\"b\"]}}",
          "en.headline:" },
        { "{\"gazette_bundle\":1,\"slug\":\"ok\",\"section\":{\"slug\":\"s\",\"zh\":\"z\","
          "\"en\":\"e\"},\"published\":\"2026-01-01T00:00:00Z\",\"en\":{\"headline\":\"h\","
          "\"body\":[\"A. B.\"],\"narration\":{\"transcript\":{\"text\":[[{\"start\":2,"
          "\"text\":\"A.\"},{\"start\":1,\"text\":\"B.\"}]]}}}}",
          "en.narration:" },
        { "{\"gazette_bundle\":1,\"slug\":\"ok\",\"section\":{\"slug\":\"s\",\"zh\":\"z\","
          "\"en\":\"e\"},\"published\":\"2026-01-01T00:00:00Z\",\"en\":{\"headline\":\"h\","
          "\"body\":[\"A.\"],\"narration\":{\"transcript\":{\"text\":[[{\"start\":2,"
          "\"text\":\"Different.\"}]]}}}}",
          "en.narration:" },
        { "{\"gazette_bundle\":1,\"slug\":\"ok\",\"section\":{\"slug\":\"s\",\"zh\":\"z\","
          "\"en\":\"e\"},\"published\":\"2026-01-01T00:00:00Z\",\"en\":{\"headline\":\"h\","
          "\"body\":[\"A.\"],\"narration\":{\"audio\":\"../../etc/passwd\"}}}",
          "en.narration:" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct story *s = NULL;
        struct buf p;
        buf_init(&p, 0);
        ck_assert_msg(bundle_load(cases[i].json, strlen(cases[i].json), &check_only, &s, &p) !=
                              GZ_OK,
                      "case %zu accepted", i);
        ck_assert_ptr_null(s);
        ck_assert_msg(strstr(buf_cstr(&p), cases[i].field) != NULL, "case %zu: '%s' lacks '%s'",
                      i, buf_cstr(&p), cases[i].field);
        buf_release(&p);
    }
}
END_TEST

Suite *suite_bundle(void)
{
    Suite *s = suite_create("bundle");
    TCase *tc = tcase_create("validate");
    tcase_add_test(tc, valid_bundle);
    tcase_add_test(tc, invalid_bundles);
    suite_add_tcase(s, tc);
    return s;
}
