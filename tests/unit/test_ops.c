/* Operations (issue 9): the data-folder lock, the job retry cap, the bounded pool and its
 * share per client range. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/pool.h"
#include "core/dirlock.h"
#include "http/cache.h"
#include "http/guard.h"
#include "model/bundle.h"
#include "store/store.h"
#include "suites.h"

static char dir[64];

static void setup(void)
{
    memcpy(dir, "/tmp/gz-ops-XXXXXX", sizeof "/tmp/gz-ops-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    ck_assert_int_eq(system(cmd), 0);
}

START_TEST(lock_is_exclusive_and_names_the_holder)
{
    struct err err = { 0 };
    long pid = 0;
    int a = dirlock_take(dir, "serve", &err), b;

    ck_assert_msg(a >= 0, "%s", err.msg);
    ck_assert_int_eq(dirlock_held(dir, &pid), 1);
    ck_assert_int_eq(pid, (long)getpid());
    b = dirlock_take(dir, "restore", &err);
    ck_assert_int_eq(b, GZ_ECONFLICT);
    ck_assert_ptr_nonnull(strstr(err.msg, dir));
    ck_assert_ptr_nonnull(strstr(err.msg, "serve"));
    ck_assert_ptr_nonnull(strstr(err.msg, "pid"));
    dirlock_release(a);
    ck_assert_int_eq(dirlock_held(dir, &pid), 0);
    b = dirlock_take(dir, "restore", &err);
    ck_assert_msg(b >= 0, "%s", err.msg);
    dirlock_release(b);
}
END_TEST

START_TEST(imports_share_the_folder_restore_takes_it_alone)
{
    struct err err = { 0 };
    int a = dirlock_use(dir, 0, &err), b = dirlock_use(dir, 0, &err), c;

    ck_assert_msg(a >= 0 && b >= 0, "two imports side by side: %s", err.msg);
    c = dirlock_use(dir, 1, &err);
    ck_assert_int_eq(c, GZ_ECONFLICT);
    ck_assert_ptr_nonnull(strstr(err.msg, "import"));
    dirlock_release(a);
    dirlock_release(b);
    c = dirlock_use(dir, 1, &err);
    ck_assert_msg(c >= 0, "%s", err.msg);
    a = dirlock_use(dir, 0, &err);
    ck_assert_int_eq(a, GZ_ECONFLICT);
    ck_assert_ptr_nonnull(strstr(err.msg, "restore"));
    ck_assert_ptr_nonnull(strstr(err.msg, "pid"));
    dirlock_release(c);
}
END_TEST

START_TEST(job_that_keeps_crashing_is_failed_after_three_starts)
{
    struct err err = { 0 };
    struct store *st = NULL;
    struct story *s = NULL;
    struct bundle_opts o = { NULL, "/nonexistent", 1 };
    struct buf p;
    struct job_info ji;
    char path[96], lang[3], audio[64];
    const char *j =
            "{\"gazette_bundle\":1,\"slug\":\"a\",\"section\":{\"slug\":\"s\",\"zh\":\"栏\","
            "\"en\":\"S\"},\"published\":\"2026-11-01T00:00:00Z\",\"en\":{\"headline\":"
            "\"H\",\"body\":[\"One.\"]},\"zh\":{\"headline\":\"标题\",\"body\":[\"一。\"]}}";
    int64_t sid = 0, jid = 0, got, gsid;

    snprintf(path, sizeof path, "%s/t.db", dir);
    ck_assert_msg(store_open_sqlite(path, &st, &err) == GZ_OK, "%s", err.msg);
    buf_init(&p, 0);
    ck_assert_msg(bundle_load(j, strlen(j), &o, &s, &p) == GZ_OK, "%s", buf_cstr(&p));
    ck_assert_msg(st->ops->story_put(st, s, &sid, &err) == GZ_OK, "%s", err.msg);
    ck_assert_int_eq(st->ops->job_add(st, sid, "en", "x.wav", 1, &jid, &err), GZ_OK);
    for (int start = 1; start <= 3; start++) {
        /* the server claims the job, then dies; the next server finds it running */
        ck_assert_int_eq(st->ops->job_claim(st, 2, &got, &gsid, lang, audio, sizeof audio, &err),
                         GZ_OK);
        ck_assert_int_eq(got, jid);
        ck_assert_int_eq(st->ops->job_requeue(st, &err), GZ_OK);
        ck_assert_int_eq(st->ops->job_latest(st, sid, "en", &ji, &err), GZ_OK);
        ck_assert_str_eq(ji.state, start < 3 ? "queued" : "failed");
    }
    ck_assert_msg(strstr(ji.error, "3 times") != NULL, "%s", ji.error);
    ck_assert_int_eq(st->ops->job_claim(st, 3, &got, &gsid, lang, audio, sizeof audio, &err),
                     GZ_ENOTFOUND);
    story_free(s);
    buf_release(&p);
    store_close(st);
}
END_TEST

static int n_cancelled;

static void slow(void *arg, int cancelled)
{
    if (cancelled) {
        __atomic_add_fetch(&n_cancelled, 1, __ATOMIC_SEQ_CST);
        return;
    }
    usleep(200000);
    __atomic_add_fetch((int *)arg, 1, __ATOMIC_SEQ_CST);
}

START_TEST(pool_refuses_when_full_and_cancels_waiting_jobs_on_stop)
{
    struct auth_pool *p = auth_pool_new("test", 1, 2, 0);
    int done = 0, accepted = 0;

    for (int i = 0; i < 6; i++)
        accepted += auth_pool_submit(p, NULL, 0, slow, &done) == GZ_OK;
    /* one running, two waiting; the rest refused at once */
    ck_assert_int_ge(accepted, 2);
    ck_assert_int_le(accepted, 3);
    usleep(100000); /* the first job is running (it takes 200 ms) */
    auth_pool_stop(p);
    /* the running job finished; the waiting ones were cancelled, not run */
    ck_assert_int_eq(done + n_cancelled, accepted);
    ck_assert_int_ge(done, 1);
    /* stopped: refused, still valid */
    ck_assert_int_eq(auth_pool_submit(p, NULL, 0, slow, &done), GZ_EBUSY);
    auth_pool_free(p);
}
END_TEST

static pthread_mutex_t gate_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cond = PTHREAD_COND_INITIALIZER;
static int gate_open, n_started;

/* Holds the pool's one thread until the test opens the gate. */
static void gated(void *arg, int cancelled)
{
    (void)cancelled;
    __atomic_add_fetch(&n_started, 1, __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&gate_lock);
    while (!gate_open)
        pthread_cond_wait(&gate_cond, &gate_lock);
    pthread_mutex_unlock(&gate_lock);
    __atomic_add_fetch((int *)arg, 1, __ATOMIC_SEQ_CST);
}

START_TEST(pool_holds_a_key_to_its_share_once_a_quarter_of_the_queue_waits)
{
    struct auth_pool *p = auth_pool_new("test", 1, 8, 2);
    const char a[] = "10.1.1", b[] = "10.2.2", c[] = "10.3.3";
    int done = 0;

    gate_open = 0;
    n_started = 0;
    /* While fewer than 2 wait, one key may hold more than its share: 1 running + 2 waiting. */
    ck_assert_int_eq(auth_pool_submit(p, a, sizeof a, gated, &done), GZ_OK);
    while (!__atomic_load_n(&n_started, __ATOMIC_SEQ_CST)) /* it left the queue */
        usleep(1000);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(auth_pool_submit(p, a, sizeof a, gated, &done), GZ_OK);
    /* 2 waiting: a holds 3 jobs, past its share of 2: refused. */
    ck_assert_int_eq(auth_pool_submit(p, a, sizeof a, gated, &done), GZ_ELIMIT);
    /* Others still get their share, and no more. */
    ck_assert_int_eq(auth_pool_submit(p, b, sizeof b, gated, &done), GZ_OK);
    ck_assert_int_eq(auth_pool_submit(p, b, sizeof b, gated, &done), GZ_OK);
    ck_assert_int_eq(auth_pool_submit(p, b, sizeof b, gated, &done), GZ_ELIMIT);
    ck_assert_int_eq(auth_pool_submit(p, c, sizeof c, gated, &done), GZ_OK);
    for (int i = 0; i < 3; i++) /* no key: no share */
        ck_assert_int_eq(auth_pool_submit(p, NULL, 0, gated, &done), GZ_OK);
    /* 8 waiting: full, for every key. */
    ck_assert_int_eq(auth_pool_submit(p, c, sizeof c, gated, &done), GZ_EBUSY);
    pthread_mutex_lock(&gate_lock);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
    while (auth_pool_pending(p))
        usleep(1000);
    ck_assert_int_eq(done, 9);
    /* Finished jobs give their share back: b, which held 2, may hold 2 again. */
    gate_open = 0;
    n_started = 0;
    ck_assert_int_eq(auth_pool_submit(p, c, sizeof c, gated, &done), GZ_OK);
    while (!__atomic_load_n(&n_started, __ATOMIC_SEQ_CST))
        usleep(1000);
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(auth_pool_submit(p, NULL, 0, gated, &done), GZ_OK);
    ck_assert_int_eq(auth_pool_submit(p, b, sizeof b, gated, &done), GZ_OK);
    ck_assert_int_eq(auth_pool_submit(p, b, sizeof b, gated, &done), GZ_OK);
    ck_assert_int_eq(auth_pool_submit(p, b, sizeof b, gated, &done), GZ_ELIMIT);
    pthread_mutex_lock(&gate_lock);
    gate_open = 1;
    pthread_cond_broadcast(&gate_cond);
    pthread_mutex_unlock(&gate_lock);
    auth_pool_free(p);
    ck_assert_int_eq(done, 14);
}
END_TEST

START_TEST(range_keys_group_a_network)
{
    unsigned char a[GUARD_RANGE_KEY_LEN], b[GUARD_RANGE_KEY_LEN];
    static const unsigned char zero[GUARD_RANGE_KEY_LEN];

    guard_range_of("10.1.2.3", a);
    guard_range_of("10.1.2.200", b);
    ck_assert_mem_eq(a, b, sizeof a);
    guard_range_of("::ffff:10.1.2.9", b); /* IPv4-mapped: the same /24 */
    ck_assert_mem_eq(a, b, sizeof a);
    guard_range_of("10.1.3.3", b);
    ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
    guard_range_of("2001:db8:1:2::1", a);
    guard_range_of("2001:db8:1:2:ffff::9", b);
    ck_assert_mem_eq(a, b, sizeof a);
    guard_range_of("2001:db8:1:3::1", b);
    ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
    guard_range_of("not an address", a);
    ck_assert_mem_eq(a, zero, sizeof a);
    guard_range_of(NULL, a);
    ck_assert_mem_eq(a, zero, sizeof a);
}
END_TEST

START_TEST(cache_stale_generation_neither_clears_nor_goes_back)
{
    struct cache *c = cache_new(16);
    size_t at = 0;
    struct cache_entry *e;

    ck_assert_ptr_null(cache_get(c, "/", 2));
    cache_unref(c, cache_put(c, "/", 2, xstrdup("page"), 4, &at, 0, 200, "text/html"));
    e = cache_get(c, "/", 2);
    ck_assert_ptr_nonnull(e);
    cache_unref(c, e);
    /* a thread that read generation 1 before the change */
    ck_assert_ptr_null(cache_get(c, "/", 1));
    cache_unref(c, cache_put(c, "/", 1, xstrdup("old"), 3, &at, 0, 200, "text/html"));
    e = cache_get(c, "/", 2);
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->len, 4);
    cache_unref(c, e);
    /* a newer generation still clears */
    ck_assert_ptr_null(cache_get(c, "/", 3));
    cache_free(c);
}
END_TEST

Suite *suite_ops(void)
{
    Suite *s = suite_create("ops");
    TCase *tc = tcase_create("ops");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, lock_is_exclusive_and_names_the_holder);
    tcase_add_test(tc, imports_share_the_folder_restore_takes_it_alone);
    tcase_add_test(tc, job_that_keeps_crashing_is_failed_after_three_starts);
    tcase_add_test(tc, pool_refuses_when_full_and_cancels_waiting_jobs_on_stop);
    tcase_add_test(tc, pool_holds_a_key_to_its_share_once_a_quarter_of_the_queue_waits);
    tcase_add_test(tc, range_keys_group_a_network);
    tcase_add_test(tc, cache_stale_generation_neither_clears_nor_goes_back);
    suite_add_tcase(s, tc);
    return s;
}
