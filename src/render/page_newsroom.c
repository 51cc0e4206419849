/* page_newsroom.c: the editors' pages: story list, editor, timing review, roles, quiz. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "render/layout.h"
#include "text/text.h"

static void hidden(struct buf *b, const char *name, const char *value)
{
    HTML_LIT(b, "<input type=\"hidden\" name=\"");
    html_attr(b, name);
    HTML_LIT(b, "\" value=\"");
    html_attr(b, value);
    HTML_LIT(b, "\">");
}

static void csrf(struct buf *b, struct page_ctx *c)
{
    HTML_LIT(b, "<input type=\"hidden\" name=\"csrf\" value=\"");
    layout_csrf(b, c);
    HTML_LIT(b, "\">");
}

/* A labelled input; suffix (plain text, may be NULL) follows the label, e.g. "· 中文". */
static void input_s(struct buf *b, struct page_ctx *c, const char *name, const char *type,
                    enum msg label, const char *suffix, const char *value, const char *lang)
{
    HTML_LIT(b, "<div class=\"field\"><label for=\"nr-");
    html_attr(b, name);
    HTML_LIT(b, "\">");
    layout_t(b, c, label);
    if (suffix) {
        HTML_LIT(b, " ");
        html_cstr(b, suffix);
    }
    HTML_LIT(b, "</label><input id=\"nr-");
    html_attr(b, name);
    HTML_LIT(b, "\" name=\"");
    html_attr(b, name);
    HTML_LIT(b, "\" type=\"");
    html_attr(b, type);
    HTML_LIT(b, "\" value=\"");
    html_attr(b, value ? value : "");
    HTML_LIT(b, "\"");
    if (lang) {
        HTML_LIT(b, " lang=\"");
        html_attr(b, lang);
        HTML_LIT(b, "\"");
    }
    HTML_LIT(b, "></div>");
}

static void input(struct buf *b, struct page_ctx *c, const char *name, const char *type,
                  enum msg label, const char *value, const char *lang)
{
    input_s(b, c, name, type, label, NULL, value, lang);
}

static void textarea(struct buf *b, struct page_ctx *c, const char *name, enum msg label,
                     const char *value, const char *lang, int rows)
{
    HTML_LIT(b, "<div class=\"field\"><label for=\"nr-");
    html_attr(b, name);
    HTML_LIT(b, "\">");
    layout_t(b, c, label);
    HTML_LIT(b, "</label><textarea id=\"nr-");
    html_attr(b, name);
    HTML_LIT(b, "\" name=\"");
    html_attr(b, name);
    HTML_LIT(b, "\" rows=\"");
    html_int(b, rows);
    HTML_LIT(b, "\"");
    if (lang) {
        HTML_LIT(b, " lang=\"");
        html_attr(b, lang);
        HTML_LIT(b, "\"");
    }
    HTML_LIT(b, ">");
    html_cstr(b, value ? value : "");
    HTML_LIT(b, "</textarea></div>");
}

static enum msg state_msg(enum story_status s)
{
    switch (s) {
    case STORY_DRAFT:
        return MSG_NR_DRAFT;
    case STORY_SCHEDULED:
        return MSG_NR_SCHEDULED;
    case STORY_PUBLISHED:
        break;
    }
    return MSG_NR_PUBLISHED;
}

void page_nr_list(struct buf *b, struct page_ctx *c, const struct brief_list *l,
                  const struct section_list *all, const char *section, const char *state)
{
    static const enum story_status states[] = { STORY_DRAFT, STORY_SCHEDULED, STORY_PUBLISHED };

    layout_head(b, c, msg(c->ui, MSG_NEWSROOM), NULL);
    HTML_LIT(b, "<meta name=\"robots\" content=\"noindex\">");
    layout_header(b, c);
    HTML_LIT(b, "<div class=\"newsroom\"><h1>");
    layout_t(b, c, MSG_NEWSROOM);
    HTML_LIT(b, "</h1><p class=\"nr-actions\"><a class=\"button\" href=\"/newsroom/new\">");
    layout_t(b, c, MSG_NR_NEW);
    HTML_LIT(b, "</a> <a href=\"/newsroom/quiz\">");
    layout_t(b, c, MSG_NR_QUIZ_NEW);
    HTML_LIT(b, "</a> <a href=\"/newsroom/users\">");
    layout_t(b, c, MSG_NR_ROLES);
    HTML_LIT(b, "</a></p><form class=\"nr-filter\" method=\"get\" action=\"/newsroom\"><label "
                "for=\"nr-fsec\">");
    layout_t(b, c, MSG_NR_SECTION);
    HTML_LIT(b, "</label><select id=\"nr-fsec\" name=\"section\"><option value=\"\">");
    layout_t(b, c, MSG_NR_ALL);
    HTML_LIT(b, "</option>");
    for (size_t i = 0; i < all->n; i++) {
        HTML_LIT(b, "<option value=\"");
        html_attr(b, all->item[i].slug);
        HTML_LIT(b, "\"");
        if (section && strcmp(section, all->item[i].slug) == 0)
            HTML_LIT(b, " selected");
        HTML_LIT(b, ">");
        html_cstr(b, c->ui == LANG_ZH ? all->item[i].name_zh : all->item[i].name_en);
        HTML_LIT(b, "</option>");
    }
    HTML_LIT(b, "</select> <label for=\"nr-fstate\">");
    layout_t(b, c, MSG_NR_STATE);
    HTML_LIT(b, "</label><select id=\"nr-fstate\" name=\"state\"><option value=\"\">");
    layout_t(b, c, MSG_NR_ALL);
    HTML_LIT(b, "</option>");
    for (size_t i = 0; i < GZ_NELEM(states); i++) {
        HTML_LIT(b, "<option value=\"");
        html_attr(b, story_status_name(states[i]));
        HTML_LIT(b, "\"");
        if (state && strcmp(state, story_status_name(states[i])) == 0)
            HTML_LIT(b, " selected");
        HTML_LIT(b, ">");
        layout_t(b, c, state_msg(states[i]));
        HTML_LIT(b, "</option>");
    }
    HTML_LIT(b, "</select> <button type=\"submit\">");
    layout_t(b, c, MSG_NR_FILTER);
    HTML_LIT(b, "</button></form><table class=\"nr-list\"><thead><tr><th scope=\"col\">#</th><th "
                "scope=\"col\">");
    layout_t(b, c, MSG_NR_HEADLINE);
    HTML_LIT(b, "</th><th scope=\"col\">");
    layout_t(b, c, MSG_NR_SECTION);
    HTML_LIT(b, "</th><th scope=\"col\">");
    layout_t(b, c, MSG_NR_STATE);
    HTML_LIT(b, "</th><th scope=\"col\">");
    layout_t(b, c, MSG_NR_PUBLISH_AT);
    HTML_LIT(b, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < l->n; i++) {
        const struct story_brief *s = &l->item[i];
        enum lang hl = s->headline[c->ui] ? c->ui : (c->ui == LANG_ZH ? LANG_EN : LANG_ZH);
        HTML_LIT(b, "<tr><td>");
        html_int(b, s->id);
        HTML_LIT(b, "</td><td><a href=\"/newsroom/story/");
        html_int(b, s->id);
        HTML_LIT(b, "\"");
        layout_lang_attr(b, hl);
        HTML_LIT(b, ">");
        html_cstr(b, s->headline[hl]);
        HTML_LIT(b, "</a></td><td>");
        html_cstr(b, c->ui == LANG_ZH ? s->section_zh : s->section_en);
        HTML_LIT(b, "</td><td class=\"state ");
        html_attr(b, story_status_name(s->status));
        HTML_LIT(b, "\">");
        layout_t(b, c, state_msg(s->status));
        HTML_LIT(b, "</td><td>");
        layout_date(b, s->published);
        HTML_LIT(b, "</td></tr>");
    }
    HTML_LIT(b, "</tbody></table></div>");
    layout_footer(b, c);
}

static void lang_column(struct buf *b, struct page_ctx *c, const struct story *s, enum lang l)
{
    const struct story_lang *sl = s ? &s->l[l] : NULL;
    const char *code = lang_code(l), *htmllang = l == LANG_ZH ? "zh-CN" : "en";
    char name[32];

    HTML_LIT(b, "<fieldset class=\"nr-lang\"");
    layout_lang_attr(b, l);
    HTML_LIT(b, "><legend>");
    html_cstr(b, l == LANG_ZH ? "中文" : "English");
    HTML_LIT(b, "</legend>");
    snprintf(name, sizeof name, "%s_headline", code);
    input(b, c, name, "text", MSG_NR_HEADLINE, sl && sl->present ? sl->headline : NULL, htmllang);
    snprintf(name, sizeof name, "%s_standfirst", code);
    textarea(b, c, name, MSG_NR_STANDFIRST, sl && sl->present ? sl->standfirst : NULL, htmllang, 2);
    snprintf(name, sizeof name, "%s_summary", code);
    input(b, c, name, "text", MSG_NR_SUMMARY, sl && sl->present ? sl->summary : NULL, htmllang);
    snprintf(name, sizeof name, "%s_byline", code);
    input(b, c, name, "text", MSG_NR_BYLINE, sl && sl->present ? sl->byline : NULL, htmllang);
    snprintf(name, sizeof name, "%s_body", code);
    if (sl && sl->present && !sl->markdown) {
        /* An imported story has no Markdown: offer its text, a paragraph a block, the
         * unspoken ones as quotes (the Markdown way to say "not narrated"). */
        struct buf md;
        int timed = transcript_n_spoken(&sl->tr) > 0;
        buf_init(&md, 0);
        for (size_t i = 0; i < sl->tr.n_para; i++) {
            const struct para *p = &sl->tr.para[i];
            int quote = timed && p->n_sent && isnan(p->sent[0].start);
            if (i)
                buf_puts(&md, "\n\n");
            if (quote)
                buf_puts(&md, "> ");
            for (size_t j = 0; j < p->n_sent; j++) {
                if (j && text_join_space(p->sent[j - 1].text, p->sent[j].text))
                    buf_putc(&md, ' ');
                buf_puts(&md, p->sent[j].text);
            }
        }
        textarea(b, c, name, MSG_NR_BODY, buf_cstr(&md), htmllang, 18);
        buf_release(&md);
    } else {
        textarea(b, c, name, MSG_NR_BODY, sl && sl->present ? sl->markdown : NULL, htmllang, 18);
    }
    HTML_LIT(b, "</fieldset>");
}

static void job_box(struct buf *b, struct page_ctx *c, const struct story *s, enum lang l,
                    const struct job_info *job)
{
    const struct story_lang *sl = &s->l[l];
    const char *code = lang_code(l);

    HTML_LIT(b, "<section class=\"nr-narration\" aria-labelledby=\"nar-");
    html_cstr(b, code);
    HTML_LIT(b, "\"><h2 id=\"nar-");
    html_cstr(b, code);
    HTML_LIT(b, "\">");
    layout_t(b, c, MSG_NR_NARRATION);
    HTML_LIT(b, " · ");
    html_cstr(b, l == LANG_ZH ? "中文" : "English");
    HTML_LIT(b, "</h2>");
    if (sl->audio) {
        HTML_LIT(b, "<audio controls preload=\"none\" src=\"/media/");
        html_attr(b, sl->audio);
        HTML_LIT(b, "\"></audio>");
        if (sl->synthetic) {
            HTML_LIT(b, " <span class=\"synthetic\">");
            layout_t(b, c, MSG_SYNTHETIC);
            HTML_LIT(b, "</span>");
        }
        HTML_LIT(b, " <a href=\"/newsroom/story/");
        html_int(b, s->id);
        HTML_LIT(b, "/timing/");
        html_cstr(b, code);
        HTML_LIT(b, "\">");
        layout_t(b, c, MSG_NR_TIMING);
        HTML_LIT(b, "</a>");
    } else {
        HTML_LIT(b, "<p>");
        layout_t(b, c, MSG_NR_NONE_YET);
        HTML_LIT(b, "</p>");
    }
    HTML_LIT(b, "<p class=\"job\" role=\"status\" data-job=\"/newsroom/story/");
    html_int(b, s->id);
    HTML_LIT(b, "/job/");
    html_cstr(b, code);
    HTML_LIT(b, "\">");
    if (job && job->id) {
        char line[400];
        layout_t(b, c, MSG_NR_JOB);
        snprintf(line, sizeof line, " #%lld: %s %d%%", (long long)job->id, job->state,
                 (int)lround(job->progress * 100));
        html_cstr(b, line);
        if (strcmp(job->state, "done") == 0) {
            snprintf(line, sizeof line, ", %.2f s, %lld ", job->seconds, (long long)job->flagged);
            html_cstr(b, line);
            layout_t(b, c, MSG_NR_CHECK);
        }
        if (job->error[0]) {
            HTML_LIT(b, " — ");
            html_cstr(b, job->error);
        }
    }
    HTML_LIT(b, "</p><form class=\"nr-upload\" method=\"post\" enctype=\"multipart/form-data\" "
                "action=\"/newsroom/story/");
    html_int(b, s->id);
    HTML_LIT(b, "/narration/");
    html_cstr(b, code);
    HTML_LIT(b, "\">");
    csrf(b, c);
    HTML_LIT(b, "<label for=\"up-");
    html_cstr(b, code);
    HTML_LIT(b, "\">");
    layout_t(b, c, MSG_NR_UPLOAD);
    HTML_LIT(b, "</label><input id=\"up-");
    html_cstr(b, code);
    HTML_LIT(b, "\" type=\"file\" name=\"audio\" accept=\"audio/*,.mp3,.wav,.flac,.ogg\" "
                "required><button type=\"submit\">");
    layout_t(b, c, MSG_NR_UPLOAD_BTN);
    HTML_LIT(b, "</button></form><form class=\"inline\" method=\"post\" action=\"/newsroom/story/");
    html_int(b, s->id);
    HTML_LIT(b, "/synthesize/");
    html_cstr(b, code);
    HTML_LIT(b, "\">");
    csrf(b, c);
    HTML_LIT(b, "<button type=\"submit\">");
    layout_t(b, c, MSG_NR_SYNTH);
    HTML_LIT(b, "</button></form></section>");
}

/* One small form that posts the lead choice (name "" for none). */
static void lead_form(struct buf *b, struct page_ctx *c, const struct story *s, const char *name,
                      enum msg label)
{
    HTML_LIT(b, "<form class=\"inline\" method=\"post\" action=\"/newsroom/story/");
    html_int(b, s->id);
    HTML_LIT(b, "/lead\">");
    csrf(b, c);
    hidden(b, "name", name);
    HTML_LIT(b, "<button type=\"submit\">");
    layout_t(b, c, label);
    HTML_LIT(b, "</button></form>");
}

/* The story's pictures (each with the Markdown that shows it and the lead choice) and the
 * upload form. */
static void pictures_box(struct buf *b, struct page_ctx *c, const struct story *s)
{
    struct buf md;

    buf_init(&md, 8192);
    HTML_LIT(b, "<section class=\"nr-pictures\" id=\"pictures\" aria-labelledby=\"pics\">"
                "<h2 id=\"pics\">");
    layout_t(b, c, MSG_NR_PICTURES);
    HTML_LIT(b, "</h2>");
    if (s->n_image)
        HTML_LIT(b, "<ul class=\"nr-pics\">");
    for (size_t i = 0; i < s->n_image; i++) {
        const struct story_image *im = &s->image[i];
        int w[8], h[8];
        size_t n = story_image_sizes(im->sizes, w, h, 8);
        int is_lead = s->lead.name && strcmp(s->lead.name, im->name) == 0;
        char src[128];

        if (!n)
            continue;
        snprintf(src, sizeof src, "/media/img/%s-%dx%d.jpg", im->name, w[0], h[0]);
        buf_truncate(&md, 0);
        story_image_markdown(&md, im);
        HTML_LIT(b, "<li class=\"nr-pic\" data-name=\"");
        html_attr(b, im->name);
        HTML_LIT(b, "\"><img src=\"");
        html_url(b, src);
        HTML_LIT(b, "\" alt=\"\" width=\"");
        html_int(b, w[0]);
        HTML_LIT(b, "\" height=\"");
        html_int(b, h[0]);
        HTML_LIT(b, "\" loading=\"lazy\"><div class=\"field\"><label for=\"md-");
        html_attr(b, im->name);
        HTML_LIT(b, "\">");
        layout_t(b, c, MSG_NR_PIC_MD);
        HTML_LIT(b, "</label><input id=\"md-");
        html_attr(b, im->name);
        HTML_LIT(b, "\" class=\"nr-md\" type=\"text\" readonly value=\"");
        html_attr(b, buf_cstr(&md));
        HTML_LIT(b, "\"></div><button type=\"button\" class=\"nr-insert\" hidden data-md=\"");
        html_attr(b, buf_cstr(&md));
        HTML_LIT(b, "\">");
        layout_t(b, c, MSG_NR_PIC_INSERT);
        HTML_LIT(b, "</button> ");
        if (is_lead) {
            HTML_LIT(b, "<strong class=\"nr-lead\">");
            layout_t(b, c, MSG_NR_PIC_LEAD);
            HTML_LIT(b, "</strong>");
        } else {
            lead_form(b, c, s, im->name, MSG_NR_PIC_SET_LEAD);
        }
        HTML_LIT(b, "</li>");
    }
    if (s->n_image)
        HTML_LIT(b, "</ul>");
    if (s->lead.name)
        lead_form(b, c, s, "", MSG_NR_PIC_NO_LEAD);
    HTML_LIT(b, "<form class=\"nr-upload nr-pic-upload\" method=\"post\" data-max-mb=\"20\" "
                "enctype=\"multipart/form-data\" action=\"/newsroom/story/");
    html_int(b, s->id);
    HTML_LIT(b, "/image\">");
    csrf(b, c);
    HTML_LIT(b, "<div class=\"field\"><label for=\"pic-file\">");
    layout_t(b, c, MSG_NR_PIC_UPLOAD);
    HTML_LIT(b, "</label><input id=\"pic-file\" type=\"file\" name=\"image\" "
                "accept=\"image/jpeg,image/png,image/webp\" required></div>");
    input(b, c, "alt", "text", MSG_NR_PIC_ALT, NULL, NULL);
    input(b, c, "caption", "text", MSG_NR_PIC_CAPTION, NULL, NULL);
    HTML_LIT(b, "<div class=\"field check\"><input id=\"nr-lead\" type=\"checkbox\" "
                "name=\"lead\" value=\"1\"><label for=\"nr-lead\">");
    layout_t(b, c, MSG_NR_PIC_MAKE_LEAD);
    HTML_LIT(b, "</label></div><button type=\"submit\">");
    layout_t(b, c, MSG_NR_PIC_BTN);
    HTML_LIT(b, "</button></form></section>");
    buf_release(&md);
}

void page_nr_edit(struct buf *b, struct page_ctx *c, const struct story *s,
                  const struct section_list *all, const struct job_info jobs[LANG_COUNT],
                  enum msg notice, const char *error)
{
    char ver[32], when[32] = "";
    struct buf related;

    buf_init(&related, 0);
    layout_head(b, c, s && s->l[c->ui].present ? s->l[c->ui].headline : msg(c->ui, MSG_NR_NEW),
                NULL);
    HTML_LIT(b, "<meta name=\"robots\" content=\"noindex\">");
    layout_header(b, c);
    HTML_LIT(b, "<div class=\"newsroom editor\"><p><a href=\"/newsroom\">");
    layout_t(b, c, MSG_NEWSROOM);
    HTML_LIT(b, "</a></p><h1>");
    if (s && s->id) {
        layout_t(b, c, state_msg(s->status));
        HTML_LIT(b, " #");
        html_int(b, s->id);
    } else {
        layout_t(b, c, MSG_NR_NEW);
    }
    HTML_LIT(b, "</h1><p class=\"form-status\" role=\"status\">");
    if (notice != MSG_NONE)
        layout_t(b, c, notice);
    HTML_LIT(b, "</p>");
    if (error) {
        HTML_LIT(b, "<p class=\"form-error\" role=\"alert\">");
        html_cstr(b, error);
        HTML_LIT(b, "</p>");
    }
    if (s && s->id) {
        HTML_LIT(b, "<p class=\"nr-preview\">");
        layout_t(b, c, MSG_NR_PREVIEW);
        HTML_LIT(b, ": ");
        for (int m = 0; m < 3; m++) {
            static const char *const modes[] = { "zh", "en", "ce" };
            HTML_LIT(b, "<a href=\"/newsroom/story/");
            html_int(b, s->id);
            HTML_LIT(b, "/preview/");
            html_cstr(b, modes[m]);
            HTML_LIT(b, "\">");
            html_cstr(b, modes[m]);
            HTML_LIT(b, "</a> ");
        }
        HTML_LIT(b, "</p>");
    }
    HTML_LIT(b, "<form class=\"nr-story\" method=\"post\" action=\"");
    if (s && s->id) {
        HTML_LIT(b, "/newsroom/story/");
        html_int(b, s->id);
    } else {
        HTML_LIT(b, "/newsroom/new");
    }
    HTML_LIT(b, "\" data-autosave=\"");
    if (s && s->id) {
        HTML_LIT(b, "/newsroom/story/");
        html_int(b, s->id);
        HTML_LIT(b, "/autosave");
    }
    HTML_LIT(b, "\">");
    csrf(b, c);
    snprintf(ver, sizeof ver, "%lld", (long long)(s ? s->version : 0));
    hidden(b, "version", ver);
    HTML_LIT(b, "<div class=\"nr-meta\">");
    input(b, c, "slug", "text", MSG_NR_SLUG, s ? s->slug : NULL, NULL);
    HTML_LIT(b, "<div class=\"field\"><label for=\"nr-section\">");
    layout_t(b, c, MSG_NR_SECTION);
    HTML_LIT(b, "</label><select id=\"nr-section\" name=\"section\"><option value=\"\">");
    layout_t(b, c, MSG_NR_SECTION_NONE); /* an empty option is invalid HTML (Nu checker) */
    HTML_LIT(b, "</option>");
    for (size_t i = 0; i < all->n; i++) {
        HTML_LIT(b, "<option value=\"");
        html_attr(b, all->item[i].slug);
        HTML_LIT(b, "\"");
        if (s && s->section_slug && strcmp(s->section_slug, all->item[i].slug) == 0)
            HTML_LIT(b, " selected");
        HTML_LIT(b, ">");
        html_cstr(b, all->item[i].name_zh);
        HTML_LIT(b, " / ");
        html_cstr(b, all->item[i].name_en);
        HTML_LIT(b, "</option>");
    }
    HTML_LIT(b, "</select></div>");
    input(b, c, "new_section", "text", MSG_NR_SECTION_NEW, NULL, NULL);
    input(b, c, "tags", "text", MSG_NR_TAGS, s ? s->tags : NULL, NULL);
    if (s && s->published > 0) {
        time_t t = (time_t)s->published;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M", &tm);
    }
    input(b, c, "publish_at", "datetime-local", MSG_NR_PUBLISH_AT, when, NULL);
    HTML_LIT(b, "</div><div class=\"nr-langs\">");
    lang_column(b, c, s, LANG_ZH);
    lang_column(b, c, s, LANG_EN);
    HTML_LIT(b, "</div>");
    input(b, c, "pairs", "text", MSG_NR_PAIRS, s ? s->pairs : NULL, NULL);
    if (s && s->related)
        buf_puts(&related, s->related);
    input(b, c, "related", "text", MSG_NR_RELATED, buf_cstr(&related), NULL);
    HTML_LIT(b, "<div class=\"actions\"><button type=\"submit\" name=\"action\" value=\"save\" "
                "class=\"primary\">");
    layout_t(b, c, MSG_NR_SAVE);
    HTML_LIT(b, "</button> <button type=\"submit\" name=\"action\" value=\"publish\">");
    layout_t(b, c, MSG_NR_PUBLISH);
    HTML_LIT(b, "</button> <button type=\"submit\" name=\"action\" value=\"schedule\">");
    layout_t(b, c, MSG_NR_SCHEDULE);
    HTML_LIT(b, "</button>");
    if (s && s->status != STORY_DRAFT) {
        HTML_LIT(b, " <button type=\"submit\" name=\"action\" value=\"unpublish\">");
        layout_t(b, c, MSG_NR_UNPUBLISH);
        HTML_LIT(b, "</button>");
    }
    HTML_LIT(b, "</div></form>");
    if (s && s->id)
        pictures_box(b, c, s);
    if (s && s->id)
        for (int l = LANG_ZH; l >= LANG_EN; l--)
            if (s->l[l].present)
                job_box(b, c, s, (enum lang)l, &jobs[l]);
    HTML_LIT(b, "</div>");
    buf_release(&related);
    layout_footer(b, c);
}

void page_nr_timing(struct buf *b, struct page_ctx *c, const struct story *s, enum lang l,
                    const char *error, enum msg notice)
{
    const struct story_lang *sl = &s->l[l];
    size_t k = 0;
    char v[32];

    layout_head(b, c, msg(c->ui, MSG_NR_TIMING), NULL);
    HTML_LIT(b, "<meta name=\"robots\" content=\"noindex\">");
    layout_header(b, c);
    HTML_LIT(b, "<div class=\"newsroom timing\"><p><a href=\"/newsroom/story/");
    html_int(b, s->id);
    HTML_LIT(b, "\">← #");
    html_int(b, s->id);
    HTML_LIT(b, "</a></p><h1>");
    layout_t(b, c, MSG_NR_TIMING);
    HTML_LIT(b, "</h1><p class=\"form-status\" role=\"status\">");
    if (notice != MSG_NONE)
        layout_t(b, c, notice);
    HTML_LIT(b, "</p>");
    if (error) {
        HTML_LIT(b, "<p class=\"form-error\" role=\"alert\">");
        html_cstr(b, error);
        HTML_LIT(b, "</p>");
    }
    if (sl->audio) {
        HTML_LIT(b, "<div class=\"nr-wave\" data-peaks=\"/newsroom/story/");
        html_int(b, s->id);
        HTML_LIT(b, "/peaks/");
        html_cstr(b, lang_code(l));
        HTML_LIT(b, "\"><audio id=\"nr-audio\" controls preload=\"metadata\" src=\"/media/");
        html_attr(b, sl->audio);
        HTML_LIT(b, "\"></audio></div>");
    }
    HTML_LIT(b, "<form class=\"nr-timing\" method=\"post\" action=\"/newsroom/story/");
    html_int(b, s->id);
    HTML_LIT(b, "/timing/");
    html_cstr(b, lang_code(l));
    HTML_LIT(b, "\">");
    csrf(b, c);
    snprintf(v, sizeof v, "%lld", (long long)s->version);
    hidden(b, "version", v);
    HTML_LIT(b, "<table><caption>");
    layout_t(b, c, MSG_NR_STARTS);
    HTML_LIT(b, "</caption><thead><tr><th scope=\"col\">#</th><th scope=\"col\">");
    layout_t(b, c, MSG_NR_STARTS);
    HTML_LIT(b, "</th><th scope=\"col\">");
    layout_t(b, c, MSG_NR_NOT_SPOKEN);
    HTML_LIT(b, "</th><th scope=\"col\">");
    layout_t(b, c, MSG_TRANSCRIPT);
    HTML_LIT(b, "</th></tr></thead><tbody>");
    for (size_t i = 0; i < sl->tr.n_para; i++)
        for (size_t j = 0; j < sl->tr.para[i].n_sent; j++, k++) {
            const struct sent *se = &sl->tr.para[i].sent[j];
            HTML_LIT(b, "<tr class=\"seg");
            if (se->low_confidence)
                HTML_LIT(b, " check");
            HTML_LIT(b, "\"><td class=\"n\">");
            html_int(b, (int64_t)k + 1);
            if (se->low_confidence) {
                HTML_LIT(b, " <strong class=\"flag\">");
                layout_t(b, c, MSG_NR_CHECK);
                HTML_LIT(b, "</strong>");
            }
            if (se->low_confidence && se->confidence < 0.995f && !isnan(se->start)) {
                /* the aligner's confidence (acoustic score, pauses, duration), 0..1 */
                char cf[16];
                snprintf(cf, sizeof cf, "%.2f", (double)se->confidence);
                HTML_LIT(b, " <small class=\"conf\">");
                html_cstr(b, cf);
                HTML_LIT(b, "</small>");
            }
            HTML_LIT(b, "</td><td><input type=\"number\" step=\"0.01\" min=\"0\" name=\"t");
            html_int(b, (int64_t)k);
            HTML_LIT(b, "\" value=\"");
            if (!isnan(se->start))
                html_seconds(b, se->start);
            HTML_LIT(b, "\" aria-label=\"");
            layout_t(b, c, MSG_NR_STARTS);
            HTML_LIT(b, " ");
            html_int(b, (int64_t)k + 1);
            HTML_LIT(b, "\"></td><td><label><input type=\"checkbox\" name=\"n");
            html_int(b, (int64_t)k);
            HTML_LIT(b, "\" value=\"1\"");
            if (isnan(se->start))
                HTML_LIT(b, " checked");
            HTML_LIT(b, "> ");
            layout_t(b, c, MSG_NR_NOT_SPOKEN);
            HTML_LIT(b, "</label></td><td class=\"text\"");
            layout_lang_attr(b, l);
            HTML_LIT(b, ">");
            html_cstr(b, se->text);
            HTML_LIT(b, "</td></tr>");
        }
    HTML_LIT(b, "<tr><td></td><td><input type=\"number\" step=\"any\" min=\"0\" name=\"end\" "
                "value=\"");
    if (!isnan(sl->tr.end))
        html_seconds(b, sl->tr.end);
    HTML_LIT(b, "\" aria-label=\"");
    layout_t(b, c, MSG_NR_END);
    HTML_LIT(b, "\"></td><td colspan=\"2\">");
    layout_t(b, c, MSG_NR_END);
    HTML_LIT(b, "</td></tr></tbody></table><div class=\"actions\"><button type=\"submit\" "
                "class=\"primary\">");
    layout_t(b, c, MSG_NR_SAVE_TIMING);
    HTML_LIT(b, "</button></div></form><form class=\"nr-import\" method=\"post\" "
                "action=\"/newsroom/story/");
    html_int(b, s->id);
    HTML_LIT(b, "/timing/");
    html_cstr(b, lang_code(l));
    HTML_LIT(b, "/import\">");
    csrf(b, c);
    textarea(b, c, "timing", MSG_NR_IMPORT_TIMING, NULL, NULL, 6);
    HTML_LIT(b, "<button type=\"submit\">");
    layout_t(b, c, MSG_NR_IMPORT);
    HTML_LIT(b, "</button></form><p>");
    layout_t(b, c, MSG_NR_EXPORT);
    html_cstr(b, c->ui == LANG_ZH ? "：" : ":");
    {
        static const char *const fmts[] = { "readalong", "vtt", "srt", "smil", "aeneas", "tsv",
                                            "audacity" };
        for (size_t i = 0; i < GZ_NELEM(fmts); i++) {
            HTML_LIT(b, " <a href=\"/newsroom/story/");
            html_int(b, s->id);
            HTML_LIT(b, "/timing/");
            html_cstr(b, lang_code(l));
            HTML_LIT(b, "/export?f=");
            html_cstr(b, fmts[i]);
            HTML_LIT(b, "\">");
            html_cstr(b, fmts[i]);
            HTML_LIT(b, "</a>");
        }
    }
    HTML_LIT(b, "</p></div>");
    layout_footer(b, c);
}

void page_nr_users(struct buf *b, struct page_ctx *c, const struct user *u, size_t n)
{
    static const enum user_role roles[] = { ROLE_READER, ROLE_EDITOR, ROLE_ADMIN };

    layout_head(b, c, msg(c->ui, MSG_NR_ROLES), NULL);
    layout_header(b, c);
    HTML_LIT(b, "<div class=\"newsroom\"><p><a href=\"/newsroom\">");
    layout_t(b, c, MSG_NEWSROOM);
    HTML_LIT(b, "</a></p><h1>");
    layout_t(b, c, MSG_NR_ROLES);
    HTML_LIT(b, "</h1><table class=\"nr-users\"><tbody>");
    for (size_t i = 0; i < n; i++) {
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)u[i].id);
        HTML_LIT(b, "<tr><td>");
        html_cstr(b, u[i].email ? u[i].email : (u[i].phone ? u[i].phone : "?"));
        HTML_LIT(b, "</td><td>");
        html_cstr(b, u[i].username ? u[i].username : "");
        HTML_LIT(b, "</td><td><form class=\"inline\" method=\"post\" action=\"/newsroom/users\">");
        csrf(b, c);
        hidden(b, "id", id);
        HTML_LIT(b, "<select name=\"role\" aria-label=\"");
        layout_t(b, c, MSG_NR_ROLES);
        HTML_LIT(b, "\">");
        for (size_t r = 0; r < GZ_NELEM(roles); r++) {
            static const enum msg role_msg[] = { MSG_ROLE_READER, MSG_ROLE_EDITOR, MSG_ROLE_ADMIN };
            HTML_LIT(b, "<option value=\"");
            html_attr(b, user_role_name(roles[r]));
            HTML_LIT(b, "\"");
            if (u[i].role == roles[r])
                HTML_LIT(b, " selected");
            HTML_LIT(b, ">");
            layout_t(b, c, role_msg[r]);
            HTML_LIT(b, "</option>");
        }
        HTML_LIT(b, "</select> <button type=\"submit\">");
        layout_t(b, c, MSG_NR_ROLE_SAVE);
        HTML_LIT(b, "</button></form></td></tr>");
    }
    HTML_LIT(b, "</tbody></table></div>");
    layout_footer(b, c);
}

/* One bilingual pair of inputs for name_zh / name_en. */
static void pair_inputs(struct buf *b, struct page_ctx *c, const char *base, enum msg label,
                        quiz_field_fn *get, void *cls)
{
    char zh[48], en[48];
    snprintf(zh, sizeof zh, "%s_zh", base);
    snprintf(en, sizeof en, "%s_en", base);
    HTML_LIT(b, "<div class=\"qz-pair\">");
    input_s(b, c, zh, "text", label, "· 中文", get ? get(cls, zh) : NULL, "zh-CN");
    input_s(b, c, en, "text", label, "· English", get ? get(cls, en) : NULL, "en");
    HTML_LIT(b, "</div>");
}

void page_nr_quiz(struct buf *b, struct page_ctx *c, quiz_field_fn *get, void *cls,
                  const char *error, enum msg notice)
{
    layout_head(b, c, msg(c->ui, MSG_NR_QUIZ_NEW), NULL);
    layout_header(b, c);
    HTML_LIT(b, "<div class=\"newsroom\"><p><a href=\"/newsroom\">");
    layout_t(b, c, MSG_NEWSROOM);
    HTML_LIT(b, "</a></p><h1>");
    layout_t(b, c, MSG_NR_QUIZ_NEW);
    HTML_LIT(b, "</h1><p class=\"form-status\" role=\"status\">");
    if (notice != MSG_NONE)
        layout_t(b, c, notice);
    HTML_LIT(b, "</p>");
    if (error) {
        HTML_LIT(b, "<pre class=\"form-error\" role=\"alert\">");
        html_cstr(b, error);
        HTML_LIT(b, "</pre>");
    }
    HTML_LIT(b, "<form class=\"nr-quiz\" method=\"post\" action=\"/newsroom/quiz\">");
    csrf(b, c);
    HTML_LIT(b, "<p class=\"note\">");
    layout_t(b, c, MSG_QZ_HINT);
    HTML_LIT(b, "</p><div class=\"nr-meta\">");
    input(b, c, "slug", "text", MSG_NR_SLUG, get ? get(cls, "slug") : NULL, NULL);
    input(b, c, "publish_at", "datetime-local", MSG_NR_PUBLISH_AT,
          get ? get(cls, "publish_at") : NULL, NULL);
    HTML_LIT(b, "</div>");
    pair_inputs(b, c, "title", MSG_QZ_TITLE, get, cls);
    for (int i = 0; i < QUIZ_FORM_QUESTIONS; i++) {
        char base[32], story[32];
        HTML_LIT(b, "<fieldset class=\"qz-q\"><legend>");
        layout_t(b, c, MSG_QZ_QUESTION);
        HTML_LIT(b, " ");
        html_int(b, i + 1);
        HTML_LIT(b, "</legend>");
        snprintf(base, sizeof base, "q%d_question", i);
        pair_inputs(b, c, base, MSG_QZ_QUESTION, get, cls);
        snprintf(base, sizeof base, "q%d_answer", i);
        pair_inputs(b, c, base, MSG_QZ_ANSWER, get, cls);
        for (int k = 1; k <= 3; k++) {
            snprintf(base, sizeof base, "q%d_wrong%d", i, k);
            pair_inputs(b, c, base, MSG_QZ_WRONG, get, cls);
        }
        snprintf(base, sizeof base, "q%d_explain", i);
        pair_inputs(b, c, base, MSG_QZ_EXPLAIN, get, cls);
        snprintf(story, sizeof story, "q%d_story", i);
        input(b, c, story, "text", MSG_QZ_STORY, get ? get(cls, story) : NULL, NULL);
        HTML_LIT(b, "</fieldset>");
    }
    HTML_LIT(b, "<details><summary>");
    layout_t(b, c, MSG_QZ_PASTE);
    HTML_LIT(b, "</summary>");
    textarea(b, c, "quiz", MSG_QZ_PASTE, get ? get(cls, "quiz") : NULL, NULL, 12);
    HTML_LIT(b, "</details><div class=\"actions\"><button type=\"submit\" class=\"primary\">");
    layout_t(b, c, MSG_NR_PUBLISH);
    HTML_LIT(b, "</button></div></form></div>");
    layout_footer(b, c);
}
