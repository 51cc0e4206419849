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
#include "model/quiz.h"
#include "model/user.h"

#define CSRF_SLOTS_MAX 128

enum story_mode { MODE_ZH, MODE_EN, MODE_CE };
enum font_size { FS_MIN = 1, FS_DEFAULT = 3, FS_MAX = 5 };

struct page_ctx {
    enum lang ui;
    int fs;                /* FS_MIN..FS_MAX */
    int theme;             /* cookie gz_theme: 0 the system's, 1 light, 2 dark */
    int narr;              /* cookie gz_narr: narration picked for 对照 (enum lang), -1 none */
    const char *site_name;
    const char *base_url;  /* absolute, no trailing slash */
    const char *asset_ver; /* cache-busting version of /static assets */
    const char *self_path; /* this page's path, for forms that come back here */
    const struct section_list *sections;
    int signed_in;         /* header shows the account link instead of the sign-in dialog */
    int newsroom;          /* load the newsroom's script and styles too */
    const char *contact_email; /* feeds' itunes:owner e-mail (--podcast-email), or NULL */
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

/* ---- account pages (page_account.c) ---- */
#define MSG_NONE MSG_COUNT
#define AGREEMENT_VERSION "2026-11-01"
#define AGREEMENT_VERSION_PRIVACY "2026-11-01"

struct ui_field {
    const char *name;         /* the plain names password managers expect */
    const char *type;         /* "text", "email", "password", "tel", "checkbox", "hidden" */
    enum msg label;           /* MSG_NONE for hidden fields */
    const char *autocomplete; /* NULL: none */
    const char *value;        /* prefill (never for passwords); for checkboxes non-NULL = checked */
    enum msg error;           /* MSG_NONE: no error */
    int required;
};

enum form_links {
    FORM_LINK_FORGOT = 1,
    FORM_LINK_REGISTER = 2,
    FORM_LINK_PHONE = 4,
    FORM_LINK_SIGN_IN = 8,
    FORM_AGREE_NOTE = 16, /* "by continuing you accept …" */
    FORM_PHONE_NOTE = 32, /* "only mainland numbers" */
};

struct form_page {
    enum msg title;
    enum msg intro;   /* MSG_NONE: none */
    enum msg notice;  /* a status line (e.g. "code sent"), MSG_NONE: none */
    enum msg error;   /* a form-level error, MSG_NONE: none */
    const char *action;
    enum msg submit;
    const struct ui_field *fields;
    size_t n_fields;
    int links;        /* enum form_links */
    int code_wait;    /* seconds until another SMS code may be requested (0: none) */
    const char *resend_action; /* a second button posting the form here (e.g. /phone/send) */
};

void page_form(struct buf *b, struct page_ctx *c, const struct form_page *f);
void page_account(struct buf *b, struct page_ctx *c, const struct user *u,
                  const struct session_list *sessions, const struct audit_list *audit,
                  enum msg notice);
void page_outbox(struct buf *b, struct page_ctx *c, const struct outbox_list *l);
void page_legal(struct buf *b, struct page_ctx *c, int privacy);
/* The quiz: a form, or (answers non-NULL, one shown index per question) the results with
 * explanations, score and links to the stories (story_ids may hold 0 for none). */
void page_quiz(struct buf *b, struct page_ctx *c, const struct quiz *q, const int *answers,
               const int64_t *story_ids, enum msg error);

/* ---- newsroom (page_newsroom.c) ---- */
void page_nr_list(struct buf *b, struct page_ctx *c, const struct brief_list *l,
                  const struct section_list *all, const char *section, const char *state);
/* s NULL: a new story. error: a message to show (already in the UI language), or NULL. */
void page_nr_edit(struct buf *b, struct page_ctx *c, const struct story *s,
                  const struct section_list *all, const struct job_info jobs[LANG_COUNT],
                  enum msg notice, const char *error);
void page_nr_timing(struct buf *b, struct page_ctx *c, const struct story *s, enum lang l,
                    const char *error, enum msg notice);
void page_nr_users(struct buf *b, struct page_ctx *c, const struct user *u, size_t n);
/* The quiz editor: a form of QUIZ_FORM_QUESTIONS question blocks (fields q<i>_question_zh …),
 * or a pasted bundle. get(cls, name) gives a submitted value to show again (get may be NULL). */
#define QUIZ_FORM_QUESTIONS 5
typedef const char *quiz_field_fn(void *cls, const char *name);
void page_nr_quiz(struct buf *b, struct page_ctx *c, quiz_field_fn *get, void *cls,
                  const char *error, enum msg notice);

/* ---- feeds, sitemaps, search (feed.c) ---- */
enum feed_kind { FEED_ZH, FEED_EN, FEED_BILINGUAL };

struct feed_item {
    const struct story *story;
    int64_t audio_bytes[LANG_COUNT]; /* enclosure lengths */
};

/* RSS 2.0; self is this feed's path. Items in the order given. */
void feed_rss(struct buf *b, const struct page_ctx *c, const char *title, const char *self,
              enum feed_kind kind, const struct feed_item *items, size_t n);
/* The sitemap (home, sections, every story mode), or the news sitemap (the last two days). */
void sitemap(struct buf *b, const struct page_ctx *c, const struct feed_item *items, size_t n,
             int news, int64_t now);
void page_search(struct buf *b, struct page_ctx *c, const char *q, const struct brief_list *l);

/* The language shown by a mode and the language whose narration plays in it. */
enum lang story_mode_lang(const struct story *s, enum story_mode mode);
enum lang story_narration_lang(const struct story *s, enum story_mode mode);
/* The share text: 【headline】standfirst（分享自 @site）. */
void story_share_text(struct buf *out, const struct story *s, enum lang l, const char *site);
/* ISO 8601 duration "PT4M3S". */
void iso_duration(struct buf *out, double seconds);

#endif
