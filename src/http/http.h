/*
 * http.h: the web server. server_run() starts libmicrohttpd (epoll, one thread per core, each
 * with its own store connection), answers until SIGINT/SIGTERM, then stops cleanly.
 * Limits are explicit: header memory, body size, idle timeout, connections in all and per
 * client. Requests with two Content-Length headers, or Content-Length with Transfer-Encoding,
 * are refused with 400 and the connection is closed (libmicrohttpd 0.9.75 predates upstream's
 * own checks).
 */
#ifndef GZ_HTTP_HTTP_H
#define GZ_HTTP_HTTP_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "core/gz.h"

#define HTTP_BODY_MAX (64 * 1024)       /* form posts */
#define HTTP_BODY_MAX_NEWSROOM (4 << 20) /* editors' forms: whole articles in two languages */
#define HTTP_HEADER_MEM (32 * 1024)     /* per-connection memory: bounds header size */
#define HTTP_URL_MAX 8192               /* path and query: 414 past this */
#define HTTP_IDLE_TIMEOUT_S 30
#define HTTP_CONN_MAX 1024
#define HTTP_CONN_PER_CLIENT 256
#define HTTP_CONN_PER_RANGE 256 /* all addresses of one IPv4 /24 or IPv6 /64 together */
#define HTTP_HEAD_DEADLINE_S 10 /* a whole request head within this, however it trickles */
/* A body of at most HTTP_BODY_MAX arrives whole within this of its head: 64 KB in 20 s is
 * 3.2 KB/s, slower than a phone on a weak link (a real form is a few KB); a trickled body no
 * longer holds a connection until the idle timer, per byte. Then 408 and close (guard.h). */
#define HTTP_BODY_DEADLINE_S 20
/* Larger bodies (an editor's form or upload, up to 200 MB) keep at least this rate instead:
 * every 64 KB within 10 s of the previous 64 KB (6.4 KB/s, about 51 kbit/s), so a slow but
 * real upload finishes however long it takes, and a stalled one ends. */
#define HTTP_BODY_MIN_BYTES    (64 * 1024)
#define HTTP_BODY_MIN_WINDOW_S 10
#define HTTP_PW_QUEUE_MAX 64   /* sign-ins waiting for a password hash; then 503 */
#define HTTP_SEND_QUEUE_MAX 64 /* requests waiting to send mail or SMS; then 503 */
/* Jobs (waiting or running) one client range (IPv4 /24, IPv6 /64) may hold in either queue once
 * a quarter of it waits; past that, 429 to that range only. A flooding network holds 16 places
 * at most and leaves 48, six other ranges' full shares. */
#define HTTP_POOL_SHARE 8

struct auth_pool;

struct app {
    char *data_dir, *db_path, *media_dir;
    char *site_name;
    char *base_url;      /* absolute, no trailing slash; "" = from the listen address */
    int threads;         /* 0 = one per core */
    int trust_proxy;     /* X-Forwarded-Proto: https makes cookies Secure */
    int dev;             /* --dev: /dev/outbox page */
    pthread_t worker;    /* scheduled publishing and narration jobs (worker.c) */
    atomic_int worker_stop; /* set by the main thread, read by the worker */
    int worker_running;
    char asset_ver[17];  /* hash of the embedded web assets */
    int access_log;      /* write the access log (accesslog.c) */
    char *metrics_listen; /* --metrics-listen HOST:PORT, or NULL */
    void *metrics_daemon; /* its MHD daemon (metrics.c) */
    long min_free_mb;     /* /readyz: free disk space floor for the data folder */
    char *podcast_email;  /* feeds' itunes:owner e-mail, or NULL */
    struct cache *cache; /* rendered pages */
    struct auth_pool *pw_pool;   /* password hashing off the HTTP threads (auth/pool.h) */
    struct auth_pool *send_pool; /* mail and SMS sends off the HTTP threads */
    pthread_mutex_t stores_lock;
    struct store *stores[256]; /* one per server thread, closed at stop */
    size_t n_stores;
};

/* The background worker: publishes scheduled stories, runs narration jobs. */
int worker_start(struct app *app);
void worker_stop(struct app *app);

/* /metrics on app->metrics_listen, in its own small daemon (never on the site's address). */
int metrics_server_start(struct app *app, struct err *err);
void metrics_server_stop(struct app *app);

/* The cache-busting version of the embedded web assets: 16 hex digits and a NUL. */
void files_asset_version(char out[17]);

/* listen: "HOST:PORT" (PORT 0 picks a free one). Prints "listening on URL" on stdout once
 * ready. Returns GZ_OK after a clean stop. */
int server_run(struct app *app, const char *listen, struct err *err);

#endif
