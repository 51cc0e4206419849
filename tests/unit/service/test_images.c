/*
 * test_images.c: a newsroom picture upload (service/newsroom.c, nr_image_add) is its files
 * and its database row together or neither: decoded first, files renamed into media/img/ only
 * when whole, the row committed after, the files removed again when any step fails. Against
 * the failing store (fault.h) and real libvips.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <vips/vips.h>

#include "fault.h"
#include "model/bundle.h"
#include "service/newsroom.h"
#include "suites.h"

static char dir[64];
static char media[128];
static struct store *st;
static int64_t story_id;

static void make_jpeg(const char *path, int w, int h)
{
    VipsImage *x = NULL, *rgb = NULL, *u8 = NULL;
    ck_assert_int_eq(vips_xyz(&x, w, h, NULL), 0);
    ck_assert_int_eq(vips_bandjoin_const1(x, &rgb, 90.0, NULL), 0);
    ck_assert_int_eq(vips_cast_uchar(rgb, &u8, NULL), 0);
    ck_assert_int_eq(vips_jpegsave(u8, path, NULL), 0);
    g_object_unref(u8);
    g_object_unref(rgb);
    g_object_unref(x);
}

static void setup(void)
{
    static const char j[] =
            "{\"gazette_bundle\":1,\"slug\":\"p\",\"section\":{\"slug\":\"x\",\"zh\":\"栏\","
            "\"en\":\"X\"},\"published\":\"2026-11-01T08:00:00Z\",\"en\":{\"headline\":\"H\","
            "\"body\":[\"One. Two.\"]}}";
    struct bundle_opts o = { NULL, "/nonexistent", 1 };
    struct story *s = NULL;
    struct err err = { 0 };
    const int none[LANG_COUNT] = { 0 };
    int64_t ver = 0;
    struct buf p;

    st = fault_store_open(dir);
    snprintf(media, sizeof media, "%s/media", dir);
    ck_assert_int_eq(mkdir(media, 0755), 0);
    buf_init(&p, 0);
    ck_assert_msg(bundle_load(j, sizeof j - 1, &o, &s, &p) == GZ_OK, "%s", buf_cstr(&p));
    buf_release(&p);
    s->status = STORY_DRAFT;
    ck_assert_int_eq(nr_save(st, s, none, &story_id, &ver, &err), GZ_OK);
    story_free(s);
}

static void teardown(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", media);
    ck_assert_int_eq(system(cmd), 0);
    fault_store_close(st, dir);
}

/* Files in folder d (0 when it does not exist); hidden ones counted separately. */
static int files_in(const char *d, int *hidden)
{
    DIR *dd = opendir(d);
    struct dirent *e;
    int n = 0;

    if (hidden)
        *hidden = 0;
    if (!dd)
        return 0;
    while ((e = readdir(dd)))
        if (e->d_name[0] != '.')
            n++;
        else if (hidden && strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            (*hidden)++;
    closedir(dd);
    return n;
}

static int img_files(void)
{
    char d[160];
    snprintf(d, sizeof d, "%s/img", media);
    return files_in(d, NULL);
}

/* The name a picture file must get: the first 10 bytes of its BLAKE2b-128, in hex. */
static void expected_name(const char *path, char out[NR_IMAGE_NAME_LEN + 1])
{
    static unsigned char data[4 << 20];
    unsigned char d[16];
    FILE *fp = fopen(path, "rb");
    size_t n;

    ck_assert_ptr_nonnull(fp);
    n = fread(data, 1, sizeof data, fp);
    fclose(fp);
    ck_assert_int_eq(crypto_generichash(d, sizeof d, data, n, NULL, 0), 0);
    sodium_bin2hex(out, NR_IMAGE_NAME_LEN + 1, d, NR_IMAGE_NAME_LEN / 2);
}

static struct story *stored(void)
{
    struct story *s = NULL;
    struct err err = { 0 };
    ck_assert_int_eq(st->ops->story_get(st, story_id, &s, &err), GZ_OK);
    return s;
}

START_TEST(picture_files_and_row_together)
{
    char in[160], f[256];
    struct nr_image im;
    struct err err = { 0 };
    struct story *s;
    int hidden;

    snprintf(in, sizeof in, "%s/.upload-test", media);
    make_jpeg(in, 1200, 600);
    ck_assert_int_eq(nr_image_add(st, media, story_id, in, "A quay", "Cranes at dawn", 1, &im, &err),
                     GZ_OK);
    expected_name(in, f);
    ck_assert_str_eq(im.name, f); /* the content hash: the same bytes, the same name */
    ck_assert_str_eq(im.sizes, "480x240,960x480,1200x600");
    ck_assert_int_eq(im.width, 1200);
    ck_assert_int_eq(img_files(), 6); /* three sizes, WebP and JPEG */
    snprintf(f, sizeof f, "%s/img/%s-960x480.webp", media, im.name);
    ck_assert_int_eq(access(f, R_OK), 0);
    ck_assert_int_eq(files_in(media, &hidden), 1); /* img/ */
    ck_assert_int_eq(hidden, 1); /* only the test's own upload: no temporary left */
    s = stored();
    ck_assert_uint_eq(s->n_image, 1);
    ck_assert_str_eq(s->image[0].name, im.name);
    ck_assert_str_eq(s->image[0].caption, "Cranes at dawn");
    ck_assert_ptr_nonnull(s->lead.name);
    ck_assert_str_eq(s->lead.name, im.name);
    story_free(s);
    /* Lead: unknown pictures are refused, "" clears. */
    ck_assert_int_eq(nr_image_lead(st, story_id, "00000000000000000000", &err), GZ_ENOTFOUND);
    ck_assert_int_eq(nr_image_lead(st, story_id, "", &err), GZ_OK);
    s = stored();
    ck_assert_ptr_null(s->lead.name);
    story_free(s);
}
END_TEST

START_TEST(not_a_picture_leaves_nothing)
{
    char in[160];
    struct nr_image im;
    struct err err = { 0 };
    struct story *s;
    FILE *fp;
    int hidden;

    snprintf(in, sizeof in, "%s/.upload-test", media);
    fp = fopen(in, "w");
    ck_assert_ptr_nonnull(fp);
    fputs("<html>not a picture</html>", fp);
    fclose(fp);
    ck_assert_int_eq(nr_image_add(st, media, story_id, in, "", "", 0, &im, &err), GZ_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "not a JPEG, PNG or WebP"));
    /* A real JPEG cut in half: refused as damaged, nothing written. */
    make_jpeg(in, 800, 400);
    ck_assert_int_eq(truncate(in, 2000), 0);
    ck_assert_int_eq(nr_image_add(st, media, story_id, in, "", "", 0, &im, &err), GZ_EINVAL);
    ck_assert_int_eq(img_files(), 0);
    ck_assert_int_eq(files_in(media, &hidden), 1); /* img/ */
    ck_assert_int_eq(hidden, 1);
    s = stored();
    ck_assert_uint_eq(s->n_image, 0);
    story_free(s);
}
END_TEST

START_TEST(fails_cleanly_at_every_step)
{
    char in[160];
    struct nr_image im;
    struct err err = { 0 };
    struct story *s;
    int n, hidden;

    snprintf(in, sizeof in, "%s/.upload-test", media);
    make_jpeg(in, 700, 500);
    for (n = 0; n < 10; n++) {
        int rc;
        fault_calls(st, n, n % 2 ? GZ_EBUSY : GZ_EFULL);
        rc = nr_image_add(st, media, story_id, in, "alt", "", 1, &im, &err);
        fault_calls(st, -1, 0);
        if (rc == GZ_OK)
            break;
        ck_assert_int_eq(rc, n % 2 ? GZ_EBUSY : GZ_EFULL);
        ck_assert_msg(img_files() == 0, "step %d left %d files", n, img_files());
        s = stored();
        ck_assert_msg(s->n_image == 0 && !s->lead.name, "step %d left a row", n);
        story_free(s);
    }
    ck_assert_int_eq(n, 3); /* image_put, story_set_lead, commit */
    ck_assert_int_eq(img_files(), 4); /* 480 and 700 wide */
    ck_assert_int_eq(files_in(media, &hidden), 1); /* img/ */
    ck_assert_int_eq(hidden, 1);
}
END_TEST

START_TEST(a_full_disk_at_commit_keeps_nothing_new)
{
    char in[160];
    struct nr_image im, again;
    struct err err = { 0 };
    struct story *s;

    snprintf(in, sizeof in, "%s/.upload-test", media);
    make_jpeg(in, 640, 480);
    fault_arm(FAULT_FULL, 0); /* the database cannot grow: the commit fails */
    ck_assert_int_eq(nr_image_add(st, media, story_id, in, "", "", 0, &im, &err), GZ_EFULL);
    ck_assert_int_gt(fault_hits(), 0);
    fault_disarm();
    ck_assert_int_eq(img_files(), 0);
    /* Stored once; the same picture again, failing, must not remove the live files. */
    ck_assert_int_eq(nr_image_add(st, media, story_id, in, "", "", 0, &im, &err), GZ_OK);
    ck_assert_int_eq(img_files(), 4);
    fault_calls(st, 0, GZ_EFULL);
    ck_assert_int_eq(nr_image_add(st, media, story_id, in, "x", "", 0, &again, &err), GZ_EFULL);
    fault_calls(st, -1, 0);
    ck_assert_int_eq(img_files(), 4);
    s = stored();
    ck_assert_uint_eq(s->n_image, 1);
    ck_assert_str_eq(s->image[0].alt, "");
    story_free(s);
}
END_TEST

Suite *suite_service_images(void)
{
    Suite *s = suite_create("service_images");
    TCase *tc = tcase_create("flows");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, picture_files_and_row_together);
    tcase_add_test(tc, not_a_picture_leaves_nothing);
    tcase_add_test(tc, fails_cleanly_at_every_step);
    tcase_add_test(tc, a_full_disk_at_commit_keeps_nothing_new);
    suite_add_tcase(s, tc);
    return s;
}
