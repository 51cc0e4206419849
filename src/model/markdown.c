#include "model/markdown.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <md4c.h>

#include "text/text.h"

/* zero bytes after the text handed to md4c (see parse) */
#define MD_PAD 64

struct md_ctx {
    struct transcript *t;
    struct md_layout *l; /* NULL: the transcript only */
    struct buf text;     /* the block being collected */
    int skip_depth;      /* > 0 inside a block quote, table or code block */
    int leaf_depth;      /* > 0 inside a paragraph, heading or list item text */
    /* The form of the block being collected (layout only). */
    enum md_block_kind kind, skip_kind;
    int level, li_depth;
    struct md_mark *mark;
    size_t n_mark;
    size_t *open; /* indices into mark of the open spans; SIZE_MAX for a dropped one */
    size_t n_open;
    int *lists; /* list number and ordered flag of each open list, innermost last */
    size_t n_lists;
    int n_list_made;
    /* Images: their text is alt text, never the block's. */
    int img_depth;
    struct buf alt;
    char *img_src, *img_title;
    struct md_figure *fig; /* seen in the block, not yet placed */
    size_t n_fig;
    /* A line break waits for the next text of its buffer, which decides between ' ' and
     * nothing (text_break_joins). */
    struct buf *br_buf; /* NULL: none waiting */
    size_t br_at;       /* br_buf->len at the break */
    size_t br_mark;     /* n_mark at the break: marks from here on opened after it */
};

static void figs_move(struct md_figure **to, size_t *n_to, struct md_figure *from, size_t n)
{
    if (n == 0)
        return;
    *to = xrealloc(*to, (*n_to + n) * sizeof **to);
    memcpy(*to + *n_to, from, n * sizeof *from);
    *n_to += n;
}

static void flush(struct md_ctx *c)
{
    size_t n, k;
    struct str *parts;
    struct para *p;

    n = c->text.len ? text_split(buf_cstr(&c->text), c->text.len, NULL, 0) : 0;
    if (n) {
        parts = xcalloc(n, sizeof *parts);
        text_split(buf_cstr(&c->text), c->text.len, parts, n);
        c->t->para = xrealloc(c->t->para, (c->t->n_para + 1) * sizeof *c->t->para);
        p = &c->t->para[c->t->n_para++];
        memset(p, 0, sizeof *p);
        for (k = 0; k < n; k++)
            para_add(p, parts[k].p, parts[k].len, c->skip_depth ? NAN : 0.0);
        if (c->l) {
            struct md_block *bl;
            c->l->block = xrealloc(c->l->block, c->t->n_para * sizeof *c->l->block);
            bl = &c->l->block[c->t->n_para - 1];
            memset(bl, 0, sizeof *bl);
            bl->kind = c->skip_depth ? c->skip_kind : c->kind;
            bl->level = c->level;
            if (bl->kind == MD_KIND_LI && c->n_lists) {
                bl->list = c->lists[2 * (c->n_lists - 1)];
                bl->ordered = c->lists[2 * (c->n_lists - 1) + 1];
            } else if (bl->kind == MD_KIND_LI) {
                bl->kind = MD_KIND_P;
            }
            bl->text = xstrndup(buf_cstr(&c->text), c->text.len);
            bl->n_sent = n;
            bl->sent_off = xcalloc(n, sizeof *bl->sent_off);
            for (k = 0; k < n; k++)
                bl->sent_off[k] = (size_t)(parts[k].p - buf_cstr(&c->text));
            for (k = 0; k < c->n_mark; k++) {
                struct md_mark *m = &c->mark[k];
                if (m->to > c->text.len)
                    m->to = c->text.len; /* still open: ends with the block */
                if (m->from >= m->to) {
                    free(m->href);
                    continue;
                }
                bl->mark = xrealloc(bl->mark, (bl->n_mark + 1) * sizeof *bl->mark);
                bl->mark[bl->n_mark++] = *m;
            }
            c->n_mark = 0;
        }
        free(parts);
    }
    if (c->l) {
        for (k = 0; k < c->n_mark; k++)
            free(c->mark[k].href);
        c->n_mark = 0;
        /* Spans never outlive their leaf block; should one be open, it ends here. */
        for (k = 0; k < c->n_open; k++)
            c->open[k] = SIZE_MAX;
        if (c->t->n_para)
            figs_move(&c->l->block[c->t->n_para - 1].fig, &c->l->block[c->t->n_para - 1].n_fig,
                      c->fig, c->n_fig);
        else
            figs_move(&c->l->lead_fig, &c->l->n_lead_fig, c->fig, c->n_fig);
        free(c->fig);
        c->fig = NULL;
        c->n_fig = 0;
    }
    buf_truncate(&c->text, 0);
    c->br_buf = NULL; /* a break at the end of a block is no text */
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *userdata)
{
    struct md_ctx *c = userdata;
    switch (type) {
    case MD_BLOCK_QUOTE:
    case MD_BLOCK_TABLE:
    case MD_BLOCK_CODE:
        flush(c);
        if (c->skip_depth++ == 0)
            c->skip_kind = type == MD_BLOCK_QUOTE ? MD_KIND_QUOTE : MD_KIND_OTHER;
        break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        flush(c);
        c->lists = xrealloc(c->lists, (c->n_lists + 1) * 2 * sizeof *c->lists);
        c->lists[2 * c->n_lists] = ++c->n_list_made;
        c->lists[2 * c->n_lists + 1] = type == MD_BLOCK_OL;
        c->n_lists++;
        break;
    case MD_BLOCK_P:
    case MD_BLOCK_H:
    case MD_BLOCK_LI:
        flush(c);
        if (type == MD_BLOCK_LI)
            c->li_depth++;
        c->kind = type == MD_BLOCK_H ? MD_KIND_H : c->li_depth ? MD_KIND_LI : MD_KIND_P;
        c->level = 0;
        if (type == MD_BLOCK_H) {
            unsigned lv = ((MD_BLOCK_H_DETAIL *)detail)->level;
            c->level = lv < 2 ? 2 : lv > 6 ? 6 : (int)lv;
        }
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
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
        flush(c);
        if (c->n_lists)
            c->n_lists--;
        break;
    case MD_BLOCK_P:
    case MD_BLOCK_H:
    case MD_BLOCK_LI:
        if (type != MD_BLOCK_P || !c->skip_depth)
            flush(c);
        else
            buf_putc(&c->text, ' ');
        if (type == MD_BLOCK_LI && c->li_depth)
            c->li_depth--;
        c->kind = c->li_depth ? MD_KIND_LI : MD_KIND_P;
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

/* An attribute's text with the entities md4c leaves in it decoded (the few text_cb knows). */
static void attr_text(struct buf *b, const MD_ATTRIBUTE *a)
{
    for (unsigned i = 0; a->substr_offsets && a->substr_offsets[i] < a->size; i++) {
        const char *s = a->text + a->substr_offsets[i];
        size_t n = a->substr_offsets[i + 1] - a->substr_offsets[i];
        if (a->substr_types[i] == MD_TEXT_NULLCHAR)
            continue;
        if (a->substr_types[i] == MD_TEXT_ENTITY && n == 5 && memcmp(s, "&amp;", 5) == 0)
            buf_putc(b, '&');
        else
            buf_append(b, s, n);
    }
}

static int prefix_ci(const char *s, const char *pre)
{
    return strncasecmp(s, pre, strlen(pre)) == 0;
}

/* A URL fit for a link: http(s) or mailto, with no control character or space. */
static int link_ok(const char *u)
{
    if (!prefix_ci(u, "http://") && !prefix_ci(u, "https://") && !prefix_ci(u, "mailto:"))
        return 0;
    for (const unsigned char *p = (const unsigned char *)u; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return 0;
    return 1;
}

/* An image source the page can show (CSP img-src 'self'): a site path, not "//host". */
static int img_src_ok(const char *u)
{
    if (u[0] != '/' || u[1] == '/' || u[1] == '\\')
        return 0;
    for (const unsigned char *p = (const unsigned char *)u; *p; p++)
        if (*p <= ' ' || *p == 0x7f || *p == '\\')
            return 0;
    return 1;
}

/* "...-<w>x<h>.<ext>": the size the newsroom stored the picture at. */
static void img_size(const char *src, int *w, int *h)
{
    const char *dot = strrchr(src, '.'), *dash = NULL;
    long v[2] = { 0, 0 };
    int k = 0;

    *w = *h = 0;
    if (!dot)
        return;
    for (const char *p = src; p < dot; p++)
        if (*p == '-')
            dash = p;
    if (!dash)
        return;
    for (const char *p = dash + 1; p < dot; p++) {
        if (*p == 'x' && k == 0 && p > dash + 1) {
            k = 1;
            continue;
        }
        if (*p < '0' || *p > '9' || v[k] > 100000)
            return;
        v[k] = v[k] * 10 + (*p - '0');
    }
    if (k == 1 && v[0] > 0 && v[1] > 0 && v[0] <= 100000 && v[1] <= 100000) {
        *w = (int)v[0];
        *h = (int)v[1];
    }
}

static int enter_span(MD_SPANTYPE type, void *detail, void *userdata)
{
    struct md_ctx *c = userdata;
    struct md_mark m = { .from = c->text.len, .to = SIZE_MAX };
    size_t idx = SIZE_MAX;
    int keep = 0;

    if (type == MD_SPAN_IMG) {
        if (c->img_depth++ == 0 && c->l) {
            const MD_SPAN_IMG_DETAIL *d = detail;
            struct buf a;
            buf_init(&a, 0);
            attr_text(&a, &d->src);
            c->img_src = buf_take(&a, NULL);
            attr_text(&a, &d->title);
            c->img_title = buf_take(&a, NULL);
            buf_truncate(&c->alt, 0);
        }
        return 0;
    }
    if (!c->l || c->img_depth)
        return 0;
    switch (type) {
    case MD_SPAN_STRONG: m.kind = MD_MARK_STRONG; keep = 1; break;
    case MD_SPAN_EM: m.kind = MD_MARK_EM; keep = 1; break;
    case MD_SPAN_CODE: m.kind = MD_MARK_CODE; keep = 1; break;
    case MD_SPAN_DEL: m.kind = MD_MARK_DEL; keep = 1; break;
    case MD_SPAN_A: {
        struct buf a;
        buf_init(&a, 0);
        attr_text(&a, &((const MD_SPAN_A_DETAIL *)detail)->href);
        m.kind = MD_MARK_LINK;
        m.href = buf_take(&a, NULL);
        keep = m.href && link_ok(m.href); /* else dropped to its text */
        if (!keep)
            free(m.href);
        break;
    }
    default:
        break;
    }
    if (keep) {
        c->mark = xrealloc(c->mark, (c->n_mark + 1) * sizeof *c->mark);
        c->mark[c->n_mark] = m;
        idx = c->n_mark++;
    }
    c->open = xrealloc(c->open, (c->n_open + 1) * sizeof *c->open);
    c->open[c->n_open++] = idx;
    return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *userdata)
{
    struct md_ctx *c = userdata;
    (void)detail;
    if (type == MD_SPAN_IMG) {
        if (c->br_buf == &c->alt && c->img_depth == 1)
            c->br_buf = NULL; /* a break at the end of alt text is no text */
        if (c->img_depth && --c->img_depth == 0 && c->l) {
            if (c->img_src && img_src_ok(c->img_src)) {
                struct md_figure *f;
                c->fig = xrealloc(c->fig, (c->n_fig + 1) * sizeof *c->fig);
                f = &c->fig[c->n_fig++];
                f->src = c->img_src;
                f->alt = xstrndup(buf_cstr(&c->alt), c->alt.len);
                f->caption = c->img_title ? c->img_title : xstrdup("");
                img_size(f->src, &f->width, &f->height);
                c->img_src = c->img_title = NULL;
            }
            free(c->img_src);
            free(c->img_title);
            c->img_src = c->img_title = NULL;
        }
        return 0;
    }
    if (!c->l || c->img_depth || c->n_open == 0)
        return 0;
    c->n_open--;
    if (c->open[c->n_open] != SIZE_MAX)
        c->mark[c->open[c->n_open]].to = c->text.len;
    return 0;
}

/* The waiting line break, before text s[0..n) goes into b: nothing between two Chinese
 * characters, else one space (marks opened since the break start after it). A break waiting
 * in the other buffer (paragraph text around an image's alt text) gets its space now. */
static void br_resolve(struct md_ctx *c, struct buf *b, const char *s, size_t n)
{
    struct buf *w = c->br_buf;
    int join;

    if (!w)
        return;
    join = w == b && w->len == c->br_at && text_break_joins(buf_cstr(w), w->len, s, n);
    c->br_buf = NULL;
    if (join)
        return;
    buf_putc(w, ' ');
    if (w != &c->text)
        return;
    for (size_t k = c->br_mark; k < c->n_mark; k++)
        if (c->mark[k].from == c->br_at)
            c->mark[k].from++;
}

static int text_cb(MD_TEXTTYPE type, const MD_CHAR *s, MD_SIZE n, void *userdata)
{
    struct md_ctx *c = userdata;
    struct buf *b = c->img_depth ? &c->alt : &c->text;
    switch (type) {
    case MD_TEXT_SOFTBR:
    case MD_TEXT_BR:
        if (c->br_buf && c->br_buf != b)
            br_resolve(c, c->br_buf, " ", 1);
        if (!c->br_buf) {
            c->br_buf = b;
            c->br_at = b->len;
            c->br_mark = c->n_mark;
        }
        return 0;
    case MD_TEXT_NULLCHAR:
    case MD_TEXT_HTML:
        return 0; /* raw HTML is not text */
    default:
        break;
    }
    if (c->br_buf == b)
        br_resolve(c, b, s, n);
    switch (type) {
    case MD_TEXT_ENTITY:
        if (n == 5 && memcmp(s, "&amp;", 5) == 0)
            buf_putc(b, '&');
        else if (n == 4 && memcmp(s, "&lt;", 4) == 0)
            buf_putc(b, '<');
        else if (n == 4 && memcmp(s, "&gt;", 4) == 0)
            buf_putc(b, '>');
        else if (n == 6 && memcmp(s, "&quot;", 6) == 0)
            buf_putc(b, '"');
        else if (n == 6 && memcmp(s, "&nbsp;", 6) == 0)
            buf_putc(b, ' ');
        else
            buf_append(b, s, n);
        break;
    default:
        buf_append(b, s, n);
        break;
    }
    return 0;
}

static void figure_release(struct md_figure *f)
{
    free(f->src);
    free(f->alt);
    free(f->caption);
}

static void ctx_release(struct md_ctx *c)
{
    buf_release(&c->text);
    buf_release(&c->alt);
    for (size_t k = 0; k < c->n_mark; k++)
        free(c->mark[k].href);
    free(c->mark);
    free(c->open);
    free(c->lists);
    free(c->img_src);
    free(c->img_title);
    for (size_t k = 0; k < c->n_fig; k++)
        figure_release(&c->fig[k]);
    free(c->fig);
}

static int parse(const char *md, size_t len, struct transcript *t, struct md_layout *l,
                 struct err *err)
{
    MD_PARSER p;
    struct md_ctx c;
    char *padded;
    int rc;

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
    p.leave_span = leave_span;
    p.text = text_cb;
    memset(&c, 0, sizeof c);
    c.t = t;
    c.l = l;
    buf_init(&c.text, 0);
    buf_init(&c.alt, 0);
    /* md4c 0.4.8 (Debian 12) can read a few bytes past the end of its input on some unclosed
     * links (found by our fuzz corpus); it parses a zero-padded copy so those reads are
     * defined and stay inside our allocation. */
    padded = calloc(1, len + MD_PAD);
    if (!padded) {
        ctx_release(&c);
        return err_set(err, GZ_EIO, "out of memory");
    }
    memcpy(padded, md, len);
    rc = md_parse(padded, (MD_SIZE)len, &p, &c);
    free(padded);
    if (rc != 0) {
        ctx_release(&c);
        return err_set(err, GZ_EINVAL, "the Markdown could not be parsed");
    }
    flush(&c);
    ctx_release(&c);
    if (t->n_para == 0)
        return err_set(err, GZ_EINVAL, "the body holds no text");
    return GZ_OK;
}

int markdown_to_transcript(const char *md, size_t len, struct transcript *t, struct err *err)
{
    int rc = parse(md, len, t, NULL, err);
    if (rc != GZ_OK)
        transcript_release(t);
    return rc;
}

int markdown_layout(const char *md, size_t len, struct md_layout *l, struct err *err)
{
    int rc;

    memset(l, 0, sizeof *l);
    rc = parse(md, len, &l->tr, l, err);
    if (rc != GZ_OK)
        markdown_layout_release(l);
    return rc;
}

int markdown_layout_fits(const struct md_layout *l, const struct transcript *t)
{
    if (l->tr.n_para != t->n_para)
        return 0;
    for (size_t i = 0; i < t->n_para; i++) {
        if (l->tr.para[i].n_sent != t->para[i].n_sent)
            return 0;
        for (size_t j = 0; j < t->para[i].n_sent; j++)
            if (strcmp(l->tr.para[i].sent[j].text, t->para[i].sent[j].text) != 0)
                return 0;
    }
    return 1;
}

const struct md_figure *markdown_layout_first_figure(const struct md_layout *l)
{
    if (l->n_lead_fig)
        return &l->lead_fig[0];
    for (size_t i = 0; i < l->tr.n_para; i++)
        if (l->block && l->block[i].n_fig)
            return &l->block[i].fig[0];
    return NULL;
}

void markdown_layout_release(struct md_layout *l)
{
    for (size_t i = 0; l->block && i < l->tr.n_para; i++) {
        struct md_block *bl = &l->block[i];
        free(bl->text);
        free(bl->sent_off);
        for (size_t k = 0; k < bl->n_mark; k++)
            free(bl->mark[k].href);
        free(bl->mark);
        for (size_t k = 0; k < bl->n_fig; k++)
            figure_release(&bl->fig[k]);
        free(bl->fig);
    }
    free(l->block);
    for (size_t k = 0; k < l->n_lead_fig; k++)
        figure_release(&l->lead_fig[k]);
    free(l->lead_fig);
    transcript_release(&l->tr);
    memset(l, 0, sizeof *l);
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
