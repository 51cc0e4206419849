/* metrics.c: lock-free counters and their Prometheus text form; see metrics.h.
 */
#include "core/metrics.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "core/gz.h"

typedef _Atomic uint64_t counter;

static const char *const route_name[MR_COUNT] = { "home",    "section", "story",    "transcript",
                                                  "feed",    "static",  "media",    "search",
                                                  "account", "api",     "newsroom", "quiz",
                                                  "probe",   "other" };
/* Statuses as labels: the ones the server sends, then "other". */
static const int status_code[] = { 200, 206, 301, 302, 303, 304, 400, 403, 404,
                                   405, 408, 409, 413, 416, 422, 429, 500, 503 };
#define N_STATUS (GZ_NELEM(status_code) + 1)
/* Latency buckets, upper bounds in microseconds. */
static const uint64_t lat_le[] = { 250,   500,    1000,   2500,   5000,    10000,  25000,
                                   50000, 100000, 250000, 500000, 1000000, 2500000 };
#define N_LAT GZ_NELEM(lat_le)
/* Job duration buckets, seconds. */
static const double job_le[] = { 1, 5, 15, 30, 60, 120, 300, 600, 1800 };
#define N_JOB GZ_NELEM(job_le)

static struct {
    counter req[MR_COUNT][N_STATUS];
    counter lat[N_LAT + 1]; /* the last is +Inf */
    counter lat_sum_us;
    counter cache_hit, cache_miss;
    _Atomic int64_t conns;
    counter job[2]; /* failed, done */
    counter job_hist[N_JOB + 1];
    counter job_sum_ms;
    _Atomic int64_t job_depth;
    counter align_wall_us, align_audio_us;
    counter signin_fail;
    counter notify[2][2]; /* [sms][ok] */
    _Atomic int64_t worker_beat;
} m;

#define ADD(c, v) atomic_fetch_add_explicit(&(c), (v), memory_order_relaxed)
#define GET(c)    atomic_load_explicit(&(c), memory_order_relaxed)

enum metric_route metrics_route_of(const char *p)
{
    static const struct {
        const char *prefix;
        enum metric_route r;
    } pre[] = {
        { "/static/", MR_STATIC },    { "/media/", MR_MEDIA },     { "/section/", MR_SECTION },
        { "/newsroom", MR_NEWSROOM }, { "/api/", MR_API },         { "/quiz/", MR_QUIZ },
        { "/search", MR_SEARCH },     { "/feed", MR_FEED },        { "/sitemap", MR_FEED },
        { "/healthz", MR_PROBE },     { "/readyz", MR_PROBE },     { "/login", MR_ACCOUNT },
        { "/logout", MR_ACCOUNT },    { "/register", MR_ACCOUNT }, { "/forgot", MR_ACCOUNT },
        { "/reset", MR_ACCOUNT },     { "/phone", MR_ACCOUNT },    { "/bind", MR_ACCOUNT },
        { "/account", MR_ACCOUNT },
    };
    size_t n = strlen(p);

    if (strcmp(p, "/") == 0)
        return MR_HOME;
    if (strncmp(p, "/story/", 7) == 0) {
        if ((n > 5 && strcmp(p + n - 5, ".json") == 0) || (n > 4 && strcmp(p + n - 4, ".vtt") == 0))
            return MR_TRANSCRIPT;
        return MR_STORY;
    }
    if (strncmp(p, "/section/", 9) == 0 && n > 9 && strcmp(p + n - 9, "/feed.xml") == 0)
        return MR_FEED;
    for (size_t i = 0; i < GZ_NELEM(pre); i++)
        if (strncmp(p, pre[i].prefix, strlen(pre[i].prefix)) == 0)
            return pre[i].r;
    return MR_OTHER;
}

void metrics_request(enum metric_route route, int status, uint64_t us)
{
    size_t s = N_STATUS - 1, b = N_LAT;

    for (size_t i = 0; i < GZ_NELEM(status_code); i++)
        if (status_code[i] == status)
            s = i;
    for (size_t i = 0; i < N_LAT; i++)
        if (us <= lat_le[i]) {
            b = i;
            break;
        }
    ADD(m.req[route < MR_COUNT ? route : MR_OTHER][s], 1);
    ADD(m.lat[b], 1);
    ADD(m.lat_sum_us, us);
}

void metrics_cache(int hit)
{
    ADD(*(hit ? &m.cache_hit : &m.cache_miss), 1);
}

void metrics_conn(int delta)
{
    ADD(m.conns, delta);
}

void metrics_job(double seconds, int ok)
{
    size_t b = N_JOB;
    for (size_t i = 0; i < N_JOB; i++)
        if (seconds <= job_le[i]) {
            b = i;
            break;
        }
    ADD(m.job[ok != 0], 1);
    ADD(m.job_hist[b], 1);
    ADD(m.job_sum_ms, (uint64_t)(seconds * 1000 + 0.5));
}

void metrics_job_depth(int64_t queued)
{
    atomic_store_explicit(&m.job_depth, queued, memory_order_relaxed);
}

void metrics_align(double wall, double audio)
{
    ADD(m.align_wall_us, (uint64_t)(wall * 1e6));
    ADD(m.align_audio_us, (uint64_t)(audio * 1e6));
}

void metrics_signin_failure(void)
{
    ADD(m.signin_fail, 1);
}

void metrics_notify(int sms, int ok)
{
    ADD(m.notify[sms != 0][ok != 0], 1);
}

static int64_t mono_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec;
}

void metrics_worker_beat(void)
{
    atomic_store_explicit(&m.worker_beat, mono_s() + 1, memory_order_relaxed); /* 0 = never */
}

int64_t metrics_worker_silence(void)
{
    int64_t b = GET(m.worker_beat);
    return b == 0 ? -1 : mono_s() + 1 - b;
}

static void help(struct buf *b, const char *name, const char *type, const char *text)
{
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, text, name, type);
}

void metrics_render(struct buf *b)
{
    uint64_t cum = 0;

    help(b, "gazette_http_requests_total", "counter", "HTTP requests by route and status.");
    for (int r = 0; r < MR_COUNT; r++)
        for (size_t s = 0; s < N_STATUS; s++) {
            uint64_t v = GET(m.req[r][s]);
            if (!v)
                continue;
            if (s < GZ_NELEM(status_code))
                buf_printf(b, "gazette_http_requests_total{route=\"%s\",status=\"%d\"} %llu\n",
                           route_name[r], status_code[s], (unsigned long long)v);
            else
                buf_printf(b, "gazette_http_requests_total{route=\"%s\",status=\"other\"} %llu\n",
                           route_name[r], (unsigned long long)v);
        }
    help(b, "gazette_http_request_duration_seconds", "histogram",
         "Time from the request line to the response being sent.");
    for (size_t i = 0; i <= N_LAT; i++) {
        cum += GET(m.lat[i]);
        if (i < N_LAT)
            buf_printf(b, "gazette_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                       (double)lat_le[i] / 1e6, (unsigned long long)cum);
        else
            buf_printf(b, "gazette_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                       (unsigned long long)cum);
    }
    buf_printf(b, "gazette_http_request_duration_seconds_sum %.6f\n",
               (double)GET(m.lat_sum_us) / 1e6);
    buf_printf(b, "gazette_http_request_duration_seconds_count %llu\n", (unsigned long long)cum);
    help(b, "gazette_page_cache_total", "counter", "Rendered-page cache lookups.");
    buf_printf(b, "gazette_page_cache_total{result=\"hit\"} %llu\n",
               (unsigned long long)GET(m.cache_hit));
    buf_printf(b, "gazette_page_cache_total{result=\"miss\"} %llu\n",
               (unsigned long long)GET(m.cache_miss));
    help(b, "gazette_http_open_connections", "gauge", "Client connections open now.");
    buf_printf(b, "gazette_http_open_connections %lld\n", (long long)GET(m.conns));
    help(b, "gazette_job_queue_depth", "gauge", "Narration jobs waiting (as the worker last saw).");
    buf_printf(b, "gazette_job_queue_depth %lld\n", (long long)GET(m.job_depth));
    help(b, "gazette_jobs_total", "counter", "Narration jobs finished, by result.");
    buf_printf(b, "gazette_jobs_total{result=\"done\"} %llu\n", (unsigned long long)GET(m.job[1]));
    buf_printf(b, "gazette_jobs_total{result=\"failed\"} %llu\n",
               (unsigned long long)GET(m.job[0]));
    help(b, "gazette_job_duration_seconds", "histogram", "Narration job run time.");
    cum = 0;
    for (size_t i = 0; i <= N_JOB; i++) {
        cum += GET(m.job_hist[i]);
        if (i < N_JOB)
            buf_printf(b, "gazette_job_duration_seconds_bucket{le=\"%g\"} %llu\n", job_le[i],
                       (unsigned long long)cum);
        else
            buf_printf(b, "gazette_job_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                       (unsigned long long)cum);
    }
    buf_printf(b, "gazette_job_duration_seconds_sum %.3f\n", (double)GET(m.job_sum_ms) / 1e3);
    buf_printf(b, "gazette_job_duration_seconds_count %llu\n", (unsigned long long)cum);
    help(b, "gazette_align_seconds_total", "counter",
         "Wall time the aligner spent; divide by "
         "gazette_align_audio_seconds_total for seconds "
         "per audio second.");
    buf_printf(b, "gazette_align_seconds_total %.6f\n", (double)GET(m.align_wall_us) / 1e6);
    help(b, "gazette_align_audio_seconds_total", "counter", "Audio the aligner timed.");
    buf_printf(b, "gazette_align_audio_seconds_total %.6f\n", (double)GET(m.align_audio_us) / 1e6);
    help(b, "gazette_signin_failures_total", "counter", "Failed sign-in attempts.");
    buf_printf(b, "gazette_signin_failures_total %llu\n", (unsigned long long)GET(m.signin_fail));
    help(b, "gazette_notify_total", "counter", "Mail and SMS handed to the driver, by result.");
    for (int s = 0; s < 2; s++)
        for (int ok = 1; ok >= 0; ok--)
            buf_printf(b, "gazette_notify_total{channel=\"%s\",result=\"%s\"} %llu\n",
                       s ? "sms" : "mail", ok ? "sent" : "failed",
                       (unsigned long long)GET(m.notify[s][ok]));
    help(b, "gazette_worker_silence_seconds", "gauge",
         "Seconds since the background worker last reported (-1: never).");
    buf_printf(b, "gazette_worker_silence_seconds %lld\n", (long long)metrics_worker_silence());
}
