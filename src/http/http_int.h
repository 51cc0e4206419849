/* http_int.h: shared inside src/http only. */
#ifndef GZ_HTTP_HTTP_INT_H
#define GZ_HTTP_HTTP_INT_H

#include <time.h>

#include <microhttpd.h>

#include "core/buf.h"
#include "http/cache.h"
#include "http/form.h"
#include "http/http.h"
#include "model/story.h"
#include "store/store.h"

struct req {
    struct app *app;
    struct MHD_Connection *conn;
    const char *method, *path;
    int is_post;
    int bad;          /* refused before the body: respond and close */
    struct buf body;  /* POST body */
    size_t dropped;   /* body bytes past the limit, read and thrown away */
    struct store *st; /* this thread's connection */
    enum lang ui;
    int fs;
    int theme; /* cookie gz_theme: 0 the system's, 1 light, 2 dark (page_ctx.theme) */
    int narr;  /* cookie gz_narr: 对照 narration, LANG_EN/LANG_ZH or -1 (page_ctx.narr) */
    char csrf[48];    /* the reader's token (cookie), or a new one */
    int csrf_new;     /* set the cookie on this response */
    int secure;       /* served over TLS (per trusted proxy) */
    int cors;         /* public data: Access-Control-Allow-Origin: * */
    char ip[64];      /* the client's address (per trusted proxy) */
    int64_t user_id;  /* signed-in reader, 0 when none */
    int64_t session_id;
    unsigned char sid_digest[32];
    char *set_cookie[8]; /* Set-Cookie lines for this response */
    int n_set_cookie;
    int64_t retry_after; /* a Retry-After header, with 429 */
    int prepared;        /* store, reader, language and token looked up */
    int offloaded;         /* handled on a pool thread (server.c) */
    enum MHD_Result offload_ret;
    struct upload *upload; /* a narration upload streaming to disk (newsroom.c) */
    char etag[64];                  /* an ETag for this response, "" for none */
    const char *content_encoding;   /* "gzip", "br", or NULL */
    int vary_ae;                    /* Vary: Accept-Encoding */
    struct timespec t0;             /* when the request arrived */
    int64_t bytes;                  /* body bytes of the response, -1 unknown */
    char req_id[65];                /* X-Request-Id, also in the access log */
};

/* Responses. Each queues a response and returns the MHD result. */
enum MHD_Result http_send(struct req *r, int status, const char *ctype, char *body_owned,
                          size_t len, const char *cache_control);
enum MHD_Result http_send_entry(struct req *r, struct cache_entry *e, const char *cache_control);
enum MHD_Result http_redirect(struct req *r, int status, const char *location);
enum MHD_Result http_error(struct req *r, int status);
enum MHD_Result http_text(struct req *r, int status, const char *text);
/* A copy of data[0..len) with the reader's CSRF token written at each offset in at[]. */
char *http_splice(struct req *r, const char *data, size_t len, const size_t *at, size_t n,
                  size_t *out_len);
/* 1 when origin (an Origin header) is this site: the configured base URL or scheme://Host. */
int http_same_origin(struct req *r, const char *origin);
/* Headers every response carries (security, CSRF cookie). */
void http_common_headers(struct req *r, struct MHD_Response *resp);
/* Queue a Set-Cookie line for whatever response this request sends. max_age < 0 deletes the
 * cookie, 0 makes it a browser-session cookie. */
void http_cookie_later(struct req *r, const char *name, const char *value, long max_age,
                       int http_only);
/* The reader's CSRF token given as tok (form field or header): double-submit match, and an
 * Origin header (if any) of this site. */
int http_csrf_ok(struct req *r, const char *tok);
/* Parse the urlencoded body into f (form_release it) and check its CSRF field. 1: go on;
 * 0: *ret holds the answer already queued (400 malformed, 403 bad token). */
int http_form(struct req *r, struct form *f, enum MHD_Result *ret);
/* A page context for this reader: language, font size, site, this path, signed in. */
void http_page_ctx(struct req *r, struct page_ctx *c, const struct section_list *secs);
/* Request values. */
const char *http_header(struct req *r, const char *name);
const char *http_query(struct req *r, const char *name);
const char *http_cookie(struct req *r, const char *name);
/* Set-Cookie with the site's flags (HttpOnly optional); value must be cookie-safe. */
void http_set_cookie(struct req *r, struct MHD_Response *resp, const char *name,
                     const char *value, long max_age, int http_only);

/* status.c: the HTTP status for a GZ code (GZ_OK 200, GZ_EFULL 507, GZ_EBUSY 503 …); the only
 * such map. */
int http_status(int rc);
/* The status for a store failure the client did not cause: 503 when the database was busy
 * (and Retry-After: 1 on r's response), 507 when the disk is full, else 500. */
int http_store_status(struct req *r, int rc);
/* The sections for the page menu; on a store failure an empty list (logged). Release with
 * section_list_release. */
void http_sections(struct req *r, struct section_list *out);

/* handlers.c */
enum MHD_Result handle(struct req *r);
/* health.c: GET /readyz (database, disk space, job queue); never sets cookies. */
enum MHD_Result health_ready(struct req *r);
/* server.c: "HOST:PORT" (IPv4) → address; GZ_EINVAL when malformed. */
struct sockaddr_in;
int http_parse_listen(const char *listen, struct sockaddr_in *sa);
/* account.c: the reader from the session or remember-me cookie (sets user_id, cookies). */
void account_identify(struct req *r);
/* account.c: routes under /login, /register, /phone, /account, /api/v1 …; MHD_NO with
 * *handled 0 when the path is not an account route. */
enum MHD_Result account_route(struct req *r, int *handled);
/* newsroom.c: editors' routes; narration uploads stream to disk through these. */
enum MHD_Result newsroom_route(struct req *r, int *handled);
int newsroom_is_upload(const char *path);
/* Who may fetch media file name: 1 everyone (a published story uses it), 2 this reader only (an
 * editor previewing a draft's narration: not cached publicly), 0 nobody here (answer 404). */
int newsroom_media_access(struct req *r, const char *name);
/* The same for a picture file in media/img/ ("NAME-<w>x<h>.jpg"): 1 when a published story
 * has it, 2 for an editor when only drafts do, 0 otherwise. */
int newsroom_image_access(struct req *r, const char *file);
enum MHD_Result newsroom_upload_begin(struct req *r);
enum MHD_Result newsroom_upload_feed(struct req *r, const char *data, size_t n);
enum MHD_Result newsroom_upload_finish(struct req *r);
void newsroom_upload_abort(struct req *r); /* frees an unfinished upload, removes its file */

/* quiz.c: GET and POST /quiz/<id>. */
enum MHD_Result quiz_route(struct req *r, int64_t id);
/* listen.c: listening positions, the day's queue, the web app manifest and service worker
 * (issue 11). *handled 0: not ours. */
enum MHD_Result listen_route(struct req *r, int *handled);
/* files.c */
/* 1 when If-None-Match names etag (strong or weak form) or is "*". */
int http_etag_match(struct req *r, const char *etag);
enum MHD_Result files_static(struct req *r, const char *name);
enum MHD_Result files_media(struct req *r, const char *name);

#endif
