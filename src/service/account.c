/*
 * account.c: reader account flows, each in one store transaction (see account.h).
 * Shape of every flow: check the input (no store), do the slow work that needs no lock
 * (password hashing), then tx_begin, reads and writes, tx_commit, and only then anything
 * that leaves the process (mail, SMS). Any failure rolls the whole flow back; a throttling
 * record that must survive a refused attempt is committed as that flow's outcome.
 */
#include "service/account.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/buf.h"
#include "core/clock.h"
#include "core/metrics.h"
#include "notify/notify.h"

#define RESET_S                   (30 * 60)
#define CODE_S                    (5 * 60)
#define CODE_ATTEMPTS             5
#define FAIL_WINDOW_S             (15 * 60)
#define ACCOUNT_FAILS_BEFORE_WAIT 10 /* account-wide failures in the window before any wait */
#define VERIFY_FAILS_PER_CLIENT   10 /* wrong codes per client in the window before back-off */

static struct acct_out ok_out(void)
{
    struct acct_out o;
    memset(&o, 0, sizeof o);
    return o;
}

static struct acct_out fail(int rc, enum msg m, const char *field, const char *code)
{
    struct acct_out o = ok_out();
    o.rc = rc;
    o.error = m;
    o.field = field;
    o.code = code;
    return o;
}

/* A store failure: full disk and busy database get their own message and code. */
static struct acct_out store_fail(const struct err *e)
{
    struct acct_out o;
    int rc = e->code < 0 ? e->code : GZ_EDB;

    if (rc == GZ_EFULL)
        o = fail(rc, MSG_ERR_DISK_FULL, NULL, "disk_full");
    else if (rc == GZ_EBUSY)
        o = fail(rc, MSG_ERR_BUSY, NULL, "busy");
    else
        o = fail(GZ_EDB, MSG_SERVER_ERROR, NULL, "server_error");
    if (rc == GZ_EBUSY)
        o.retry_after = 1; /* another writer held the lock for the whole busy timeout */
    o.err = *e;
    return o;
}

static struct acct_out throttled(int64_t wait)
{
    struct acct_out o = fail(GZ_ELIMIT, MSG_ERR_THROTTLED, NULL, "throttled");
    o.retry_after = wait > 0 ? wait : 1;
    return o;
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

/* Open the flow's transaction; on failure *o holds the answer. */
static int begin(struct store *st, struct acct_out *o)
{
    struct err err = { 0 };
    if (st->ops->tx_begin(st, &err) != GZ_OK) {
        *o = store_fail(&err);
        return 0;
    }
    return 1;
}

/* Commit when o is a success or a refusal whose records must stay (committed = 1), else roll
 * back. A failed commit turns o into that failure: nothing the flow did is stored. */
static struct acct_out end(struct store *st, struct acct_out o, int keep)
{
    struct err err = { 0 };

    if (o.rc != GZ_OK && !keep) {
        store_rollback(st);
        return o;
    }
    if (st->ops->tx_commit(st, &err) != GZ_OK)
        return store_fail(&err);
    return o;
}

static int audit(struct store *st, const struct acct_client *cl, int64_t uid, const char *event,
                 const char *detail, struct err *err)
{
    return st->ops->audit_add(st, uid, clock_now(), event, cl->ip, detail, err);
}

/* ---- rate limits (inside the flow's transaction) ---- */

/* Failures of key in the window. OUT: *n, *last. */
static int count_since(struct store *st, const char *key, int64_t window, int64_t *n, int64_t *last,
                       struct err *err)
{
    *n = 0;
    *last = 0;
    return st->ops->rate_count(st, key, clock_now() - window, n, last, err);
}

/* Seconds key must still wait given recent failures (exponential back-off). */
static int backoff_wait(struct store *st, const char *key, int64_t *wait, struct err *err)
{
    int64_t n, last, now = clock_now(), w;
    int rc = count_since(st, key, FAIL_WINDOW_S, &n, &last, err);

    *wait = 0;
    if (rc != GZ_OK)
        return rc;
    w = auth_backoff(n);
    *wait = w && last + w > now ? last + w - now : 0;
    return GZ_OK;
}

/* The account-wide wait: after ACCOUNT_FAILS_BEFORE_WAIT failures from anywhere, at most
 * ACCT_ACCOUNT_WAIT_MAX_S after the last one. Capped so that failures sent on purpose can
 * slow an owner down by seconds but never lock them out. */
static int account_wait(struct store *st, const char *key, int64_t *wait, struct err *err)
{
    int64_t n, last, now = clock_now();
    int rc = count_since(st, key, FAIL_WINDOW_S, &n, &last, err);

    *wait = 0;
    if (rc == GZ_OK && n >= ACCOUNT_FAILS_BEFORE_WAIT && last + ACCT_ACCOUNT_WAIT_MAX_S > now)
        *wait = last + ACCT_ACCOUNT_WAIT_MAX_S - now;
    return rc;
}

static void lower(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z')
            *s = (char)(*s - 'A' + 'a');
}

/* The keys sign-in failures count under: per account and client, per account, per client. */
struct login_keys {
    char acct_ip[240], acct[160], ip[96];
};

static void login_keys(struct login_keys *k, const char *login, const char *ip)
{
    snprintf(k->acct, sizeof k->acct, "login:%.120s", login);
    lower(k->acct);
    snprintf(k->acct_ip, sizeof k->acct_ip, "%s|%.64s", k->acct, ip);
    snprintf(k->ip, sizeof k->ip, "login-ip:%.64s", ip);
}

/* The longest of the three waits. */
static int login_wait(struct store *st, const struct login_keys *k, int64_t *wait, struct err *err)
{
    int64_t w;
    int rc = backoff_wait(st, k->acct_ip, wait, err);
    if (rc == GZ_OK)
        rc = backoff_wait(st, k->ip, &w, err);
    if (rc == GZ_OK && w > *wait)
        *wait = w;
    if (rc == GZ_OK)
        rc = account_wait(st, k->acct, &w, err);
    if (rc == GZ_OK && w > *wait)
        *wait = w;
    return rc;
}

static int login_failed(struct store *st, const struct login_keys *k, struct err *err)
{
    int64_t now = clock_now();
    int rc = st->ops->rate_add(st, k->acct_ip, now, err);
    if (rc == GZ_OK)
        rc = st->ops->rate_add(st, k->acct, now, err);
    if (rc == GZ_OK)
        rc = st->ops->rate_add(st, k->ip, now, err);
    return rc;
}

/* SMS limits per number and per client: 1 a minute, 5 an hour, 10 a day. OUT: *wait. */
static int sms_wait(struct store *st, const char *ip, const char *phone, int64_t *wait,
                    struct err *err)
{
    static const struct {
        int64_t window, max;
    } lim[] = { { 60, 1 }, { 3600, 5 }, { 86400, 10 } };
    char key[2][96];
    int64_t now = clock_now();

    *wait = 0;
    snprintf(key[0], sizeof key[0], "sms:%s", phone);
    snprintf(key[1], sizeof key[1], "sms-ip:%.64s", ip);
    for (int k = 0; k < 2; k++)
        for (size_t i = 0; i < GZ_NELEM(lim); i++) {
            int64_t n, last;
            int rc = count_since(st, key[k], lim[i].window, &n, &last, err);
            if (rc != GZ_OK)
                return rc;
            /* When the window frees a slot is not tracked; the most recent send plus the
             * window is a safe upper bound for the countdown. */
            if (n >= lim[i].max && last + lim[i].window - now > *wait)
                *wait = last + lim[i].window - now;
        }
    return GZ_OK;
}

/* ---- sessions ---- */

/* Create a session (and with remember a remember-me series) for uid. */
static int session_new(struct store *st, const struct acct_client *cl, int64_t uid, int remember,
                       const char *how, struct acct_session *sess, struct err *err)
{
    unsigned char d[AUTH_DIGEST_LEN];
    char series[AUTH_TOKEN_LEN + 1] = "", ver[AUTH_TOKEN_LEN + 1];
    int64_t now = clock_now();
    struct user u;
    int rc = GZ_OK;

    memset(sess, 0, sizeof *sess);
    if (remember) {
        auth_token_new(series);
        auth_token_new(ver);
        auth_digest(ver, d);
        rc = st->ops->remember_put(st, series, uid, d, now, now + ACCT_REMEMBER_S, cl->ua, err);
        if (rc != GZ_OK)
            return rc;
        snprintf(sess->remember, sizeof sess->remember, "%s.%s", series, ver);
    }
    auth_token_new(sess->sid);
    auth_digest(sess->sid, sess->sid_digest);
    rc = st->ops->session_put(st, uid, sess->sid_digest, now, now + ACCT_SESSION_S,
                              series[0] ? series : NULL, cl->ua, cl->ip, err);
    if (rc == GZ_OK)
        rc = audit(st, cl, uid, "sign-in", how, err);
    /* The account's reading preferences follow the reader to this device. */
    if (rc == GZ_OK)
        rc = st->ops->user_get(st, uid, &u, err);
    if (rc != GZ_OK) {
        memset(sess, 0, sizeof *sess);
        return rc;
    }
    sess->user_id = uid;
    if (u.font_size >= FS_MIN && u.font_size <= FS_MAX)
        sess->font_size = u.font_size;
    sess->rate = u.rate > 0 ? u.rate : 0;
    user_release(&u);
    return GZ_OK;
}

struct acct_out acct_login(struct store *st, const struct acct_client *cl, const char *login,
                           const char *password, int remember, struct acct_session *sess)
{
    struct login_keys k;
    struct err err = { 0 };
    struct user u;
    int64_t wait = 0;
    int found, rc;
    char hash[AUTH_HASH_MAX] = "";
    struct acct_out o;

    memset(sess, 0, sizeof *sess);
    if (!login || !*login || !password || !*password)
        return fail(GZ_EINVAL, MSG_ERR_LOGIN, "login", "invalid_credentials");
    login_keys(&k, login, cl->ip);
    /* Read (no lock held while the password hash is checked), then write in one transaction. */
    rc = login_wait(st, &k, &wait, &err);
    if (rc != GZ_OK)
        return store_fail(&err);
    if (wait > 0)
        return throttled(wait);
    rc = st->ops->user_by_login(st, login, &u, &err);
    if (rc != GZ_OK && rc != GZ_ENOTFOUND)
        return store_fail(&err);
    found = rc == GZ_OK;
    if (found && u.pw_hash)
        snprintf(hash, sizeof hash, "%s", u.pw_hash);
    /* Verify against a dummy hash when there is no such account, so that timing does not
     * tell which accounts exist. */
    if (!auth_password_verify(found && hash[0] ? hash : NULL, password)) {
        metrics_signin_failure();
        if (!begin(st, &o)) {
            if (found)
                user_release(&u);
            return o;
        }
        rc = login_failed(st, &k, &err);
        if (rc == GZ_OK && found)
            rc = audit(st, cl, u.id, "sign-in-failed", "password", &err);
        if (found)
            user_release(&u);
        o = rc == GZ_OK ? fail(GZ_EAUTH, MSG_ERR_LOGIN, "login", "invalid_credentials")
                        : store_fail(&err);
        return end(st, o, rc == GZ_OK);
    }
    if (!begin(st, &o)) {
        user_release(&u);
        return o;
    }
    rc = st->ops->rate_clear(st, k.acct_ip, &err);
    if (rc == GZ_OK)
        rc = session_new(st, cl, u.id, remember, "password", sess, &err);
    o = rc == GZ_OK ? ok_out() : store_fail(&err);
    o.user_id = rc == GZ_OK ? u.id : 0;
    user_release(&u);
    o = end(st, o, 0);
    if (o.rc != GZ_OK)
        memset(sess, 0, sizeof *sess);
    return o;
}

struct acct_out acct_register(struct store *st, const struct acct_client *cl, const char *email,
                              const char *username, const char *password, int agree,
                              struct acct_session *sess)
{
    char hash[AUTH_HASH_MAX], key[96];
    struct err err = { 0 };
    enum auth_problem p;
    int64_t id = 0, n, last;
    struct acct_out o;
    int rc;

    memset(sess, 0, sizeof *sess);
    if (!email || auth_email_check(email) != AUTH_OK)
        return fail(GZ_EINVAL, MSG_ERR_EMAIL, "email", "invalid_email");
    if (!username || auth_username_check(username) != AUTH_OK)
        return fail(GZ_EINVAL, MSG_ERR_USERNAME, "username", "invalid_username");
    if (!password)
        return fail(GZ_EINVAL, MSG_ERR_PW_SHORT, "password", "weak_password");
    p = auth_password_check(password, username, email);
    if (p != AUTH_OK)
        return fail(GZ_EINVAL, problem_msg(p), "password", "weak_password");
    if (!agree)
        return fail(GZ_EINVAL, MSG_ERR_AGREE, "agree", "agreement_required");
    snprintf(key, sizeof key, "register-ip:%.64s", cl->ip);
    if (count_since(st, key, 3600, &n, &last, &err) != GZ_OK)
        return store_fail(&err);
    if (n >= 10)
        return throttled(last + 3600 - clock_now());
    if (auth_password_hash(password, hash) != GZ_OK)
        return fail(GZ_EDB, MSG_SERVER_ERROR, NULL, "server_error");
    if (!begin(st, &o))
        return o;
    rc = st->ops->rate_add(st, key, clock_now(), &err);
    if (rc == GZ_OK)
        rc = st->ops->user_create(st, email, username, hash, NULL, AGREEMENT_VERSION, clock_now(),
                                  &id, &err);
    if (rc == GZ_ECONFLICT && strcmp(err.msg, "email") == 0)
        o = fail(GZ_ECONFLICT, MSG_ERR_EMAIL_TAKEN, "email", "email_taken");
    else if (rc == GZ_ECONFLICT && strcmp(err.msg, "username") == 0)
        o = fail(GZ_ECONFLICT, MSG_ERR_USERNAME_TAKEN, "username", "username_taken");
    else if (rc == GZ_OK &&
             (rc = audit(st, cl, id, "register", AGREEMENT_VERSION, &err)) == GZ_OK &&
             (rc = session_new(st, cl, id, 1, "register", sess, &err)) == GZ_OK)
        o = ok_out();
    else
        o = store_fail(&err);
    o.user_id = o.rc == GZ_OK ? id : 0;
    o = end(st, o, 0);
    if (o.rc != GZ_OK) {
        memset(sess, 0, sizeof *sess);
        o.user_id = 0;
    }
    return o;
}

struct acct_out acct_phone_send(struct store *st, const struct acct_client *cl, const char *site,
                                const char *phone_in)
{
    char phone[AUTH_PHONE_MAX], code[7], text[200], key[96], salted[AUTH_PHONE_MAX + 8];
    unsigned char d[AUTH_DIGEST_LEN];
    struct err err = { 0 };
    enum auth_problem p = phone_in ? auth_phone_parse(phone_in, phone) : AUTH_PHONE_BAD;
    int64_t wait = 0, now = clock_now();
    struct acct_out o;
    int rc;

    if (p != AUTH_OK)
        return fail(GZ_EINVAL, problem_msg(p), "phone",
                    p == AUTH_PHONE_FOREIGN ? "phone_not_mainland" : "invalid_phone");
    if (!begin(st, &o))
        return o;
    rc = sms_wait(st, cl->ip, phone, &wait, &err);
    if (rc != GZ_OK)
        return end(st, store_fail(&err), 0);
    if (wait > 0) {
        o = fail(GZ_ELIMIT, MSG_ERR_SMS_RATE, "phone", "sms_rate_limited");
        o.retry_after = wait;
        return end(st, o, 0);
    }
    auth_code_new(code);
    /* The stored hash binds the code to the number. */
    snprintf(salted, sizeof salted, "%s:%s", phone, code);
    auth_digest(salted, d);
    rc = st->ops->sms_put(st, phone, d, now + CODE_S, &err);
    snprintf(key, sizeof key, "sms:%s", phone);
    if (rc == GZ_OK)
        rc = st->ops->rate_add(st, key, now, &err);
    snprintf(key, sizeof key, "sms-ip:%.64s", cl->ip);
    if (rc == GZ_OK)
        rc = st->ops->rate_add(st, key, now, &err);
    o = end(st, rc == GZ_OK ? ok_out() : store_fail(&err), 0);
    if (o.rc != GZ_OK)
        return o;
    /* Sent only once the code is stored: a reader never gets a code that cannot work. */
    snprintf(text, sizeof text, "【%s】验证码 %s，5分钟内有效。Your code is %s (valid 5 minutes).",
             site, code, code);
    if (notify_sms(st, phone, text, now, &err) != GZ_OK) {
        o = fail(GZ_ESEND, MSG_ERR_SEND, NULL, "send_failed");
        o.err = err;
        return o;
    }
    o.retry_after = 60;
    return o;
}

/* Check a code for a number inside the caller's transaction. GZ_OK: right (consume: also
 * deleted). Otherwise *o holds the refusal; keep_o says the attempt count must be committed. */
static int check_code(struct store *st, const struct acct_client *cl, const char *phone,
                      const char *code, int consume, struct acct_out *o)
{
    unsigned char want[AUTH_DIGEST_LEN], got[AUTH_DIGEST_LEN];
    char salted[AUTH_PHONE_MAX + 8], key[96];
    struct err err = { 0 };
    int64_t expires = 0, attempts = 0, n, last;
    int rc;

    snprintf(key, sizeof key, "verify-ip:%.64s", cl->ip);
    rc = count_since(st, key, FAIL_WINDOW_S, &n, &last, &err);
    if (rc != GZ_OK) {
        *o = store_fail(&err);
        return rc;
    }
    if (n >= VERIFY_FAILS_PER_CLIENT) {
        int64_t w = auth_backoff(n - VERIFY_FAILS_PER_CLIENT + 5);
        if (last + w > clock_now()) {
            *o = throttled(last + w - clock_now());
            return GZ_ELIMIT;
        }
    }
    if (!code || strlen(code) != 6 || strspn(code, "0123456789") != 6) {
        *o = fail(GZ_EINVAL, MSG_ERR_CODE, "code", "invalid_code");
        return GZ_EINVAL;
    }
    rc = st->ops->sms_get(st, phone, want, &expires, &attempts, &err);
    if (rc != GZ_OK && rc != GZ_ENOTFOUND) {
        *o = store_fail(&err);
        return rc;
    }
    if (rc == GZ_ENOTFOUND || expires <= clock_now()) {
        /* Counted like a wrong code, so that guessing numbers costs the same. */
        rc = st->ops->rate_add(st, key, clock_now(), &err);
        *o = rc == GZ_OK ? fail(GZ_EINVAL, MSG_ERR_CODE, "code", "invalid_code") : store_fail(&err);
        return GZ_EINVAL;
    }
    if (attempts >= CODE_ATTEMPTS) {
        *o = fail(GZ_ELIMIT, MSG_ERR_CODE_ATTEMPTS, "code", "too_many_attempts");
        return GZ_ELIMIT;
    }
    snprintf(salted, sizeof salted, "%s:%s", phone, code);
    auth_digest(salted, got);
    if (sodium_memcmp(want, got, sizeof want) != 0) {
        rc = st->ops->sms_attempt(st, phone, &err);
        if (rc == GZ_OK)
            rc = st->ops->rate_add(st, key, clock_now(), &err);
        *o = rc == GZ_OK
                     ? fail(GZ_EINVAL,
                            attempts + 1 >= CODE_ATTEMPTS ? MSG_ERR_CODE_ATTEMPTS : MSG_ERR_CODE,
                            "code", "invalid_code")
                     : store_fail(&err);
        return GZ_EINVAL;
    }
    if (consume) {
        rc = st->ops->sms_delete(st, phone, &err);
        if (rc != GZ_OK) {
            *o = store_fail(&err);
            return rc;
        }
    }
    return GZ_OK;
}

struct acct_out acct_phone_verify(struct store *st, const struct acct_client *cl, int64_t uid,
                                  const char *phone_in, const char *code, int agree,
                                  struct acct_session *sess)
{
    char phone[AUTH_PHONE_MAX];
    struct err err = { 0 };
    enum auth_problem p = phone_in ? auth_phone_parse(phone_in, phone) : AUTH_PHONE_BAD;
    struct acct_out o = ok_out();
    struct user u;
    int rc, found;

    memset(sess, 0, sizeof *sess);
    if (p != AUTH_OK)
        return fail(GZ_EINVAL, problem_msg(p), "phone",
                    p == AUTH_PHONE_FOREIGN ? "phone_not_mainland" : "invalid_phone");
    if (!begin(st, &o))
        return o;
    rc = st->ops->user_by_phone(st, phone, &u, &err);
    if (rc != GZ_OK && rc != GZ_ENOTFOUND)
        return end(st, store_fail(&err), 0);
    found = rc == GZ_OK;
    /* The code first, for every number: what follows (agreement needed or not) must not tell
     * a registered number from another to someone who does not hold the phone. The code is
     * consumed only once the flow can finish. */
    rc = check_code(st, cl, phone, code, found || uid > 0 || agree, &o);
    if (rc != GZ_OK) {
        if (found)
            user_release(&u);
        return end(st, o, o.rc == GZ_EINVAL || o.rc == GZ_ELIMIT);
    }
    if (found) {
        if (uid > 0 && u.id != uid) {
            user_release(&u);
            return end(st, fail(GZ_ECONFLICT, MSG_ERR_PHONE_TAKEN, "phone", "phone_taken"), 0);
        }
        o.user_id = u.id;
        o.needs_bind = !u.email;
        user_release(&u);
        rc = uid > 0 ? GZ_OK : session_new(st, cl, o.user_id, 1, "phone", sess, &err);
    } else if (uid > 0) { /* bind the number to the signed-in account */
        rc = st->ops->user_get(st, uid, &u, &err);
        if (rc != GZ_OK)
            return end(st, store_fail(&err), 0);
        free(u.phone);
        u.phone = xstrdup(phone);
        rc = st->ops->user_update(st, &u, &err);
        if (rc == GZ_ECONFLICT) {
            user_release(&u);
            return end(st, fail(GZ_ECONFLICT, MSG_ERR_PHONE_TAKEN, "phone", "phone_taken"), 0);
        }
        if (rc == GZ_OK)
            rc = audit(st, cl, uid, "phone-bound", phone, &err);
        o.user_id = uid;
        user_release(&u);
    } else if (!agree) {
        /* A right code for a new number: the agreement is needed, and the code stays good
         * for the second try. */
        return end(st, fail(GZ_EINVAL, MSG_ERR_AGREE, "agree", "agreement_required"), 0);
    } else {
        rc = st->ops->user_create(st, NULL, NULL, NULL, phone, AGREEMENT_VERSION, clock_now(),
                                  &o.user_id, &err);
        if (rc == GZ_ECONFLICT)
            return end(st, fail(GZ_ECONFLICT, MSG_ERR_PHONE_TAKEN, "phone", "phone_taken"), 0);
        if (rc == GZ_OK)
            rc = audit(st, cl, o.user_id, "register", "phone", &err);
        if (rc == GZ_OK)
            rc = session_new(st, cl, o.user_id, 1, "phone", sess, &err);
        o.needs_bind = 1;
    }
    if (rc != GZ_OK)
        o = store_fail(&err);
    o = end(st, o, 0);
    if (o.rc != GZ_OK)
        memset(sess, 0, sizeof *sess);
    return o;
}

struct acct_out acct_bind(struct store *st, const struct acct_client *cl, int64_t uid,
                          const char *email, const char *password, struct acct_session *sess)
{
    struct err err = { 0 };
    struct user me, other;
    struct acct_out o = ok_out();
    struct login_keys k;
    char hash[AUTH_HASH_MAX], other_hash[AUTH_HASH_MAX] = "";
    enum auth_problem p;
    int64_t wait = 0, other_id = 0;
    int rc, exists;

    memset(sess, 0, sizeof *sess);
    if (uid <= 0)
        return fail(GZ_EAUTH, MSG_SIGN_IN, NULL, "not_signed_in");
    if (!email || auth_email_check(email) != AUTH_OK)
        return fail(GZ_EINVAL, MSG_ERR_EMAIL, "email", "invalid_email");
    if (!password || !*password)
        return fail(GZ_EINVAL, MSG_ERR_PW_SHORT, "password", "weak_password");
    /* The policy applies whether or not the e-mail has an account, so that a weak guess does
     * not tell which (a merge target's password passed the same rules). */
    p = auth_password_check(password, NULL, email);
    if (p != AUTH_OK)
        return fail(GZ_EINVAL, problem_msg(p), "password", "weak_password");
    /* Password guesses here are sign-in attempts on that account: the same back-off. */
    login_keys(&k, email, cl->ip);
    if (login_wait(st, &k, &wait, &err) != GZ_OK)
        return store_fail(&err);
    if (wait > 0)
        return throttled(wait);
    rc = st->ops->user_by_login(st, email, &other, &err);
    if (rc != GZ_OK && rc != GZ_ENOTFOUND)
        return store_fail(&err);
    exists = rc == GZ_OK;
    if (exists) {
        other_id = other.id;
        if (other.pw_hash)
            snprintf(other_hash, sizeof other_hash, "%s", other.pw_hash);
        user_release(&other);
    }
    /* Slow work before the lock, one Argon2 run either way so the time taken does not tell
     * whether the e-mail has an account: verify it against that account's hash (a dummy one
     * when it has none), or hash the password a new binding gets. */
    if (exists && !auth_password_verify(other_hash[0] ? other_hash : NULL, password)) {
        if (!begin(st, &o))
            return o;
        rc = login_failed(st, &k, &err);
        if (rc == GZ_OK)
            rc = audit(st, cl, other_id, "bind-failed", "password", &err);
        o = rc == GZ_OK ? fail(GZ_EAUTH, MSG_ERR_LOGIN, "password", "invalid_credentials")
                        : store_fail(&err);
        return end(st, o, rc == GZ_OK);
    }
    if (!exists && auth_password_hash(password, hash) != GZ_OK)
        return fail(GZ_EDB, MSG_SERVER_ERROR, NULL, "server_error");
    if (!begin(st, &o))
        return o;
    rc = st->ops->user_get(st, uid, &me, &err);
    if (rc != GZ_OK)
        return end(st,
                   rc == GZ_ENOTFOUND ? fail(GZ_EAUTH, MSG_SIGN_IN, NULL, "not_signed_in")
                                      : store_fail(&err),
                   0);
    if (me.email) {
        user_release(&me);
        return end(st, fail(GZ_ECONFLICT, MSG_ERR_EMAIL_TAKEN, "email", "already_bound"), 0);
    }
    if (exists) {
        rc = st->ops->user_get(st, other_id, &other, &err);
        if (rc == GZ_OK && other.phone && me.phone && strcmp(other.phone, me.phone) != 0) {
            user_release(&other);
            user_release(&me);
            return end(st, fail(GZ_ECONFLICT, MSG_ERR_PHONE_TAKEN, "phone", "phone_taken"), 0);
        }
        /* Merge: the phone moves to the e-mail account; the phone-only one goes, with its
         * sessions. All in this transaction: never both accounts half-changed. */
        if (rc == GZ_OK) {
            free(other.phone);
            other.phone = me.phone ? xstrdup(me.phone) : NULL;
            rc = st->ops->session_delete_user(st, me.id, &err);
            if (rc == GZ_OK)
                rc = st->ops->remember_delete_user(st, me.id, &err);
            if (rc == GZ_OK)
                rc = st->ops->user_delete(st, me.id, &err);
            if (rc == GZ_OK)
                rc = st->ops->user_update(st, &other, &err);
            if (rc == GZ_OK)
                rc = st->ops->rate_clear(st, k.acct_ip, &err);
            if (rc == GZ_OK)
                rc = audit(st, cl, other.id, "phone-merged", other.phone ? other.phone : "", &err);
            if (rc == GZ_OK)
                rc = session_new(st, cl, other.id, 1, "bind", sess, &err);
            o.user_id = other.id;
            user_release(&other);
        }
        user_release(&me);
    } else {
        me.email = xstrdup(email);
        free(me.pw_hash);
        me.pw_hash = xstrdup(hash);
        rc = st->ops->user_update(st, &me, &err);
        if (rc == GZ_ECONFLICT) {
            user_release(&me);
            return end(st, fail(GZ_ECONFLICT, MSG_ERR_EMAIL_TAKEN, "email", "email_taken"), 0);
        }
        if (rc == GZ_OK)
            rc = audit(st, cl, me.id, "email-bound", email, &err);
        o.user_id = me.id;
        user_release(&me);
    }
    if (rc != GZ_OK)
        o = store_fail(&err);
    o = end(st, o, 0);
    if (o.rc != GZ_OK)
        memset(sess, 0, sizeof *sess);
    return o;
}

struct acct_out acct_forgot(struct store *st, const struct acct_client *cl, const char *site,
                            const char *base_url, const char *email)
{
    struct err err = { 0 };
    struct user u;
    char key_ip[96], key_acct[160], tok[AUTH_TOKEN_LEN + 1], to[256];
    unsigned char d[AUTH_DIGEST_LEN];
    int64_t n, last, uid = 0;
    struct acct_out o;
    struct buf body;
    int rc;

    if (!email || auth_email_check(email) != AUTH_OK)
        return fail(GZ_EINVAL, MSG_ERR_EMAIL, "email", "invalid_email");
    snprintf(key_ip, sizeof key_ip, "forgot-ip:%.64s", cl->ip);
    snprintf(key_acct, sizeof key_acct, "forgot:%.120s", email);
    lower(key_acct);
    if (!begin(st, &o))
        return o;
    rc = count_since(st, key_ip, 3600, &n, &last, &err);
    if (rc != GZ_OK)
        return end(st, store_fail(&err), 0);
    if (n >= 5)
        return end(st, throttled(last + 3600 - clock_now()), 0);
    rc = st->ops->rate_add(st, key_ip, clock_now(), &err);
    if (rc != GZ_OK)
        return end(st, store_fail(&err), 0);
    /* Per account too (3 an hour, from any client), with the same answer as a sent link, so
     * that neither the limit nor the answer tells whether the account exists. */
    rc = count_since(st, key_acct, 3600, &n, &last, &err);
    if (rc == GZ_OK && n >= 3)
        return end(st, ok_out(), 1);
    if (rc == GZ_OK)
        rc = st->ops->rate_add(st, key_acct, clock_now(), &err);
    if (rc == GZ_OK)
        rc = st->ops->user_by_login(st, email, &u, &err);
    if (rc == GZ_ENOTFOUND)
        return end(st, ok_out(), 1);
    if (rc != GZ_OK)
        return end(st, store_fail(&err), 0);
    if (u.email && strcasecmp(u.email, email) == 0) {
        uid = u.id;
        snprintf(to, sizeof to, "%s", u.email);
    }
    user_release(&u);
    if (!uid) /* matched a username: the same answer */
        return end(st, ok_out(), 1);
    auth_token_new(tok);
    auth_digest(tok, d);
    rc = st->ops->reset_put(st, d, uid, clock_now() + RESET_S, &err);
    if (rc == GZ_OK)
        rc = audit(st, cl, uid, "reset-requested", "", &err);
    o = end(st, rc == GZ_OK ? ok_out() : store_fail(&err), 0);
    if (o.rc != GZ_OK)
        return o;
    buf_init(&body, 0);
    buf_printf(
            &body,
            "有人（希望是您）请求重设 %s 账户的密码。30分钟内打开以下链接即可设置新密码（仅可使用一次）：\n"
            "Someone (we hope you) asked to reset the password of your %s account. Open "
            "this link within 30 minutes to choose a new one (it works once):\n\n"
            "%s/reset?token=%s\n\n如果不是您本人操作，请忽略此邮件。If it was not you, "
            "ignore this message.\n",
            site, site, base_url, tok);
    /* The answer stays the same when the mail fails (the caller logs o.err). */
    if (notify_mail(st, to, "Reset your password / 重设密码", buf_cstr(&body), clock_now(), &err) !=
        GZ_OK)
        o.err = err;
    buf_release(&body);
    return o;
}

struct acct_out acct_reset(struct store *st, const struct acct_client *cl, const char *token,
                           const char *password)
{
    struct err err = { 0 };
    unsigned char d[AUTH_DIGEST_LEN];
    int64_t uid = 0;
    struct user u;
    char hash[AUTH_HASH_MAX];
    enum auth_problem p;
    struct acct_out o;
    int rc;

    if (!token || strlen(token) != AUTH_TOKEN_LEN)
        return fail(GZ_EINVAL, MSG_ERR_RESET, "token", "invalid_token");
    if (!password)
        return fail(GZ_EINVAL, MSG_ERR_PW_SHORT, "password", "weak_password");
    p = auth_password_check(password, NULL, NULL);
    if (p != AUTH_OK)
        return fail(GZ_EINVAL, problem_msg(p), "password", "weak_password");
    if (auth_password_hash(password, hash) != GZ_OK)
        return fail(GZ_EDB, MSG_SERVER_ERROR, NULL, "server_error");
    auth_digest(token, d);
    if (!begin(st, &o))
        return o;
    /* Spending the token, the new password and the end of every session are one change: a
     * failure leaves the token good and the old password in place. */
    rc = st->ops->reset_take(st, d, clock_now(), &uid, &err);
    if (rc == GZ_ENOTFOUND)
        return end(st, fail(GZ_EINVAL, MSG_ERR_RESET, "token", "invalid_token"), 0);
    if (rc == GZ_OK)
        rc = st->ops->user_get(st, uid, &u, &err);
    if (rc == GZ_OK) {
        free(u.pw_hash);
        u.pw_hash = xstrdup(hash);
        rc = st->ops->user_update(st, &u, &err);
        user_release(&u);
    }
    if (rc == GZ_OK)
        rc = st->ops->session_delete_user(st, uid, &err);
    if (rc == GZ_OK)
        rc = st->ops->remember_delete_user(st, uid, &err);
    if (rc == GZ_OK)
        rc = audit(st, cl, uid, "password-reset", "", &err);
    o = rc == GZ_OK ? ok_out() : store_fail(&err);
    o.user_id = rc == GZ_OK ? uid : 0;
    return end(st, o, 0);
}

struct acct_out acct_sign_out(struct store *st, const struct acct_client *cl, int64_t uid,
                              const unsigned char *sid_digest, const char *selector, int everywhere)
{
    struct err err = { 0 };
    struct acct_out o;
    int rc = GZ_OK;

    if (uid <= 0)
        return ok_out();
    if (!begin(st, &o))
        return o;
    if (everywhere) {
        rc = st->ops->session_delete_user(st, uid, &err);
        if (rc == GZ_OK)
            rc = st->ops->remember_delete_user(st, uid, &err);
        if (rc == GZ_OK)
            rc = audit(st, cl, uid, "sign-out", "everywhere", &err);
    } else {
        rc = st->ops->session_delete(st, sid_digest, &err);
        if (rc == GZ_OK && selector)
            rc = st->ops->remember_delete(st, selector, &err);
        if (rc == GZ_OK)
            rc = audit(st, cl, uid, "sign-out", "", &err);
    }
    return end(st, rc == GZ_OK ? ok_out() : store_fail(&err), 0);
}

/* The remember-me cookie "selector.verifier" inside the identify transaction. */
static int remembered(struct store *st, const struct acct_client *cl, const char *rm,
                      struct acct_session *sess, struct err *err)
{
    char sel[AUTH_TOKEN_LEN + 1], ver[AUTH_TOKEN_LEN + 1];
    unsigned char want[AUTH_DIGEST_LEN], got[AUTH_DIGEST_LEN], prev[AUTH_DIGEST_LEN];
    int64_t now = clock_now(), expires = 0, rotated = 0, uid = 0;
    int rc, grace;

    memcpy(sel, rm, AUTH_TOKEN_LEN);
    sel[AUTH_TOKEN_LEN] = '\0';
    auth_digest(rm + AUTH_TOKEN_LEN + 1, got);
    rc = st->ops->remember_get(st, sel, &uid, want, &expires, prev, &rotated, err);
    if (rc == GZ_ENOTFOUND)
        return GZ_OK;
    if (rc != GZ_OK)
        return rc;
    if (expires <= now) {
        sess->forget = 1;
        return st->ops->remember_delete(st, sel, err);
    }
    /* The verifier rotated away a moment ago: the same browser sent it from several tabs at
     * once. Accepted (a new session, no second rotation: the browser already holds the new
     * verifier from the first answer). */
    grace = sodium_memcmp(want, got, sizeof want) != 0 &&
            sodium_memcmp(prev, got, sizeof prev) == 0 && rotated + ACCT_REMEMBER_GRACE_S >= now;
    if (!grace && sodium_memcmp(want, got, sizeof want) != 0) {
        /* A verifier that was already rotated away: the cookie was copied. End the whole
         * series and every session it created. */
        sess->forget = 1;
        rc = st->ops->remember_delete(st, sel, err);
        if (rc == GZ_OK)
            rc = st->ops->session_delete_series(st, sel, err);
        if (rc == GZ_OK)
            rc = audit(st, cl, uid, "remember-me-reuse", "series revoked", err);
        return rc;
    }
    if (!grace) {
        auth_token_new(ver);
        auth_digest(ver, want);
        rc = st->ops->remember_rotate(st, sel, want, now, err);
        if (rc != GZ_OK)
            return rc;
        snprintf(sess->remember, sizeof sess->remember, "%s.%s", sel, ver);
    }
    auth_token_new(sess->sid);
    auth_digest(sess->sid, sess->sid_digest);
    rc = st->ops->session_put(st, uid, sess->sid_digest, now, now + ACCT_SESSION_S, sel, cl->ua,
                              cl->ip, err);
    if (rc == GZ_OK)
        rc = audit(st, cl, uid, "sign-in", grace ? "remember-me (parallel)" : "remember-me", err);
    if (rc == GZ_OK)
        sess->user_id = uid;
    return rc;
}

struct acct_out acct_identify(struct store *st, const struct acct_client *cl,
                              const char *sid_cookie, const char *rm_cookie,
                              struct acct_session *sess)
{
    struct err err = { 0 };
    struct acct_out o = ok_out();
    int64_t uid = 0, sid = 0;
    int rc = GZ_OK;
    struct user u;

    memset(sess, 0, sizeof *sess);
    if (sid_cookie && strlen(sid_cookie) == AUTH_TOKEN_LEN) {
        auth_digest(sid_cookie, sess->sid_digest);
        rc = st->ops->session_find(st, sess->sid_digest, clock_now(), &uid, &sid, &err);
        if (rc == GZ_OK) {
            sess->user_id = uid;
            sess->session_id = sid;
            /* "Last seen" is for the account page: a full disk or a busy database costs that
             * line, not the reader's sign-in (o.err says why, for the log). */
            if (st->ops->session_touch(st, sid, clock_now(), &err) != GZ_OK)
                o.err = err;
        } else if (rc != GZ_ENOTFOUND) {
            return store_fail(&err);
        }
    }
    if (!sess->user_id && rm_cookie && strlen(rm_cookie) == 2 * AUTH_TOKEN_LEN + 1 &&
        rm_cookie[AUTH_TOKEN_LEN] == '.') {
        if (!begin(st, &o))
            return o;
        rc = remembered(st, cl, rm_cookie, sess, &err);
        o = end(st, rc == GZ_OK ? ok_out() : store_fail(&err), 0);
        if (o.rc != GZ_OK) {
            memset(sess, 0, sizeof *sess);
            return o;
        }
    }
    if (sess->user_id) {
        rc = st->ops->user_get(st, sess->user_id, &u, &err);
        if (rc == GZ_OK) {
            if (u.font_size >= FS_MIN && u.font_size <= FS_MAX)
                sess->font_size = u.font_size;
            user_release(&u);
        } else if (rc == GZ_ENOTFOUND) {
            sess->user_id = 0;
        } else {
            return store_fail(&err);
        }
    }
    o.user_id = sess->user_id;
    return o;
}

struct acct_out acct_bound_phone(struct store *st, int64_t uid, char phone[AUTH_PHONE_MAX])
{
    struct err err = { 0 };
    struct user u;
    struct acct_out o = ok_out();

    phone[0] = '\0';
    if (uid <= 0)
        return fail(GZ_EAUTH, MSG_SIGN_IN, NULL, "not_signed_in");
    if (st->ops->user_get(st, uid, &u, &err) != GZ_OK)
        return store_fail(&err);
    if (!u.phone)
        o = fail(GZ_EINVAL, MSG_ERR_PHONE, NULL, "no_phone");
    else if (!u.email || !u.pw_hash)
        o = fail(GZ_ECONFLICT, MSG_ERR_UNBIND_LAST, NULL, "last_sign_in_method");
    else
        snprintf(phone, AUTH_PHONE_MAX, "%s", u.phone);
    user_release(&u);
    return o;
}

struct acct_out acct_unbind_phone(struct store *st, const struct acct_client *cl, int64_t uid,
                                  const char *code)
{
    char phone[AUTH_PHONE_MAX];
    struct err err = { 0 };
    struct acct_out o = acct_bound_phone(st, uid, phone);
    struct user u;
    int rc;

    if (o.rc != GZ_OK)
        return o;
    if (!begin(st, &o))
        return o;
    if (check_code(st, cl, phone, code, 1, &o) != GZ_OK)
        return end(st, o, o.rc == GZ_EINVAL || o.rc == GZ_ELIMIT);
    rc = st->ops->user_get(st, uid, &u, &err);
    if (rc == GZ_OK) {
        free(u.phone);
        u.phone = NULL;
        rc = st->ops->user_update(st, &u, &err);
        user_release(&u);
    }
    if (rc == GZ_OK)
        rc = audit(st, cl, uid, "phone-unbound", phone, &err);
    return end(st, rc == GZ_OK ? ok_out() : store_fail(&err), 0);
}

struct acct_out acct_prefs(struct store *st, int64_t uid, int font_size, double rate)
{
    struct err err = { 0 };
    struct acct_out o;
    int rc;

    if (uid <= 0)
        return fail(GZ_EAUTH, MSG_SIGN_IN, NULL, "not_signed_in");
    if (font_size < FS_MIN || font_size > FS_MAX)
        font_size = 0;
    if (!(rate >= 0.5 && rate <= 2.0))
        rate = 0;
    if (!begin(st, &o))
        return o;
    /* The preference columns only: the row is never read and written back whole, so a
     * password reset or binding committed by another request is never undone. */
    rc = st->ops->user_set_prefs(st, uid, font_size, rate, &err);
    if (rc == GZ_ENOTFOUND)
        return end(st, fail(GZ_EAUTH, MSG_SIGN_IN, NULL, "not_signed_in"), 0);
    return end(st, rc == GZ_OK ? ok_out() : store_fail(&err), 0);
}

struct acct_out acct_revoke(struct store *st, const struct acct_client *cl, int64_t uid,
                            int64_t session_id)
{
    struct err err = { 0 };
    struct acct_out o;
    char detail[24];
    int rc;

    if (uid <= 0)
        return fail(GZ_EAUTH, MSG_SIGN_IN, NULL, "not_signed_in");
    if (session_id <= 0)
        return fail(GZ_EINVAL, MSG_BAD_REQUEST, "id", "invalid_session");
    if (!begin(st, &o))
        return o;
    snprintf(detail, sizeof detail, "%lld", (long long)session_id);
    rc = st->ops->session_delete_id(st, uid, session_id, &err);
    if (rc == GZ_OK)
        rc = audit(st, cl, uid, "session-revoked", detail, &err);
    return end(st, rc == GZ_OK ? ok_out() : store_fail(&err), 0);
}
