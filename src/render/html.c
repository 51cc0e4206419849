#include "render/html.h"

#include <string.h>

void html_text(struct buf *b, const char *s, size_t n)
{
    size_t run = 0;

    buf_reserve(b, n);
    for (size_t i = 0; i < n; i++) {
        const char *e;
        switch (s[i]) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = "&#39;";
            break;
        default:
            run++;
            continue;
        }
        buf_append(b, s + i - run, run);
        run = 0;
        buf_puts(b, e);
    }
    buf_append(b, s + n - run, run);
}

void html_cstr(struct buf *b, const char *s)
{
    if (s)
        html_text(b, s, strlen(s));
}

int html_url(struct buf *b, const char *u)
{
    if (!u || !(strncmp(u, "https://", 8) == 0 || strncmp(u, "http://", 7) == 0 ||
                strncmp(u, "mailto:", 7) == 0 || (u[0] == '/' && u[1] != '/' && u[1] != '\\'))) {
        buf_putc(b, '#');
        return GZ_EINVAL;
    }
    html_text(b, u, strlen(u));
    return GZ_OK;
}

void html_urlpart(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '.' || *p == '~') {
            buf_putc(b, (char)*p);
        } else {
            char e[3] = { '%', hex[*p >> 4], hex[*p & 15] };
            buf_append(b, e, 3);
        }
    }
}

void html_json(struct buf *b, const char *j, size_t n)
{
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        const char *e = NULL;
        size_t skip = 0;
        unsigned char c = (unsigned char)j[i];

        if (c == '<')
            e = "\\u003c";
        else if (c == '>')
            e = "\\u003e";
        else if (c == '&')
            e = "\\u0026";
        else if (c == 0xe2 && i + 2 < n && (unsigned char)j[i + 1] == 0x80 &&
                 ((unsigned char)j[i + 2] & 0xfe) == 0xa8) {
            e = (unsigned char)j[i + 2] == 0xa8 ? "\\u2028" : "\\u2029";
            skip = 2;
        }
        if (!e) {
            run++;
            continue;
        }
        buf_append(b, j + i - run, run);
        run = 0;
        buf_puts(b, e);
        i += skip;
    }
    buf_append(b, j + n - run, run);
}

void html_int(struct buf *b, int64_t v)
{
    buf_printf(b, "%lld", (long long)v);
}

void html_seconds(struct buf *b, double s)
{
    buf_seconds(b, s);
}
