#include "model/markdown.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <md4c.h>

#include "text/text.h"

struct md_ctx {
    struct transcript *t;
    struct buf text;  /* the block being collected */
    int skip_depth;   /* > 0 inside a block quote, table or code block */
    int leaf_depth;   /* > 0 inside a paragraph, heading or list item text */
};

static void flush(struct md_ctx *c)
{
    size_t n, k;
    struct str *parts;
    struct para *p;

    if (c->text.len == 0)
        return;
    n = text_split(buf_cstr(&c->text), c->text.len, NULL, 0);
    if (n) {
        parts = xcalloc(n, sizeof *parts);
        text_split(buf_cstr(&c->text), c->text.len, parts, n);
        c->t->para = xrealloc(c->t->para, (c->t->n_para + 1) * sizeof *c->t->para);
        p = &c->t->para[c->t->n_para++];
        memset(p, 0, sizeof *p);
        for (k = 0; k < n; k++)
            para_add(p, parts[k].p, parts[k].len, c->skip_depth ? NAN : 0.0);
        free(parts);
    }
    buf_truncate(&c->text, 0);
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
    struct md_ctx *c = userdata;
    (void)detail;
    switch (type) {
    case MD_BLOCK_QUOTE:
    case MD_BLOCK_TABLE:
    case MD_BLOCK_CODE:
        flush(c);
        c->skip_depth++;
        break;
    case MD_BLOCK_P:
    case MD_BLOCK_H:
    case MD_BLOCK_LI:
        flush(c);
        break;
    case MD_BLOCK_TD:
    case MD_BLOCK_TH:
        if (c->text.len)
            buf_puts(&c->text, " · ");
        break;
    default:
        break;
    }
    return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
    struct md_ctx *c = userdata;
    (void)detail;
    switch (type) {
    case MD_BLOCK_QUOTE:
    case MD_BLOCK_TABLE:
    case MD_BLOCK_CODE:
        flush(c);
        c->skip_depth--;
        break;
    case MD_BLOCK_P:
    case MD_BLOCK_H:
    case MD_BLOCK_LI:
        if (type != MD_BLOCK_P || !c->skip_depth)
            flush(c);
        else
            buf_putc(&c->text, ' ');
        break;
    case MD_BLOCK_TR:
        if (c->skip_depth)
            flush(c);
        break;
    default:
        break;
    }
    return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
    (void)type;
    (void)detail;
    (void)userdata;
    return 0;
}

static int text_cb(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *userdata)
{
    struct md_ctx *c = userdata;
    switch (type) {
    case MD_TEXT_SOFTBR:
    case MD_TEXT_BR:
        buf_putc(&c->text, ' ');
        break;
    case MD_TEXT_NULLCHAR:
        break;
    case MD_TEXT_ENTITY:
        if (n == 5 && memcmp(s, "&amp;", 5) == 0)
            buf_putc(&c->text, '&');
        else if (n == 4 && memcmp(s, "&lt;", 4) == 0)
            buf_putc(&c->text, '<');
        else if (n == 4 && memcmp(s, "&gt;", 4) == 0)
            buf_putc(&c->text, '>');
        else if (n == 6 && memcmp(s, "&quot;", 6) == 0)
            buf_putc(&c->text, '"');
        else if (n == 6 && memcmp(s, "&nbsp;", 6) == 0)
            buf_putc(&c->text, ' ');
        else
            buf_append(&c->text, s, n);
        break;
    case MD_TEXT_HTML:
        break; /* raw HTML is not text */
    default:
        buf_append(&c->text, s, n);
        break;
    }
    return 0;
}

int markdown_to_transcript(const char *md, size_t len, struct transcript *t, struct err *err)
{
    MD_PARSER p;
    struct md_ctx c;

    t->para = NULL;
    t->n_para = 0;
    t->end = NAN;
    if (!utf8_valid(md, len) || memchr(md, '\0', len))
        return err_set(err, GZ_EINVAL, "the text is not valid UTF-8");
    memset(&p, 0, sizeof p);
    p.abi_version = 0;
    p.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_NOHTML;
    p.enter_block = enter_block;
    p.leave_block = leave_block;
    p.enter_span = enter_span;
    p.leave_span = enter_span;
    p.text = text_cb;
    memset(&c, 0, sizeof c);
    c.t = t;
    buf_init(&c.text, 0);
    if (md_parse(md, (MD_SIZE)len, &p, &c) != 0) {
        buf_release(&c.text);
        transcript_release(t);
        return err_set(err, GZ_EINVAL, "the Markdown could not be parsed");
    }
    flush(&c);
    buf_release(&c.text);
    if (t->n_para == 0)
        return err_set(err, GZ_EINVAL, "the body holds no text");
    return GZ_OK;
}

size_t transcript_keep_times(struct transcript *t, const struct transcript *old)
{
    size_t oi = 0, oj = 0, need = 0;

    for (size_t i = 0; i < t->n_para; i++)
        for (size_t j = 0; j < t->para[i].n_sent; j++) {
            struct sent *s = &t->para[i].sent[j];
            size_t si = oi, sj = oj;
            int found = 0;
            if (isnan(s->start))
                continue;
            /* Look ahead in the old text for the same sentence. */
            while (si < old->n_para && !found) {
                for (; sj < old->para[si].n_sent; sj++)
                    if (strcmp(old->para[si].sent[sj].text, s->text) == 0 &&
                        !isnan(old->para[si].sent[sj].start)) {
                        found = 1;
                        break;
                    }
                if (!found) {
                    si++;
                    sj = 0;
                }
            }
            if (found) {
                s->start = old->para[si].sent[sj].start;
                oi = si;
                oj = sj + 1;
            } else {
                s->start = NAN; /* untimed until aligned */
                need++;
            }
        }
    if (need == 0)
        t->end = old->end;
    return need;
}
