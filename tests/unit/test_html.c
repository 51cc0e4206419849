#include <string.h>

#include "render/html.h"
#include "suites.h"

static const char *esc(struct buf *b, const char *s)
{
    buf_truncate(b, 0);
    html_cstr(b, s);
    return buf_cstr(b);
}

START_TEST(text_escapes)
{
    struct buf b;
    buf_init(&b, 0);
    ck_assert_str_eq(esc(&b, "<script>alert('x')</script> & \"q\""),
                     "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;");
    ck_assert_str_eq(esc(&b, "中文 plain"), "中文 plain");
    ck_assert_str_eq(esc(&b, ""), "");
    buf_release(&b);
}
END_TEST

START_TEST(url_schemes)
{
    struct buf b;
    buf_init(&b, 0);
    ck_assert_int_eq(html_url(&b, "javascript:alert(1)"), GZ_EINVAL);
    ck_assert_str_eq(buf_cstr(&b), "#");
    buf_truncate(&b, 0);
    ck_assert_int_eq(html_url(&b, "//evil.example/x"), GZ_EINVAL);
    buf_truncate(&b, 0);
    ck_assert_int_eq(html_url(&b, "/story/1?a=1&b=\"2\""), GZ_OK);
    ck_assert_str_eq(buf_cstr(&b), "/story/1?a=1&amp;b=&quot;2&quot;");
    buf_truncate(&b, 0);
    html_urlpart(&b, "【标题】a b&c");
    ck_assert_str_eq(buf_cstr(&b), "%E3%80%90%E6%A0%87%E9%A2%98%E3%80%91a%20b%26c");
    buf_release(&b);
}
END_TEST

START_TEST(json_in_script)
{
    struct buf b;
    const char *j = "{\"a\":\"</script><!--\xe2\x80\xa8&\"}";
    buf_init(&b, 0);
    html_json(&b, j, strlen(j));
    ck_assert_str_eq(buf_cstr(&b), "{\"a\":\"\\u003c/script\\u003e\\u003c!--\\u2028\\u0026\"}");
    buf_release(&b);
}
END_TEST

/* Property: whatever bytes go in, no raw < > " ' survives html_text. */
START_TEST(escape_property)
{
    struct buf b;
    unsigned seed = 12345;
    buf_init(&b, 0);
    for (int round = 0; round < 2000; round++) {
        char in[64];
        size_t n = (size_t)(round % 63) + 1;
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            in[i] = (char)((seed >> 16) & 0xff);
        }
        buf_truncate(&b, 0);
        html_text(&b, in, n);
        ck_assert_ptr_null(memchr(b.data, '<', b.len));
        ck_assert_ptr_null(memchr(b.data, '>', b.len));
        ck_assert_ptr_null(memchr(b.data, '"', b.len));
        ck_assert_ptr_null(memchr(b.data, '\'', b.len));
    }
    buf_release(&b);
}
END_TEST

Suite *suite_html(void)
{
    Suite *s = suite_create("html");
    TCase *tc = tcase_create("escape");
    tcase_add_test(tc, text_escapes);
    tcase_add_test(tc, url_schemes);
    tcase_add_test(tc, json_in_script);
    tcase_add_test(tc, escape_property);
    suite_add_tcase(s, tc);
    return s;
}
