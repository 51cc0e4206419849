/* layout.h: shared pieces of every page (render-internal). */
#ifndef GZ_RENDER_LAYOUT_H
#define GZ_RENDER_LAYOUT_H

#include <stdint.h>

#include "render/html.h"
#include "render/render.h"

void layout_head(struct buf *b, struct page_ctx *c, const char *title, const char *description);
void layout_header(struct buf *b, struct page_ctx *c); /* closes <head>, opens <main> */
void layout_footer(struct buf *b, struct page_ctx *c); /* closes <main> and the document */
void layout_csrf(struct buf *b, struct page_ctx *c);   /* a token slot at b's end */
void layout_t(struct buf *b, const struct page_ctx *c, enum msg id);
void layout_date(struct buf *b, int64_t unix_s);
void layout_lang_attr(struct buf *b, enum lang l);
/* h: the heading level of the headline (2 or 3), one below the list's own heading. */
void layout_brief(struct buf *b, const struct page_ctx *c, const struct story_brief *s, int h);

#endif
