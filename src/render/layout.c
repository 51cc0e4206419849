/* layout.c: the document shell shared by every page: head, header, footer, and helpers. */
#include "render/layout.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char *const strings[MSG_COUNT][LANG_COUNT] = {
#define M(id, en, zh) { en, zh },
#include "render/strings.def"
#undef M
};

const char *msg(enum lang ui, enum msg id)
{
    return strings[id][ui];
}

void layout_csrf(struct buf *b, struct page_ctx *c)
{
    if (c->n_csrf < CSRF_SLOTS_MAX)
        c->csrf_at[c->n_csrf++] = b->len;
}

void layout_t(struct buf *b, const struct page_ctx *c, enum msg id)
{
    html_cstr(b, msg(c->ui, id));
}

void layout_date(struct buf *b, int64_t unix_s)
{
    char iso[32], day[16];
    struct tm tm;
    time_t t = (time_t)unix_s;

    gmtime_r(&t, &tm);
    strftime(iso, sizeof iso, "%Y-%m-%dT%H:%M:%SZ", &tm);
    strftime(day, sizeof day, "%Y-%m-%d", &tm);
    HTML_LIT(b, "<time datetime=\"");
    html_cstr(b, iso);
    HTML_LIT(b, "\">");
    html_cstr(b, day);
    HTML_LIT(b, "</time>");
}

void layout_lang_attr(struct buf *b, enum lang l)
{
    if (l == LANG_ZH)
        HTML_LIT(b, " lang=\"zh-CN\"");
    else
        HTML_LIT(b, " lang=\"en\"");
}

void layout_head(struct buf *b, struct page_ctx *c, const char *title, const char *description)
{
    HTML_LIT(b, "<!DOCTYPE html>\n<html lang=\"");
    layout_t(b, c, MSG_HTML_LANG);
    HTML_LIT(b, "\" class=\"fs-");
    html_int(b, c->fs);
    if (c->theme == 1)
        HTML_LIT(b, " theme-light");
    else if (c->theme == 2)
        HTML_LIT(b, " theme-dark");
    HTML_LIT(b, "\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                "<title>");
    html_cstr(b, title);
    if (strcmp(title, c->site_name) != 0) {
        HTML_LIT(b, " | ");
        html_cstr(b, c->site_name);
    }
    HTML_LIT(b, "</title>");
    if (description) {
        HTML_LIT(b, "<meta name=\"description\" content=\"");
        html_attr(b, description);
        HTML_LIT(b, "\">");
    }
    HTML_LIT(b, "<link rel=\"alternate\" type=\"application/rss+xml\" href=\"/feed.xml\" "
                "title=\"");
    html_cstr(b, c->site_name);
    HTML_LIT(b, "\"><link rel=\"stylesheet\" href=\"/static/app.css?v=");
    html_attr(b, c->asset_ver);
    HTML_LIT(b, "\"><link rel=\"icon\" href=\"/static/icon.svg?v=");
    html_attr(b, c->asset_ver);
    HTML_LIT(b, "\" type=\"image/svg+xml\">");
    /* installable web app (issue 11): the manifest names the icons; web/listen.js registers /sw.js */
    HTML_LIT(b, "<link rel=\"manifest\" href=\"/manifest.webmanifest\">"
                "<meta name=\"theme-color\" content=\"#990f3d\">");
    if (c->newsroom) {
        HTML_LIT(b, "<link rel=\"stylesheet\" href=\"/static/newsroom.css?v=");
        html_attr(b, c->asset_ver);
        HTML_LIT(b, "\">");
    }
}

/* Dark or light: both buttons are rendered; app.css shows the one that changes what is shown
 * now (the system's scheme or the reader's cookie), so no script is needed. */
static void theme_switch(struct buf *b, struct page_ctx *c)
{
    HTML_LIT(b, "<form class=\"theme\" method=\"post\" action=\"/prefs/theme\">"
                "<input type=\"hidden\" name=\"csrf\" value=\"");
    layout_csrf(b, c);
    HTML_LIT(b, "\"><input type=\"hidden\" name=\"back\" value=\"");
    html_attr(b, c->self_path);
    HTML_LIT(b, "\"><button type=\"submit\" name=\"theme\" value=\"dark\" class=\"to-dark\" "
                "aria-label=\"");
    layout_t(b, c, MSG_THEME_DARK);
    HTML_LIT(b, "\">☾</button><button type=\"submit\" name=\"theme\" value=\"light\" "
                "class=\"to-light\" aria-label=\"");
    layout_t(b, c, MSG_THEME_LIGHT);
    HTML_LIT(b, "\">☀</button></form>");
}

static void ui_switch(struct buf *b, struct page_ctx *c)
{
    HTML_LIT(b, "<form class=\"ui-lang\" method=\"post\" action=\"/prefs/lang\">"
                "<input type=\"hidden\" name=\"csrf\" value=\"");
    layout_csrf(b, c);
    HTML_LIT(b, "\"><input type=\"hidden\" name=\"back\" value=\"");
    html_attr(b, c->self_path);
    HTML_LIT(b, "\"><input type=\"hidden\" name=\"ui\" value=\"");
    html_cstr(b, c->ui == LANG_ZH ? "en" : "zh");
    HTML_LIT(b, "\"><button type=\"submit\" aria-label=\"");
    layout_t(b, c, MSG_UI_SWITCH_LABEL);
    HTML_LIT(b, "\"");
    layout_lang_attr(b, c->ui == LANG_ZH ? LANG_EN : LANG_ZH);
    HTML_LIT(b, ">");
    layout_t(b, c, MSG_UI_SWITCH);
    HTML_LIT(b, "</button></form>");
}

void layout_header(struct buf *b, struct page_ctx *c)
{
    HTML_LIT(b, "</head><body><a class=\"skip\" href=\"#main\">");
    layout_t(b, c, MSG_SKIP);
    HTML_LIT(b, "</a><header class=\"site\"><a class=\"brand\" href=\"/\">");
    html_cstr(b, c->site_name);
    HTML_LIT(b, "</a><nav class=\"sections\" aria-label=\"");
    layout_t(b, c, MSG_SECTIONS);
    HTML_LIT(b, "\"><ul>");
    for (size_t i = 0; c->sections && i < c->sections->n; i++) {
        const struct section *s = &c->sections->item[i];
        HTML_LIT(b, "<li><a href=\"/section/");
        html_attr(b, s->slug);
        HTML_LIT(b, "\">");
        html_cstr(b, c->ui == LANG_ZH ? s->name_zh : s->name_en);
        HTML_LIT(b, "</a></li>");
    }
    HTML_LIT(b, "</ul></nav><form class=\"search\" role=\"search\" action=\"/search\" "
                "method=\"get\"><input name=\"q\" type=\"search\" maxlength=\"100\" "
                "aria-label=\"");
    layout_t(b, c, MSG_SEARCH);
    HTML_LIT(b, "\" placeholder=\"");
    layout_t(b, c, MSG_SEARCH);
    HTML_LIT(b, "\"></form>");
    ui_switch(b, c);
    theme_switch(b, c);
    if (c->signed_in) {
        HTML_LIT(b, "<a class=\"account-link\" href=\"/account\">");
        layout_t(b, c, MSG_ACCOUNT);
    } else {
        HTML_LIT(b, "<a class=\"signin-open\" href=\"/login\" aria-haspopup=\"dialog\">");
        layout_t(b, c, MSG_SIGN_IN);
    }
    HTML_LIT(b, "</a></header>\n<main id=\"main\">");
}

/* The sign-in dialog on every page for signed-out readers (app.js opens it; without
 * JavaScript the header link goes to /login). */
static void signin_dialog(struct buf *b, struct page_ctx *c)
{
    HTML_LIT(b, "<dialog id=\"signin-dlg\" aria-labelledby=\"signin-h\"><h2 id=\"signin-h\">");
    layout_t(b, c, MSG_SIGN_IN);
    HTML_LIT(b, "</h2><form method=\"post\" action=\"/login\"><input type=\"hidden\" "
                "name=\"csrf\" value=\"");
    layout_csrf(b, c);
    HTML_LIT(b, "\"><input type=\"hidden\" name=\"back\" value=\"");
    html_attr(b, c->self_path);
    HTML_LIT(b, "\"><div class=\"field\"><label for=\"d-login\">");
    layout_t(b, c, MSG_LOGIN_FIELD);
    HTML_LIT(b, "</label><input id=\"d-login\" name=\"login\" type=\"text\" "
                "autocomplete=\"username\" required></div><div class=\"field\"><label "
                "for=\"d-password\">");
    layout_t(b, c, MSG_PASSWORD_FIELD);
    HTML_LIT(b, "</label><input id=\"d-password\" name=\"password\" type=\"password\" "
                "autocomplete=\"current-password\" maxlength=\"128\" required></div><div "
                "class=\"field check\"><input id=\"d-remember\" name=\"remember\" "
                "type=\"checkbox\" value=\"1\" checked><label for=\"d-remember\">");
    layout_t(b, c, MSG_REMEMBER_ME);
    HTML_LIT(b, "</label></div><div class=\"actions\"><button type=\"submit\" "
                "class=\"primary\">");
    layout_t(b, c, MSG_SIGN_IN);
    HTML_LIT(b, "</button></div></form><p class=\"form-links\"><a href=\"/forgot\">");
    layout_t(b, c, MSG_FORGOT);
    HTML_LIT(b, "</a> <a href=\"/register\">");
    layout_t(b, c, MSG_REGISTER);
    HTML_LIT(b, "</a> <a href=\"/phone\">");
    layout_t(b, c, MSG_PHONE_SIGN_IN);
    HTML_LIT(b, "</a></p><p class=\"note\">");
    layout_t(b, c, MSG_CONTINUE_AGREE);
    HTML_LIT(b, " <a href=\"/terms\">");
    layout_t(b, c, MSG_TERMS);
    HTML_LIT(b, "</a> ");
    layout_t(b, c, MSG_AGREE_AND);
    HTML_LIT(b, " <a href=\"/privacy\">");
    layout_t(b, c, MSG_PRIVACY);
    HTML_LIT(b, "</a></p><button type=\"button\" class=\"dlg-close\" aria-label=\"");
    layout_t(b, c, MSG_CLOSE);
    HTML_LIT(b, "\">×</button></dialog>");
}

void layout_footer(struct buf *b, struct page_ctx *c)
{
    if (!c->signed_in)
        signin_dialog(b, c);
    HTML_LIT(b, "</main>\n<footer class=\"site\"><p>");
    html_cstr(b, c->site_name);
    HTML_LIT(b, " · <a href=\"/\">");
    layout_t(b, c, MSG_HOME);
    HTML_LIT(b, "</a> · <a href=\"/terms\">");
    layout_t(b, c, MSG_TERMS);
    HTML_LIT(b, "</a> · <a href=\"/privacy\">");
    layout_t(b, c, MSG_PRIVACY);
    HTML_LIT(b, "</a></p></footer>\n<script src=\"/static/app.js?v=");
    html_attr(b, c->asset_ver);
    HTML_LIT(b, "\" defer></script><script src=\"/static/listen.js?v=");
    html_attr(b, c->asset_ver);
    HTML_LIT(b, "\" defer></script>");
    if (c->newsroom) {
        HTML_LIT(b, "<script src=\"/static/newsroom.js?v=");
        html_attr(b, c->asset_ver);
        HTML_LIT(b, "\" defer></script>");
    }
    HTML_LIT(b, "</body></html>\n");
}

/* A headline list item: headline in the UI language when present, else the other one. */
void layout_brief(struct buf *b, const struct page_ctx *c, const struct story_brief *s, int h)
{
    enum lang l = s->headline[c->ui] ? c->ui : (c->ui == LANG_ZH ? LANG_EN : LANG_ZH);
    int w[8], hh[8];
    size_t n = s->lead.name ? story_image_sizes(s->lead.sizes, w, hh, 8) : 0;

    HTML_LIT(b, "<li");
    if (n)
        HTML_LIT(b, " class=\"has-thumb\"");
    if (h == 2)
        HTML_LIT(b, "><h2");
    else
        HTML_LIT(b, "><h3");
    layout_lang_attr(b, l);
    HTML_LIT(b, "><a href=\"/story/");
    html_int(b, s->id);
    if (l == LANG_EN && s->headline[LANG_ZH])
        HTML_LIT(b, "/en");
    HTML_LIT(b, "\">");
    html_cstr(b, s->headline[l]);
    if (h == 2)
        HTML_LIT(b, "</a></h2>");
    else
        HTML_LIT(b, "</a></h3>");
    if (s->summary[l] && *s->summary[l]) {
        HTML_LIT(b, "<p");
        layout_lang_attr(b, l);
        HTML_LIT(b, ">");
        html_cstr(b, s->summary[l]);
        HTML_LIT(b, "</p>");
    }
    if (n) {
        /* The lead picture's smallest size; decorative beside its headline (alt ""). */
        char src[128];
        snprintf(src, sizeof src, "/media/img/%s-%dx%d.webp", s->lead.name, w[0], hh[0]);
        HTML_LIT(b, "<picture class=\"thumb\"><source type=\"image/webp\" srcset=\"");
        html_url(b, src);
        snprintf(src, sizeof src, "/media/img/%s-%dx%d.jpg", s->lead.name, w[0], hh[0]);
        HTML_LIT(b, "\"><img src=\"");
        html_url(b, src);
        HTML_LIT(b, "\" alt=\"\" width=\"");
        html_int(b, w[0]);
        HTML_LIT(b, "\" height=\"");
        html_int(b, hh[0]);
        HTML_LIT(b, "\" loading=\"lazy\" decoding=\"async\"></picture>");
    }
    HTML_LIT(b, "</li>");
}

void iso_duration(struct buf *out, double seconds)
{
    long s = lround(seconds);
    buf_printf(out, "PT%ldM%ldS", s / 60, s % 60);
}
