/* The settings file parser: names, values, quotes, comments, and errors with file:line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/config.h"
#include "suites.h"

struct seen {
    struct buf log;
    int fail_on; /* the call number whose set() fails, 0 for none */
    int calls;
};

static int record(void *ctx, const char *name, const char *value, struct err *err)
{
    struct seen *s = ctx;
    if (++s->calls == s->fail_on)
        return err_set(err, GZ_EINVAL, "%s: refused '%s'", name, value);
    buf_printf(&s->log, "[%s]=[%s]\n", name, value);
    return GZ_OK;
}

static char *write_tmp(const char *text, size_t n)
{
    char *path = xstrdup("/tmp/gz-conf-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

static int load(const char *text, size_t n, struct seen *s, struct err *err)
{
    char *path = write_tmp(text, n);
    int rc = config_load(path, record, s, err);
    unlink(path);
    free(path);
    return rc;
}

START_TEST(parses_settings)
{
    static const char text[] = "# comment\n\n  listen = 127.0.0.1:80  \r\n"
                               "base-url=\"https://x.example/a b\"\n\tno-demo = true\n"
                               "empty =\nlast = no newline";
    struct seen s = { .fail_on = 0 };
    struct err err = { 0 };

    buf_init(&s.log, 0);
    ck_assert_int_eq(load(text, sizeof text - 1, &s, &err), GZ_OK);
    ck_assert_str_eq(buf_cstr(&s.log),
                     "[listen]=[127.0.0.1:80]\n[base-url]=[https://x.example/a b]\n"
                     "[no-demo]=[true]\n[empty]=[]\n[last]=[no newline]\n");
    buf_release(&s.log);
}
END_TEST

START_TEST(errors_name_file_and_line)
{
    static const struct {
        const char *text, *want;
        int fail_on;
    } cases[] = {
        { "a = 1\nno equals sign\n", ":2: expected 'name = value'", 0 },
        { "a = 1\n\nb = 2\n", ":3: b: refused '2'", 2 },
        { "Bad_Name = 1\n", ":1: bad setting name 'Bad_Name'", 0 },
        { " = 1\n", ":1: bad setting name ''", 0 },
        { "a = \"open\n", ":1: unbalanced quote in the value of 'a'", 0 },
        { "a = close\"\n", ":1: unbalanced quote in the value of 'a'", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct seen s = { .fail_on = cases[i].fail_on };
        struct err err = { 0 };
        buf_init(&s.log, 0);
        ck_assert_int_eq(load(cases[i].text, strlen(cases[i].text), &s, &err), GZ_EINVAL);
        ck_assert_msg(strstr(err.msg, "/tmp/gz-conf-") && strstr(err.msg, cases[i].want),
                      "case %zu: '%s'", i, err.msg);
        buf_release(&s.log);
    }
    {
        struct seen s = { .fail_on = 0 };
        struct err err = { 0 };
        buf_init(&s.log, 0);
        ck_assert_int_eq(load("a = 1\n\0b = 2\n", 12, &s, &err), GZ_EINVAL);
        ck_assert_ptr_nonnull(strstr(err.msg, "not a text file"));
        ck_assert_int_eq(config_load("/nonexistent/gazette.conf", record, &s, &err), GZ_EIO);
        ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent/gazette.conf"));
        ck_assert_int_eq(load("", 0, &s, &err), GZ_OK); /* an empty file is no settings */
        ck_assert_int_eq(s.calls, 0);
        buf_release(&s.log);
    }
}
END_TEST

START_TEST(booleans)
{
    ck_assert_int_eq(config_bool("true"), 1);
    ck_assert_int_eq(config_bool("on"), 1);
    ck_assert_int_eq(config_bool("0"), 0);
    ck_assert_int_eq(config_bool("no"), 0);
    ck_assert_int_eq(config_bool("True"), -1);
    ck_assert_int_eq(config_bool(""), -1);
}
END_TEST

Suite *suite_config(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, parses_settings);
    tcase_add_test(tc, errors_name_file_and_line);
    tcase_add_test(tc, booleans);
    suite_add_tcase(s, tc);
    return s;
}
