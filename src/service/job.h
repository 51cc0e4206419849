/*
 * job.h: the end of a narration job (service layer). The story's new timing and the job's
 * final state are written in ONE store transaction, so a job is never "done" without its
 * result stored, nor its result stored under a job that still looks running.
 */
#ifndef GZ_SERVICE_JOB_H
#define GZ_SERVICE_JOB_H

#include <stdint.h>

#include "core/gz.h"
#include "model/story.h"
#include "store/store.h"

/* Finish job: with result (the story to store, version-checked) the job is "done" and the story
 * saved together; a story saved meanwhile (GZ_ECONFLICT) or result NULL marks it "failed" with
 * why. Returns GZ_OK when the job's final state is stored (*stored_result says whether the
 * story was); else the store's error (the job stays running; the next start re-queues it). */
GZ_MUST_CHECK int job_complete(struct store *st, int64_t job, const struct story *result,
                               const char *why, int64_t flagged, double seconds, int *stored_result,
                               struct err *err);

#endif
