/* page_story.c: the article page in its three modes, plus the share and QR pages. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "model/markdown.h"
#include "render/layout.h"
#include "text/text.h"

enum lang story_mode_lang(const struct story *s, enum story_mode mode)
{
    if (mode == MODE_EN && s->l[LANG_EN].present)
        return LANG_EN;
    if (mode == MODE_ZH && s->l[LANG_ZH].present)
        return LANG_ZH;
    return s->l[LANG_ZH].present ? LANG_ZH : LANG_EN;
}

enum lang story_narration_lang(const struct story *s, enum story_mode mode)
{
    enum lang shown = story_mode_lang(s, mode);
    enum lang other = shown == LANG_ZH ? LANG_EN : LANG_ZH;

    if (mode == MODE_CE)
        return s->l[LANG_EN].audio ? LANG_EN : LANG_ZH;
    return s->l[shown].audio || !s->l[other].audio ? shown : other;
}

void story_share_text(struct buf *out, const struct story *s, enum lang l, const char *site)
{
    const struct story_lang *sl = &s->l[l];
    buf_puts(out, "【");
    buf_puts(out, sl->headline);
    buf_puts(out, "】");
    if (sl->standfirst)
        buf_puts(out, sl->standfirst);
    buf_puts(out, "（分享自 @");
    buf_puts(out, site);
    buf_puts(out, "）");
}

/* A timed sentence with word times: each word found in the text (in order) becomes
 * <span class="w" data-t="start">; the text between stays as it is. */
static void words(struct buf *b, const struct sent *st)
{
    const char *p = st->text;
    for (size_t w = 0; w < st->n_words; w++) {
        const struct word *wd = &st->words[w];
        const char *at = wd->text && *wd->text ? strstr(p, wd->text) : NULL;
        size_t n;
        if (!at || isnan(wd->start) || wd->start < 0)
            continue;
        n = strlen(wd->text);
        html_text(b, p, (size_t)(at - p));
        HTML_LIT(b, "<span class=\"w\" data-t=\"");
        html_seconds(b, wd->start);
        HTML_LIT(b, "\">");
        html_text(b, at, n);
        HTML_LIT(b, "</span>");
        p = at + n;
    }
    html_cstr(b, p);
}

static void sentence(struct buf *b, const struct sent *st, int timed)
{
    HTML_LIT(b, "<span class=\"s\"");
    if (timed && !isnan(st->start)) {
        HTML_LIT(b, " data-t=\"");
        html_seconds(b, st->start);
        HTML_LIT(b, "\"");
    }
    HTML_LIT(b, ">");
    if (timed && !isnan(st->start) && st->n_words)
        words(b, st);
    else
        html_cstr(b, st->text);
    HTML_LIT(b, "</span>");
}

static void paragraph(struct buf *b, const struct para *p, size_t idx, int timed)
{
    HTML_LIT(b, "<p class=\"para\" data-p=\"");
    html_int(b, (int64_t)idx);
    HTML_LIT(b, "\">");
    for (size_t j = 0; j < p->n_sent; j++) {
        if (j && text_join_space(p->sent[j - 1].text, p->sent[j].text))
            HTML_LIT(b, " ");
        sentence(b, &p->sent[j], timed);
    }
    HTML_LIT(b, "</p>");
}

/* Formatting from the editor's Markdown (model/markdown.h): the transcript paragraph keeps
 * its sentence spans and times; the layout adds the block element, inline marks and figures. */

static void mark_open(struct buf *b, const struct md_mark *m)
{
    switch (m->kind) {
    case MD_MARK_STRONG: HTML_LIT(b, "<strong>"); break;
    case MD_MARK_EM: HTML_LIT(b, "<em>"); break;
    case MD_MARK_CODE: HTML_LIT(b, "<code>"); break;
    case MD_MARK_DEL: HTML_LIT(b, "<del>"); break;
    case MD_MARK_LINK:
        /* Same tab, and no nofollow/ugc: docs/ARCHITECTURE.md, "Formatting". */
        HTML_LIT(b, "<a href=\"");
        html_url(b, m->href);
        HTML_LIT(b, "\" rel=\"noopener noreferrer\">");
        break;
    }
}

static void mark_close(struct buf *b, const struct md_mark *m)
{
    switch (m->kind) {
    case MD_MARK_STRONG: HTML_LIT(b, "</strong>"); break;
    case MD_MARK_EM: HTML_LIT(b, "</em>"); break;
    case MD_MARK_CODE: HTML_LIT(b, "</code>"); break;
    case MD_MARK_DEL: HTML_LIT(b, "</del>"); break;
    case MD_MARK_LINK: HTML_LIT(b, "</a>"); break;
    }
}

/* bl->text[from, to) with the marks that overlap it, cut to it. Marks nest (they are in
 * opening order and md4c spans nest), so a stack of open ones closes them in order. */
static void marked_text(struct buf *b, const struct md_block *bl, size_t from, size_t to)
{
    const struct md_mark *stack[32];
    size_t depth = 0, pos = from;

    while (pos < to) {
        size_t next = to;
        while (depth && stack[depth - 1]->to <= pos)
            mark_close(b, stack[--depth]);
        for (size_t k = 0; k < bl->n_mark; k++) {
            const struct md_mark *m = &bl->mark[k];
            int starts = m->from == pos || (pos == from && m->from < from);
            int nests = depth == 0 || m->to <= stack[depth - 1]->to;
            if (starts && m->to > pos && nests && depth < 32) {
                stack[depth++] = m;
                mark_open(b, m);
            }
        }
        for (size_t k = 0; k < bl->n_mark; k++) {
            if (bl->mark[k].from > pos && bl->mark[k].from < next)
                next = bl->mark[k].from;
            if (bl->mark[k].to > pos && bl->mark[k].to < next)
                next = bl->mark[k].to;
        }
        html_text(b, bl->text + pos, next - pos);
        pos = next;
    }
    while (depth)
        mark_close(b, stack[--depth]);
}

static void sentence_marked(struct buf *b, const struct sent *st, int timed,
                            const struct md_block *bl, size_t j)
{
    size_t from = bl->sent_off[j], n = strlen(st->text);

    if ((timed && !isnan(st->start) && st->n_words) || bl->n_mark == 0) {
        sentence(b, st, timed); /* word spans and marks would not nest: words win */
        return;
    }
    HTML_LIT(b, "<span class=\"s\"");
    if (timed && !isnan(st->start)) {
        HTML_LIT(b, " data-t=\"");
        html_seconds(b, st->start);
        HTML_LIT(b, "\"");
    }
    HTML_LIT(b, ">");
    marked_text(b, bl, from, from + n);
    HTML_LIT(b, "</span>");
}

/* The newsroom picture a site path shows ("/media/img/NAME-<w>x<h>.jpg"), or NULL. */
static const struct story_image *uploaded(const struct story *s, const char *src)
{
    const char *name = src, *dash;

    if (strncmp(name, "/media/img/", 11) != 0)
        return NULL;
    name += 11;
    dash = strchr(name, '-');
    return dash ? story_image_find(s, name, (size_t)(dash - name)) : NULL;
}

/* srcset="/media/img/NAME-<w>x<h>.ext <w>w, …" of every size of im */
static void srcset(struct buf *b, const struct story_image *im, const char *ext)
{
    int w[8], h[8];
    size_t n = story_image_sizes(im->sizes, w, h, 8);
    char one[160];

    HTML_LIT(b, " srcset=\"");
    for (size_t i = 0; i < n; i++) {
        snprintf(one, sizeof one, "%s/media/img/%s-%dx%d.%s %dw", i ? ", " : "", im->name, w[i],
                 h[i], ext, w[i]);
        html_cstr(b, one);
    }
    /* The text column is 45rem wide at most (app.css --col); narrower screens fill the width. */
    HTML_LIT(b, "\" sizes=\"(min-width: 47rem) 45rem, 100vw\"");
}

/* One picture. An uploaded one gets its sizes as WebP (a <source>) and JPEG (the <img>), and
 * its width/height from its largest size when the src does not say; lead pictures load at
 * once, the others when scrolled near. */
static void picture(struct buf *b, const struct story *s, const char *src, const char *alt,
                    int width, int height, int lead)
{
    const struct story_image *im = uploaded(s, src);
    int w[8], h[8];
    size_t n = im ? story_image_sizes(im->sizes, w, h, 8) : 0;

    if (n && (width <= 0 || height <= 0)) {
        width = w[n - 1];
        height = h[n - 1];
    }
    if (n) {
        HTML_LIT(b, "<picture><source type=\"image/webp\"");
        srcset(b, im, "webp");
        HTML_LIT(b, ">");
    }
    HTML_LIT(b, "<img src=\"");
    html_url(b, src);
    HTML_LIT(b, "\"");
    if (n)
        srcset(b, im, "jpg");
    HTML_LIT(b, " alt=\"");
    html_attr(b, alt ? alt : "");
    HTML_LIT(b, "\"");
    if (width > 0 && height > 0) {
        HTML_LIT(b, " width=\"");
        html_int(b, width);
        HTML_LIT(b, "\" height=\"");
        html_int(b, height);
        HTML_LIT(b, "\"");
    }
    if (lead)
        HTML_LIT(b, " fetchpriority=\"high\" decoding=\"async\">");
    else
        HTML_LIT(b, " loading=\"lazy\" decoding=\"async\">");
    if (n)
        HTML_LIT(b, "</picture>");
}

/* The figures of a block; the story's lead picture, shown at the top, is not shown twice. */
static void figures(struct buf *b, const struct story *s, const struct md_figure *f, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        const struct story_image *im = uploaded(s, f[k].src);
        if (im && s->lead.name && strcmp(im->name, s->lead.name) == 0)
            continue;
        HTML_LIT(b, "<figure class=\"fig\">");
        picture(b, s, f[k].src, f[k].alt, f[k].width, f[k].height, 0);
        if (f[k].caption && *f[k].caption) {
            HTML_LIT(b, "<figcaption>");
            html_cstr(b, f[k].caption);
            HTML_LIT(b, "</figcaption>");
        }
        HTML_LIT(b, "</figure>");
    }
}

/* The element of a formatted block: a constant tag name (never text from the story). */
static const char *block_tag(const struct md_block *bl)
{
    static const char *const h[] = { "h2", "h3", "h4", "h5", "h6" };
    switch (bl->kind) {
    case MD_KIND_H: return h[bl->level <= 2 ? 0 : bl->level >= 6 ? 4 : bl->level - 2];
    case MD_KIND_LI: return "li";
    case MD_KIND_QUOTE: return "blockquote";
    default: return "p";
    }
}

static void block_open(struct buf *b, const struct md_block *bl)
{
    HTML_LIT(b, "<");
    html_cstr(b, block_tag(bl)); /* a constant name: escaping changes nothing */
    if (bl->kind == MD_KIND_H)
        HTML_LIT(b, " class=\"para sub\"");
    else if (bl->kind == MD_KIND_QUOTE)
        HTML_LIT(b, " class=\"para pull\"");
    else
        HTML_LIT(b, " class=\"para\"");
}

static void block_close(struct buf *b, const struct md_block *bl)
{
    HTML_LIT(b, "</");
    html_cstr(b, block_tag(bl));
    HTML_LIT(b, ">");
}

static void list_close(struct buf *b, int ordered)
{
    if (ordered)
        HTML_LIT(b, "</ol>");
    else
        HTML_LIT(b, "</ul>");
}

/* Paragraphs [from, to) of t, dressed by lay when it fits t (else plain <p>s). The figures
 * before the first paragraph come with paragraph 0. */
static void paragraphs(struct buf *b, const struct story *s, const struct transcript *t,
                       const struct md_layout *lay, size_t from, size_t to, int timed)
{
    const struct md_block *list = NULL; /* the open list's first item */

    for (size_t i = from; i < to; i++) {
        const struct md_block *bl;
        if (!lay) {
            paragraph(b, &t->para[i], i, timed);
            continue;
        }
        bl = &lay->block[i];
        if (i == 0)
            figures(b, s, lay->lead_fig, lay->n_lead_fig);
        if (list && (bl->kind != MD_KIND_LI || bl->list != list->list)) {
            list_close(b, list->ordered);
            list = NULL;
        }
        if (bl->kind == MD_KIND_LI && !list) {
            list = bl;
            if (bl->ordered)
                HTML_LIT(b, "<ol class=\"md-list\">");
            else
                HTML_LIT(b, "<ul class=\"md-list\">");
        }
        block_open(b, bl);
        HTML_LIT(b, " data-p=\"");
        html_int(b, (int64_t)i);
        HTML_LIT(b, "\">");
        for (size_t j = 0; j < t->para[i].n_sent; j++) {
            const struct sent *se = t->para[i].sent;
            if (j && text_join_space(se[j - 1].text, se[j].text))
                HTML_LIT(b, " ");
            sentence_marked(b, &se[j], timed, bl, j);
        }
        block_close(b, bl);
        if (bl->n_fig && list) {
            list_close(b, list->ordered); /* a figure is no list item */
            list = NULL;
        }
        figures(b, s, bl->fig, bl->n_fig);
    }
    if (list)
        list_close(b, list->ordered);
}

struct pair {
    size_t en_from, en_to, zh_from, zh_to; /* half-open paragraph ranges */
};

/* Read one side of a pair: an index or an array of consecutive indices. */
static int pair_side(json_t *v, size_t n, size_t *from, size_t *to)
{
    if (json_is_integer(v)) {
        json_int_t i = json_integer_value(v);
        if (i < 0 || (size_t)i >= n)
            return 0;
        *from = (size_t)i;
        *to = *from + 1;
        return 1;
    }
    if (json_is_array(v) && json_array_size(v) > 0) {
        json_int_t a = json_integer_value(json_array_get(v, 0));
        json_int_t z = json_integer_value(json_array_get(v, json_array_size(v) - 1));
        if (a < 0 || z < a || (size_t)z >= n)
            return 0;
        *from = (size_t)a;
        *to = (size_t)z + 1;
        return 1;
    }
    return 0;
}

/* The 对照 pairing: the stored one when valid, else index by index with leftovers joined to
 * the last pair. Returns the number of pairs; *out is malloc'd. */
static size_t pairs_make(const struct story *s, struct pair **out)
{
    size_t ne = s->l[LANG_EN].tr.n_para, nz = s->l[LANG_ZH].tr.n_para, n = 0;
    struct pair *p = NULL;
    json_t *root = s->pairs ? json_loads(s->pairs, 0, NULL) : NULL;

    if (json_is_array(root) && json_array_size(root) > 0) {
        size_t cnt = json_array_size(root);
        p = xcalloc(cnt, sizeof *p);
        for (size_t i = 0; i < cnt; i++) {
            json_t *it = json_array_get(root, i);
            if (!pair_side(json_array_get(it, 0), ne, &p[n].en_from, &p[n].en_to) ||
                !pair_side(json_array_get(it, 1), nz, &p[n].zh_from, &p[n].zh_to)) {
                n = 0;
                break;
            }
            n++;
        }
    }
    json_decref(root);
    if (n == 0) {
        size_t m = ne > nz ? ne : nz, k = ne < nz ? ne : nz;
        free(p);
        if (k == 0)
            k = 1;
        p = xcalloc(k, sizeof *p);
        for (size_t i = 0; i < k; i++) {
            p[i].en_from = i < ne ? i : ne;
            p[i].en_to = i < ne ? i + 1 : ne;
            p[i].zh_from = i < nz ? i : nz;
            p[i].zh_to = i < nz ? i + 1 : nz;
        }
        p[k - 1].en_to = ne;
        p[k - 1].zh_to = nz;
        (void)m;
        n = k;
    }
    *out = p;
    return n;
}

static void body_single(struct buf *b, const struct story *s, enum lang shown, enum lang narr,
                        const struct md_layout *const lay[LANG_COUNT])
{
    const struct transcript *t = &s->l[shown].tr;

    HTML_LIT(b, "<div class=\"body\" id=\"transcript\"");
    layout_lang_attr(b, shown);
    HTML_LIT(b, ">");
    paragraphs(b, s, t, lay[shown], 0, t->n_para, shown == narr);
    HTML_LIT(b, "</div>");
}

static void body_ce(struct buf *b, const struct story *s, enum lang narr,
                    const struct md_layout *const lay[LANG_COUNT])
{
    struct pair *p = NULL;
    size_t n = pairs_make(s, &p);

    HTML_LIT(b, "<div class=\"body ce\" id=\"transcript\">");
    for (size_t i = 0; i < n; i++) {
        HTML_LIT(b, "<div class=\"pair\" data-pair=\"");
        html_int(b, (int64_t)i);
        HTML_LIT(b, "\"><div class=\"col\" lang=\"en\">");
        paragraphs(b, s, &s->l[LANG_EN].tr, lay[LANG_EN], p[i].en_from, p[i].en_to,
                   narr == LANG_EN);
        HTML_LIT(b, "</div><div class=\"col\" lang=\"zh-CN\">");
        paragraphs(b, s, &s->l[LANG_ZH].tr, lay[LANG_ZH], p[i].zh_from, p[i].zh_to,
                   narr == LANG_ZH);
        HTML_LIT(b, "</div></div>");
    }
    HTML_LIT(b, "</div>");
    free(p);
}

/* The story's absolute URL as plain text (escape it before it goes into a page). */
static void story_url(struct buf *out, const struct page_ctx *c, const struct story *s,
                      const char *suffix)
{
    buf_puts(out, c->base_url);
    buf_printf(out, "/story/%lld%s", (long long)s->id, suffix);
}

static void meta_tags(struct buf *b, struct page_ctx *c, const struct story *s, enum lang l,
                      enum lang narr, const char *path_suffix, const struct md_figure *lead)
{
    const struct story_lang *sl = &s->l[l];
    struct buf u, j;

    buf_init(&u, 0);
    buf_init(&j, 0);
    story_url(&u, c, s, path_suffix);
    HTML_LIT(b, "<link rel=\"canonical\" href=\"");
    html_url(b, buf_cstr(&u));
    HTML_LIT(b, "\">");
    if (s->l[LANG_EN].present && s->l[LANG_ZH].present) {
        buf_truncate(&u, 0);
        story_url(&u, c, s, "");
        HTML_LIT(b, "<link rel=\"alternate\" hreflang=\"zh-Hans\" href=\"");
        html_url(b, buf_cstr(&u));
        HTML_LIT(b, "\"><link rel=\"alternate\" hreflang=\"en\" href=\"");
        buf_truncate(&u, 0);
        story_url(&u, c, s, "/en");
        html_url(b, buf_cstr(&u));
        HTML_LIT(b, "\"><link rel=\"alternate\" hreflang=\"x-default\" href=\"");
        buf_truncate(&u, 0);
        story_url(&u, c, s, "");
        html_url(b, buf_cstr(&u));
        HTML_LIT(b, "\">");
    }
    buf_truncate(&u, 0);
    story_url(&u, c, s, path_suffix);
    HTML_LIT(b, "<meta property=\"og:type\" content=\"article\"><meta property=\"og:site_name\" "
                "content=\"");
    html_attr(b, c->site_name);
    HTML_LIT(b, "\"><meta property=\"og:title\" content=\"");
    html_attr(b, sl->headline);
    HTML_LIT(b, "\"><meta property=\"og:description\" content=\"");
    html_attr(b, sl->standfirst);
    HTML_LIT(b, "\"><meta property=\"og:url\" content=\"");
    html_attr(b, buf_cstr(&u));
    HTML_LIT(b, "\"><meta property=\"og:locale\" content=\"");
    html_cstr(b, l == LANG_ZH ? "zh_CN" : "en_US");
    HTML_LIT(b, "\">");
    if (s->l[narr].audio) {
        HTML_LIT(b, "<meta property=\"og:audio\" content=\"");
        html_attr(b, c->base_url);
        HTML_LIT(b, "/media/");
        html_attr(b, s->l[narr].audio);
        HTML_LIT(b, "\">");
    }
    if (lead) {
        /* The lead picture: the story's first (docs/ARCHITECTURE.md, "Formatting"). */
        HTML_LIT(b, "<meta property=\"og:image\" content=\"");
        html_attr(b, c->base_url);
        html_attr(b, lead->src);
        HTML_LIT(b, "\">");
        if (lead->width > 0 && lead->height > 0) {
            HTML_LIT(b, "<meta property=\"og:image:width\" content=\"");
            html_int(b, lead->width);
            HTML_LIT(b, "\"><meta property=\"og:image:height\" content=\"");
            html_int(b, lead->height);
            HTML_LIT(b, "\">");
        }
        if (lead->alt && *lead->alt) {
            HTML_LIT(b, "<meta property=\"og:image:alt\" content=\"");
            html_attr(b, lead->alt);
            HTML_LIT(b, "\">");
        }
        HTML_LIT(b, "<meta name=\"twitter:card\" content=\"summary_large_image\">");
    } else {
        HTML_LIT(b, "<meta name=\"twitter:card\" content=\"summary\">");
    }
    HTML_LIT(b, "<meta name=\"twitter:title\" content=\"");
    html_attr(b, sl->headline);
    HTML_LIT(b, "\"><meta name=\"twitter:description\" content=\"");
    html_attr(b, sl->standfirst);
    HTML_LIT(b, "\">");

    /* JSON-LD NewsArticle, built as JSON then escaped for a script data block. */
    buf_puts(&j, "{\"@context\":\"https://schema.org\",\"@type\":\"NewsArticle\",\"headline\":");
    json_str(&j, sl->headline, strlen(sl->headline));
    buf_puts(&j, ",\"description\":");
    json_str(&j, sl->standfirst, strlen(sl->standfirst));
    buf_puts(&j, ",\"inLanguage\":");
    buf_puts(&j, l == LANG_ZH ? "\"zh-CN\"" : "\"en\"");
    {
        char iso[32];
        time_t t = (time_t)s->published;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
        buf_printf(&j, ",\"datePublished\":\"%s\"", iso);
    }
    buf_puts(&j, ",\"url\":");
    json_str(&j, buf_cstr(&u), u.len);
    buf_puts(&j, ",\"articleSection\":");
    json_str(&j, l == LANG_ZH ? s->section_zh : s->section_en,
             strlen(l == LANG_ZH ? s->section_zh : s->section_en));
    if (sl->byline && *sl->byline) {
        buf_puts(&j, ",\"author\":{\"@type\":\"Person\",\"name\":");
        json_str(&j, sl->byline, strlen(sl->byline));
        buf_putc(&j, '}');
    }
    buf_puts(&j, ",\"publisher\":{\"@type\":\"Organization\",\"name\":");
    json_str(&j, c->site_name, strlen(c->site_name));
    buf_putc(&j, '}');
    if (lead) {
        buf_truncate(&u, 0);
        buf_printf(&u, "%s%s", c->base_url, lead->src);
        buf_puts(&j, ",\"image\":[");
        json_str(&j, buf_cstr(&u), u.len);
        buf_putc(&j, ']');
    }
    if (s->l[narr].audio) {
        buf_puts(&j, ",\"audio\":{\"@type\":\"AudioObject\",\"contentUrl\":");
        buf_truncate(&u, 0);
        buf_printf(&u, "%s/media/%s", c->base_url, s->l[narr].audio);
        json_str(&j, buf_cstr(&u), u.len);
        buf_puts(&j, ",\"encodingFormat\":\"audio/mpeg\",\"inLanguage\":");
        buf_puts(&j, narr == LANG_ZH ? "\"zh-CN\"" : "\"en\"");
        if (s->l[narr].duration > 0) {
            buf_puts(&j, ",\"duration\":\"");
            iso_duration(&j, s->l[narr].duration);
            buf_putc(&j, '"');
        }
        buf_putc(&j, '}');
    }
    buf_putc(&j, '}');
    HTML_LIT(b, "<script type=\"application/ld+json\">");
    html_json(b, buf_cstr(&j), j.len);
    HTML_LIT(b, "</script>");
    buf_release(&u);
    buf_release(&j);
}

static void mode_link(struct buf *b, const struct page_ctx *c, const struct story *s,
                      enum story_mode m, enum story_mode cur, const char *suffix, enum msg label)
{
    HTML_LIT(b, "<a href=\"/story/");
    html_int(b, s->id);
    html_cstr(b, suffix);
    HTML_LIT(b, "\"");
    if (m == cur)
        HTML_LIT(b, " aria-current=\"page\"");
    if (m == MODE_EN)
        HTML_LIT(b, " lang=\"en\" hreflang=\"en\"");
    else if (m == MODE_ZH)
        HTML_LIT(b, " lang=\"zh-CN\" hreflang=\"zh-Hans\"");
    HTML_LIT(b, ">");
    layout_t(b, c, label);
    HTML_LIT(b, "</a>");
}

static void tools(struct buf *b, struct page_ctx *c, const struct story *s)
{
    static const enum msg fs_names[] = { MSG_FS1, MSG_FS2, MSG_FS3, MSG_FS4, MSG_FS5 };

    HTML_LIT(b, "<div class=\"tools\"><form class=\"fontsize\" method=\"post\" "
                "action=\"/prefs/fs\"><input type=\"hidden\" name=\"csrf\" value=\"");
    layout_csrf(b, c);
    HTML_LIT(b, "\"><input type=\"hidden\" name=\"back\" value=\"");
    html_attr(b, c->self_path);
    HTML_LIT(b, "\"><fieldset><legend>");
    layout_t(b, c, MSG_FONT_SIZE);
    HTML_LIT(b, "</legend>");
    for (int i = 1; i <= 5; i++) {
        HTML_LIT(b, "<label><input type=\"radio\" name=\"fs\" value=\"");
        html_int(b, i);
        HTML_LIT(b, "\"");
        if (i == c->fs)
            HTML_LIT(b, " checked");
        HTML_LIT(b, ">");
        layout_t(b, c, fs_names[i - 1]);
        HTML_LIT(b, "</label>");
    }
    HTML_LIT(b, "</fieldset><button type=\"submit\" class=\"nojs\">");
    layout_t(b, c, MSG_APPLY);
    HTML_LIT(b, "</button></form><a class=\"share-open\" href=\"/story/");
    html_int(b, s->id);
    HTML_LIT(b, "/share\" aria-haspopup=\"dialog\">");
    layout_t(b, c, MSG_SHARE);
    HTML_LIT(b, "</a></div>");
}

static void player(struct buf *b, struct page_ctx *c, const struct story *s, enum lang narr)
{
    const struct story_lang *sl = &s->l[narr];
    static const struct {
        const char *attr;
        enum msg id;
    } i18n[] = {
        { "play", MSG_PLAY },       { "pause", MSG_PAUSE }, { "back15", MSG_BACK15 },
        { "fwd15", MSG_FWD15 },     { "speed", MSG_SPEED }, { "seek", MSG_SEEK },
        { "current", MSG_BACK_TO_CURRENT }, { "copied", MSG_COPIED },
        { "loop", MSG_LOOP },       { "keys", MSG_KEYS },
    };

    if (!sl->audio)
        return;
    HTML_LIT(b, "<section class=\"player\" aria-label=\"");
    layout_t(b, c, MSG_LISTEN);
    HTML_LIT(b, "\" data-transcript=\"/story/");
    html_int(b, s->id);
    HTML_LIT(b, "/");
    html_cstr(b, lang_code(narr));
    HTML_LIT(b, "/transcript.json\" data-duration=\"");
    html_seconds(b, sl->duration);
    HTML_LIT(b, "\"");
    if (!isnan(sl->tr.end)) {
        HTML_LIT(b, " data-end=\"");
        html_seconds(b, sl->tr.end);
        HTML_LIT(b, "\"");
    }
    for (size_t i = 0; i < GZ_NELEM(i18n); i++) {
        HTML_LIT(b, " data-i18n-");
        html_cstr(b, i18n[i].attr);
        HTML_LIT(b, "=\"");
        layout_t(b, c, i18n[i].id);
        HTML_LIT(b, "\"");
    }
    HTML_LIT(b, "><audio id=\"narration\" controls preload=\"metadata\" src=\"/media/");
    html_attr(b, sl->audio);
    HTML_LIT(b, "\"><track kind=\"captions\" src=\"/story/");
    html_int(b, s->id);
    HTML_LIT(b, "/");
    html_cstr(b, lang_code(narr));
    HTML_LIT(b, "/transcript.vtt\" srclang=\"");
    html_cstr(b, narr == LANG_ZH ? "zh" : "en");
    HTML_LIT(b, "\" label=\"");
    layout_t(b, c, MSG_TRANSCRIPT);
    HTML_LIT(b, "\"></audio></section>");
    if (sl->synthetic) {
        HTML_LIT(b, "<p class=\"synthetic\">");
        layout_t(b, c, MSG_SYNTHETIC);
        HTML_LIT(b, "</p>");
    }
}

/* 对照 with both narrations: which one plays. A form (cookie gz_narr via /prefs/narr) that
 * works without script; app.js writes the cookie and reloads on a change. */
static void narration_pick(struct buf *b, struct page_ctx *c, enum lang narr)
{
    HTML_LIT(b, "<form class=\"narr\" method=\"post\" action=\"/prefs/narr\">"
                "<input type=\"hidden\" name=\"csrf\" value=\"");
    layout_csrf(b, c);
    HTML_LIT(b, "\"><input type=\"hidden\" name=\"back\" value=\"");
    html_attr(b, c->self_path);
    HTML_LIT(b, "\"><fieldset><legend>");
    layout_t(b, c, MSG_NARRATION);
    HTML_LIT(b, "</legend><label lang=\"zh-CN\"><input type=\"radio\" name=\"narr\" "
                "value=\"zh\"");
    if (narr == LANG_ZH)
        HTML_LIT(b, " checked");
    HTML_LIT(b, ">中文</label><label lang=\"en\"><input type=\"radio\" name=\"narr\" "
                "value=\"en\"");
    if (narr == LANG_EN)
        HTML_LIT(b, " checked");
    HTML_LIT(b, ">English</label></fieldset><button type=\"submit\" class=\"nojs\">");
    layout_t(b, c, MSG_APPLY);
    HTML_LIT(b, "</button></form>");
}

/* One row of the keys list: the <dt> is open and holds the keys; this closes it. */
static void key_what(struct buf *b, struct page_ctx *c, enum msg what)
{
    HTML_LIT(b, "</dt><dd>");
    layout_t(b, c, what);
    HTML_LIT(b, "</dd>");
}

/* The read-along keys (app.js): opened with "?" or the player's keys button. */
static void keys_dialog(struct buf *b, struct page_ctx *c)
{
    HTML_LIT(b, "<dialog id=\"keys-dlg\" aria-labelledby=\"keys-h\"><h2 id=\"keys-h\">");
    layout_t(b, c, MSG_KEYS);
    HTML_LIT(b, "</h2><dl class=\"keys\"><dt><kbd>");
    layout_t(b, c, MSG_KEY_SPACE);
    HTML_LIT(b, "</kbd>");
    key_what(b, c, MSG_KEY_PLAY);
    HTML_LIT(b, "<dt><kbd>←</kbd> <kbd>→</kbd>");
    key_what(b, c, MSG_KEY_SENTENCE);
    HTML_LIT(b, "<dt><kbd>L</kbd>");
    key_what(b, c, MSG_KEY_LOOP);
    HTML_LIT(b, "<dt><kbd>?</kbd>");
    key_what(b, c, MSG_KEY_HELP);
    HTML_LIT(b, "</dl><button type=\"button\" class=\"dlg-close\" aria-label=\"");
    layout_t(b, c, MSG_CLOSE);
    HTML_LIT(b, "\">×</button></dialog>");
}

static void share_list(struct buf *b, struct page_ctx *c, const struct story *s, enum lang l)
{
    struct buf url, text;

    buf_init(&url, 0);
    buf_init(&text, 0);
    story_url(&url, c, s, l == LANG_EN && s->l[LANG_ZH].present ? "/en" : "");
    story_share_text(&text, s, l, c->site_name);

    HTML_LIT(b, "<ul class=\"share-links\"><li><a href=\"/story/");
    html_int(b, s->id);
    HTML_LIT(b, "/qr\">");
    layout_t(b, c, MSG_WECHAT);
    HTML_LIT(b, "</a></li><li><a rel=\"noopener\" target=\"_blank\" "
                "href=\"https://service.weibo.com/share/share.php?url=");
    html_urlpart(b, buf_cstr(&url));
    HTML_LIT(b, "&amp;title=");
    html_urlpart(b, buf_cstr(&text));
    HTML_LIT(b, "\">");
    layout_t(b, c, MSG_WEIBO);
    HTML_LIT(b, "</a></li><li><a rel=\"noopener\" target=\"_blank\" "
                "href=\"https://twitter.com/intent/tweet?url=");
    html_urlpart(b, buf_cstr(&url));
    HTML_LIT(b, "&amp;text=");
    html_urlpart(b, buf_cstr(&text));
    HTML_LIT(b, "\">");
    layout_t(b, c, MSG_X);
    HTML_LIT(b, "</a></li><li><a rel=\"noopener\" target=\"_blank\" "
                "href=\"https://www.facebook.com/sharer/sharer.php?u=");
    html_urlpart(b, buf_cstr(&url));
    HTML_LIT(b, "\">");
    layout_t(b, c, MSG_FACEBOOK);
    HTML_LIT(b, "</a></li><li><a rel=\"noopener\" target=\"_blank\" "
                "href=\"https://www.linkedin.com/sharing/share-offsite/?url=");
    html_urlpart(b, buf_cstr(&url));
    HTML_LIT(b, "\">");
    layout_t(b, c, MSG_LINKEDIN);
    HTML_LIT(b, "</a></li><li><a href=\"mailto:?subject=");
    html_urlpart(b, s->l[l].headline);
    HTML_LIT(b, "&amp;body=");
    html_urlpart(b, buf_cstr(&text));
    html_urlpart(b, " ");
    html_urlpart(b, buf_cstr(&url));
    HTML_LIT(b, "\">");
    layout_t(b, c, MSG_EMAIL);
    HTML_LIT(b, "</a></li></ul>");
    buf_release(&url);
    buf_release(&text);
}

static void copy_button(struct buf *b, struct page_ctx *c, const struct story *s, enum lang l)
{
    struct buf url;

    buf_init(&url, 0);
    story_url(&url, c, s, l == LANG_EN && s->l[LANG_ZH].present ? "/en" : "");
    HTML_LIT(b, "<button type=\"button\" class=\"copy-link\" data-url=\"");
    html_attr(b, buf_cstr(&url));
    HTML_LIT(b, "\" data-copied=\"");
    layout_t(b, c, MSG_COPIED);
    HTML_LIT(b, "\">");
    layout_t(b, c, MSG_COPY_LINK);
    HTML_LIT(b, "</button><p class=\"copy-status\" role=\"status\"></p>");
    buf_release(&url);
}

static void share_dialog(struct buf *b, struct page_ctx *c, const struct story *s, enum lang l)
{
    HTML_LIT(b, "<dialog id=\"share-dlg\" aria-labelledby=\"share-h\"><h2 id=\"share-h\">");
    layout_t(b, c, MSG_SHARE_VIA);
    HTML_LIT(b, "</h2>");
    copy_button(b, c, s, l);
    share_list(b, c, s, l);
    HTML_LIT(b, "<button type=\"button\" class=\"dlg-close\" aria-label=\"");
    layout_t(b, c, MSG_CLOSE);
    HTML_LIT(b, "\">×</button></dialog>");
}

static void related_list(struct buf *b, struct page_ctx *c, const struct brief_list *rel,
                         const struct quiz_brief *quiz)
{
    if ((!rel || rel->n == 0) && !quiz)
        return;
    HTML_LIT(b, "<aside class=\"related\" aria-labelledby=\"related-h\"><h2 id=\"related-h\">");
    layout_t(b, c, MSG_RELATED);
    HTML_LIT(b, "</h2><ul>");
    for (size_t i = 0; rel && i < rel->n; i++)
        layout_brief(b, c, &rel->item[i], 3);
    HTML_LIT(b, "</ul>");
    if (quiz) {
        HTML_LIT(b, "<div class=\"quiz-teaser\"><h3><a href=\"/quiz/");
        html_int(b, quiz->id);
        HTML_LIT(b, "\">");
        layout_t(b, c, MSG_QUIZ);
        HTML_LIT(b, "</a></h3><p>");
        html_cstr(b, c->ui == LANG_ZH ? quiz->title_zh : quiz->title_en);
        HTML_LIT(b, " ");
        layout_date(b, quiz->published);
        HTML_LIT(b, "</p></div>");
    }
    HTML_LIT(b, "</aside>");
}

void page_story(struct buf *b, struct page_ctx *c, const struct story *s, enum story_mode mode,
                const struct brief_list *related, const struct quiz_brief *quiz)
{
    enum lang shown = story_mode_lang(s, mode);
    enum lang narr = story_narration_lang(s, mode);
    const struct story_lang *sl = &s->l[shown];
    int both = s->l[LANG_EN].present && s->l[LANG_ZH].present;
    int pick = mode == MODE_CE && both && s->l[LANG_EN].audio && s->l[LANG_ZH].audio;
    const char *suffix = mode == MODE_CE ? "/ce" : mode == MODE_EN && both ? "/en" : "";
    char year[8];
    struct tm tm;
    time_t t = (time_t)s->published;
    struct md_layout lay_store[LANG_COUNT];
    const struct md_layout *lay[LANG_COUNT];
    const struct md_figure *lead;
    struct md_figure chosen = { 0 };
    char lead_src[128];
    int lw[8], lh[8];
    size_t n_lead;

    /* 对照 with both narrations plays the reader's pick (cookie gz_narr), else English. */
    if (pick && (c->narr == LANG_EN || c->narr == LANG_ZH))
        narr = (enum lang)c->narr;
    layout_head(b, c, sl->headline, sl->standfirst);
    for (int l = 0; l < LANG_COUNT; l++) {
        struct err err = { 0 };
        const char *md = s->l[l].markdown;
        lay[l] = NULL;
        if (s->l[l].present && md &&
            markdown_layout(md, strlen(md), &lay_store[l], &err) == GZ_OK) {
            if (markdown_layout_fits(&lay_store[l], &s->l[l].tr))
                lay[l] = &lay_store[l];
            else
                markdown_layout_release(&lay_store[l]);
        }
    }
    lead = lay[shown] ? markdown_layout_first_figure(lay[shown]) : NULL;
    if (!lead && lay[!shown])
        lead = markdown_layout_first_figure(lay[!shown]);
    n_lead = s->lead.name ? story_image_sizes(s->lead.sizes, lw, lh, 8) : 0;
    if (n_lead) { /* the editor's choice wins over the first figure */
        snprintf(lead_src, sizeof lead_src, "/media/img/%s-%dx%d.jpg", s->lead.name,
                 lw[n_lead - 1], lh[n_lead - 1]);
        chosen.src = lead_src;
        chosen.alt = s->lead.alt;
        chosen.caption = s->lead.caption;
        chosen.width = lw[n_lead - 1];
        chosen.height = lh[n_lead - 1];
        lead = &chosen;
    }
    meta_tags(b, c, s, shown, narr, suffix, lead);
    layout_header(b, c);
    HTML_LIT(b, "<article class=\"story\" data-mode=\"");
    html_cstr(b, mode == MODE_CE ? "ce" : shown == LANG_ZH ? "zh" : "en");
    HTML_LIT(b, "\" data-narration-lang=\"");
    html_cstr(b, lang_code(narr));
    HTML_LIT(b, "\"><p class=\"section-label\"><a href=\"/section/");
    html_attr(b, s->section_slug);
    HTML_LIT(b, "\">");
    html_cstr(b, c->ui == LANG_ZH ? s->section_zh : s->section_en);
    HTML_LIT(b, "</a></p><h1");
    layout_lang_attr(b, shown);
    HTML_LIT(b, ">");
    html_cstr(b, sl->headline);
    HTML_LIT(b, "</h1>");
    /* The Chinese page also gives the English headline and standfirst, smaller, as FT中文网 does. */
    if (shown == LANG_ZH && s->l[LANG_EN].present) {
        HTML_LIT(b, "<p class=\"headline-alt\" lang=\"en\">");
        html_cstr(b, s->l[LANG_EN].headline);
        HTML_LIT(b, "</p>");
    }
    if (sl->standfirst && *sl->standfirst) {
        HTML_LIT(b, "<p class=\"standfirst\"");
        layout_lang_attr(b, shown);
        HTML_LIT(b, ">");
        html_cstr(b, sl->standfirst);
        HTML_LIT(b, "</p>");
    }
    if (shown == LANG_ZH && s->l[LANG_EN].present && s->l[LANG_EN].standfirst &&
        *s->l[LANG_EN].standfirst) {
        HTML_LIT(b, "<p class=\"standfirst-alt\" lang=\"en\">");
        html_cstr(b, s->l[LANG_EN].standfirst);
        HTML_LIT(b, "</p>");
    }
    HTML_LIT(b, "<p class=\"byline\"");
    layout_lang_attr(b, shown);
    HTML_LIT(b, ">");
    if (sl->byline && *sl->byline) {
        html_cstr(b, sl->byline);
        HTML_LIT(b, " · ");
    }
    layout_date(b, s->published);
    HTML_LIT(b, "</p>");
    if (n_lead) {
        HTML_LIT(b, "<figure class=\"fig lead\">");
        picture(b, s, chosen.src, chosen.alt, chosen.width, chosen.height, 1);
        if (chosen.caption && *chosen.caption) {
            HTML_LIT(b, "<figcaption>");
            html_cstr(b, chosen.caption);
            HTML_LIT(b, "</figcaption>");
        }
        HTML_LIT(b, "</figure>");
    }
    if (both) {
        HTML_LIT(b, "<nav class=\"modes\" aria-label=\"");
        layout_t(b, c, MSG_MODES);
        HTML_LIT(b, "\">");
        mode_link(b, c, s, MODE_ZH, mode, "", MSG_MODE_ZH);
        mode_link(b, c, s, MODE_EN, mode, "/en", MSG_MODE_EN);
        mode_link(b, c, s, MODE_CE, mode, "/ce", MSG_MODE_CE);
        HTML_LIT(b, "</nav>");
    }
    tools(b, c, s);
    if (pick)
        narration_pick(b, c, narr);
    player(b, c, s, narr);
    if (mode == MODE_CE && both)
        body_ce(b, s, narr, lay);
    else
        body_single(b, s, shown, narr, lay);
    HTML_LIT(b, "<p class=\"copyright\">");
    if (s->copyright) {
        html_cstr(b, s->copyright);
    } else {
        struct buf line;
        buf_init(&line, 0);
        gmtime_r(&t, &tm);
        strftime(year, sizeof year, "%Y", &tm);
        buf_printf(&line, "%s %s", year, c->site_name);
        /* The copyright template holds one %s: the year and site. */
        {
            const char *tpl = msg(c->ui, MSG_COPYRIGHT);
            const char *pct = strstr(tpl, "%s");
            html_text(b, tpl, (size_t)(pct - tpl));
            html_cstr(b, buf_cstr(&line));
            html_cstr(b, pct + 2);
        }
        buf_release(&line);
    }
    HTML_LIT(b, "</p>");
    {
        /* Shown only in print (app.css): where the printed story lives. */
        struct buf u;
        buf_init(&u, 0);
        story_url(&u, c, s, suffix);
        HTML_LIT(b, "<p class=\"print-url\">");
        html_cstr(b, buf_cstr(&u));
        HTML_LIT(b, "</p>");
        buf_release(&u);
    }
    HTML_LIT(b, "</article>");
    related_list(b, c, related, quiz);
    share_dialog(b, c, s, shown);
    if (s->l[narr].audio)
        keys_dialog(b, c);
    layout_footer(b, c);
    for (int l = 0; l < LANG_COUNT; l++)
        if (lay[l])
            markdown_layout_release(&lay_store[l]);
}

void page_share(struct buf *b, struct page_ctx *c, const struct story *s)
{
    enum lang l = story_mode_lang(s, c->ui == LANG_EN ? MODE_EN : MODE_ZH);

    layout_head(b, c, msg(c->ui, MSG_SHARE_VIA), NULL);
    layout_header(b, c);
    HTML_LIT(b, "<article class=\"share-page\"><h1>");
    layout_t(b, c, MSG_SHARE_VIA);
    HTML_LIT(b, "</h1><p");
    layout_lang_attr(b, l);
    HTML_LIT(b, "><a href=\"/story/");
    html_int(b, s->id);
    HTML_LIT(b, "\">");
    html_cstr(b, s->l[l].headline);
    HTML_LIT(b, "</a></p>");
    copy_button(b, c, s, l);
    share_list(b, c, s, l);
    HTML_LIT(b, "</article>");
    layout_footer(b, c);
}

void page_qr(struct buf *b, struct page_ctx *c, const struct story *s)
{
    enum lang l = story_mode_lang(s, c->ui == LANG_EN ? MODE_EN : MODE_ZH);

    layout_head(b, c, msg(c->ui, MSG_QR_TITLE), NULL);
    layout_header(b, c);
    HTML_LIT(b, "<article class=\"qr-page\"><h1>");
    layout_t(b, c, MSG_QR_TITLE);
    HTML_LIT(b, "</h1><p");
    layout_lang_attr(b, l);
    HTML_LIT(b, ">");
    html_cstr(b, s->l[l].headline);
    HTML_LIT(b, "</p><div class=\"qr\"><img alt=\"");
    layout_t(b, c, MSG_QR_TITLE);
    HTML_LIT(b, "\" width=\"240\" height=\"240\" src=\"/story/");
    html_int(b, s->id);
    HTML_LIT(b, "/qr.svg\"></div><p>");
    layout_t(b, c, MSG_QR_TEXT);
    HTML_LIT(b, "</p><p><a href=\"/story/");
    html_int(b, s->id);
    HTML_LIT(b, "\">");
    layout_t(b, c, MSG_BACK_TO_STORY);
    HTML_LIT(b, "</a></p></article>");
    layout_footer(b, c);
}
