/*
 * bundle.h: article bundles (docs/BUNDLE.md): validate, split into sentences, bring in or
 * synthesise the narration, and produce a struct story ready for store_put.
 */
#ifndef GZ_MODEL_BUNDLE_H
#define GZ_MODEL_BUNDLE_H

#include "core/buf.h"
#include "model/story.h"

#define BUNDLE_AUDIO_MAX ((long long)200 << 20)

struct bundle_opts {
    const char *base_dir;  /* where relative paths in the bundle point; NULL: none allowed */
    const char *media_dir; /* where narration files are written */
    int validate_only;     /* check everything, write no media */
};

/* Parse and validate json. On success *out is a new story (story_free it) and any narration
 * is in media_dir. On failure returns GZ_EINVAL (or GZ_EAUDIO/GZ_EIO) and appends one line per
 * problem, "FIELD: PROBLEM", to problems. */
GZ_MUST_CHECK int bundle_load(const char *json, size_t len, const struct bundle_opts *o,
                              struct story **out, struct buf *problems);

#endif
