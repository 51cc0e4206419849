/*
 * import.h: a story bundle into the site (service layer): validated completely, narration
 * written under content-hashed names (never over a live file), then the story stored in one
 * transaction. A failure at any point changes nothing that is served: on a store failure the
 * narration files no story uses are removed again.
 */
#ifndef GZ_SERVICE_IMPORT_H
#define GZ_SERVICE_IMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/gz.h"
#include "store/store.h"

/* Import the bundle text json. base_dir: where its relative paths point; check: validate only
 * (nothing written, *id 0). GZ_EINVAL (or GZ_EAUDIO, GZ_EIO): one "FIELD: PROBLEM" line per
 * problem appended to problems. Store errors (GZ_EFULL, GZ_EBUSY, GZ_EDB) in err. OUT: *id. */
GZ_MUST_CHECK int imp_story(struct store *st, const char *json, size_t len, const char *base_dir,
                            const char *media_dir, int check, int64_t *id, struct buf *problems,
                            struct err *err);

#endif
