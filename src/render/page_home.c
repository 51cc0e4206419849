/* page_home.c: the home page, a section page and error pages. */
#include <string.h>

#include "render/layout.h"

void page_home(struct buf *b, struct page_ctx *c, const struct brief_list *latest,
               const struct quiz_brief *quiz)
{
    layout_head(b, c, c->site_name, msg(c->ui, MSG_LATEST));
    layout_header(b, c);
    HTML_LIT(b, "<h1 class=\"visually-hidden\">");
    html_cstr(b, c->site_name);
    HTML_LIT(b, "</h1>");
    if (quiz) {
        HTML_LIT(b, "<p class=\"quiz-teaser\"><a href=\"/quiz/");
        html_int(b, quiz->id);
        const char *title = c->ui == LANG_ZH ? quiz->title_zh : quiz->title_en;
        HTML_LIT(b, "\">");
        layout_t(b, c, MSG_QUIZ);
        HTML_LIT(b, "</a>");
        /* The title often repeats "一周新闻小测": then only what it adds (the date). */
        if (title && *title && strstr(title, msg(c->ui, MSG_QUIZ)) == title)
            title += strlen(msg(c->ui, MSG_QUIZ));
        while (title && (*title == ' ' || *title == ':'))
            title++;
        if (title && *title) {
            HTML_LIT(b, " ");
            html_cstr(b, title);
        }
        HTML_LIT(b, "</p>");
    }
    if (!latest->n) {
        HTML_LIT(b, "<p>");
        layout_t(b, c, MSG_NO_STORIES);
        HTML_LIT(b, "</p>");
    }
    /* Stories grouped by section, in the order of the section list. */
    for (size_t k = 0; c->sections && k < c->sections->n; k++) {
        const struct section *sec = &c->sections->item[k];
        int opened = 0;
        for (size_t i = 0; i < latest->n; i++) {
            const struct story_brief *s = &latest->item[i];
            if (strcmp(s->section_slug, sec->slug) != 0)
                continue;
            if (!opened) {
                HTML_LIT(b, "<section class=\"home-section\" aria-labelledby=\"sec-");
                html_attr(b, sec->slug);
                HTML_LIT(b, "\"><h2 id=\"sec-");
                html_attr(b, sec->slug);
                HTML_LIT(b, "\"><a href=\"/section/");
                html_attr(b, sec->slug);
                HTML_LIT(b, "\">");
                html_cstr(b, c->ui == LANG_ZH ? sec->name_zh : sec->name_en);
                HTML_LIT(b, "</a></h2><ul class=\"briefs\">");
                opened = 1;
            }
            layout_brief(b, c, s, 3);
        }
        if (opened)
            HTML_LIT(b, "</ul></section>");
    }
    layout_footer(b, c);
}

void page_section(struct buf *b, struct page_ctx *c, const struct section *sec,
                  const struct brief_list *list)
{
    const char *name = c->ui == LANG_ZH ? sec->name_zh : sec->name_en;

    layout_head(b, c, name, NULL);
    layout_header(b, c);
    HTML_LIT(b, "<h1 class=\"section-title\">");
    html_cstr(b, name);
    HTML_LIT(b, "</h1><ul class=\"briefs\">");
    for (size_t i = 0; i < list->n; i++)
        layout_brief(b, c, &list->item[i], 2);
    HTML_LIT(b, "</ul>");
    if (!list->n) {
        HTML_LIT(b, "<p>");
        layout_t(b, c, MSG_NO_STORIES);
        HTML_LIT(b, "</p>");
    }
    layout_footer(b, c);
}

void page_error(struct buf *b, struct page_ctx *c, int status)
{
    enum msg title = status == 404 ? MSG_NOT_FOUND
                     : status < 500 ? MSG_BAD_REQUEST
                                    : MSG_SERVER_ERROR;
    enum msg text = status == 404 ? MSG_NOT_FOUND_TEXT : MSG_SERVER_ERROR_TEXT;

    layout_head(b, c, msg(c->ui, title), NULL);
    layout_header(b, c);
    HTML_LIT(b, "<div class=\"error-page\"><h1>");
    layout_t(b, c, title);
    HTML_LIT(b, "</h1>");
    if (status == 404 || status >= 500) {
        HTML_LIT(b, "<p>");
        layout_t(b, c, text);
        HTML_LIT(b, "</p>");
    }
    HTML_LIT(b, "<p><a href=\"/\">");
    layout_t(b, c, MSG_BACK_HOME);
    HTML_LIT(b, "</a></p></div>");
    layout_footer(b, c);
}
