#include <string.h>

#include "auth/auth.h"
#include "suites.h"

START_TEST(phones)
{
    static const char *const good[][2] = {
        { "13812345678", "+8613812345678" },     { "+86 138 1234 5678", "+8613812345678" },
        { "+86-199-0000-1111", "+8619900001111" }, { "008613912345678", "+8613912345678" },
        { "8615012345678", "+8615012345678" },   { " (139) 0000 1111", "+8613900001111" },
    };
    static const char *const bad[] = { "", "1381234567", "138123456789", "12812345678",
                                       "23812345678", "+86 12812345678", "abc", "1381234567x",
                                       "+86", "+8613812345678901234567890" };
    static const char *const foreign[] = { "+1 415 555 0100", "+44 7700 900123", "0044770090012",
                                           "+852 9123 4567" };
    char out[AUTH_PHONE_MAX];

    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        ck_assert_msg(auth_phone_parse(good[i][0], out) == AUTH_OK, "'%s'", good[i][0]);
        ck_assert_str_eq(out, good[i][1]);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(auth_phone_parse(bad[i], out) == AUTH_PHONE_BAD, "'%s'", bad[i]);
    for (size_t i = 0; i < sizeof foreign / sizeof foreign[0]; i++)
        ck_assert_msg(auth_phone_parse(foreign[i], out) == AUTH_PHONE_FOREIGN, "'%s'", foreign[i]);
}
END_TEST

START_TEST(emails_and_usernames)
{
    ck_assert_int_eq(auth_email_check("a@b.cn"), AUTH_OK);
    ck_assert_int_eq(auth_email_check("first.last+tag@example.co.uk"), AUTH_OK);
    static const char *const bad[] = { "", "a", "a@b", "@b.cn", "a@.cn", "a@b.", "a@@b.cn",
                                       "a b@c.cn", "a@b..cn", "<a>@b.cn", "a@b_c.cn" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ck_assert_msg(auth_email_check(bad[i]) == AUTH_EMAIL_BAD, "'%s'", bad[i]);
    ck_assert_int_eq(auth_username_check("alice_01"), AUTH_OK);
    ck_assert_int_eq(auth_username_check("王小明"), AUTH_OK);
    ck_assert_int_eq(auth_username_check("ab"), AUTH_USERNAME_BAD);
    ck_assert_int_eq(auth_username_check("a@b.cn"), AUTH_USERNAME_BAD);
    ck_assert_int_eq(auth_username_check("bad name"), AUTH_USERNAME_BAD);
    ck_assert_int_eq(auth_username_check("<script>"), AUTH_USERNAME_BAD);
    ck_assert_int_eq(auth_username_check("abcdefghijabcdefghijabcdefghijabc"), AUTH_USERNAME_BAD);
}
END_TEST

START_TEST(passwords)
{
    char h[AUTH_HASH_MAX];
    ck_assert_int_eq(auth_password_check("short", NULL, NULL), AUTH_PW_SHORT);
    ck_assert_int_eq(auth_password_check("password123", NULL, NULL), AUTH_PW_COMMON);
    ck_assert_int_eq(auth_password_check("QWERTY123", NULL, NULL), AUTH_PW_COMMON);
    ck_assert_int_eq(auth_password_check("alice_long_name", "alice_long_name", NULL), AUTH_PW_LIKE_NAME);
    ck_assert_int_eq(auth_password_check("bob.smith", NULL, "bob.smith@example.com"), AUTH_PW_LIKE_NAME);
    ck_assert_int_eq(auth_password_check("correct horse battery", "alice", "a@b.cn"), AUTH_OK);
    ck_assert_int_eq(auth_password_check("密码密码密码密码", NULL, NULL), AUTH_OK); /* 8 characters */
    {
        char longpw[130];
        memset(longpw, 'x', 129);
        longpw[129] = '\0';
        ck_assert_int_eq(auth_password_check(longpw, NULL, NULL), AUTH_PW_LONG);
    }
    ck_assert_int_eq(auth_password_hash("correct horse battery", h), GZ_OK);
    ck_assert(strncmp(h, "$argon2id$v=19$m=19456,t=2,p=1$", 31) == 0);
    ck_assert(auth_password_verify(h, "correct horse battery"));
    ck_assert(!auth_password_verify(h, "correct horse batterY"));
    ck_assert(!auth_password_verify(NULL, "anything"));
}
END_TEST

START_TEST(tokens_codes_backoff)
{
    char a[AUTH_TOKEN_LEN + 1], b[AUTH_TOKEN_LEN + 1], code[7];
    unsigned char d1[AUTH_DIGEST_LEN], d2[AUTH_DIGEST_LEN];
    auth_token_new(a);
    auth_token_new(b);
    ck_assert_uint_eq(strlen(a), AUTH_TOKEN_LEN);
    ck_assert_str_ne(a, b);
    ck_assert_uint_eq(strspn(a, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), AUTH_TOKEN_LEN);
    auth_digest(a, d1);
    auth_digest(a, d2);
    ck_assert(memcmp(d1, d2, sizeof d1) == 0);
    for (int i = 0; i < 100; i++) {
        auth_code_new(code);
        ck_assert_uint_eq(strlen(code), 6);
        ck_assert_uint_eq(strspn(code, "0123456789"), 6);
    }
    ck_assert_int_eq(auth_backoff(4), 0);
    ck_assert_int_eq(auth_backoff(5), 2);
    ck_assert_int_eq(auth_backoff(6), 4);
    ck_assert_int_eq(auth_backoff(10), 64);
    ck_assert_int_eq(auth_backoff(14), 900);
    ck_assert_int_eq(auth_backoff(1000), 900);
    ck_assert(auth_equal("abc", "abc"));
    ck_assert(!auth_equal("abc", "abd"));
    ck_assert(!auth_equal("abc", "abcd"));
}
END_TEST

Suite *suite_auth(void)
{
    Suite *s = suite_create("auth");
    TCase *tc = tcase_create("rules");
    tcase_set_timeout(tc, 20);
    tcase_add_test(tc, phones);
    tcase_add_test(tc, emails_and_usernames);
    tcase_add_test(tc, passwords);
    tcase_add_test(tc, tokens_codes_backoff);
    suite_add_tcase(s, tc);
    return s;
}
