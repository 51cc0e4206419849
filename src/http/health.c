/* health.c: /readyz. /healthz (the process answers) is answered in server.c
 * before any lookup; /readyz checks what serving needs and says which check
 * failed. No cookies. */
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>

#include "core/clock.h"
#include "core/metrics.h"
#include "http/http_int.h"

#define WORKER_SILENCE_MAX_S 600 /* a job reports progress every 250 ms; idle loops every 1 s */
/* A worker takes queued work within a second when it is free; work that has waited this long
 * while no job was claimed, reported progress or ended is stuck (the idle condition keeps a
 * job queued behind a long one from counting in the moment between the two). */
#define JOBS_WAIT_MAX_S 300

enum MHD_Result health_ready(struct req *r)
{
    struct app *app = r->app;
    struct err err = { 0 };
    struct statvfs vfs;
    struct job_backlog jb = { 0 };
    struct buf b;
    int64_t gen, silent = metrics_worker_silence();
    long floor_mb = app->min_free_mb > 0 ? app->min_free_mb : 0;
    unsigned long long free_mb = 0;
    int ok = 1, db_ok = 0;
    char *text;
    size_t len;

    buf_init(&b, 0);
    if (!r->st) {
        buf_puts(&b, "database: cannot open\n");
        ok = 0;
    } else if (r->st->ops->generation(r->st, &gen, &err) != GZ_OK) {
        buf_printf(&b, "database: %s\n", err.msg);
        ok = 0;
    } else {
        buf_puts(&b, "database: ok\n");
        db_ok = 1;
    }
    if (statvfs(app->data_dir, &vfs) != 0) {
        buf_printf(&b, "disk: cannot stat '%s'\n", app->data_dir);
        ok = 0;
    } else {
        free_mb = (unsigned long long)vfs.f_bavail * vfs.f_frsize / (1024 * 1024);
        if (free_mb < (unsigned long long)floor_mb) {
            buf_printf(&b, "disk: %llu MB free, below the floor of %ld MB\n", free_mb, floor_mb);
            ok = 0;
        } else {
            buf_printf(&b, "disk: ok (%llu MB free)\n", free_mb);
        }
    }
    if (!app->worker_running || silent < 0) {
        buf_puts(&b, "jobs: the background worker is not running\n");
        ok = 0;
    } else if (silent > WORKER_SILENCE_MAX_S) {
        buf_printf(&b, "jobs: stuck (the worker has not reported for %lld s)\n", (long long)silent);
        ok = 0;
    } else if (db_ok && r->st->ops->job_backlog(r->st, clock_now(), &jb, &err) != GZ_OK) {
        buf_printf(&b, "jobs: cannot read the queue: %s\n", err.msg);
        ok = 0;
    } else if (jb.waiting > 0 && jb.oldest_s > JOBS_WAIT_MAX_S &&
               (jb.idle_s < 0 || jb.idle_s > JOBS_WAIT_MAX_S)) {
        buf_printf(&b, "jobs: stuck (%lld queued, oldest %lld s)\n", (long long)jb.waiting,
                   (long long)jb.oldest_s);
        ok = 0;
    } else {
        buf_puts(&b, "jobs: ok\n");
    }
    text = buf_take(&b, &len);
    return http_send(r, ok ? 200 : 503, "text/plain; charset=utf-8", text, len, "no-store");
}
