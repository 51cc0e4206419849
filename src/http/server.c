/* server.c: libmicrohttpd glue: limits, request lifecycle, common headers, responses. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sodium.h>

#include "auth/pool.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/accesslog.h"
#include "http/form.h"
#include "http/guard.h"
#include "http/http_int.h"

static const char csp[] = "default-src 'self'; img-src 'self' data:; media-src 'self'; "
                          "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                          "form-action 'self'";

static _Thread_local struct store *tl_store;

static struct store *thread_store(struct app *app)
{
    struct err err = { 0 };

    if (tl_store)
        return tl_store;
    if (store_open(app->db_path, &tl_store, &err) != GZ_OK) {
        log_error("http", "cannot open store: %s", err.msg);
        return NULL;
    }
    pthread_mutex_lock(&app->stores_lock);
    if (app->n_stores < GZ_NELEM(app->stores)) {
        app->stores[app->n_stores++] = tl_store;
    }
    pthread_mutex_unlock(&app->stores_lock);
    return tl_store;
}

const char *http_header(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_query(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_cookie(struct req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

void http_set_cookie(struct req *r, struct MHD_Response *resp, const char *name,
                     const char *value, long max_age, int http_only)
{
    char line[256];
    int n = snprintf(line, sizeof line, "%s=%s; Path=/; SameSite=Lax%s%s", name, value,
                     http_only ? "; HttpOnly" : "", r->secure ? "; Secure" : "");
    if (n > 0 && (size_t)n < sizeof line && max_age > 0)
        snprintf(line + n, sizeof line - (size_t)n, "; Max-Age=%ld", max_age);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, line);
}

void http_cookie_later(struct req *r, const char *name, const char *value, long max_age,
                       int http_only)
{
    struct buf b;

    if (r->n_set_cookie >= (int)GZ_NELEM(r->set_cookie))
        return;
    buf_init(&b, 0);
    buf_printf(&b, "%s=%s; Path=/; SameSite=Lax%s%s", name, max_age < 0 ? "" : value,
               http_only ? "; HttpOnly" : "", r->secure ? "; Secure" : "");
    if (max_age > 0)
        buf_printf(&b, "; Max-Age=%ld", max_age);
    else if (max_age < 0)
        buf_puts(&b, "; Max-Age=0");
    r->set_cookie[r->n_set_cookie++] = buf_take(&b, NULL);
}

int http_csrf_ok(struct req *r, const char *tok)
{
    const char *origin = http_header(r, "Origin");
    return !r->csrf_new && tok && strlen(tok) == strlen(r->csrf) &&
           sodium_memcmp(tok, r->csrf, strlen(r->csrf)) == 0 &&
           (!origin || http_same_origin(r, origin));
}

int http_form(struct req *r, struct form *f, enum MHD_Result *ret)
{
    memset(f, 0, sizeof *f);
    if (form_parse(f, buf_cstr(&r->body), r->body.len) != GZ_OK) {
        *ret = http_text(r, 400, "malformed form body\n");
        return 0;
    }
    if (!http_csrf_ok(r, form_get(f, "csrf"))) {
        form_release(f);
        *ret = http_text(r, 403, "missing or wrong CSRF token: reload the page and try again\n");
        return 0;
    }
    return 1;
}

void http_page_ctx(struct req *r, struct page_ctx *c, const struct section_list *secs)
{
    memset(c, 0, sizeof *c);
    c->ui = r->ui;
    c->fs = r->fs;
    c->theme = r->theme;
    c->narr = r->narr;
    c->site_name = r->app->site_name;
    c->base_url = r->app->base_url;
    c->asset_ver = r->app->asset_ver;
    c->self_path = r->is_post ? "/" : r->path; /* forms come back here: a GET page */
    c->sections = secs;
    c->signed_in = r->user_id > 0;
}

void http_common_headers(struct req *r, struct MHD_Response *resp)
{
    for (int i = 0; i < r->n_set_cookie; i++)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->set_cookie[i]);
    MHD_add_response_header(resp, "Content-Security-Policy", csp);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "strict-origin-when-cross-origin");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=()");
    MHD_add_response_header(resp, "X-Request-Id", r->req_id);
    if (r->secure)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    if (r->bad)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
}

static enum MHD_Result queue(struct req *r, int status, struct MHD_Response *resp,
                             const char *ctype, const char *cache_control)
{
    enum MHD_Result ret;

    if (!resp)
        return MHD_NO;
    http_common_headers(r, resp);
    if (ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            cache_control ? cache_control : "no-cache");
    if (r->csrf_new)
        http_set_cookie(r, resp, "gz_csrf", r->csrf, 0, 1);
    if (r->etag[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
    if (r->content_encoding)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, r->content_encoding);
    if (r->vary_ae)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept-Encoding");
    if (r->cors)
        MHD_add_response_header(resp, "Access-Control-Allow-Origin", "*");
    if (r->retry_after > 0) {
        char ra[24];
        snprintf(ra, sizeof ra, "%lld", (long long)r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    ret = MHD_queue_response(r->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

enum MHD_Result http_send(struct req *r, int status, const char *ctype, char *body_owned,
                          size_t len, const char *cache_control)
{
    struct MHD_Response *resp =
            MHD_create_response_from_buffer(len, body_owned, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body_owned);
        return MHD_NO;
    }
    r->bytes = (int64_t)len;
    return queue(r, status, resp, ctype, cache_control);
}

char *http_splice(struct req *r, const char *data, size_t len, const size_t *at, size_t n,
                  size_t *out_len)
{
    struct buf out;
    size_t from = 0, tl = strlen(r->csrf);

    buf_init(&out, 0);
    buf_reserve(&out, len + n * tl);
    for (size_t i = 0; i < n; i++) {
        buf_append(&out, data + from, at[i] - from);
        buf_append(&out, r->csrf, tl);
        from = at[i];
    }
    buf_append(&out, data + from, len - from);
    return buf_take(&out, out_len);
}

int http_same_origin(struct req *r, const char *origin)
{
    const char *host = http_header(r, MHD_HTTP_HEADER_HOST);
    const char *scheme = r->secure ? "https://" : "http://";
    size_t sl = strlen(scheme);

    if (r->app->base_url && strcmp(origin, r->app->base_url) == 0)
        return 1;
    return host && strncmp(origin, scheme, sl) == 0 && strcmp(origin + sl, host) == 0;
}

enum MHD_Result http_send_entry(struct req *r, struct cache_entry *e, const char *cache_control)
{
    size_t len, tl = strlen(r->csrf);
    char *body;
    int status = e->status;
    const char *ctype = e->ctype;
    enum content_enc enc = ENC_IDENTITY;

    if (e->z.gz) {
        r->vary_ae = 1;
        if (!e->z.shared_window || tl == ZPAGE_TOKEN_LEN)
            enc = compress_pick(http_header(r, MHD_HTTP_HEADER_ACCEPT_ENCODING),
                                e->z.br != NULL);
    }
    if (status == 200) {
        /* The page's hash, the reader's token's (pages with forms carry it), the coding. */
        unsigned char th[4] = { 0 };
        if (e->n_csrf)
            crypto_generichash(th, sizeof th, (const unsigned char *)r->csrf, tl, NULL, 0);
        /* "HASH-TOKEN[-coding]", by hand (snprintf showed in the cached page's profile). */
        char *p = r->etag;
        const char *coding = enc == ENC_IDENTITY ? NULL : compress_name(enc);
        *p++ = '"';
        p = hex_put(p, e->hash, 16);
        *p++ = '-';
        p = hex_put(p, (uint64_t)th[0] << 24 | (uint64_t)th[1] << 16 | (uint64_t)th[2] << 8 | th[3],
                    8);
        if (coding && strlen(coding) + 4 < sizeof r->etag - (size_t)(p - r->etag)) {
            *p++ = '-';
            memcpy(p, coding, strlen(coding));
            p += strlen(coding);
        }
        *p++ = '"';
        *p = '\0';
        if (!r->csrf_new && http_etag_match(r, r->etag)) {
            struct MHD_Response *resp =
                    MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
            cache_unref(r->app->cache, e);
            r->bytes = 0;
            return queue(r, 304, resp, NULL, cache_control);
        }
    }
    if (enc == ENC_BR) {
        body = xmalloc(e->z.br_len ? e->z.br_len : 1);
        memcpy(body, e->z.br, e->z.br_len);
        len = e->z.br_len;
    } else if (enc == ENC_GZIP) {
        body = zpage_gzip(&e->z, r->csrf, tl, &len);
    } else {
        /* One contiguous copy with the reader's token spliced in: MHD then writes headers
         * and body with a single sendmsg, which measured faster than a zero-copy iovec. */
        body = http_splice(r, e->data, e->len, e->csrf_at, e->n_csrf, &len);
    }
    r->content_encoding = compress_name(enc);
    cache_unref(r->app->cache, e);
    return http_send(r, status, ctype, body, len, cache_control);
}

enum MHD_Result http_text(struct req *r, int status, const char *text)
{
    return http_send(r, status, "text/plain; charset=utf-8", xstrdup(text), strlen(text), NULL);
}

enum MHD_Result http_redirect(struct req *r, int status, const char *location)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
    return queue(r, status, resp, NULL, NULL);
}

/* Count the headers named name (case-insensitive). */
struct hdr_count {
    const char *name;
    int n;
};

static enum MHD_Result count_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    const char *value)
{
    struct hdr_count *c = cls;
    (void)kind;
    (void)value;
    if (strcasecmp(key, c->name) == 0)
        c->n++;
    return MHD_YES;
}

static enum MHD_Result add_arg_len(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    size_t *n = cls;
    (void)kind;
    *n += strlen(key) + (value ? strlen(value) : 0) + 2;
    return MHD_YES;
}

/* Path plus query, decoded: what a URL limit measures. */
static size_t url_len(struct MHD_Connection *conn, const char *url)
{
    size_t n = strlen(url);
    MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg_len, &n);
    return n;
}

/* Request smuggling guard: duplicate Content-Length, or Content-Length with
 * Transfer-Encoding, means two parsers could disagree about where the body ends. */
static int ambiguous_framing(struct MHD_Connection *conn)
{
    struct hdr_count cl = { "Content-Length", 0 }, te = { "Transfer-Encoding", 0 };
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &cl);
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_header, &te);
    return cl.n > 1 || te.n > 1 || (cl.n && te.n);
}

static void pick_csrf(struct req *r)
{
    const char *c = http_cookie(r, "gz_csrf");
    unsigned char rnd[32];
    size_t n = c ? strlen(c) : 0;
    int ok = n >= 32 && n < sizeof r->csrf;

    for (size_t i = 0; ok && i < n; i++) {
        char ch = c[i];
        ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
             ch == '-' || ch == '_';
    }
    if (ok) {
        memcpy(r->csrf, c, n + 1);
        return;
    }
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2base64(r->csrf, sizeof r->csrf, rnd, sizeof rnd,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    r->csrf_new = 1;
}

/* The client's address; behind a trusted proxy, the last X-Forwarded-For hop. */
static void client_ip(struct req *r)
{
    const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    const char *xff = r->app->trust_proxy ? http_header(r, "X-Forwarded-For") : NULL;

    r->ip[0] = '\0';
    if (xff) {
        const char *last = strrchr(xff, ',');
        last = last ? last + 1 : xff;
        while (*last == ' ')
            last++;
        snprintf(r->ip, sizeof r->ip, "%.*s", (int)strcspn(last, " ,"), last);
        return;
    }
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, r->ip,
                      sizeof r->ip);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr,
                      r->ip, sizeof r->ip);
    }
}

static enum lang pick_ui(struct req *r)
{
    const char *c = http_cookie(r, "gz_ui");
    const char *al;
    enum lang l;

    if (c && lang_parse(c, strlen(c), &l) == GZ_OK)
        return l;
    /* Accept-Language: the first of zh / en named wins; Chinese when neither is. */
    al = http_header(r, MHD_HTTP_HEADER_ACCEPT_LANGUAGE);
    for (const char *p = al; p && *p; p++) {
        if ((p == al || p[-1] == ',' || p[-1] == ' ') && (p[0] == 'z' || p[0] == 'Z') &&
            (p[1] == 'h' || p[1] == 'H'))
            return LANG_ZH;
        if ((p == al || p[-1] == ',' || p[-1] == ' ') && (p[0] == 'e' || p[0] == 'E') &&
            (p[1] == 'n' || p[1] == 'N') && (p[2] == '\0' || p[2] == '-' || p[2] == ',' ||
                                             p[2] == ';'))
            return LANG_EN;
    }
    return LANG_ZH;
}


/* Everything a handler may ask of the request: the store, the reader, language, font size,
 * CSRF token. Once per request; uploads need it before their body. */
static int prepare(struct req *r)
{
    const char *fs, *proto;

    if (r->prepared)
        return r->st != NULL;
    r->prepared = 1;
    proto = r->app->trust_proxy ? http_header(r, "X-Forwarded-Proto") : NULL;
    r->secure = proto && strcmp(proto, "https") == 0;
    client_ip(r);
    r->st = thread_store(r->app);
    if (strcmp(r->path, "/readyz") == 0)
        return 1; /* a probe: no reader, no token, no cookies (503 itself without a store) */
    r->ui = pick_ui(r);
    fs = http_cookie(r, "gz_fs");
    r->fs = fs && fs[0] >= '1' && fs[0] <= '5' && fs[1] == '\0' ? fs[0] - '0' : FS_DEFAULT;
    {
        const char *th = http_cookie(r, "gz_theme");
        r->theme = th && strcmp(th, "light") == 0 ? 1 : th && strcmp(th, "dark") == 0 ? 2 : 0;
    }
    {
        const char *nl = http_cookie(r, "gz_narr");
        enum lang l;
        r->narr = nl && lang_parse(nl, strlen(nl), &l) == GZ_OK ? (int)l : -1;
    }
    pick_csrf(r);
    if (r->st && strncmp(r->path, "/static/", 8) != 0 && strncmp(r->path, "/media/", 7) != 0)
        account_identify(r);
    return r->st != NULL;
}

/* Requests whose handler hashes a password (Argon2, tens of ms and 19 MiB) or may send mail or
 * an SMS (up to 15 s): each runs whole on a pool thread (auth/pool.h) while its connection is
 * suspended, so the other readers served by this event-loop thread are not kept waiting.
 * The lists mirror the POST routes in account.c. */
static const char *const pw_paths[] = { "/login",          "/register",        "/bind",
                                        "/reset",          "/api/v1/login",    "/api/v1/register",
                                        "/api/v1/bind",    "/api/v1/password/reset" };
static const char *const send_paths[] = { "/forgot", "/phone/send", "/account/phone/send",
                                          "/api/v1/password/forgot", "/api/v1/phone/send" };

static struct auth_pool *slow_pool(struct req *r)
{
    if (!r->is_post)
        return NULL;
    for (size_t i = 0; i < GZ_NELEM(pw_paths); i++)
        if (strcmp(r->path, pw_paths[i]) == 0)
            return r->app->pw_pool;
    for (size_t i = 0; i < GZ_NELEM(send_paths); i++)
        if (strcmp(r->path, send_paths[i]) == 0)
            return r->app->send_pool;
    return NULL;
}

/* On a pool thread, with the connection suspended: MHD allows queueing the response from any
 * thread then, and resuming sends it. */
static void run_offloaded(void *cls, int cancelled)
{
    struct req *r = cls;

    r->st = cancelled ? NULL : thread_store(r->app);
    if (r->st) {
        r->offload_ret = handle(r);
    } else {
        r->retry_after = 5;
        r->offload_ret = http_text(r, 503, cancelled ? "the server is restarting; retry\n"
                                                      : "database unavailable\n");
    }
    MHD_resume_connection(r->conn);
}

/* Each client range (guard_range_of: the /24 or /64 of the address, per trusted proxy) gets a
 * fair share of the pool's queue (auth/pool.h): a network flooding it is told 429, everyone
 * else still gets in; a full queue is 503 for all. */
static enum MHD_Result offload(struct req *r, struct auth_pool *pool)
{
    unsigned char range[GUARD_RANGE_KEY_LEN];
    int rc;

    if (r->offloaded) /* resumed without a response queued: the handler failed */
        return r->offload_ret == MHD_YES ? MHD_YES : MHD_NO;
    r->offloaded = 1;
    r->offload_ret = MHD_NO;
    guard_range_of(r->ip, range);
    MHD_suspend_connection(r->conn);
    rc = auth_pool_submit(pool, range, sizeof range, run_offloaded, r);
    if (rc == GZ_OK)
        return MHD_YES;
    MHD_resume_connection(r->conn);
    r->retry_after = 2;
    if (rc == GZ_ELIMIT)
        return http_text(r, http_status(rc),
                         "busy: too many requests from your network at once; retry in a "
                         "moment\n");
    return http_text(r, 503, "busy: too many sign-ins at once; retry in a moment\n");
}

/* The body limit for this request. Editors' forms may be 4 MB; everyone else's are held to the
 * 64 KB form limit, decided from the session before any byte of the body is buffered, so
 * that anonymous POSTs to /newsroom/ cannot make the server hold 4 MB each (finding 3). */
static size_t body_max(struct req *r)
{
    struct user u;
    struct err err = { 0 };
    int editor = 0;

    if (!r->is_post || strncmp(r->path, "/newsroom/", 10) != 0 || !prepare(r) || !r->user_id)
        return HTTP_BODY_MAX;
    if (r->st->ops->user_get(r->st, r->user_id, &u, &err) == GZ_OK) {
        editor = u.role >= ROLE_EDITOR;
        user_release(&u);
    }
    return editor ? HTTP_BODY_MAX_NEWSROOM : HTTP_BODY_MAX;
}

/* The access handler's first call: the head is in. Refuse what must be refused before any
 * body is read (each refusal sets r->bad), or get ready for the body. */
static enum MHD_Result begin(struct req *r)
{
    const char *cl;

    if (url_len(r->conn, r->path) > HTTP_URL_MAX) {
        r->bad = 1;
        return http_text(r, 414, "URL too long\n");
    }
    if (ambiguous_framing(r->conn)) {
        r->bad = 1;
        return http_text(r, 400,
                         "ambiguous request framing: conflicting Content-Length or "
                         "Transfer-Encoding headers\n");
    }
    if (strcmp(r->method, "GET") != 0 && strcmp(r->method, "HEAD") != 0 && !r->is_post) {
        struct MHD_Response *resp;
        r->bad = 1;
        resp = MHD_create_response_from_buffer(19, (void *)"method not allowed\n",
                                               MHD_RESPMEM_PERSISTENT);
        MHD_add_response_header(resp, "Allow", "GET, HEAD, POST");
        return queue(r, 405, resp, "text/plain; charset=utf-8", NULL);
    }
    if (r->is_post && newsroom_is_upload(r->path)) {
        enum MHD_Result ret;
        /* Uploads stream to disk: authorise and set up before the body arrives. */
        if (!prepare(r)) {
            r->bad = 1;
            return http_text(r, 503, "database unavailable\n");
        }
        ret = newsroom_upload_begin(r);
        if (r->upload)
            guard_body_large(r->conn);
        return ret;
    }
    cl = http_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    r->body.max = body_max(r);
    if (cl && strtoull(cl, NULL, 10) > r->body.max) {
        r->bad = 1;
        return http_text(r, 413, "request body too large\n");
    }
    if (r->body.max > HTTP_BODY_MAX)
        guard_body_large(r->conn);
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    struct app *app = cls;
    struct req *r = *con_cls;
    enum MHD_Result ret;

    (void)version;
    if (!r) {
        guard_head_done(conn);
        r = xcalloc(1, sizeof *r);
        *con_cls = r;
        r->app = app;
        r->conn = conn;
        r->method = method;
        r->path = url;
        clock_gettime(CLOCK_MONOTONIC, &r->t0);
        r->bytes = -1;
        client_ip(r);
        accesslog_request_id(r, r->req_id);
        r->is_post = strcmp(method, "POST") == 0;
        buf_init(&r->body, HTTP_BODY_MAX);
        ret = begin(r);
        if (r->bad) /* answered already: MHD reads no body */
            guard_body_done(conn);
        return ret;
    }
    if (*upload_data_size)
        guard_body_progress(conn, *upload_data_size);
    else
        guard_body_done(conn);
    if (r->upload) {
        if (*upload_data_size) {
            ret = newsroom_upload_feed(r, upload_data, *upload_data_size);
            *upload_data_size = 0;
            return ret;
        }
        return r->bad ? MHD_YES : newsroom_upload_finish(r);
    }
    if (*upload_data_size) {
        /* MHD 0.9.75 cannot queue a response while body data is being delivered: past the
         * limit (a chunked body has no Content-Length to refuse up front), count and drop the
         * rest, answer 413 at its end, and close a body that goes on and on. */
        if (!r->body.err && !r->bad)
            buf_append(&r->body, upload_data, *upload_data_size);
        if (r->body.err)
            r->dropped += *upload_data_size;
        *upload_data_size = 0;
        return r->dropped > 16 * HTTP_BODY_MAX_NEWSROOM ? MHD_NO : MHD_YES;
    }
    if (r->bad)
        return MHD_YES; /* already answered */
    if (r->body.err) {
        r->bad = 1;
        return http_text(r, 413, "request body too large\n");
    }
    if (strcmp(r->path, "/healthz") == 0) /* the process is up: nothing else is asked */
        return http_text(r, 200, "ok\n");
    if (strcmp(r->path, "/readyz") == 0) {
        prepare(r);
        return health_ready(r);
    }
    if (!prepare(r))
        return http_text(r, 503, "database unavailable\n");
    if (slow_pool(r))
        return offload(r, slow_pool(r));
    return handle(r);
}

static void on_done(void *cls, struct MHD_Connection *conn, void **con_cls,
                    enum MHD_RequestTerminationCode toe)
{
    struct req *r = *con_cls;
    struct app *app = cls;
    const union MHD_ConnectionInfo *ci;
    struct timespec t1;
    uint64_t us;
    int status;

    (void)toe;
    guard_request_done(conn);
    if (!r)
        return;
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_HTTP_STATUS);
    status = ci ? (int)ci->http_status : 0; /* 0: no response was sent */
    if (!status && guard_body_cut(conn))
        status = 408; /* guard_sweep() answered it past MHD */
    clock_gettime(CLOCK_MONOTONIC, &t1);
    us = (uint64_t)((t1.tv_sec - r->t0.tv_sec) * 1000000 + (t1.tv_nsec - r->t0.tv_nsec) / 1000);
    metrics_request(metrics_route_of(r->path), status, us);
    if (app->access_log)
        accesslog_write(r, status, r->bytes, us);
    newsroom_upload_abort(r);
    buf_release(&r->body);
    for (int i = 0; i < r->n_set_cookie; i++)
        free(r->set_cookie[i]);
    free(r);
    *con_cls = NULL;
}

/* Responses go out in one or two writes; with Nagle on, a split header/body pair waits for
 * the client's delayed ACK (40 ms). Send at once. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    const union MHD_ConnectionInfo *ci;
    int one = 1;

    (void)cls;
    guard_notify(conn, socket_context, code);
    metrics_conn(code == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
    if (code != MHD_CONNECTION_NOTIFY_STARTED)
        return;
    ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci)
        setsockopt(ci->connect_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

int http_parse_listen(const char *listen, struct sockaddr_in *sa)
{
    const char *colon = strrchr(listen, ':');
    char host[64];
    char *end;
    long port;

    if (!colon || (size_t)(colon - listen) >= sizeof host)
        return GZ_EINVAL;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    port = strtol(colon + 1, &end, 10);
    if (*end || port < 0 || port > 65535)
        return GZ_EINVAL;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &sa->sin_addr) != 1)
        return GZ_EINVAL;
    return GZ_OK;
}

int server_run(struct app *app, const char *listen, struct err *err)
{
    struct sockaddr_in sa;
    struct MHD_Daemon *d;
    const union MHD_DaemonInfo *info;
    sigset_t set;
    int sig, threads = app->threads;
    char host[INET_ADDRSTRLEN];

    if (http_parse_listen(listen, &sa) != GZ_OK)
        return err_set(err, GZ_EINVAL, "bad --listen '%s': want HOST:PORT (IPv4)", listen);
    if (threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 && n < 64 ? (int)n : 2;
    }
    /* Signals go to the main thread's sigwait, not to server threads. */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    app->pw_pool = auth_pool_new("password", 0, HTTP_PW_QUEUE_MAX, HTTP_POOL_SHARE);
    app->send_pool = auth_pool_new("send", 4, HTTP_SEND_QUEUE_MAX, HTTP_POOL_SHARE);
    guard_init(app->trust_proxy ? 0 : HTTP_CONN_PER_RANGE);
    d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
                                 MHD_ALLOW_SUSPEND_RESUME,
                         0, guard_accept, NULL,
                         on_request, app, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                         MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                         MHD_OPTION_CONNECTION_LIMIT, (unsigned)HTTP_CONN_MAX,
                         MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HTTP_CONN_PER_CLIENT,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_IDLE_TIMEOUT_S,
                         MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_HEADER_MEM,
                         MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_NOTIFY_COMPLETED,
                         on_done, app, MHD_OPTION_NOTIFY_CONNECTION, on_connection, app,
                         MHD_OPTION_END);
    if (!d) {
        auth_pool_free(app->pw_pool);
        auth_pool_free(app->send_pool);
        app->pw_pool = app->send_pool = NULL;
        return err_set(err, GZ_EIO, "cannot listen on '%s' (address in use?)", listen);
    }
    info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    inet_ntop(AF_INET, &sa.sin_addr, host, sizeof host);
    if (!app->base_url || !*app->base_url) {
        struct buf u;
        buf_init(&u, 0);
        buf_printf(&u, "http://%s:%u", strcmp(host, "0.0.0.0") ? host : "127.0.0.1",
                   info ? info->port : 0);
        free(app->base_url);
        app->base_url = buf_take(&u, NULL);
    }
    if (app->metrics_listen && metrics_server_start(app, err) != GZ_OK) {
        MHD_stop_daemon(d);
        auth_pool_free(app->pw_pool);
        auth_pool_free(app->send_pool);
        app->pw_pool = app->send_pool = NULL;
        return err->code;
    }
    printf("listening on http://%s:%u\n", host, info ? info->port : 0);
    fflush(stdout);
    log_info("http", "serving '%s' with %d threads", app->data_dir, threads);
    if (worker_start(app) != GZ_OK)
        log_error("http", "cannot start the background worker");
    /* Wait for a stop signal (SIGHUP reopens the log files); meanwhile, once a second, end
     * slow request heads. */
    for (;;) {
        struct timespec one = { 1, 0 };
        sig = sigtimedwait(&set, NULL, &one);
        if (sig == SIGHUP) {
            if (accesslog_reopen(err) != GZ_OK)
                log_error("http", "%s", err->msg);
            else
                log_info("http", "log files reopened on SIGHUP");
            continue;
        }
        if (sig > 0)
            break;
        guard_sweep();
    }
    log_info("http", "stopping on signal %d", sig);
    metrics_server_stop(app);
    /* Suspended connections must be resumed before MHD stops: end the pools' jobs first (the
     * waiting ones get 503); the pools refuse new ones until MHD has stopped, then go. */
    auth_pool_stop(app->pw_pool);
    auth_pool_stop(app->send_pool);
    MHD_stop_daemon(d);
    auth_pool_free(app->pw_pool);
    auth_pool_free(app->send_pool);
    app->pw_pool = app->send_pool = NULL;
    worker_stop(app);
    for (size_t i = 0; i < app->n_stores; i++)
        store_close(app->stores[i]);
    app->n_stores = 0;
    return GZ_OK;
}
