/*
 * account.c: reader accounts over HTML forms and /api/v1 JSON. Each flow is one function
 * returning an outcome; the HTML and JSON handlers only present it.
 * Parameters: sessions 12 h (renewed by a remember-me cookie of 30 days, split token:
 * selector + verifier, only a hash of the verifier stored, rotated on every use, a reused old
 * verifier revokes the whole series); reset links 30 min, single use; SMS codes 6 digits,
 * 5 min, 5 attempts, hashed; SMS sends per number and per client at most 1 a minute, 5 an
 * hour, 10 a day; sign-in failures per account and per client back off exponentially after 5
 * (2, 4, 8 s … up to 15 min) over a 15-minute window; registration at most 10 an hour per
 * client; reset requests at most 5 an hour per client.
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

#define SESSION_S (12 * 3600)
#define REMEMBER_S (30 * 86400)
#define RESET_S (30 * 60)
#define CODE_S (5 * 60)
#define CODE_ATTEMPTS 5
#define FAIL_WINDOW_S (15 * 60)

struct outcome {
    int status;       /* HTTP status: 200 ok */
    enum msg error;   /* MSG_NONE when ok */
    const char *field;/* the field at fault, or NULL */
    const char *code; /* machine-readable error code for the API */
    int64_t user_id;
    int64_t retry_after;
    int needs_bind;   /* a phone-only account was created or used */
};

static struct outcome ok_outcome(void)
{
    struct outcome o = { 200, MSG_NONE, NULL, NULL, 0, 0, 0 };
    return o;
}

static struct outcome fail(int status, enum msg m, const char *field, const char *code)
{
    struct outcome o = { status, m, field, code, 0, 0, 0 };
    return o;
}

static void audit(struct req *r, int64_t user_id, const char *event, const char *detail)
{
    struct err err = { 0 };
    if (r->st->ops->audit_add(r->st, user_id, clock_now(), event, r->ip, detail, &err) != GZ_OK)
        log_warn("account", "cannot write audit '%s': %s", event, err.msg);
}

static enum msg problem_msg(enum auth_problem p)
{
    switch (p) {
    case AUTH_PW_SHORT:
        return MSG_ERR_PW_SHORT;
    case AUTH_PW_LONG:
        return MSG_ERR_PW_LONG;
    case AUTH_PW_COMMON:
        return MSG_ERR_PW_COMMON;
    case AUTH_PW_LIKE_NAME:
        return MSG_ERR_PW_LIKE_NAME;
    case AUTH_EMAIL_BAD:
        return MSG_ERR_EMAIL;
    case AUTH_USERNAME_BAD:
        return MSG_ERR_USERNAME;
    case AUTH_PHONE_FOREIGN:
        return MSG_ERR_PHONE_FOREIGN;
    case AUTH_PHONE_BAD:
        return MSG_ERR_PHONE;
    case AUTH_OK:
        break;
    }
    return MSG_NONE;
}

/* ---- rate limits ---- */

/* Seconds to wait before key may try again, given recent failures (exponential back-off). */
static int64_t backoff_wait(struct req *r, const char *key)
{
    struct err err = { 0 };
    int64_t n = 0, last = 0, now = clock_now(), wait;

    if (r->st->ops->rate_count(r->st, key, now - FAIL_WINDOW_S, &n, &last, &err) != GZ_OK)
        return 0;
    wait = auth_backoff(n);
    return wait && last + wait > now ? last + wait - now : 0;
}

/* Events for key within the window, and when the oldest counted one leaves it. */
static int64_t count_since(struct req *r, const char *key, int64_t window, int64_t *last)
{
    struct err err = { 0 };
    int64_t n = 0;
    *last = 0;
    r->st->ops->rate_count(r->st, key, clock_now() - window, &n, last, &err);
    return n;
}

/* SMS limits per number and per client: 1 a minute, 5 an hour, 10 a day. Returns the wait. */
static int64_t sms_wait(struct req *r, const char *phone)
{
    static const struct {
        int64_t window, max;
    } lim[] = { { 60, 1 }, { 3600, 5 }, { 86400, 10 } };
    char key[2][96];
    int64_t wait = 0, now = clock_now();

    snprintf(key[0], sizeof key[0], "sms:%s", phone);
    snprintf(key[1], sizeof key[1], "sms-ip:%s", r->ip);
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < GZ_NELEM(lim); i++) {
            int64_t last, n = count_since(r, key[k], lim[i].window, &last);
            if (n >= lim[i].max) {
                /* Exactly when the window frees a slot is not tracked; the most recent
                 * send plus the window is a safe upper bound for the countdown. */
                int64_t w = last + lim[i].window - now;
                if (lim[i].window == 60 && w > wait)
                    wait = w;
                else if (w > wait)
                    wait = w;
            }
        }
    return wait;
}

/* ---- sessions ---- */

static void sign_in(struct req *r, int64_t user_id, int remember, const char *how)
{
    char tok[AUTH_TOKEN_LEN + 1];
    unsigned char d[AUTH_DIGEST_LEN];
    struct err err = { 0 };
    int64_t now = clock_now();
    const char *ua = http_header(r, MHD_HTTP_HEADER_USER_AGENT);
    char uab[160];
    char series[AUTH_TOKEN_LEN + 1] = "";

    snprintf(uab, sizeof uab, "%s", ua ? ua : "");
    if (remember) {
        char ver[AUTH_TOKEN_LEN + 1], cookie[2 * AUTH_TOKEN_LEN + 2];
        auth_token_new(series);
        auth_token_new(ver);
        auth_digest(ver, d);
        if (r->st->ops->remember_put(r->st, series, user_id, d, now, now + REMEMBER_S, uab,
                                     &err) == GZ_OK) {
            snprintf(cookie, sizeof cookie, "%s.%s", series, ver);
            http_cookie_later(r, "gz_rm", cookie, REMEMBER_S, 1);
        } else {
            series[0] = '\0';
        }
    }
    auth_token_new(tok);
    auth_digest(tok, d);
    if (r->st->ops->session_put(r->st, user_id, d, now, now + SESSION_S,
                                series[0] ? series : NULL, uab, r->ip, &err) != GZ_OK) {
        log_error("account", "cannot create session: %s", err.msg);
        return;
    }
    http_cookie_later(r, "gz_sid", tok, 0, 1);
    r->user_id = user_id;
    memcpy(r->sid_digest, d, sizeof d);
    audit(r, user_id, "sign-in", how);
    {
        /* The account's reading preferences follow the reader to this device. */
        struct user u;
        if (r->st->ops->user_get(r->st, user_id, &u, &err) == GZ_OK) {
            char v[16];
            if (u.font_size >= FS_MIN && u.font_size <= FS_MAX) {
                snprintf(v, sizeof v, "%d", u.font_size);
                http_cookie_later(r, "gz_fs", v, 31536000, 0);
            }
            if (u.rate > 0) {
                snprintf(v, sizeof v, "%g", u.rate);
                http_cookie_later(r, "gz_rate", v, 31536000, 0);
            }
            user_release(&u);
        }
    }
}

static void forget_cookies(struct req *r)
{
    http_cookie_later(r, "gz_sid", "", -1, 1);
    http_cookie_later(r, "gz_rm", "", -1, 1);
}

void account_identify(struct req *r)
{
    const char *sid = http_cookie(r, "gz_sid"), *rm = http_cookie(r, "gz_rm");
    struct err err = { 0 };
    int64_t now = clock_now(), uid = 0, sess = 0;

    if (sid && strlen(sid) == AUTH_TOKEN_LEN) {
        auth_digest(sid, r->sid_digest);
        if (r->st->ops->session_find(r->st, r->sid_digest, now, &uid, &sess, &err) == GZ_OK) {
            r->user_id = uid;
            r->session_id = sess;
        }
    }
    if (!r->user_id && rm && strlen(rm) == 2 * AUTH_TOKEN_LEN + 1 && rm[AUTH_TOKEN_LEN] == '.') {
        char sel[AUTH_TOKEN_LEN + 1];
        unsigned char want[AUTH_DIGEST_LEN], got[AUTH_DIGEST_LEN];
        int64_t expires = 0;

        memcpy(sel, rm, AUTH_TOKEN_LEN);
        sel[AUTH_TOKEN_LEN] = '\0';
        auth_digest(rm + AUTH_TOKEN_LEN + 1, got);
        if (r->st->ops->remember_get(r->st, sel, &uid, want, &expires, &err) == GZ_OK) {
            if (sodium_memcmp(want, got, sizeof want) != 0) {
                /* A verifier that was already rotated away: the cookie was copied. End the
                 * whole series and every session it created. */
                r->st->ops->remember_delete(r->st, sel, &err);
                r->st->ops->session_delete_series(r->st, sel, &err);
                audit(r, uid, "remember-me-reuse", "series revoked");
                forget_cookies(r);
            } else if (expires <= now) {
                r->st->ops->remember_delete(r->st, sel, &err);
                forget_cookies(r);
            } else {
                char ver[AUTH_TOKEN_LEN + 1], tok[AUTH_TOKEN_LEN + 1], cookie[2 * AUTH_TOKEN_LEN + 2];
                const char *ua = http_header(r, MHD_HTTP_HEADER_USER_AGENT);
                char uab[160];
                snprintf(uab, sizeof uab, "%s", ua ? ua : "");
                auth_token_new(ver);
                auth_digest(ver, got);
                if (r->st->ops->remember_rotate(r->st, sel, got, &err) == GZ_OK) {
                    snprintf(cookie, sizeof cookie, "%s.%s", sel, ver);
                    http_cookie_later(r, "gz_rm", cookie, REMEMBER_S, 1);
                    auth_token_new(tok);
                    auth_digest(tok, r->sid_digest);
                    if (r->st->ops->session_put(r->st, uid, r->sid_digest, now, now + SESSION_S,
                                                sel, uab, r->ip, &err) == GZ_OK) {
                        http_cookie_later(r, "gz_sid", tok, 0, 1);
                        r->user_id = uid;
                        audit(r, uid, "sign-in", "remember-me");
                    }
                }
            }
        }
    }
    if (r->user_id) {
        struct user u;
        if (r->st->ops->user_get(r->st, r->user_id, &u, &err) == GZ_OK) {
            if (u.font_size >= FS_MIN && u.font_size <= FS_MAX)
                r->fs = u.font_size;
            user_release(&u);
        } else {
            r->user_id = 0;
        }
    }
}

/* ---- flows ---- */

static struct outcome do_login(struct req *r, const char *login, const char *password)
{
    char key_user[160], key_ip[96];
    struct err err = { 0 };
    struct user u;
    int64_t wait, w2;
    int found;
    struct outcome o;

    if (!login || !*login || !password || !*password)
        return fail(400, MSG_ERR_LOGIN, "login", "invalid_credentials");
    snprintf(key_user, sizeof key_user, "login:%.120s", login);
    for (char *p = key_user; *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    snprintf(key_ip, sizeof key_ip, "login-ip:%s", r->ip);
    wait = backoff_wait(r, key_user);
    w2 = backoff_wait(r, key_ip);
    if (w2 > wait)
        wait = w2;
    if (wait > 0) {
        o = fail(429, MSG_ERR_THROTTLED, NULL, "throttled");
        o.retry_after = wait;
        return o;
    }
    found = r->st->ops->user_by_login(r->st, login, &u, &err) == GZ_OK;
    /* Verify against a dummy hash when there is no such account, so that timing does not
     * tell which accounts exist. */
    if (!auth_password_verify(found ? u.pw_hash : NULL, password)) {
        metrics_signin_failure();
        r->st->ops->rate_add(r->st, key_user, clock_now(), &err);
        r->st->ops->rate_add(r->st, key_ip, clock_now(), &err);
        if (found)
            audit(r, u.id, "sign-in-failed", "password");
        if (found)
            user_release(&u);
        return fail(401, MSG_ERR_LOGIN, "login", "invalid_credentials");
    }
    r->st->ops->rate_clear(r->st, key_user, &err);
    o = ok_outcome();
    o.user_id = u.id;
    user_release(&u);
    return o;
}

static struct outcome do_register(struct req *r, const char *email, const char *username,
                                  const char *password, int agree)
{
    char hash[AUTH_HASH_MAX], key[96];
    struct err err = { 0 };
    enum auth_problem p;
    int64_t id = 0, last;
    struct outcome o;

    if (!email || (p = auth_email_check(email)) != AUTH_OK)
        return fail(400, MSG_ERR_EMAIL, "email", "invalid_email");
    if (!username || (p = auth_username_check(username)) != AUTH_OK)
        return fail(400, MSG_ERR_USERNAME, "username", "invalid_username");
    if (!password)
        return fail(400, MSG_ERR_PW_SHORT, "password", "weak_password");
    p = auth_password_check(password, username, email);
    if (p != AUTH_OK)
        return fail(400, problem_msg(p), "password", "weak_password");
    if (!agree)
        return fail(400, MSG_ERR_AGREE, "agree", "agreement_required");
    snprintf(key, sizeof key, "register-ip:%s", r->ip);
    if (count_since(r, key, 3600, &last) >= 10) {
        o = fail(429, MSG_ERR_THROTTLED, NULL, "throttled");
        o.retry_after = last + 3600 - clock_now();
        return o;
    }
    r->st->ops->rate_add(r->st, key, clock_now(), &err);
    if (auth_password_hash(password, hash) != GZ_OK)
        return fail(500, MSG_SERVER_ERROR, NULL, "server_error");
    if (r->st->ops->user_create(r->st, email, username, hash, NULL, AGREEMENT_VERSION,
                                clock_now(), &id, &err) != GZ_OK) {
        if (err.code == GZ_ECONFLICT && strcmp(err.msg, "email") == 0)
            return fail(409, MSG_ERR_EMAIL_TAKEN, "email", "email_taken");
        if (err.code == GZ_ECONFLICT && strcmp(err.msg, "username") == 0)
            return fail(409, MSG_ERR_USERNAME_TAKEN, "username", "username_taken");
        log_error("account", "cannot create user: %s", err.msg);
        return fail(500, MSG_SERVER_ERROR, NULL, "server_error");
    }
    audit(r, id, "register", AGREEMENT_VERSION);
    o = ok_outcome();
    o.user_id = id;
    return o;
}

static struct outcome do_phone_send(struct req *r, const char *phone_in)
{
    char phone[AUTH_PHONE_MAX], code[7], text[160], key[96];
    unsigned char d[AUTH_DIGEST_LEN], buf[AUTH_PHONE_MAX + 8];
    struct err err = { 0 };
    enum auth_problem p = phone_in ? auth_phone_parse(phone_in, phone) : AUTH_PHONE_BAD;
    int64_t wait, now = clock_now();
    struct outcome o;

    if (p != AUTH_OK)
        return fail(400, problem_msg(p), "phone", p == AUTH_PHONE_FOREIGN ? "phone_not_mainland" : "invalid_phone");
    wait = sms_wait(r, phone);
    if (wait > 0) {
        o = fail(429, MSG_ERR_SMS_RATE, "phone", "sms_rate_limited");
        o.retry_after = wait;
        return o;
    }
    auth_code_new(code);
    /* The stored hash binds the code to the number. */
    snprintf((char *)buf, sizeof buf, "%s:%s", phone, code);
    auth_digest((const char *)buf, d);
    if (r->st->ops->sms_put(r->st, phone, d, now + CODE_S, &err) != GZ_OK)
        return fail(500, MSG_SERVER_ERROR, NULL, "server_error");
    snprintf(key, sizeof key, "sms:%s", phone);
    r->st->ops->rate_add(r->st, key, now, &err);
    snprintf(key, sizeof key, "sms-ip:%s", r->ip);
    r->st->ops->rate_add(r->st, key, now, &err);
    snprintf(text, sizeof text, "【%s】验证码 %s，5分钟内有效。Your code is %s (valid 5 minutes).",
             r->app->site_name, code, code);
    if (notify_sms(r->st, phone, text, now, &err) != GZ_OK) {
        log_error("account", "%s", err.msg);
        return fail(502, MSG_ERR_SEND, NULL, "send_failed");
    }
    o = ok_outcome();
    o.retry_after = 60;
    return o;
}

/* Check a code for a number: GZ_OK consumes it. */
static struct outcome check_code(struct req *r, const char *phone, const char *code)
{
    unsigned char want[AUTH_DIGEST_LEN], got[AUTH_DIGEST_LEN];
    char buf[AUTH_PHONE_MAX + 8];
    struct err err = { 0 };
    int64_t expires = 0, attempts = 0;

    if (!code || strlen(code) != 6 || strspn(code, "0123456789") != 6)
        return fail(400, MSG_ERR_CODE, "code", "invalid_code");
    if (r->st->ops->sms_get(r->st, phone, want, &expires, &attempts, &err) != GZ_OK ||
        expires <= clock_now())
        return fail(400, MSG_ERR_CODE, "code", "invalid_code");
    if (attempts >= CODE_ATTEMPTS)
        return fail(429, MSG_ERR_CODE_ATTEMPTS, "code", "too_many_attempts");
    r->st->ops->sms_attempt(r->st, phone, &err);
    snprintf(buf, sizeof buf, "%s:%s", phone, code);
    auth_digest(buf, got);
    if (sodium_memcmp(want, got, sizeof want) != 0)
        return fail(400, attempts + 1 >= CODE_ATTEMPTS ? MSG_ERR_CODE_ATTEMPTS : MSG_ERR_CODE,
                    "code", "invalid_code");
    r->st->ops->sms_delete(r->st, phone, &err);
    return ok_outcome();
}

static struct outcome do_phone_verify(struct req *r, const char *phone_in, const char *code,
                                      int agree)
{
    char phone[AUTH_PHONE_MAX];
    struct err err = { 0 };
    enum auth_problem p = phone_in ? auth_phone_parse(phone_in, phone) : AUTH_PHONE_BAD;
    struct outcome o;
    struct user u;

    if (p != AUTH_OK)
        return fail(400, problem_msg(p), "phone", p == AUTH_PHONE_FOREIGN ? "phone_not_mainland" : "invalid_phone");
    /* A new account needs the agreement; signing in to an existing one does not. */
    if (!r->user_id && !agree) {
        if (r->st->ops->user_by_phone(r->st, phone, &u, &err) != GZ_OK)
            return fail(400, MSG_ERR_AGREE, "agree", "agreement_required");
        user_release(&u);
    }
    o = check_code(r, phone, code);
    if (o.status != 200)
        return o;
    if (r->st->ops->user_by_phone(r->st, phone, &u, &err) == GZ_OK) {
        if (r->user_id && u.id != r->user_id) {
            user_release(&u);
            return fail(409, MSG_ERR_PHONE_TAKEN, "phone", "phone_taken");
        }
        o.user_id = u.id;
        o.needs_bind = !u.email;
        user_release(&u);
        return o;
    }
    if (r->user_id) { /* bind the number to the signed-in account */
        if (r->st->ops->user_get(r->st, r->user_id, &u, &err) != GZ_OK)
            return fail(500, MSG_SERVER_ERROR, NULL, "server_error");
        free(u.phone);
        u.phone = xstrdup(phone);
        if (r->st->ops->user_update(r->st, &u, &err) != GZ_OK) {
            user_release(&u);
            return fail(409, MSG_ERR_PHONE_TAKEN, "phone", "phone_taken");
        }
        audit(r, u.id, "phone-bound", phone);
        o.user_id = u.id;
        user_release(&u);
        return o;
    }
    if (r->st->ops->user_create(r->st, NULL, NULL, NULL, phone, AGREEMENT_VERSION, clock_now(),
                                &o.user_id, &err) != GZ_OK)
        return fail(409, MSG_ERR_PHONE_TAKEN, "phone", "phone_taken");
    audit(r, o.user_id, "register", "phone");
    o.needs_bind = 1;
    return o;
}

/* A phone-only account gives itself an e-mail and password, or merges into the existing
 * account that owns the e-mail once that account's password is verified. */
static struct outcome do_bind(struct req *r, const char *email, const char *password)
{
    struct err err = { 0 };
    struct user me, other;
    struct outcome o = ok_outcome();
    char hash[AUTH_HASH_MAX];
    enum auth_problem p;

    if (!r->user_id)
        return fail(401, MSG_SIGN_IN, NULL, "not_signed_in");
    if (!email || auth_email_check(email) != AUTH_OK)
        return fail(400, MSG_ERR_EMAIL, "email", "invalid_email");
    if (!password || !*password)
        return fail(400, MSG_ERR_PW_SHORT, "password", "weak_password");
    if (r->st->ops->user_get(r->st, r->user_id, &me, &err) != GZ_OK)
        return fail(500, MSG_SERVER_ERROR, NULL, "server_error");
    if (me.email) {
        user_release(&me);
        return fail(409, MSG_ERR_EMAIL_TAKEN, "email", "already_bound");
    }
    if (r->st->ops->user_by_login(r->st, email, &other, &err) == GZ_OK) {
        if (!other.pw_hash || !auth_password_verify(other.pw_hash, password)) {
            audit(r, other.id, "bind-failed", "password");
            user_release(&other);
            user_release(&me);
            return fail(401, MSG_ERR_LOGIN, "password", "invalid_credentials");
        }
        if (other.phone && me.phone && strcmp(other.phone, me.phone) != 0) {
            user_release(&other);
            user_release(&me);
            return fail(409, MSG_ERR_PHONE_TAKEN, "phone", "phone_taken");
        }
        /* Merge: the phone moves to the e-mail account; the phone-only one goes. */
        free(other.phone);
        other.phone = me.phone ? xstrdup(me.phone) : NULL;
        r->st->ops->session_delete_user(r->st, me.id, &err);
        r->st->ops->user_delete(r->st, me.id, &err);
        if (r->st->ops->user_update(r->st, &other, &err) != GZ_OK) {
            user_release(&other);
            user_release(&me);
            return fail(500, MSG_SERVER_ERROR, NULL, "server_error");
        }
        audit(r, other.id, "phone-merged", other.phone ? other.phone : "");
        o.user_id = other.id;
        user_release(&other);
        user_release(&me);
        return o;
    }
    p = auth_password_check(password, NULL, email);
    if (p != AUTH_OK) {
        user_release(&me);
        return fail(400, problem_msg(p), "password", "weak_password");
    }
    if (auth_password_hash(password, hash) != GZ_OK) {
        user_release(&me);
        return fail(500, MSG_SERVER_ERROR, NULL, "server_error");
    }
    me.email = xstrdup(email);
    free(me.pw_hash);
    me.pw_hash = xstrdup(hash);
    if (r->st->ops->user_update(r->st, &me, &err) != GZ_OK) {
        user_release(&me);
        return fail(409, MSG_ERR_EMAIL_TAKEN, "email", "email_taken");
    }
    audit(r, me.id, "email-bound", email);
    o.user_id = me.id;
    user_release(&me);
    return o;
}

static struct outcome do_forgot(struct req *r, const char *email)
{
    struct err err = { 0 };
    struct user u;
    char key[96], tok[AUTH_TOKEN_LEN + 1];
    unsigned char d[AUTH_DIGEST_LEN];
    int64_t last;
    struct buf body;

    if (!email || auth_email_check(email) != AUTH_OK)
        return fail(400, MSG_ERR_EMAIL, "email", "invalid_email");
    snprintf(key, sizeof key, "forgot-ip:%s", r->ip);
    if (count_since(r, key, 3600, &last) >= 5) {
        struct outcome o = fail(429, MSG_ERR_THROTTLED, NULL, "throttled");
        o.retry_after = last + 3600 - clock_now();
        return o;
    }
    r->st->ops->rate_add(r->st, key, clock_now(), &err);
    /* The same answer whether or not the account exists. */
    if (r->st->ops->user_by_login(r->st, email, &u, &err) != GZ_OK || !u.email ||
        strcasecmp(u.email, email) != 0) {
        if (u.id)
            user_release(&u);
        return ok_outcome();
    }
    auth_token_new(tok);
    auth_digest(tok, d);
    if (r->st->ops->reset_put(r->st, d, u.id, clock_now() + RESET_S, &err) == GZ_OK) {
        buf_init(&body, 0);
        buf_printf(&body,
                   "有人（希望是您）请求重设 %s 账户的密码。30分钟内打开以下链接即可设置新密码（仅可使用一次）：\n"
                   "Someone (we hope you) asked to reset the password of your %s account. Open "
                   "this link within 30 minutes to choose a new one (it works once):\n\n"
                   "%s/reset?token=%s\n\n如果不是您本人操作，请忽略此邮件。If it was not you, "
                   "ignore this message.\n",
                   r->app->site_name, r->app->site_name, r->app->base_url, tok);
        if (notify_mail(r->st, u.email, "Reset your password / 重设密码", buf_cstr(&body),
                        clock_now(), &err) != GZ_OK)
            log_error("account", "%s", err.msg);
        buf_release(&body);
        audit(r, u.id, "reset-requested", "");
    }
    user_release(&u);
    return ok_outcome();
}

static struct outcome do_reset(struct req *r, const char *token, const char *password)
{
    struct err err = { 0 };
    unsigned char d[AUTH_DIGEST_LEN];
    int64_t uid = 0;
    struct user u;
    char hash[AUTH_HASH_MAX];
    enum auth_problem p;
    struct outcome o;

    if (!token || strlen(token) != AUTH_TOKEN_LEN)
        return fail(400, MSG_ERR_RESET, "token", "invalid_token");
    if (!password)
        return fail(400, MSG_ERR_PW_SHORT, "password", "weak_password");
    p = auth_password_check(password, NULL, NULL);
    if (p != AUTH_OK)
        return fail(400, problem_msg(p), "password", "weak_password");
    auth_digest(token, d);
    if (r->st->ops->reset_take(r->st, d, clock_now(), &uid, &err) != GZ_OK)
        return fail(400, MSG_ERR_RESET, "token", "invalid_token");
    if (r->st->ops->user_get(r->st, uid, &u, &err) != GZ_OK ||
        auth_password_hash(password, hash) != GZ_OK)
        return fail(500, MSG_SERVER_ERROR, NULL, "server_error");
    free(u.pw_hash);
    u.pw_hash = xstrdup(hash);
    r->st->ops->user_update(r->st, &u, &err);
    /* A new password ends every session and remembered device. */
    r->st->ops->session_delete_user(r->st, uid, &err);
    r->st->ops->remember_delete_user(r->st, uid, &err);
    audit(r, uid, "password-reset", "");
    user_release(&u);
    o = ok_outcome();
    o.user_id = uid;
    return o;
}

static void sign_out(struct req *r, int everywhere)
{
    struct err err = { 0 };
    const char *rm = http_cookie(r, "gz_rm");

    if (r->user_id && everywhere) {
        r->st->ops->session_delete_user(r->st, r->user_id, &err);
        r->st->ops->remember_delete_user(r->st, r->user_id, &err);
        audit(r, r->user_id, "sign-out", "everywhere");
    } else if (r->user_id) {
        r->st->ops->session_delete(r->st, r->sid_digest, &err);
        if (rm && strlen(rm) > AUTH_TOKEN_LEN) {
            char sel[AUTH_TOKEN_LEN + 1];
            memcpy(sel, rm, AUTH_TOKEN_LEN);
            sel[AUTH_TOKEN_LEN] = '\0';
            r->st->ops->remember_delete(r->st, sel, &err);
        }
        audit(r, r->user_id, "sign-out", "");
    }
    forget_cookies(r);
    r->user_id = 0;
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
    struct err err = { 0 };
    memset(c, 0, sizeof *c);
    memset(secs, 0, sizeof *secs);
    r->st->ops->sections(r->st, secs, &err);
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
static void blame(struct req *r, struct ui_field *f, size_t n, const struct outcome *o,
                  enum msg *form_error)
{
    *form_error = MSG_NONE;
    if (o->status == 429)
        r->retry_after = o->retry_after;
    if (o->status == 200)
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

static enum MHD_Result login_page(struct req *r, const struct outcome *o, const char *login,
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
    struct outcome none = ok_outcome();
    if (!o)
        o = &none;
    blame(r, f, GZ_NELEM(f), o, &p.error);
    if (o->status != 200 && o->status != 429) {
        f[0].error = MSG_NONE; /* one generic message, not a hint about which part was wrong */
        p.error = MSG_ERR_LOGIN;
    }
    return show_form(r, o->status, &p);
}

static enum MHD_Result post_login(struct req *r)
{
    struct form f;
    struct outcome o;
    enum MHD_Result ret;

    if (!http_form(r, &f, &ret))
        return ret;
    o = do_login(r, form_get(&f, "login"), form_get(&f, "password"));
    if (o.status == 200) {
        sign_in(r, o.user_id, form_get(&f, "remember") != NULL, "password");
        ret = redirect_after(r, form_get(&f, "back"));
    } else {
        ret = login_page(r, &o, form_get(&f, "login"), form_get(&f, "back"));
    }
    form_release(&f);
    return ret;
}

static enum MHD_Result register_page(struct req *r, const struct outcome *o, struct form *in)
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
    struct outcome none = ok_outcome();
    blame(r, f, GZ_NELEM(f), o ? o : &none, &p.error);
    return show_form(r, o ? o->status : 200, &p);
}

static enum MHD_Result post_register(struct req *r)
{
    struct form f;
    struct outcome o;
    enum MHD_Result ret;

    if (!http_form(r, &f, &ret))
        return ret;
    o = do_register(r, form_get(&f, "email"), form_get(&f, "username"), form_get(&f, "password"),
                    form_get(&f, "agree") != NULL);
    if (o.status == 200) {
        sign_in(r, o.user_id, 1, "register");
        ret = redirect_after(r, "/account");
    } else {
        ret = register_page(r, &o, &f);
    }
    form_release(&f);
    return ret;
}

static enum MHD_Result phone_page(struct req *r, const struct outcome *o, const char *phone,
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
    struct outcome none = ok_outcome();
    if (!o)
        o = &none;
    if (!sent)
        p.n_fields = 1; /* the number first; the code field comes with the code */
    blame(r, f, GZ_NELEM(f), o, &p.error);
    if (o->retry_after > 0 && (o->status == 429 || sent))
        p.code_wait = (int)o->retry_after;
    return show_form(r, o->status, &p);
}

static enum MHD_Result post_phone_send(struct req *r)
{
    struct form f;
    struct outcome o;
    enum MHD_Result ret;

    if (!http_form(r, &f, &ret))
        return ret;
    o = do_phone_send(r, form_get(&f, "phone"));
    ret = phone_page(r, &o, form_get(&f, "phone"), o.status == 200);
    form_release(&f);
    return ret;
}

static enum MHD_Result post_phone_verify(struct req *r)
{
    struct form f;
    struct outcome o;
    enum MHD_Result ret;
    int was_signed_in = r->user_id > 0;

    if (!http_form(r, &f, &ret))
        return ret;
    o = do_phone_verify(r, form_get(&f, "phone"), form_get(&f, "code"),
                        form_get(&f, "agree") != NULL);
    if (o.status == 200) {
        if (!was_signed_in)
            sign_in(r, o.user_id, 1, "phone");
        ret = redirect_after(r, o.needs_bind ? "/bind" : "/account");
    } else {
        ret = phone_page(r, &o, form_get(&f, "phone"), 1);
    }
    form_release(&f);
    return ret;
}

static enum MHD_Result bind_page(struct req *r, const struct outcome *o, const char *email)
{
    struct ui_field f[] = {
        FIELD("email", "email", MSG_EMAIL_FIELD, "email", email, 1),
        FIELD("password", "password", MSG_PASSWORD_FIELD, "current-password", NULL, 1),
    };
    struct form_page p = { MSG_BIND_TITLE, MSG_BIND_TEXT, MSG_NONE, MSG_NONE, "/bind", MSG_BIND,
                           f, GZ_NELEM(f), 0, 0, NULL };
    struct outcome none = ok_outcome();
    blame(r, f, GZ_NELEM(f), o ? o : &none, &p.error);
    return show_form(r, o ? o->status : 200, &p);
}

static enum MHD_Result post_bind(struct req *r)
{
    struct form f;
    struct outcome o;
    enum MHD_Result ret;

    if (!r->user_id)
        return redirect_after(r, "/login");
    if (!http_form(r, &f, &ret))
        return ret;
    o = do_bind(r, form_get(&f, "email"), form_get(&f, "password"));
    if (o.status == 200) {
        if (o.user_id != r->user_id)
            sign_in(r, o.user_id, 1, "bind");
        ret = redirect_after(r, "/account");
    } else {
        ret = bind_page(r, &o, form_get(&f, "email"));
    }
    form_release(&f);
    return ret;
}

static enum MHD_Result unbind_page(struct req *r, const struct outcome *o, int sent)
{
    struct ui_field f[] = { FIELD("code", "text", MSG_CODE_FIELD, "one-time-code", NULL, 1) };
    struct form_page p = { MSG_UNBIND_TITLE, MSG_UNBIND_INTRO, sent ? MSG_CODE_SENT : MSG_NONE,
                           MSG_NONE, sent ? "/account/phone/unbind" : "/account/phone/send",
                           sent ? MSG_UNBIND : MSG_SEND_CODE, f, sent ? 1 : 0, 0, 0,
                           sent ? "/account/phone/send" : NULL };
    struct outcome none = ok_outcome();
    if (!o)
        o = &none;
    blame(r, f, GZ_NELEM(f), o, &p.error);
    if (o->retry_after > 0)
        p.code_wait = (int)o->retry_after;
    return show_form(r, o->status, &p);
}

/* The bound number of the signed-in reader, or an outcome saying why there is none to unbind. */
static struct outcome bound_phone(struct req *r, char phone[AUTH_PHONE_MAX])
{
    struct err err = { 0 };
    struct user u;
    struct outcome o = ok_outcome();

    if (r->st->ops->user_get(r->st, r->user_id, &u, &err) != GZ_OK)
        return fail(500, MSG_SERVER_ERROR, NULL, "server_error");
    if (!u.phone)
        o = fail(400, MSG_ERR_PHONE, NULL, "no_phone");
    else if (!u.email || !u.pw_hash)
        o = fail(409, MSG_ERR_UNBIND_LAST, NULL, "last_sign_in_method");
    else
        snprintf(phone, AUTH_PHONE_MAX, "%s", u.phone);
    user_release(&u);
    return o;
}

static enum MHD_Result post_unbind(struct req *r, int send)
{
    struct form f;
    struct outcome o;
    enum MHD_Result ret;
    char phone[AUTH_PHONE_MAX];

    if (!r->user_id)
        return redirect_after(r, "/login");
    if (!http_form(r, &f, &ret))
        return ret;
    o = bound_phone(r, phone);
    if (o.status == 200 && send) {
        o = do_phone_send(r, phone);
        ret = unbind_page(r, &o, o.status == 200);
    } else if (o.status == 200) {
        o = check_code(r, phone, form_get(&f, "code"));
        if (o.status == 200) {
            struct err err = { 0 };
            struct user u;
            if (r->st->ops->user_get(r->st, r->user_id, &u, &err) == GZ_OK) {
                free(u.phone);
                u.phone = NULL;
                r->st->ops->user_update(r->st, &u, &err);
                user_release(&u);
                audit(r, r->user_id, "phone-unbound", phone);
            }
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

static enum MHD_Result forgot_page(struct req *r, const struct outcome *o, int sent)
{
    struct ui_field f[] = { FIELD("email", "email", MSG_EMAIL_FIELD, "email", NULL, 1) };
    struct form_page p = { MSG_RESET_TITLE, MSG_NONE, sent ? MSG_RESET_SENT : MSG_NONE, MSG_NONE,
                           "/forgot", MSG_RESET_SEND, f, GZ_NELEM(f), FORM_LINK_SIGN_IN, 0, NULL };
    struct outcome none = ok_outcome();
    blame(r, f, GZ_NELEM(f), o ? o : &none, &p.error);
    return show_form(r, o ? o->status : 200, &p);
}

static enum MHD_Result reset_page(struct req *r, const struct outcome *o, const char *token)
{
    struct ui_field f[] = {
        FIELD("token", "hidden", MSG_NONE, NULL, token ? token : "", 0),
        FIELD("password", "password", MSG_NEW_PASSWORD_FIELD, "new-password", NULL, 1),
    };
    struct form_page p = { MSG_RESET_TITLE, MSG_NONE, MSG_NONE, MSG_NONE, "/reset", MSG_SAVE, f,
                           GZ_NELEM(f), FORM_LINK_FORGOT, 0, NULL };
    struct outcome none = ok_outcome();
    blame(r, f, GZ_NELEM(f), o ? o : &none, &p.error);
    return show_form(r, o ? o->status : 200, &p);
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

    if (!r->user_id)
        return redirect_after(r, "/login");
    if (r->st->ops->user_get(r->st, r->user_id, &u, &err) != GZ_OK)
        return http_error(r, 500);
    r->st->ops->session_list(r->st, r->user_id, r->sid_digest, clock_now(), &sl, &err);
    r->st->ops->audit_list(r->st, r->user_id, 50, &al, &err);
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
    struct err err = { 0 };
    enum MHD_Result ret;

    if (!http_form(r, &f, &ret))
        return ret;
    if (strcmp(what, "logout") == 0 || strcmp(what, "logout-all") == 0) {
        sign_out(r, what[6] == '-');
        ret = redirect_after(r, "/");
    } else if (!r->user_id) {
        ret = redirect_after(r, "/login");
    } else if (strcmp(what, "revoke") == 0) {
        const char *id = form_get(&f, "id");
        int64_t sid = id ? strtoll(id, NULL, 10) : 0;
        if (sid > 0 && r->st->ops->session_delete_id(r->st, r->user_id, sid, &err) == GZ_OK)
            audit(r, r->user_id, "session-revoked", id);
        ret = redirect_after(r, "/account");
    } else if (strcmp(what, "prefs") == 0) {
        struct user u;
        const char *fs = form_get(&f, "fs"), *rate = form_get(&f, "rate");
        if (r->st->ops->user_get(r->st, r->user_id, &u, &err) != GZ_OK) {
            form_release(&f);
            return http_error(r, 500);
        }
        if (fs && fs[0] >= '1' && fs[0] <= '5' && !fs[1]) {
            u.font_size = fs[0] - '0';
            http_cookie_later(r, "gz_fs", fs, 31536000, 0);
        }
        if (rate) {
            double v = strtod(rate, NULL);
            if (v >= 0.5 && v <= 2.0) {
                char rs[16];
                u.rate = v;
                snprintf(rs, sizeof rs, "%g", v);
                http_cookie_later(r, "gz_rate", rs, 31536000, 0);
            }
        }
        r->st->ops->user_update(r->st, &u, &err);
        user_release(&u);
        ret = redirect_after(r, "/account");
    } else {
        ret = http_error(r, 404);
    }
    form_release(&f);
    return ret;
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
    r->st->ops->outbox_list(r->st, 100, &l, &err);
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

static enum MHD_Result api_reply(struct req *r, const struct outcome *o, json_t *extra)
{
    json_t *j = extra ? extra : json_object();
    char *text;
    struct MHD_Response *resp;
    enum MHD_Result ret;

    if (o->status == 200) {
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
    resp = MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!resp)
        return MHD_NO;
    if (o->status == 429 && o->retry_after > 0) {
        char ra[24];
        snprintf(ra, sizeof ra, "%lld", (long long)o->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, ra);
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    http_common_headers(r, resp);
    ret = MHD_queue_response(r->conn, (unsigned)o->status, resp);
    MHD_destroy_response(resp);
    return ret;
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
    struct outcome o;
    enum MHD_Result ret;
    const char *ct = http_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);

    if (strcmp(what, "me") == 0 && !r->is_post) {
        struct user u;
        struct err err = { 0 };
        json_t *j = json_object();
        if (!r->user_id || r->st->ops->user_get(r->st, r->user_id, &u, &err) != GZ_OK) {
            json_decref(j);
            o = fail(401, MSG_SIGN_IN, NULL, "not_signed_in");
            return api_reply(r, &o, NULL);
        }
        json_object_set_new(j, "email", u.email ? json_string(u.email) : json_null());
        json_object_set_new(j, "username", u.username ? json_string(u.username) : json_null());
        json_object_set_new(j, "phone", u.phone ? json_string(u.phone) : json_null());
        json_object_set_new(j, "font_size", u.font_size ? json_integer(u.font_size) : json_null());
        json_object_set_new(j, "rate", u.rate > 0 ? json_real(u.rate) : json_null());
        o = ok_outcome();
        o.user_id = u.id;
        user_release(&u);
        return api_reply(r, &o, j);
    }
    if (!r->is_post)
        return http_error(r, 405);
    /* JSON only, and the CSRF token in a header: a cross-site form cannot send either. */
    if (!ct || strncmp(ct, "application/json", 16) != 0) {
        o = fail(415, MSG_BAD_REQUEST, NULL, "json_required");
        return api_reply(r, &o, NULL);
    }
    if (!http_csrf_ok(r, http_header(r, "X-CSRF-Token"))) {
        o = fail(403, MSG_BAD_REQUEST, NULL, "csrf");
        return api_reply(r, &o, NULL);
    }
    in = json_loadb(buf_cstr(&r->body), r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!json_is_object(in)) {
        json_decref(in);
        o = fail(400, MSG_BAD_REQUEST, NULL, "invalid_json");
        return api_reply(r, &o, NULL);
    }
    if (strcmp(what, "login") == 0) {
        o = do_login(r, jstr(in, "login"), jstr(in, "password"));
        if (o.status == 200)
            sign_in(r, o.user_id, json_is_true(json_object_get(in, "remember")), "password");
    } else if (strcmp(what, "register") == 0) {
        o = do_register(r, jstr(in, "email"), jstr(in, "username"), jstr(in, "password"),
                        json_is_true(json_object_get(in, "agree")));
        if (o.status == 200)
            sign_in(r, o.user_id, 1, "register");
    } else if (strcmp(what, "logout") == 0) {
        sign_out(r, json_is_true(json_object_get(in, "everywhere")));
        o = ok_outcome();
    } else if (strcmp(what, "phone/send") == 0) {
        o = do_phone_send(r, jstr(in, "phone"));
    } else if (strcmp(what, "phone/verify") == 0) {
        int was = r->user_id > 0;
        o = do_phone_verify(r, jstr(in, "phone"), jstr(in, "code"),
                            json_is_true(json_object_get(in, "agree")));
        if (o.status == 200 && !was)
            sign_in(r, o.user_id, 1, "phone");
    } else if (strcmp(what, "bind") == 0) {
        int64_t before = r->user_id;
        o = do_bind(r, jstr(in, "email"), jstr(in, "password"));
        if (o.status == 200 && o.user_id != before)
            sign_in(r, o.user_id, 1, "bind");
    } else if (strcmp(what, "password/forgot") == 0) {
        o = do_forgot(r, jstr(in, "email"));
    } else if (strcmp(what, "password/reset") == 0) {
        o = do_reset(r, jstr(in, "token"), jstr(in, "password"));
    } else {
        json_decref(in);
        return http_error(r, 404);
    }
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
        struct form f;
        struct outcome o;
        enum MHD_Result ret;
        if (!post)
            return forgot_page(r, NULL, 0);
        if (!http_form(r, &f, &ret))
            return ret;
        o = do_forgot(r, form_get(&f, "email"));
        ret = forgot_page(r, &o, o.status == 200);
        form_release(&f);
        return ret;
    }
    if (strcmp(p, "/reset") == 0) {
        struct form f;
        struct outcome o;
        enum MHD_Result ret;
        if (!post)
            return reset_page(r, NULL, http_query(r, "token"));
        if (!http_form(r, &f, &ret))
            return ret;
        o = do_reset(r, form_get(&f, "token"), form_get(&f, "password"));
        ret = o.status == 200 ? redirect_after(r, "/login?reset=1")
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
