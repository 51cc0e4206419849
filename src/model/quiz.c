#include "model/quiz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "text/text.h"

static char *pair_get(json_t *o, enum lang l)
{
    json_t *v = json_object_get(o, lang_code(l));
    const char *s = json_string_value(v);
    size_t n = s ? json_string_length(v) : 0;
    if (!s || n == 0 || n > 2000 || !utf8_valid(s, n) || text_has_control(s, n))
        return NULL;
    return xstrndup(s, n);
}

/* Both languages of a {"zh": …, "en": …} text; at least one. */
static int pair(json_t *o, char *out[LANG_COUNT], struct buf *problems, const char *field)
{
    out[LANG_EN] = json_is_object(o) ? pair_get(o, LANG_EN) : NULL;
    out[LANG_ZH] = json_is_object(o) ? pair_get(o, LANG_ZH) : NULL;
    if (!out[LANG_EN] && !out[LANG_ZH]) {
        buf_printf(problems, "%s: needs {\"zh\": text, \"en\": text} (1 to 2000 bytes)\n", field);
        return 0;
    }
    /* One language stands in for the other. */
    if (!out[LANG_EN])
        out[LANG_EN] = xstrdup(out[LANG_ZH]);
    if (!out[LANG_ZH])
        out[LANG_ZH] = xstrdup(out[LANG_EN]);
    return 1;
}

static void shuffle(struct quiz_question *qq, const char *seed, size_t i)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = seed; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ i) * 1099511628211ULL;
    for (int k = 0; k < QUIZ_OPTIONS; k++)
        qq->order[k] = k;
    for (int k = QUIZ_OPTIONS - 1; k > 0; k--) {
        int j, t;
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdULL;
        h ^= h >> 33;
        j = (int)(h % (uint64_t)(k + 1));
        t = qq->order[k];
        qq->order[k] = qq->order[j];
        qq->order[j] = t;
    }
}

int quiz_parse(const char *json, size_t len, struct quiz *q, struct buf *problems)
{
    json_error_t je;
    json_t *root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je), *qs, *it;
    size_t i, before = problems->len;

    memset(q, 0, sizeof *q);
    if (!json_is_object(root)) {
        buf_printf(problems, "(document): invalid JSON at line %d: %s\n", je.line, je.text);
        json_decref(root);
        return GZ_EINVAL;
    }
    if (json_object_get(root, "slug")) {
        const char *s = json_string_value(json_object_get(root, "slug"));
        if (!s || !*s || strlen(s) > 64 ||
            strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(s))
            buf_puts(problems, "slug: must match [a-z0-9-]{1,64}\n");
        else
            q->slug = xstrdup(s);
    }
    if (json_object_get(root, "title"))
        pair(json_object_get(root, "title"), q->title, problems, "title");
    if (json_object_get(root, "published")) {
        const char *p = json_string_value(json_object_get(root, "published"));
        if (!p || !time_parse_utc(p, &q->published))
            buf_puts(problems, "published: must be RFC 3339 UTC like 2026-11-27T08:00:00Z\n");
    }
    qs = json_object_get(root, "questions");
    if (!json_is_array(qs) || json_array_size(qs) == 0 ||
        json_array_size(qs) > QUIZ_MAX_QUESTIONS) {
        buf_printf(problems, "questions: must be a list of 1 to %d questions\n",
                   QUIZ_MAX_QUESTIONS);
    } else {
        json_array_foreach(qs, i, it)
        {
            struct quiz_question *qq = &q->q[q->n_q++];
            json_t *wrong = json_object_get(it, "wrong");
            char field[64];
            snprintf(field, sizeof field, "questions[%zu].question", i);
            pair(json_object_get(it, "question"), qq->text, problems, field);
            snprintf(field, sizeof field, "questions[%zu].answer", i);
            pair(json_object_get(it, "answer"), qq->option[0], problems, field);
            if (!json_is_array(wrong) || json_array_size(wrong) != QUIZ_OPTIONS - 1) {
                buf_printf(problems, "questions[%zu].wrong: must list 3 wrong answers\n", i);
            } else {
                for (size_t k = 0; k < QUIZ_OPTIONS - 1; k++) {
                    snprintf(field, sizeof field, "questions[%zu].wrong[%zu]", i, k);
                    pair(json_array_get(wrong, k), qq->option[k + 1], problems, field);
                }
            }
            snprintf(field, sizeof field, "questions[%zu].explain", i);
            pair(json_object_get(it, "explain"), qq->explain, problems, field);
            if (json_is_string(json_object_get(it, "story")))
                qq->story_slug = xstrdup(json_string_value(json_object_get(it, "story")));
            shuffle(qq, q->slug ? q->slug : "quiz", i);
        }
    }
    json_decref(root);
    if (problems->len != before) {
        quiz_release(q);
        return GZ_EINVAL;
    }
    return GZ_OK;
}

static void pair_json(struct buf *b, char *const v[LANG_COUNT])
{
    buf_puts(b, "{\"zh\":");
    json_str(b, v[LANG_ZH], strlen(v[LANG_ZH]));
    buf_puts(b, ",\"en\":");
    json_str(b, v[LANG_EN], strlen(v[LANG_EN]));
    buf_putc(b, '}');
}

void quiz_body_json(struct buf *b, const struct quiz *q)
{
    buf_puts(b, "{\"slug\":");
    json_str(b, q->slug ? q->slug : "quiz", strlen(q->slug ? q->slug : "quiz"));
    buf_puts(b, ",\"questions\":[");
    for (size_t i = 0; i < q->n_q; i++) {
        const struct quiz_question *qq = &q->q[i];
        if (i)
            buf_putc(b, ',');
        buf_puts(b, "{\"question\":");
        pair_json(b, qq->text);
        buf_puts(b, ",\"answer\":");
        pair_json(b, qq->option[0]);
        buf_puts(b, ",\"wrong\":[");
        for (int k = 1; k < QUIZ_OPTIONS; k++) {
            if (k > 1)
                buf_putc(b, ',');
            pair_json(b, qq->option[k]);
        }
        buf_puts(b, "],\"explain\":");
        pair_json(b, qq->explain);
        if (qq->story_slug) {
            buf_puts(b, ",\"story\":");
            json_str(b, qq->story_slug, strlen(qq->story_slug));
        }
        buf_putc(b, '}');
    }
    buf_puts(b, "]}");
}

int quiz_correct(const struct quiz *q, size_t i)
{
    for (int k = 0; k < QUIZ_OPTIONS; k++)
        if (q->q[i].order[k] == 0)
            return k;
    return 0;
}

void quiz_release(struct quiz *q)
{
    free(q->slug);
    for (int l = 0; l < LANG_COUNT; l++)
        free(q->title[l]);
    for (size_t i = 0; i < q->n_q; i++) {
        struct quiz_question *qq = &q->q[i];
        for (int l = 0; l < LANG_COUNT; l++) {
            free(qq->text[l]);
            free(qq->explain[l]);
            for (int k = 0; k < QUIZ_OPTIONS; k++)
                free(qq->option[k][l]);
        }
        free(qq->story_slug);
    }
    memset(q, 0, sizeof *q);
}
