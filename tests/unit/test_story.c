#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/story.h"
#include "suites.h"

static const char page_json[] =
        "{\"text\":[[{\"start\":10.4,\"text\":\"First sentence.\"},{\"start\":14.85,\"text\":"
        "\"Second \\\"quoted\\\" one.\"}],[{\"start\":null,\"text\":\"Not narrated.\"}],"
        "[{\"start\":20.55,\"text\":\"中文句子。\"}],[{\"start\":276.75,\"text\":\"\"}]],"
        "\"url\":\"/media/a.mp3\"}";

START_TEST(transcript_round_trip)
{
    struct transcript t;
    struct err err = { 0 };
    struct buf b;

    ck_assert_int_eq(transcript_parse(page_json, strlen(page_json), &t, &err), GZ_OK);
    ck_assert_uint_eq(t.n_para, 3);
    ck_assert_uint_eq(t.para[0].n_sent, 2);
    ck_assert(isnan(t.para[1].sent[0].start));
    ck_assert_double_eq_tol(t.end, 276.75, 1e-9);
    ck_assert_uint_eq(transcript_n_spoken(&t), 3);
    buf_init(&b, 0);
    transcript_json(&b, &t, "/media/a.mp3");
    ck_assert_str_eq(buf_cstr(&b), page_json);
    buf_release(&b);
    transcript_release(&t);
}
END_TEST

START_TEST(transcript_rejects)
{
    static const char *const bad[] = {
        "", "[", "{\"text\":5}", "[[1]]", "[[{\"start\":1}]]", "[[{\"start\":-1,\"text\":\"a\"}]]",
        "[[{\"start\":\"1\",\"text\":\"a\"}]]", "{\"text\":[[{\"text\":\"a\",\"text\":\"b\"}]]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct transcript t;
        struct err err = { 0 };
        ck_assert_msg(transcript_parse(bad[i], strlen(bad[i]), &t, &err) == GZ_EINVAL,
                      "accepted '%s'", bad[i]);
        ck_assert(err.msg[0] != '\0');
    }
}
END_TEST

START_TEST(vtt_cues)
{
    struct transcript t;
    struct err err = { 0 };
    struct buf b;

    ck_assert_int_eq(transcript_parse(page_json, strlen(page_json), &t, &err), GZ_OK);
    buf_init(&b, 0);
    transcript_vtt(&b, &t);
    ck_assert_str_eq(buf_cstr(&b), "WEBVTT\n\n1\n00:00:10.400 --> 00:00:14.850\nFirst sentence.\n"
                                   "\n2\n00:00:14.850 --> 00:00:20.550\nSecond \"quoted\" one.\n"
                                   "\n3\n00:00:20.550 --> 00:04:36.750\n中文句子。\n");
    buf_release(&b);
    transcript_release(&t);
}
END_TEST

START_TEST(json_string_escapes)
{
    struct buf b;
    const char *s = "a\"b\\c\n\x01</x>\xe2\x80\xa8";
    buf_init(&b, 0);
    json_str(&b, s, strlen(s));
    ck_assert_str_eq(buf_cstr(&b), "\"a\\\"b\\\\c\\n\\u0001<\\/x>\\u2028\"");
    buf_release(&b);
}
END_TEST

START_TEST(seconds_format)
{
    struct buf b;
    buf_init(&b, 0);
    buf_seconds(&b, 10.4);
    buf_putc(&b, ' ');
    buf_seconds(&b, 41.650000000000006);
    buf_putc(&b, ' ');
    buf_seconds(&b, 0);
    buf_putc(&b, ' ');
    buf_seconds(&b, 276.7499);
    ck_assert_str_eq(buf_cstr(&b), "10.4 41.65 0 276.75");
    buf_release(&b);
}
END_TEST

/* The hand-built integers and hex against what printf writes for the same values. */
START_TEST(int_and_hex_as_printf)
{
    const long long v[] = { 0, 7, -1, 10, 123456789, -9876543210LL, LLONG_MAX, LLONG_MIN };
    char want[64], got[32];
    struct buf b;

    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        buf_init(&b, 0);
        buf_put_int(&b, v[i]);
        snprintf(want, sizeof want, "%lld", v[i]);
        ck_assert_str_eq(buf_cstr(&b), want);
        buf_release(&b);
    }
    *hex_put(got, 0xa102f48de53e5d22ULL, 16) = '\0';
    ck_assert_str_eq(got, "a102f48de53e5d22");
    *hex_put(got, 0x1234abcdULL, 8) = '\0';
    ck_assert_str_eq(got, "1234abcd");
    *hex_put(hex_put(got, 0xffffffff0000000fULL, 8), 0, 8) = '\0'; /* low 32 bits only */
    ck_assert_str_eq(got, "0000000f00000000");
}
END_TEST

Suite *suite_story(void)
{
    Suite *s = suite_create("story");
    TCase *tc = tcase_create("transcript");
    tcase_add_test(tc, transcript_round_trip);
    tcase_add_test(tc, transcript_rejects);
    tcase_add_test(tc, vtt_cues);
    tcase_add_test(tc, json_string_escapes);
    tcase_add_test(tc, seconds_format);
    tcase_add_test(tc, int_and_hex_as_printf);
    suite_add_tcase(s, tc);
    return s;
}
