/*
 * newsroom.c: editors' routes (role editor or admin, CSRF on every POST):
 *   /newsroom                          stories by section and state
 *   /newsroom/new, /newsroom/story/ID  the editor: save, publish, schedule, unpublish
 *   /newsroom/story/ID/autosave        the same save as JSON, for the page's autosave
 *   /newsroom/story/ID/preview/MODE    the story in the real page template
 *   /newsroom/story/ID/narration/LANG  upload a recording (streamed to disk) and time it
 *   /newsroom/story/ID/image           upload a picture (streamed to disk, then service flow)
 *   /newsroom/story/ID/lead            choose the story's lead picture
 *   /newsroom/story/ID/synthesize/LANG espeak-ng narration, timed exactly
 *   /newsroom/story/ID/job/LANG        the latest job as JSON (progress)
 *   /newsroom/story/ID/timing/LANG     review: starts, not spoken, import, export, peaks
 *   /newsroom/users                    roles (admin)
 *   /newsroom/quiz                     publish a quiz bundle
 * Saves carry the version the editor started from; a newer stored version means another
 * editor saved meanwhile, and nothing is overwritten (409, the editor's text shown back).
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sndfile.h>

#include "auth/auth.h"
#include "core/clock.h"
#include "core/log.h"
#include "http/form.h"
#include "http/http_int.h"
#include "model/markdown.h"
#include "model/quiz.h"
#include "render/render.h"
#include "service/newsroom.h"
#include "speech/speech.h"
#include "text/text.h"

#define UPLOAD_MAX ((uint64_t)200 << 20)
#define IMAGE_UPLOAD_MAX ((uint64_t)20 << 20)

/* ---- who may ---- */

/* 1 when the reader is an editor (or admin, when admin is set). Otherwise queues the answer
 * (sign in, or 403) in *ret and returns 0. */
static int allowed(struct req *r, int admin, enum MHD_Result *ret)
{
    struct user u;
    struct err err = { 0 };
    int ok = 0, rc;

    if (!r->user_id) {
        char to[600];
        snprintf(to, sizeof to, "/login?back=%s", r->path);
        *ret = http_redirect(r, 303, form_local_path(to));
        return 0;
    }
    rc = r->st->ops->user_get(r->st, r->user_id, &u, &err);
    if (rc == GZ_OK) {
        ok = u.role == ROLE_ADMIN || (!admin && u.role == ROLE_EDITOR);
        user_release(&u);
    } else if (rc != GZ_ENOTFOUND) { /* the role is unknown, not refused */
        log_error("newsroom", "%s %s: cannot read the account: %s", r->method, r->path, err.msg);
        *ret = http_error(r, http_store_status(r, rc));
        return 0;
    }
    if (!ok)
        *ret = http_error(r, 403);
    return ok;
}

static void ctx_for(struct req *r, struct page_ctx *c, struct section_list *secs)
{
    memset(c, 0, sizeof *c);
    http_sections(r, secs);
    http_page_ctx(r, c, secs);
    c->newsroom = 1;
}

static enum MHD_Result send_page(struct req *r, int status, struct buf *b, struct page_ctx *c)
{
    size_t len;
    char *html = http_splice(r, buf_cstr(b), b->len, c->csrf_at, c->n_csrf, &len);
    buf_release(b);
    return http_send(r, status, "text/html; charset=utf-8", html, len, "no-store");
}

static enum MHD_Result send_json(struct req *r, int status, json_t *j)
{
    /* j is NULL when json_pack refused a value (a string that is not UTF-8), and json_dumps
     * refuses the same: answer that plainly instead of dereferencing NULL. */
    char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return http_text(r, status >= 400 ? status : 500, "cannot encode the answer\n");
    return http_send(r, status, "application/json", text, strlen(text), "no-store");
}

/* A story read failed: 404 only when it is not there; a busy database is 503 with
 * Retry-After, a full disk 507, anything else 500 (logged). */
static enum MHD_Result read_failed(struct req *r, int rc, const struct err *err)
{
    if (rc == GZ_ENOTFOUND)
        return http_error(r, 404);
    log_error("newsroom", "%s %s: %s", r->method, r->path, err->msg);
    return http_error(r, http_store_status(r, rc));
}

/* What to tell an editor whose change the store refused for its own reasons. */
static enum msg store_trouble(int rc)
{
    return rc == GZ_EFULL ? MSG_ERR_DISK_FULL : rc == GZ_EBUSY ? MSG_ERR_BUSY : MSG_SERVER_ERROR;
}

/* ---- the editor ---- */

static const char *field(const struct form *f, const char *name)
{
    const char *v = form_get(f, name);
    return v && *v ? v : NULL;
}

/* "0-0, 1-1, 2-2+3" -> [[0,0],[1,1],[2,[2,3]]]; NULL when empty. */
static int parse_pairs(const char *s, char **out)
{
    struct buf b;
    int first = 1;

    *out = NULL;
    if (!s || !*s)
        return 1;
    buf_init(&b, 4096);
    buf_putc(&b, '[');
    while (*s) {
        char *end;
        long a, z;
        while (*s == ' ' || *s == ',')
            s++;
        if (!*s)
            break;
        a = strtol(s, &end, 10);
        if (end == s || *end != '-' || a < 0)
            goto bad;
        buf_printf(&b, "%s[%ld,", first ? "" : ",", a);
        first = 0;
        s = end + 1;
        z = strtol(s, &end, 10);
        if (end == s || z < 0)
            goto bad;
        s = end;
        if (*s == '+') {
            buf_printf(&b, "[%ld", z);
            while (*s == '+') {
                z = strtol(s + 1, &end, 10);
                if (end == s + 1)
                    goto bad;
                buf_printf(&b, ",%ld", z);
                s = end;
            }
            buf_putc(&b, ']');
        } else {
            buf_printf(&b, "%ld", z);
        }
        buf_putc(&b, ']');
    }
    buf_putc(&b, ']');
    *out = buf_take(&b, NULL);
    return 1;
bad:
    buf_release(&b);
    return 0;
}

/* "3, 5" -> [3,5]; NULL when empty. */
static int parse_related(const char *s, char **out)
{
    struct buf b;
    int n = 0;

    *out = NULL;
    if (!s || !*s)
        return 1;
    buf_init(&b, 4096);
    buf_putc(&b, '[');
    while (*s) {
        char *end;
        long v;
        while (*s == ' ' || *s == ',')
            s++;
        if (!*s)
            break;
        v = strtol(s, &end, 10);
        if (end == s || v <= 0) {
            buf_release(&b);
            return 0;
        }
        buf_printf(&b, "%s%ld", n++ ? "," : "", v);
        s = end;
    }
    buf_putc(&b, ']');
    *out = buf_take(&b, NULL);
    return 1;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

/* Build the story the form describes, starting from old (NULL for a new one): the editor's
 * fields replace the text; narration and the times of unchanged sentences carry over.
 * OUT: *needs_timing per language (narrated sentences without a time while audio exists).
 * Returns NULL with a message in problems when the form is not acceptable. */
static struct story *from_form(struct req *r, const struct form *f, const struct story *old,
                               int needs_timing[LANG_COUNT], struct buf *problems)
{
    struct story *s = xcalloc(1, sizeof *s);
    const char *slug = field(f, "slug"), *sec = field(f, "section"), *nsec = field(f, "new_section");
    const char *when = field(f, "publish_at");
    struct err err = { 0 };
    int any = 0;

    (void)r;
    s->id = old ? old->id : 0;
    s->version = old ? old->version : 0;
    s->status = old ? old->status : STORY_DRAFT;
    if (slug) {
        if (strlen(slug) > 64 || strspn(slug, "abcdefghijklmnopqrstuvwxyz0123456789-") != strlen(slug))
            buf_puts(problems, "slug: a-z, 0-9 and - only, at most 64\n");
        else
            s->slug = xstrdup(slug);
    } else if (old) {
        s->slug = xstrdup(old->slug);
    } else {
        char tok[AUTH_TOKEN_LEN + 1];
        auth_token_new(tok);
        s->slug = xstrdup("story-");
        s->slug = xrealloc(s->slug, 6 + 9);
        for (int i = 0; i < 8; i++)
            s->slug[6 + i] = (char)("abcdefghijklmnopqrstuvwxyz0123456789"[(unsigned char)tok[i] % 36]);
        s->slug[14] = '\0';
    }
    if (nsec) {
        /* "slug, 中文名, English name" */
        char *copy = xstrdup(nsec), *a = copy, *b2 = strchr(a, ','), *c2;
        if (b2) {
            *b2++ = '\0';
            c2 = strchr(b2, ',');
            if (c2) {
                *c2++ = '\0';
                while (*b2 == ' ')
                    b2++;
                while (*c2 == ' ')
                    c2++;
                while (*a == ' ')
                    a++;
                if (*a && strspn(a, "abcdefghijklmnopqrstuvwxyz0123456789-") == strlen(a) && *b2 &&
                    *c2) {
                    s->section_slug = xstrdup(a);
                    s->section_zh = xstrdup(b2);
                    s->section_en = xstrdup(c2);
                }
            }
        }
        free(copy);
        if (!s->section_slug)
            buf_puts(problems, "new_section: write it as slug, 中文名, English name\n");
    } else if (sec) {
        struct section_list all = { 0 };
        if (r->st->ops->sections_all(r->st, &all, &err) != GZ_OK)
            buf_printf(problems, "section: cannot read the sections: %s\n", err.msg);
        for (size_t i = 0; i < all.n; i++)
            if (strcmp(all.item[i].slug, sec) == 0) {
                s->section_slug = xstrdup(all.item[i].slug);
                s->section_zh = xstrdup(all.item[i].name_zh);
                s->section_en = xstrdup(all.item[i].name_en);
            }
        section_list_release(&all);
        if (!s->section_slug)
            buf_puts(problems, "section: no such section\n");
    } else {
        buf_puts(problems, "section: choose a section or create one\n");
    }
    s->tags = dup_or_null(field(f, "tags"));
    if (s->tags) /* "a, b" -> "a,b" */
        for (char *p = s->tags, *q = s->tags;; p++) {
            if (*p != ' ')
                *q++ = *p;
            if (!*p)
                break;
        }
    if (when) {
        char iso[32];
        snprintf(iso, sizeof iso, "%.16s:00Z", when);
        if (strlen(when) < 16 || !time_parse_utc(iso, &s->published))
            buf_puts(problems, "publish_at: a date and time, e.g. 2026-11-28T09:30\n");
    } else {
        s->published = old && old->published ? old->published : clock_now();
    }
    if (!parse_pairs(field(f, "pairs"), &s->pairs))
        buf_puts(problems, "pairs: write pairs like 0-0, 1-1, 2-2+3\n");
    if (!parse_related(field(f, "related"), &s->related))
        buf_puts(problems, "related: story numbers separated by commas\n");
    for (int l = 0; l < LANG_COUNT; l++) {
        struct story_lang *sl = &s->l[l];
        char name[32];
        const char *code = lang_code((enum lang)l), *head, *body;
        snprintf(name, sizeof name, "%s_headline", code);
        head = field(f, name);
        snprintf(name, sizeof name, "%s_body", code);
        body = field(f, name);
        sl->tr.end = NAN;
        needs_timing[l] = 0;
        if (!head && !body)
            continue;
        if (!head || !body) {
            buf_printf(problems, "%s: a headline and a body are both needed\n", code);
            continue;
        }
        if (markdown_to_transcript(body, strlen(body), &sl->tr, &err) != GZ_OK) {
            buf_printf(problems, "%s_body: %s\n", code, err.msg);
            continue;
        }
        sl->present = 1;
        any = 1;
        sl->headline = xstrdup(head);
        snprintf(name, sizeof name, "%s_standfirst", code);
        sl->standfirst = xstrdup(field(f, name) ? field(f, name) : "");
        snprintf(name, sizeof name, "%s_summary", code);
        sl->summary = xstrdup(field(f, name) ? field(f, name) : sl->standfirst);
        snprintf(name, sizeof name, "%s_byline", code);
        sl->byline = xstrdup(field(f, name) ? field(f, name) : "");
        sl->markdown = xstrdup(body);
        if (old && old->l[l].present && old->l[l].audio) {
            sl->audio = xstrdup(old->l[l].audio);
            sl->duration = old->l[l].duration;
            sl->synthetic = old->l[l].synthetic;
            needs_timing[l] = transcript_keep_times(&sl->tr, &old->l[l].tr) > 0;
        } else {
            /* No narration yet: nothing is timed. */
            for (size_t i = 0; i < sl->tr.n_para; i++)
                for (size_t j = 0; j < sl->tr.para[i].n_sent; j++)
                    sl->tr.para[i].sent[j].start = NAN;
        }
        if (utf8_len(sl->headline, strlen(sl->headline)) > 300)
            buf_printf(problems, "%s_headline: at most 300 characters\n", code);
    }
    if (!any && !problems->len)
        buf_puts(problems, "text: write the story in at least one language\n");
    if (problems->len) {
        story_free(s);
        return NULL;
    }
    return s;
}

static enum MHD_Result edit_page(struct req *r, int status, const struct story *s,
                                 enum msg notice, const char *error)
{
    struct page_ctx c;
    struct section_list secs, all = { 0 };
    struct job_info jobs[LANG_COUNT];
    struct err err = { 0 };
    struct buf b;
    enum MHD_Result ret;

    memset(jobs, 0, sizeof jobs);
    for (int l = 0; s && s->id && l < LANG_COUNT; l++) {
        int rc = r->st->ops->job_latest(r->st, s->id, lang_code((enum lang)l), &jobs[l], &err);
        if (rc != GZ_OK && rc != GZ_ENOTFOUND)
            log_warn("newsroom", "story %lld: no job state: %s", (long long)s->id, err.msg);
    }
    if (r->st->ops->sections_all(r->st, &all, &err) != GZ_OK)
        log_warn("newsroom", "no section list: %s", err.msg);
    ctx_for(r, &c, &secs);
    buf_init(&b, 0);
    page_nr_edit(&b, &c, s, &all, jobs, notice, error);
    ret = send_page(r, status, &b, &c);
    section_list_release(&secs);
    section_list_release(&all);
    return ret;
}

/* Before publishing: a narrated language's timing must be complete and sane (every spoken
 * row timed, starts strictly increasing and inside the audio, an end of speech after them).
 * Rows still being timed count as problems: publish once the job is done. */
static void check_timing(const struct story *s, struct buf *problems)
{
    for (int l = 0; l < LANG_COUNT; l++) {
        const struct story_lang *sl = &s->l[l];
        double prev = -1;
        size_t untimed = 0;
        if (!sl->present || !sl->audio)
            continue;
        for (size_t i = 0; i < sl->tr.n_para; i++)
            for (size_t j = 0; j < sl->tr.para[i].n_sent; j++) {
                double t = sl->tr.para[i].sent[j].start;
                if (isnan(t))
                    continue;
                if (t <= prev)
                    buf_printf(problems, "%s timing: starts must increase (%.2f after %.2f)\n",
                               lang_code((enum lang)l), t, prev);
                if (sl->duration > 0 && t >= sl->duration)
                    buf_printf(problems, "%s timing: a start (%.2f s) is after the audio ends\n",
                               lang_code((enum lang)l), t);
                prev = t;
            }
        untimed = transcript_n_spoken(&sl->tr) == 0;
        if (untimed)
            buf_printf(problems, "%s timing: the narration is not timed yet\n",
                       lang_code((enum lang)l));
        else if (isnan(sl->tr.end) || sl->tr.end <= prev)
            buf_printf(problems, "%s timing: the end of speech must come after the last start\n",
                       lang_code((enum lang)l));
    }
}

/* Save (and publish, schedule or unpublish). json: answer as JSON (autosave). */
static enum MHD_Result save(struct req *r, int64_t id, int json)
{
    struct form f;
    struct story *old = NULL, *s = NULL;
    struct buf problems;
    struct err err = { 0 };
    int needs[LANG_COUNT] = { 0 }, rc;
    int64_t new_id = 0, version;
    const char *action;
    enum MHD_Result ret;

    if (!http_form(r, &f, &ret))
        return ret;
    rc = id ? r->st->ops->story_get(r->st, id, &old, &err) : GZ_OK;
    if (rc == GZ_ENOTFOUND) {
        form_release(&f);
        return http_error(r, 404);
    }
    version = field(&f, "version") ? strtoll(field(&f, "version"), NULL, 10) : 0;
    buf_init(&problems, 0);
    if (rc != GZ_OK) {
        /* The story could not be read (busy, I/O, disk): nothing is saved; give the editor's
         * own text back with the reason, as when the save itself fails. */
        log_error("newsroom", "cannot read story %lld to save it: %s", (long long)id, err.msg);
        s = from_form(r, &f, NULL, needs, &problems);
        if (json) {
            ret = send_json(r, http_store_status(r, rc),
                            json_pack("{s:s}", "error", msg(r->ui, store_trouble(rc))));
        } else if (s) {
            s->id = id;
            s->version = version;
            ret = edit_page(r, http_store_status(r, rc), s, MSG_NONE,
                            msg(r->ui, store_trouble(rc)));
        } else {
            ret = http_error(r, http_store_status(r, rc));
        }
        goto out;
    }
    s = from_form(r, &f, old, needs, &problems);
    action = json ? "save" : (field(&f, "action") ? field(&f, "action") : "save");
    if (s) {
        if (old)
            s->version = version > 0 ? version : old->version;
        if (strcmp(action, "publish") == 0 || strcmp(action, "schedule") == 0)
            check_timing(s, &problems);
        if (strcmp(action, "publish") == 0) {
            s->status = STORY_PUBLISHED;
            if (!field(&f, "publish_at") || s->published > clock_now())
                s->published = clock_now();
        } else if (strcmp(action, "schedule") == 0) {
            if (s->published <= clock_now()) {
                buf_puts(&problems, "publish_at: a scheduled time must be in the future\n");
                s->status = STORY_DRAFT;
            } else {
                s->status = STORY_SCHEDULED;
            }
        } else if (strcmp(action, "unpublish") == 0) {
            s->status = STORY_DRAFT;
        }
    }
    if (!s || problems.len) {
        ret = json ? send_json(r, 400, json_pack("{s:s}", "error", buf_cstr(&problems)))
                   : edit_page(r, 400, old, MSG_NONE, buf_cstr(&problems));
        goto out;
    }
    /* Changed text over an existing recording: time the new sentences (on an explicit save;
     * autosaves while typing would queue a job per pause). Saved with the story, atomically. */
    for (int l = 0; l < LANG_COUNT; l++)
        needs[l] = needs[l] && !json;
    rc = nr_save(r->st, s, needs, &new_id, &version, &err);
    if (rc == GZ_ECONFLICT) {
        if (json) {
            ret = send_json(r, 409, json_pack("{s:s}", "error", msg(r->ui, MSG_NR_CONFLICT)));
        } else {
            /* Show the editor's own text (not saved) with the warning. */
            s->version = old ? old->version : 0;
            ret = edit_page(r, 409, s, MSG_NONE, msg(r->ui, MSG_NR_CONFLICT));
        }
        goto out;
    }
    if (rc != GZ_OK) {
        /* Nothing was saved: say why in words and give the editor's own text back. */
        enum msg why = store_trouble(rc);
        log_error("newsroom", "cannot save story '%s': %s", s->slug ? s->slug : "", err.msg);
        if (json) {
            ret = send_json(r, http_store_status(r, rc),
                            json_pack("{s:s}", "error", msg(r->ui, why)));
        } else {
            s->version = old ? old->version : 0;
            ret = edit_page(r, http_store_status(r, rc), s, MSG_NONE, msg(r->ui, why));
        }
        goto out;
    }
    if (json) {
        ret = send_json(r, 200, json_pack("{s:b,s:I,s:I}", "ok", 1, "id", (json_int_t)new_id,
                                          "version", (json_int_t)version));
    } else {
        char to[64];
        snprintf(to, sizeof to, "/newsroom/story/%lld?saved=1", (long long)new_id);
        ret = http_redirect(r, 303, to);
    }
out:
    story_free(old);
    story_free(s);
    buf_release(&problems);
    form_release(&f);
    return ret;
}

/* ---- uploads, streamed to disk ---- */

struct upload {
    struct MHD_PostProcessor *pp;
    int64_t story_id;
    enum lang lang;
    char csrf[64];
    size_t csrf_len;
    int fd;
    char tmp[4096];
    char ext[8];
    uint64_t bytes;
    int csrf_ok, have_file;
    const char *error; /* why the upload is refused, for the response */
    int status;
    int image; /* a picture (/image) rather than a recording */
    char alt[NR_IMAGE_TEXT_MAX + 1], caption[NR_IMAGE_TEXT_MAX + 1];
    size_t alt_len, caption_len;
    int lead;
};

/* Append a small text field's chunk to dst (capacity cap); 0 when it would not fit. */
static int field_chunk(char *dst, size_t *len, size_t cap, const char *data, size_t size)
{
    if (*len + size >= cap)
        return 0;
    memcpy(dst + *len, data, size);
    *len += size;
    dst[*len] = '\0';
    return 1;
}

/* 1 when the signed-in reader is an editor or admin. */
static int is_editor(struct req *r)
{
    struct user u;
    struct err err = { 0 };
    int ok = 0;

    if (r->user_id && r->st->ops->user_get(r->st, r->user_id, &u, &err) == GZ_OK) {
        ok = u.role == ROLE_ADMIN || u.role == ROLE_EDITOR;
        user_release(&u);
    }
    return ok;
}

int newsroom_media_access(struct req *r, const char *name)
{
    struct err err = { 0 };
    int published = 0, rc = r->st->ops->media_published(r->st, name, &published, &err);

    if (rc != GZ_OK && rc != GZ_ENOTFOUND)
        log_warn("newsroom", "media '%s': %s", name, err.msg);
    if (rc == GZ_OK && published)
        return 1;
    /* A draft's narration, or a recording not yet in any story: editors only. Media requests
     * skip the reader lookup (published files are public); only this case needs it. */
    if (!r->user_id)
        account_identify(r);
    return is_editor(r) ? 2 : 0;
}

/* The picture a media/img file name belongs to: "NAME-<w>x<h>.ext" → NAME (hex). */
static int image_name_of(const char *file, char *out, size_t cap)
{
    const char *dash = strchr(file, '-');
    size_t n = dash ? (size_t)(dash - file) : 0;

    if (n != NR_IMAGE_NAME_LEN || n >= cap || strspn(file, "0123456789abcdef") != n)
        return 0;
    memcpy(out, file, n);
    out[n] = '\0';
    return 1;
}

int newsroom_image_access(struct req *r, const char *file)
{
    struct err err = { 0 };
    char name[NR_IMAGE_NAME_LEN + 1];
    int published = 0, rc;

    if (!image_name_of(file, name, sizeof name))
        return 0;
    rc = r->st->ops->image_published(r->st, name, &published, &err);
    if (rc != GZ_OK && rc != GZ_ENOTFOUND)
        log_warn("newsroom", "picture '%s': %s", name, err.msg);
    if (rc == GZ_OK && published)
        return 1;
    if (rc != GZ_OK) /* no story has it: nothing to show, even to editors */
        return 0;
    if (!r->user_id)
        account_identify(r);
    return is_editor(r) ? 2 : 0;
}

int newsroom_is_upload(const char *path)
{
    const char *p = strstr(path, "/narration/");
    if (strncmp(path, "/newsroom/story/", 16) != 0)
        return 0;
    if (p && strlen(p) == 13)
        return 1;
    p = strrchr(path, '/');
    return p > path + 16 && strcmp(p, "/image") == 0;
}

static enum MHD_Result on_part(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *filename, const char *content_type,
                               const char *transfer_encoding, const char *data, uint64_t off,
                               size_t size)
{
    struct req *r = cls;
    struct upload *u = r->upload;
    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    (void)off;
    if (u->error)
        return MHD_NO;
    if (strcmp(key, "csrf") == 0) {
        if (u->csrf_len + size >= sizeof u->csrf) {
            u->error = "bad CSRF token";
            u->status = 403;
            return MHD_NO;
        }
        memcpy(u->csrf + u->csrf_len, data, size);
        u->csrf_len += size;
        u->csrf[u->csrf_len] = '\0';
        return MHD_YES;
    }
    if (u->image && (strcmp(key, "alt") == 0 || strcmp(key, "caption") == 0)) {
        int alt = key[0] == 'a';
        if (!field_chunk(alt ? u->alt : u->caption, alt ? &u->alt_len : &u->caption_len,
                         sizeof u->alt, data, size)) {
            u->error = alt ? "the alt text is longer than 500 bytes"
                           : "the caption is longer than 500 bytes";
            u->status = 400;
            return MHD_NO;
        }
        return MHD_YES;
    }
    if (u->image && strcmp(key, "lead") == 0) {
        u->lead = 1;
        return MHD_YES;
    }
    if (strcmp(key, u->image ? "image" : "audio") != 0)
        return MHD_YES;
    if (u->image && !u->have_file) /* a picture is told by its bytes, never by its name */
        snprintf(u->ext, sizeof u->ext, "img");
    if (!u->have_file) {
        const char *dot = filename ? strrchr(filename, '.') : NULL;
        static const char *const exts[] = { ".mp3", ".wav", ".flac", ".ogg", ".opus" };
        u->csrf_ok = http_csrf_ok(r, u->csrf);
        if (!u->csrf_ok) {
            u->error = "missing or wrong CSRF token (it must come before the file)";
            u->status = 403;
            return MHD_NO;
        }
        for (size_t i = 0; dot && !u->image && i < GZ_NELEM(exts); i++)
            if (strcasecmp(dot, exts[i]) == 0)
                snprintf(u->ext, sizeof u->ext, "%s", exts[i] + 1);
        if (!u->ext[0]) {
            u->error = "the file must be .mp3, .wav, .flac or .ogg";
            u->status = 415;
            return MHD_NO;
        }
        snprintf(u->tmp, sizeof u->tmp, "%s/.upload-XXXXXX", r->app->media_dir);
        u->fd = mkstemp(u->tmp);
        if (u->fd < 0) {
            u->tmp[0] = '\0';
            u->error = "cannot store the upload";
            u->status = 500;
            return MHD_NO;
        }
        u->have_file = 1;
    }
    u->bytes += size;
    if (u->bytes > (u->image ? IMAGE_UPLOAD_MAX : UPLOAD_MAX)) {
        u->error = u->image ? "the picture is larger than 20 MB" : "the file is larger than 200 MB";
        u->status = 413;
        return MHD_NO;
    }
    if (size && write(u->fd, data, size) != (ssize_t)size) {
        int full = errno == ENOSPC || errno == EDQUOT;
        u->error = full ? "the disk is full: nothing was changed"
                        : "cannot write the upload: nothing was changed";
        u->status = http_status(full ? GZ_EFULL : GZ_EIO);
        return MHD_NO;
    }
    return MHD_YES;
}

void newsroom_upload_abort(struct req *r)
{
    struct upload *u = r->upload;
    if (!u)
        return;
    if (u->pp)
        MHD_destroy_post_processor(u->pp);
    if (u->fd >= 0)
        close(u->fd);
    if (u->tmp[0])
        unlink(u->tmp);
    free(u);
    r->upload = NULL;
}

/* A refused picture upload: the editor again, with why (the story's text is untouched). */
static enum MHD_Result image_refused(struct req *r, int64_t id, int status, const char *why)
{
    struct story *s = NULL;
    struct err err = { 0 };
    enum MHD_Result ret;
    int rc;

    rc = r->st->ops->story_get(r->st, id, &s, &err);
    if (rc != GZ_OK)
        return read_failed(r, rc, &err);
    ret = edit_page(r, status, s, MSG_NONE, why);
    story_free(s);
    return ret;
}

/* The end of a picture upload: the service flow stores it (or nothing), then back to the
 * editor. */
static enum MHD_Result image_finish(struct req *r, struct upload *u)
{
    struct nr_image im;
    struct err err = { 0 };
    char to[128], why[320];
    int rc, status;

    rc = nr_image_add(r->st, r->app->media_dir, u->story_id, u->tmp, u->alt, u->caption, u->lead,
                      &im, &err);
    if (rc == GZ_OK) {
        log_info("newsroom", "story %lld: picture %s (%s)", (long long)u->story_id, im.name,
                 im.sizes);
        snprintf(to, sizeof to, "/newsroom/story/%lld?picture=%s#pictures",
                 (long long)u->story_id, im.name);
        return http_redirect(r, 303, to);
    }
    if (rc == GZ_ENOTFOUND)
        return http_error(r, 404);
    /* A file that is not a picture we take is unprocessable content, not a malformed request. */
    status = rc == GZ_EINVAL ? 422 : http_status(rc);
    if (rc == GZ_EINVAL)
        snprintf(why, sizeof why, "%s: nothing was changed", err.msg);
    else if (rc == GZ_EFULL)
        snprintf(why, sizeof why, "the server is out of storage space: nothing was changed");
    else
        snprintf(why, sizeof why, "the picture could not be stored: nothing was changed");
    if (rc != GZ_EINVAL)
        log_error("newsroom", "story %lld: picture: %s", (long long)u->story_id, err.msg);
    return image_refused(r, u->story_id, status, why);
}

enum MHD_Result newsroom_upload_begin(struct req *r)
{
    enum MHD_Result ret = MHD_YES;
    struct upload *u;
    const char *p = r->path + 16, *cl = http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    char *end;
    long long id = strtoll(p, &end, 10);
    enum lang l;

    if (!allowed(r, 0, &ret)) {
        r->bad = 1;
        return ret;
    }
    if (id > 0 && strcmp(end, "/image") == 0) {
        if (cl && strtoull(cl, NULL, 10) > IMAGE_UPLOAD_MAX + 65536) {
            r->bad = 1;
            return image_refused(r, id, 413, "the picture is larger than 20 MB: nothing was changed");
        }
        l = LANG_EN;
    } else if (id <= 0 || strncmp(end, "/narration/", 11) != 0 ||
               lang_parse(end + 11, 2, &l) != GZ_OK) {
        r->bad = 1;
        return http_error(r, 404);
    } else if (cl && strtoull(cl, NULL, 10) > UPLOAD_MAX + 65536) {
        r->bad = 1;
        return http_text(r, 413, "the file is larger than 200 MB\n");
    }
    u = xcalloc(1, sizeof *u);
    u->image = strcmp(end, "/image") == 0;
    u->fd = -1;
    u->story_id = id;
    u->lang = l;
    r->upload = u;
    u->pp = MHD_create_post_processor(r->conn, 64 * 1024, on_part, r);
    if (!u->pp) {
        int image = u->image;
        newsroom_upload_abort(r);
        r->bad = 1;
        return http_text(r, 400, image ? "send the picture as multipart/form-data\n"
                                       : "send the recording as multipart/form-data\n");
    }
    return MHD_YES;
}

enum MHD_Result newsroom_upload_feed(struct req *r, const char *data, size_t n)
{
    struct upload *u = r->upload;
    if (!u->error && MHD_post_process(u->pp, data, n) != MHD_YES && !u->error) {
        u->error = "the upload could not be read";
        u->status = 400;
    }
    return MHD_YES;
}

enum MHD_Result newsroom_upload_finish(struct req *r)
{
    struct upload *u = r->upload;
    struct story *s = NULL;
    struct err err = { 0 };
    char name[256], path[4096], tok[AUTH_TOKEN_LEN + 1];
    double dur = 0;
    int64_t jid = 0;
    enum MHD_Result ret;

    if (!u->error && !u->have_file) {
        u->error = "no file was sent";
        u->status = 400;
    }
    if (!u->error) {
        /* Both, always (a failed fsync must not leak the descriptor); the first error wins. */
        int e = fsync(u->fd) != 0 ? errno : 0;
        if (close(u->fd) != 0 && !e)
            e = errno;
        u->fd = -1;
        if (e) {
            u->error = e == ENOSPC || e == EDQUOT ? "the disk is full: nothing was changed"
                                                  : "cannot write the upload: nothing was changed";
            u->status = http_status(e == ENOSPC || e == EDQUOT ? GZ_EFULL : GZ_EIO);
        }
    } /* else newsroom_upload_abort closes it */
    if (u->image) {
        ret = u->error ? image_refused(r, u->story_id, u->status, u->error) : image_finish(r, u);
        newsroom_upload_abort(r);
        return ret;
    }
    if (!u->error) {
        int rc = r->st->ops->story_get(r->st, u->story_id, &s, &err);
        if (rc == GZ_ENOTFOUND) {
            u->error = "no such story";
            u->status = 404;
        } else if (rc != GZ_OK) {
            log_error("newsroom", "story %lld: cannot read it for an upload: %s",
                      (long long)u->story_id, err.msg);
            u->error = rc == GZ_EFULL   ? "the server is out of storage space: nothing was "
                                          "changed"
                       : rc == GZ_EBUSY ? "the database is busy: nothing was changed; send the "
                                          "file again in a moment"
                                        : "cannot read the story: nothing was changed";
            u->status = http_store_status(r, rc);
        }
    }
    if (!u->error && !s->l[u->lang].present) {
        u->error = "write the story's text in this language first";
        u->status = 409;
    }
    if (!u->error && speech_probe(u->tmp, &dur, &err) != GZ_OK) {
        u->error = "this is not audio we can decode (mp3, wav, flac or ogg): the previous "
                   "narration is unchanged";
        u->status = 422;
    }
    if (u->error) {
        ret = http_text(r, u->status, u->error);
        story_free(s);
        newsroom_upload_abort(r);
        return ret;
    }
    auth_token_new(tok);
    tok[10] = '\0';
    for (char *p = tok; *p; p++)
        if (*p == '-' || *p == '_')
            *p = 'x';
    snprintf(name, sizeof name, "%s.%s.%s.%s", s->slug, lang_code(u->lang), tok, u->ext);
    snprintf(path, sizeof path, "%s/%s", r->app->media_dir, name);
    if (rename(u->tmp, path) != 0) {
        ret = http_text(r, 500, "cannot move the upload into the media folder\n");
    } else if (nr_queue(r->st, u->story_id, u->lang, name, &jid, &err) != GZ_OK) {
        /* The recording is not referenced by anything yet: remove it, change nothing. */
        log_error("newsroom", "cannot queue the timing job: %s", err.msg);
        unlink(path);
        ret = http_text(r, http_status(err.code),
                        err.code == GZ_EFULL ? "the server is out of storage space: nothing "
                                               "was changed\n"
                                             : "cannot queue the timing job: nothing was "
                                               "changed\n");
    } else {
        char to[80];
        u->tmp[0] = '\0';
        log_info("newsroom", "story %lld %s: %.1f s uploaded, job %lld", (long long)u->story_id,
                 lang_code(u->lang), dur, (long long)jid);
        snprintf(to, sizeof to, "/newsroom/story/%lld?job=%lld", (long long)u->story_id,
                 (long long)jid);
        ret = http_redirect(r, 303, to);
    }
    story_free(s);
    newsroom_upload_abort(r);
    return ret;
}

/* ---- timing ---- */

/* Spoken rows, in order, from the form: t<k> (seconds) unless n<k> (not spoken). */
static int timing_from_form(const struct form *f, struct story_lang *sl, struct buf *problems)
{
    size_t k = 0;
    double prev = -1, end;
    const char *e = form_get(f, "end");

    for (size_t i = 0; i < sl->tr.n_para; i++)
        for (size_t j = 0; j < sl->tr.para[i].n_sent; j++, k++) {
            char tn[24], nn[24];
            const char *v;
            struct sent *se = &sl->tr.para[i].sent[j];
            snprintf(tn, sizeof tn, "t%zu", k);
            snprintf(nn, sizeof nn, "n%zu", k);
            if (form_get(f, nn)) {
                se->start = NAN;
                continue;
            }
            v = form_get(f, tn);
            if (!v || !*v) {
                buf_printf(problems, "sentence %zu: a start time is needed (or mark it not spoken)\n", k + 1);
                continue;
            }
            se->start = strtod(v, NULL);
            se->low_confidence = 0;
            if (!isfinite(se->start) || se->start < 0)
                buf_printf(problems, "sentence %zu: not a time\n", k + 1);
            else if (se->start <= prev)
                buf_printf(problems, "sentence %zu: starts must increase (%.2f after %.2f)\n", k + 1,
                           se->start, prev);
            else if (sl->duration > 0 && se->start >= sl->duration)
                buf_printf(problems, "sentence %zu: starts after the audio ends (%.2f s)\n", k + 1,
                           sl->duration);
            prev = se->start;
        }
    end = e && *e ? strtod(e, NULL) : NAN;
    if (isnan(end) || end <= prev || (sl->duration > 0 && end > sl->duration + 0.5))
        buf_puts(problems, "end of speech: after the last start and inside the audio\n");
    else
        sl->tr.end = end;
    return problems->len == 0;
}

/* Cue start times from a pasted timing file: transcript JSON, aeneas JSON, WebVTT or SRT. */
static size_t cue_starts(const char *text, double *out, size_t cap)
{
    size_t n = 0;
    const char *p = text;
    while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
        p++;
    if (*p == '{' || *p == '[') {
        json_t *root = json_loads(p, 0, NULL), *frags = json_object_get(root, "fragments");
        if (json_is_array(frags)) {
            size_t i;
            json_t *it;
            json_array_foreach(frags, i, it)
            {
                const char *bgn = json_string_value(json_object_get(it, "begin"));
                if (bgn && n < cap)
                    out[n++] = strtod(bgn, NULL);
            }
        } else {
            struct transcript t;
            struct err err = { 0 };
            char *dump = json_dumps(root, JSON_COMPACT);
            if (dump && transcript_parse(dump, strlen(dump), &t, &err) == GZ_OK) {
                for (size_t i = 0; i < t.n_para; i++)
                    for (size_t j = 0; j < t.para[i].n_sent; j++)
                        if (!isnan(t.para[i].sent[j].start) && n < cap)
                            out[n++] = t.para[i].sent[j].start;
                transcript_release(&t);
            }
            free(dump);
        }
        json_decref(root);
        return n;
    }
    /* WebVTT / SRT: every "hh:mm:ss.mmm -->" (or ',' for SRT; hours optional in VTT). */
    for (const char *q = strstr(p, "-->"); q; q = strstr(q + 3, "-->")) {
        const char *a = q;
        int h = 0, m = 0;
        double sec;
        while (a > p && (a[-1] == ' '))
            a--;
        while (a > p && a[-1] != '\n')
            a--;
        {
            char line[32];
            size_t len = (size_t)(q - a);
            int parts;
            if (len >= sizeof line)
                continue;
            memcpy(line, a, len);
            line[len] = '\0';
            for (char *c = line; *c; c++)
                if (*c == ',')
                    *c = '.';
            parts = 0;
            for (char *c = line; *c; c++)
                parts += *c == ':';
            if (parts == 2) {
                h = (int)strtol(line, NULL, 10);
                m = (int)strtol(strchr(line, ':') + 1, NULL, 10);
                sec = strtod(strrchr(line, ':') + 1, NULL);
            } else if (parts == 1) {
                m = (int)strtol(line, NULL, 10);
                sec = strtod(strchr(line, ':') + 1, NULL);
            } else {
                continue;
            }
            if (n < cap)
                out[n++] = h * 3600.0 + m * 60.0 + sec;
        }
    }
    return n;
}

static enum MHD_Result timing_page(struct req *r, int status, const struct story *s, enum lang l,
                                   const char *error, enum msg notice)
{
    struct page_ctx c;
    struct section_list secs;
    struct buf b;
    enum MHD_Result ret;

    ctx_for(r, &c, &secs);
    buf_init(&b, 0);
    page_nr_timing(&b, &c, s, l, error, notice);
    ret = send_page(r, status, &b, &c);
    section_list_release(&secs);
    return ret;
}

static enum MHD_Result peaks(struct req *r, const struct story *s, enum lang l)
{
    char path[4096];
    SF_INFO info;
    SNDFILE *f;
    json_t *j, *arr;
    enum { N = 1200 };
    double *mx = xcalloc(N, sizeof *mx);
    float buf[8192];
    sf_count_t got, pos = 0;

    if (!s->l[l].audio) {
        free(mx);
        return http_error(r, 404);
    }
    snprintf(path, sizeof path, "%s/%s", r->app->media_dir, s->l[l].audio);
    memset(&info, 0, sizeof info);
    f = sf_open(path, SFM_READ, &info);
    if (!f || info.frames <= 0 || info.channels <= 0) {
        if (f)
            sf_close(f);
        free(mx);
        return http_text(r, 422, "cannot decode the narration\n");
    }
    while ((got = sf_readf_float(f, buf, (sf_count_t)(8192 / info.channels))) > 0) {
        for (sf_count_t t = 0; t < got; t++, pos++) {
            size_t k = (size_t)((double)pos * N / (double)info.frames);
            float v = fabsf(buf[t * info.channels]);
            if (k < N && v > mx[k])
                mx[k] = v;
        }
    }
    sf_close(f);
    arr = json_array();
    for (int k = 0; k < N; k++)
        json_array_append_new(arr, json_real(round(mx[k] * 1000) / 1000));
    free(mx);
    j = json_pack("{s:f,s:o}", "duration", (double)info.frames / info.samplerate, "peaks", arr);
    return send_json(r, 200, j);
}

static enum MHD_Result timing(struct req *r, int64_t id, enum lang l, const char *rest)
{
    struct story *s = NULL;
    struct err err = { 0 };
    struct form f = { 0 };
    struct buf problems;
    enum MHD_Result ret;
    int64_t nid, ver;
    const int none[LANG_COUNT] = { 0 };
    int rc;

    rc = r->st->ops->story_get(r->st, id, &s, &err);
    if (rc != GZ_OK)
        return read_failed(r, rc, &err);
    if (!s->l[l].present) {
        story_free(s);
        return http_error(r, 404);
    }
    buf_init(&problems, 0);
    if (strcmp(rest, "/peaks") == 0 && !r->is_post) {
        ret = peaks(r, s, l);
    } else if (strcmp(rest, "/export") == 0 && !r->is_post) {
        enum export_fmt fmt;
        const char *name = http_query(r, "f");
        struct buf out;
        char url[300];
        if (!name || export_parse(name, &fmt) != GZ_OK) {
            ret = http_error(r, 400);
        } else {
            buf_init(&out, 0);
            snprintf(url, sizeof url, "/media/%s", s->l[l].audio ? s->l[l].audio : "");
            export_write(&out, fmt, &s->l[l].tr, s->l[l].audio ? url : NULL, 0);
            {
                size_t len;
                char *data = buf_take(&out, &len);
                ret = http_send(r, 200, fmt == EXPORT_READALONG || fmt == EXPORT_AENEAS
                                                ? "application/json"
                                        : fmt == EXPORT_SMIL ? "application/smil+xml"
                                        : fmt == EXPORT_VTT  ? "text/vtt; charset=utf-8"
                                                             : "text/plain; charset=utf-8",
                                data, len, "no-store");
            }
        }
    } else if (!r->is_post && !*rest) {
        ret = timing_page(r, 200, s, l, NULL, MSG_NONE);
    } else if (r->is_post && (!*rest || strcmp(rest, "/import") == 0)) {
        if (http_form(r, &f, &ret)) {
            int ok;
            if (*rest) { /* import: apply the file's starts to the spoken rows in order */
                double starts[4096];
                const char *text = form_get(&f, "timing");
                size_t n = text ? cue_starts(text, starts, 4096) : 0, spoken = 0, k = 0;
                for (size_t i = 0; i < s->l[l].tr.n_para; i++)
                    for (size_t j = 0; j < s->l[l].tr.para[i].n_sent; j++)
                        spoken += !isnan(s->l[l].tr.para[i].sent[j].start) ||
                                  isnan(s->l[l].tr.end);
                if (n == 0 || (spoken && n != spoken && n != transcript_n_spoken(&s->l[l].tr))) {
                    buf_printf(&problems, "the file has %zu timed segments; this text has %zu "
                                          "spoken sentences\n", n, spoken);
                    ok = 0;
                } else {
                    double prev = -1;
                    for (size_t i = 0; i < s->l[l].tr.n_para; i++)
                        for (size_t j = 0; j < s->l[l].tr.para[i].n_sent && k < n; j++) {
                            struct sent *se = &s->l[l].tr.para[i].sent[j];
                            if (isnan(se->start) && n == transcript_n_spoken(&s->l[l].tr))
                                continue;
                            se->start = starts[k++];
                            se->low_confidence = 0;
                            if (se->start <= prev)
                                buf_printf(&problems, "segment %zu: starts must increase\n", k);
                            prev = se->start;
                        }
                    if (isnan(s->l[l].tr.end) || s->l[l].tr.end <= prev)
                        s->l[l].tr.end = prev + 2.0;
                    ok = problems.len == 0;
                }
            } else {
                ok = timing_from_form(&f, &s->l[l], &problems);
            }
            if (ok && form_get(&f, "version"))
                s->version = strtoll(form_get(&f, "version"), NULL, 10);
            if (ok && nr_save(r->st, s, none, &nid, &ver, &err) == GZ_OK) {
                struct story *back = NULL;
                if (r->st->ops->story_get(r->st, id, &back, &err) == GZ_OK) {
                    story_free(s);
                    s = back;
                } else {
                    s->version = ver; /* saved: show what was sent, at its new version */
                }
                ret = timing_page(r, 200, s, l, NULL, MSG_NR_SAVED);
            } else {
                int st_code = ok ? http_status(err.code) : 400;
                if (ok)
                    buf_puts(&problems, err.code == GZ_ECONFLICT ? msg(r->ui, MSG_NR_CONFLICT)
                                        : err.code == GZ_EFULL   ? msg(r->ui, MSG_ERR_DISK_FULL)
                                        : err.code == GZ_EBUSY   ? msg(r->ui, MSG_ERR_BUSY)
                                                                 : err.msg);
                ret = timing_page(r, st_code, s, l, buf_cstr(&problems), MSG_NONE);
            }
        }
    } else {
        ret = http_error(r, 404);
    }
    form_release(&f);
    buf_release(&problems);
    story_free(s);
    return ret;
}

/* ---- the rest ---- */

static enum MHD_Result list(struct req *r)
{
    struct page_ctx c;
    struct section_list secs, all = { 0 };
    struct brief_list l = { 0 };
    struct err err = { 0 };
    const char *sec = http_query(r, "section"), *state = http_query(r, "state");
    struct buf b;
    enum MHD_Result ret;

    if (sec && !*sec)
        sec = NULL;
    if (state && !*state)
        state = NULL;
    if (r->st->ops->newsroom_list(r->st, sec, state, 200, &l, &err) != GZ_OK)
        return http_error(r, 500);
    if (r->st->ops->sections_all(r->st, &all, &err) != GZ_OK)
        log_warn("newsroom", "no section list: %s", err.msg);
    ctx_for(r, &c, &secs);
    buf_init(&b, 0);
    page_nr_list(&b, &c, &l, &all, sec, state);
    ret = send_page(r, 200, &b, &c);
    section_list_release(&secs);
    section_list_release(&all);
    brief_list_release(&l);
    return ret;
}

static enum MHD_Result preview(struct req *r, int64_t id, const char *mode)
{
    struct story *s = NULL;
    struct page_ctx c;
    struct section_list secs;
    struct brief_list rel = { 0 };
    struct err err = { 0 };
    struct buf b;
    enum story_mode m = strcmp(mode, "en") == 0 ? MODE_EN : strcmp(mode, "ce") == 0 ? MODE_CE : MODE_ZH;
    enum MHD_Result ret;
    int rc;

    rc = r->st->ops->story_get(r->st, id, &s, &err);
    if (rc != GZ_OK)
        return read_failed(r, rc, &err);
    if (m == MODE_CE && !(s->l[LANG_EN].present && s->l[LANG_ZH].present))
        m = MODE_ZH;
    if (r->st->ops->related(r->st, id, 5, &rel, &err) != GZ_OK)
        log_warn("newsroom", "story %lld: no related stories: %s", (long long)id, err.msg);
    ctx_for(r, &c, &secs);
    buf_init(&b, 0);
    page_story(&b, &c, s, m, &rel, NULL);
    ret = send_page(r, 200, &b, &c);
    section_list_release(&secs);
    brief_list_release(&rel);
    story_free(s);
    return ret;
}

static enum MHD_Result users(struct req *r)
{
    struct user *u = NULL;
    size_t n = 0;
    struct err err = { 0 };
    struct page_ctx c;
    struct section_list secs;
    struct buf b;
    enum MHD_Result ret;

    if (r->is_post) {
        struct form f;
        const char *role, *id;
        enum user_role rv = ROLE_READER;
        int role_ok;
        if (!http_form(r, &f, &ret))
            return ret;
        role = form_get(&f, "role");
        id = form_get(&f, "id");
        role_ok = user_role_parse(role, &rv);
        if (id && role_ok && nr_set_role(r->st, strtoll(id, NULL, 10), rv, r->ip, &err) != GZ_OK) {
            log_error("newsroom", "cannot set a role: %s", err.msg);
            form_release(&f);
            return http_error(r, http_status(err.code));
        }
        form_release(&f);
        return http_redirect(r, 303, "/newsroom/users");
    }
    if (r->st->ops->user_list(r->st, 100, &u, &n, &err) != GZ_OK) {
        log_error("newsroom", "cannot list users: %s", err.msg);
        return http_error(r, http_status(err.code));
    }
    ctx_for(r, &c, &secs);
    buf_init(&b, 0);
    page_nr_users(&b, &c, u, n);
    ret = send_page(r, 200, &b, &c);
    section_list_release(&secs);
    for (size_t i = 0; i < n; i++)
        user_release(&u[i]);
    free(u);
    return ret;
}

static const char *form_value(void *cls, const char *name)
{
    return form_get(cls, name);
}

/* {"zh": …, "en": …} from base_zh / base_en, or NULL when both are empty. */
static json_t *pair_json(const struct form *f, const char *base)
{
    char zh[48], en[48];
    const char *z, *e;
    json_t *o;

    snprintf(zh, sizeof zh, "%s_zh", base);
    snprintf(en, sizeof en, "%s_en", base);
    z = field(f, zh);
    e = field(f, en);
    if (!z && !e)
        return NULL;
    o = json_object();
    if (z)
        json_object_set_new(o, "zh", json_string(z));
    if (e)
        json_object_set_new(o, "en", json_string(e));
    return o;
}

/* The quiz bundle the form describes (questions with no text are skipped). Caller frees. */
static char *quiz_from_form(const struct form *f)
{
    json_t *root = json_object(), *qs = json_array(), *v;
    const char *when = field(f, "publish_at");
    char *text;

    json_object_set_new(root, "gazette_quiz", json_integer(1));
    if (field(f, "slug"))
        json_object_set_new(root, "slug", json_string(field(f, "slug")));
    if (when) {
        char iso[32];
        snprintf(iso, sizeof iso, "%.16s:00Z", when);
        json_object_set_new(root, "published", json_string(iso));
    }
    v = pair_json(f, "title");
    if (v)
        json_object_set_new(root, "title", v);
    for (int i = 0; i < QUIZ_FORM_QUESTIONS; i++) {
        char base[32];
        json_t *q, *wrong = json_array();
        snprintf(base, sizeof base, "q%d_question", i);
        v = pair_json(f, base);
        if (!v) {
            json_decref(wrong);
            continue;
        }
        q = json_object();
        json_object_set_new(q, "question", v);
        snprintf(base, sizeof base, "q%d_answer", i);
        if ((v = pair_json(f, base)))
            json_object_set_new(q, "answer", v);
        for (int k = 1; k <= 3; k++) {
            snprintf(base, sizeof base, "q%d_wrong%d", i, k);
            if ((v = pair_json(f, base)))
                json_array_append_new(wrong, v);
        }
        json_object_set_new(q, "wrong", wrong);
        snprintf(base, sizeof base, "q%d_explain", i);
        if ((v = pair_json(f, base)))
            json_object_set_new(q, "explain", v);
        snprintf(base, sizeof base, "q%d_story", i);
        if (field(f, base))
            json_object_set_new(q, "story", json_string(field(f, base)));
        json_array_append_new(qs, q);
    }
    json_object_set_new(root, "questions", qs);
    text = json_dumps(root, JSON_COMPACT);
    json_decref(root);
    return text;
}

static enum MHD_Result quiz_new(struct req *r)
{
    struct page_ctx c;
    struct section_list secs;
    struct buf b, problems, body;
    struct form f = { 0 };
    struct quiz q;
    struct err err = { 0 };
    char *built = NULL;
    const char *text = NULL;
    enum msg notice = MSG_NONE;
    int status = 200;
    enum MHD_Result ret;

    buf_init(&problems, 0);
    buf_init(&body, 0);
    if (r->is_post) {
        if (!http_form(r, &f, &ret)) {
            buf_release(&problems);
            buf_release(&body);
            return ret;
        }
        /* A pasted bundle wins; else the form's fields. */
        text = field(&f, "quiz");
        if (!text)
            text = built = quiz_from_form(&f);
        if (!text || quiz_parse(text, strlen(text), &q, &problems) != GZ_OK) {
            status = 400;
        } else if (!q.slug || !q.title[LANG_ZH]) {
            buf_puts(&problems, "slug, title: required\n");
            quiz_release(&q);
            status = 400;
        } else {
            int64_t id;
            quiz_body_json(&body, &q);
            if (r->st->ops->quiz_put(r->st, q.slug, q.title[LANG_ZH], q.title[LANG_EN],
                                     q.published ? q.published : clock_now(), buf_cstr(&body),
                                     &id, &err) == GZ_OK)
                notice = MSG_NR_SAVED;
            else
                buf_puts(&problems, err.code == GZ_EFULL ? msg(r->ui, MSG_ERR_DISK_FULL) : err.msg),
                        status = http_status(err.code);
            quiz_release(&q);
        }
    }
    ctx_for(r, &c, &secs);
    buf_init(&b, 0);
    page_nr_quiz(&b, &c, r->is_post ? form_value : NULL, &f,
                 problems.len ? buf_cstr(&problems) : NULL, notice);
    ret = send_page(r, status, &b, &c);
    section_list_release(&secs);
    form_release(&f);
    free(built);
    buf_release(&problems);
    buf_release(&body);
    return ret;
}

/* POST /newsroom/story/ID/lead: name (one of the story's pictures, "" for none). */
static enum MHD_Result lead(struct req *r, int64_t id)
{
    struct form f;
    struct err err = { 0 };
    enum MHD_Result ret;
    char to[80];
    int rc;

    if (!http_form(r, &f, &ret))
        return ret;
    rc = nr_image_lead(r->st, id, form_get(&f, "name"), &err);
    form_release(&f);
    if (rc == GZ_ENOTFOUND)
        return http_error(r, 404);
    if (rc != GZ_OK) {
        log_error("newsroom", "story %lld: lead picture: %s", (long long)id, err.msg);
        return http_error(r, http_status(rc));
    }
    snprintf(to, sizeof to, "/newsroom/story/%lld#pictures", (long long)id);
    return http_redirect(r, 303, to);
}

enum MHD_Result newsroom_route(struct req *r, int *handled)
{
    const char *p = r->path;
    enum MHD_Result ret;
    struct err err = { 0 };

    *handled = 1;
    if (!allowed(r, strncmp(p, "/newsroom/users", 15) == 0, &ret))
        return ret;
    if (strcmp(p, "/newsroom") == 0 && !r->is_post)
        return list(r);
    if (strcmp(p, "/newsroom/new") == 0)
        return r->is_post ? save(r, 0, 0) : edit_page(r, 200, NULL, MSG_NONE, NULL);
    if (strcmp(p, "/newsroom/users") == 0)
        return users(r);
    if (strcmp(p, "/newsroom/quiz") == 0)
        return quiz_new(r);
    if (strncmp(p, "/newsroom/story/", 16) == 0) {
        char *end;
        long long id = strtoll(p + 16, &end, 10);
        enum lang l;
        if (id <= 0)
            return http_error(r, 404);
        if (!*end) {
            struct story *s = NULL;
            int rc;
            if (r->is_post)
                return save(r, id, 0);
            rc = r->st->ops->story_get(r->st, id, &s, &err);
            if (rc != GZ_OK)
                return read_failed(r, rc, &err);
            ret = edit_page(r, 200, s,
                            http_query(r, "saved")     ? MSG_NR_SAVED
                            : http_query(r, "picture") ? MSG_NR_PIC_ADDED
                                                       : MSG_NONE,
                            NULL);
            story_free(s);
            return ret;
        }
        if (strcmp(end, "/autosave") == 0 && r->is_post)
            return save(r, id, 1);
        if (strcmp(end, "/lead") == 0 && r->is_post)
            return lead(r, id);
        if (strncmp(end, "/preview/", 9) == 0 && !r->is_post)
            return preview(r, id, end + 9);
        if (strncmp(end, "/job/", 5) == 0 && lang_parse(end + 5, strlen(end + 5), &l) == GZ_OK) {
            struct job_info j;
            if (r->st->ops->job_latest(r->st, id, lang_code(l), &j, &err) != GZ_OK)
                return send_json(r, 404, json_pack("{s:s}", "state", "none"));
            return send_json(r, 200, json_pack("{s:I,s:s,s:f,s:s,s:I,s:f}", "id", (json_int_t)j.id,
                                               "state", j.state, "progress", j.progress,
                                               "error", j.error, "flagged", (json_int_t)j.flagged,
                                               "seconds", j.seconds));
        }
        if (strncmp(end, "/synthesize/", 12) == 0 && r->is_post &&
            lang_parse(end + 12, strlen(end + 12), &l) == GZ_OK) {
            struct form f;
            int64_t jid;
            char to[64];
            if (!http_form(r, &f, &ret))
                return ret;
            form_release(&f);
            if (nr_queue(r->st, id, l, "", &jid, &err) != GZ_OK) {
                log_error("newsroom", "cannot queue synthesis: %s", err.msg);
                return http_error(r, http_status(err.code));
            }
            snprintf(to, sizeof to, "/newsroom/story/%lld?job=%lld", id, (long long)jid);
            return http_redirect(r, 303, to);
        }
        if (strncmp(end, "/timing/", 8) == 0 && lang_parse(end + 8, 2, &l) == GZ_OK)
            return timing(r, id, l, end + 10);
        if (strncmp(end, "/peaks/", 7) == 0 && lang_parse(end + 7, 2, &l) == GZ_OK)
            return timing(r, id, l, "/peaks");
    }
    return http_error(r, 404);
}
