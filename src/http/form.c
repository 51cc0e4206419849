#include "http/form.h"

#include <stdlib.h>
#include <string.h>

#include "text/text.h"

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char *decode(const char *s, size_t n)
{
    char *out = xmalloc(n + 1);
    size_t o = 0;

    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%') {
            int hi, lo;
            if (i + 2 >= n) {
                free(out);
                return NULL;
            }
            hi = hexval(s[i + 1]);
            lo = hexval(s[i + 2]);
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                free(out);
                return NULL;
            }
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    if (!utf8_valid(out, o)) {
        free(out);
        return NULL;
    }
    return out;
}

int form_parse(struct form *f, const char *s, size_t n)
{
    size_t i = 0;

    f->f = NULL;
    f->n = f->cap = 0;
    while (i < n) {
        size_t end = i, eq;
        char *name, *value;

        while (end < n && s[end] != '&')
            end++;
        if (end > i) {
            eq = i;
            while (eq < end && s[eq] != '=')
                eq++;
            if (f->n == FORM_FIELDS_MAX || memchr(s + i, '\0', end - i))
                goto fail;
            if (f->n == f->cap) {
                f->cap = f->cap ? f->cap * 2 : 16;
                f->f = xrealloc(f->f, f->cap * sizeof *f->f);
            }
            name = decode(s + i, eq - i);
            value = eq < end ? decode(s + eq + 1, end - eq - 1) : xstrdup("");
            if (!name || !value) {
                free(name);
                free(value);
                goto fail;
            }
            f->f[f->n].name = name;
            f->f[f->n].value = value;
            f->n++;
        }
        i = end + 1;
    }
    return GZ_OK;
fail:
    form_release(f);
    return GZ_EINVAL;
}

const char *form_get(const struct form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->f[i].name, name) == 0)
            return f->f[i].value;
    return NULL;
}

void form_release(struct form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        free(f->f[i].name);
        free(f->f[i].value);
    }
    free(f->f);
    f->f = NULL;
    f->n = f->cap = 0;
}

/* Parse decimal digits at *p; 0 on no digits or overflow past 2^62. */
static int num(const char **p, uint64_t *out)
{
    uint64_t v = 0;
    const char *s = *p;

    if (*s < '0' || *s > '9')
        return 0;
    while (*s >= '0' && *s <= '9') {
        if (v > ((uint64_t)1 << 62) / 10)
            return 0;
        v = v * 10 + (uint64_t)(*s++ - '0');
    }
    *p = s;
    *out = v;
    return 1;
}

enum range_kind range_parse(const char *hdr, uint64_t size, uint64_t *first, uint64_t *last)
{
    const char *p = hdr;
    uint64_t a = 0, b = 0;
    int has_a, has_b;

    if (!p || strncmp(p, "bytes=", 6) != 0)
        return RANGE_NONE;
    p += 6;
    while (*p == ' ')
        p++;
    has_a = num(&p, &a);
    if (*p != '-')
        return RANGE_NONE;
    p++;
    has_b = num(&p, &b);
    while (*p == ' ')
        p++;
    if (*p != '\0') /* several ranges or junk: serve the whole thing */
        return RANGE_NONE;
    if (!has_a && !has_b)
        return RANGE_NONE;
    if (has_a && has_b && b < a)
        return RANGE_NONE;
    if (!has_a) { /* suffix: the last b bytes */
        if (b == 0 || size == 0)
            return RANGE_UNSAT;
        *first = b >= size ? 0 : size - b;
        *last = size - 1;
        return RANGE_OK;
    }
    if (a >= size)
        return RANGE_UNSAT;
    *first = a;
    *last = has_b && b < size ? b : size - 1;
    return RANGE_OK;
}

const char *form_local_path(const char *back)
{
    if (!back || back[0] != '/' || back[1] == '/' || back[1] == '\\' || strlen(back) > 512)
        return "/";
    for (const char *p = back; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == '\\' || *p == 0x7f)
            return "/";
    return back;
}
