/* Fuzz target: bundle validation and the transcript parser (no media written). */
#include <stdint.h>

#include "model/bundle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct bundle_opts o = { NULL, "/nonexistent", 1 };
    struct story *s = NULL;
    struct transcript t;
    struct err err = { 0 };
    struct buf p;

    buf_init(&p, 0);
    if (bundle_load((const char *)data, size, &o, &s, &p) == GZ_OK)
        story_free(s);
    buf_release(&p);
    if (transcript_parse((const char *)data, size, &t, &err) == GZ_OK) {
        struct buf b;
        buf_init(&b, 0);
        transcript_json(&b, &t, "/media/x.mp3");
        transcript_vtt(&b, &t);
        buf_release(&b);
        transcript_release(&t);
    }
    return 0;
}
