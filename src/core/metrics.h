/*
 * metrics.h: process-wide counters for /metrics (Prometheus text format 0.0.4).
 * Every counter is a C11 atomic updated with relaxed ordering: no locks on the
 * request path, and a scrape reads each value once (values from one scrape may
 * be microseconds apart, which Prometheus tolerates). Hook points are one-line
 * calls at the place the event happens.
 */
#ifndef GZ_CORE_METRICS_H
#define GZ_CORE_METRICS_H

#include <stdint.h>

#include "core/buf.h"

/* Routes as labels: a fixed, small set (never raw paths, which would grow
 * without bound). */
enum metric_route {
    MR_HOME,
    MR_SECTION,
    MR_STORY,
    MR_TRANSCRIPT,
    MR_FEED,
    MR_STATIC,
    MR_MEDIA,
    MR_SEARCH,
    MR_ACCOUNT,
    MR_API,
    MR_NEWSROOM,
    MR_QUIZ,
    MR_PROBE,
    MR_OTHER,
    MR_COUNT
};

/* The route label for a request path. */
enum metric_route metrics_route_of(const char *path);

void metrics_request(enum metric_route route, int status, uint64_t micros);
void metrics_cache(int hit);
void metrics_conn(int delta); /* +1 opened, -1 closed */
void metrics_job(double seconds, int ok);
void metrics_job_depth(int64_t queued);
void metrics_align(double wall_seconds, double audio_seconds);
void metrics_signin_failure(void);
void metrics_notify(int sms, int ok); /* sms: 1 SMS, 0 mail */
/* The background worker is alive: it calls this each loop and on job progress.
 */
void metrics_worker_beat(void);
/* Seconds since the last beat; -1 when the worker never beat. */
int64_t metrics_worker_silence(void);

/* Append every metric in the Prometheus text format. */
void metrics_render(struct buf *b);

#endif
