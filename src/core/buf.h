/*
 * buf.h: the one owning, growable byte string, and str, a borrowed view.
 * A buf is NUL-terminated whenever cap > 0. Growth past max sets the sticky err (GZ_ETOOBIG);
 * later appends are no-ops, so callers append freely and check b.err once at the end.
 */
#ifndef GZ_CORE_BUF_H
#define GZ_CORE_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "core/gz.h"

struct buf {
    char *data; /* malloc'd, NUL-terminated when cap > 0 */
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated */
    size_t max; /* hard ceiling chosen by the owner */
    int err;    /* sticky GZ_ETOOBIG */
};

/* Borrowed: never freed, never outlives its source. */
struct str {
    const char *p;
    size_t len;
};

#define BUF_MAX_DEFAULT ((size_t)64 << 20)
#define STR_LIT(s) ((struct str){ "" s "", sizeof(s) - 1 })

void buf_init(struct buf *b, size_t max); /* cannot fail; allocates nothing */
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) GZ_PRINTF(2, 3);
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) GZ_PRINTF(2, 0);
/* Shortest decimal for a time in seconds, at most 3 decimals ("10.4", "276.75", "0"). */
void buf_seconds(struct buf *b, double s);
/* Decimal, for hot paths where printf's parsing shows in profiles (the page-cache key). */
void buf_put_int(struct buf *b, long long v);
/* Lowercase hex of the low 4 * digits bits of v at p; returns p + digits (no NUL). */
char *hex_put(char *p, uint64_t v, int digits);
void buf_truncate(struct buf *b, size_t len);
/* Append the whole file at path ("-": standard input). GZ_EIO when it cannot be opened,
 * GZ_ETOOBIG when it would pass b->max; err says which file. */
int buf_read_file(struct buf *b, const char *path, struct err *err);
const char *buf_cstr(const struct buf *b);  /* "" when empty; valid until next append */
char *buf_take(struct buf *b, size_t *len); /* caller owns result (free()); b is reset */
void buf_release(struct buf *b);            /* free; b is as after buf_init(b, b->max) */

static inline struct str str_make(const char *p, size_t len)
{
    struct str s = { p, len };
    return s;
}
struct str str_cstr(const char *s);
int str_eq(struct str a, const char *lit);
int str_has_prefix(struct str a, const char *lit);

#endif
