/*
 * image.h: pictures for story pages (libvips). A newsroom upload is checked by decoding it in
 * full (JPEG, PNG or WebP, told by its bytes, not its name), stripped of metadata (EXIF, GPS,
 * ICC comments: vips "strip") and written at a few widths as WebP and JPEG, each file named
 * "<stem>-<w>x<h>.webp|.jpg" so the page can give width/height and srcset from the name
 * (model/markdown.h, struct md_figure).
 * Ownership: nothing here keeps memory past a call. Thread-safe (libvips is).
 */
#ifndef GZ_IMAGE_IMAGE_H
#define GZ_IMAGE_IMAGE_H

#include <stddef.h>

#include "core/gz.h"

#define IMAGE_N_WIDTHS 3
#define IMAGE_MAX_PIXELS (50L * 1000 * 1000) /* a larger picture is refused: decode bomb */

struct image_size {
    int width, height;
};

/* Decode the picture at path and write its sizes as out_stem-<w>x<h>.webp and .jpg: the
 * widths 480, 960 and 1600 narrower than the original, and the original's own width when it is
 * at most 1600 (never upscaled). Returns the number of sizes written (>= 1), smallest first in
 * out[0..cap). GZ_EINVAL with a message saying why when the file is not a picture we take
 * (nothing written); GZ_EIO when a file cannot be written (the ones written are removed). */
int image_process(const char *path, const char *out_stem, struct image_size *out, size_t cap,
                  struct err *err);

#endif
