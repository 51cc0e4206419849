#include "core/buf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max ? max : BUF_MAX_DEFAULT;
    b->err = 0;
}

/* Make room for extra more bytes plus the NUL; sets err instead of passing max. */
static int grow(struct buf *b, size_t extra)
{
    size_t need, cap;

    if (b->err)
        return 0;
    if (extra > b->max || b->len > b->max - extra) {
        b->err = GZ_ETOOBIG;
        return 0;
    }
    need = b->len + extra + 1;
    if (need <= b->cap)
        return 1;
    cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap < ((size_t)1 << 40) ? cap * 2 : need;
    b->data = xrealloc(b->data, cap);
    b->cap = cap;
    return 1;
}

void buf_reserve(struct buf *b, size_t extra)
{
    grow(b, extra);
}

void buf_append(struct buf *b, const void *p, size_t n)
{
    if (!grow(b, n))
        return;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_puts(struct buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}

void buf_putc(struct buf *b, char c)
{
    buf_append(b, &c, 1);
}

void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    int n;

    if (b->err)
        return;
    va_copy(ap2, ap);
    n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || !grow(b, (size_t)n))
        return;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_seconds(struct buf *b, double s)
{
    char tmp[64];
    int n = snprintf(tmp, sizeof tmp, "%.3f", s);

    if (n <= 0 || (size_t)n >= sizeof tmp)
        return;
    while (n > 0 && tmp[n - 1] == '0')
        n--;
    if (n > 0 && tmp[n - 1] == '.')
        n--;
    if (n == 2 && tmp[0] == '-' && tmp[1] == '0')
        n = 1, tmp[0] = '0';
    buf_append(b, tmp, (size_t)n);
}

void buf_put_int(struct buf *b, long long v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0)
        *--p = '-';
    buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

char *hex_put(char *p, uint64_t v, int digits)
{
    for (int i = digits - 1; i >= 0; i--, v >>= 4)
        p[i] = "0123456789abcdef"[v & 15];
    return p + digits;
}

void buf_truncate(struct buf *b, size_t len)
{
    if (len < b->len) {
        b->len = len;
        b->data[len] = '\0';
    }
}

const char *buf_cstr(const struct buf *b)
{
    return b->data ? b->data : "";
}

char *buf_take(struct buf *b, size_t *len)
{
    char *p = b->data;

    if (!p)
        p = xstrdup("");
    if (len)
        *len = b->len;
    buf_init(b, b->max);
    return p;
}

void buf_release(struct buf *b)
{
    free(b->data);
    buf_init(b, b->max);
}

struct str str_cstr(const char *s)
{
    return str_make(s, s ? strlen(s) : 0);
}

int str_eq(struct str a, const char *lit)
{
    size_t n = strlen(lit);
    return a.len == n && memcmp(a.p, lit, n) == 0;
}

int str_has_prefix(struct str a, const char *lit)
{
    size_t n = strlen(lit);
    return a.len >= n && memcmp(a.p, lit, n) == 0;
}

int buf_read_file(struct buf *b, const char *path, struct err *err)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    char chunk[65536];
    size_t n;

    if (!f)
        return err_set(err, GZ_EIO, "cannot open '%s': %s", path, strerror(errno));
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0 && !b->err)
        buf_append(b, chunk, n);
    if (f != stdin)
        fclose(f);
    if (b->err)
        return err_set(err, GZ_ETOOBIG, "'%s' is larger than %zu MB", path, b->max >> 20);
    return GZ_OK;
}
