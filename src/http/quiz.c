/* quiz.c: GET /quiz/<id> (the form, or this reader's results) and POST /quiz/<id> (one
 * attempt per reader: the account when signed in, else an anonymous cookie). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "auth/auth.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/form.h"
#include "http/http_int.h"
#include "render/render.h"
#include "service/quiz.h"

/* Who is answering: "u:<id>" or "c:<token>"; creates the cookie when asked to. */
static int who(struct req *r, char *out, size_t cap, int create)
{
    const char *c = http_cookie(r, "gz_quiz");

    if (r->user_id) {
        snprintf(out, cap, "u:%lld", (long long)r->user_id);
        return 1;
    }
    if (c && strlen(c) == AUTH_TOKEN_LEN &&
        strspn(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
                AUTH_TOKEN_LEN) {
        snprintf(out, cap, "c:%s", c);
        return 1;
    }
    if (create) {
        char tok[AUTH_TOKEN_LEN + 1];
        auth_token_new(tok);
        /* As long as the answers it names are kept (PURGE_ATTEMPT: 90 days). */
        http_cookie_later(r, "gz_quiz", tok, 7776000, 1);
        snprintf(out, cap, "c:%s", tok);
        return 1;
    }
    return 0;
}

static enum MHD_Result show(struct req *r, int status, const struct quiz *q, const int *answers,
                            enum msg error)
{
    struct section_list secs = { 0 };
    struct page_ctx c;
    struct err err = { 0 };
    int64_t ids[QUIZ_MAX_QUESTIONS] = { 0 };
    struct buf b;
    size_t len;
    char *html;

    for (size_t i = 0; i < q->n_q; i++) {
        const char *slug = q->q[i].story_slug;
        int rc = slug ? r->st->ops->story_by_slug(r->st, slug, &ids[i], &err) : GZ_ENOTFOUND;
        if (rc != GZ_OK)
            ids[i] = 0; /* the question shows without its link to the story */
    }
    http_sections(r, &secs);
    http_page_ctx(r, &c, &secs);
    buf_init(&b, 0);
    page_quiz(&b, &c, q, answers, ids, error);
    html = http_splice(r, buf_cstr(&b), b.len, c.csrf_at, c.n_csrf, &len);
    buf_release(&b);
    section_list_release(&secs);
    return http_send(r, status, "text/html; charset=utf-8", html, len, "no-store");
}

static int load(struct req *r, int64_t id, struct quiz *q)
{
    struct quiz_brief brief;
    struct buf body, problems;
    struct err err = { 0 };
    int rc;

    buf_init(&body, 0);
    buf_init(&problems, 0);
    rc = r->st->ops->quiz_get(r->st, id, &brief, &body, &err);
    if (rc == GZ_OK) {
        rc = quiz_parse(buf_cstr(&body), body.len, q, &problems);
        if (rc == GZ_OK) {
            q->id = id;
            q->published = brief.published;
            q->title[LANG_ZH] = xstrdup(brief.title_zh);
            q->title[LANG_EN] = xstrdup(brief.title_en ? brief.title_en : brief.title_zh);
        } else {
            log_error("quiz", "quiz %lld is stored malformed: %s", (long long)id,
                      buf_cstr(&problems));
        }
        quiz_brief_release(&brief);
    }
    buf_release(&body);
    buf_release(&problems);
    return rc;
}

/* Answers stored as a JSON list of shown indices. */
static int parse_answers(const char *json, size_t len, int *out, size_t n)
{
    json_t *a = json_loadb(json, len, 0, NULL);
    int ok = json_is_array(a) && json_array_size(a) == n;
    for (size_t i = 0; ok && i < n; i++)
        out[i] = (int)json_integer_value(json_array_get(a, i));
    json_decref(a);
    return ok;
}

enum MHD_Result quiz_route(struct req *r, int64_t id)
{
    struct quiz q;
    struct err err = { 0 };
    char w[64];
    int answers[QUIZ_MAX_QUESTIONS];
    enum MHD_Result ret;
    int rc = load(r, id, &q);

    if (rc == GZ_ENOTFOUND)
        return http_error(r, 404);
    if (rc != GZ_OK)
        return http_error(r, 500);
    if (!r->is_post) {
        struct buf prev;
        int64_t score;
        buf_init(&prev, 0);
        rc = who(r, w, sizeof w, 0) ? r->st->ops->attempt_get(r->st, id, w, &prev, &score, &err)
                                    : GZ_ENOTFOUND;
        if (rc == GZ_OK && parse_answers(buf_cstr(&prev), prev.len, answers, q.n_q))
            ret = show(r, 200, &q, answers, MSG_NONE);
        else
            ret = show(r, 200, &q, NULL, MSG_NONE);
        buf_release(&prev);
    } else {
        struct form f;
        struct buf js;
        int complete = 1, score = 0;
        if (!http_form(r, &f, &ret)) {
            quiz_release(&q);
            return ret;
        }
        buf_init(&js, 0);
        buf_putc(&js, '[');
        for (size_t i = 0; i < q.n_q; i++) {
            char name[32];
            const char *v;
            snprintf(name, sizeof name, "q%zu", i);
            v = form_get(&f, name);
            answers[i] = v && v[0] >= '0' && v[0] < '0' + QUIZ_OPTIONS && !v[1] ? v[0] - '0' : -1;
            complete &= answers[i] >= 0;
            score += answers[i] == quiz_correct(&q, i);
            buf_printf(&js, "%s%d", i ? "," : "", answers[i]);
        }
        buf_putc(&js, ']');
        form_release(&f);
        if (!complete) {
            ret = show(r, 400, &q, NULL, MSG_QUIZ_ALL);
        } else {
            who(r, w, sizeof w, 1);
            struct buf prev;
            int64_t s2;
            buf_init(&prev, 0);
            rc = qz_answer(r->st, id, w, buf_cstr(&js), score, clock_now(), &prev, &s2, &err);
            if (rc == GZ_ECONFLICT) {
                /* Already answered: show the first attempt, never a second one. */
                parse_answers(buf_cstr(&prev), prev.len, answers, q.n_q);
                ret = show(r, 409, &q, answers, MSG_NONE);
            } else if (rc != GZ_OK) {
                log_error("quiz", "cannot store an answer: %s", err.msg);
                ret = http_error(r, http_status(rc));
            } else {
                /* Post/redirect/get: a reload shows the result, it does not post again. */
                char to[48];
                snprintf(to, sizeof to, "/quiz/%lld", (long long)id);
                ret = http_redirect(r, 303, to);
            }
            buf_release(&prev);
        }
        buf_release(&js);
    }
    quiz_release(&q);
    return ret;
}
