/* handlers.c: routes. Each handler fetches plain data from the store, renders, answers. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "text/text.h"
#include "http/form.h"
#include "http/http_int.h"
#include "render/qr.h"
#include "render/render.h"
#include "service/account.h"

#define RELATED_MAX 5
#define HOME_MAX 60

enum page_kind { PK_HOME, PK_SECTION, PK_STORY, PK_SHARE, PK_QR, PK_QR_SVG, PK_TJSON, PK_TVTT,
                 PK_FEED, PK_SITEMAP, PK_NEWS_SITEMAP };

struct page_req {
    enum page_kind kind;
    int64_t id;
    enum story_mode mode;
    int lang_given; /* transcript language named in the path */
    enum feed_kind feed;
    enum lang lang;
    char slug[40];
};

/* A page the store could not give: 503 + Retry-After when the database is busy, 507 when the
 * disk is full, else 500. */
static enum MHD_Result server_error(struct req *r, int rc, const struct err *err)
{
    log_error("http", "%s %s: %s", r->method, r->path, err->msg);
    return http_error(r, http_store_status(r, rc));
}

enum MHD_Result http_error(struct req *r, int status)
{
    struct page_ctx c;
    struct section_list secs = { 0 };
    struct buf b;
    size_t len;
    char *html;

    http_sections(r, &secs);
    http_page_ctx(r, &c, &secs);
    buf_init(&b, 0);
    page_error(&b, &c, status);
    section_list_release(&secs);
    html = http_splice(r, buf_cstr(&b), b.len, c.csrf_at, c.n_csrf, &len);
    buf_release(&b);
    return http_send(r, status, "text/html; charset=utf-8", html, len, "no-store");
}

static int parse_id(const char *s, size_t n, int64_t *out)
{
    int64_t v = 0;
    if (n == 0 || n > 15)
        return 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return v > 0;
}

/* Map a path to a page; 0 when it names none. */
static int route_page(const char *path, struct page_req *pr)
{
    const char *p, *slash;
    size_t n;

    memset(pr, 0, sizeof *pr);
    if (strcmp(path, "/") == 0) {
        pr->kind = PK_HOME;
        return 1;
    }
    {
        static const struct {
            const char *path;
            enum page_kind kind;
            enum feed_kind feed;
        } fixed[] = {
            { "/feed.xml", PK_FEED, FEED_ZH },
            { "/feed.en.xml", PK_FEED, FEED_EN },
            { "/feed.bilingual.xml", PK_FEED, FEED_BILINGUAL },
            { "/sitemap.xml", PK_SITEMAP, FEED_ZH },
            { "/sitemap-news.xml", PK_NEWS_SITEMAP, FEED_ZH },
        };
        for (size_t i = 0; i < GZ_NELEM(fixed); i++)
            if (strcmp(path, fixed[i].path) == 0) {
                pr->kind = fixed[i].kind;
                pr->feed = fixed[i].feed;
                return 1;
            }
    }
    if (strncmp(path, "/section/", 9) == 0) {
        p = path + 9;
        n = strlen(p);
        if (n > 9 && strcmp(p + n - 9, "/feed.xml") == 0) {
            n -= 9;
            pr->kind = PK_FEED;
            pr->feed = FEED_ZH;
            if (n == 0 || n >= sizeof pr->slug ||
                strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
                return 0;
            memcpy(pr->slug, p, n);
            pr->slug[n] = '\0';
            return 1;
        }
        if (n == 0 || n >= sizeof pr->slug || strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
            return 0;
        memcpy(pr->slug, p, n + 1);
        pr->kind = PK_SECTION;
        return 1;
    }
    if (strncmp(path, "/story/", 7) != 0)
        return 0;
    p = path + 7;
    slash = strchr(p, '/');
    n = slash ? (size_t)(slash - p) : strlen(p);
    if (!parse_id(p, n, &pr->id))
        return 0;
    pr->kind = PK_STORY;
    pr->mode = MODE_ZH;
    if (!slash)
        return 1;
    p = slash + 1;
    if (strcmp(p, "en") == 0) {
        pr->mode = MODE_EN;
        return 1;
    }
    if (strcmp(p, "ce") == 0) {
        pr->mode = MODE_CE;
        return 1;
    }
    if (strcmp(p, "share") == 0) {
        pr->kind = PK_SHARE;
        return 1;
    }
    if (strcmp(p, "qr") == 0) {
        pr->kind = PK_QR;
        return 1;
    }
    if (strcmp(p, "qr.svg") == 0) {
        pr->kind = PK_QR_SVG;
        return 1;
    }
    if ((strncmp(p, "en/", 3) == 0 || strncmp(p, "zh/", 3) == 0) &&
        lang_parse(p, 2, &pr->lang) == GZ_OK) {
        pr->lang_given = 1;
        p += 3;
    }
    if (strcmp(p, "transcript.json") == 0) {
        pr->kind = PK_TJSON;
        return 1;
    }
    if (strcmp(p, "transcript.vtt") == 0) {
        pr->kind = PK_TVTT;
        return 1;
    }
    return 0;
}

static void page_key(struct buf *k, const struct req *r, const struct page_req *pr)
{
    /* The 对照 narration choice only changes 对照 pages: other pages keep one entry. */
    const long long v[] = { (int)pr->kind, (long long)pr->id, (int)pr->mode,
                            pr->lang_given ? (int)pr->lang : -1, (int)r->ui, r->fs, r->theme,
                            pr->mode == MODE_CE ? r->narr : -1, r->user_id > 0, (int)pr->feed };
    /* Built by hand: one snprintf of eleven fields was 5 % of a cached page's CPU. */
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        buf_put_int(k, v[i]);
        buf_putc(k, ':');
    }
    buf_puts(k, pr->slug);
}

/* Related stories: the editor's picks when there are any, else same section or tags. */
static int related(struct store *st, const struct story *s, struct brief_list *out,
                   struct err *err)
{
    json_t *ids = s->related ? json_loads(s->related, 0, NULL) : NULL;
    size_t i;
    json_t *v;

    out->item = NULL;
    out->n = 0;
    if (json_is_array(ids) && json_array_size(ids) > 0) {
        out->item = xcalloc(json_array_size(ids), sizeof *out->item);
        json_array_foreach(ids, i, v)
        {
            struct story *r = NULL;
            struct story_brief *b;
            int rc;
            if (out->n >= RELATED_MAX || !json_is_integer(v) || json_integer_value(v) == s->id)
                continue;
            rc = st->ops->story_get(st, json_integer_value(v), &r, err);
            if (rc != GZ_OK) /* a picked story that is gone: left out */
                continue;
            if (r->status == STORY_PUBLISHED) {
                b = &out->item[out->n++];
                memset(b, 0, sizeof *b);
                b->id = r->id;
                b->published = r->published;
                b->section_slug = xstrdup(r->section_slug);
                b->section_zh = xstrdup(r->section_zh);
                b->section_en = xstrdup(r->section_en);
                for (int l = 0; l < LANG_COUNT; l++)
                    if (r->l[l].present) {
                        b->headline[l] = xstrdup(r->l[l].headline);
                        b->summary[l] = xstrdup(r->l[l].summary);
                    }
            }
            story_free(r);
        }
        json_decref(ids);
        if (out->n)
            return GZ_OK;
    }
    json_decref(ids);
    return st->ops->related(st, s->id, RELATED_MAX, out, err);
}

/* Feeds and sitemaps: the newest stories in full (for enclosures and their sizes). */
static int feed(struct req *r, const struct page_req *pr, struct buf *b, struct page_ctx *c,
                const struct section_list *secs, const char **ctype, struct err *err)
{
    struct store *st = r->st;
    struct brief_list list = { 0 };
    struct feed_item *items = NULL;
    size_t n = 0;
    int rc, limit = pr->kind == PK_SITEMAP ? 1000 : 30;
    const char *sec = pr->slug[0] ? pr->slug : NULL;

    if (sec) {
        int found = 0;
        for (size_t i = 0; i < secs->n; i++)
            found |= strcmp(secs->item[i].slug, sec) == 0;
        if (!found)
            return GZ_ENOTFOUND;
    }
    rc = st->ops->latest(st, sec, limit, &list, err);
    if (rc != GZ_OK)
        return rc;
    items = xcalloc(list.n ? list.n : 1, sizeof *items);
    for (size_t i = 0; i < list.n; i++) {
        struct story *s = NULL;
        if (st->ops->story_get(st, list.item[i].id, &s, err) != GZ_OK)
            continue;
        items[n].story = s;
        for (int l = 0; l < LANG_COUNT; l++) {
            struct stat sb;
            struct buf path;
            if (!s->l[l].audio)
                continue;
            buf_init(&path, 4096);
            buf_printf(&path, "%s/%s", r->app->media_dir, s->l[l].audio);
            if (stat(buf_cstr(&path), &sb) == 0)
                items[n].audio_bytes[l] = (int64_t)sb.st_size;
            buf_release(&path);
        }
        n++;
    }
    if (pr->kind == PK_FEED) {
        struct buf title, self;
        c->contact_email = r->app->podcast_email;
        buf_init(&title, 0);
        buf_init(&self, 0);
        buf_puts(&title, r->app->site_name);
        if (sec)
            for (size_t i = 0; i < secs->n; i++)
                if (strcmp(secs->item[i].slug, sec) == 0)
                    buf_printf(&title, " · %s", pr->feed == FEED_EN ? secs->item[i].name_en
                                                                   : secs->item[i].name_zh);
        buf_puts(&self, r->path);
        feed_rss(b, c, buf_cstr(&title), buf_cstr(&self), pr->feed, items, n);
        buf_release(&title);
        buf_release(&self);
        *ctype = "application/rss+xml; charset=utf-8";
    } else {
        sitemap(b, c, items, n, pr->kind == PK_NEWS_SITEMAP, clock_now());
        *ctype = "application/xml; charset=utf-8";
    }
    for (size_t i = 0; i < n; i++)
        story_free((struct story *)items[i].story);
    free(items);
    brief_list_release(&list);
    return GZ_OK;
}

/* Render the page pr names into b; sets *status and *ctype. */
static int render(struct req *r, const struct page_req *pr, struct buf *b, struct page_ctx *c,
                  int *status, const char **ctype, struct err *err)
{
    struct store *st = r->st;
    struct section_list secs = { 0 };
    struct brief_list list = { 0 };
    struct quiz_brief quiz = { 0 };
    struct story *s = NULL;
    int rc, have_quiz = 0;

    *status = 200;
    *ctype = "text/html; charset=utf-8";
    rc = st->ops->sections(st, &secs, err);
    if (rc != GZ_OK)
        goto out;
    http_page_ctx(r, c, &secs);
    if (pr->kind == PK_HOME || pr->kind == PK_STORY) {
        rc = st->ops->quiz_latest(st, &quiz, err);
        if (rc == GZ_OK)
            have_quiz = 1;
        else if (rc != GZ_ENOTFOUND)
            goto out;
        rc = GZ_OK;
    }
    switch (pr->kind) {
    case PK_FEED:
    case PK_SITEMAP:
    case PK_NEWS_SITEMAP:
        rc = feed(r, pr, b, c, &secs, ctype, err);
        c->n_csrf = 0;
        goto out;
    case PK_HOME:
        rc = st->ops->latest(st, NULL, HOME_MAX, &list, err);
        if (rc == GZ_OK)
            page_home(b, c, &list, have_quiz ? &quiz : NULL);
        goto out;
    case PK_SECTION: {
        const struct section *sec = NULL;
        for (size_t i = 0; i < secs.n; i++)
            if (strcmp(secs.item[i].slug, pr->slug) == 0)
                sec = &secs.item[i];
        if (!sec) {
            rc = GZ_ENOTFOUND;
            goto out;
        }
        rc = st->ops->latest(st, pr->slug, HOME_MAX, &list, err);
        if (rc == GZ_OK)
            page_section(b, c, sec, &list);
        goto out;
    }
    default:
        break;
    }
    rc = st->ops->story_get(st, pr->id, &s, err);
    if (rc != GZ_OK)
        goto out;
    if (s->status != STORY_PUBLISHED) {
        rc = GZ_ENOTFOUND; /* drafts and scheduled stories: newsroom preview only */
        goto out;
    }
    switch (pr->kind) {
    case PK_STORY: {
        int both = s->l[LANG_EN].present && s->l[LANG_ZH].present;
        if ((pr->mode == MODE_CE && !both) || (pr->mode == MODE_EN && !s->l[LANG_EN].present)) {
            rc = GZ_ENOTFOUND;
            goto out;
        }
        rc = related(st, s, &list, err);
        if (rc == GZ_OK)
            page_story(b, c, s, pr->mode, &list, have_quiz ? &quiz : NULL);
        break;
    }
    case PK_SHARE:
        page_share(b, c, s);
        break;
    case PK_QR:
        page_qr(b, c, s);
        break;
    case PK_QR_SVG: {
        struct buf url;
        buf_init(&url, 0);
        buf_printf(&url, "%s/story/%lld", r->app->base_url, (long long)s->id);
        rc = qr_svg(b, buf_cstr(&url));
        buf_release(&url);
        *ctype = "image/svg+xml";
        c->n_csrf = 0;
        break;
    }
    case PK_TJSON:
    case PK_TVTT: {
        enum lang l = pr->lang_given ? pr->lang : story_narration_lang(s, MODE_ZH);
        const struct story_lang *sl = &s->l[l];
        if (!sl->present) {
            rc = GZ_ENOTFOUND;
            break;
        }
        if (pr->kind == PK_TJSON) {
            struct buf url;
            buf_init(&url, 0);
            if (sl->audio)
                buf_printf(&url, "/media/%s", sl->audio);
            transcript_json(b, &sl->tr, sl->audio ? buf_cstr(&url) : NULL);
            buf_putc(b, '\n');
            buf_release(&url);
            *ctype = "application/json";
        } else {
            transcript_vtt(b, &sl->tr);
            *ctype = "text/vtt; charset=utf-8";
        }
        c->n_csrf = 0;
        break;
    }
    default:
        GZ_UNREACHABLE();
    }
out:
    story_free(s);
    brief_list_release(&list);
    section_list_release(&secs);
    quiz_brief_release(&quiz);
    return rc;
}

/* The content generation, asked of the store at most every GEN_CHECK_MS per thread: a change
 * made by another process (gazette import, another app server) shows within that bound, and
 * a busy server does not spend a query per request on it. */
#define GEN_CHECK_MS 20

static int generation(struct req *r, int64_t *gen, struct err *err)
{
    static _Thread_local int64_t tl_gen, tl_checked_ms = -1;
    static _Thread_local uint64_t tl_bumps;
    struct timespec now;
    int64_t ms;
    uint64_t bumps = store_local_bumps(); /* a change made by this process: at once */
    int rc;

    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    if (tl_checked_ms >= 0 && ms - tl_checked_ms < GEN_CHECK_MS && bumps == tl_bumps) {
        *gen = tl_gen;
        return GZ_OK;
    }
    tl_bumps = bumps;
    rc = r->st->ops->generation(r->st, &tl_gen, err);
    if (rc != GZ_OK)
        return rc;
    tl_checked_ms = ms;
    *gen = tl_gen;
    return GZ_OK;
}

static enum MHD_Result serve_page(struct req *r, const struct page_req *pr)
{
    struct cache *cache = r->app->cache;
    struct cache_entry *e;
    struct page_ctx c;
    struct err err = { 0 };
    struct buf key, b;
    int64_t gen;
    int rc, status;
    const char *ctype, *cc;

    rc = generation(r, &gen, &err);
    if (rc != GZ_OK)
        return server_error(r, rc, &err);
    buf_init(&key, 0);
    page_key(&key, r, pr);
    e = cache_get(cache, buf_cstr(&key), gen);
    metrics_cache(e != NULL);
    if (!e) {
        buf_init(&b, 8 << 20);
        rc = render(r, pr, &b, &c, &status, &ctype, &err);
        if (rc == GZ_OK && b.err)
            rc = err_set(&err, GZ_ETOOBIG, "page too large");
        if (rc != GZ_OK) {
            buf_release(&b);
            buf_release(&key);
            if (rc == GZ_ENOTFOUND)
                return http_error(r, 404);
            if (rc == GZ_EINVAL)
                return http_error(r, 400);
            return server_error(r, rc, &err);
        }
        {
            size_t len;
            char *data = buf_take(&b, &len);
            e = cache_put(cache, buf_cstr(&key), gen, data, len, c.csrf_at, c.n_csrf, status,
                          ctype);
        }
    }
    buf_release(&key);
    cc = "no-cache";
    if (pr->kind == PK_TJSON || pr->kind == PK_TVTT || pr->kind == PK_QR_SVG) {
        cc = "public, max-age=60";
    }
    r->cors = pr->kind == PK_TJSON || pr->kind == PK_TVTT || pr->kind == PK_FEED;
    if (pr->kind == PK_FEED || pr->kind == PK_SITEMAP || pr->kind == PK_NEWS_SITEMAP)
        cc = "public, max-age=300";
    return http_send_entry(r, e, cc);
}

static enum MHD_Result search(struct req *r)
{
    const char *q = http_query(r, "q");
    struct section_list secs = { 0 };
    struct brief_list l = { 0 };
    struct page_ctx c;
    struct err err = { 0 };
    struct buf b, qs;
    enum MHD_Result ret;
    size_t len;
    char *html;

    buf_init(&qs, 0);
    /* Trim, cap at 100 bytes on a character boundary, refuse control characters. */
    if (q) {
        size_t n;
        while (*q == ' ')
            q++;
        n = strnlen(q, 101); /* after the spaces: counting them off could wrap below zero */
        if (n > 100) { /* cut at 100 bytes, on a character boundary */
            n = 100;
            while (n && ((unsigned char)q[n] & 0xc0) == 0x80)
                n--;
        }
        while (n && q[n - 1] == ' ')
            n--;
        buf_append(&qs, q, n);
        if (!utf8_valid(buf_cstr(&qs), qs.len) || text_has_control(buf_cstr(&qs), qs.len)) {
            buf_release(&qs);
            return http_error(r, 400);
        }
    }
    http_sections(r, &secs);
    if (qs.len && r->st->ops->search(r->st, buf_cstr(&qs), 50, &l, &err) != GZ_OK) {
        section_list_release(&secs);
        buf_release(&qs);
        return server_error(r, err.code, &err);
    }
    http_page_ctx(r, &c, &secs);
    buf_init(&b, 0);
    page_search(&b, &c, buf_cstr(&qs), &l);
    html = http_splice(r, buf_cstr(&b), b.len, c.csrf_at, c.n_csrf, &len);
    ret = http_send(r, 200, "text/html; charset=utf-8", html, len, "no-store");
    buf_release(&b);
    buf_release(&qs);
    brief_list_release(&l);
    section_list_release(&secs);
    return ret;
}

/* POST /prefs/fs, /lang, /rate, /theme, /narr: a reader preference in a cookie, then back. */
enum pref { PREF_FS, PREF_UI, PREF_RATE, PREF_THEME, PREF_NARR };

static enum MHD_Result prefs(struct req *r, enum pref which)
{
    int is_fs = which == PREF_FS;
    struct form f = { 0 };
    const char *v, *back;
    struct MHD_Response *resp;
    enum MHD_Result ret;
    char val[24];
    enum lang l;

    if (!http_form(r, &f, &ret))
        return ret;
    v = form_get(&f, which == PREF_FS     ? "fs"
                     : which == PREF_UI    ? "ui"
                     : which == PREF_THEME ? "theme"
                     : which == PREF_NARR  ? "narr"
                                           : "rate");
    if (is_fs && v && v[0] >= '1' && v[0] <= '5' && v[1] == '\0') {
        snprintf(val, sizeof val, "%c", v[0]);
    } else if ((which == PREF_UI || which == PREF_NARR) && v &&
               lang_parse(v, strlen(v), &l) == GZ_OK) {
        snprintf(val, sizeof val, "%s", lang_code(l));
    } else if (which == PREF_THEME && v && (strcmp(v, "light") == 0 || strcmp(v, "dark") == 0)) {
        snprintf(val, sizeof val, "%s", v);
    } else if (which == PREF_RATE && v && strtod(v, NULL) >= 0.5 && strtod(v, NULL) <= 2.0) {
        snprintf(val, sizeof val, "%g", strtod(v, NULL));
    } else {
        form_release(&f);
        return http_text(r, 400, which == PREF_FS      ? "fs must be 1 to 5\n"
                                 : which == PREF_UI    ? "ui must be en or zh\n"
                                 : which == PREF_THEME ? "theme must be light or dark\n"
                                 : which == PREF_NARR  ? "narr must be en or zh\n"
                                                       : "rate must be 0.5 to 2\n");
    }
    if (r->user_id && (which == PREF_FS || which == PREF_RATE)) {
        /* Signed in: the preference follows the reader to other devices. One flow, the
         * preference columns only (service/account.c), so a reset meanwhile stays. */
        struct acct_out o = acct_prefs(r->st, r->user_id, is_fs ? val[0] - '0' : 0,
                                       is_fs ? 0 : strtod(val, NULL));
        if (o.rc != GZ_OK)
            log_warn("http", "%s: preference kept in this browser only: %s", r->path,
                     o.err.msg[0] ? o.err.msg : "not signed in");
    }
    back = form_local_path(form_get(&f, "back"));
    resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp) {
        form_release(&f);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, back);
    /* gz_fs, gz_rate and gz_narr are also written by the page's script; gz_ui and gz_theme
     * only by the server. */
    http_set_cookie(r, resp,
                    which == PREF_FS      ? "gz_fs"
                    : which == PREF_UI    ? "gz_ui"
                    : which == PREF_THEME ? "gz_theme"
                    : which == PREF_NARR  ? "gz_narr"
                                          : "gz_rate",
                    val, 31536000, which == PREF_UI || which == PREF_THEME);
    http_common_headers(r, resp);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    ret = MHD_queue_response(r->conn, 303, resp);
    MHD_destroy_response(resp);
    form_release(&f);
    return ret;
}

/* robots.txt: everything public may be crawled; the sitemaps by absolute URL. */
static enum MHD_Result robots(struct req *r)
{
    struct buf b;
    size_t len;
    char *text;

    buf_init(&b, 0);
    buf_printf(&b,
               "User-agent: *\nAllow: /\nDisallow: /newsroom\nDisallow: /account\n"
               "Sitemap: %s/sitemap.xml\nSitemap: %s/sitemap-news.xml\n",
               r->app->base_url, r->app->base_url);
    text = buf_take(&b, &len);
    return http_send(r, 200, "text/plain; charset=utf-8", text, len, "public, max-age=3600");
}

enum MHD_Result handle(struct req *r)
{
    struct page_req pr;
    const char *path = r->path;
    int handled = 0;
    enum MHD_Result ret = account_route(r, &handled);

    if (handled)
        return ret;
    if (strncmp(path, "/newsroom", 9) == 0) {
        ret = newsroom_route(r, &handled);
        if (handled)
            return ret;
    }
    ret = listen_route(r, &handled); /* /listen/, /sw.js, /manifest.webmanifest */
    if (handled)
        return ret;
    if (r->is_post && strncmp(path, "/quiz/", 6) != 0) {
        if (strcmp(path, "/prefs/fs") == 0)
            return prefs(r, PREF_FS);
        if (strcmp(path, "/prefs/lang") == 0)
            return prefs(r, PREF_UI);
        if (strcmp(path, "/prefs/rate") == 0)
            return prefs(r, PREF_RATE);
        if (strcmp(path, "/prefs/theme") == 0)
            return prefs(r, PREF_THEME);
        if (strcmp(path, "/prefs/narr") == 0)
            return prefs(r, PREF_NARR);
        return http_error(r, 404);
    }
    if (strncmp(path, "/static/", 8) == 0)
        return files_static(r, path + 8);
    if (strncmp(path, "/media/", 7) == 0)
        return files_media(r, path + 7);
    if (strcmp(path, "/search") == 0)
        return search(r);
    if (strncmp(path, "/quiz/", 6) == 0) {
        int64_t qid;
        if (!parse_id(path + 6, strlen(path + 6), &qid))
            return http_error(r, 404);
        return quiz_route(r, qid);
    }
    if (strcmp(path, "/robots.txt") == 0)
        return robots(r);
    if (strcmp(path, "/favicon.ico") == 0)
        return files_static(r, "icon.svg");
    if (route_page(path, &pr))
        return serve_page(r, &pr);
    return http_error(r, 404);
}
