#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/gz.h"
#include "core/log.h"

/* Length of s[0..n) without a UTF-8 sequence cut off at its end. */
static size_t utf8_whole(const char *s, size_t n)
{
    size_t i = n, lead;
    unsigned char c;

    while (i > 0 && ((unsigned char)s[i - 1] & 0xc0) == 0x80 && n - i < 3)
        i--;
    if (i == 0)
        return n;
    c = (unsigned char)s[i - 1];
    lead = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    return lead > 1 && n - (i - 1) < lead ? i - 1 : n;
}

int err_set(struct err *e, int code, const char *fmt, ...)
{
    char tmp[sizeof e->msg];
    va_list ap;
    int n;

    if (!e)
        return code;
    /* Into a copy first: an argument may be e->msg itself ("…: %s", err->msg). */
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        n = 0;
    if ((size_t)n >= sizeof tmp) /* truncated: never end inside a character (JSON needs UTF-8) */
        tmp[utf8_whole(tmp, sizeof tmp - 1)] = '\0';
    e->code = code;
    memcpy(e->msg, tmp, sizeof tmp);
    return code;
}

void err_clear(struct err *e)
{
    e->code = GZ_OK;
    e->msg[0] = '\0';
}

static void oom(size_t n)
{
    log_error("core", "out of memory allocating %zu bytes", n);
    abort();
}

void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom(n);
    return p;
}

void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom(n * size);
    return p;
}

void *xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (!q)
        oom(n);
    return q;
}

char *xstrdup(const char *s)
{
    return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
    char *p = xmalloc(n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}
