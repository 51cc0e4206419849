/* image: decode-checked, metadata-stripped, resized pictures (libvips). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vips/vips.h>

#include "image/image.h"
#include "suites.h"

static char dir[] = "/tmp/gz-img-XXXXXX";

static void setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
    memcpy(dir + strlen(dir) - 6, "XXXXXX", 6);
}

/* A w×h JPEG holding an EXIF description "SECRET-GPS" (metadata that must not survive). */
static void make_jpeg(const char *path, int w, int h)
{
    VipsImage *x = NULL, *rgb = NULL, *u8 = NULL;
    ck_assert_int_eq(vips_xyz(&x, w, h, NULL), 0);
    ck_assert_int_eq(vips_bandjoin_const1(x, &rgb, 128.0, NULL), 0);
    ck_assert_int_eq(vips_cast_uchar(rgb, &u8, NULL), 0);
    vips_image_set_string(u8, "exif-ifd0-ImageDescription", "SECRET-GPS");
    ck_assert_int_eq(vips_jpegsave(u8, path, NULL), 0);
    g_object_unref(u8);
    g_object_unref(rgb);
    g_object_unref(x);
}

static int file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    static char data[1 << 20];
    size_t n;
    ck_assert_ptr_nonnull(f);
    n = fread(data, 1, sizeof data, f);
    fclose(f);
    for (size_t i = 0, k = strlen(needle); i + k <= n; i++)
        if (memcmp(data + i, needle, k) == 0)
            return 1;
    return 0;
}

START_TEST(image_sizes_and_strip)
{
    char in[256], stem[256], p[512];
    struct image_size sz[4];
    struct err err = { 0 };
    int n;

    snprintf(in, sizeof in, "%s/in.jpg", dir);
    snprintf(stem, sizeof stem, "%s/pic", dir);
    make_jpeg(in, 1200, 600);
    ck_assert(file_has(in, "SECRET-GPS")); /* the test input does carry it */
    n = image_process(in, stem, sz, 4, &err);
    ck_assert_msg(n == 3, "%d %s", n, err.msg);
    ck_assert_int_eq(sz[0].width, 480);
    ck_assert_int_eq(sz[0].height, 240);
    ck_assert_int_eq(sz[1].width, 960);
    ck_assert_int_eq(sz[2].width, 1200); /* never upscaled to 1600 */
    for (int i = 0; i < n; i++) {
        snprintf(p, sizeof p, "%s-%dx%d.webp", stem, sz[i].width, sz[i].height);
        ck_assert_int_eq(access(p, R_OK), 0);
        ck_assert(!file_has(p, "SECRET-GPS"));
        snprintf(p, sizeof p, "%s-%dx%d.jpg", stem, sz[i].width, sz[i].height);
        ck_assert_int_eq(access(p, R_OK), 0);
        ck_assert(!file_has(p, "SECRET-GPS"));
    }
}
END_TEST

START_TEST(image_refuses_bad_files)
{
    char in[256], stem[256], cmd[600];
    struct image_size sz[4];
    struct err err = { 0 };
    FILE *f;
    long len;
    char *buf;

    snprintf(in, sizeof in, "%s/in.jpg", dir);
    snprintf(stem, sizeof stem, "%s/pic", dir);
    /* Not a picture at all, whatever its name says. */
    f = fopen(in, "w");
    fputs("<svg xmlns='http://www.w3.org/2000/svg'/>", f);
    fclose(f);
    ck_assert_int_eq(image_process(in, stem, sz, 4, &err), GZ_EINVAL);
    ck_assert_str_eq(err.msg, "this is not a JPEG, PNG or WebP picture");
    /* A JPEG cut in half: refused, nothing written. */
    make_jpeg(in, 800, 800);
    f = fopen(in, "rb");
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    rewind(f);
    buf = malloc((size_t)len);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    f = fopen(in, "wb");
    fwrite(buf, 1, (size_t)len / 2, f);
    fclose(f);
    free(buf);
    ck_assert_int_eq(image_process(in, stem, sz, 4, &err), GZ_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.msg, "damaged"));
    snprintf(cmd, sizeof cmd, "ls '%s' | grep -c pic- >/dev/null", dir);
    ck_assert_int_ne(system(cmd), 0); /* no pic-* file */
}
END_TEST

Suite *suite_image(void)
{
    Suite *s = suite_create("image");
    TCase *tc = tcase_create("image");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, image_sizes_and_strip);
    tcase_add_test(tc, image_refuses_bad_files);
    suite_add_tcase(s, tc);
    return s;
}
