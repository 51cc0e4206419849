/*
 * test_account.c: the account flows against a real SQLite store whose disk fails on demand
 * (fault.h): a flow whose commit fails answers that failure and leaves nothing behind; a flow
 * that succeeds has stored everything it says it did.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"
#include "service/account.h"
#include "suites.h"

static char dir[64];
static struct store *st;
static const struct acct_client cl = { "10.0.0.1", "test-agent" };
static const char *const PW = "correct horse battery";

static void setup(void)
{
    st = fault_store_open(dir);
}

static void teardown(void)
{
    unsetenv("GAZETTE_CLOCK_FILE");
    fault_store_close(st, dir);
}

/* 1 when an account has this e-mail or username. */
static int exists(const char *login)
{
    struct err err = { 0 };
    struct user u;
    int rc = st->ops->user_by_login(st, login, &u, &err);
    ck_assert_msg(rc == GZ_OK || rc == GZ_ENOTFOUND, "%s", err.msg);
    if (rc == GZ_OK)
        user_release(&u);
    return rc == GZ_OK;
}

static size_t n_sessions(int64_t uid)
{
    struct err err = { 0 };
    struct session_list l = { 0 };
    size_t n;
    ck_assert_msg(st->ops->session_list(st, uid, NULL, 0, &l, &err) == GZ_OK, "%s", err.msg);
    n = l.n;
    session_list_release(&l);
    return n;
}

/* Move clock_now() ahead by seconds for the rest of this test (each test is its own process). */
static void clock_ahead(int seconds)
{
    char path[96];
    FILE *f;

    snprintf(path, sizeof path, "%s/clock", dir);
    f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "%d", seconds);
    fclose(f);
    ck_assert_int_eq(setenv("GAZETTE_CLOCK_FILE", path, 1), 0);
}

static int64_t register_ok(const char *email, const char *name)
{
    struct acct_session s;
    struct acct_out o = acct_register(st, &cl, email, name, PW, 1, &s);
    ck_assert_msg(o.rc == GZ_OK, "register: %d %s", o.rc, o.err.msg);
    ck_assert_int_gt(o.user_id, 0);
    ck_assert_int_eq(s.user_id, o.user_id);
    ck_assert_int_eq((int)strlen(s.sid), 43);
    return o.user_id;
}

START_TEST(register_commit_disk_full_leaves_no_user)
{
    struct acct_session s;
    struct acct_out o;

    fault_arm(FAULT_FULL, 0);
    o = acct_register(st, &cl, "ann@example.com", "ann", PW, 1, &s);
    ck_assert_int_gt(fault_hits(), 0);
    fault_disarm();
    ck_assert_int_eq(o.rc, GZ_EFULL);
    ck_assert_str_eq(o.code, "disk_full");
    ck_assert_int_eq(o.user_id, 0);
    ck_assert_int_eq(s.user_id, 0);
    ck_assert_str_eq(s.sid, ""); /* no cookie to set */
    ck_assert(!exists("ann@example.com"));
    /* The disk has room again: the same registration works. */
    register_ok("ann@example.com", "ann");
}
END_TEST

START_TEST(register_failing_mid_commit_leaves_no_user)
{
    /* The first page of the commit is written, the second is not (a disk dying half-way). */
    struct acct_session s;
    struct acct_out o;

    fault_arm(FAULT_IOERR, 1);
    o = acct_register(st, &cl, "bob@example.com", "bob", PW, 1, &s);
    ck_assert_int_gt(fault_hits(), 0);
    fault_disarm();
    ck_assert_int_eq(o.rc, GZ_EDB);
    ck_assert_int_eq(s.user_id, 0);
    ck_assert(!exists("bob"));
}
END_TEST

START_TEST(register_busy_database_answers_busy)
{
    struct acct_session s;
    struct acct_out o;
    void *other = fault_lock(dir);

    o = acct_register(st, &cl, "cat@example.com", "cat", PW, 1, &s);
    fault_unlock(other);
    ck_assert_int_eq(o.rc, GZ_EBUSY);
    ck_assert_str_eq(o.code, "busy");
    ck_assert_int_eq(o.retry_after, 1); /* 503 with Retry-After */
    ck_assert(!exists("cat"));
}
END_TEST

START_TEST(register_taken_is_a_conflict_and_changes_nothing)
{
    struct acct_session s;
    struct acct_out o;

    register_ok("dan@example.com", "dan");
    o = acct_register(st, &cl, "DAN@example.com", "dan2", PW, 1, &s);
    ck_assert_int_eq(o.rc, GZ_ECONFLICT);
    ck_assert_str_eq(o.field, "email");
    ck_assert_int_eq(s.user_id, 0);
    ck_assert(!exists("dan2"));
}
END_TEST

START_TEST(sign_in_whose_session_write_fails_sets_no_cookie)
{
    struct acct_session s;
    struct acct_out o;
    int64_t uid = register_ok("eve@example.com", "eve");

    ck_assert_int_eq(n_sessions(uid), 1);
    fault_arm(FAULT_FULL, 0);
    o = acct_login(st, &cl, "eve", PW, 1, &s);
    fault_disarm();
    ck_assert_int_eq(o.rc, GZ_EFULL);
    ck_assert_str_eq(s.sid, "");
    ck_assert_str_eq(s.remember, "");
    ck_assert_int_eq(s.user_id, 0);
    ck_assert_int_eq(n_sessions(uid), 1);
    o = acct_login(st, &cl, "eve", PW, 1, &s);
    ck_assert_int_eq(o.rc, GZ_OK);
    ck_assert_int_eq(n_sessions(uid), 2);
}
END_TEST

START_TEST(wrong_password_is_refused_and_counted)
{
    struct acct_session s;
    struct acct_out o;

    register_ok("fay@example.com", "fay");
    for (int i = 0; i < 5; i++) {
        o = acct_login(st, &cl, "fay", "wrong password!", 0, &s);
        ck_assert_int_eq(o.rc, GZ_EAUTH);
    }
    o = acct_login(st, &cl, "fay", PW, 0, &s);
    ck_assert_int_eq(o.rc, GZ_ELIMIT); /* this client backs off */
    ck_assert_int_gt(o.retry_after, 0);
    {
        const struct acct_client other = { "10.0.0.2", "" };
        o = acct_login(st, &other, "fay", PW, 0, &s); /* the owner elsewhere does not */
        ck_assert_int_eq(o.rc, GZ_OK);
    }
}
END_TEST

/* The reset token of the last mail in the outbox. */
static void last_token(char tok[44])
{
    struct err err = { 0 };
    struct outbox_list l = { 0 };
    const char *p;

    ck_assert_msg(st->ops->outbox_list(st, 10, &l, &err) == GZ_OK, "%s", err.msg);
    ck_assert_uint_gt(l.n, 0);
    p = strstr(l.item[0].body, "token=");
    ck_assert_ptr_nonnull(p);
    memcpy(tok, p + 6, 43);
    tok[43] = '\0';
    outbox_list_release(&l);
}

START_TEST(reset_whose_commit_fails_keeps_token_and_password)
{
    struct acct_session s;
    struct acct_out o;
    char tok[44];

    register_ok("gus@example.com", "gus");
    o = acct_forgot(st, &cl, "Gazette", "http://x", "gus@example.com");
    ck_assert_int_eq(o.rc, GZ_OK);
    last_token(tok);
    fault_arm(FAULT_FULL, 0);
    o = acct_reset(st, &cl, tok, "a brand new passphrase");
    fault_disarm();
    ck_assert_int_eq(o.rc, GZ_EFULL);
    /* Nothing changed: the old password works, and the token is still good. */
    ck_assert_int_eq(acct_login(st, &cl, "gus", PW, 0, &s).rc, GZ_OK);
    o = acct_reset(st, &cl, tok, "a brand new passphrase");
    ck_assert_int_eq(o.rc, GZ_OK);
    ck_assert_int_eq(acct_login(st, &cl, "gus", "a brand new passphrase", 0, &s).rc, GZ_OK);
    ck_assert_int_eq(acct_reset(st, &cl, tok, "another passphrase!").rc, GZ_EINVAL);
}
END_TEST

START_TEST(reset_mail_is_limited_per_account_too)
{
    struct err err = { 0 };
    struct outbox_list l = { 0 };

    register_ok("hal@example.com", "hal");
    for (int i = 0; i < 5; i++) {
        const struct acct_client c = { i % 2 ? "10.1.0.1" : "10.1.0.2", "" };
        ck_assert_int_eq(acct_forgot(st, &c, "G", "http://x", "hal@example.com").rc, GZ_OK);
    }
    ck_assert(st->ops->outbox_list(st, 100, &l, &err) == GZ_OK);
    ck_assert_uint_eq(l.n, 3); /* five requests from two clients: three mails */
    outbox_list_release(&l);
}
END_TEST

START_TEST(remember_me_grace_then_theft)
{
    struct acct_session s, a, b;
    struct acct_out o;
    char old[100];

    register_ok("ida@example.com", "ida");
    o = acct_login(st, &cl, "ida", PW, 1, &s);
    ck_assert_int_eq(o.rc, GZ_OK);
    snprintf(old, sizeof old, "%s", s.remember);
    /* Two tabs, one cookie: the first rotates, the second is inside the grace window. */
    ck_assert_int_eq(acct_identify(st, &cl, NULL, old, &a).rc, GZ_OK);
    ck_assert_int_gt(a.user_id, 0);
    ck_assert_str_ne(a.remember, "");
    ck_assert_int_eq(acct_identify(st, &cl, NULL, old, &b).rc, GZ_OK);
    ck_assert_int_eq(b.user_id, a.user_id);
    ck_assert_int_eq(b.forget, 0);
    ck_assert_str_eq(b.remember, ""); /* no second rotation */
    /* The rotated cookie still works. */
    ck_assert_int_eq(acct_identify(st, &cl, NULL, a.remember, &b).rc, GZ_OK);
    ck_assert_int_eq(b.user_id, a.user_id);
    /* A minute later the old verifier is a stolen copy: the whole series goes. */
    clock_ahead(60);
    ck_assert_int_eq(acct_identify(st, &cl, NULL, old, &b).rc, GZ_OK);
    ck_assert_int_eq(b.user_id, 0);
    ck_assert_int_eq(b.forget, 1);
    ck_assert_int_eq(acct_identify(st, &cl, NULL, a.remember, &b).rc, GZ_OK);
    ck_assert_int_eq(b.user_id, 0);
}
END_TEST

START_TEST(identify_with_a_failing_disk_signs_nobody_in)
{
    struct acct_session s, a;
    struct acct_out o;

    register_ok("jon@example.com", "jon");
    ck_assert_int_eq(acct_login(st, &cl, "jon", PW, 1, &s).rc, GZ_OK);
    fault_arm(FAULT_FULL, 0);
    o = acct_identify(st, &cl, NULL, s.remember, &a);
    fault_disarm();
    ck_assert_int_eq(o.rc, GZ_EFULL);
    ck_assert_int_eq(a.user_id, 0);
    ck_assert_str_eq(a.sid, "");
    /* Not rotated: the cookie is still good once the disk has room. */
    ck_assert_int_eq(acct_identify(st, &cl, NULL, s.remember, &a).rc, GZ_OK);
    ck_assert_int_gt(a.user_id, 0);
}
END_TEST

START_TEST(a_session_stays_valid_on_a_full_disk)
{
    struct acct_session s, a;
    struct acct_out o;

    register_ok("kim@example.com", "kim");
    ck_assert_int_eq(acct_login(st, &cl, "kim", PW, 0, &s).rc, GZ_OK);
    clock_ahead(120); /* "last seen" is written at most once a minute */
    fault_arm(FAULT_FULL, 0);
    o = acct_identify(st, &cl, s.sid, NULL, &a);
    fault_disarm();
    ck_assert_int_eq(o.rc, GZ_OK); /* reading needs no write: still signed in */
    ck_assert_int_gt(a.user_id, 0);
    ck_assert_str_ne(o.err.msg, ""); /* the lost "last seen" is reported for the log */
}
END_TEST

/* ---- a password reset landing in the middle of a preference save ----
 * The save runs on st, the reset on a second connection (another request) in a thread. The
 * moment the save first touches the account (a read, or its write), the reset is let go and
 * given time to commit, which it can only do if the save holds no lock. A save that read the
 * row and wrote it back whole outside a transaction (the /prefs handler once did) wrote the
 * old password hash back over the new one. */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int go, at_begin, rc;
    struct store *st2;
    char tok[44];
} race = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, NULL, "" };
static struct store_ops save_ops, reset_ops;
static const struct store_ops *plain_ops;

static void let_the_reset_in(void)
{
    pthread_mutex_lock(&race.mu);
    if (race.go) {
        pthread_mutex_unlock(&race.mu);
        return;
    }
    race.go = 1;
    pthread_cond_broadcast(&race.cv);
    while (!race.at_begin)
        pthread_cond_wait(&race.cv, &race.mu);
    pthread_mutex_unlock(&race.mu);
    usleep(300 * 1000); /* the reset commits now unless this connection holds the lock */
}

static int save_user_get(struct store *s, int64_t id, struct user *out, struct err *err)
{
    int rc = plain_ops->user_get(s, id, out, err);
    let_the_reset_in();
    return rc;
}

static int save_user_update(struct store *s, const struct user *u, struct err *err)
{
    let_the_reset_in();
    return plain_ops->user_update(s, u, err);
}

static int save_user_set_prefs(struct store *s, int64_t id, int fs, double rate, struct err *err)
{
    let_the_reset_in();
    return plain_ops->user_set_prefs(s, id, fs, rate, err);
}

static int reset_tx_begin(struct store *s, struct err *err)
{
    pthread_mutex_lock(&race.mu);
    race.at_begin = 1;
    pthread_cond_broadcast(&race.cv);
    pthread_mutex_unlock(&race.mu);
    return plain_ops->tx_begin(s, err);
}

static void *resetter(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&race.mu);
    while (!race.go)
        pthread_cond_wait(&race.cv, &race.mu);
    pthread_mutex_unlock(&race.mu);
    race.rc = acct_reset(race.st2, &cl, race.tok, "a brand new passphrase").rc;
    return NULL;
}

START_TEST(a_preference_save_never_undoes_a_password_reset)
{
    struct acct_session s;
    struct err err = { 0 };
    struct user u;
    pthread_t th;
    char path[96];
    int64_t uid = register_ok("ray@example.com", "ray");

    ck_assert_int_eq(acct_forgot(st, &cl, "G", "http://x", "ray@example.com").rc, GZ_OK);
    last_token(race.tok);
    snprintf(path, sizeof path, "%s/t.db", dir);
    ck_assert_msg(store_open_sqlite(path, &race.st2, &err) == GZ_OK, "%s", err.msg);
    plain_ops = st->ops;
    save_ops = *plain_ops;
    save_ops.user_get = save_user_get;
    save_ops.user_update = save_user_update;
    save_ops.user_set_prefs = save_user_set_prefs;
    reset_ops = *plain_ops;
    reset_ops.tx_begin = reset_tx_begin;
    st->ops = &save_ops;
    race.st2->ops = &reset_ops;
    ck_assert_int_eq(pthread_create(&th, NULL, resetter, NULL), 0);

    ck_assert_int_eq(acct_prefs(st, uid, 4, 1.5).rc, GZ_OK);

    ck_assert_int_eq(pthread_join(th, NULL), 0);
    st->ops = plain_ops;
    ck_assert_int_eq(race.go, 1); /* the save did reach the account */
    ck_assert_int_eq(race.rc, GZ_OK);
    ck_assert_int_eq(acct_login(st, &cl, "ray", "a brand new passphrase", 0, &s).rc, GZ_OK);
    ck_assert_int_eq(acct_login(st, &cl, "ray", PW, 0, &s).rc, GZ_EAUTH);
    ck_assert_int_eq(st->ops->user_get(st, uid, &u, &err), GZ_OK);
    ck_assert_int_eq(u.font_size, 4);
    ck_assert(u.rate > 1.49 && u.rate < 1.51);
    user_release(&u);
    /* 0 keeps a preference; an unknown account is not signed in. */
    ck_assert_int_eq(acct_prefs(st, uid, 0, 0.75).rc, GZ_OK);
    ck_assert_int_eq(st->ops->user_get(st, uid, &u, &err), GZ_OK);
    ck_assert_int_eq(u.font_size, 4);
    ck_assert(u.rate > 0.74 && u.rate < 0.76);
    user_release(&u);
    ck_assert_int_eq(acct_prefs(st, uid + 100, 3, 0).rc, GZ_EAUTH);
    store_close(race.st2);
}
END_TEST

/* Each writing store call of a flow fails in turn (full disk, busy, constraint): whichever it
 * is, the flow answers that failure and nothing of it is stored. */
static const int codes[] = { GZ_EFULL, GZ_EBUSY, GZ_ECONFLICT, GZ_EDB };

/* The failure a flow answers for an injected code: the same, or for a constraint the flow did
 * not expect (an audit row, a session) a server error. */
static int answered(int rc, int code)
{
    return rc == code || (code == GZ_ECONFLICT && rc == GZ_EDB);
}

/* One step of a *_fails_cleanly_at_every_step loop: the flow ran with its call n failing
 * (made: the writing calls it got to), steps being the writing calls of a clean run. Before
 * the last step the flow must have reached the failing call and answered that failure, so a
 * flow that skips or swallows a failure is caught; at n == steps nothing failed and it must
 * succeed. Returns 1 after the last step. */
static int step_checked(int n, int steps, int made, int rc, int code)
{
    if (n == steps) {
        ck_assert_msg(rc == GZ_OK, "all %d calls worked, yet the flow answered %d", steps, rc);
        return 1;
    }
    ck_assert_msg(made > n, "step %d of %d: the flow stopped after %d calls", n, steps, made);
    ck_assert_msg(answered(rc, code), "step %d of %d: %d for an injected %d", n, steps, rc, code);
    return 0;
}

START_TEST(register_fails_cleanly_at_every_step)
{
    struct acct_session s;
    int n, steps;

    fault_calls(st, -1, 0); /* count the writing calls of a clean run */
    ck_assert_int_eq(acct_register(st, &cl, "clean@example.com", "clean", PW, 1, &s).rc, GZ_OK);
    steps = fault_calls_made();
    ck_assert_int_ge(steps, 4); /* rate, user, audit, session … commit */
    for (n = 0;; n++) {
        char email[64], name[32];
        struct acct_out o;
        int code = codes[n % 4], made;

        snprintf(email, sizeof email, "step%d@example.com", n);
        snprintf(name, sizeof name, "step%d", n);
        fault_calls(st, n, code);
        o = acct_register(st, &cl, email, name, PW, 1, &s);
        made = fault_calls_made();
        fault_calls(st, -1, 0);
        if (step_checked(n, steps, made, o.rc, code))
            break;
        ck_assert_msg(!exists(name), "step %d left the account behind", n);
        ck_assert_str_eq(s.sid, "");
    }
}
END_TEST

START_TEST(bind_merge_fails_cleanly_at_every_step)
{
    struct err err = { 0 };
    struct acct_session s;
    int64_t target = register_ok("tom@example.com", "tom"), phone_id = 0, other = 0;
    int n, steps;

    /* A clean merge of another pair first, to count its writing calls. */
    register_ok("sue@example.com", "sue");
    ck_assert_int_eq(
            st->ops->user_create(st, NULL, NULL, NULL, "+8613900000002", "v", 1, &other, &err),
            GZ_OK);
    fault_calls(st, -1, 0);
    ck_assert_int_eq(acct_bind(st, &cl, other, "sue@example.com", PW, &s).rc, GZ_OK);
    steps = fault_calls_made();
    ck_assert_int_ge(steps, 6);
    ck_assert_int_eq(
            st->ops->user_create(st, NULL, NULL, NULL, "+8613900000001", "v", 1, &phone_id, &err),
            GZ_OK);
    for (n = 0;; n++) {
        struct acct_out o;
        struct user a, b;
        int code = codes[n % 4], made;

        fault_calls(st, n, code);
        o = acct_bind(st, &cl, phone_id, "tom@example.com", PW, &s);
        made = fault_calls_made();
        fault_calls(st, -1, 0);
        if (step_checked(n, steps, made, o.rc, code))
            break;
        /* Both accounts as they were: the number on the phone account, none on tom's. */
        ck_assert_int_eq(st->ops->user_get(st, phone_id, &a, &err), GZ_OK);
        ck_assert_int_eq(st->ops->user_get(st, target, &b, &err), GZ_OK);
        ck_assert_str_eq(a.phone, "+8613900000001");
        ck_assert_ptr_null(b.phone);
        user_release(&a);
        user_release(&b);
    }
    {
        struct user a, b;
        ck_assert_int_eq(st->ops->user_get(st, phone_id, &a, &err), GZ_ENOTFOUND);
        ck_assert_int_eq(st->ops->user_get(st, target, &b, &err), GZ_OK);
        ck_assert_str_eq(b.phone, "+8613900000001");
        user_release(&b);
    }
}
END_TEST

START_TEST(reset_fails_cleanly_at_every_step)
{
    struct err err = { 0 };
    char tok[44];
    int n, steps;

    register_ok("ula@example.com", "ula");
    register_ok("val@example.com", "val");
    ck_assert_int_eq(acct_forgot(st, &cl, "G", "http://x", "val@example.com").rc, GZ_OK);
    last_token(tok);
    fault_calls(st, -1, 0);
    ck_assert_int_eq(acct_reset(st, &cl, tok, "a brand new passphrase").rc, GZ_OK);
    steps = fault_calls_made();
    ck_assert_int_ge(steps, 4);
    ck_assert_int_eq(acct_forgot(st, &cl, "G", "http://x", "ula@example.com").rc, GZ_OK);
    last_token(tok);
    for (n = 0;; n++) {
        struct acct_out o;
        struct user u;
        int code = codes[n % 4], made;

        fault_calls(st, n, code);
        o = acct_reset(st, &cl, tok, "a brand new passphrase");
        made = fault_calls_made();
        fault_calls(st, -1, 0);
        if (step_checked(n, steps, made, o.rc, code))
            break;
        ck_assert_int_eq(st->ops->user_by_login(st, "ula", &u, &err), GZ_OK);
        ck_assert_msg(auth_password_verify(u.pw_hash, PW), "step %d changed the password", n);
        user_release(&u);
    }
}
END_TEST

static size_t n_outbox(void)
{
    struct err err = { 0 };
    struct outbox_list l = { 0 };
    size_t n;

    ck_assert_msg(st->ops->outbox_list(st, 1000, &l, &err) == GZ_OK, "%s", err.msg);
    n = l.n;
    outbox_list_release(&l);
    return n;
}

START_TEST(forgot_fails_cleanly_at_every_step)
{
    int n, steps;
    size_t mails;

    register_ok("wes@example.com", "wes");
    register_ok("xia@example.com", "xia");
    fault_calls(st, -1, 0);
    ck_assert_int_eq(acct_forgot(st, &cl, "G", "http://x", "wes@example.com").rc, GZ_OK);
    steps = fault_calls_made();
    ck_assert_int_ge(steps, 5); /* two rate events, the token, its audit line, commit */
    mails = n_outbox();
    for (n = 0;; n++) {
        int code = codes[n % 4], made;
        struct acct_out o;

        fault_calls(st, n, code);
        o = acct_forgot(st, &cl, "G", "http://x", "xia@example.com");
        made = fault_calls_made();
        fault_calls(st, -1, 0);
        if (step_checked(n, steps, made, o.rc, code))
            break;
        ck_assert_msg(n_outbox() == mails, "step %d mailed a link that was not stored", n);
    }
    ck_assert_uint_eq(n_outbox(), mails + 1);
}
END_TEST

/* The code of the last SMS in the outbox. */
static void last_code(char code[7])
{
    struct err err = { 0 };
    struct outbox_list l = { 0 };
    const char *p;

    ck_assert_msg(st->ops->outbox_list(st, 10, &l, &err) == GZ_OK, "%s", err.msg);
    ck_assert_uint_gt(l.n, 0);
    p = strstr(l.item[0].body, "验证码 ");
    ck_assert_ptr_nonnull(p);
    memcpy(code, p + strlen("验证码 "), 6);
    code[6] = '\0';
    outbox_list_release(&l);
}

/* Send phone a code from client c. OUT: code. */
static void code_for(const struct acct_client *c, const char *phone, char code[7])
{
    struct acct_out o = acct_phone_send(st, c, "G", phone);
    ck_assert_msg(o.rc == GZ_OK, "send: %d %s", o.rc, o.err.msg);
    last_code(code);
}

/* 1 when an account has this number. */
static int has_phone(const char *phone)
{
    struct err err = { 0 };
    struct user u;
    int rc = st->ops->user_by_phone(st, phone, &u, &err);
    ck_assert_msg(rc == GZ_OK || rc == GZ_ENOTFOUND, "%s", err.msg);
    if (rc == GZ_OK)
        user_release(&u);
    return rc == GZ_OK;
}

START_TEST(phone_sign_up_fails_cleanly_at_every_step)
{
    const struct acct_client other = { "10.0.0.9", "" };
    struct acct_session s;
    char code[7];
    int n, steps;

    code_for(&cl, "13900000021", code);
    fault_calls(st, -1, 0);
    ck_assert_int_eq(acct_phone_verify(st, &cl, 0, "13900000021", code, 1, &s).rc, GZ_OK);
    steps = fault_calls_made();
    ck_assert_int_ge(steps, 6); /* code, account, audit, remember, session, audit … commit */
    code_for(&other, "13900000022", code);
    for (n = 0;; n++) {
        int code_n = codes[n % 4], made;
        struct acct_out o;

        fault_calls(st, n, code_n);
        o = acct_phone_verify(st, &other, 0, "13900000022", code, 1, &s);
        made = fault_calls_made();
        fault_calls(st, -1, 0);
        if (step_checked(n, steps, made, o.rc, code_n))
            break;
        ck_assert_msg(!has_phone("+8613900000022"), "step %d left the account behind", n);
        ck_assert_str_eq(s.sid, "");
    }
    ck_assert(has_phone("+8613900000022"));
}
END_TEST

/* An e-mail account with phone bound through the flows (code sent from client c). */
static int64_t bound(const char *email, const char *name, const char *phone,
                     const struct acct_client *c)
{
    struct acct_session s;
    char code[7];
    int64_t uid = register_ok(email, name);

    code_for(c, phone, code);
    ck_assert_int_eq(acct_phone_verify(st, c, uid, phone, code, 0, &s).rc, GZ_OK);
    return uid;
}

START_TEST(unbind_phone_fails_cleanly_at_every_step)
{
    const struct acct_client other = { "10.0.0.9", "" };
    struct err err = { 0 };
    char code_a[7], code_b[7];
    int64_t a = bound("yan@example.com", "yan", "13900000031", &cl);
    int64_t b = bound("zoe@example.com", "zoe", "13900000032", &other);
    int n, steps;

    clock_ahead(120); /* one code a minute per number */
    code_for(&cl, "13900000031", code_a);
    code_for(&other, "13900000032", code_b);
    fault_calls(st, -1, 0);
    ck_assert_int_eq(acct_unbind_phone(st, &cl, a, code_a).rc, GZ_OK);
    steps = fault_calls_made();
    ck_assert_int_ge(steps, 3); /* the code, the account, its audit line … commit */
    for (n = 0;; n++) {
        int code_n = codes[n % 4], made;
        struct acct_out o;
        struct user u;

        fault_calls(st, n, code_n);
        o = acct_unbind_phone(st, &other, b, code_b);
        made = fault_calls_made();
        fault_calls(st, -1, 0);
        if (step_checked(n, steps, made, o.rc, code_n))
            break;
        ck_assert_int_eq(st->ops->user_get(st, b, &u, &err), GZ_OK);
        ck_assert_msg(u.phone != NULL, "step %d unbound the number", n);
        user_release(&u);
    }
    ck_assert(!has_phone("+8613900000032"));
}
END_TEST

Suite *suite_service_account(void)
{
    Suite *s = suite_create("service_account");
    TCase *tc = tcase_create("flows");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, register_commit_disk_full_leaves_no_user);
    tcase_add_test(tc, register_failing_mid_commit_leaves_no_user);
    tcase_add_test(tc, register_busy_database_answers_busy);
    tcase_add_test(tc, register_taken_is_a_conflict_and_changes_nothing);
    tcase_add_test(tc, sign_in_whose_session_write_fails_sets_no_cookie);
    tcase_add_test(tc, wrong_password_is_refused_and_counted);
    tcase_add_test(tc, reset_whose_commit_fails_keeps_token_and_password);
    tcase_add_test(tc, reset_mail_is_limited_per_account_too);
    tcase_add_test(tc, remember_me_grace_then_theft);
    tcase_add_test(tc, identify_with_a_failing_disk_signs_nobody_in);
    tcase_add_test(tc, a_session_stays_valid_on_a_full_disk);
    tcase_add_test(tc, register_fails_cleanly_at_every_step);
    tcase_add_test(tc, bind_merge_fails_cleanly_at_every_step);
    tcase_add_test(tc, reset_fails_cleanly_at_every_step);
    tcase_add_test(tc, forgot_fails_cleanly_at_every_step);
    tcase_add_test(tc, phone_sign_up_fails_cleanly_at_every_step);
    tcase_add_test(tc, unbind_phone_fails_cleanly_at_every_step);
    tcase_add_test(tc, a_preference_save_never_undoes_a_password_reset);
    suite_add_tcase(s, tc);
    return s;
}
