/*
 * cache.h: rendered pages by key, valid for one content generation. Entries are reference
 * counted so a response can hold one while the cache drops it. Thread-safe.
 */
#ifndef GZ_HTTP_CACHE_H
#define GZ_HTTP_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "http/compress.h"
#include "render/render.h"

struct cache_entry {
    char *data;
    size_t len;
    size_t csrf_at[CSRF_SLOTS_MAX];
    size_t n_csrf;
    int status;
    const char *ctype; /* static string */
    uint64_t hash;     /* of data: the page part of its ETag */
    struct zpage z;    /* compressed forms, made once (z.gz NULL: send as is) */
    /* private */
    char *key;
    int64_t gen;
    int refs;
};

struct cache *cache_new(size_t max_entries);
void cache_free(struct cache *c);
/* A referenced entry for key at generation gen, or NULL. Release with cache_unref(). */
struct cache_entry *cache_get(struct cache *c, const char *key, int64_t gen);
/* Store data (ownership moves to the cache); returns a referenced entry. Compressible bodies
 * (compress_type_ok, at least COMPRESS_MIN bytes) are compressed here, once. */
struct cache_entry *cache_put(struct cache *c, const char *key, int64_t gen, char *data,
                              size_t len, const size_t *csrf_at, size_t n_csrf, int status,
                              const char *ctype);
void cache_unref(struct cache *c, struct cache_entry *e);

#endif
