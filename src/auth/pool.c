#include "auth/pool.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/log.h"

/* A key's jobs, waiting or running. */
struct share {
    unsigned char key[AUTH_POOL_KEY_MAX];
    size_t len;
    int n;
};

struct job {
    auth_pool_fn *fn;
    void *arg;
    struct share *share; /* the key's entry, NULL for a job without a key */
};

struct auth_pool {
    const char *name;
    pthread_mutex_t lock;
    pthread_cond_t more;
    struct job *ring; /* queue_max slots */
    int queue_max, head, n_queued, n_running, stop, joined;
    int share_max;
    /* One entry per key with a job in the pool: at most queue_max + n_threads. A slot with
     * n == 0 is free; entries never move, so a job may point at its own. */
    struct share *shares;
    size_t n_shares;
    int n_threads;
    pthread_t *threads;
};

/* Under p->lock: the entry of key, or a free one (n == 0) holding key; NULL when neither (the
 * table holds one entry per job at most, so only a job without an entry could find none). */
static struct share *share_of(struct auth_pool *p, const void *key, size_t len)
{
    struct share *free_slot = NULL;

    if (len > AUTH_POOL_KEY_MAX)
        len = AUTH_POOL_KEY_MAX;
    for (size_t i = 0; i < p->n_shares; i++) {
        struct share *sh = &p->shares[i];
        if (sh->n > 0 && sh->len == len && memcmp(sh->key, key, len) == 0)
            return sh;
        if (sh->n == 0 && !free_slot)
            free_slot = sh;
    }
    if (free_slot) {
        memcpy(free_slot->key, key, len);
        free_slot->len = len;
    }
    return free_slot;
}

static void *run(void *cls)
{
    struct auth_pool *p = cls;

    /* Linux: nice applies per thread (a thread is a task with its own id). */
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 19) != 0)
        log_warn("pool", "%s: cannot lower the thread's priority", p->name);
    pthread_mutex_lock(&p->lock);
    for (;;) {
        struct job j;
        while (!p->n_queued && !p->stop)
            pthread_cond_wait(&p->more, &p->lock);
        if (!p->n_queued)
            break; /* stopping and drained */
        j = p->ring[p->head];
        p->head = (p->head + 1) % p->queue_max;
        p->n_queued--;
        p->n_running++;
        pthread_mutex_unlock(&p->lock);
        j.fn(j.arg, p->stop);
        pthread_mutex_lock(&p->lock);
        p->n_running--;
        if (j.share)
            j.share->n--;
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

struct auth_pool *auth_pool_new(const char *name, int n_threads, int queue_max, int share_max)
{
    struct auth_pool *p = xcalloc(1, sizeof *p);

    if (n_threads <= 0) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        n_threads = n > 0 && n < 64 ? (int)n : 2;
    }
    p->name = name;
    p->queue_max = queue_max > 0 ? queue_max : 1;
    p->ring = xcalloc((size_t)p->queue_max, sizeof *p->ring);
    p->share_max = share_max;
    p->n_shares = (size_t)p->queue_max + (size_t)n_threads;
    p->shares = xcalloc(p->n_shares, sizeof *p->shares);
    p->threads = xcalloc((size_t)n_threads, sizeof *p->threads);
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->more, NULL);
    for (int i = 0; i < n_threads; i++) {
        if (pthread_create(&p->threads[p->n_threads], NULL, run, p) != 0) {
            log_error("pool", "%s: cannot start thread %d", p->name, i);
            continue;
        }
        p->n_threads++;
    }
    return p;
}

int auth_pool_submit(struct auth_pool *p, const void *key, size_t key_len, auth_pool_fn *fn,
                     void *arg)
{
    struct share *sh = NULL;
    int rc = GZ_OK;

    pthread_mutex_lock(&p->lock);
    if (p->stop || p->n_threads == 0 || p->n_queued >= p->queue_max)
        rc = GZ_EBUSY;
    if (rc == GZ_OK && key && p->share_max > 0) {
        sh = share_of(p, key, key_len);
        if (!sh)
            rc = GZ_EBUSY; /* cannot happen: see share_of */
        else if (sh->n >= p->share_max && p->n_queued >= p->queue_max / 4)
            rc = GZ_ELIMIT;
    }
    if (rc == GZ_OK) {
        if (sh)
            sh->n++;
        p->ring[(p->head + p->n_queued) % p->queue_max] = (struct job){ fn, arg, sh };
        p->n_queued++;
        pthread_cond_signal(&p->more);
    }
    pthread_mutex_unlock(&p->lock);
    return rc;
}

int auth_pool_pending(struct auth_pool *p)
{
    int n;

    pthread_mutex_lock(&p->lock);
    n = p->n_queued + p->n_running;
    pthread_mutex_unlock(&p->lock);
    return n;
}

void auth_pool_stop(struct auth_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_broadcast(&p->more);
    if (p->joined) {
        pthread_mutex_unlock(&p->lock);
        return;
    }
    p->joined = 1;
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
}

void auth_pool_free(struct auth_pool *p)
{
    if (!p)
        return;
    auth_pool_stop(p);
    pthread_cond_destroy(&p->more);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p->shares);
    free(p->ring);
    free(p);
}
