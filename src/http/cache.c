#include "http/cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct cache {
    pthread_mutex_t lock;
    struct cache_entry **slot; /* open addressing would need tombstones; chains are simpler */
    size_t n_slots, n, max;
    int64_t gen;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static uint64_t hash_n(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

struct cache *cache_new(size_t max_entries)
{
    struct cache *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->max = max_entries;
    c->n_slots = max_entries * 2;
    c->slot = xcalloc(c->n_slots, sizeof *c->slot);
    return c;
}

static void entry_drop(struct cache_entry *e)
{
    if (--e->refs == 0) {
        free(e->data);
        free(e->key);
        zpage_release(&e->z);
        free(e);
    }
}

/* Empty every slot (lock held). */
static void clear(struct cache *c)
{
    for (size_t i = 0; i < c->n_slots; i++) {
        if (c->slot[i]) {
            entry_drop(c->slot[i]);
            c->slot[i] = NULL;
        }
    }
    c->n = 0;
}

void cache_free(struct cache *c)
{
    if (!c)
        return;
    clear(c);
    free(c->slot);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Linear probe for key; returns the slot index holding it or the first empty one. */
static size_t probe(struct cache *c, const char *key)
{
    size_t i = (size_t)(hash(key) % c->n_slots);
    while (c->slot[i] && strcmp(c->slot[i]->key, key) != 0)
        i = (i + 1) % c->n_slots;
    return i;
}

struct cache_entry *cache_get(struct cache *c, const char *key, int64_t gen)
{
    struct cache_entry *e = NULL;

    pthread_mutex_lock(&c->lock);
    if (gen < c->gen) {
        /* This thread read the generation before another thread saw a newer one: its view
         * is stale. A miss, without clearing what newer readers cached or moving back. */
        pthread_mutex_unlock(&c->lock);
        return NULL;
    }
    if (gen > c->gen) {
        clear(c); /* content changed: every page may show it */
        c->gen = gen;
    }
    e = c->slot[probe(c, key)];
    if (e)
        e->refs++;
    pthread_mutex_unlock(&c->lock);
    return e;
}

struct cache_entry *cache_put(struct cache *c, const char *key, int64_t gen, char *data,
                              size_t len, const size_t *csrf_at, size_t n_csrf, int status,
                              const char *ctype)
{
    struct cache_entry *e = xcalloc(1, sizeof *e);
    size_t i;

    e->data = data;
    e->len = len;
    memcpy(e->csrf_at, csrf_at, n_csrf * sizeof *csrf_at);
    e->n_csrf = n_csrf;
    e->status = status;
    e->ctype = ctype;
    e->key = xstrdup(key);
    e->gen = gen;
    e->refs = 1; /* the caller's */
    e->hash = hash_n(data, len);
    if (len >= COMPRESS_MIN && compress_type_ok(ctype))
        zpage_build(&e->z, data, len, csrf_at, n_csrf); /* on failure z stays empty */

    pthread_mutex_lock(&c->lock);
    if (gen == c->gen) {
        if (c->n >= c->max)
            clear(c);
        i = probe(c, key);
        if (!c->slot[i]) {
            c->slot[i] = e;
            e->refs++;
            c->n++;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return e;
}

void cache_unref(struct cache *c, struct cache_entry *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&c->lock);
    entry_drop(e);
    pthread_mutex_unlock(&c->lock);
}
