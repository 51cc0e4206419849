#include <string.h>

#include "http/form.h"
#include "suites.h"

START_TEST(form_decoding)
{
    struct form f = { 0 };
    const char *s = "csrf=abc&fs=4&back=%2Fstory%2F1&name=a+b%E4%B8%AD&empty=&flag";
    ck_assert_int_eq(form_parse(&f, s, strlen(s)), GZ_OK);
    ck_assert_str_eq(form_get(&f, "csrf"), "abc");
    ck_assert_str_eq(form_get(&f, "fs"), "4");
    ck_assert_str_eq(form_get(&f, "back"), "/story/1");
    ck_assert_str_eq(form_get(&f, "name"), "a b中");
    ck_assert_str_eq(form_get(&f, "empty"), "");
    ck_assert_str_eq(form_get(&f, "flag"), "");
    ck_assert_ptr_null(form_get(&f, "missing"));
    form_release(&f);
}
END_TEST

START_TEST(form_rejects)
{
    static const char *const bad[] = { "a=%", "a=%4", "a=%zz", "a=%00", "a=%ff%fe", "%C0%AF=1" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct form f = { 0 };
        ck_assert_msg(form_parse(&f, bad[i], strlen(bad[i])) == GZ_EINVAL, "accepted '%s'",
                      bad[i]);
        ck_assert_uint_eq(f.n, 0);
    }
    {
        struct buf b;
        struct form f = { 0 };
        buf_init(&b, 0);
        for (int i = 0; i < FORM_FIELDS_MAX + 1; i++)
            buf_printf(&b, "f%d=1&", i);
        ck_assert_int_eq(form_parse(&f, b.data, b.len), GZ_EINVAL);
        buf_release(&b);
    }
}
END_TEST

START_TEST(ranges)
{
    uint64_t a = 0, z = 0;
    ck_assert_int_eq(range_parse(NULL, 100, &a, &z), RANGE_NONE);
    ck_assert_int_eq(range_parse("bytes=0-9", 100, &a, &z), RANGE_OK);
    ck_assert(a == 0 && z == 9);
    ck_assert_int_eq(range_parse("bytes=90-", 100, &a, &z), RANGE_OK);
    ck_assert(a == 90 && z == 99);
    ck_assert_int_eq(range_parse("bytes=-10", 100, &a, &z), RANGE_OK);
    ck_assert(a == 90 && z == 99);
    ck_assert_int_eq(range_parse("bytes=-500", 100, &a, &z), RANGE_OK);
    ck_assert(a == 0 && z == 99);
    ck_assert_int_eq(range_parse("bytes=50-5000", 100, &a, &z), RANGE_OK);
    ck_assert(a == 50 && z == 99);
    ck_assert_int_eq(range_parse("bytes=100-", 100, &a, &z), RANGE_UNSAT);
    ck_assert_int_eq(range_parse("bytes=-0", 100, &a, &z), RANGE_UNSAT);
    ck_assert_int_eq(range_parse("bytes=5-1", 100, &a, &z), RANGE_NONE);
    ck_assert_int_eq(range_parse("bytes=0-1,5-6", 100, &a, &z), RANGE_NONE);
    ck_assert_int_eq(range_parse("items=0-1", 100, &a, &z), RANGE_NONE);
    ck_assert_int_eq(range_parse("bytes=-", 100, &a, &z), RANGE_NONE);
    ck_assert_int_eq(range_parse("bytes=99999999999999999999999-", 100, &a, &z), RANGE_NONE);
}
END_TEST

START_TEST(local_paths)
{
    ck_assert_str_eq(form_local_path("/story/1"), "/story/1");
    ck_assert_str_eq(form_local_path("//evil.example"), "/");
    ck_assert_str_eq(form_local_path("/\\evil.example"), "/");
    ck_assert_str_eq(form_local_path("https://evil.example"), "/");
    ck_assert_str_eq(form_local_path("/a\r\nSet-Cookie: x=1"), "/");
    ck_assert_str_eq(form_local_path(NULL), "/");
}
END_TEST

Suite *suite_form(void)
{
    Suite *s = suite_create("form");
    TCase *tc = tcase_create("decode");
    tcase_add_test(tc, form_decoding);
    tcase_add_test(tc, form_rejects);
    tcase_add_test(tc, ranges);
    tcase_add_test(tc, local_paths);
    suite_add_tcase(s, tc);
    return s;
}
