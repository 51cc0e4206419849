#include "image/image.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <vips/vips.h>

static const int widths[] = { 480, 960, 1600 };
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_failed;

static void init(void)
{
    init_failed = VIPS_INIT("gazette") != 0;
    if (!init_failed)
        vips_cache_set_max(0); /* each picture is used once */
}

/* The loaders we accept, by the name libvips finds from the file's bytes. */
static int loader_ok(const char *loader)
{
    static const char *const ok[] = { "VipsForeignLoadJpeg", "VipsForeignLoadPng",
                                      "VipsForeignLoadWebp" };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strncmp(loader, ok[i], strlen(ok[i])) == 0)
            return 1;
    return 0;
}

static void names(char *webp, char *jpg, size_t cap, const char *stem, int w, int h)
{
    snprintf(webp, cap, "%s-%dx%d.webp", stem, w, h);
    snprintf(jpg, cap, "%s-%dx%d.jpg", stem, w, h);
}

/* Drop EXIF (camera, GPS), XMP and IPTC from im's header. The savers' own "strip" is asked for
 * too, but libvips 8.14's WebP saver still rebuilds EXIF from the exif-* fields. */
static void strip_meta(VipsImage *im)
{
    gchar **f = vips_image_get_fields(im);
    for (size_t i = 0; f && f[i]; i++)
        if (strncmp(f[i], "exif-", 5) == 0 || strcmp(f[i], VIPS_META_XMP_NAME) == 0 ||
            strcmp(f[i], VIPS_META_IPTC_NAME) == 0 || strcmp(f[i], VIPS_META_IMAGEDESCRIPTION) == 0)
            vips_image_remove(im, f[i]);
    g_strfreev(f);
}

/* Write one size, made from src (the original or a larger size); GZ_OK or GZ_EIO. OUT: *made,
 * the resized image (the caller unrefs it), so the next smaller size can start from it. */
static int write_size(VipsImage *src, int w, const char *stem, struct image_size *sz,
                      VipsImage **made, struct err *err)
{
    VipsImage *t = NULL, *flat = NULL;
    VipsArrayDouble *white = NULL;
    char webp[4096], jpg[4096];
    int rc = GZ_EIO;

    *made = NULL;
    webp[0] = jpg[0] = '\0';
    if (vips_thumbnail_image(src, &t, w, "size", VIPS_SIZE_DOWN, NULL) != 0)
        goto out;
    /* Kept in memory: the next size reads it several times. */
    *made = vips_image_copy_memory(t);
    if (!*made)
        goto out;
    g_object_unref(t);
    t = *made;
    g_object_ref(t);
    strip_meta(t);
    sz->width = vips_image_get_width(t);
    sz->height = vips_image_get_height(t);
    names(webp, jpg, sizeof webp, stem, sz->width, sz->height);
    if (vips_webpsave(t, webp, "strip", TRUE, "Q", 80, NULL) != 0)
        goto out;
    if (vips_image_hasalpha(t)) {
        white = vips_array_double_newv(1, 255.0);
        if (vips_flatten(t, &flat, "background", white, NULL) != 0)
            goto out;
    }
    if (vips_jpegsave(flat ? flat : t, jpg, "strip", TRUE, "Q", 82, "interlace", TRUE, NULL) != 0)
        goto out;
    rc = GZ_OK;
out:
    if (rc != GZ_OK) {
        err_set(err, GZ_EIO, "cannot write the picture: %s", vips_error_buffer());
        vips_error_clear();
        if (webp[0])
            unlink(webp);
        if (jpg[0])
            unlink(jpg);
        if (*made)
            g_object_unref(*made);
        *made = NULL;
    }
    if (white)
        vips_area_unref(VIPS_AREA(white));
    if (flat)
        g_object_unref(flat);
    if (t)
        g_object_unref(t);
    return rc;
}

int image_process(const char *path, const char *out_stem, struct image_size *out, size_t cap,
                  struct err *err)
{
    VipsImage *im = NULL, *mem = NULL;
    const char *loader;
    int n = 0, w0, rc = GZ_EINVAL;
    int todo[IMAGE_N_WIDTHS + 1], n_todo = 0;

    pthread_once(&once, init);
    if (init_failed)
        return err_set(err, GZ_EIO, "the picture library did not start");
    loader = vips_foreign_find_load(path);
    if (!loader || !loader_ok(loader)) {
        vips_error_clear();
        return err_set(err, GZ_EINVAL, "this is not a JPEG, PNG or WebP picture");
    }
    im = vips_image_new_from_file(path, "fail_on", VIPS_FAIL_ON_ERROR, NULL);
    if (!im) {
        err_set(err, GZ_EINVAL, "the picture cannot be read");
        goto out;
    }
    w0 = vips_image_get_width(im);
    if (w0 < 1 || vips_image_get_height(im) < 1 ||
        (long)w0 * vips_image_get_height(im) > IMAGE_MAX_PIXELS) {
        err_set(err, GZ_EINVAL, "the picture is larger than 50 megapixels");
        goto out;
    }
    /* Decode it all now: a truncated or damaged file fails here, before anything is written. */
    mem = vips_image_copy_memory(im);
    if (!mem) {
        err_set(err, GZ_EINVAL, "the picture is damaged and cannot be decoded");
        goto out;
    }
    for (size_t i = 0; i < IMAGE_N_WIDTHS; i++)
        if (widths[i] < w0)
            todo[n_todo++] = widths[i];
    if (w0 <= widths[IMAGE_N_WIDTHS - 1])
        todo[n_todo++] = w0;
    rc = GZ_OK;
    /* Largest first, each size made from the one before it (a 12-megapixel photo is reduced
     * once, not once per size); out[] stays smallest first. */
    if ((size_t)n_todo > cap)
        n_todo = (int)cap;
    {
        VipsImage *src = mem, *made = NULL;
        g_object_ref(src);
        for (int i = n_todo - 1; i >= 0 && rc == GZ_OK; i--) {
            rc = write_size(src, todo[i], out_stem, &out[i], &made, err);
            g_object_unref(src);
            src = made;
            if (rc == GZ_OK)
                n++;
        }
        if (src)
            g_object_unref(src);
    }
    if (rc != GZ_OK) { /* the sizes written are out[n_todo - n .. n_todo) */
        memmove(out, out + (n_todo - n), (size_t)n * sizeof *out);
    }
    if (rc != GZ_OK)
        for (int i = 0; i < n; i++) {
            char webp[4096], jpg[4096];
            names(webp, jpg, sizeof webp, out_stem, out[i].width, out[i].height);
            unlink(webp);
            unlink(jpg);
        }
out:
    vips_error_clear();
    if (mem)
        g_object_unref(mem);
    if (im)
        g_object_unref(im);
    return rc == GZ_OK ? n : rc;
}
