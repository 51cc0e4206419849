/*
 * gz.h: the project's shared status codes, error carrier and small macros.
 * Every function that can fail returns GZ_OK (0), a count (>= 0), or a negative GZ_E* code;
 * detail goes into the caller's struct err. The HTTP status is mapped once, in http/resp.c.
 */
#ifndef GZ_CORE_GZ_H
#define GZ_CORE_GZ_H

#include <stddef.h>

enum gz_status {
    GZ_OK = 0,
    GZ_EINVAL = -1,    /* bad input: 400 */
    GZ_ENOTFOUND = -2, /* 404 */
    GZ_ETOOBIG = -3,   /* 413 */
    GZ_EAUDIO = -4,    /* audio cannot be decoded: 422 */
    GZ_EDB = -5,       /* 500 */
    GZ_EIO = -6,       /* 500 */
    GZ_ECONFLICT = -7, /* 409 */
    /* Service-layer outcomes (src/service): mapped to HTTP once, in http/status.c. */
    GZ_EFULL = -8,       /* disk or database full, nothing was written: 507 */
    GZ_EBUSY = -9,       /* another writer held the database past the busy timeout: 503 */
    GZ_EAUTH = -10,      /* not signed in, or wrong credentials: 401 */
    GZ_ELIMIT = -11,     /* too many attempts, try again later: 429 */
    GZ_EFORBIDDEN = -12, /* signed in but not allowed: 403 */
    GZ_ESEND = -13,      /* the mail or SMS provider refused: 502 */
};

#define GZ_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define GZ_UNUSED(x) ((void)(x))
#define GZ_NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define GZ_UNREACHABLE() __builtin_unreachable()
/* A result the caller must look at: ignoring it fails the build (-Werror=unused-result). A
 * (void) cast does not silence it in gcc, which is the point. */
#define GZ_MUST_CHECK __attribute__((warn_unused_result))

struct err {
    int code;
    char msg[256];
};

/* Record code and a formatted message; returns code so a failure is one line. */
int err_set(struct err *e, int code, const char *fmt, ...) GZ_PRINTF(3, 4);
void err_clear(struct err *e);

/* xmalloc and friends abort with a log line on OOM: no untested OOM branches. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
