/*
 * account.c: reader accounts over HTML forms and /api/v1 JSON: routing, decoding and
 * presenting only. The flows (and their parameters) are in service/account.c; each answers a
 * struct acct_out, whose code becomes the HTTP status through http_status().
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "auth/auth.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/form.h"
#include "http/http_int.h"
#include "notify/notify.h"
#include "render/render.h"
#include "service/account.h"

/* ---- glue to the service layer ---- */

static struct acct_out ok_out(void)
{
    struct acct_out o;
    memset(&o, 0, sizeof o);
    return o;
}

static struct acct_out refused(int rc, enum msg m, const char *code)
{
    struct acct_out o = ok_out();
    o.rc = rc;
    o.error = m;
    o.code = code;
    return o;
}

static struct acct_client client_of(struct req *r, char *uab, size_t cap)
{
    const char *ua = http_header(r, MHD_HTTP_HEADER_USER_AGENT);
    struct acct_client cl;

    snprintf(uab, cap, "%s", ua ? ua : "");
    cl.ip = r->ip;
    cl.ua = uab;
    return cl;
}

#define CLIENT(r)                                                                                 \
    char ua_buf_[160];                                                                            \
    struct acct_client cl = client_of((r), ua_buf_, sizeof ua_buf_)

/* Log a server-side failure once, here where it is handled. */
static void logged(struct req *r, const struct acct_out *o)
{
    if (o->rc == GZ_EDB || o->rc == GZ_EFULL || o->rc == GZ_EBUSY || o->rc == GZ_ESEND ||
        o->err.msg[0])
        log_error("account", "%s %s: %s", r->method, r->path,
                  o->err.msg[0] ? o->err.msg : "failed");
}

static void forget_cookies(struct req *r)
{
    http_cookie_later(r, "gz_sid", "", -1, 1);
    http_cookie_later(r, "gz_rm", "", -1, 1);
}

/* Cookies for a session the service created (or nothing when it created none). */
static void apply_session(struct req *r, const struct acct_session *s)
{
    char v[16];

    if (s->forget)
        forget_cookies(r);
    if (!s->user_id)
        return;
    if (s->remember[0])
        http_cookie_later(r, "gz_rm", s->remember, ACCT_REMEMBER_S, 1);
    if (s->sid[0])
        http_cookie_later(r, "gz_sid", s->sid, 0, 1);
    r->user_id = s->user_id;
    r->session_id = s->session_id;
    memcpy(r->sid_digest, s->sid_digest, sizeof r->sid_digest);
    if (s->font_size >= FS_MIN && s->font_size <= FS_MAX) {
        snprintf(v, sizeof v, "%d", s->font_size);
        http_cookie_later(r, "gz_fs", v, 31536000, 0);
    }
    if (s->rate > 0) {
        snprintf(v, sizeof v, "%g", s->rate);
        http_cookie_later(r, "gz_rate", v, 31536000, 0);
    }
}

void account_identify(struct req *r)
{
    struct acct_session s;
    struct acct_out o;
    CLIENT(r);

    o = acct_identify(r->st, &cl, http_cookie(r, "gz_sid"), http_cookie(r, "gz_rm"), &s);
    if (o.rc != GZ_OK) {
        /* The reader reads on as a guest; the cookies stay for the next request. */
        logged(r, &o);
        return;
    }
    if (o.err.msg[0])
        log_warn("account", "%s %s: %s", r->method, r->path, o.err.msg);
    if (s.sid[0]) { /* a remember-me cookie started a new session */
        apply_session(r, &s);
        r->fs = s.font_size ? s.font_size : r->fs;
        return;
    }
    if (s.forget)
        forget_cookies(r);
    r->user_id = s.user_id;
    r->session_id = s.session_id;
    memcpy(r->sid_digest, s.sid_digest, sizeof r->sid_digest);
    if (s.font_size)
        r->fs = s.font_size;
}

/* The selector of the reader's remember-me cookie, or NULL. */
static const char *rm_selector(struct req *r, char sel[AUTH_TOKEN_LEN + 1])
{
    const char *rm = http_cookie(r, "gz_rm");
    if (!rm || strlen(rm) <= AUTH_TOKEN_LEN)
        return NULL;
    memcpy(sel, rm, AUTH_TOKEN_LEN);
    sel[AUTH_TOKEN_LEN] = '\0';
    return sel;
}

static struct acct_out sign_out(struct req *r, int everywhere)
{
    char sel[AUTH_TOKEN_LEN + 1];
    struct acct_out o;
    CLIENT(r);

    o = acct_sign_out(r->st, &cl, r->user_id, r->sid_digest, rm_selector(r, sel), everywhere);
    logged(r, &o);
    /* This browser forgets the cookies either way (a shared computer); a failure is still
     * answered as one, since the session itself could not be ended. */
    forget_cookies(r);
    r->user_id = 0;
    return o;
}

/* ---- HTML ---- */

static enum MHD_Result account_page(struct req *r, enum msg notice);

static enum MHD_Result send_page(struct req *r, int status, struct buf *b, struct page_ctx *c)
{
    size_t len;
    char *html = http_splice(r, buf_cstr(b), b->len, c->csrf_at, c->n_csrf, &len);
    buf_release(b);
    return http_send(r, status, "text/html; charset=utf-8", html, len, "no-store");
}

static void ctx_for(struct req *r, struct page_ctx *c, struct section_list *secs)
{
    memset(c, 0, sizeof *c);
    http_sections(r, secs);
    http_page_ctx(r, c, secs);
}

static enum MHD_Result show_form(struct req *r, int status, const struct form_page *f)
{
    struct page_ctx c;
    struct section_list secs;
    struct buf b;
    enum MHD_Result ret;

    ctx_for(r, &c, &secs);
    buf_init(&b, 0);
    page_form(&b, &c, f);
    ret = send_page(r, status, &b, &c);
    section_list_release(&secs);
    return ret;
}

/* Mark the field the outcome blames. */
static void blame(struct req *r, struct ui_field *f, size_t n, const struct acct_out *o,
                  enum msg *form_error)
{
    *form_error = MSG_NONE;
    if (o->rc == GZ_ELIMIT || o->rc == GZ_EBUSY)
        r->retry_after = o->retry_after;
    if (o->rc == GZ_OK)
        return;
    for (size_t i = 0; i < n; i++)
        if (o->field && strcmp(f[i].name, o->field) == 0 && strcmp(f[i].type, "hidden") != 0) {
            f[i].error = o->error;
            return;
        }
    *form_error = o->error;
}

static enum MHD_Result redirect_after(struct req *r, const char *to)
{
    return http_redirect(r, 303, form_local_path(to));
}

#define FIELD(n, t, l, ac, v, req) { n, t, l, ac, v, MSG_NONE, req }

static enum MHD_Result login_page(struct req *r, const struct acct_out *o, const char *login,
                                  const char *back)
{
    struct ui_field f[] = {
        FIELD("login", "text", MSG_LOGIN_FIELD, "username", login, 1),
        FIELD("password", "password", MSG_PASSWORD_FIELD, "current-password", NULL, 1),
        FIELD("remember", "checkbox", MSG_REMEMBER_ME, NULL, "1", 0),
        FIELD("back", "hidden", MSG_NONE, NULL, back ? back : "/", 0),
    };
    struct form_page p = { MSG_SIGN_IN, MSG_NONE, MSG_NONE, MSG_NONE, "/login", MSG_SIGN_IN,
                           f, GZ_NELEM(f),
                           FORM_LINK_FORGOT | FORM_LINK_REGISTER | FORM_LINK_PHONE | FORM_AGREE_NOTE,
                           0, NULL };
    struct acct_out none = ok_out();
    if (!o)
        o = &none;
    blame(r, f, GZ_NELEM(f), o, &p.error);
    if (o->rc == GZ_EINVAL || o->rc == GZ_EAUTH) {
        f[0].error = MSG_NONE; /* one generic message, not a hint about which part was wrong */
        p.error = MSG_ERR_LOGIN;
    }
    return show_form(r, http_status(o->rc), &p);
}

static enum MHD_Result post_login(struct req *r)
{
    struct acct_session s;
    struct form f;
    struct acct_out o;
    enum MHD_Result ret;
    CLIENT(r);

    if (!http_form(r, &f, &ret))
        return ret;
    o = acct_login(r->st, &cl, form_get(&f, "login"), form_get(&f, "password"),
                   form_get(&f, "remember") != NULL, &s);
    logged(r, &o);
    if (o.rc == GZ_OK) {
        apply_session(r, &s);
        ret = redirect_after(r, form_get(&f, "back"));
    } else {
        ret = login_page(r, &o, form_get(&f, "login"), form_get(&f, "back"));
    }
    form_release(&f);
    return ret;
}

static enum MHD_Result register_page(struct req *r, const struct acct_out *o, struct form *in)
{
    struct ui_field f[] = {
        FIELD("email", "email", MSG_EMAIL_FIELD, "email", in ? form_get(in, "email") : NULL, 1),
        FIELD("username", "text", MSG_USERNAME_FIELD, "username",
              in ? form_get(in, "username") : NULL, 1),
        FIELD("password", "password", MSG_NEW_PASSWORD_FIELD, "new-password", NULL, 1),
        FIELD("agree", "checkbox", MSG_NONE, NULL, in ? form_get(in, "agree") : NULL, 1),
    };
    struct form_page p = { MSG_REGISTER, MSG_NONE, MSG_NONE, MSG_NONE, "/register", MSG_REGISTER,
                           f, GZ_NELEM(f), FORM_LINK_SIGN_IN | FORM_LINK_PHONE, 0, NULL };
    struct acct_out none = ok_out();
    blame(r, f, GZ_NELEM(f), o ? o : &none, &p.error);
    return show_form(r, o ? http_status(o->rc) : 200, &p);
}

static enum MHD_Result post_register(struct req *r)
{
    struct acct_session s;
    struct form f;
    struct acct_out o;
    enum MHD_Result ret;
    CLIENT(r);

    if (!http_form(r, &f, &ret))
        return ret;
    o = acct_register(r->st, &cl, form_get(&f, "email"), form_get(&f, "username"),
                      form_get(&f, "password"), form_get(&f, "agree") != NULL, &s);
    logged(r, &o);
    if (o.rc == GZ_OK) {
        apply_session(r, &s);
        ret = redirect_after(r, "/account");
    } else {
        ret = register_page(r, &o, &f);
    }
    form_release(&f);
    return ret;
}

static enum MHD_Result phone_page(struct req *r, const struct acct_out *o, const char *phone,
                                  int sent)
{
    struct ui_field f[] = {
        FIELD("phone", "tel", MSG_PHONE_FIELD, "tel", phone, 1),
        FIELD("code", "text", MSG_CODE_FIELD, "one-time-code", NULL, 0),
        FIELD("agree", "checkbox", MSG_NONE, NULL, NULL, 1),
    };
    struct form_page p = { r->user_id ? MSG_BIND_PHONE : MSG_PHONE_SIGN_IN, MSG_NONE,
                           sent ? MSG_CODE_SENT : MSG_NONE, MSG_NONE,
                           sent ? "/phone/verify" : "/phone/send",
                           sent ? MSG_VERIFY : MSG_SEND_CODE, f,
                           r->user_id ? 2 : GZ_NELEM(f),
                           FORM_PHONE_NOTE | FORM_LINK_SIGN_IN, 0, sent ? "/phone/send" : NULL };
    struct acct_out none = ok_out();
    if (!o)
        o = &none;
    if (!sent)
        p.n_fields = 1; /* the number first; the code field comes with the code */
    blame(r, f, GZ_NELEM(f), o, &p.error);
    if (o->retry_after > 0 && (o->rc == GZ_ELIMIT || sent))
        p.code_wait = (int)o->retry_after;
    return show_form(r, http_status(o->rc), &p);
}

static enum MHD_Result post_phone_send(struct req *r)
{
    struct form f;
    struct acct_out o;
    enum MHD_Result ret;
    CLIENT(r);

    if (!http_form(r, &f, &ret))
        return ret;
    o = acct_phone_send(r->st, &cl, r->app->site_name, form_get(&f, "phone"));
    logged(r, &o);
    ret = phone_page(r, &o, form_get(&f, "phone"), o.rc == GZ_OK);
    form_release(&f);
    return ret;
}

static enum MHD_Result post_phone_verify(struct req *r)
{
    struct acct_session s;
    struct form f;
    struct acct_out o;
    enum MHD_Result ret;
    CLIENT(r);
    int was_signed_in = r->user_id > 0;

    if (!http_form(r, &f, &ret))
        return ret;
    o = acct_phone_verify(r->st, &cl, r->user_id, form_get(&f, "phone"), form_get(&f, "code"),
                          form_get(&f, "agree") != NULL, &s);
    logged(r, &o);
    if (o.rc == GZ_OK) {
        if (!was_signed_in)
            apply_session(r, &s);
        ret = redirect_after(r, o.needs_bind ? "/bind" : "/account");
    } else {
        ret = phone_page(r, &o, form_get(&f, "phone"), 1);
    }
    form_release(&f);
    return ret;
}

static enum MHD_Result bind_page(struct req *r, const struct acct_out *o, const char *email)
{
    struct ui_field f[] = {
        FIELD("email", "email", MSG_EMAIL_FIELD, "email", email, 1),
        FIELD("password", "password", MSG_PASSWORD_FIELD, "current-password", NULL, 1),
    };
    struct form_page p = { MSG_BIND_TITLE, MSG_BIND_TEXT, MSG_NONE, MSG_NONE, "/bind", MSG_BIND,
                           f, GZ_NELEM(f), 0, 0, NULL };
    struct acct_out none = ok_out();
    blame(r, f, GZ_NELEM(f), o ? o : &none, &p.error);
    return show_form(r, o ? http_status(o->rc) : 200, &p);
}

static enum MHD_Result post_bind(struct req *r)
{
    struct acct_session s;
    struct form f;
    struct acct_out o;
    enum MHD_Result ret;
    CLIENT(r);

    if (!r->user_id)
        return redirect_after(r, "/login");
    if (!http_form(r, &f, &ret))
        return ret;
    o = acct_bind(r->st, &cl, r->user_id, form_get(&f, "email"), form_get(&f, "password"), &s);
    logged(r, &o);
    if (o.rc == GZ_OK) {
        if (s.user_id)
            apply_session(r, &s);
        ret = redirect_after(r, "/account");
    } else {
        ret = bind_page(r, &o, form_get(&f, "email"));
    }
    form_release(&f);
    return ret;
}

static enum MHD_Result unbind_page(struct req *r, const struct acct_out *o, int sent)
{
    struct ui_field f[] = { FIELD("code", "text", MSG_CODE_FIELD, "one-time-code", NULL, 1) };
    struct form_page p = { MSG_UNBIND_TITLE, MSG_UNBIND_INTRO, sent ? MSG_CODE_SENT : MSG_NONE,
                           MSG_NONE, sent ? "/account/phone/unbind" : "/account/phone/send",
                           sent ? MSG_UNBIND : MSG_SEND_CODE, f, sent ? 1 : 0, 0, 0,
                           sent ? "/account/phone/send" : NULL };
    struct acct_out none = ok_out();
    if (!o)
        o = &none;
    blame(r, f, GZ_NELEM(f), o, &p.error);
    if (o->retry_after > 0)
        p.code_wait = (int)o->retry_after;
    return show_form(r, http_status(o->rc), &p);
}

static enum MHD_Result post_unbind(struct req *r, int send)
{
    struct form f;
    struct acct_out o;
    enum MHD_Result ret;
    char phone[AUTH_PHONE_MAX];
    CLIENT(r);

    if (!r->user_id)
        return redirect_after(r, "/login");
    if (!http_form(r, &f, &ret))
        return ret;
    o = acct_bound_phone(r->st, r->user_id, phone);
    if (o.rc == GZ_OK && send) {
        o = acct_phone_send(r->st, &cl, r->app->site_name, phone);
        logged(r, &o);
        ret = unbind_page(r, &o, o.rc == GZ_OK);
    } else if (o.rc == GZ_OK) {
        o = acct_unbind_phone(r->st, &cl, r->user_id, form_get(&f, "code"));
        logged(r, &o);
        if (o.rc == GZ_OK) {
            ret = account_page(r, MSG_UNBOUND);
        } else {
            ret = unbind_page(r, &o, 1);
        }
    } else {
        ret = unbind_page(r, &o, 0);
    }
    form_release(&f);
    return ret;
}

static enum MHD_Result forgot_page(struct req *r, const struct acct_out *o, int sent)
{
    struct ui_field f[] = { FIELD("email", "email", MSG_EMAIL_FIELD, "email", NULL, 1) };
    struct form_page p = { MSG_RESET_TITLE, MSG_NONE, sent ? MSG_RESET_SENT : MSG_NONE, MSG_NONE,
                           "/forgot", MSG_RESET_SEND, f, GZ_NELEM(f), FORM_LINK_SIGN_IN, 0, NULL };
    struct acct_out none = ok_out();
    blame(r, f, GZ_NELEM(f), o ? o : &none, &p.error);
    return show_form(r, o ? http_status(o->rc) : 200, &p);
}

static enum MHD_Result reset_page(struct req *r, const struct acct_out *o, const char *token)
{
    struct ui_field f[] = {
        FIELD("token", "hidden", MSG_NONE, NULL, token ? token : "", 0),
        FIELD("password", "password", MSG_NEW_PASSWORD_FIELD, "new-password", NULL, 1),
    };
    struct form_page p = { MSG_RESET_TITLE, MSG_NONE, MSG_NONE, MSG_NONE, "/reset", MSG_SAVE, f,
                           GZ_NELEM(f), FORM_LINK_FORGOT, 0, NULL };
    struct acct_out none = ok_out();
    blame(r, f, GZ_NELEM(f), o ? o : &none, &p.error);
    return show_form(r, o ? http_status(o->rc) : 200, &p);
}

static enum MHD_Result account_page(struct req *r, enum msg notice)
{
    struct page_ctx c;
    struct section_list secs;
    struct session_list sl = { 0 };
    struct audit_list al = { 0 };
    struct err err = { 0 };
    struct user u;
    struct buf b;
    enum MHD_Result ret;
    int rc;

    if (!r->user_id)
        return redirect_after(r, "/login");
    if (r->st->ops->user_get(r->st, r->user_id, &u, &err) != GZ_OK) {
        log_error("account", "%s: %s", r->path, err.msg);
        return http_error(r, http_status(err.code));
    }
    rc = r->st->ops->session_list(r->st, r->user_id, r->sid_digest, clock_now(), &sl, &err);
    if (rc == GZ_OK)
        rc = r->st->ops->audit_list(r->st, r->user_id, 50, &al, &err);
    if (rc != GZ_OK) {
        log_error("account", "%s: %s", r->path, err.msg);
        session_list_release(&sl);
        user_release(&u);
        return http_error(r, http_status(err.code));
    }
    ctx_for(r, &c, &secs);
    buf_init(&b, 0);
    page_account(&b, &c, &u, &sl, &al, notice);
    ret = send_page(r, 200, &b, &c);
    section_list_release(&secs);
    session_list_release(&sl);
    audit_list_release(&al);
    user_release(&u);
    return ret;
}

static enum MHD_Result post_simple(struct req *r, const char *what)
{
    struct form f;
    struct acct_out o = ok_out();
    enum MHD_Result ret;
    CLIENT(r);

    if (!http_form(r, &f, &ret))
        return ret;
    if (strcmp(what, "logout") == 0 || strcmp(what, "logout-all") == 0) {
        o = sign_out(r, what[6] == '-');
    } else if (!r->user_id) {
        form_release(&f);
        return redirect_after(r, "/login");
    } else if (strcmp(what, "revoke") == 0) {
        const char *id = form_get(&f, "id");
        o = acct_revoke(r->st, &cl, r->user_id, id ? strtoll(id, NULL, 10) : 0);
    } else if (strcmp(what, "prefs") == 0) {
        const char *fs = form_get(&f, "fs"), *rate = form_get(&f, "rate");
        int fs_v = fs && fs[0] >= '1' && fs[0] <= '5' && !fs[1] ? fs[0] - '0' : 0;
        double rate_v = rate ? strtod(rate, NULL) : 0;
        if (!(rate_v >= 0.5 && rate_v <= 2.0))
            rate_v = 0;
        o = acct_prefs(r->st, r->user_id, fs_v, rate_v);
        if (o.rc == GZ_OK && fs_v)
            http_cookie_later(r, "gz_fs", fs, 31536000, 0);
        if (o.rc == GZ_OK && rate_v > 0) {
            char rs[16];
            snprintf(rs, sizeof rs, "%g", rate_v);
            http_cookie_later(r, "gz_rate", rs, 31536000, 0);
        }
    } else {
        form_release(&f);
        return http_error(r, 404);
    }
    form_release(&f);
    logged(r, &o);
    if (o.rc != GZ_OK && o.rc != GZ_EINVAL)
        return http_error(r, http_status(o.rc));
    return redirect_after(r, what[0] == 'l' ? "/" : "/account");
}

static enum MHD_Result outbox_page(struct req *r)
{
    struct page_ctx c;
    struct section_list secs;
    struct outbox_list l = { 0 };
    struct err err = { 0 };
    struct buf b;
    enum MHD_Result ret;

    if (!r->app->dev || !notify_outbox_only())
        return http_error(r, 404);
    if (r->st->ops->outbox_list(r->st, 100, &l, &err) != GZ_OK) {
        log_error("account", "%s: %s", r->path, err.msg);
        return http_error(r, http_status(err.code));
    }
    ctx_for(r, &c, &secs);
    buf_init(&b, 0);
    page_outbox(&b, &c, &l);
    ret = send_page(r, 200, &b, &c);
    section_list_release(&secs);
    outbox_list_release(&l);
    return ret;
}

static enum MHD_Result legal_page(struct req *r, int privacy)
{
    struct page_ctx c;
    struct section_list secs;
    struct buf b;
    enum MHD_Result ret;

    ctx_for(r, &c, &secs);
    buf_init(&b, 0);
    page_legal(&b, &c, privacy);
    ret = send_page(r, 200, &b, &c);
    section_list_release(&secs);
    return ret;
}

/* ---- JSON API ---- */

/* status 0: the one for o->rc. */
static enum MHD_Result api_reply_as(struct req *r, int status, const struct acct_out *o,
                                    json_t *extra)
{
    json_t *j = extra ? extra : json_object();
    char *text;
    struct MHD_Response *resp;
    enum MHD_Result ret;

    if (o->rc == GZ_OK) {
        json_object_set_new(j, "ok", json_true());
        if (o->user_id)
            json_object_set_new(j, "user_id", json_integer(o->user_id));
        if (o->needs_bind)
            json_object_set_new(j, "needs_bind", json_true());
    } else {
        json_t *e = json_object();
        json_object_set_new(e, "code", json_string(o->code ? o->code : "error"));
        if (o->field)
            json_object_set_new(e, "field", json_string(o->field));
        json_object_set_new(e, "message", json_string(msg(r->ui, o->error)));
        json_object_set_new(j, "error", e);
    }
    if (o->retry_after > 0)
        json_object_set_new(j, "retry_after", json_integer(o->retry_after));
    text = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!text) /* jansson refuses strings that are not UTF-8 */
        return http_text(r, 500, "cannot encode the answer\n");
    resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp)
        return MHD_NO;
    if ((o->rc == GZ_ELIMIT || o->rc == GZ_EBUSY) && o->retry_after > 0) {
        char ra[24];
        snprintf(ra, sizeof ra, "%lld", (long long)o->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    http_common_headers(r, resp);
    ret = MHD_queue_response(r->conn, (unsigned)(status ? status : http_status(o->rc)), resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result api_reply(struct req *r, const struct acct_out *o, json_t *extra)
{
    return api_reply_as(r, 0, o, extra);
}

static const char *jstr(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

static enum MHD_Result api(struct req *r, const char *what)
{
    json_error_t je;
    json_t *in;
    struct acct_out o;
    struct acct_session sess;
    enum MHD_Result ret;
    const char *ct = http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    CLIENT(r);

    if (strcmp(what, "me") == 0 && !r->is_post) {
        struct user u;
        struct err err = { 0 };
        json_t *j = json_object();
        if (!r->user_id || r->st->ops->user_get(r->st, r->user_id, &u, &err) != GZ_OK) {
            json_decref(j);
            o = refused(GZ_EAUTH, MSG_SIGN_IN, "not_signed_in");
            return api_reply(r, &o, NULL);
        }
        json_object_set_new(j, "email", u.email ? json_string(u.email) : json_null());
        json_object_set_new(j, "username", u.username ? json_string(u.username) : json_null());
        json_object_set_new(j, "phone", u.phone ? json_string(u.phone) : json_null());
        json_object_set_new(j, "font_size", u.font_size ? json_integer(u.font_size) : json_null());
        json_object_set_new(j, "rate", u.rate > 0 ? json_real(u.rate) : json_null());
        o = ok_out();
        o.user_id = u.id;
        user_release(&u);
        return api_reply(r, &o, j);
    }
    if (!r->is_post)
        return http_error(r, 405);
    /* JSON only, and the CSRF token in a header: a cross-site form cannot send either. */
    if (!ct || strncmp(ct, "application/json", 16) != 0) {
        o = refused(GZ_EINVAL, MSG_BAD_REQUEST, "json_required");
        return api_reply_as(r, 415, &o, NULL);
    }
    if (!http_csrf_ok(r, http_header(r, "X-CSRF-Token"))) {
        o = refused(GZ_EFORBIDDEN, MSG_BAD_REQUEST, "csrf");
        return api_reply(r, &o, NULL);
    }
    in = json_loadb(buf_cstr(&r->body), r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(in)) {
        json_decref(in);
        o = refused(GZ_EINVAL, MSG_BAD_REQUEST, "invalid_json");
        return api_reply(r, &o, NULL);
    }
    memset(&sess, 0, sizeof sess);
    if (strcmp(what, "login") == 0) {
        o = acct_login(r->st, &cl, jstr(in, "login"), jstr(in, "password"),
                       json_is_true(json_object_get(in, "remember")), &sess);
    } else if (strcmp(what, "register") == 0) {
        o = acct_register(r->st, &cl, jstr(in, "email"), jstr(in, "username"),
                          jstr(in, "password"), json_is_true(json_object_get(in, "agree")), &sess);
    } else if (strcmp(what, "logout") == 0) {
        o = sign_out(r, json_is_true(json_object_get(in, "everywhere")));
    } else if (strcmp(what, "phone/send") == 0) {
        o = acct_phone_send(r->st, &cl, r->app->site_name, jstr(in, "phone"));
    } else if (strcmp(what, "phone/verify") == 0) {
        o = acct_phone_verify(r->st, &cl, r->user_id, jstr(in, "phone"), jstr(in, "code"),
                              json_is_true(json_object_get(in, "agree")), &sess);
    } else if (strcmp(what, "bind") == 0) {
        o = acct_bind(r->st, &cl, r->user_id, jstr(in, "email"), jstr(in, "password"), &sess);
    } else if (strcmp(what, "password/forgot") == 0) {
        o = acct_forgot(r->st, &cl, r->app->site_name, r->app->base_url, jstr(in, "email"));
    } else if (strcmp(what, "password/reset") == 0) {
        o = acct_reset(r->st, &cl, jstr(in, "token"), jstr(in, "password"));
    } else {
        json_decref(in);
        return http_error(r, 404);
    }
    logged(r, &o);
    if (o.rc == GZ_OK)
        apply_session(r, &sess);
    json_decref(in);
    ret = api_reply(r, &o, NULL);
    return ret;
}

enum MHD_Result account_route(struct req *r, int *handled)
{
    const char *p = r->path;
    int post = r->is_post;

    *handled = 1;
    if (strncmp(p, "/api/v1/", 8) == 0)
        return api(r, p + 8);
    if (strcmp(p, "/login") == 0)
        return post ? post_login(r) : login_page(r, NULL, NULL, http_query(r, "back"));
    if (strcmp(p, "/register") == 0)
        return post ? post_register(r) : register_page(r, NULL, NULL);
    if (strcmp(p, "/logout") == 0 && post)
        return post_simple(r, "logout");
    if (strcmp(p, "/logout-all") == 0 && post)
        return post_simple(r, "logout-all");
    if (strcmp(p, "/phone") == 0 && !post)
        return phone_page(r, NULL, NULL, 0);
    if (strcmp(p, "/phone/send") == 0 && post)
        return post_phone_send(r);
    if (strcmp(p, "/phone/verify") == 0 && post)
        return post_phone_verify(r);
    if (strcmp(p, "/bind") == 0)
        return post ? post_bind(r) : (r->user_id ? bind_page(r, NULL, NULL) : redirect_after(r, "/login"));
    if (strcmp(p, "/forgot") == 0) {
        CLIENT(r);
        struct form f;
        struct acct_out o;
        enum MHD_Result ret;
        if (!post)
            return forgot_page(r, NULL, 0);
        if (!http_form(r, &f, &ret))
            return ret;
        o = acct_forgot(r->st, &cl, r->app->site_name, r->app->base_url, form_get(&f, "email"));
        logged(r, &o);
        ret = forgot_page(r, &o, o.rc == GZ_OK);
        form_release(&f);
        return ret;
    }
    if (strcmp(p, "/reset") == 0) {
        CLIENT(r);
        struct form f;
        struct acct_out o;
        enum MHD_Result ret;
        if (!post)
            return reset_page(r, NULL, http_query(r, "token"));
        if (!http_form(r, &f, &ret))
            return ret;
        o = acct_reset(r->st, &cl, form_get(&f, "token"), form_get(&f, "password"));
        logged(r, &o);
        ret = o.rc == GZ_OK ? redirect_after(r, "/login?reset=1")
                              : reset_page(r, &o, form_get(&f, "token"));
        form_release(&f);
        return ret;
    }
    if (strcmp(p, "/account") == 0 && !post)
        return account_page(r, MSG_NONE);
    if (strcmp(p, "/account/phone") == 0 && !post)
        return r->user_id ? unbind_page(r, NULL, 0) : redirect_after(r, "/login");
    if (strcmp(p, "/account/phone/send") == 0 && post)
        return post_unbind(r, 1);
    if (strcmp(p, "/account/phone/unbind") == 0 && post)
        return post_unbind(r, 0);
    if (strcmp(p, "/account/prefs") == 0 && post)
        return post_simple(r, "prefs");
    if (strcmp(p, "/account/sessions/revoke") == 0 && post)
        return post_simple(r, "revoke");
    if (strcmp(p, "/terms") == 0 && !post)
        return legal_page(r, 0);
    if (strcmp(p, "/privacy") == 0 && !post)
        return legal_page(r, 1);
    if (strcmp(p, "/dev/outbox") == 0 && !post)
        return outbox_page(r);
    *handled = 0;
    return MHD_NO;
}
