#include "model/story.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "text/text.h"

const char *lang_code(enum lang l)
{
    return l == LANG_ZH ? "zh" : "en";
}

int lang_parse(const char *s, size_t n, enum lang *out)
{
    if (n == 2 && memcmp(s, "en", 2) == 0)
        *out = LANG_EN;
    else if (n == 2 && memcmp(s, "zh", 2) == 0)
        *out = LANG_ZH;
    else
        return GZ_EINVAL;
    return GZ_OK;
}

void transcript_release(struct transcript *t)
{
    for (size_t i = 0; i < t->n_para; i++) {
        for (size_t j = 0; j < t->para[i].n_sent; j++) {
            struct sent *st = &t->para[i].sent[j];
            for (size_t w = 0; w < st->n_words; w++)
                free(st->words[w].text);
            free(st->words);
            free(st->guessed);
            free(st->text);
        }
        free(t->para[i].sent);
    }
    free(t->para);
    t->para = NULL;
    t->n_para = 0;
    t->end = NAN;
}

static int parse_start(json_t *v, double *out)
{
    if (!v || json_is_null(v)) {
        *out = NAN;
        return GZ_OK;
    }
    if (!json_is_number(v))
        return GZ_EINVAL;
    *out = json_number_value(v);
    if (!isfinite(*out) || *out < 0 || *out > 86400.0 * 7)
        return GZ_EINVAL;
    return GZ_OK;
}

/* A segment's optional "words": [{"start": s, "end": e (optional), "text": "..."}, ...]. */
static int parse_words(json_t *ws, struct sent *s, size_t i, size_t j, struct err *err)
{
    size_t n;

    if (!ws || json_is_null(ws))
        return GZ_OK;
    if (!json_is_array(ws))
        return err_set(err, GZ_EINVAL, "transcript: text[%zu][%zu].words must be a list", i, j);
    n = json_array_size(ws);
    s->words = xcalloc(n ? n : 1, sizeof *s->words);
    for (size_t w = 0; w < n; w++) {
        json_t *o = json_array_get(ws, w), *tx = json_object_get(o, "text");
        json_t *st = json_object_get(o, "start"), *en = json_object_get(o, "end");
        struct word *wd = &s->words[s->n_words];
        if (!json_is_object(o) || !json_is_string(tx) || !json_is_number(st) ||
            json_number_value(st) < 0 || (en && !json_is_null(en) && !json_is_number(en)))
            return err_set(err, GZ_EINVAL,
                           "transcript: text[%zu][%zu].words[%zu] needs 'start' seconds and "
                           "'text'",
                           i, j, w);
        wd->start = json_number_value(st);
        wd->end = en && json_is_number(en) ? json_number_value(en) : NAN;
        wd->text = xstrndup(json_string_value(tx), json_string_length(tx));
        s->n_words++;
    }
    return GZ_OK;
}

int transcript_parse(const char *json, size_t len, struct transcript *t, struct err *err)
{
    json_error_t jerr;
    json_t *root = NULL, *list;
    int rc = GZ_OK;
    size_t np;

    t->para = NULL;
    t->n_para = 0;
    t->end = NAN;
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        rc = err_set(err, GZ_EINVAL, "transcript: invalid JSON at line %d: %s", jerr.line,
                     jerr.text);
        goto out;
    }
    list = json_is_object(root) ? json_object_get(root, "text") : root;
    if (!json_is_array(list)) {
        rc = err_set(err, GZ_EINVAL, "transcript: 'text' must be a list of paragraphs");
        goto out;
    }
    np = json_array_size(list);
    t->para = xcalloc(np ? np : 1, sizeof *t->para);
    for (size_t i = 0; i < np; i++) {
        json_t *p = json_array_get(list, i);
        size_t ns;

        if (!json_is_array(p)) {
            rc = err_set(err, GZ_EINVAL, "transcript: text[%zu] must be a list of segments", i);
            goto out;
        }
        ns = json_array_size(p);
        /* The final [{"start":end,"text":""}] is the end-of-speech marker, not a paragraph. */
        if (i == np - 1 && ns == 1) {
            json_t *seg = json_array_get(p, 0);
            json_t *tx = json_object_get(seg, "text");
            if (json_is_string(tx) && json_string_length(tx) == 0) {
                if (parse_start(json_object_get(seg, "start"), &t->end) != GZ_OK) {
                    rc = err_set(err, GZ_EINVAL, "transcript: final segment has a bad start");
                    goto out;
                }
                break;
            }
        }
        t->para[t->n_para].sent = xcalloc(ns ? ns : 1, sizeof(struct sent));
        t->n_para++;
        for (size_t j = 0; j < ns; j++) {
            json_t *seg = json_array_get(p, j);
            json_t *tx = json_object_get(seg, "text");
            struct sent *s = &t->para[t->n_para - 1].sent[j];

            if (!json_is_object(seg) || !json_is_string(tx)) {
                rc = err_set(err, GZ_EINVAL, "transcript: text[%zu][%zu] needs a string 'text'",
                             i, j);
                goto out;
            }
            if (parse_start(json_object_get(seg, "start"), &s->start) != GZ_OK) {
                rc = err_set(err, GZ_EINVAL,
                             "transcript: text[%zu][%zu].start must be null or seconds >= 0", i,
                             j);
                goto out;
            }
            s->text = xstrndup(json_string_value(tx), json_string_length(tx));
            s->end = NAN;
            s->confidence = 1.0f;
            s->low_confidence = json_is_true(json_object_get(seg, "check"));
            {
                json_t *cf = json_object_get(seg, "confidence");
                if (json_is_number(cf) && json_number_value(cf) >= 0 && json_number_value(cf) <= 1)
                    s->confidence = (float)json_number_value(cf);
            }
            t->para[t->n_para - 1].n_sent++;
            rc = parse_words(json_object_get(seg, "words"), s, i, j, err);
            if (rc != GZ_OK)
                goto out;
        }
    }
out:
    if (rc != GZ_OK)
        transcript_release(t);
    json_decref(root);
    return rc;
}

void json_str(struct buf *b, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    size_t run = 0;

    buf_putc(b, '"');
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = NULL;
        char u[6];

        if (c == '"')
            esc = "\\\"";
        else if (c == '\\')
            esc = "\\\\";
        else if (c == '\n')
            esc = "\\n";
        else if (c == '\t')
            esc = "\\t";
        else if (c == '\r')
            esc = "\\r";
        else if (c == '/' && i > 0 && s[i - 1] == '<')
            esc = "\\/";
        else if (c < 0x20) {
            memcpy(u, "\\u00", 4);
            u[4] = hex[c >> 4];
            u[5] = hex[c & 15];
        } else if (c == 0xe2 && i + 2 < n && (unsigned char)s[i + 1] == 0x80 &&
                   ((unsigned char)s[i + 2] == 0xa8 || (unsigned char)s[i + 2] == 0xa9)) {
            esc = (unsigned char)s[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
        } else {
            run++;
            continue;
        }
        buf_append(b, s + i - run, run);
        run = 0;
        if (esc) {
            buf_puts(b, esc);
            if (esc[1] == 'u' && esc[2] == '2')
                i += 2;
        } else {
            buf_append(b, u, 6);
        }
    }
    buf_append(b, s + n - run, run);
    buf_putc(b, '"');
}

static void start_json(struct buf *b, double start)
{
    if (isnan(start))
        buf_puts(b, "null");
    else
        buf_seconds(b, start);
}

static void body_json(struct buf *b, const struct transcript *t, int with_words, int with_checks);

void transcript_body_json(struct buf *b, const struct transcript *t)
{
    body_json(b, t, 1, 1);
}

void transcript_plain(struct buf *b, const struct transcript *t)
{
    size_t start = b->len;

    for (size_t pi = 0; pi < t->n_para; pi++)
        for (size_t si = 0; si < t->para[pi].n_sent; si++) {
            if (b->len > start)
                buf_putc(b, ' ');
            buf_puts(b, t->para[pi].sent[si].text);
        }
}

static void body_json(struct buf *b, const struct transcript *t, int with_words, int with_checks)
{
    buf_putc(b, '[');
    for (size_t i = 0; i < t->n_para; i++) {
        const struct para *p = &t->para[i];
        if (i)
            buf_putc(b, ',');
        buf_putc(b, '[');
        for (size_t j = 0; j < p->n_sent; j++) {
            if (j)
                buf_putc(b, ',');
            buf_puts(b, "{\"start\":");
            start_json(b, p->sent[j].start);
            buf_puts(b, ",\"text\":");
            json_str(b, p->sent[j].text, strlen(p->sent[j].text));
            if (with_checks && p->sent[j].low_confidence)
                buf_puts(b, ",\"check\":true");
            if (with_checks && p->sent[j].confidence >= 0 && p->sent[j].confidence < 0.995f)
                buf_printf(b, ",\"confidence\":%.2f", (double)p->sent[j].confidence);
            if (with_words && p->sent[j].n_words) {
                buf_puts(b, ",\"words\":[");
                for (size_t w = 0; w < p->sent[j].n_words; w++) {
                    buf_puts(b, w ? ",{\"start\":" : "{\"start\":");
                    buf_seconds(b, p->sent[j].words[w].start);
                    if (!isnan(p->sent[j].words[w].end) &&
                        p->sent[j].words[w].end > p->sent[j].words[w].start) {
                        buf_puts(b, ",\"end\":");
                        buf_seconds(b, p->sent[j].words[w].end);
                    }
                    buf_puts(b, ",\"text\":");
                    json_str(b, p->sent[j].words[w].text, strlen(p->sent[j].words[w].text));
                    buf_putc(b, '}');
                }
                buf_putc(b, ']');
            }
            buf_putc(b, '}');
        }
        buf_putc(b, ']');
    }
    if (!isnan(t->end)) {
        if (t->n_para)
            buf_putc(b, ',');
        buf_puts(b, "[{\"start\":");
        buf_seconds(b, t->end);
        buf_puts(b, ",\"text\":\"\"}]");
    }
    buf_putc(b, ']');
}

void transcript_json_ex(struct buf *b, const struct transcript *t, const char *url,
                        int with_words)
{
    buf_puts(b, "{\"text\":");
    body_json(b, t, with_words, 0);
    buf_puts(b, ",\"url\":");
    if (url)
        json_str(b, url, strlen(url));
    else
        buf_puts(b, "null");
    buf_putc(b, '}');
}

void transcript_json(struct buf *b, const struct transcript *t, const char *url)
{
    transcript_json_ex(b, t, url, 1);
}

static void vtt_time(struct buf *b, double s)
{
    long ms = lround(s * 1000.0);
    buf_printf(b, "%02ld:%02ld:%02ld.%03ld", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60,
               ms % 1000);
}

/* Start of the next spoken sentence after (pi, si), else the end of speech. */
double transcript_next_start(const struct transcript *t, size_t pi, size_t si)
{
    for (size_t i = pi; i < t->n_para; i++)
        for (size_t j = i == pi ? si + 1 : 0; j < t->para[i].n_sent; j++)
            if (!isnan(t->para[i].sent[j].start))
                return t->para[i].sent[j].start;
    return t->end;
}

/* Cue text: a cue may not hold "-->" or a blank line; escape & < >. */
static void vtt_text(struct buf *b, const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '&')
            buf_puts(b, "&amp;");
        else if (p[i] == '<')
            buf_puts(b, "&lt;");
        else if (p[i] == '>')
            buf_puts(b, "&gt;");
        else if (p[i] == '\n' || p[i] == '\r')
            buf_putc(b, ' ');
        else
            buf_putc(b, p[i]);
    }
}

void transcript_vtt(struct buf *b, const struct transcript *t)
{
    transcript_vtt_ex(b, t, 0);
}

void transcript_vtt_ex(struct buf *b, const struct transcript *t, int with_words)
{
    size_t cue = 0;

    buf_puts(b, "WEBVTT\n");
    for (size_t i = 0; i < t->n_para; i++) {
        for (size_t j = 0; j < t->para[i].n_sent; j++) {
            const struct sent *s = &t->para[i].sent[j];
            double end;
            const char *p;

            if (isnan(s->start))
                continue;
            end = !isnan(s->end) && s->end > s->start ? s->end : transcript_next_start(t, i, j);
            if (isnan(end) || end <= s->start)
                end = s->start + 5.0;
            buf_printf(b, "\n%zu\n", ++cue);
            vtt_time(b, s->start);
            buf_puts(b, " --> ");
            vtt_time(b, end);
            buf_putc(b, '\n');
            p = s->text;
            /* Words: a timestamp <hh:mm:ss.mmm> before each word after the first, where the
             * word's text is found in the sentence (in order) and its time is inside the cue. */
            for (size_t w = 1; with_words && w < s->n_words; w++) {
                const char *at = strstr(p, s->words[w].text);
                double ws = s->words[w].start;
                if (!at || !*s->words[w].text || !(ws > s->start && ws < end))
                    continue;
                vtt_text(b, p, (size_t)(at - p));
                buf_putc(b, '<');
                vtt_time(b, ws);
                buf_putc(b, '>');
                p = at;
            }
            vtt_text(b, p, strlen(p));
            buf_putc(b, '\n');
        }
    }
}

size_t transcript_n_spoken(const struct transcript *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_para; i++)
        for (size_t j = 0; j < t->para[i].n_sent; j++)
            n += !isnan(t->para[i].sent[j].start);
    return n;
}

void story_free(struct story *s)
{
    if (!s)
        return;
    free(s->slug);
    free(s->section_slug);
    free(s->section_zh);
    free(s->section_en);
    free(s->tags);
    free(s->copyright);
    free(s->pairs);
    free(s->related);
    story_image_release(&s->lead);
    for (size_t i = 0; i < s->n_image; i++)
        story_image_release(&s->image[i]);
    free(s->image);
    for (int i = 0; i < LANG_COUNT; i++) {
        struct story_lang *l = &s->l[i];
        free(l->headline);
        free(l->standfirst);
        free(l->summary);
        free(l->byline);
        free(l->audio);
        free(l->markdown);
        transcript_release(&l->tr);
    }
    free(s);
}

void story_image_release(struct story_image *im)
{
    free(im->name);
    free(im->sizes);
    free(im->alt);
    free(im->caption);
    memset(im, 0, sizeof *im);
}

size_t story_image_sizes(const char *sizes, int *w, int *h, size_t cap)
{
    size_t n = 0;
    const char *p = sizes;

    while (p && *p && n < cap) {
        char *end;
        long a = strtol(p, &end, 10), c;
        if (end == p || *end != 'x' || a < 1 || a > 100000)
            break;
        p = end + 1;
        c = strtol(p, &end, 10);
        if (end == p || c < 1 || c > 100000 || (*end && *end != ','))
            break;
        w[n] = (int)a;
        h[n] = (int)c;
        n++;
        p = *end ? end + 1 : end;
    }
    return n;
}

/* Markdown text with its punctuation backslash-escaped, newlines as spaces. */
static void md_escaped(struct buf *out, const char *s)
{
    for (; s && *s; s++) {
        if (strchr("\\[]()\"*_`<>!", *s))
            buf_putc(out, '\\');
        buf_putc(out, *s == '\n' || *s == '\r' ? ' ' : *s);
    }
}

void story_image_markdown(struct buf *out, const struct story_image *im)
{
    int w[8], h[8];
    size_t n = story_image_sizes(im->sizes, w, h, 8);

    if (!n)
        return;
    buf_puts(out, "![");
    md_escaped(out, im->alt);
    buf_printf(out, "](/media/img/%s-%dx%d.jpg", im->name, w[n - 1], h[n - 1]);
    if (im->caption && *im->caption) {
        buf_puts(out, " \"");
        md_escaped(out, im->caption);
        buf_putc(out, '"');
    }
    buf_putc(out, ')');
}

const struct story_image *story_image_find(const struct story *s, const char *name,
                                           size_t name_len)
{
    for (size_t i = 0; i < s->n_image; i++)
        if (strlen(s->image[i].name) == name_len &&
            memcmp(s->image[i].name, name, name_len) == 0)
            return &s->image[i];
    return NULL;
}

void story_lead_from_images(struct story *s, const char *lead)
{
    const struct story_image *im = lead ? story_image_find(s, lead, strlen(lead)) : NULL;

    story_image_release(&s->lead);
    if (!im)
        return;
    s->lead.name = xstrdup(im->name);
    s->lead.sizes = xstrdup(im->sizes);
    s->lead.alt = xstrdup(im->alt);
    s->lead.caption = xstrdup(im->caption);
}

int story_image_files(const char *name, const char *sizes, int (*fn)(void *cls, const char *file),
                      void *cls)
{
    int w[8], h[8], stop = 0;
    size_t n = story_image_sizes(sizes, w, h, 8);

    for (size_t i = 0; name && !stop && i < 2 * n; i++) {
        char file[160];
        snprintf(file, sizeof file, "img/%s-%dx%d.%s", name, w[i / 2], h[i / 2],
                 i % 2 ? "jpg" : "webp");
        stop = fn(cls, file);
    }
    return stop;
}

void brief_list_release(struct brief_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        struct story_brief *b = &l->item[i];
        story_image_release(&b->lead);
        free(b->section_slug);
        free(b->section_zh);
        free(b->section_en);
        for (int k = 0; k < LANG_COUNT; k++) {
            free(b->headline[k]);
            free(b->summary[k]);
        }
    }
    free(l->item);
    l->item = NULL;
    l->n = 0;
}

void section_list_release(struct section_list *l)
{
    for (size_t i = 0; i < l->n; i++) {
        free(l->item[i].slug);
        free(l->item[i].name_zh);
        free(l->item[i].name_en);
    }
    free(l->item);
    l->item = NULL;
    l->n = 0;
}

void quiz_brief_release(struct quiz_brief *q)
{
    free(q->title_zh);
    free(q->title_en);
    q->title_zh = q->title_en = NULL;
}

void para_add(struct para *p, const char *s, size_t n, double start)
{
    /* Geometric growth: a 100,000-line text must not copy the list per line. */
    if (p->cap_sent < p->n_sent + 1) {
        p->cap_sent = p->n_sent < 8 ? 8 : p->n_sent * 2;
        p->sent = xrealloc(p->sent, p->cap_sent * sizeof *p->sent);
    }
    memset(&p->sent[p->n_sent], 0, sizeof *p->sent);
    p->sent[p->n_sent].text = xstrndup(s, n);
    p->sent[p->n_sent].start = start;
    p->sent[p->n_sent].end = NAN;
    p->sent[p->n_sent].confidence = 1.0f;
    p->n_sent++;
}

static struct para *new_para(struct transcript *t)
{
    t->para = xrealloc(t->para, (t->n_para + 1) * sizeof *t->para);
    memset(&t->para[t->n_para], 0, sizeof *t->para);
    return &t->para[t->n_para++];
}

void transcript_from_text(const char *s, size_t n, int lines, struct transcript *t)
{
    size_t i = 0;
    struct para *p = NULL;

    t->para = NULL;
    t->n_para = 0;
    t->end = NAN;
    n = strnlen(s, n); /* text ends at a NUL byte */
    while (i < n) {
        size_t e = i, a, z;
        while (e < n && s[e] != '\n')
            e++;
        a = i;
        z = e;
        while (a < z && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'))
            a++;
        while (z > a && (s[z - 1] == ' ' || s[z - 1] == '\t' || s[z - 1] == '\r'))
            z--;
        if (z == a) {
            p = NULL; /* blank line: the next text starts a paragraph */
        } else {
            if (!p)
                p = new_para(t);
            if (lines) {
                para_add(p, s + a, z - a, 0.0);
            } else {
                size_t k = text_split(s + a, z - a, NULL, 0);
                struct str *parts = xcalloc(k ? k : 1, sizeof *parts);
                text_split(s + a, z - a, parts, k);
                for (size_t q = 0; q < k; q++)
                    para_add(p, parts[q].p, parts[q].len, 0.0);
                free(parts);
            }
        }
        i = e + 1;
    }
}


static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

int time_parse_utc(const char *s, int64_t *out)
{
    struct tm tm;
    int y, mo, d, h, mi, sec;

    static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";

    if (strlen(s) != 20)
        return 0;
    for (int i = 0; i < 20; i++)
        if (shape[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != shape[i])
            return 0;
    y = digits(s, 4);
    mo = digits(s + 5, 2);
    d = digits(s + 8, 2);
    h = digits(s + 11, 2);
    mi = digits(s + 14, 2);
    sec = digits(s + 17, 2);
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return 0;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec;
    *out = (int64_t)timegm(&tm);
    return 1;
}


const char *story_status_name(enum story_status s)
{
    switch (s) {
    case STORY_DRAFT:
        return "draft";
    case STORY_SCHEDULED:
        return "scheduled";
    case STORY_PUBLISHED:
        break;
    }
    return "published";
}

int story_status_parse(const char *s, enum story_status *out)
{
    static const enum story_status all[] = { STORY_PUBLISHED, STORY_DRAFT, STORY_SCHEDULED };
    for (size_t i = 0; s && i < GZ_NELEM(all); i++)
        if (strcmp(s, story_status_name(all[i])) == 0) {
            *out = all[i];
            return GZ_OK;
        }
    return GZ_EINVAL;
}
