/*
 * worker.c: the server's background thread: publishes scheduled stories when their time
 * comes and runs queued narration jobs (alignment of an uploaded recording, or espeak-ng
 * synthesis) one at a time, reporting progress in the job row. Jobs live in the database, so
 * a job interrupted by a stop is queued again at the next start.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "align/align.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/metrics.h"
#include "http/http_int.h"
#include "model/markdown.h"
#include "service/job.h"
#include "speech/speech.h"
#include "text/text.h"

struct progress_ctx {
    struct store *st;
    int64_t job;
    struct timespec last;
};

static int on_progress(void *cls, double f)
{
    struct progress_ctx *p = cls;
    struct timespec now;
    struct err err = { 0 };

    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((now.tv_sec - p->last.tv_sec) * 1000 + (now.tv_nsec - p->last.tv_nsec) / 1000000 >= 250 ||
        f >= 1.0) {
        p->last = now;
        metrics_worker_beat();
        /* Progress is a hint for the editor's page, and renews this worker's lease on the
         * job. A failed update costs nothing else, unless the lease is gone: then another
         * server has taken the job over (we were stalled past the lease), so stop. */
        switch (p->st->ops->job_progress(p->st, p->job, f < 0.99 ? f : 0.99, clock_now(), &err)) {
        case GZ_OK:
            break;
        case GZ_ECONFLICT:
            log_warn("worker", "job %lld: %s; stopping", (long long)p->job, err.msg);
            return 1;
        default:
            log_warn("worker", "job %lld: progress not stored: %s", (long long)p->job, err.msg);
        }
    }
    return 0;
}

/* Which sentences are narrated: from the editor's Markdown when there is one, else every row
 * of text (an imported story's unspoken rows were never timed, so they stay out). */
static void spoken_flags(const struct story_lang *sl, int *flags, size_t n)
{
    struct transcript md;
    struct err err = { 0 };
    size_t k = 0;

    for (size_t i = 0; i < n; i++)
        flags[i] = 1;
    if (sl->markdown &&
        markdown_to_transcript(sl->markdown, strlen(sl->markdown), &md, &err) == GZ_OK) {
        for (size_t i = 0; i < md.n_para; i++)
            for (size_t j = 0; j < md.para[i].n_sent && k < n; j++, k++)
                flags[k] = !isnan(md.para[i].sent[j].start);
        transcript_release(&md);
    }
}

static size_t count_sents(const struct transcript *t)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n_para; i++)
        n += t->para[i].n_sent;
    return n;
}

/* A sentence's words from the aligner, when the acoustic model placed them (the DTW's own
 * word estimates are too rough to mark words by); otherwise none. */
static void set_words(struct sent *se, const struct align_seg *sg)
{
    for (size_t w = 0; w < se->n_words; w++)
        free(se->words[w].text);
    free(se->words);
    se->words = NULL;
    se->n_words = 0;
    if (!(sg->flags & ALIGN_ACOUSTIC) || !sg->n_words)
        return;
    se->words = xcalloc(sg->n_words, sizeof *se->words);
    for (size_t w = 0; w < sg->n_words; w++) {
        se->words[w].start = sg->words[w].start;
        se->words[w].end = sg->words[w].end;
        se->words[w].text = utf8_slice(se->text, (size_t)sg->words[w].text_pos,
                                       (size_t)sg->words[w].text_len);
    }
    se->n_words = sg->n_words;
}

static int run_align(struct app *app, struct store *st, int64_t jid, struct story *s,
                     enum lang l, const char *audio, int64_t *flagged, struct err *err)
{
    struct story_lang *sl = &s->l[l];
    size_t n = count_sents(&sl->tr), k = 0;
    struct align_seg *segs = xcalloc(n ? n : 1, sizeof *segs);
    int *spoken = xcalloc(n ? n : 1, sizeof *spoken);
    struct align_audio *aud = NULL;
    struct align_cfg cfg;
    struct progress_ctx pc = { st, jid, { 0, 0 } };
    char path[4096];
    double speech_end = NAN;
    int same_audio = sl->audio && strcmp(sl->audio, audio) == 0, rc;

    spoken_flags(sl, spoken, n);
    for (size_t i = 0; i < sl->tr.n_para; i++)
        for (size_t j = 0; j < sl->tr.para[i].n_sent; j++, k++) {
            segs[k].text = sl->tr.para[i].sent[j].text;
            segs[k].para = (int)i;
            segs[k].spoken = spoken[k];
        }
    snprintf(path, sizeof path, "%s/%s", app->media_dir, audio);
    rc = align_audio_open(path, &aud, err);
    if (rc == GZ_OK) {
        memset(&cfg, 0, sizeof cfg);
        cfg.lang = lang_code(l);
        cfg.want_words = l == LANG_EN; /* the reader page marks the spoken word */
        cfg.progress = on_progress;
        cfg.progress_cls = &pc;
        {
            struct timespec t0, t1;
            clock_gettime(CLOCK_MONOTONIC, &t0);
            rc = align_run(&cfg, aud, segs, n, &speech_end, err);
            clock_gettime(CLOCK_MONOTONIC, &t1);
            if (rc == GZ_OK)
                metrics_align((double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
                              align_audio_seconds(aud));
        }
    }
    if (rc == GZ_OK) {
        /* Keep times an editor already has for unchanged sentences of the same recording
         * (text edits re-time only what changed); take the aligner's for the rest. */
        double prev = -1;
        k = 0;
        *flagged = 0;
        for (size_t i = 0; i < sl->tr.n_para; i++)
            for (size_t j = 0; j < sl->tr.para[i].n_sent; j++, k++) {
                struct sent *se = &sl->tr.para[i].sent[j];
                int keep = same_audio && !isnan(se->start);
                if (!spoken[k]) {
                    se->start = NAN;
                    se->low_confidence = 0;
                    continue;
                }
                if (!keep) {
                    se->start = segs[k].start;
                    se->low_confidence = (segs[k].flags & ALIGN_LOW_CONFIDENCE) != 0;
                    se->confidence = segs[k].confidence;
                    set_words(se, &segs[k]);
                }
                if (!isnan(se->start) && se->start <= prev) {
                    se->start = prev + 0.05; /* never out of order; let the editor look */
                    se->low_confidence = 1;
                }
                if (!isnan(se->start))
                    prev = se->start;
                *flagged += se->low_confidence;
            }
        sl->tr.end = speech_end > prev ? speech_end : prev + 0.5;
        free(sl->audio);
        sl->audio = xstrdup(audio);
        sl->duration = align_audio_seconds(aud);
        sl->synthetic = 0;
    }
    align_audio_free(aud);
    align_segs_release(segs, n);
    free(segs);
    free(spoken);
    return rc;
}

static int run_synth(struct app *app, struct story *s, enum lang l, struct err *err)
{
    struct story_lang *sl = &s->l[l];
    size_t n = count_sents(&sl->tr), k = 0;
    int *spoken = xcalloc(n ? n : 1, sizeof *spoken);
    struct pcm pcm;
    char name[256], path[4096], tok[12];
    int rc;

    spoken_flags(sl, spoken, n);
    for (size_t i = 0; i < sl->tr.n_para; i++)
        for (size_t j = 0; j < sl->tr.para[i].n_sent; j++, k++) {
            sl->tr.para[i].sent[j].start = spoken[k] ? 0.0 : NAN;
            sl->tr.para[i].sent[j].low_confidence = 0;
        }
    free(spoken);
    rc = speech_narrate(l, &sl->tr, &pcm, err);
    if (rc != GZ_OK)
        return rc;
    /* An unguessable name: a draft's narration must not be found by trying names. */
    snprintf(tok, sizeof tok, "%08x", (unsigned)randombytes_random());
    snprintf(name, sizeof name, "%s.%s.synth-%s.mp3", s->slug, lang_code(l), tok);
    snprintf(path, sizeof path, "%s/%s", app->media_dir, name);
    rc = speech_write(path, &pcm, err);
    if (rc == GZ_OK) {
        free(sl->audio);
        sl->audio = xstrdup(name);
        sl->duration = (double)pcm.n / pcm.sr_hz;
        sl->synthetic = 1;
    }
    pcm_release(&pcm);
    return rc;
}

static void run_job(struct app *app, struct store *st, int64_t jid, int64_t story_id,
                    const char *lang, const char *audio)
{
    struct story *s = NULL, *fresh = NULL;
    struct err err = { 0 }, err2 = { 0 };
    struct timespec t0, t1;
    enum lang l;
    int64_t flagged = 0;
    int rc, rc2, stored = 0, synthesized = 0;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = lang_parse(lang, 2, &l);
    if (rc == GZ_OK)
        rc = st->ops->story_get(st, story_id, &s, &err);
    if (rc == GZ_OK && !s->l[l].present)
        rc = err_set(&err, GZ_EINVAL, "the story has no %s text", lang);
    if (rc == GZ_OK)
        rc = audio[0] ? run_align(app, st, jid, s, l, audio, &flagged, &err)
                      : run_synth(app, s, l, &err);
    synthesized = rc == GZ_OK && !audio[0];
    /* Write back only if nobody changed the text meanwhile. */
    if (rc == GZ_OK)
        rc = st->ops->story_get(st, story_id, &fresh, &err);
    if (rc == GZ_OK) {
        const struct transcript *a = &s->l[l].tr, *b = &fresh->l[l].tr;
        int same = a->n_para == b->n_para;
        for (size_t i = 0; same && i < a->n_para; i++) {
            same = a->para[i].n_sent == b->para[i].n_sent;
            for (size_t j = 0; same && j < a->para[i].n_sent; j++)
                same = strcmp(a->para[i].sent[j].text, b->para[i].sent[j].text) == 0;
        }
        if (!same) {
            rc = err_set(&err, GZ_ECONFLICT, "the text changed during the job: run it again");
        } else {
            /* Only the timing and narration of this language move into the fresh copy, so
             * other edits made while the job ran stay. */
            struct story_lang *to = &fresh->l[l], *from = &s->l[l];
            for (size_t i = 0; i < to->tr.n_para; i++)
                for (size_t j = 0; j < to->tr.para[i].n_sent; j++) {
                    to->tr.para[i].sent[j].start = from->tr.para[i].sent[j].start;
                    to->tr.para[i].sent[j].low_confidence = from->tr.para[i].sent[j].low_confidence;
                }
            to->tr.end = from->tr.end;
            free(to->audio);
            to->audio = from->audio ? xstrdup(from->audio) : NULL;
            to->duration = from->duration;
            to->synthetic = from->synthetic;
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    /* The story's new timing and the job's state, stored together. */
    rc2 = job_complete(st, jid, rc == GZ_OK ? fresh : NULL, rc == GZ_OK ? NULL : err.msg, flagged,
                       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9,
                       &stored, &err2);
    if (rc2 != GZ_OK) {
        /* Neither stored: the job stays "running" until its lease runs out; then job_claim
         * takes it again, here or on another server (both backends), counting the start
         * toward the limit of 3. A restart re-queues it at once. */
        log_error("worker", "job %lld: cannot store its end: %s", (long long)jid, err2.msg);
        stored = 0;
    }
    if (synthesized && !stored) { /* a new file nothing references: remove it */
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", app->media_dir, s->l[l].audio);
        unlink(path);
    }
    if (rc2 != GZ_OK) {
        story_free(s);
        story_free(fresh);
        return;
    }
    if (rc == GZ_OK && !stored)
        rc = err_set(&err, GZ_ECONFLICT, "the story was saved during the job: run it again");
    metrics_job((double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9, rc == GZ_OK);
    if (rc != GZ_OK)
        log_warn("worker", "job %lld failed: %s", (long long)jid, err.msg);
    else
        log_info("worker", "job %lld done: story %lld %s, %lld flagged", (long long)jid,
                 (long long)story_id, lang, (long long)flagged);
    story_free(s);
    story_free(fresh);
}

/* A failure the loop meets on every pass (a busy or broken database) is logged at most once a
 * minute per kind (*next: when the next line may be written), so the log says what is wrong
 * without a line every second. */
static void log_pass_failure(const char *what, const struct err *err, int64_t *next)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    if ((int64_t)now.tv_sec < *next)
        return;
    *next = (int64_t)now.tv_sec + 60;
    log_warn("worker", "cannot %s: %s", what, err->msg);
}

static void *loop(void *arg)
{
    struct app *app = arg;
    struct store *st = NULL;
    struct err err = { 0 };
    int64_t next_purge = 0, next_publish_log = 0, next_claim_log = 0;

    if (store_open(app->db_path, &st, &err) != GZ_OK) {
        log_error("worker", "cannot open store: %s", err.msg);
        return NULL;
    }
    if (st->ops->job_requeue(st, &err) != GZ_OK)
        log_error("worker", "cannot re-queue interrupted jobs: %s", err.msg);
    while (!app->worker_stop) {
        int64_t jid, sid, purged = 0;
        char lang[3], audio[256];
        int64_t depth = 0;
        int n = 0, rc;

        /* Expired sessions, codes, reset links, rate events and old audit rows: hourly. */
        if (clock_now() >= next_purge) {
            if (st->ops->purge(st, clock_now(), &purged, &err) != GZ_OK)
                log_warn("worker", "cannot purge expired rows: %s", err.msg);
            else if (purged > 0)
                log_info("worker", "purged %lld expired rows", (long long)purged);
            next_purge = clock_now() + 3600;
        }

        if (st->ops->job_depth(st, &depth, &err) == GZ_OK)
            metrics_job_depth(depth);
        rc = st->ops->publish_due(st, clock_now(), &n, &err);
        if (rc != GZ_OK)
            log_pass_failure("publish scheduled stories", &err, &next_publish_log);
        else if (n > 0)
            log_info("worker", "published %d scheduled stories", n);
        rc = st->ops->job_claim(st, clock_now(), &jid, &sid, lang, audio, sizeof audio, &err);
        /* Alive means able to take work: a worker whose claims fail does not beat. */
        if (rc == GZ_OK || rc == GZ_ENOTFOUND)
            metrics_worker_beat();
        if (rc == GZ_OK) {
            run_job(app, st, jid, sid, lang, audio);
            continue;
        }
        if (rc != GZ_ENOTFOUND)
            log_pass_failure("claim a job", &err, &next_claim_log);
        for (int i = 0; i < 10 && !app->worker_stop; i++)
            usleep(100000);
    }
    store_close(st);
    return NULL;
}

int worker_start(struct app *app)
{
    app->worker_stop = 0;
    app->worker_running = pthread_create(&app->worker, NULL, loop, app) == 0;
    return app->worker_running ? GZ_OK : GZ_EIO;
}

void worker_stop(struct app *app)
{
    if (!app->worker_running)
        return;
    app->worker_stop = 1;
    pthread_join(app->worker, NULL);
    app->worker_running = 0;
}
