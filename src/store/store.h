/*
 * store.h: the one storage interface. Handlers call store_* only; a backend is a struct
 * store_ops (store_sqlite.c now; store_pg.c slots in beside it). A struct store is one
 * connection: use it from one thread at a time.
 * Every function returns GZ_OK or a negative GZ_E* code with detail in err. Outputs are owned
 * by the caller (release them with the model/story.h functions).
 */
#ifndef GZ_STORE_STORE_H
#define GZ_STORE_STORE_H

#include <stdint.h>

#include "core/gz.h"
#include "model/story.h"

struct store;

struct store_ops {
    /* A number that changes whenever content changes, in any process: caches key on it. */
    int (*generation)(struct store *st, int64_t *out, struct err *err);
    int (*sections)(struct store *st, struct section_list *out, struct err *err);
    /* Newest first; section_slug NULL for all sections. */
    int (*latest)(struct store *st, const char *section_slug, int limit, struct brief_list *out,
                  struct err *err);
    /* Same section or a shared tag, newest first, never the story itself. */
    int (*related)(struct store *st, int64_t id, int limit, struct brief_list *out,
                   struct err *err);
    /* GZ_ENOTFOUND when there is no such story. */
    int (*story_get)(struct store *st, int64_t id, struct story **out, struct err *err);
    /* Insert, or replace the story with the same slug; all or nothing. OUT: *id. */
    int (*story_put)(struct store *st, const struct story *s, int64_t *id, struct err *err);
    int (*story_count)(struct store *st, int64_t *out, struct err *err);
    /* GZ_ENOTFOUND when there is no quiz. */
    int (*quiz_latest)(struct store *st, struct quiz_brief *out, struct err *err);
    /* Site settings (e.g. the secret for signed tokens). get: GZ_ENOTFOUND when unset. */
    int (*setting_get)(struct store *st, const char *key, struct buf *out, struct err *err);
    int (*setting_put)(struct store *st, const char *key, const char *value, struct err *err);
    void (*close)(struct store *st);
};

struct store {
    const struct store_ops *ops;
};

/* Open (creating and migrating when needed) the database at path. */
int store_open_sqlite(const char *path, struct store **out, struct err *err);
void store_close(struct store *st);

#endif
