/* test_err.c: err_set may format its own message into itself, and a message cut at the
 * 256-byte limit stays valid UTF-8 (jansson refuses anything else: a NULL that crashed). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "core/gz.h"
#include "suites.h"
#include "text/text.h"

START_TEST(err_set_reads_its_own_message)
{
    struct err e = { 0 };

    err_set(&e, GZ_EDB, "disk I/O error");
    err_set(&e, GZ_EDB, "story 7 body: %s", e.msg);
    ck_assert_str_eq(e.msg, "story 7 body: disk I/O error");
    err_set(&e, GZ_EIO, "migration '%s' failed: %s", "0006", e.msg);
    ck_assert_str_eq(e.msg, "migration '0006' failed: story 7 body: disk I/O error");
}
END_TEST

START_TEST(err_set_never_cuts_a_character)
{
    char big[1024] = "";
    struct err e = { 0 };

    for (int pad = 0; pad < 4; pad++) {
        json_t *j;
        char *text;
        size_t n = (size_t)pad;
        memset(big, 0, sizeof big);
        memset(big, 'x', n);
        for (int i = 0; i < 120; i++, n += 3)
            memcpy(big + n, "中", 3);
        err_set(&e, GZ_EINVAL, "%s", big);
        ck_assert(strlen(e.msg) <= 255);
        ck_assert(strlen(e.msg) >= 252);
        ck_assert_msg(utf8_valid(e.msg, strlen(e.msg)), "pad %d: cut inside a character", pad);
        j = json_pack("{s:s}", "error", e.msg);
        ck_assert_ptr_nonnull(j);
        text = json_dumps(j, JSON_COMPACT);
        ck_assert_ptr_nonnull(text);
        free(text);
        json_decref(j);
    }
}
END_TEST

Suite *suite_err(void)
{
    Suite *s = suite_create("err");
    TCase *tc = tcase_create("err_set");
    tcase_add_test(tc, err_set_reads_its_own_message);
    tcase_add_test(tc, err_set_never_cuts_a_character);
    suite_add_tcase(s, tc);
    return s;
}
