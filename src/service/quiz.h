/*
 * quiz.h: a reader's answers to a quiz (service layer), in one store transaction: the first
 * attempt is stored, or the stored one is read back for a second; never both, never a second.
 */
#ifndef GZ_SERVICE_QUIZ_H
#define GZ_SERVICE_QUIZ_H

#include <stdint.h>

#include "core/buf.h"
#include "core/gz.h"
#include "store/store.h"

/* Store who's answers (JSON) and score for quiz_id. GZ_ECONFLICT when who answered before:
 * then their first answers are appended to first and *first_score set. GZ_EFULL, GZ_EBUSY,
 * GZ_EDB: nothing stored. */
GZ_MUST_CHECK int qz_answer(struct store *st, int64_t quiz_id, const char *who, const char *answers,
                            int64_t score, int64_t now, struct buf *first, int64_t *first_score,
                            struct err *err);

#endif
