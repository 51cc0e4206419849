/* accesslog.c: see accesslog.h. */
#include "http/accesslog.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core/buf.h"
#include "http/http_int.h"

static int log_fd = -1; /* -1: stderr */
static int log_json;
static char *log_path;

int accesslog_open(const char *path, int json, struct err *err)
{
    log_json = json;
    if (!path || strcmp(path, "-") == 0)
        return GZ_OK;
    log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (log_fd < 0)
        return err_set(err, GZ_EIO, "cannot open access log '%s': %s", path, strerror(errno));
    free(log_path);
    log_path = xstrdup(path);
    return GZ_OK;
}

int accesslog_reopen(struct err *err)
{
    int fd;

    if (log_fd < 0 || !log_path)
        return GZ_OK;
    fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        return err_set(err, GZ_EIO, "cannot reopen access log '%s': %s", log_path, strerror(errno));
    /* dup2 swaps the file under the same descriptor number in one step. */
    if (dup2(fd, log_fd) < 0) {
        close(fd);
        return err_set(err, GZ_EIO, "cannot reopen access log '%s': %s", log_path, strerror(errno));
    }
    close(fd);
    return GZ_OK;
}

void accesslog_close(void)
{
    if (log_fd >= 0)
        close(log_fd);
    log_fd = -1;
    free(log_path);
    log_path = NULL;
}

int accesslog_secret_key(const char *key)
{
    static const char *const secret[] = { "token",  "code",      "password", "pass",
                                          "passwd", "secret",    "key",      "sid",
                                          "csrf",   "verifier",  "selector", "otp",
                                          "sig",    "signature", "auth",     "session" };
    for (size_t i = 0; i < GZ_NELEM(secret); i++)
        if (strcasecmp(key, secret[i]) == 0)
            return 1;
    return 0;
}

/* Bytes outside printable ASCII, and the quoting characters, as %XX: a log line
 * cannot be split or spoofed by a path, and JSON needs no further escaping. */
static void put_safe(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p <= 0x20 || *p >= 0x7f || *p == '"' || *p == '\\' || *p == '%') {
            char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            buf_append(b, e, 3);
        } else {
            buf_putc(b, (char)*p);
        }
    }
}

struct qctx {
    struct buf *b;
    int n;
};

static enum MHD_Result put_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    struct qctx *q = cls;
    (void)kind;
    buf_putc(q->b, q->n++ ? '&' : '?');
    put_safe(q->b, key);
    if (value) {
        buf_putc(q->b, '=');
        if (accesslog_secret_key(key))
            buf_puts(q->b, "REDACTED");
        else
            put_safe(q->b, value);
    }
    return q->b->len < 2048 ? MHD_YES : MHD_NO;
}

void accesslog_request_id(struct req *r, char out[65])
{
    static _Atomic uint64_t seq;
    static _Atomic uint32_t boot; /* a random prefix per process, so ids differ across restarts */
    const char *given = r->app->trust_proxy ? http_header(r, "X-Request-Id") : NULL;
    size_t n = given ? strlen(given) : 0;

    if (n > 0 && n <= 64 &&
        strspn(given, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
                      "6789-_.") == n) {
        memcpy(out, given, n + 1);
        return;
    }
    if (!atomic_load_explicit(&boot, memory_order_relaxed)) {
        uint32_t none = 0;
        atomic_compare_exchange_strong(&boot, &none, randombytes_random() | 1);
    }
    *hex_put(hex_put(out, atomic_load_explicit(&boot, memory_order_relaxed), 8),
             atomic_fetch_add_explicit(&seq, 1, memory_order_relaxed), 8) = '\0';
}

void accesslog_write(struct req *r, int status, int64_t bytes, uint64_t us)
{
    struct buf line, path, ip, method;
    struct qctx q;
    struct timespec now;
    struct tm tm;
    char ts[40];
    ssize_t w;

    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
    buf_init(&path, 0);
    put_safe(&path, r->path ? r->path : "");
    q.b = &path;
    q.n = 0;
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, put_arg, &q);
    buf_init(&ip, 0);
    put_safe(&ip, r->ip[0] ? r->ip : "-");
    buf_init(&method, 0);
    put_safe(&method, r->method ? r->method : "-");
    buf_init(&line, 0);
    if (log_json) {
        buf_printf(&line,
                   "{\"time\":\"%s.%03ldZ\",\"ip\":\"%s\",\"method\":\"%s\","
                   "\"path\":\"%s\","
                   "\"status\":%d,\"bytes\":%lld,\"us\":%llu,\"id\":\"%s\"}\n",
                   ts, now.tv_nsec / 1000000, buf_cstr(&ip), buf_cstr(&method), buf_cstr(&path),
                   status, (long long)bytes, (unsigned long long)us, r->req_id);
    } else {
        buf_printf(&line, "%s.%03ldZ %s \"%s %s\" %d ", ts, now.tv_nsec / 1000000, buf_cstr(&ip),
                   buf_cstr(&method), buf_cstr(&path), status);
        if (bytes >= 0)
            buf_printf(&line, "%lld", (long long)bytes);
        else
            buf_putc(&line, '-');
        buf_printf(&line, " %lluus id=%s\n", (unsigned long long)us, r->req_id);
    }
    w = write(log_fd >= 0 ? log_fd : STDERR_FILENO, line.data, line.len);
    (void)w; /* a full disk loses log lines, never requests */
    buf_release(&line);
    buf_release(&path);
    buf_release(&ip);
    buf_release(&method);
}
