/* test_import.c: an import whose store write fails leaves no narration file behind. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fault.h"
#include "service/import.h"
#include "suites.h"

static char dir[64], media[96];
static struct store *st;

static void put16(FILE *f, unsigned v)
{
    fputc((int)(v & 255), f);
    fputc((int)((v >> 8) & 255), f);
}

static void put32(FILE *f, unsigned v)
{
    put16(f, v & 0xffff);
    put16(f, v >> 16);
}

/* One second of a 16 kHz tone as a WAV file. */
static void wav(const char *path)
{
    FILE *f = fopen(path, "wb");
    unsigned n = 16000;

    ck_assert_ptr_nonnull(f);
    fputs("RIFF", f);
    put32(f, 36 + n * 2);
    fputs("WAVEfmt ", f);
    put32(f, 16);
    put16(f, 1);
    put16(f, 1);
    put32(f, 16000);
    put32(f, 32000);
    put16(f, 2);
    put16(f, 16);
    fputs("data", f);
    put32(f, n * 2);
    for (unsigned i = 0; i < n; i++)
        put16(f, (unsigned)(i % 64 < 32 ? 6000 : -6000) & 0xffff);
    fclose(f);
}

static int n_files(const char *path)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static void setup(void)
{
    char w[128];
    st = fault_store_open(dir);
    snprintf(media, sizeof media, "%s/media", dir);
    ck_assert_int_eq(mkdir(media, 0755), 0);
    snprintf(w, sizeof w, "%s/en.wav", dir);
    wav(w);
}

static void teardown(void)
{
    fault_store_close(st, dir);
}

static const char bundle[] =
        "{\"gazette_bundle\":1,\"slug\":\"s\",\"section\":{\"slug\":\"x\",\"zh\":\"栏\",\"en\":"
        "\"X\"},\"published\":\"2026-11-01T08:00:00Z\",\"en\":{\"headline\":\"H\",\"body\":"
        "[\"One. Two.\"],\"narration\":{\"audio\":\"en.wav\"}}}";

START_TEST(a_failed_store_leaves_no_file)
{
    struct buf p;
    struct err err = { 0 };
    int64_t id = 0, n = -1;

    buf_init(&p, 0);
    fault_arm(FAULT_FULL, 0);
    ck_assert_int_eq(imp_story(st, bundle, sizeof bundle - 1, dir, media, 0, &id, &p, &err),
                     GZ_EFULL);
    fault_disarm();
    ck_assert_int_eq(id, 0);
    ck_assert_int_eq(n_files(media), 0);
    ck_assert_int_eq(st->ops->story_count(st, &n, &err), GZ_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(imp_story(st, bundle, sizeof bundle - 1, dir, media, 0, &id, &p, &err), GZ_OK);
    ck_assert_int_gt(id, 0);
    ck_assert_int_eq(n_files(media), 1);
    /* The same again: stored, the file kept (the story uses it). */
    ck_assert_int_eq(imp_story(st, bundle, sizeof bundle - 1, dir, media, 0, &id, &p, &err), GZ_OK);
    ck_assert_int_eq(n_files(media), 1);
    buf_release(&p);
}
END_TEST

Suite *suite_service_import(void)
{
    Suite *s = suite_create("service_import");
    TCase *tc = tcase_create("import");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, a_failed_store_leaves_no_file);
    suite_add_tcase(s, tc);
    return s;
}
