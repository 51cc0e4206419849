#include <string.h>

#include "suites.h"
#include "text/text.h"

/* Split s and compare with the expected pieces (NULL-terminated). */
static void expect_split(const char *s, const char *const *want)
{
    struct str out[32];
    size_t n = text_split(s, strlen(s), out, 32), k = 0;

    while (want[k])
        k++;
    ck_assert_msg(n == k, "'%s': %zu sentences, want %zu", s, n, k);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(out[i].len == strlen(want[i]) && memcmp(out[i].p, want[i], out[i].len) == 0,
                      "piece %zu is '%.*s', want '%s'", i, (int)out[i].len, out[i].p, want[i]);
}

START_TEST(split_english)
{
    expect_split("One. Two! Three? Four",
                 (const char *const[]){ "One.", "Two!", "Three?", "Four", NULL });
    expect_split("Rates rose 3.5% in the U.S. last year. Mr. Lee agreed.",
                 (const char *const[]){ "Rates rose 3.5% in the U.S. last year.", "Mr. Lee agreed.",
                                        NULL });
    expect_split("He said \"stop.\" Then he left.",
                 (const char *const[]){ "He said \"stop.\"", "Then he left.", NULL });
    expect_split("See e.g. the chart. J. Smith wrote it.",
                 (const char *const[]){ "See e.g. the chart.", "J. Smith wrote it.", NULL });
    expect_split("Wait... what? Yes.", (const char *const[]){ "Wait... what?", "Yes.", NULL });
    expect_split("   ", (const char *const[]){ NULL });
}
END_TEST

START_TEST(split_chinese)
{
    expect_split("第一句。第二句！第三句？",
                 (const char *const[]){ "第一句。", "第二句！", "第三句？", NULL });
    expect_split("他说：“我们买的是灵活性。”随后离开。",
                 (const char *const[]){ "他说：“我们买的是灵活性。”", "随后离开。", NULL });
    expect_split("增长3.5%。真的吗?是的。",
                 (const char *const[]){ "增长3.5%。", "真的吗?", "是的。", NULL });
    expect_split("Mixed 中文 text. 然后中文。",
                 (const char *const[]){ "Mixed 中文 text.", "然后中文。", NULL });
}
END_TEST

START_TEST(utf8_checks)
{
    ck_assert(utf8_valid("abc", 3));
    ck_assert(utf8_valid("中文", strlen("中文")));
    ck_assert(utf8_valid("\xf0\x9f\x98\x80", 4));     /* emoji */
    ck_assert(!utf8_valid("\xc0\xaf", 2));            /* overlong '/' */
    ck_assert(!utf8_valid("\xed\xa0\x80", 3));        /* surrogate */
    ck_assert(!utf8_valid("\xe4\xb8", 2));            /* truncated */
    ck_assert(!utf8_valid("\xff", 1));
    ck_assert(!utf8_valid("\xf4\x90\x80\x80", 4));    /* past U+10FFFF */
    ck_assert_uint_eq(utf8_len("中文ab", strlen("中文ab")), 4);
    ck_assert(text_has_control("a\x01", 2));
    ck_assert(!text_has_control("a\tb\n", 4));
}
END_TEST

START_TEST(join_space)
{
    ck_assert_int_eq(text_join_space("第一句。", "第二句！"), 0);
    ck_assert_int_eq(text_join_space("他说：“我们买的是灵活性。”", "随后离开。"), 0);
    ck_assert_int_eq(text_join_space("真的吗?", "是的。"), 0);
    ck_assert_int_eq(text_join_space("增长3.5%。", "GDP rose."), 0);
    ck_assert_int_eq(text_join_space("It rose.", "Then it fell."), 1);
    ck_assert_int_eq(text_join_space("He said \"yes.\"", "Then left."), 1);
    ck_assert_int_eq(text_join_space("Mixed 中文 text.", "然后中文。"), 0);
    ck_assert_int_eq(text_join_space("", "x"), 0);
}
END_TEST

START_TEST(break_joins)
{
    ck_assert_int_eq(text_break_joins("第一句，", 12, "第二句", 9), 1);
    ck_assert_int_eq(text_break_joins("中文", 6, "文", 3), 1);
    ck_assert_int_eq(text_break_joins("中文", 6, "GDP", 3), 0);
    ck_assert_int_eq(text_break_joins("GDP", 3, "中文", 6), 0);
    ck_assert_int_eq(text_break_joins("It rose", 7, "fast", 4), 0);
    ck_assert_int_eq(text_break_joins("한국어", 9, "문장", 6), 0); /* Hangul keeps its spaces */
    ck_assert_int_eq(text_break_joins("", 0, "中", 3), 0);
    ck_assert_int_eq(text_break_joins("中", 3, "", 0), 0);
}
END_TEST

static void expect_device(const char *ua, const char *browser, const char *os)
{
    const char *b, *o;
    text_device(ua, &b, &o);
    if (browser)
        ck_assert_str_eq(b, browser);
    else
        ck_assert_ptr_null(b);
    if (os)
        ck_assert_str_eq(o, os);
    else
        ck_assert_ptr_null(o);
}

START_TEST(device_names)
{
    expect_device("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Safari/537.36", "Chrome", "Linux");
    expect_device("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 "
                  "(KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1", "Safari", "iPhone");
    expect_device("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91", "Edge", "Windows");
    expect_device("Mozilla/5.0 (Macintosh; Intel Mac OS X 14.1; rv:121.0) Gecko/20100101 "
                  "Firefox/121.0", "Firefox", "macOS");
    expect_device("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                  "Chrome/120.0 Mobile Safari/537.36 MicroMessenger/8.0.44", "WeChat", "Android");
    expect_device("curl/7.88.1", "curl", NULL);
    expect_device("something odd", NULL, NULL);
    expect_device(NULL, NULL, NULL);
}
END_TEST

Suite *suite_text(void)
{
    Suite *s = suite_create("text");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, split_english);
    tcase_add_test(tc, split_chinese);
    tcase_add_test(tc, utf8_checks);
    tcase_add_test(tc, join_space);
    tcase_add_test(tc, break_joins);
    tcase_add_test(tc, device_names);
    suite_add_tcase(s, tc);
    return s;
}
