/* Fuzz target: Markdown to transcript and layout. The layout always fits the transcript made
 * from the same text; marks, sentence offsets and figures stay inside their block; links are
 * only http(s)/mailto and pictures only site paths. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model/markdown.h"

static void check_block(const struct md_block *bl, const struct para *p)
{
    size_t len = strlen(bl->text);

    if (bl->n_sent != p->n_sent)
        abort();
    for (size_t j = 0; j < bl->n_sent; j++) {
        size_t n = strlen(p->sent[j].text);
        if (bl->sent_off[j] + n > len || memcmp(bl->text + bl->sent_off[j], p->sent[j].text, n))
            abort();
    }
    for (size_t k = 0; k < bl->n_mark; k++) {
        const struct md_mark *m = &bl->mark[k];
        if (m->from >= m->to || m->to > len)
            abort();
        if (m->kind == MD_MARK_LINK && strncasecmp(m->href, "http://", 7) &&
            strncasecmp(m->href, "https://", 8) && strncasecmp(m->href, "mailto:", 7))
            abort();
    }
    for (size_t k = 0; k < bl->n_fig; k++)
        if (bl->fig[k].src[0] != '/' || bl->fig[k].src[1] == '/' || !bl->fig[k].alt ||
            !bl->fig[k].caption)
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct transcript t;
    struct md_layout l;
    struct err err = { 0 };
    int a, b;

    if (size > 65536)
        return 0;
    a = markdown_to_transcript((const char *)data, size, &t, &err);
    b = markdown_layout((const char *)data, size, &l, &err);
    if (a != b)
        abort();
    if (a != GZ_OK)
        return 0;
    if (!markdown_layout_fits(&l, &t))
        abort();
    for (size_t i = 0; i < l.tr.n_para; i++)
        check_block(&l.block[i], &l.tr.para[i]);
    transcript_release(&t);
    markdown_layout_release(&l);
    return 0;
}
