/* The store's contract, run against both backends: SQLite always; PostgreSQL when
 * GAZETTE_TEST_PG names a cluster (scripts/test.sh starts a throw-away one), each test on a
 * fresh database. Two connections to one database stand for two app servers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libpq-fe.h>

#include "model/bundle.h"
#include "store/store.h"
#include "suites.h"

static char where[512], dir[64];
static int is_pg;
static struct store *st, *st2;

static void open_both(void)
{
    struct err err = { 0 };

    ck_assert_msg(store_open(where, &st, &err) == GZ_OK, "%s", err.msg);
    ck_assert_msg(store_open(where, &st2, &err) == GZ_OK, "%s", err.msg);
}

static void setup_sqlite(void)
{
    is_pg = 0;
    memcpy(dir, "/tmp/gz-both-XXXXXX", sizeof "/tmp/gz-both-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(where, sizeof where, "%s/t.db", dir);
    open_both();
}

static void pg_admin(const char *sql)
{
    PGconn *c = PQconnectdb(getenv("GAZETTE_TEST_PG"));
    PGresult *r;

    ck_assert_msg(PQstatus(c) == CONNECTION_OK, "%s", PQerrorMessage(c));
    r = PQexec(c, sql);
    ck_assert_msg(PQresultStatus(r) == PGRES_COMMAND_OK, "%s", PQresultErrorMessage(r));
    PQclear(r);
    PQfinish(c);
}

static void setup_pg(void)
{
    const char *base = getenv("GAZETTE_TEST_PG"), *q = strchr(base, '?');
    char sql[128];

    is_pg = 1;
    snprintf(dir, sizeof dir, "gzu_%ld", (long)getpid());
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", dir);
    pg_admin(sql);
    snprintf(where, sizeof where, "postgresql:///%s%s", dir, q ? q : "");
    open_both();
}

static void teardown(void)
{
    char cmd[160];

    store_close(st);
    store_close(st2);
    st = st2 = NULL;
    if (is_pg) {
        snprintf(cmd, sizeof cmd, "DROP DATABASE %s WITH (FORCE)", dir);
        pg_admin(cmd);
    } else {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        ck_assert_int_eq(system(cmd), 0);
    }
}

static int64_t put(struct store *s, const char *slug, const char *en, const char *zh)
{
    struct buf j, p;
    struct story *a = NULL;
    struct bundle_opts o = { NULL, "/nonexistent", 1 };
    struct err err = { 0 };
    int64_t id = 0;

    buf_init(&j, 0);
    buf_init(&p, 0);
    buf_printf(&j,
               "{\"gazette_bundle\":1,\"slug\":\"%s\",\"section\":{\"slug\":\"world\",\"zh\":"
               "\"世界\",\"en\":\"World\"},\"tags\":[\"t\"],\"published\":\"2026-11-01T00:00:00Z\","
               "\"en\":{\"headline\":\"Headline %s\",\"body\":[\"%s\"]},\"zh\":{\"headline\":"
               "\"标题\",\"body\":[\"%s\"]}}",
               slug, slug, en, zh);
    ck_assert_msg(bundle_load(j.data, j.len, &o, &a, &p) == GZ_OK, "%s", buf_cstr(&p));
    ck_assert_msg(s->ops->story_put(s, a, &id, &err) == GZ_OK, "%s", err.msg);
    story_free(a);
    buf_release(&j);
    buf_release(&p);
    return id;
}

static size_t hits(const char *q)
{
    struct brief_list l = { 0 };
    struct err err = { 0 };
    size_t n;

    ck_assert_msg(st->ops->search(st, q, 20, &l, &err) == GZ_OK, "%s: %s", q, err.msg);
    n = l.n;
    brief_list_release(&l);
    return n;
}

START_TEST(story_round_trip_and_search)
{
    struct err err = { 0 };
    struct story *a = NULL;
    int64_t id = put(st, "rates", "Rates rose 50% in Shanghai. Then fell.",
                     "上海利率上升了百分之五十。随后回落。");

    put(st, "plain", "Nothing to see here.", "这里没有什么。");
    ck_assert_int_eq(st->ops->story_get(st, id, &a, &err), GZ_OK);
    ck_assert_str_eq(a->slug, "rates");
    ck_assert_str_eq(a->section_zh, "世界");
    ck_assert_str_eq(a->l[LANG_EN].headline, "Headline rates");
    ck_assert_uint_eq(a->l[LANG_ZH].tr.para[0].n_sent, 2);
    ck_assert_str_eq(a->l[LANG_ZH].tr.para[0].sent[1].text, "随后回落。");
    ck_assert_str_eq(a->tags, "t");
    story_free(a);
    /* The same matches on both: substrings in any language, any case; wildcards are text. */
    ck_assert_uint_eq(hits("shanghai"), 1);
    ck_assert_uint_eq(hits("SHANGHAI"), 1);
    ck_assert_uint_eq(hits("利率"), 1);      /* two characters: below a trigram */
    ck_assert_uint_eq(hits("百分之五十"), 1);
    ck_assert_uint_eq(hits("50%"), 1);
    ck_assert_uint_eq(hits("5_%"), 0);
    ck_assert_uint_eq(hits("Headline"), 2);
    ck_assert_uint_eq(hits("nowhere at all"), 0);
}
END_TEST

/* A write that fails on a unique key inside a flow leaves the flow usable (PostgreSQL would
 * otherwise abort the whole transaction) and says which key. */
START_TEST(a_conflict_inside_a_flow_does_not_spoil_it)
{
    struct err err = { 0 };
    struct user u;
    int64_t a = 0, b = 0, c = 0;

    ck_assert_int_eq(st->ops->tx_begin(st, &err), GZ_OK);
    ck_assert_int_eq(st->ops->user_create(st, "ann@example.com", "ann", "h", NULL, "1", 5, &a,
                                          &err),
                     GZ_OK);
    ck_assert_int_eq(st->ops->user_create(st, "ANN@example.com", "ann2", "h", NULL, "1", 5, &b,
                                          &err),
                     GZ_ECONFLICT);
    ck_assert_str_eq(err.msg, "email");
    ck_assert_int_eq(st->ops->user_create(st, "bob@example.com", "ANN", "h", NULL, "1", 5, &b,
                                          &err),
                     GZ_ECONFLICT);
    ck_assert_str_eq(err.msg, "username");
    ck_assert_int_eq(st->ops->user_create(st, "cy@example.com", "cy", "h", NULL, "1", 5, &c, &err),
                     GZ_OK);
    ck_assert_int_eq(st->ops->tx_commit(st, &err), GZ_OK);
    ck_assert_int_eq(st2->ops->user_by_login(st2, "Ann", &u, &err), GZ_OK);
    ck_assert_int_eq(u.id, a);
    user_release(&u);
    ck_assert_int_eq(st2->ops->user_by_login(st2, "cy@EXAMPLE.com", &u, &err), GZ_OK);
    user_release(&u);
    ck_assert_int_eq(st2->ops->user_by_login(st2, "bob@example.com", &u, &err), GZ_ENOTFOUND);
}
END_TEST

/* Preferences are written alone: a password changed through another connection after this
 * one read the account stays. */
START_TEST(preferences_are_written_alone)
{
    struct err err = { 0 };
    struct user stale, u;
    int64_t id = 0;

    ck_assert_int_eq(
            st->ops->user_create(st, "pat@example.com", "pat", "old", NULL, "1", 5, &id, &err),
            GZ_OK);
    ck_assert_int_eq(st->ops->user_get(st, id, &stale, &err), GZ_OK);
    free(stale.pw_hash);
    stale.pw_hash = xstrdup("new");
    ck_assert_int_eq(st2->ops->user_update(st2, &stale, &err), GZ_OK);
    user_release(&stale);
    ck_assert_int_eq(st->ops->user_set_prefs(st, id, 4, 0, &err), GZ_OK);
    ck_assert_int_eq(st->ops->user_set_prefs(st, id, 0, 1.25, &err), GZ_OK);
    ck_assert_int_eq(st2->ops->user_get(st2, id, &u, &err), GZ_OK);
    ck_assert_str_eq(u.pw_hash, "new");
    ck_assert_int_eq(u.font_size, 4);
    ck_assert(u.rate > 1.24 && u.rate < 1.26);
    user_release(&u);
    ck_assert_int_eq(st->ops->user_set_prefs(st, id + 1, 3, 0, &err), GZ_ENOTFOUND);
}
END_TEST

START_TEST(rollback_keeps_nothing_and_quiz_answers_once)
{
    struct err err = { 0 };
    struct buf v;
    int64_t q = 0;

    buf_init(&v, 0);
    ck_assert_int_eq(st->ops->tx_begin(st, &err), GZ_OK);
    ck_assert_int_eq(st->ops->setting_put(st, "k", "v", &err), GZ_OK);
    store_rollback(st);
    ck_assert_int_eq(st->ops->setting_get(st, "k", &v, &err), GZ_ENOTFOUND);
    ck_assert_int_eq(st->ops->quiz_put(st, "q", "测", "Q", 1, "{}", &q, &err), GZ_OK);
    ck_assert_int_eq(st->ops->attempt_put(st, q, "u:1", "[0]", 1, 2, &err), GZ_OK);
    ck_assert_int_eq(st2->ops->attempt_put(st2, q, "u:1", "[1]", 0, 3, &err), GZ_ECONFLICT);
    buf_release(&v);
}
END_TEST

/* Purging takes exactly the rows past their use, from every table it covers: for each, one
 * row just past the limit and one just inside it. */
START_TEST(purge_takes_only_expired_rows)
{
    const int64_t now = 100000000;
    struct err err = { 0 };
    unsigned char d_old[32], d_new[32], got[32], prev[32];
    struct session_list sl = { 0 };
    struct audit_list al = { 0 };
    struct outbox_list ol = { 0 };
    struct buf answers;
    int64_t uid = 0, q = 0, n = -1, last, exp, att, who;

    memset(d_old, 1, sizeof d_old);
    memset(d_new, 2, sizeof d_new);
    ck_assert_int_eq(
            st->ops->user_create(st, "pu@example.com", "pu", "h", NULL, "1", 1, &uid, &err), GZ_OK);
    ck_assert_int_eq(st->ops->quiz_put(st, "pq", "测", "Q", 1, "{}", &q, &err), GZ_OK);
    /* rate events: 2 days */
    ck_assert_int_eq(st->ops->rate_add(st, "old", now - 172801, &err), GZ_OK);
    ck_assert_int_eq(st->ops->rate_add(st, "new", now - 172799, &err), GZ_OK);
    /* audit: a year */
    ck_assert_int_eq(st->ops->audit_add(st, uid, now - 31536001, "e", "", "", &err), GZ_OK);
    ck_assert_int_eq(st->ops->audit_add(st, uid, now - 31535999, "e", "", "", &err), GZ_OK);
    /* outbox: a day */
    ck_assert_int_eq(st->ops->outbox_add(st, "mail", "a", "s", "b", now - 86401, &err), GZ_OK);
    ck_assert_int_eq(st->ops->outbox_add(st, "mail", "a", "s", "b", now - 86399, &err), GZ_OK);
    /* sessions, remember-me series, reset tokens, SMS codes: their own expiry */
    ck_assert_int_eq(st->ops->session_put(st, uid, d_old, 1, now - 1, NULL, "", "", &err), GZ_OK);
    ck_assert_int_eq(st->ops->session_put(st, uid, d_new, 1, now + 1, NULL, "", "", &err), GZ_OK);
    ck_assert_int_eq(st->ops->remember_put(st, "sel-old", uid, d_old, 1, now - 1, "", &err), GZ_OK);
    ck_assert_int_eq(st->ops->remember_put(st, "sel-new", uid, d_new, 1, now + 1, "", &err), GZ_OK);
    ck_assert_int_eq(st->ops->reset_put(st, d_old, uid, now - 1, &err), GZ_OK);
    ck_assert_int_eq(st->ops->reset_put(st, d_new, uid, now + 1, &err), GZ_OK);
    ck_assert_int_eq(st->ops->sms_put(st, "+8613900000001", d_old, now - 1, &err), GZ_OK);
    ck_assert_int_eq(st->ops->sms_put(st, "+8613900000002", d_new, now + 1, &err), GZ_OK);
    /* anonymous quiz answers: 90 days; an account's stay */
    ck_assert_int_eq(st->ops->attempt_put(st, q, "c:old", "[0]", 1, now - 7776001, &err), GZ_OK);
    ck_assert_int_eq(st->ops->attempt_put(st, q, "c:new", "[0]", 1, now - 7775999, &err), GZ_OK);
    ck_assert_int_eq(st->ops->attempt_put(st, q, "u:1", "[0]", 1, now - 40000000, &err), GZ_OK);

    ck_assert_msg(st2->ops->purge(st2, now, &n, &err) == GZ_OK, "%s", err.msg);
    ck_assert_int_eq(n, 8); /* one of each pair */

    ck_assert_int_eq(st->ops->rate_count(st, "old", 0, &n, &last, &err), GZ_OK);
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(st->ops->rate_count(st, "new", 0, &n, &last, &err), GZ_OK);
    ck_assert_int_eq(n, 1);
    ck_assert_int_eq(st->ops->audit_list(st, uid, 10, &al, &err), GZ_OK);
    ck_assert_uint_eq(al.n, 1);
    ck_assert_int_eq(al.item[0].at, now - 31535999);
    audit_list_release(&al);
    ck_assert_int_eq(st->ops->outbox_list(st, 10, &ol, &err), GZ_OK);
    ck_assert_uint_eq(ol.n, 1);
    ck_assert_int_eq(ol.item[0].at, now - 86399);
    outbox_list_release(&ol);
    ck_assert_int_eq(st->ops->session_list(st, uid, NULL, 0, &sl, &err), GZ_OK);
    ck_assert_uint_eq(sl.n, 1);
    ck_assert_int_eq(sl.item[0].expires, now + 1);
    session_list_release(&sl);
    ck_assert_int_eq(st->ops->remember_get(st, "sel-old", &who, got, &exp, prev, &last, &err),
                     GZ_ENOTFOUND);
    ck_assert_int_eq(st->ops->remember_get(st, "sel-new", &who, got, &exp, prev, &last, &err),
                     GZ_OK);
    ck_assert_int_eq(st->ops->reset_take(st, d_old, 0, &who, &err), GZ_ENOTFOUND);
    ck_assert_int_eq(st->ops->reset_take(st, d_new, 0, &who, &err), GZ_OK);
    ck_assert_int_eq(st->ops->sms_get(st, "+8613900000001", got, &exp, &att, &err), GZ_ENOTFOUND);
    ck_assert_int_eq(st->ops->sms_get(st, "+8613900000002", got, &exp, &att, &err), GZ_OK);
    buf_init(&answers, 0);
    ck_assert_int_eq(st->ops->attempt_get(st, q, "c:old", &answers, &n, &err), GZ_ENOTFOUND);
    ck_assert_int_eq(st->ops->attempt_get(st, q, "c:new", &answers, &n, &err), GZ_OK);
    ck_assert_int_eq(st->ops->attempt_get(st, q, "u:1", &answers, &n, &err), GZ_OK);
    buf_release(&answers);
}
END_TEST

/* Two servers share one queue: each job is claimed by one; a server that stops renewing its
 * lease loses the job to the other, and then cannot store its end; the new owner can. */
START_TEST(jobs_are_leased_to_one_server)
{
    struct err err = { 0 };
    char lang[3], audio[64];
    int64_t sid = put(st, "job", "One.", "一。"), j1 = 0, j2 = 0, got = 0, gsid = 0;
    int64_t lease = store_job_lease();
    struct job_info ji;

    ck_assert_int_eq(st->ops->job_add(st, sid, "en", "a.wav", 100, &j1, &err), GZ_OK);
    ck_assert_int_eq(st->ops->job_add(st, sid, "zh", "b.wav", 100, &j2, &err), GZ_OK);
    ck_assert_int_eq(st->ops->job_claim(st, 100, &got, &gsid, lang, audio, sizeof audio, &err),
                     GZ_OK);
    ck_assert_int_eq(got, j1);
    ck_assert_int_eq(st2->ops->job_claim(st2, 100, &got, &gsid, lang, audio, sizeof audio, &err),
                     GZ_OK);
    ck_assert_int_eq(got, j2);
    ck_assert_str_eq(audio, "b.wav");
    ck_assert_int_eq(st2->ops->job_claim(st2, 101, &got, &gsid, lang, audio, sizeof audio, &err),
                     GZ_ENOTFOUND);
    /* Not st2's job: progress and finish are refused, nothing changes. */
    ck_assert_int_eq(st2->ops->job_progress(st2, j1, 0.5, 101, &err), GZ_ECONFLICT);
    ck_assert_int_eq(st2->ops->job_finish(st2, j1, "done", NULL, 0, 1, 101, &err), GZ_ECONFLICT);
    ck_assert_int_eq(st->ops->job_progress(st, j1, 0.5, 110, &err), GZ_OK); /* renews */
    ck_assert_int_eq(st->ops->job_finish(st, j1, "done", NULL, 0, 1, 111, &err), GZ_OK);
    /* st2 stalls past its lease: st takes j2 over; st2's late end is refused. */
    ck_assert_int_eq(st->ops->job_claim(st, 100 + lease - 1, &got, &gsid, lang, audio,
                                        sizeof audio, &err),
                     GZ_ENOTFOUND);
    ck_assert_int_eq(st->ops->job_claim(st, 100 + lease + 1, &got, &gsid, lang, audio,
                                        sizeof audio, &err),
                     GZ_OK);
    ck_assert_int_eq(got, j2);
    ck_assert_int_eq(st2->ops->job_progress(st2, j2, 0.9, 100 + lease + 2, &err), GZ_ECONFLICT);
    ck_assert_int_eq(st2->ops->job_finish(st2, j2, "done", NULL, 0, 1, 100 + lease + 2, &err),
                     GZ_ECONFLICT);
    ck_assert_int_eq(st->ops->job_finish(st, j2, "done", NULL, 3, 2, 100 + lease + 3, &err), GZ_OK);
    ck_assert_int_eq(st2->ops->job_latest(st2, sid, "zh", &ji, &err), GZ_OK);
    ck_assert_str_eq(ji.state, "done");
    ck_assert_int_eq(ji.flagged, 3);
}
END_TEST

START_TEST(a_job_whose_servers_keep_dying_fails_after_three_starts)
{
    struct err err = { 0 };
    char lang[3], audio[64];
    int64_t sid = put(st, "dies", "One.", "一。"), j = 0, got = 0, gsid = 0, t = 1000;
    int64_t lease = store_job_lease();
    struct job_info ji;

    ck_assert_int_eq(st->ops->job_add(st, sid, "en", "a.wav", t, &j, &err), GZ_OK);
    for (int i = 0; i < 3; i++, t += lease + 1) {
        struct store *s = i % 2 ? st2 : st;
        ck_assert_int_eq(s->ops->job_claim(s, t, &got, &gsid, lang, audio, sizeof audio, &err),
                         GZ_OK);
        ck_assert_int_eq(got, j);
    }
    ck_assert_int_eq(st->ops->job_claim(st, t, &got, &gsid, lang, audio, sizeof audio, &err),
                     GZ_ENOTFOUND);
    ck_assert_int_eq(st->ops->job_latest(st, sid, "en", &ji, &err), GZ_OK);
    ck_assert_str_eq(ji.state, "failed");
    ck_assert_msg(strstr(ji.error, "3 times") != NULL, "%s", ji.error);
}
END_TEST

/* /readyz's view of the queue, read through the other connection: claimable work (queued,
 * or running under a lapsed lease), the oldest one's wait, and the time since any job moved. */
START_TEST(the_job_backlog_tells_waiting_from_moving)
{
    struct err err = { 0 };
    char lang[3], audio[64];
    int64_t sid = put(st, "backlog", "One.", "一。"), j1 = 0, j2 = 0, got = 0, gsid = 0;
    int64_t lease = store_job_lease();
    struct job_backlog b;

    ck_assert_int_eq(st2->ops->job_backlog(st2, 50, &b, &err), GZ_OK);
    ck_assert_int_eq(b.waiting, 0);
    ck_assert_int_eq(b.oldest_s, 0);
    ck_assert_int_eq(b.idle_s, -1); /* no job ever ran */
    ck_assert_int_eq(st->ops->job_add(st, sid, "en", "a.wav", 100, &j1, &err), GZ_OK);
    ck_assert_int_eq(st->ops->job_add(st, sid, "zh", "b.wav", 150, &j2, &err), GZ_OK);
    ck_assert_int_eq(st2->ops->job_backlog(st2, 500, &b, &err), GZ_OK);
    ck_assert_int_eq(b.waiting, 2);
    ck_assert_int_eq(b.oldest_s, 400);
    ck_assert_int_eq(b.idle_s, -1);
    ck_assert_int_eq(st->ops->job_claim(st, 500, &got, &gsid, lang, audio, sizeof audio, &err),
                     GZ_OK);
    ck_assert_int_eq(got, j1);
    ck_assert_int_eq(st2->ops->job_backlog(st2, 510, &b, &err), GZ_OK);
    ck_assert_int_eq(b.waiting, 1);
    ck_assert_int_eq(b.oldest_s, 360);
    ck_assert_int_eq(b.idle_s, 10);
    ck_assert_int_eq(st->ops->job_progress(st, j1, 0.5, 520, &err), GZ_OK);
    ck_assert_int_eq(st2->ops->job_backlog(st2, 530, &b, &err), GZ_OK);
    ck_assert_int_eq(b.idle_s, 10);
    /* The lease runs out: j1 can be claimed again, so it waits too (since it was added). */
    ck_assert_int_eq(st2->ops->job_backlog(st2, 520 + lease + 1, &b, &err), GZ_OK);
    ck_assert_int_eq(b.waiting, 2);
    ck_assert_int_eq(b.oldest_s, 520 + lease + 1 - 100);
    ck_assert_int_eq(b.idle_s, lease + 1);
    ck_assert_int_eq(st->ops->job_finish(st, j1, "done", NULL, 0, 1, 530, &err), GZ_OK);
    ck_assert_int_eq(st2->ops->job_backlog(st2, 540, &b, &err), GZ_OK);
    ck_assert_int_eq(b.waiting, 1);
    ck_assert_int_eq(b.oldest_s, 390);
    ck_assert_int_eq(b.idle_s, 10); /* the end counts as movement */
}
END_TEST

/* A change made through one connection shows in the other's content generation at once
 * (SQLite: a read of the shared file; PostgreSQL: LISTEN/NOTIFY, well under 1 s). */
START_TEST(a_publish_on_one_server_is_seen_by_the_other)
{
    struct err err = { 0 };
    int64_t g0 = 0, g1 = 0;

    put(st, "first", "One.", "一。");
    ck_assert_int_eq(st2->ops->generation(st2, &g0, &err), GZ_OK);
    put(st, "second", "Two.", "二。");
    for (int i = 0; i < 50; i++) { /* up to 0.5 s */
        ck_assert_int_eq(st2->ops->generation(st2, &g1, &err), GZ_OK);
        if (g1 > g0)
            break;
        usleep(10000);
    }
    ck_assert_int_gt(g1, g0);
}
END_TEST

static void add_tests(TCase *tc)
{
    tcase_add_test(tc, story_round_trip_and_search);
    tcase_add_test(tc, a_conflict_inside_a_flow_does_not_spoil_it);
    tcase_add_test(tc, preferences_are_written_alone);
    tcase_add_test(tc, rollback_keeps_nothing_and_quiz_answers_once);
    tcase_add_test(tc, purge_takes_only_expired_rows);
    tcase_add_test(tc, jobs_are_leased_to_one_server);
    tcase_add_test(tc, a_job_whose_servers_keep_dying_fails_after_three_starts);
    tcase_add_test(tc, the_job_backlog_tells_waiting_from_moving);
    tcase_add_test(tc, a_publish_on_one_server_is_seen_by_the_other);
}

Suite *suite_store_backends(void)
{
    Suite *s = suite_create("store_backends");
    TCase *lite = tcase_create("sqlite");

    tcase_add_checked_fixture(lite, setup_sqlite, teardown);
    add_tests(lite);
    suite_add_tcase(s, lite);
    if (getenv("GAZETTE_TEST_PG") && *getenv("GAZETTE_TEST_PG")) {
        TCase *pgc = tcase_create("postgresql");
        tcase_add_checked_fixture(pgc, setup_pg, teardown);
        tcase_set_timeout(pgc, 30);
        add_tests(pgc);
        suite_add_tcase(s, pgc);
    } else {
        fprintf(stderr, "store_backends: GAZETTE_TEST_PG not set, PostgreSQL cases not run\n");
    }
    return s;
}
