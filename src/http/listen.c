/* listen.c: listening that continues (issue 11, item 4).
 * GET  /listen/position?story=ID&lang=en: where the signed-in reader stopped, {"t": s|null}.
 * POST /listen/position, JSON {"story":ID,"lang":"en","t":s} or {...,"done":true}: the CSRF
 *      token in X-CSRF-Token and Content-Type application/json (a cross-site form can send
 *      neither); rate-limited in the service (listen.h).
 * GET  /listen/today.json: the narrated stories of the latest day, newest first ("play all").
 * Signed-out readers keep positions in their browser (web/listen.js); the server sees none. */
#include "service/listen.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/log.h"
#include "http/http_int.h"

/* "Today": narrated stories published within a day before the newest one, so a site that
 * publishes every day gets today's. When that day has fewer than TODAY_MIN (a quiet site, the
 * demo), the TODAY_LATEST newest narrated stories instead, marked "latest" for the button's
 * label: a queue of one is no queue. */
#define TODAY_WINDOW_S 86400
#define TODAY_MAX      20
#define TODAY_MIN      2
#define TODAY_LATEST   5

static enum MHD_Result reply(struct req *r, int status, json_t *j_owned, const char *cc)
{
    char *text = json_dumps(j_owned, JSON_COMPACT);

    json_decref(j_owned);
    if (!text) /* jansson refuses strings that are not UTF-8 */
        return http_text(r, 500, "cannot encode the answer\n");
    return http_send(r, status, "application/json", text, strlen(text), cc);
}

static enum MHD_Result refuse(struct req *r, int rc, const char *code, int64_t retry_after_s)
{
    json_t *j = json_object();

    json_object_set_new(j, "error", json_string(code));
    if (retry_after_s > 0) {
        r->retry_after = retry_after_s;
        json_object_set_new(j, "retry_after", json_integer(retry_after_s));
    }
    return reply(r, http_status(rc), j, "no-store");
}

static int parse_story(const char *s, int64_t *id)
{
    char *end = NULL;
    long long v;

    if (!s || !*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 15)
        return 0;
    v = strtoll(s, &end, 10);
    *id = v;
    return v > 0;
}

static enum MHD_Result position_get(struct req *r)
{
    struct err err = { 0 };
    const char *lang = http_query(r, "lang");
    int64_t id = 0, t_ms = 0;
    json_t *j;
    int rc;

    if (!r->user_id)
        return refuse(r, GZ_EAUTH, "not_signed_in", 0);
    if (!parse_story(http_query(r, "story"), &id) || !listen_lang_ok(lang))
        return refuse(r, GZ_EINVAL, "bad_request", 0);
    rc = r->st->ops->position_get(r->st, r->user_id, id, lang, &t_ms, &err);
    if (rc != GZ_OK && rc != GZ_ENOTFOUND) {
        log_error("listen", "cannot read a position: %s", err.msg);
        return refuse(r, rc, "error", 0);
    }
    j = json_object();
    json_object_set_new(j, "t", rc == GZ_OK ? json_real((double)t_ms / 1000.0) : json_null());
    return reply(r, 200, j, "private, no-store");
}

static enum MHD_Result position_post(struct req *r)
{
    const char *ct = http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    struct err err = { 0 };
    json_error_t je;
    json_t *in = NULL, *v;
    int64_t id = 0, t_ms = 0, retry = 0;
    const char *lang;
    int done, rc;
    enum MHD_Result ret;

    if (!ct || strncmp(ct, "application/json", 16) != 0) {
        json_t *j = json_object();
        json_object_set_new(j, "error", json_string("json_required"));
        return reply(r, 415, j, "no-store");
    }
    if (!http_csrf_ok(r, http_header(r, "X-CSRF-Token")))
        return refuse(r, GZ_EFORBIDDEN, "csrf", 0);
    if (!r->user_id)
        return refuse(r, GZ_EAUTH, "not_signed_in", 0);
    in = json_loadb(buf_cstr(&r->body), r->body.len, JSON_REJECT_DUPLICATES, &je);
    v = json_object_get(in, "story");
    lang = json_string_value(json_object_get(in, "lang"));
    done = json_is_true(json_object_get(in, "done"));
    if (json_is_integer(v))
        id = json_integer_value(v);
    v = json_object_get(in, "t");
    if (!done) {
        double t = json_is_number(v) ? json_number_value(v) : -1;
        /* NaN and infinities cannot come from JSON; out of range is refused here */
        t_ms = t >= 0 && t <= (double)LISTEN_T_MAX_MS / 1000.0 ? llround(t * 1000.0) : -1;
    }
    if (!json_is_object(in) || id <= 0 || !listen_lang_ok(lang) || (!done && t_ms < 0)) {
        ret = refuse(r, GZ_EINVAL, "bad_request", 0);
        goto out;
    }
    rc = listen_save(r->st, r->user_id, id, lang, t_ms, done, clock_now(), &retry, &err);
    if (rc == GZ_OK) {
        json_t *j = json_object();
        json_object_set_new(j, "ok", json_true());
        ret = reply(r, 200, j, "no-store");
    } else if (rc == GZ_ENOTFOUND || rc == GZ_EINVAL || rc == GZ_ELIMIT) {
        ret = refuse(r, rc,
                     rc == GZ_ENOTFOUND ? "not_found"
                     : rc == GZ_ELIMIT  ? "rate_limited"
                                        : "bad_request",
                     retry);
    } else {
        log_error("listen", "cannot store a position: %s", err.msg);
        ret = refuse(r, rc, "error", 0);
    }
out:
    json_decref(in);
    return ret;
}

/* The page a brief links to, as layout_brief does: the UI language's page when the story has it. */
static void story_url(char *out, size_t cap, const struct story *s, enum lang ui)
{
    enum lang l = s->l[ui].present ? ui : (ui == LANG_ZH ? LANG_EN : LANG_ZH);
    snprintf(out, cap, "/story/%lld%s", (long long)s->id,
             l == LANG_EN && s->l[LANG_ZH].present ? "/en" : "");
}

/* The day's queue as JSON (OUT: *json_out, malloc'd). */
static int today_json(struct req *r, char **json_out, struct err *err)
{
    struct brief_list list = { 0 };
    json_t *j = NULL, *a = NULL;
    int latest = 0, rc = r->st->ops->latest(r->st, NULL, TODAY_MAX, &list, err);

    *json_out = NULL;
    if (rc != GZ_OK)
        goto out;
    a = json_array();
    for (size_t i = 0; i < list.n; i++) {
        const struct story_brief *b = &list.item[i];
        struct story *s = NULL;
        char url[64];
        enum lang l, narr;
        size_t n = json_array_size(a);
        int today = b->published >= list.item[0].published - TODAY_WINDOW_S;
        if (!today && !latest && n >= TODAY_MIN)
            break; /* newest first: the rest are older */
        latest |= !today;
        if (latest && n >= TODAY_LATEST)
            break;
        rc = r->st->ops->story_get(r->st, b->id, &s, err);
        if (rc != GZ_OK)
            goto out;
        l = s->l[r->ui].present ? r->ui : (r->ui == LANG_ZH ? LANG_EN : LANG_ZH);
        narr = story_narration_lang(s, l == LANG_EN ? MODE_EN : MODE_ZH);
        if (s->status == STORY_PUBLISHED && s->l[narr].audio) {
            json_t *o = json_object();
            story_url(url, sizeof url, s, r->ui);
            json_object_set_new(o, "id", json_integer(s->id));
            json_object_set_new(o, "url", json_string(url));
            json_object_set_new(o, "title", json_string(s->l[l].headline));
            json_object_set_new(o, "published", json_integer(s->published));
            json_array_append_new(a, o);
        }
        story_free(s);
    }
    j = json_object();
    if (list.n)
        json_object_set_new(j, "day_end", json_integer(list.item[0].published));
    json_object_set_new(j, "latest", json_boolean(latest));
    json_object_set_new(j, "stories", a);
    a = NULL;
    *json_out = json_dumps(j, JSON_COMPACT);
    if (!*json_out)
        rc = err_set(err, GZ_EINVAL, "a headline is not UTF-8");
out:
    json_decref(a);
    json_decref(j);
    brief_list_release(&list);
    return rc;
}

/* Built once per content generation and UI language, in the page cache (so also compressed
 * once and answered with ETag/304): the home page asks for it on every visit. */
static enum MHD_Result today(struct req *r)
{
    struct err err = { 0 };
    struct cache_entry *e;
    int64_t gen = 0;
    char key[32], *json = NULL;
    size_t no_slots[1] = { 0 };
    int rc = r->st->ops->generation(r->st, &gen, &err);

    snprintf(key, sizeof key, "listen-today|%s", r->ui == LANG_ZH ? "zh" : "en");
    e = rc == GZ_OK ? cache_get(r->app->cache, key, gen) : NULL;
    if (rc == GZ_OK && !e) {
        rc = today_json(r, &json, &err);
        if (rc == GZ_OK)
            e = cache_put(r->app->cache, key, gen, json, strlen(json), no_slots, 0, 200,
                          "application/json"); /* (cache_put copies the slots: never NULL) */
    }
    if (rc != GZ_OK) {
        log_error("listen", "cannot list the day's stories: %s", err.msg);
        return refuse(r, rc, "error", 0);
    }
    return http_send_entry(r, e, "no-cache");
}

/* The web app manifest: the site's name, its icons, the whole site as scope. */
static enum MHD_Result manifest(struct req *r)
{
    json_t *j = json_object(), *icons = json_array();
    struct buf u;
    static const struct {
        const char *file, *sizes, *type;
    } ic[] = {
        { "icon-192.png", "192x192", "image/png" },
        { "icon-512.png", "512x512", "image/png" },
        { "icon.svg", "any", "image/svg+xml" },
    };
    char *text;

    buf_init(&u, 256);
    for (size_t i = 0; i < GZ_NELEM(ic); i++) {
        json_t *o = json_object();
        buf_truncate(&u, 0);
        buf_printf(&u, "/static/%s?v=%s", ic[i].file, r->app->asset_ver);
        json_object_set_new(o, "src", json_string(buf_cstr(&u)));
        json_object_set_new(o, "sizes", json_string(ic[i].sizes));
        json_object_set_new(o, "type", json_string(ic[i].type));
        json_object_set_new(o, "purpose", json_string("any"));
        json_array_append_new(icons, o);
    }
    buf_release(&u);
    json_object_set_new(j, "name", json_string(r->app->site_name));
    json_object_set_new(j, "short_name", json_string(r->app->site_name));
    json_object_set_new(j, "id", json_string("/"));
    json_object_set_new(j, "start_url", json_string("/"));
    json_object_set_new(j, "scope", json_string("/"));
    json_object_set_new(j, "display", json_string("standalone"));
    json_object_set_new(j, "background_color", json_string("#fff1e5"));
    json_object_set_new(j, "theme_color", json_string("#990f3d"));
    json_object_set_new(j, "icons", icons);
    text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text)
        return http_text(r, 500, "cannot encode the manifest\n");
    return http_send(r, 200, "application/manifest+json", text, strlen(text),
                     "public, max-age=3600");
}

enum MHD_Result listen_route(struct req *r, int *handled)
{
    const char *p = r->path;

    *handled = 1;
    if (!r->is_post && strcmp(p, "/sw.js") == 0)
        return files_static(r, "sw.js"); /* at the root: its scope is the whole site */
    if (!r->is_post && strcmp(p, "/manifest.webmanifest") == 0)
        return manifest(r);
    if (strcmp(p, "/listen/position") == 0)
        return r->is_post ? position_post(r) : position_get(r);
    if (strcmp(p, "/listen/today.json") == 0 && !r->is_post)
        return today(r);
    *handled = 0;
    return MHD_NO;
}
