/* Fuzz target: the aligner's text reader (plain text and transcript JSON). */
#include <stdint.h>
#include <stdlib.h>

#include "model/story.h"
#include "text/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *s = (const char *)data;
    struct transcript t;
    struct err err = { 0 };

    if (!utf8_valid(s, size))
        return 0;
    for (int lines = 0; lines < 2; lines++) {
        struct buf b;
        transcript_from_text(s, size, lines, &t);
        for (size_t i = 0; i < t.n_para; i++)
            for (size_t j = 0; j < t.para[i].n_sent; j++)
                if (!t.para[i].sent[j].text[0])
                    abort(); /* no empty segments */
        buf_init(&b, 0);
        export_write(&b, EXPORT_SRT, &t, NULL, 0);
        buf_release(&b);
        transcript_release(&t);
    }
    if (transcript_parse(s, size, &t, &err) == GZ_OK)
        transcript_release(&t);
    return 0;
}
