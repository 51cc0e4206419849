#include "model/bundle.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "speech/speech.h"
#include "text/text.h"

#define SENTENCES_MAX 2000

/* Narration to write once everything is valid: nothing touches the media folder before. */
struct pending {
    int synth;       /* espeak-ng */
    char src[4096];  /* a recording to copy ("" when none) */
    char ext[8];
};

struct ctx {
    struct buf *problems;
    int n_problems;
    const struct bundle_opts *o;
    struct pending pend[LANG_COUNT];
};

static void problem(struct ctx *c, const char *field, const char *fmt, ...) GZ_PRINTF(3, 4);
static void problem(struct ctx *c, const char *field, const char *fmt, ...)
{
    va_list ap;

    buf_printf(c->problems, "%s: ", field);
    va_start(ap, fmt);
    buf_vprintf(c->problems, fmt, ap);
    va_end(ap);
    buf_putc(c->problems, '\n');
    c->n_problems++;
}

/* A string field: NULL (with a problem when required) unless valid UTF-8 without control
 * characters and 1..max_chars code points. */
static char *get_text(struct ctx *c, json_t *obj, const char *key, const char *field,
                      size_t max_chars, int required)
{
    json_t *v = json_object_get(obj, key);
    const char *s;
    size_t n;

    if (!v) {
        if (required)
            problem(c, field, "is required");
        return NULL;
    }
    if (!json_is_string(v)) {
        problem(c, field, "must be a string");
        return NULL;
    }
    s = json_string_value(v);
    n = json_string_length(v);
    if (memchr(s, '\0', n) || !utf8_valid(s, n) || text_has_control(s, n)) {
        problem(c, field, "holds control characters or invalid UTF-8");
        return NULL;
    }
    if (n == 0 && required) {
        problem(c, field, "must not be empty");
        return NULL;
    }
    if (utf8_len(s, n) > max_chars) {
        problem(c, field, "is longer than %zu characters", max_chars);
        return NULL;
    }
    return xstrndup(s, n);
}

static int slug_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n >= 1 && n <= max && strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

/* One sentence string: checked, then added (already split by the author). */
static void sentence_item(struct ctx *c, json_t *v, struct para *p, const char *field,
                          double start)
{
    const char *s;
    size_t n;

    if (!json_is_string(v)) {
        problem(c, field, "sentences must be strings");
        return;
    }
    s = json_string_value(v);
    n = json_string_length(v);
    if (memchr(s, '\0', n) || !utf8_valid(s, n) || text_has_control(s, n))
        problem(c, field, "holds control characters or invalid UTF-8");
    else if (n > 4000)
        problem(c, field, "a sentence is longer than 4000 bytes");
    else if (n == 0 || strspn(s, " \t\r\n") == n)
        problem(c, field, "has an empty sentence");
    else
        para_add(p, s, n, start);
}

static void body_para(struct ctx *c, json_t *v, struct para *p, const char *field)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        size_t n = json_string_length(v), k;
        struct str *parts;

        if (memchr(s, '\0', n) || !utf8_valid(s, n) || text_has_control(s, n)) {
            problem(c, field, "holds control characters or invalid UTF-8");
            return;
        }
        k = text_split(s, n, NULL, 0);
        if (k == 0) {
            problem(c, field, "is empty");
            return;
        }
        parts = xcalloc(k, sizeof *parts);
        text_split(s, n, parts, k);
        for (size_t i = 0; i < k; i++) {
            if (parts[i].len > 4000)
                problem(c, field, "a sentence is longer than 4000 bytes");
            else
                para_add(p, parts[i].p, parts[i].len, 0.0);
        }
        free(parts);
    } else if (json_is_array(v)) {
        size_t i;
        json_t *it;
        if (json_array_size(v) == 0)
            problem(c, field, "is an empty list");
        json_array_foreach(v, i, it) sentence_item(c, it, p, field, 0.0);
    } else if (json_is_object(v)) {
        json_t *sents = json_object_get(v, "sentences"), *spoken = json_object_get(v, "spoken"), *it;
        size_t i;
        double start = spoken && json_is_false(spoken) ? NAN : 0.0;
        if (!json_is_array(sents) || json_array_size(sents) == 0) {
            problem(c, field, "needs a non-empty 'sentences' list");
            return;
        }
        if (spoken && !json_is_boolean(spoken))
            problem(c, field, "'spoken' must be true or false");
        json_array_foreach(sents, i, it) sentence_item(c, it, p, field, start);
    } else {
        problem(c, field, "must be a string, a list of sentences or an object");
    }
}

/* Sentences of a given transcript must match the body's, in order. */
static void apply_transcript(struct ctx *c, struct transcript *body, const struct transcript *tr,
                             const char *field)
{
    size_t bi = 0, bj = 0;

    for (size_t i = 0; i < tr->n_para; i++) {
        for (size_t j = 0; j < tr->para[i].n_sent; j++) {
            const struct sent *ts = &tr->para[i].sent[j];
            while (bi < body->n_para && bj >= body->para[bi].n_sent) {
                bi++;
                bj = 0;
            }
            if (bi >= body->n_para) {
                problem(c, field, "has more sentences than the body");
                return;
            }
            if (strcmp(ts->text, body->para[bi].sent[bj].text) != 0) {
                problem(c, field, "sentence %zu.%zu does not match the body's ('%.40s')", i, j,
                        ts->text);
                return;
            }
            body->para[bi].sent[bj].start = ts->start;
            bj++;
        }
    }
    body->end = tr->end;
}

/* Every start present is >= 0, never decreasing, and not after the end. */
static void check_times(struct ctx *c, const struct transcript *t, double duration,
                        const char *field)
{
    double prev = 0;
    for (size_t i = 0; i < t->n_para; i++) {
        for (size_t j = 0; j < t->para[i].n_sent; j++) {
            double s = t->para[i].sent[j].start;
            if (isnan(s))
                continue;
            if (s < prev) {
                problem(c, field, "start times must not decrease (%.3f after %.3f)", s, prev);
                return;
            }
            prev = s;
        }
    }
    if (!isnan(t->end) && t->end < prev)
        problem(c, field, "the final segment (%.3f) is before the last start", t->end);
    if (duration > 0 && prev > duration + 0.5)
        problem(c, field, "a start (%.3f s) is after the end of the audio (%.3f s)", prev,
                duration);
}

/* A path inside the bundle's folder: relative, no ".." component. */
static int inside(const char *p)
{
    if (!p || !*p || p[0] == '/')
        return 0;
    for (const char *q = p; *q;) {
        size_t n = strcspn(q, "/");
        if (n == 2 && q[0] == '.' && q[1] == '.')
            return 0;
        q += n;
        q += *q == '/';
    }
    return 1;
}

/* Media names are slug.lang.HASH.ext with HASH from the file's CONTENT: a different recording
 * always gets a different name, so a live file is never replaced, and the same recording
 * imported again is the same file. */
static char *media_name(const char *slug, enum lang l, const unsigned char *h, size_t hn,
                        const char *ext)
{
    char hex[2 * 16 + 1];
    struct buf b;

    sodium_bin2hex(hex, sizeof hex, h, hn);
    buf_init(&b, 0);
    buf_printf(&b, "%s.%s.%s.%s", slug, lang_code(l), hex, ext);
    return buf_take(&b, NULL);
}

/* Move tmp to dst unless dst exists (then it holds the same content: its name is the hash).
 * Never overwrites. OUT: *created, 1 when dst is new. */
static int publish_file(const char *tmp, const char *dst, int *created, struct err *err)
{
    *created = 0;
    if (link(tmp, dst) == 0) {
        *created = 1;
    } else if (errno != EEXIST) {
        int e = errno;
        unlink(tmp);
        return err_set(err, GZ_EIO, "cannot create '%s': %s", dst, strerror(e));
    }
    unlink(tmp);
    return GZ_OK;
}

/* Copy src into the media folder under its content name. OUT: *name (free it), *created. */
static int copy_audio(const char *src, const char *media_dir, const char *slug, enum lang l,
                      const char *ext, char **name, int *created, struct err *err)
{
    char tmp[4096], dst[4096], chunk[1 << 16];
    unsigned char h[16];
    crypto_generichash_state hs;
    int in = -1, out = -1, rc = GZ_OK;
    ssize_t n;
    long long total = 0;

    *name = NULL;
    *created = 0;
    crypto_generichash_init(&hs, NULL, 0, sizeof h);
    snprintf(tmp, sizeof tmp, "%s/.import-%ld-%s.tmp", media_dir, (long)getpid(), lang_code(l));
    in = open(src, O_RDONLY | O_CLOEXEC);
    if (in < 0)
        return err_set(err, GZ_EIO, "cannot open '%s': %s", src, strerror(errno));
    out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (out < 0) {
        rc = err_set(err, GZ_EIO, "cannot create '%s': %s", tmp, strerror(errno));
        goto out;
    }
    while ((n = read(in, chunk, sizeof chunk)) > 0) {
        total += n;
        if (total > BUNDLE_AUDIO_MAX) {
            rc = err_set(err, GZ_ETOOBIG, "'%s' is larger than 200 MB", src);
            goto out;
        }
        crypto_generichash_update(&hs, (const unsigned char *)chunk, (size_t)n);
        if (write(out, chunk, (size_t)n) != n) {
            rc = err_set(err, GZ_EIO, "cannot write '%s': %s", tmp, strerror(errno));
            goto out;
        }
    }
    if (n < 0)
        rc = err_set(err, GZ_EIO, "cannot read '%s': %s", src, strerror(errno));
    else if (fsync(out) != 0)
        rc = err_set(err, GZ_EIO, "cannot flush '%s': %s", tmp, strerror(errno));
out:
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0 && rc == GZ_OK)
        rc = err_set(err, GZ_EIO, "cannot close '%s': %s", tmp, strerror(errno));
    if (rc != GZ_OK) {
        if (out >= 0)
            unlink(tmp);
        return rc;
    }
    crypto_generichash_final(&hs, h, sizeof h);
    *name = media_name(slug, l, h, sizeof h, ext);
    snprintf(dst, sizeof dst, "%s/%s", media_dir, *name);
    rc = publish_file(tmp, dst, created, err);
    if (rc != GZ_OK) {
        free(*name);
        *name = NULL;
    }
    return rc;
}

/* Synthesise language l into the media folder under its content name. */
static int synth_audio(struct story *s, enum lang l, const char *media_dir, int *created,
                       struct err *err)
{
    struct story_lang *sl = &s->l[l];
    char tmp[4096], dst[4096];
    unsigned char h[16];
    struct pcm pcm;
    int rc;

    *created = 0;
    rc = speech_narrate(l, &sl->tr, &pcm, err);
    if (rc != GZ_OK)
        return rc;
    crypto_generichash(h, sizeof h, (const unsigned char *)pcm.s, pcm.n * sizeof *pcm.s, NULL,
                       0);
    snprintf(tmp, sizeof tmp, "%s/.import-%ld-%s.mp3", media_dir, (long)getpid(), lang_code(l));
    rc = speech_write(tmp, &pcm, err);
    if (rc == GZ_OK) {
        sl->audio = media_name(s->slug, l, h, sizeof h, "mp3");
        sl->duration = (double)pcm.n / pcm.sr_hz;
        sl->synthetic = 1;
        snprintf(dst, sizeof dst, "%s/%s", media_dir, sl->audio);
        rc = publish_file(tmp, dst, created, err);
    } else {
        unlink(tmp);
    }
    pcm_release(&pcm);
    return rc;
}

/* Write every pending narration; on a failure remove what this import created. */
static void write_media(struct ctx *c, struct story *s)
{
    char made[LANG_COUNT][4096];
    struct err err = { 0 };
    int n_made = 0;

    for (int l = 0; l < LANG_COUNT && c->n_problems == 0; l++) {
        struct pending *pd = &c->pend[l];
        char field[64];
        int created = 0, rc = GZ_OK;

        snprintf(field, sizeof field, "%s.narration", lang_code((enum lang)l));
        if (pd->synth)
            rc = synth_audio(s, (enum lang)l, c->o->media_dir, &created, &err);
        else if (pd->src[0])
            rc = copy_audio(pd->src, c->o->media_dir, s->slug, (enum lang)l, pd->ext,
                            &s->l[l].audio, &created, &err);
        else
            continue;
        if (rc != GZ_OK) {
            problem(c, field, "%s", err.msg);
            break;
        }
        if (created)
            snprintf(made[n_made++], sizeof made[0], "%s/%s", c->o->media_dir, s->l[l].audio);
    }
    if (c->n_problems)
        for (int i = 0; i < n_made; i++)
            unlink(made[i]);
}

static void narration(struct ctx *c, json_t *nar, struct story *s, enum lang l)
{
    struct story_lang *sl = &s->l[l];
    char field[64];
    json_t *audio = NULL, *tr = NULL, *syn;
    struct err err = { 0 };

    snprintf(field, sizeof field, "%s.narration", lang_code(l));
    if (!nar)
        goto untimed;
    if (!json_is_object(nar)) {
        problem(c, field, "must be an object");
        return;
    }
    audio = json_object_get(nar, "audio");
    tr = json_object_get(nar, "transcript");
    syn = json_object_get(nar, "synthesize");
    if (syn && (audio || tr)) {
        problem(c, field, "'synthesize' cannot be combined with 'audio' or 'transcript'");
        return;
    }
    if (syn) {
        if (!json_is_string(syn) || strcmp(json_string_value(syn), "espeak-ng") != 0) {
            problem(c, field, "'synthesize' must be \"espeak-ng\"");
            return;
        }
        c->pend[l].synth = 1; /* written once every language is valid */
        return;
    }
    if (tr) {
        struct transcript t;
        char *text = NULL;
        size_t tl = 0;
        if (json_is_object(tr) || json_is_array(tr)) {
            text = json_dumps(tr, JSON_COMPACT);
            tl = text ? strlen(text) : 0;
        } else if (json_is_string(tr) && c->o->base_dir && !inside(json_string_value(tr))) {
            problem(c, field, "'transcript' must be a path inside the bundle's folder");
            goto untimed;
        } else if (json_is_string(tr) && c->o->base_dir) {
            char p[4096];
            FILE *f;
            snprintf(p, sizeof p, "%s/%s", c->o->base_dir, json_string_value(tr));
            f = fopen(p, "rb");
            if (!f) {
                problem(c, field, "cannot read transcript '%s': %s", json_string_value(tr),
                        strerror(errno));
                goto untimed;
            }
            text = xmalloc(8 << 20);
            tl = fread(text, 1, 8 << 20, f);
            fclose(f);
        } else {
            problem(c, field, "'transcript' must be an object or a file path");
            goto untimed;
        }
        if (transcript_parse(text, tl, &t, &err) != GZ_OK) {
            problem(c, field, "%s", err.msg);
        } else {
            apply_transcript(c, &sl->tr, &t, field);
            transcript_release(&t);
        }
        free(text);
    }
    if (audio && !tr) /* recorded but not yet timed: every start is null until aligned */
        for (size_t i = 0; i < sl->tr.n_para; i++)
            for (size_t j = 0; j < sl->tr.para[i].n_sent; j++)
                sl->tr.para[i].sent[j].start = NAN;
    if (audio) {
        char src[4096];
        const char *name = json_is_string(audio) ? json_string_value(audio) : NULL;
        const char *dot = name ? strrchr(name, '.') : NULL;
        static const char *const exts[] = { ".mp3", ".ogg", ".opus", ".wav", ".flac" };
        int ext_ok = 0;
        double dur = 0;

        for (size_t i = 0; dot && i < GZ_NELEM(exts); i++)
            ext_ok |= strcmp(dot, exts[i]) == 0;
        if (!name || !c->o->base_dir || !ext_ok || !inside(name)) {
            problem(c, field, "'audio' must be a relative path inside the bundle's folder to an "
                              "mp3, ogg, opus, wav or flac file");
            return;
        }
        snprintf(src, sizeof src, "%s/%s", c->o->base_dir, name);
        if (speech_probe(src, &dur, &err) != GZ_OK) {
            problem(c, field, "%s", err.msg);
            return;
        }
        sl->duration = dur;
        check_times(c, &sl->tr, dur, field);
        snprintf(c->pend[l].src, sizeof c->pend[l].src, "%s", src);
        snprintf(c->pend[l].ext, sizeof c->pend[l].ext, "%s", dot + 1);
        return;
    }
untimed:
    /* No narration: no sentence is timed. */
    for (size_t i = 0; i < sl->tr.n_para; i++)
        for (size_t j = 0; j < sl->tr.para[i].n_sent; j++)
            if (!tr)
                sl->tr.para[i].sent[j].start = NAN;
    if (!tr)
        sl->tr.end = NAN;
}

static void lang_block(struct ctx *c, json_t *root, struct story *s, enum lang l,
                       json_t *byline)
{
    const char *code = lang_code(l);
    json_t *o = json_object_get(root, code), *body, *it;
    struct story_lang *sl = &s->l[l];
    char field[64];
    size_t i, total = 0;

    if (!o)
        return;
    if (!json_is_object(o)) {
        problem(c, code, "must be an object");
        return;
    }
    sl->present = 1;
    sl->tr.end = NAN;
    snprintf(field, sizeof field, "%s.headline", code);
    sl->headline = get_text(c, o, "headline", field, 300, 1);
    snprintf(field, sizeof field, "%s.standfirst", code);
    sl->standfirst = get_text(c, o, "standfirst", field, 600, 0);
    snprintf(field, sizeof field, "%s.summary", code);
    sl->summary = get_text(c, o, "summary", field, 300, 0);
    if (!sl->standfirst)
        sl->standfirst = xstrdup("");
    if (!sl->summary)
        sl->summary = xstrdup(sl->standfirst);
    snprintf(field, sizeof field, "byline.%s", code);
    sl->byline = byline ? get_text(c, byline, code, field, 200, 0) : NULL;
    if (!sl->byline)
        sl->byline = xstrdup("");
    body = json_object_get(o, "body");
    snprintf(field, sizeof field, "%s.body", code);
    if (!json_is_array(body) || json_array_size(body) == 0 || json_array_size(body) > 500) {
        problem(c, field, "must be a list of 1 to 500 paragraphs");
        return;
    }
    sl->tr.para = xcalloc(json_array_size(body), sizeof *sl->tr.para);
    json_array_foreach(body, i, it)
    {
        snprintf(field, sizeof field, "%s.body[%zu]", code, i);
        body_para(c, it, &sl->tr.para[sl->tr.n_para++], field);
        total += sl->tr.para[sl->tr.n_para - 1].n_sent;
    }
    if (total > SENTENCES_MAX) {
        snprintf(field, sizeof field, "%s.body", code);
        problem(c, field, "has more than %d sentences", SENTENCES_MAX);
    }
}

/* One side of a pairs item: a paragraph index below n, or a list of consecutive ones. */
static int pair_side_ok(json_t *v, size_t n)
{
    size_t i;
    json_t *it;
    json_int_t prev = -1;

    if (json_is_integer(v))
        return json_integer_value(v) >= 0 && (size_t)json_integer_value(v) < n;
    if (!json_is_array(v) || json_array_size(v) == 0)
        return 0;
    json_array_foreach(v, i, it)
    {
        if (!json_is_integer(it) || json_integer_value(it) < 0 ||
            (size_t)json_integer_value(it) >= n || (prev >= 0 && json_integer_value(it) != prev + 1))
            return 0;
        prev = json_integer_value(it);
    }
    return 1;
}

int bundle_load(const char *json, size_t len, const struct bundle_opts *o, struct story **out,
                struct buf *problems)
{
    struct ctx c;
    json_error_t jerr;
    json_t *root, *v, *sec, *tags, *pairs;
    struct story *s = NULL;
    char *pub = NULL;

    memset(&c, 0, sizeof c);
    c.problems = problems;
    c.o = o;
    *out = NULL;
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        problem(&c, "(document)", "invalid JSON at line %d column %d: %s", jerr.line,
                jerr.column, jerr.text);
        return GZ_EINVAL;
    }
    if (!json_is_object(root)) {
        problem(&c, "(document)", "must be a JSON object");
        goto out;
    }
    s = xcalloc(1, sizeof *s);
    s->l[0].tr.end = s->l[1].tr.end = NAN;
    v = json_object_get(root, "gazette_bundle");
    if (!json_is_integer(v) || json_integer_value(v) != 1)
        problem(&c, "gazette_bundle", "must be 1");
    s->slug = get_text(&c, root, "slug", "slug", 64, 1);
    if (s->slug && !slug_ok(s->slug, 64))
        problem(&c, "slug", "must match [a-z0-9-]{1,64}");
    sec = json_object_get(root, "section");
    if (!json_is_object(sec)) {
        problem(&c, "section", "is required: {\"slug\", \"zh\", \"en\"}");
    } else {
        s->section_slug = get_text(&c, sec, "slug", "section.slug", 32, 1);
        if (s->section_slug && !slug_ok(s->section_slug, 32))
            problem(&c, "section.slug", "must match [a-z0-9-]{1,32}");
        s->section_zh = get_text(&c, sec, "zh", "section.zh", 40, 1);
        s->section_en = get_text(&c, sec, "en", "section.en", 60, 1);
    }
    tags = json_object_get(root, "tags");
    if (tags) {
        struct buf t;
        size_t i;
        json_t *it;
        buf_init(&t, 0);
        if (!json_is_array(tags) || json_array_size(tags) > 16)
            problem(&c, "tags", "must be a list of at most 16 strings");
        else
            json_array_foreach(tags, i, it)
            {
                const char *tv = json_string_value(it);
                size_t tn = tv ? strlen(tv) : 0;
                if (!tv || tn == 0 || utf8_len(tv, tn) > 32 || strchr(tv, ',') ||
                    !utf8_valid(tv, tn) || text_has_control(tv, tn)) {
                    problem(&c, "tags", "each tag is 1 to 32 characters without commas");
                    break;
                }
                if (t.len)
                    buf_putc(&t, ',');
                buf_puts(&t, tv);
            }
        s->tags = buf_take(&t, NULL);
    }
    pub = get_text(&c, root, "published", "published", 20, 1);
    if (pub && !time_parse_utc(pub, &s->published))
        problem(&c, "published", "must be RFC 3339 UTC like 2026-11-20T08:00:00Z");
    s->copyright = get_text(&c, root, "copyright", "copyright", 300, 0);
    v = json_object_get(root, "byline");
    if (v && !json_is_object(v)) {
        problem(&c, "byline", "must be an object {\"en\", \"zh\"}");
        v = NULL;
    }
    lang_block(&c, root, s, LANG_EN, v);
    lang_block(&c, root, s, LANG_ZH, v);
    if (!s->l[LANG_EN].present && !s->l[LANG_ZH].present)
        problem(&c, "en/zh", "at least one language is required");
    pairs = json_object_get(root, "pairs");
    if (pairs) {
        size_t i;
        json_t *it;
        if (!json_is_array(pairs))
            problem(&c, "pairs", "must be a list of [en, zh] paragraph indices");
        else
            json_array_foreach(pairs, i, it)
            {
                if (!json_is_array(it) || json_array_size(it) != 2) {
                    problem(&c, "pairs", "item %zu must be [en, zh]", i);
                    break;
                }
                if (!pair_side_ok(json_array_get(it, 0), s->l[LANG_EN].tr.n_para) ||
                    !pair_side_ok(json_array_get(it, 1), s->l[LANG_ZH].tr.n_para)) {
                    problem(&c, "pairs",
                            "item %zu names a paragraph that does not exist (en has %zu, zh "
                            "%zu)",
                            i, s->l[LANG_EN].tr.n_para, s->l[LANG_ZH].tr.n_para);
                    break;
                }
            }
        s->pairs = json_dumps(pairs, JSON_COMPACT);
        if (!s->pairs)
            problem(&c, "pairs", "cannot be encoded");
    }
    /* Narration last, in two passes: every language is checked before any file is written,
     * so a broken second language leaves the media folder as it was. */
    for (int l = 0; l < LANG_COUNT && c.n_problems == 0; l++)
        if (s->l[l].present)
            narration(&c, json_object_get(json_object_get(root, lang_code((enum lang)l)),
                                          "narration"),
                      s, (enum lang)l);
    if (c.n_problems == 0 && !o->validate_only)
        write_media(&c, s);
out:
    free(pub);
    json_decref(root);
    if (c.n_problems) {
        story_free(s);
        return GZ_EINVAL;
    }
    *out = s;
    return GZ_OK;
}
