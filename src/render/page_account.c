/* page_account.c: sign-in, registration, password reset, phone and binding forms; the
 * account page; the development outbox; the user agreement and privacy policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "render/layout.h"
#include "text/text.h"

static void field(struct buf *b, struct page_ctx *c, const struct ui_field *f)
{
    int checkbox = strcmp(f->type, "checkbox") == 0;

    if (strcmp(f->type, "hidden") == 0) {
        HTML_LIT(b, "<input type=\"hidden\" name=\"");
        html_attr(b, f->name);
        HTML_LIT(b, "\" value=\"");
        html_attr(b, f->value);
        HTML_LIT(b, "\">");
        return;
    }
    HTML_LIT(b, "<div class=\"field");
    if (checkbox)
        HTML_LIT(b, " check");
    HTML_LIT(b, "\">");
    if (!checkbox) {
        HTML_LIT(b, "<label for=\"f-");
        html_attr(b, f->name);
        HTML_LIT(b, "\">");
        layout_t(b, c, f->label);
        HTML_LIT(b, "</label>");
    }
    HTML_LIT(b, "<input id=\"f-");
    html_attr(b, f->name);
    HTML_LIT(b, "\" name=\"");
    html_attr(b, f->name);
    HTML_LIT(b, "\" type=\"");
    html_attr(b, f->type);
    HTML_LIT(b, "\"");
    if (checkbox) {
        HTML_LIT(b, " value=\"1\"");
        if (f->value)
            HTML_LIT(b, " checked");
    } else if (f->value && strcmp(f->type, "password") != 0) {
        HTML_LIT(b, " value=\"");
        html_attr(b, f->value);
        HTML_LIT(b, "\"");
    }
    if (f->autocomplete) {
        HTML_LIT(b, " autocomplete=\"");
        html_attr(b, f->autocomplete);
        HTML_LIT(b, "\"");
    }
    if (strcmp(f->name, "code") == 0)
        HTML_LIT(b, " inputmode=\"numeric\" pattern=\"[0-9]{6}\" maxlength=\"6\"");
    if (strcmp(f->type, "password") == 0)
        HTML_LIT(b, " maxlength=\"128\"");
    if (f->required)
        HTML_LIT(b, " required");
    if (f->error != MSG_NONE) {
        HTML_LIT(b, " aria-invalid=\"true\" aria-describedby=\"e-");
        html_attr(b, f->name);
        HTML_LIT(b, "\"");
    }
    HTML_LIT(b, ">");
    if (checkbox) {
        HTML_LIT(b, "<label for=\"f-");
        html_attr(b, f->name);
        HTML_LIT(b, "\">");
        if (strcmp(f->name, "agree") == 0) {
            layout_t(b, c, MSG_AGREE_PRE);
            HTML_LIT(b, " <a href=\"/terms\">");
            layout_t(b, c, MSG_TERMS);
            HTML_LIT(b, "</a> ");
            layout_t(b, c, MSG_AGREE_AND);
            HTML_LIT(b, " <a href=\"/privacy\">");
            layout_t(b, c, MSG_PRIVACY);
            HTML_LIT(b, "</a>");
        } else {
            layout_t(b, c, f->label);
        }
        HTML_LIT(b, "</label>");
    }
    if (f->error != MSG_NONE) {
        HTML_LIT(b, "<p class=\"field-error\" id=\"e-");
        html_attr(b, f->name);
        HTML_LIT(b, "\">");
        layout_t(b, c, f->error);
        HTML_LIT(b, "</p>");
    }
    HTML_LIT(b, "</div>");
}

static void link(struct buf *b, struct page_ctx *c, const char *href, enum msg text)
{
    HTML_LIT(b, "<a href=\"");
    html_url(b, href);
    HTML_LIT(b, "\">");
    layout_t(b, c, text);
    HTML_LIT(b, "</a> ");
}

void page_form(struct buf *b, struct page_ctx *c, const struct form_page *f)
{
    layout_head(b, c, msg(c->ui, f->title), NULL);
    layout_header(b, c);
    HTML_LIT(b, "<div class=\"account-form\"><h1>");
    layout_t(b, c, f->title);
    HTML_LIT(b, "</h1>");
    if (f->intro != MSG_NONE) {
        HTML_LIT(b, "<p class=\"intro\">");
        layout_t(b, c, f->intro);
        HTML_LIT(b, "</p>");
    }
    HTML_LIT(b, "<p class=\"form-status\" role=\"status\">");
    if (f->notice != MSG_NONE)
        layout_t(b, c, f->notice);
    HTML_LIT(b, "</p>");
    if (f->error != MSG_NONE) {
        HTML_LIT(b, "<p class=\"form-error\" role=\"alert\">");
        layout_t(b, c, f->error);
        HTML_LIT(b, "</p>");
    }
    HTML_LIT(b, "<form method=\"post\" action=\"");
    html_url(b, f->action);
    HTML_LIT(b, "\" novalidate><input type=\"hidden\" name=\"csrf\" value=\"");
    layout_csrf(b, c);
    HTML_LIT(b, "\">");
    for (size_t i = 0; i < f->n_fields; i++)
        field(b, c, &f->fields[i]);
    if (f->links & FORM_PHONE_NOTE) {
        HTML_LIT(b, "<p class=\"note\">");
        layout_t(b, c, MSG_PHONE_NOTE);
        HTML_LIT(b, "</p>");
    }
    HTML_LIT(b, "<div class=\"actions\"><button type=\"submit\" class=\"primary\"");
    if (f->code_wait > 0 && !f->resend_action) {
        HTML_LIT(b, " data-wait=\"");
        html_int(b, f->code_wait);
        HTML_LIT(b, "\"");
    }
    HTML_LIT(b, ">");
    layout_t(b, c, f->submit);
    HTML_LIT(b, "</button>");
    if (f->resend_action) {
        /* Another code, from the same form: the countdown says when the limit allows it. */
        HTML_LIT(b, " <button type=\"submit\" class=\"resend\" formnovalidate formaction=\"");
        html_url(b, f->resend_action);
        HTML_LIT(b, "\"");
        if (f->code_wait > 0) {
            HTML_LIT(b, " data-wait=\"");
            html_int(b, f->code_wait);
            HTML_LIT(b, "\"");
        }
        HTML_LIT(b, ">");
        layout_t(b, c, MSG_RESEND_CODE);
        HTML_LIT(b, "</button>");
    }
    HTML_LIT(b, "</div></form><p class=\"form-links\">");
    if (f->links & FORM_LINK_FORGOT)
        link(b, c, "/forgot", MSG_FORGOT);
    if (f->links & FORM_LINK_REGISTER)
        link(b, c, "/register", MSG_REGISTER);
    if (f->links & FORM_LINK_PHONE)
        link(b, c, "/phone", MSG_PHONE_SIGN_IN);
    if (f->links & FORM_LINK_SIGN_IN)
        link(b, c, "/login", MSG_SIGN_IN);
    HTML_LIT(b, "</p>");
    if (f->links & FORM_AGREE_NOTE) {
        HTML_LIT(b, "<p class=\"note\">");
        layout_t(b, c, MSG_CONTINUE_AGREE);
        HTML_LIT(b, " <a href=\"/terms\">");
        layout_t(b, c, MSG_TERMS);
        HTML_LIT(b, "</a> ");
        layout_t(b, c, MSG_AGREE_AND);
        HTML_LIT(b, " <a href=\"/privacy\">");
        layout_t(b, c, MSG_PRIVACY);
        HTML_LIT(b, "</a></p>");
    }
    HTML_LIT(b, "</div>");
    layout_footer(b, c);
}

/* A small form with one button (and optional hidden id) posting to action. */
static void button_form(struct buf *b, struct page_ctx *c, const char *action, const char *id,
                        enum msg label)
{
    HTML_LIT(b, "<form method=\"post\" class=\"inline\" action=\"");
    html_url(b, action);
    HTML_LIT(b, "\"><input type=\"hidden\" name=\"csrf\" value=\"");
    layout_csrf(b, c);
    HTML_LIT(b, "\">");
    if (id) {
        HTML_LIT(b, "<input type=\"hidden\" name=\"id\" value=\"");
        html_attr(b, id);
        HTML_LIT(b, "\">");
    }
    HTML_LIT(b, "<button type=\"submit\">");
    layout_t(b, c, label);
    HTML_LIT(b, "</button></form>");
}

/* "Chrome on Linux" / "Linux 上的 Chrome"; the raw header when nothing is recognised. */
static void device(struct buf *b, struct page_ctx *c, const char *ua)
{
    const char *br, *os;
    text_device(ua, &br, &os);
    if (br && os) {
        html_cstr(b, c->ui == LANG_ZH ? os : br);
        layout_t(b, c, MSG_DEVICE_ON);
        html_cstr(b, c->ui == LANG_ZH ? br : os);
    } else if (br || os) {
        html_cstr(b, br ? br : os);
    } else {
        html_cstr(b, ua && *ua ? ua : "?");
    }
}

/* The activity log's event and detail words in the reader's language; others as stored. */
static void audit_word(struct buf *b, struct page_ctx *c, const char *w)
{
    static const struct {
        const char *key;
        enum msg m;
    } words[] = {
        { "sign-in", MSG_EV_SIGN_IN },
        { "sign-in-failed", MSG_EV_SIGN_IN_FAILED },
        { "register", MSG_EV_REGISTER },
        { "phone-bound", MSG_EV_PHONE_BOUND },
        { "phone-unbound", MSG_EV_PHONE_UNBOUND },
        { "phone-merged", MSG_EV_PHONE_MERGED },
        { "email-bound", MSG_EV_EMAIL_BOUND },
        { "bind-failed", MSG_EV_BIND_FAILED },
        { "reset-requested", MSG_EV_RESET_REQUESTED },
        { "password-reset", MSG_EV_PASSWORD_RESET },
        { "sign-out", MSG_EV_SIGN_OUT },
        { "remember-me-reuse", MSG_EV_REMEMBER_REUSE },
        { "session-revoked", MSG_EV_SESSION_REVOKED },
        { "password", MSG_DT_PASSWORD },
        { "phone", MSG_DT_PHONE },
        { "remember-me", MSG_DT_REMEMBER },
        { "everywhere", MSG_DT_EVERYWHERE },
        { "bind", MSG_DT_BIND },
        { "series revoked", MSG_DT_SERIES_REVOKED },
        { "remember-me (parallel)", MSG_DT_REMEMBER },
    };
    for (size_t i = 0; w && i < GZ_NELEM(words); i++)
        if (strcmp(w, words[i].key) == 0) {
            layout_t(b, c, words[i].m);
            return;
        }
    html_cstr(b, w ? w : "");
}

static void when(struct buf *b, int64_t t)
{
    char s[32];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(s, sizeof s, "%Y-%m-%d %H:%M UTC", &tm);
    html_cstr(b, s);
}

void page_account(struct buf *b, struct page_ctx *c, const struct user *u,
                  const struct session_list *sessions, const struct audit_list *audit,
                  enum msg notice)
{
    static const enum msg fs_names[] = { MSG_FS1, MSG_FS2, MSG_FS3, MSG_FS4, MSG_FS5 };
    static const char *const rates[] = { "0.5", "0.75", "1", "1.25", "1.5", "1.75", "2" };

    layout_head(b, c, msg(c->ui, MSG_ACCOUNT), NULL);
    layout_header(b, c);
    HTML_LIT(b, "<div class=\"account\"><h1>");
    layout_t(b, c, MSG_ACCOUNT);
    HTML_LIT(b, "</h1><p class=\"form-status\" role=\"status\">");
    if (notice != MSG_NONE)
        layout_t(b, c, notice);
    HTML_LIT(b, "</p><section aria-labelledby=\"h-profile\"><h2 id=\"h-profile\">");
    layout_t(b, c, MSG_PROFILE);
    HTML_LIT(b, "</h2><dl><dt>");
    layout_t(b, c, MSG_EMAIL_FIELD);
    HTML_LIT(b, "</dt><dd>");
    if (u->email)
        html_cstr(b, u->email);
    else
        layout_t(b, c, MSG_NONE_BOUND);
    HTML_LIT(b, "</dd><dt>");
    layout_t(b, c, MSG_USERNAME_FIELD);
    HTML_LIT(b, "</dt><dd>");
    if (u->username)
        html_cstr(b, u->username);
    else
        layout_t(b, c, MSG_NOT_SET);
    HTML_LIT(b, "</dd><dt>");
    layout_t(b, c, MSG_PHONE_BOUND);
    HTML_LIT(b, "</dt><dd>");
    if (u->phone) {
        html_cstr(b, u->phone);
        HTML_LIT(b, " <a href=\"/account/phone\">");
        layout_t(b, c, MSG_UNBIND_PHONE);
        HTML_LIT(b, "</a>");
    } else {
        layout_t(b, c, MSG_NONE_BOUND);
        HTML_LIT(b, " <a href=\"/phone\">");
        layout_t(b, c, MSG_BIND_PHONE);
        HTML_LIT(b, "</a>");
    }
    HTML_LIT(b, "</dd></dl>");
    if (!u->email) {
        HTML_LIT(b, "<p><a href=\"/bind\">");
        layout_t(b, c, MSG_BIND_TEXT);
        HTML_LIT(b, "</a></p>");
    }
    HTML_LIT(b, "</section><section aria-labelledby=\"h-prefs\"><h2 id=\"h-prefs\">");
    layout_t(b, c, MSG_PREFERENCES);
    HTML_LIT(b, "</h2><form method=\"post\" action=\"/account/prefs\"><input type=\"hidden\" "
                "name=\"csrf\" value=\"");
    layout_csrf(b, c);
    HTML_LIT(b, "\"><fieldset><legend>");
    layout_t(b, c, MSG_FONT_SIZE);
    HTML_LIT(b, "</legend>");
    for (int i = 1; i <= 5; i++) {
        HTML_LIT(b, "<label><input type=\"radio\" name=\"fs\" value=\"");
        html_int(b, i);
        HTML_LIT(b, "\"");
        if (i == (u->font_size ? u->font_size : c->fs))
            HTML_LIT(b, " checked");
        HTML_LIT(b, ">");
        layout_t(b, c, fs_names[i - 1]);
        HTML_LIT(b, "</label>");
    }
    HTML_LIT(b, "</fieldset><label for=\"f-rate\">");
    layout_t(b, c, MSG_RATE_FIELD);
    HTML_LIT(b, "</label><select id=\"f-rate\" name=\"rate\">");
    for (size_t i = 0; i < GZ_NELEM(rates); i++) {
        double r = strtod(rates[i], NULL);
        HTML_LIT(b, "<option value=\"");
        html_cstr(b, rates[i]);
        HTML_LIT(b, "\"");
        if ((u->rate > 0 ? u->rate : 1.0) == r)
            HTML_LIT(b, " selected");
        HTML_LIT(b, ">");
        html_cstr(b, rates[i]);
        HTML_LIT(b, "×</option>");
    }
    HTML_LIT(b, "</select> <button type=\"submit\">");
    layout_t(b, c, MSG_SAVE);
    HTML_LIT(b, "</button></form></section><section aria-labelledby=\"h-sessions\"><h2 "
                "id=\"h-sessions\">");
    layout_t(b, c, MSG_SESSIONS);
    HTML_LIT(b, "</h2><ul class=\"sessions\">");
    for (size_t i = 0; sessions && i < sessions->n; i++) {
        const struct session_row *s = &sessions->item[i];
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)s->id);
        HTML_LIT(b, "<li><span class=\"ua\">");
        device(b, c, s->user_agent);
        HTML_LIT(b, "</span> <span class=\"meta\">");
        html_cstr(b, s->ip);
        HTML_LIT(b, " · ");
        when(b, s->last_seen);
        if (s->current) {
            HTML_LIT(b, " · <strong>");
            layout_t(b, c, MSG_THIS_DEVICE);
            HTML_LIT(b, "</strong>");
        }
        HTML_LIT(b, "</span> ");
        if (!s->current)
            button_form(b, c, "/account/sessions/revoke", id, MSG_REVOKE);
        HTML_LIT(b, "</li>");
    }
    HTML_LIT(b, "</ul>");
    button_form(b, c, "/logout-all", NULL, MSG_SIGN_OUT_ALL);
    button_form(b, c, "/logout", NULL, MSG_SIGN_OUT);
    HTML_LIT(b, "</section><section aria-labelledby=\"h-audit\"><h2 id=\"h-audit\">");
    layout_t(b, c, MSG_ACTIVITY);
    HTML_LIT(b, "</h2><table class=\"audit\" tabindex=\"0\" aria-labelledby=\"h-audit\"><thead>"
                "<tr><th scope=\"col\">");
    layout_t(b, c, MSG_AUDIT_TIME);
    HTML_LIT(b, "</th><th scope=\"col\">");
    layout_t(b, c, MSG_AUDIT_EVENT);
    HTML_LIT(b, "</th><th scope=\"col\">");
    layout_t(b, c, MSG_AUDIT_ADDRESS);
    HTML_LIT(b, "</th><th scope=\"col\">");
    layout_t(b, c, MSG_AUDIT_DETAIL);
    HTML_LIT(b, "</th></tr></thead><tbody>");
    for (size_t i = 0; audit && i < audit->n; i++) {
        const struct audit_row *a = &audit->item[i];
        HTML_LIT(b, "<tr><td>");
        when(b, a->at);
        HTML_LIT(b, "</td><td data-event=\"");
        html_attr(b, a->event ? a->event : "");
        HTML_LIT(b, "\">");
        audit_word(b, c, a->event);
        HTML_LIT(b, "</td><td>");
        html_cstr(b, a->ip);
        HTML_LIT(b, "</td><td>");
        audit_word(b, c, a->detail);
        HTML_LIT(b, "</td></tr>");
    }
    HTML_LIT(b, "</tbody></table></section></div>");
    layout_footer(b, c);
}

void page_outbox(struct buf *b, struct page_ctx *c, const struct outbox_list *l)
{
    layout_head(b, c, msg(c->ui, MSG_OUTBOX), NULL);
    layout_header(b, c);
    HTML_LIT(b, "<div class=\"outbox\"><h1>");
    layout_t(b, c, MSG_OUTBOX);
    HTML_LIT(b, "</h1><ol reversed>");
    for (size_t i = 0; i < l->n; i++) {
        const struct outbox_row *m = &l->item[i];
        HTML_LIT(b, "<li class=\"msg\" data-kind=\"");
        html_attr(b, m->kind);
        HTML_LIT(b, "\" data-to=\"");
        html_attr(b, m->rcpt);
        HTML_LIT(b, "\"><p class=\"meta\">");
        html_cstr(b, m->kind);
        HTML_LIT(b, " → ");
        html_cstr(b, m->rcpt);
        HTML_LIT(b, " · ");
        when(b, m->at);
        HTML_LIT(b, "</p>");
        if (m->subject && *m->subject) {
            HTML_LIT(b, "<p class=\"subject\">");
            html_cstr(b, m->subject);
            HTML_LIT(b, "</p>");
        }
        HTML_LIT(b, "<pre class=\"body\">");
        html_cstr(b, m->body);
        HTML_LIT(b, "</pre></li>");
    }
    HTML_LIT(b, "</ol></div>");
    layout_footer(b, c);
}

void page_legal(struct buf *b, struct page_ctx *c, int privacy)
{
    enum msg title = privacy ? MSG_PRIVACY : MSG_TERMS;

    layout_head(b, c, msg(c->ui, title), NULL);
    layout_header(b, c);
    HTML_LIT(b, "<article class=\"legal\"><h1>");
    layout_t(b, c, title);
    HTML_LIT(b, "</h1><p class=\"byline\">");
    html_cstr(b, privacy ? AGREEMENT_VERSION_PRIVACY : AGREEMENT_VERSION);
    HTML_LIT(b, "</p>");
    if (privacy) {
        HTML_LIT(b, "<p lang=\"zh-CN\">我们只收集提供服务所必需的信息：电子邮件、用户名、手机号码（如您绑定）、"
                    "登录记录与阅读偏好。密码仅以不可逆的方式保存。我们不出售您的信息，也不向第三方"
                    "发送您的阅读记录。您可以在“我的账户”中查看登录设备与账户活动，并随时退出。</p>"
                    "<p lang=\"en\">We keep only what the service needs: your email, username, "
                    "mobile number (if you bind one), sign-in records and reading preferences. "
                    "Passwords are stored only as one-way hashes. We do not sell your data or share "
                    "what you read. Your account page lists your devices and account activity, and "
                    "you can sign out anywhere at any time.</p>");
    } else {
        HTML_LIT(b, "<p lang=\"zh-CN\">注册即表示您同意：提供真实的联系方式；妥善保管密码；不得以自动化"
                    "方式大量抓取本站内容；本站文章及朗读音频受版权保护，未经许可不得转载。</p>"
                    "<p lang=\"en\">By registering you agree to give a working contact address, "
                    "to keep your password safe, not to scrape the site in bulk, and that the "
                    "articles and their narration are protected by copyright and may not be "
                    "republished without permission.</p>");
    }
    HTML_LIT(b, "</article>");
    layout_footer(b, c);
}

void page_quiz(struct buf *b, struct page_ctx *c, const struct quiz *q, const int *answers,
               const int64_t *story_ids, enum msg error)
{
    enum lang l = c->ui;
    int score = 0;

    layout_head(b, c, q->title[l], NULL);
    layout_header(b, c);
    HTML_LIT(b, "<article class=\"quiz\"><p class=\"section-label\">");
    layout_t(b, c, MSG_QUIZ);
    HTML_LIT(b, "</p><h1>");
    html_cstr(b, q->title[l]);
    HTML_LIT(b, "</h1><p class=\"byline\">");
    layout_date(b, q->published);
    HTML_LIT(b, "</p>");
    if (error != MSG_NONE) {
        HTML_LIT(b, "<p class=\"form-error\" role=\"alert\">");
        layout_t(b, c, error);
        HTML_LIT(b, "</p>");
    }
    if (!answers) {
        HTML_LIT(b, "<p class=\"note\">");
        layout_t(b, c, MSG_QUIZ_ONCE);
        HTML_LIT(b, "</p><form method=\"post\" action=\"/quiz/");
        html_int(b, q->id);
        HTML_LIT(b, "\"><input type=\"hidden\" name=\"csrf\" value=\"");
        layout_csrf(b, c);
        HTML_LIT(b, "\">");
    }
    HTML_LIT(b, "<ol class=\"questions\">");
    for (size_t i = 0; i < q->n_q; i++) {
        const struct quiz_question *qq = &q->q[i];
        int right = quiz_correct(q, i);
        HTML_LIT(b, "<li>");
        if (!answers) {
            HTML_LIT(b, "<fieldset><legend>");
            html_cstr(b, qq->text[l]);
            HTML_LIT(b, "</legend>");
            for (int k = 0; k < QUIZ_OPTIONS; k++) {
                HTML_LIT(b, "<label><input type=\"radio\" required name=\"q");
                html_int(b, (int64_t)i);
                HTML_LIT(b, "\" value=\"");
                html_int(b, k);
                HTML_LIT(b, "\"> ");
                html_cstr(b, qq->option[qq->order[k]][l]);
                HTML_LIT(b, "</label>");
            }
            HTML_LIT(b, "</fieldset>");
        } else {
            int chose = answers[i];
            int ok = chose == right;
            score += ok;
            HTML_LIT(b, "<h2 class=\"question\">");
            html_cstr(b, qq->text[l]);
            HTML_LIT(b, "</h2><p>");
            layout_t(b, c, MSG_QUIZ_YOUR);
            HTML_LIT(b, "：");
            if (chose >= 0 && chose < QUIZ_OPTIONS)
                html_cstr(b, qq->option[qq->order[chose]][l]);
            HTML_LIT(b, "</p><p class=\"verdict ");
            html_cstr(b, ok ? "right" : "wrong");
            HTML_LIT(b, "\">");
            if (ok) {
                layout_t(b, c, MSG_QUIZ_RIGHT);
            } else {
                layout_t(b, c, MSG_QUIZ_WRONG);
                html_cstr(b, l == LANG_ZH ? "" : " ");
                html_cstr(b, qq->option[0][l]);
            }
            HTML_LIT(b, "</p><p class=\"explain\">");
            html_cstr(b, qq->explain[l]);
            HTML_LIT(b, "</p>");
            if (story_ids && story_ids[i] > 0) {
                HTML_LIT(b, "<p><a href=\"/story/");
                html_int(b, story_ids[i]);
                HTML_LIT(b, "\">");
                layout_t(b, c, MSG_READ_STORY);
                HTML_LIT(b, "</a></p>");
            }
        }
        HTML_LIT(b, "</li>");
    }
    HTML_LIT(b, "</ol>");
    if (!answers) {
        HTML_LIT(b, "<div class=\"actions\"><button type=\"submit\" class=\"primary\">");
        layout_t(b, c, MSG_QUIZ_SUBMIT);
        HTML_LIT(b, "</button></div></form>");
    } else {
        HTML_LIT(b, "<p class=\"score\" role=\"status\">");
        layout_t(b, c, MSG_QUIZ_SCORE);
        HTML_LIT(b, "：");
        html_int(b, score);
        HTML_LIT(b, " / ");
        html_int(b, (int64_t)q->n_q);
        HTML_LIT(b, "</p>");
    }
    HTML_LIT(b, "</article>");
    layout_footer(b, c);
}
