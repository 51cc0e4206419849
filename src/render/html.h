/*
 * html.h: the only way dynamic text reaches a page. Markup goes in with HTML_LIT (string
 * literals only: a non-literal argument is a compile error); every other byte goes through an
 * escaper. tools/lint.sh bans raw buf_* calls in src/render/ outside this file's html.c.
 */
#ifndef GZ_RENDER_HTML_H
#define GZ_RENDER_HTML_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

/* & < > " ' become entities: safe in text and in double-quoted attribute values. */
void html_text(struct buf *b, const char *s, size_t n);
void html_cstr(struct buf *b, const char *s); /* html_text of a C string; NULL writes nothing */
/* Same escaping; named for intent at call sites that fill attribute values. */
#define html_attr html_cstr
/* A URL for href/src: http(s), mailto, or site-relative ("/..."). Anything else writes "#"
 * and returns GZ_EINVAL. The URL is attribute-escaped. */
int html_url(struct buf *b, const char *u);
/* Percent-encode for a URL query component (RFC 3986 unreserved kept), then attribute-escape. */
void html_urlpart(struct buf *b, const char *s);
/* JSON text inside <script type="application/ld+json">: < > & U+2028/9 become \uXXXX. */
void html_json(struct buf *b, const char *j, size_t n);
void html_int(struct buf *b, int64_t v);
void html_seconds(struct buf *b, double s); /* "10.4" */
/* Markup. The "" around lit makes a non-literal argument a compile error. */
#define HTML_LIT(b, lit) buf_append((b), "" lit "", sizeof(lit) - 1)

#endif
