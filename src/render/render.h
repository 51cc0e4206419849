/*
 * render.h: the server-rendered pages. Renderers take plain structs (model/story.h) and a
 * page context, and append a complete HTML document to b. They never touch the store.
 * Forms need the reader's CSRF token, which is per reader while pages are cached per kind:
 * renderers leave CSRF_SLOTS_MAX slots (byte offsets in b where the token goes, recorded in
 * ctx->csrf_at) and http fills them at send time.
 */
#ifndef GZ_RENDER_RENDER_H
#define GZ_RENDER_RENDER_H

#include <stddef.h>

#include "core/buf.h"
#include "model/story.h"

#define CSRF_SLOTS_MAX 4

enum story_mode { MODE_ZH, MODE_EN, MODE_CE };
enum font_size { FS_MIN = 1, FS_DEFAULT = 3, FS_MAX = 5 };

struct page_ctx {
    enum lang ui;
    int fs;                /* FS_MIN..FS_MAX */
    const char *site_name;
    const char *base_url;  /* absolute, no trailing slash */
    const char *asset_ver; /* cache-busting version of /static assets */
    const char *self_path; /* this page's path, for forms that come back here */
    const struct section_list *sections;
    size_t csrf_at[CSRF_SLOTS_MAX]; /* OUT: where the token goes */
    size_t n_csrf;                  /* OUT */
};

/* UI strings: msg ids with an English and a Chinese text. */
enum msg {
#define M(id, en, zh) MSG_##id,
#include "render/strings.def"
#undef M
    MSG_COUNT
};
const char *msg(enum lang ui, enum msg id);

void page_home(struct buf *b, struct page_ctx *c, const struct brief_list *latest,
               const struct quiz_brief *quiz);
void page_section(struct buf *b, struct page_ctx *c, const struct section *sec,
                  const struct brief_list *list);
void page_story(struct buf *b, struct page_ctx *c, const struct story *s, enum story_mode mode,
                const struct brief_list *related, const struct quiz_brief *quiz);
void page_share(struct buf *b, struct page_ctx *c, const struct story *s);
/* The WeChat page: the story's QR code (/story/<id>/qr.svg) and how to use it. */
void page_qr(struct buf *b, struct page_ctx *c, const struct story *s);
void page_error(struct buf *b, struct page_ctx *c, int status);

/* The language shown by a mode and the language whose narration plays in it. */
enum lang story_mode_lang(const struct story *s, enum story_mode mode);
enum lang story_narration_lang(const struct story *s, enum story_mode mode);
/* The share text: 【headline】standfirst（分享自 @site）. */
void story_share_text(struct buf *out, const struct story *s, enum lang l, const char *site);
/* ISO 8601 duration "PT4M3S". */
void iso_duration(struct buf *out, double seconds);

#endif
