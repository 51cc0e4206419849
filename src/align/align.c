/* align.c: the aligner pipeline (see align.h for the method). */
#include "align/align.h"

#include <ctype.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <samplerate.h>
#include <sndfile.h>

#include "align/acoustic.h"
#include "align/dtw.h"
#include "align/mfcc.h"
#include "core/buf.h"
#include "tts/tts.h"

#define DIM 13                /* c0..c12: c0 (log energy) tells pauses from speech */
#define SYN_LEAD_S 0.2        /* silence before the first synthetic segment */
#define SYN_GAP_S 0.25        /* silence between synthetic segments */
#define VAD_HOP 80            /* 5 ms at 16 kHz */
#define VAD_WIN 160           /* 10 ms */
#define PAUSE_MIN_FRAMES 16   /* 80 ms */
#define SNAP_WINDOW_S 0.3 /* DTW alone: p90 0.06 s, max 0.17 s on dev + long */
#define DEFAULT_RATE_WPM 260

struct align_audio {
    struct mfcc_plan *plan;
    struct mfcc_stream ms;
    double *blk;         /* sum of squares per VAD_HOP block */
    size_t n_blk, cap_blk;
    double acc;
    size_t in_blk, n_samples;
    struct acoustic_fe *afe; /* NULL: no acoustic model */
};

static struct align_audio *audio_new(const char *model_dir)
{
    struct align_audio *a = xcalloc(1, sizeof *a);
    struct mfcc_cfg cfg;
    struct err e = { 0 };
    mfcc_default(&cfg, ALIGN_SR_HZ);
    a->plan = mfcc_plan_new(&cfg);
    mfcc_stream_init(&a->ms, a->plan);
    if (!model_dir)
        model_dir = ACOUSTIC_MODEL_DEFAULT;
    if (*model_dir && acoustic_fe_new(model_dir, &a->afe, &e) != GZ_OK)
        a->afe = NULL; /* no model there: the acoustic stage is off */
    return a;
}

static void audio_feed(struct align_audio *a, const float *x, size_t n)
{
    mfcc_stream_push(&a->ms, x, n);
    if (a->afe)
        acoustic_fe_push(a->afe, x, n);
    for (size_t i = 0; i < n; i++) {
        a->acc += (double)x[i] * x[i];
        if (++a->in_blk == VAD_HOP) {
            if (a->n_blk == a->cap_blk) {
                a->cap_blk = a->cap_blk ? a->cap_blk * 2 : 4096;
                a->blk = xrealloc(a->blk, a->cap_blk * sizeof *a->blk);
            }
            a->blk[a->n_blk++] = a->acc;
            a->acc = 0;
            a->in_blk = 0;
        }
    }
    a->n_samples += n;
}

static void audio_finish(struct align_audio *a)
{
    mfcc_stream_finish(&a->ms);
    if (a->afe)
        acoustic_fe_finish(a->afe);
}

struct align_audio *align_audio_from_pcm(const float *pcm, size_t n)
{
    struct align_audio *a = audio_new(NULL);
    audio_feed(a, pcm, n);
    audio_finish(a);
    return a;
}

double align_audio_seconds(const struct align_audio *a)
{
    return (double)a->n_samples / ALIGN_SR_HZ;
}

int align_audio_has_model(const struct align_audio *a)
{
    return a->afe != NULL;
}

void align_audio_free(struct align_audio *a)
{
    if (!a)
        return;
    mfcc_stream_release(&a->ms);
    mfcc_plan_free(a->plan);
    acoustic_fe_free(a->afe);
    free(a->blk);
    free(a);
}

#define CHUNK 8192

int align_audio_open(const char *path, struct align_audio **out, struct err *err)
{
    return align_audio_open_model(path, NULL, out, err);
}

int align_audio_open_model(const char *path, const char *model_dir, struct align_audio **out,
                           struct err *err)
{
    SF_INFO info;
    SNDFILE *f;
    SRC_STATE *src = NULL;
    struct align_audio *a = NULL;
    float *raw = NULL, mono[CHUNK], res[CHUNK * 4];
    sf_count_t got, total = 0;
    int rc = GZ_OK, e = 0;

    *out = NULL;
    memset(&info, 0, sizeof info);
    f = sf_open(path, SFM_READ, &info);
    if (!f)
        return err_set(err, GZ_EAUDIO, "cannot decode '%s': %s", path, sf_strerror(NULL));
    if (info.channels <= 0 || info.channels > 64 || info.samplerate < 4000 ||
        info.samplerate > 384000) {
        sf_close(f);
        return err_set(err, GZ_EAUDIO, "cannot decode '%s': %d channels at %d Hz", path,
                       info.channels, info.samplerate);
    }
    if (info.frames <= 0 || info.frames > (sf_count_t)info.samplerate * 4 * 3600) {
        sf_close(f);
        return err_set(err, GZ_EAUDIO, "cannot decode '%s': %s", path,
                       info.frames <= 0 ? "no audio in it" : "longer than 4 hours");
    }
    if (info.samplerate != ALIGN_SR_HZ) {
        src = src_new(SRC_SINC_FASTEST, 1, &e);
        if (!src) {
            sf_close(f);
            return err_set(err, GZ_EAUDIO, "cannot resample '%s': %s", path, src_strerror(e));
        }
    }
    a = audio_new(model_dir);
    raw = xmalloc((size_t)CHUNK * (size_t)info.channels * sizeof *raw);
    for (;;) {
        SRC_DATA d;
        got = sf_readf_float(f, raw, CHUNK);
        if (got < 0)
            got = 0;
        for (sf_count_t t = 0; t < got; t++) {
            double s = 0;
            for (int c = 0; c < info.channels; c++)
                s += raw[(size_t)t * (size_t)info.channels + (size_t)c];
            mono[t] = (float)(s / info.channels);
        }
        total += got;
        if (!src) {
            audio_feed(a, mono, (size_t)got);
        } else {
            /* Feed the resampler until it has taken the whole chunk. */
            long used = 0;
            do {
                memset(&d, 0, sizeof d);
                d.data_in = mono + used;
                d.input_frames = (long)got - used;
                d.data_out = res;
                d.output_frames = (long)(sizeof res / sizeof res[0]);
                d.src_ratio = (double)ALIGN_SR_HZ / info.samplerate;
                d.end_of_input = got < CHUNK;
                e = src_process(src, &d);
                if (e) {
                    rc = err_set(err, GZ_EAUDIO, "cannot resample '%s': %s", path,
                                 src_strerror(e));
                    goto out;
                }
                audio_feed(a, res, (size_t)d.output_frames_gen);
                used += d.input_frames_used;
            } while (used < (long)got || (d.end_of_input && d.output_frames_gen > 0));
        }
        if (got < CHUNK)
            break;
    }
    if (total <= 0) {
        rc = err_set(err, GZ_EAUDIO, "cannot decode '%s': no samples could be read", path);
        goto out;
    }
    if (total < info.frames * 9 / 10) {
        rc = err_set(err, GZ_EAUDIO, "cannot decode '%s': truncated (%lld of %lld frames)",
                     path, (long long)total, (long long)info.frames);
        goto out;
    }
    audio_finish(a);
out:
    free(raw);
    if (src)
        src_delete(src);
    sf_close(f);
    if (rc != GZ_OK) {
        align_audio_free(a);
        return rc;
    }
    *out = a;
    return GZ_OK;
}

/* ---- text normalisation: read numbers the way a narrator does ---- */

static const char *const ones[] = { "zero", "one", "two", "three", "four", "five", "six",
                                    "seven", "eight", "nine", "ten", "eleven", "twelve",
                                    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
                                    "eighteen", "nineteen" };
static const char *const tens[] = { "", "", "twenty", "thirty", "forty", "fifty", "sixty",
                                    "seventy", "eighty", "ninety" };

static void two_digits(struct buf *b, int v)
{
    if (v < 20) {
        buf_puts(b, ones[v]);
    } else {
        buf_puts(b, tens[v / 10]);
        if (v % 10) {
            buf_putc(b, '-');
            buf_puts(b, ones[v % 10]);
        }
    }
}

/* English: a four-digit year 1100..1999 standing alone is read in pairs ("fourteen
 * fifty-five"), where espeak-ng would say "one thousand four hundred and fifty five". */
char *align_normalise(const char *lang, const char *s)
{
    struct buf b;
    size_t n = strlen(s);

    if (lang && strcmp(lang, "en") != 0)
        return xstrdup(s);
    buf_init(&b, 0);
    for (size_t i = 0; i < n;) {
        if (isdigit((unsigned char)s[i]) && (i == 0 || (!isalnum((unsigned char)s[i - 1]) &&
                                                        s[i - 1] != '$' && s[i - 1] != '.' &&
                                                        s[i - 1] != ','))) {
            size_t k = i;
            while (k < n && isdigit((unsigned char)s[k]))
                k++;
            if (k - i == 4 && (k == n || (!isalnum((unsigned char)s[k]) && s[k] != '%' &&
                                          !(s[k] == ',' && k + 1 < n &&
                                            isdigit((unsigned char)s[k + 1])) &&
                                          !(s[k] == '.' && k + 1 < n &&
                                            isdigit((unsigned char)s[k + 1]))))) {
                int y = (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 +
                        (s[i + 3] - '0');
                if (y >= 1100 && y <= 1999) {
                    two_digits(&b, y / 100);
                    buf_putc(&b, ' ');
                    if (y % 100 == 0) {
                        buf_puts(&b, "hundred");
                    } else if (y % 100 < 10) {
                        buf_puts(&b, "oh ");
                        buf_puts(&b, ones[y % 10]);
                    } else {
                        two_digits(&b, y % 100);
                    }
                    i = k;
                    continue;
                }
            }
            buf_append(&b, s + i, k - i);
            i = k;
            continue;
        }
        buf_putc(&b, s[i++]);
    }
    return buf_take(&b, NULL);
}

/* ---- features ---- */

/* The first DIM coefficients of n_cep-wide frames, mean and variance normalised. */
static float *normalise(const float *raw, size_t frames, int n_cep)
{
    float *out = xmalloc((frames ? frames : 1) * DIM * sizeof *out);
    double mean[DIM] = { 0 }, var[DIM] = { 0 };

    for (size_t t = 0; t < frames; t++)
        for (int k = 0; k < DIM; k++) {
            float v = raw[t * (size_t)n_cep + (size_t)k];
            out[t * DIM + (size_t)k] = v;
            mean[k] += v;
        }
    for (int k = 0; k < DIM; k++)
        mean[k] /= frames ? (double)frames : 1.0;
    for (size_t t = 0; t < frames; t++)
        for (int k = 0; k < DIM; k++) {
            double d = out[t * DIM + (size_t)k] - mean[k];
            var[k] += d * d;
        }
    for (int k = 0; k < DIM; k++) {
        double sd = sqrt(var[k] / (frames ? (double)frames : 1.0));
        float inv = (float)(sd > 1e-6 ? 1.0 / sd : 1.0);
        for (size_t t = 0; t < frames; t++)
            out[t * DIM + (size_t)k] = (out[t * DIM + (size_t)k] - (float)mean[k]) * inv;
    }
    return out;
}

/* Synthetic speech goes straight into its MFCC stream, dithered at about -66 dBFS: digital
 * silence has no spectrum to compare with the room tone of a recording. */
struct syn_sink {
    struct mfcc_stream ms;
    uint32_t rng;
};

static void syn_feed(void *cls, const int16_t *pcm, size_t n)
{
    struct syn_sink *s = cls;
    float buf[1024];
    while (n) {
        size_t k = n < 1024 ? n : 1024;
        for (size_t i = 0; i < k; i++) {
            s->rng ^= s->rng << 13;
            s->rng ^= s->rng >> 17;
            s->rng ^= s->rng << 5;
            buf[i] = (float)pcm[i] / 32768.0f + ((float)(s->rng >> 8) / 16777216.0f - 0.5f) * 0.001f;
        }
        mfcc_stream_push(&s->ms, buf, k);
        pcm += k;
        n -= k;
    }
}

/* Mean distance between pseudo-random frame pairs: the scale of "unrelated" frames. */
static float random_distance(const float *a, size_t na, const float *b, size_t nb)
{
    uint64_t x = 88172645463325252ULL;
    double s = 0;
    int cnt = 2000;
    for (int k = 0; k < cnt; k++) {
        size_t i, j;
        double d = 0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        i = (size_t)(x % na);
        j = (size_t)((x >> 32) % nb);
        for (int q = 0; q < DIM; q++) {
            double e = a[i * DIM + (size_t)q] - b[j * DIM + (size_t)q];
            d += e * e;
        }
        s += sqrt(d);
    }
    return (float)(s / cnt);
}

/* ---- voice activity: pauses and speech onsets in the recording ---- */

struct onset {
    double t;          /* speech onset, seconds */
    double pause_from; /* where the pause before it began */
    double pause_len;
};

struct vad {
    float *e;          /* frame energy, dB, VAD_HOP apart */
    size_t n;
    float floor_db, thr_db;
    struct onset *on;
    size_t n_on;
};

static int cmp_float(const void *x, const void *y)
{
    float a = *(const float *)x, b = *(const float *)y;
    return (a > b) - (a < b);
}

/* The onset of the sound that ends a pause (frames [from, t) quiet, t loud), measured the
 * way the usual energy detector does: local noise floor (quietest tenth of the frames around)
 * and peak (99th percentile of the next 2 s); the first frame above max(floor + 15,
 * peak - 25) dB, walked back while above floor + 5..8 dB with dips of up to 10 ms.
 * Returns seconds (frame centre). */
static double refine_onset(const struct vad *v, const float *sm, size_t from, size_t t)
{
    size_t a = from > 200 ? from - 200 : 0, z = t + 400 < v->n ? t + 400 : v->n;
    size_t m = z - a, q, first = t, o;
    float *srt = xmalloc(m * sizeof *srt);
    double fl = 0, sd = 0, peak, hi, lo;

    memcpy(srt, v->e + a, m * sizeof *srt);
    qsort(srt, m, sizeof *srt, cmp_float);
    q = m / 10 > 3 ? m / 10 : (m < 3 ? m : 3);
    for (size_t i = 0; i < q; i++)
        fl += srt[i];
    fl /= (double)q;
    for (size_t i = 0; i < q; i++)
        sd += (srt[i] - fl) * (srt[i] - fl);
    sd = sqrt(sd / (double)q);
    free(srt);
    /* The peak of what follows: the next 2 s. */
    {
        size_t pz = t + 400 < v->n ? t + 400 : v->n, pm = pz - t;
        float *ps = xmalloc((pm ? pm : 1) * sizeof *ps);
        memcpy(ps, v->e + t, pm * sizeof *ps);
        qsort(ps, pm, sizeof *ps, cmp_float);
        peak = pm ? ps[(size_t)(0.99 * (double)(pm - 1))] : v->thr_db;
        free(ps);
    }
    hi = fmax(fl + 15.0, peak - 25.0);
    lo = fmax(fl + fmin(8.0, fmax(5.0, 2.0 * sd)), peak - 50.0);
    if (lo > hi - 3.0)
        lo = hi - 3.0;
    for (size_t k = from; k < z; k++)
        if (sm[k] > hi) {
            first = k;
            break;
        }
    o = first;
    for (;;) {
        size_t nx = SIZE_MAX;
        for (size_t d = 1; d <= 3 && d <= o; d++)
            if (v->e[o - d] > lo) {
                nx = o - d;
                break;
            }
        if (nx == SIZE_MAX || nx < (from > 40 ? from - 40 : 0))
            break;
        o = nx;
    }
    return ((double)o * VAD_HOP + VAD_WIN / 2) / ALIGN_SR_HZ;
}

static void vad_run(const struct align_audio *au, struct vad *v)
{
    size_t nf = au->n_blk >= 2 ? au->n_blk - 1 : 1, q;
    float *sorted, *sm;
    double fl = 0, peak;
    size_t run = 0;
    int active_prev = 1; /* a file that starts with speech has its onset at 0 */

    memset(v, 0, sizeof *v);
    v->n = nf;
    v->e = xmalloc(nf * sizeof *v->e);
    for (size_t t = 0; t < nf; t++) {
        double s = au->n_blk >= 2 ? au->blk[t] + au->blk[t + 1] : 0;
        v->e[t] = (float)(10.0 * log10(s / VAD_WIN + 1e-12));
    }
    sorted = xmalloc(nf * sizeof *sorted);
    memcpy(sorted, v->e, nf * sizeof *sorted);
    qsort(sorted, nf, sizeof *sorted, cmp_float);
    q = nf / 10 ? nf / 10 : 1;
    for (size_t i = 0; i < q; i++)
        fl += sorted[i];
    v->floor_db = (float)(fl / (double)q);
    peak = sorted[nf - 1 - nf / 100];
    free(sorted);
    v->thr_db = (float)fmax(v->floor_db + 12.0, peak - 35.0);
    if (v->thr_db > peak - 6.0)
        v->thr_db = (float)fmax(v->floor_db + 6.0, peak - 6.0);

    /* 3-frame median smoothing against clicks. */
    sm = xmalloc(nf * sizeof *sm);
    for (size_t t = 0; t < nf; t++) {
        float a = v->e[t ? t - 1 : t], b = v->e[t], c = v->e[t + 1 < nf ? t + 1 : t];
        sm[t] = fmaxf(fminf(a, b), fminf(fmaxf(a, b), c));
    }
    v->on = xmalloc((nf / PAUSE_MIN_FRAMES + 2) * sizeof *v->on);
    for (size_t t = 0; t < nf; t++) {
        int active = sm[t] > v->thr_db;
        if (!active) {
            run++;
        } else {
            if (t == 0 || (!active_prev && run >= PAUSE_MIN_FRAMES)) {
                size_t from = t - run;
                v->on[v->n_on].t = refine_onset(v, sm, from, t);
                v->on[v->n_on].pause_from = (double)from * VAD_HOP / ALIGN_SR_HZ;
                v->on[v->n_on].pause_len = t == 0 ? 1.0 : (double)run * VAD_HOP / ALIGN_SR_HZ;
                v->n_on++;
            }
            run = 0;
        }
        active_prev = active;
    }
    free(sm);
}

static int cmp_double(const void *x, const void *y)
{
    double a = *(const double *)x, b = *(const double *)y;
    return (a > b) - (a < b);
}

static void vad_release(struct vad *v)
{
    free(v->e);
    free(v->on);
}

/* A lead-in of music, noise or an unscripted intro that the DTW did not skip ends up inside
 * the first segment, stretching it. When the first segment is far longer than its synthetic
 * duration (scaled by the median speaking-rate ratio) predicts, move its start to the speech
 * onset inside it that gives the expected length, preferring onsets after longer pauses.
 * segs[k].end holds the segment's real duration at this point. */
static void lead_in(struct align_seg *segs, size_t n_seg, const size_t *syn_start,
                    const size_t *syn_end, int sr, double med, const struct vad *vad)
{
    size_t k = 0;
    double expect, start, end, best = INFINITY, pick = NAN;

    while (k < n_seg && !segs[k].spoken)
        k++;
    if (k == n_seg)
        return;
    expect = (double)(syn_end[k] - syn_start[k]) / sr * med;
    start = segs[k].start;
    end = start + segs[k].end;
    if (!(segs[k].end > 1.5 * expect && segs[k].end - expect > 1.0))
        return;
    for (size_t q = 0; q < vad->n_on; q++) {
        const struct onset *o = &vad->on[q];
        double score;
        if (o->t <= start + 0.5 || o->t >= end - 0.3 * expect)
            continue;
        score = fabs((end - o->t) - expect) - 0.5 * fmin(o->pause_len, 1.0);
        if (score < best) {
            best = score;
            pick = o->t;
        }
    }
    if (!isnan(pick) && fabs((end - pick) - expect) < 0.5 * expect) {
        segs[k].start = pick;
        segs[k].end = end - pick;
        segs[k].flags |= ALIGN_SNAPPED;
    }
}

static int progress(const struct align_cfg *cfg, double f);

/* ---- impossible jobs, refused before any work ---- */

/* Audio whose loudest second is near digital silence, or no louder than its quietest part
 * (steady noise, a hum), holds no speech; nor can a recording hold more words than
 * ALIGN_MAX_WORDS_PER_S allows. */
static int check_possible(const struct align_audio *au, const struct align_seg *segs,
                          size_t n_seg, int zh, struct err *err)
{
    double secs = align_audio_seconds(au), lim;
    size_t n_words = 0, n = au->n_blk;
    float *db, loud, quiet;

    for (size_t k = 0; k < n_seg; k++) {
        const unsigned char *p = (const unsigned char *)segs[k].text;
        int in_word = 0;
        if (!segs[k].spoken)
            continue;
        for (; *p; p++) {
            if (zh && *p >= 0xe3 && *p <= 0xe9) { /* a CJK character counts as a word */
                n_words++;
                in_word = 0;
            } else if (isalnum(*p) || *p >= 0x80) {
                if (!in_word && (*p < 0x80 || (*p & 0xc0) != 0x80))
                    n_words++;
                in_word = 1;
            } else if (*p != '\'' && *p != '-') {
                in_word = 0;
            }
        }
    }
    lim = zh ? ALIGN_MAX_ZH_CHARS_PER_S : ALIGN_MAX_WORDS_PER_S;
    if ((double)n_words > lim * fmax(secs, 1.0))
        return err_set(err, GZ_EINVAL, "%zu %s in %.1f seconds is not speech (at most %.0f a second)",
                       n_words, zh ? "characters" : "words", secs, lim);
    if (n < 20)
        return GZ_OK;
    db = xmalloc(n * sizeof *db);
    for (size_t t = 0; t < n; t++)
        db[t] = (float)(10.0 * log10(au->blk[t] / VAD_HOP + 1e-12));
    qsort(db, n, sizeof *db, cmp_float);
    /* The level that the loudest second (or tenth, in a short file) reaches, and the
     * quietest twentieth. */
    loud = db[n - 1 - (n / 10 < 200 ? n / 10 : 200)];
    quiet = db[n / 20];
    free(db);
    if (loud < -60.0f || loud - quiet < 6.0f)
        return err_set(err, GZ_EINVAL,
                       "no speech found: %.0f seconds of %s (loudest second %.0f dBFS)", secs,
                       loud < -60.0f ? "silence" : "steady sound", (double)loud);
    return GZ_OK;
}

/* ---- the acoustic stage (English) ---- */

/* The words of the whole text as the dictionary spells them, and which words each token of
 * a segment (its position in characters) covers. */
struct atok {
    int cpos, clen;      /* characters, from 1 */
    size_t first, n;     /* dictionary words [first, first + n) */
};

struct atext {
    char **w;
    size_t n_w, cap_w;
    struct atok *tok;
    size_t n_tok, cap_tok;
    size_t *tok_from; /* per segment, n_seg + 1 */
    size_t *w_from;   /* per segment, n_seg + 1 */
    unsigned char *src;
};

static void atext_word(struct atext *at, const char *p, size_t n)
{
    char *w;
    size_t m = 0;
    if (!n)
        return;
    if (at->n_w == at->cap_w) {
        at->cap_w = at->cap_w ? at->cap_w * 2 : 256;
        at->w = xrealloc(at->w, at->cap_w * sizeof *at->w);
    }
    w = xmalloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == 0xe2 && i + 2 < n && (unsigned char)p[i + 1] == 0x80 &&
            (unsigned char)p[i + 2] == 0x99) { /* ’ */
            w[m++] = '\'';
            i += 2;
        } else {
            w[m++] = (char)tolower(c);
        }
    }
    w[m] = '\0';
    at->w[at->n_w++] = w;
}

/* One part of a token as a narrator reads it: "$20" is "20 dollars", "3.5%" is "3.5
 * percent" (the number itself goes to espeak-ng, which reads digits). */
static void atext_part(struct atext *at, const char *p, size_t n)
{
    static const struct {
        const char *sym, *one, *many;
    } cur[] = { { "$", "dollar", "dollars" }, { "\xc2\xa3", "pound", "pounds" },
                { "\xe2\x82\xac", "euro", "euros" } };
    const char *after = NULL;

    for (size_t i = 0; i < GZ_NELEM(cur); i++) {
        size_t l = strlen(cur[i].sym);
        if (n > l && memcmp(p, cur[i].sym, l) == 0 && isdigit((unsigned char)p[l])) {
            p += l;
            n -= l;
            after = n == 1 && p[0] == '1' ? cur[i].one : cur[i].many;
            break;
        }
    }
    if (n > 1 && p[n - 1] == '%' && isdigit((unsigned char)p[n - 2])) {
        atext_word(at, p, n - 1);
        atext_word(at, "percent", 7);
    } else {
        atext_word(at, p, n);
    }
    if (after)
        atext_word(at, after, strlen(after));
}

/* Punctuation around a token: ASCII other than $ % ' and the letters and digits, and the
 * typographic quotes and dashes (U+2010..U+201F, U+2026). */
static size_t punct_len(const unsigned char *p, size_t n)
{
    if (n >= 3 && p[0] == 0xe2 && p[1] == 0x80 && (p[2] >= 0x90 && p[2] <= 0xa6))
        return 3;
    if (n >= 2 && p[0] == 0xc2 && (p[1] == 0xab || p[1] == 0xbb)) /* « » */
        return 2;
    if (p[0] < 0x80 && !isalnum(p[0]) && p[0] != '$' && p[0] != '%')
        return 1;
    return 0;
}

static size_t utf8_chars(const char *s, size_t n)
{
    size_t c = 0;
    for (size_t i = 0; i < n; i++)
        c += ((unsigned char)s[i] & 0xc0) != 0x80;
    return c;
}

static void atext_segment(struct atext *at, const char *text)
{
    size_t n = strlen(text), i = 0;
    while (i < n) {
        size_t a, b, pl;
        char *norm;
        struct atok *t;
        while (i < n && isspace((unsigned char)text[i]))
            i++;
        a = i;
        while (i < n && !isspace((unsigned char)text[i]))
            i++;
        b = i;
        /* Trim punctuation on both sides (a trailing quote after a letter: "dogs'" stays). */
        while (a < b && (pl = punct_len((const unsigned char *)text + a, b - a)) > 0)
            a += pl;
        while (a < b) {
            size_t k = b - 1;
            while (k > a && ((unsigned char)text[k] & 0xc0) == 0x80)
                k--;
            if (punct_len((const unsigned char *)text + k, b - k) != b - k)
                break;
            b = k;
        }
        if (a >= b)
            continue;
        if (at->n_tok == at->cap_tok) {
            at->cap_tok = at->cap_tok ? at->cap_tok * 2 : 256;
            at->tok = xrealloc(at->tok, at->cap_tok * sizeof *at->tok);
        }
        t = &at->tok[at->n_tok++];
        t->cpos = (int)utf8_chars(text, a) + 1;
        t->clen = (int)utf8_chars(text + a, b - a);
        t->first = at->n_w;
        /* Read as a narrator would (years in pairs), then one dictionary word per part. */
        {
            char *core = xstrndup(text + a, b - a);
            norm = align_normalise("en", core);
            free(core);
        }
        for (const char *p = norm; *p;) {
            size_t len = strcspn(p, " -/\xe2");
            if (p[len] == '\xe2' && punct_len((const unsigned char *)p + len, strlen(p + len)) == 0) {
                len += 1 + strcspn(p + len + 1, " -/"); /* another UTF-8 letter */
            }
            {
                /* Trim again: normalising may leave punctuation at the edges of a part. */
                size_t x = 0, y = len;
                while (x < y && punct_len((const unsigned char *)p + x, y - x) == 1 &&
                       p[x] != '\'')
                    x++;
                while (y > x && punct_len((const unsigned char *)p + y - 1, 1) == 1 &&
                       p[y - 1] != '\'' && p[y - 1] != '%')
                    y--;
                atext_part(at, p + x, y - x);
            }
            p += len;
            while (*p == ' ' || *p == '-' || *p == '/' ||
                   (*p == '\xe2' && punct_len((const unsigned char *)p, strlen(p)) == 3))
                p += *p == '\xe2' ? 3 : 1;
        }
        free(norm);
        t->n = at->n_w - t->first;
        if (t->n == 0)
            at->n_tok--;
    }
}

static void atext_release(struct atext *at)
{
    for (size_t i = 0; i < at->n_w; i++)
        free(at->w[i]);
    free(at->w);
    free(at->tok);
    free(at->tok_from);
    free(at->w_from);
    free(at->src);
}

#define AC_BEFORE_S 1.0   /* the window begins this long before the DTW estimate */
#define AC_AFTER_S 1.0    /* and ends this long after the next segment's estimate */
#define AC_QUICK_S 1.5    /* or, for starts only, this long after the segment's own */
#define AC_BODY 5         /* words decoded for a start only */
#define AC_MAX_SHIFT_S 1.2 /* a decoded start further than this from the estimate is refused */
#define AC_PRE 8          /* words of the sentence before, as context (> 1 s of speech) */
#define AC_POST 3         /* words of the next sentence after a whole one */
#define AC_CENTRE_S 0.0128 /* a frame's time is its window's centre (25.6 ms windows) */
#define AC_SNAP_S 0.06    /* a speech onset this close to the decoded start is taken */
#define AC_SNAP_PAUSE_S 0.25 /* ... after a pause at least this long */
#define AC_AGREE_S 0.35   /* the model agrees with a DTW start snapped to a pause */
#define AC_MAX_WORD_S 1.0 /* a first word longer than this is not trusted */
#define AC_SNAP_IN_S 0.4   /* an onset inside the first word, this far after its start */
#define AC_SNAP_BACK_S 0.2 /* or a clear-pause onset this far before it */
#define AC_GAP_S 0.1       /* a pause at least this long that holds the whole first word */
#define AC_GAP_MAX_S 1.0   /* a partial decode's word this long after the one before wandered */
#define AC_RELAY_PAD_S 0.3   /* a re-laid window begins this long before the sentence before */
#define AC_RELAY_SHIFT_S 2.5 /* its start is refused this far from the estimate (a model lost
                              * on the voice spreads the sentence before over it) */

/* Where the sound of a word begins, near the model's start s: the model counts the silent
 * closure of a stop or the faint start of a fricative as part of the word, the energy onset
 * (what a listener hears, and how the corpus defines a start) comes at the burst. The quietest
 * frame from s - 60 ms to s + 30 ms is the local floor; when the next 150 ms rise at least
 * 12 dB above it, the onset is the first frame past the middle of that rise, walked back
 * while 6 dB above the floor. Otherwise s stands. */
static double local_onset(const struct vad *v, double s)
{
    long a = (long)((s - 0.06) * ALIGN_SR_HZ / VAD_HOP), b = (long)((s + 0.03) * ALIGN_SR_HZ / VAD_HOP);
    long z = (long)((s + 0.15) * ALIGN_SR_HZ / VAD_HOP), k, lo_at = -1;
    float lo = INFINITY, hi = -INFINITY, mid;

    if (a < 0)
        a = 0;
    if (z >= (long)v->n)
        z = (long)v->n - 1;
    if (b > z)
        b = z;
    for (k = a; k <= b; k++)
        if (v->e[k] < lo) {
            lo = v->e[k];
            lo_at = k;
        }
    if (lo_at < 0)
        return s;
    for (k = lo_at; k <= z; k++)
        hi = fmaxf(hi, v->e[k]);
    if (hi - lo < 12.0f)
        return s;
    mid = 0.5f * (lo + hi);
    for (k = lo_at; k <= z && v->e[k] <= mid; k++)
        ;
    while (k > lo_at && v->e[k - 1] > lo + 6.0f)
        k--;
    return ((double)k * VAD_HOP + VAD_WIN / 2) / ALIGN_SR_HZ;
}

/* Append the text's words [from, to) to a window's word list of n; returns the new length. */
static size_t window_words(const struct atext *at, size_t from, size_t to, char **names,
                           unsigned char *src, size_t n)
{
    for (size_t x = from; x < to; x++) {
        names[n] = at->w[x];
        src[n++] = at->src[x];
    }
    return n;
}

/* Where the first AC_POST words of segment q (that follow a window's sentence) end. */
static size_t post_end(const struct atext *at, size_t q)
{
    return at->w_from[q] + AC_POST < at->w_from[q + 1] ? at->w_from[q] + AC_POST
                                                       : at->w_from[q + 1];
}

/* The first word of hits[n_pre, n) the model placed; n when there is none or when it is
 * stretched over more than AC_MAX_WORD_S (it has swallowed a lead-in or noise). */
static size_t first_placed(const struct acoustic_hit *hits, size_t n_pre, size_t n)
{
    size_t g = n_pre;
    while (g < n && hits[g].start < 0)
        g++;
    if (g < n && (hits[g].end - hits[g].start) * ACOUSTIC_FRAME_S > AC_MAX_WORD_S)
        return n;
    return g;
}

/* A token's start and end from the hits of its dictionary words (hits[x - x0] for word x);
 * NAN when the model placed none of them. */
static void token_times(const struct atok *tk, const struct acoustic_hit *hits, size_t x0,
                        double *ws, double *we)
{
    *ws = *we = NAN;
    for (size_t x = tk->first; x < tk->first + tk->n; x++) {
        const struct acoustic_hit *h = &hits[x - x0];
        if (h->start < 0)
            continue;
        if (isnan(*ws))
            *ws = h->start * ACOUSTIC_FRAME_S + AC_CENTRE_S;
        *we = h->end * ACOUSTIC_FRAME_S + AC_CENTRE_S;
    }
}

/* A word a decode put past the next sentence's estimate nx, or (a partial decode) more than
 * AC_GAP_MAX_S after the word before ended: the decode wandered. */
static int wandered_to(double ws, double last_end, double nx, double start, int full)
{
    return !isnan(ws) && ((ws >= nx && nx > start) ||
                          (!full && !isnan(last_end) && ws - last_end > AC_GAP_MAX_S));
}

/* Words the model did not place (skipped by the grammar, or after where a partial decode
 * stopped) get starts spread between the placed words around them, by length in characters;
 * a run at the end at about 0.35 s a word, not past `limit` (the next sentence). Their end
 * stays unknown. */
static void spread_unplaced(struct align_word *w, size_t m, double start, double limit)
{
    double a = start;
    for (size_t i = 0; i < m;) {
        size_t j = i, chars = 0, cum = 0;
        double b;
        if (!isnan(w[i].start)) {
            a = isnan(w[i].end) ? w[i].start : w[i].end;
            i++;
            continue;
        }
        while (j < m && isnan(w[j].start))
            chars += (size_t)w[j++].text_len + 1;
        b = j < m ? w[j].start : fmin(limit, a + 0.35 * (double)(j - i));
        if (b < a)
            b = a;
        for (; i < j; i++) {
            w[i].start = a + (b - a) * (double)cum / (double)chars;
            cum += (size_t)w[i].text_len + 1;
        }
    }
}

/* Whether t is a speech onset after a pause of at least AC_SNAP_PAUSE_S. */
static int strong_onset(const struct vad *v, double t)
{
    for (size_t o = 0; o < v->n_on; o++)
        if (fabs(v->on[o].t - t) < 1e-9 && v->on[o].pause_len >= AC_SNAP_PAUSE_S)
            return 1;
    return 0;
}

/* Refine every spoken segment's start (and, with want_words, its words) by the acoustic
 * model. Segments the model cannot place keep their estimate and lose confidence. */
static int acoustic_stage(const struct align_cfg *cfg, const struct align_audio *au,
                          const struct vad *vad, struct align_seg *segs, size_t n_seg,
                          double *speech_end, struct err *err)
{
    struct acoustic *ac = NULL;
    struct atext at = { 0 };
    struct acoustic_hit *hits = NULL;
    char **names = NULL;
    unsigned char *src = NULL;
    float *ppf = NULL; /* acoustic score per frame, per segment */
    double secs = align_audio_seconds(au), prev_start = -1.0;
    int rc, anchor_frame = 0, quick = !cfg->want_words;
    size_t cap = 16, anchor_w = SIZE_MAX;

    rc = acoustic_new(acoustic_fe_model(au->afe), &ac, err);
    if (rc != GZ_OK)
        return rc == GZ_ENOTFOUND ? GZ_OK : rc;
    at.tok_from = xcalloc(n_seg + 1, sizeof *at.tok_from);
    at.w_from = xcalloc(n_seg + 1, sizeof *at.w_from);
    for (size_t k = 0; k < n_seg; k++) {
        at.tok_from[k] = at.n_tok;
        at.w_from[k] = at.n_w;
        if (segs[k].spoken)
            atext_segment(&at, segs[k].text);
    }
    at.tok_from[n_seg] = at.n_tok;
    at.w_from[n_seg] = at.n_w;
    at.src = xcalloc(at.n_w ? at.n_w : 1, 1);
    rc = acoustic_add_words(ac, at.w, at.n_w, at.src, err);
    if (rc != GZ_OK)
        goto out;
    ppf = xmalloc(n_seg * sizeof *ppf);
    for (size_t k = 0; k < n_seg; k++) {
        size_t nb = at.w_from[k + 1] - at.w_from[k];
        ppf[k] = NAN;
        if (2 * nb + AC_PRE + AC_POST > cap) /* a re-laid window: two sentences */
            cap = 2 * nb + AC_PRE + AC_POST;
        for (size_t w = at.w_from[k]; w < at.w_from[k + 1]; w++)
            if (at.src[w] != ACOUSTIC_DICT) {
                struct buf g;
                segs[k].flags |= ALIGN_GUESSED;
                buf_init(&g, 0);
                if (segs[k].guessed)
                    buf_printf(&g, "%s ", segs[k].guessed);
                buf_puts(&g, at.w[w]);
                free(segs[k].guessed);
                segs[k].guessed = buf_take(&g, NULL);
            }
    }
    names = xmalloc(cap * sizeof *names);
    src = xmalloc(cap);
    hits = xmalloc(cap * sizeof *hits);

    for (size_t k = 0; k < n_seg; k++) {
        size_t p = k, q = k + 1, n = 0, n_pre = 0, nb, body, must, wf = at.w_from[k], entry_max,
               gf = 0;
        double est = segs[k].start, f0s = 0.0, f1s = 0.0, start = NAN, nx;
        struct err e2 = { 0 };
        int ok, full = 0, relaid;
        if (!segs[k].spoken || isnan(est))
            continue;
        while (p > 0 && !segs[p - 1].spoken)
            p--;
        while (q < n_seg && !segs[q].spoken)
            q++;
        nb = at.w_from[k + 1] - wf;
        if (nb == 0)
            continue;
        /* For starts only, a DTW start snapped to the onset after a clear pause in a segment
         * that matched well would stand anyway (see below): not decoded, which keeps read
         * narration with pauses at DTW speed. */
        if (quick && segs[k].confidence >= 0.99f && strong_onset(vad, est)) {
            prev_start = est;
            continue;
        }
        body = quick && nb > AC_BODY ? AC_BODY : nb;
        nx = q < n_seg && !isnan(segs[q].start) ? segs[q].start : secs;
        /* Two ways to frame the window. Around the DTW estimate (plan 0): the last words of
         * the spoken segment before as context, then this one's words. Re-laid (plan 1): the
         * whole segment before, from its start, then this one's first words; the DTW then
         * only bounds the window's end. On a voice far from espeak-ng's the DTW can be
         * seconds off (pitch-shifted dev episodes: up to 2 s), and a start that is not decoded
         * as a matter of course is one the DTW was unsure of: for starts only the re-laid
         * window comes first; otherwise it is the second try. */
        ok = 0;
        relaid = 0;
        for (int tr = 0; tr < 3 && !ok; tr++) {
            /* {plan, partial}: a decode allowed to stop after any word comes last, after
             * both windows failed to place the whole sentence (or a start's first three). */
            static const signed char order[2][3][2] = { { { 0, 0 }, { 1, 0 }, { 0, 1 } },
                                                        { { 1, 0 }, { 0, 0 }, { 0, 1 } } };
            int plan = order[quick][tr][0], partial = order[quick][tr][1];
            n = 0;
            if (plan == 1) {
                if (p == 0 || isnan(segs[p - 1].start) || at.w_from[p] == at.w_from[p - 1])
                    continue;
                n = window_words(&at, at.w_from[p - 1], at.w_from[p], names, src, n);
                f0s = fmax(0.0, segs[p - 1].start - AC_RELAY_PAD_S);
                f1s = fmin(fmax(est, nx) + AC_AFTER_S, f0s + 55.0);
                entry_max = 0;
            } else if (p > 0 && anchor_w != SIZE_MAX && !quick) {
                /* Chained: from the start of the second-to-last word of the segment before,
                 * where the last window put it (a word boundary, so the window begins with
                 * no partial word). */
                n = window_words(&at, anchor_w, at.w_from[p], names, src, n);
                f0s = fmax(anchor_frame * ACOUSTIC_FRAME_S - 0.03, prev_start + 0.05);
                entry_max = 0;
            } else {
                /* Otherwise about a second of the words before. */
                if (p > 0) {
                    size_t pe = at.w_from[p], ps = at.w_from[p - 1];
                    n = window_words(&at, pe - (pe - ps > AC_PRE ? AC_PRE : pe - ps), pe, names,
                                     src, n);
                }
                f0s = fmax(fmax(0.0, est - AC_BEFORE_S), prev_start + 0.05);
                entry_max = n ? n - 1 : 0;
            }
            if (plan == 0)
                f1s = quick ? fmin(est + AC_QUICK_S, nx + AC_AFTER_S)
                            : fmin(nx + AC_AFTER_S, f0s + 55.0);
            n_pre = n;
            n = window_words(&at, wf, wf + body, names, src, n);
            /* At least three words of a start, all of a whole segment. */
            must = quick ? n_pre + (body < 3 ? body : 3) - 1 : n - 1;
            /* A whole segment is followed by the first words of the next one. */
            if (q < n_seg && body == nb)
                n = window_words(&at, at.w_from[q], post_end(&at, q), names, src, n);
            /* Partial: no path to the end (a word far from its guessed pronunciation can
             * lose every path), so allowed to stop after any word; what was placed counts. */
            if (partial && must == n_pre)
                continue;
            ok = acoustic_decode(ac, au->afe, (size_t)(f0s / ACOUSTIC_FRAME_S),
                                 (size_t)(f1s / ACOUSTIC_FRAME_S), names, src, n, n_pre,
                                 entry_max, partial ? n_pre : must, hits, &e2) == GZ_OK;
            full = ok && !partial;
            gf = ok ? first_placed(hits, n_pre, n) : n;
            start = gf < n ? hits[gf].start * ACOUSTIC_FRAME_S + AC_CENTRE_S : NAN;
            ok = !isnan(start) && start > prev_start + (plan ? 0.05 : 0.0) &&
                 fabs(start - est) <= (plan ? AC_RELAY_SHIFT_S : AC_MAX_SHIFT_S);
            relaid = ok && plan == 1;
        }
        anchor_w = SIZE_MAX;
        if (ok && full && nb >= 2 && !quick) {
            /* The next window starts at this segment's second-to-last placed word. */
            size_t g = n_pre, placed = 0;
            for (size_t i = nb; i-- > 0;) {
                g = n_pre + i;
                if (hits[g].start >= 0 && ++placed == 2)
                    break;
            }
            if (placed == 2) {
                anchor_w = wf + (g - n_pre);
                anchor_frame = hits[g].start;
            }
        }
        if (ok) {
            /* After a clear pause, the energy onset (5 ms hop) is finer than the model's
             * 10 ms frames and silence boundary, and the model can take a breath or a reduced
             * first word ("it is") for the end of the sentence before. So: a DTW start
             * snapped to the onset after a clear pause stands when the model agrees within
             * AC_AGREE_S, and also when the model's start is not at a clear pause itself
             * (synthetic or odd voices fool the model more than the pause detector); else the
             * model's start, moved to a clear-pause onset within AC_SNAP_S. */
            const struct onset *at_est = NULL, *at_start = NULL;
            double best = INFINITY, before = -INFINITY;
            double w_end = hits[gf].end * ACOUSTIC_FRAME_S + AC_CENTRE_S;
            for (size_t x = 0; x < gf; x++)
                if (hits[x].start >= 0)
                    before = hits[x].end * ACOUSTIC_FRAME_S + AC_CENTRE_S;
            for (size_t o = 0; o < vad->n_on; o++) {
                const struct onset *on = &vad->on[o];
                double d = fabs(on->t - start);
                int clear = on->pause_len >= AC_SNAP_PAUSE_S, near;
                if (clear && (segs[k].flags & ALIGN_SNAPPED) && fabs(on->t - est) < 1e-9)
                    at_est = on;
                /* Near the model's start after a clear pause. Or the model took the pause into
                 * a reduced first word ("it", "a"): a clear-pause onset inside that word is its
                 * start, and so is the end of any pause that holds the whole word. Or the model
                 * left the start of the word to silence: a clear-pause onset shortly before,
                 * after the word before ended. */
                near = (clear && d <= AC_SNAP_S) ||
                       (on->t > start && d <= AC_SNAP_IN_S &&
                        ((clear && on->t < w_end - 0.05) ||
                         (on->pause_len >= AC_GAP_S && on->t - on->pause_len <= start + 0.02 &&
                          on->t >= w_end - 0.05))) ||
                       (clear && on->t < start && d <= AC_SNAP_BACK_S && on->t > before);
                if (near && d <= best && on->t > prev_start + 0.05) {
                    best = d;
                    at_start = on;
                }
            }
            if (at_est && (fabs(est - start) <= AC_AGREE_S || (!relaid && !at_start))) {
                if (fabs(est - start) > AC_AGREE_S)
                    segs[k].confidence *= 0.7f; /* the two disagree: worth a look */
                start = est;
            } else if (at_start) {
                start = at_start->t;
            } else {
                start = local_onset(vad, start);
            }
        }
        if (ok) {
            long sc = 0, fr = 0;
            for (size_t g = n_pre; g < n_pre + body; g++)
                if (hits[g].start >= 0) {
                    sc += hits[g].ascr;
                    fr += hits[g].end - hits[g].start;
                }
            ppf[k] = fr > 0 ? (float)sc / (float)fr : NAN;
            segs[k].start = start;
            segs[k].flags |= ALIGN_ACOUSTIC;
            if (!quick) {
                size_t t0 = at.tok_from[k], nt = at.tok_from[k + 1] - t0, m = 0;
                double last_end = NAN;
                int wandered = 0;
                free(segs[k].words);
                segs[k].words = xcalloc(nt ? nt : 1, sizeof *segs[k].words);
                for (size_t t = 0; t < nt; t++) {
                    const struct atok *tk = &at.tok[t0 + t];
                    struct align_word *w = &segs[k].words[m];
                    double ws, we;
                    token_times(tk, hits + n_pre, wf, &ws, &we);
                    /* What follows a wandering word is decoded again below. */
                    wandered = wandered || wandered_to(ws, last_end, nx, start, full);
                    if (wandered)
                        ws = we = NAN;
                    w->start = ws;
                    w->end = we;
                    w->text_pos = tk->cpos;
                    w->text_len = tk->clen;
                    for (size_t x = tk->first; x < tk->first + tk->n; x++)
                        w->guessed |= at.src[x] != ACOUSTIC_DICT;
                    if (!isnan(we))
                        last_end = we;
                    m++;
                }
                segs[k].n_words = m;
                /* A partial decode stopped at a word the model could not match (a mispronounced
                 * or misread word): the rest is decoded again from where the last placed word
                 * ended, without that word, up to three times. */
                for (int round = 0; round < 3 && !full; round++) {
                    size_t u = m, x0, x1 = at.w_from[k + 1], n2;
                    double g0, g1;
                    while (u > 0 && isnan(segs[k].words[u - 1].start))
                        u--;
                    if (u + 1 >= m)
                        break;
                    x0 = at.tok[t0 + u + 1].first;
                    n2 = window_words(&at, x0, x1, names, src, 0);
                    if (q < n_seg)
                        n2 = window_words(&at, at.w_from[q], post_end(&at, q), names, src, n2);
                    g0 = u > 0 ? segs[k].words[u - 1].end : start;
                    g1 = fmin(nx + AC_AFTER_S, g0 + 55.0);
                    if (isnan(g0) || x1 <= x0)
                        break;
                    full = acoustic_decode(ac, au->afe, (size_t)(g0 / ACOUSTIC_FRAME_S),
                                           (size_t)(g1 / ACOUSTIC_FRAME_S), names, src, n2, 0, 0,
                                           x1 - x0 - 1, hits, &e2) == GZ_OK;
                    if (!full && acoustic_decode(ac, au->afe, (size_t)(g0 / ACOUSTIC_FRAME_S),
                                                 (size_t)(g1 / ACOUSTIC_FRAME_S), names, src, n2,
                                                 0, 0, 0, hits, &e2) != GZ_OK)
                        break;
                    wandered = 0;
                    for (size_t t = u + 1; t < m; t++) {
                        const struct atok *tk = &at.tok[t0 + t];
                        struct align_word *w = &segs[k].words[t];
                        if (wandered)
                            continue;
                        token_times(tk, hits, x0, &w->start, &w->end);
                        if (wandered_to(w->start, last_end, nx, start, full)) {
                            w->start = w->end = NAN;
                            wandered = 1;
                        }
                        if (!isnan(w->end))
                            last_end = w->end;
                    }
                    if (isnan(segs[k].words[u + 1].start))
                        break; /* nothing gained */
                }
                spread_unplaced(segs[k].words, m, start, nx > start ? nx : secs);
                if (!isnan(last_end))
                    segs[k].end = last_end;
            }
            prev_start = start;
        } else {
            segs[k].confidence *= 0.6f;
            if (segs[k].confidence < 0.5f)
                segs[k].flags |= ALIGN_LOW_CONFIDENCE;
            prev_start = segs[k].start;
            /* No words rather than the DTW's rough ones (measured: median 0.36 s off). */
            if (!quick) {
                free(segs[k].words);
                segs[k].words = NULL;
                segs[k].n_words = 0;
            }
        }
        if (progress(cfg, 0.9 + 0.1 * (double)(k + 1) / (double)n_seg)) {
            rc = err_set(err, GZ_ECONFLICT, "cancelled");
            goto out;
        }
    }
    /* Confidence: a segment the model matched far worse than the recording's median. */
    {
        float *v = xmalloc(n_seg * sizeof *v), med;
        size_t m = 0;
        for (size_t k = 0; k < n_seg; k++)
            if (!isnan(ppf[k]))
                v[m++] = ppf[k];
        qsort(v, m, sizeof *v, cmp_float);
        med = m ? v[m / 2] : 0;
        free(v);
        for (size_t k = 0; k < n_seg; k++) {
            if (!(segs[k].flags & ALIGN_ACOUSTIC))
                continue;
            /* Scores are log-likelihoods (base 1.0001) per frame; 2.5x the median's
             * distance from zero is a sentence the model barely recognised. The DTW's own
             * doubts (a squeezed or stretched segment) stay. */
            float c = 1.0f;
            if (!isnan(ppf[k]) && med < 0 && ppf[k] < 2.5f * med)
                c = 0.4f;
            else if (!isnan(ppf[k]) && med < 0 && ppf[k] < 1.7f * med)
                c = 0.7f;
            if (c < segs[k].confidence)
                segs[k].confidence = c;
            if (segs[k].confidence < 0.5f)
                segs[k].flags |= ALIGN_LOW_CONFIDENCE;
        }
    }
    /* Ends follow the new starts: an end past the next start (or before its own) becomes the
     * next start. */
    for (size_t k = 0; k < n_seg; k++) {
        size_t q = k + 1;
        if (!segs[k].spoken)
            continue;
        while (q < n_seg && !segs[q].spoken)
            q++;
        if (q < n_seg && (segs[k].end > segs[q].start || segs[k].end <= segs[k].start))
            segs[k].end = segs[q].start;
        if (q == n_seg) {
            if (segs[k].end <= segs[k].start)
                segs[k].end = fmin(segs[k].start + 0.1, secs);
            *speech_end = segs[k].end;
        }
    }
out:
    free(names);
    free(src);
    free(hits);
    free(ppf);
    atext_release(&at);
    acoustic_free(ac);
    return rc;
}

/* ---- the pipeline ---- */

static int progress(const struct align_cfg *cfg, double f)
{
    return cfg->progress ? cfg->progress(cfg->progress_cls, f) : 0;
}

int align_run(const struct align_cfg *cfg, const struct align_audio *audio,
              struct align_seg *segs, size_t n_seg, double *speech_end, struct err *err)
{
    struct tts_out syn = { 0 };
    struct syn_sink sink;
    struct mfcc_plan *syn_plan = NULL;
    struct mfcc_cfg syn_cfg;
    size_t *syn_start = NULL, *syn_end = NULL, *word_from = NULL, n_spoken = 0;
    float *fa = NULL, *fb = NULL;
    size_t na = 0, nb = 0;
    struct dtw_path path = { 0 };
    struct dtw_cfg dcfg;
    struct vad vad = { 0 };
    int zh = cfg->lang && strcmp(cfg->lang, "zh") == 0;
    int rc = GZ_OK;
    uint32_t *map = NULL; /* synthetic frame -> first real frame on the path */
    float *cost_at = NULL;
    double syn_hop_s, real_hop_s = 0.010;

    *speech_end = NAN;
    for (size_t k = 0; k < n_seg; k++) {
        segs[k].start = segs[k].end = NAN;
        segs[k].confidence = 0;
        segs[k].flags = 0;
        n_spoken += segs[k].spoken;
    }
    if (n_spoken == 0)
        return err_set(err, GZ_EINVAL, "the text has no sentence to align");
    if (audio->n_samples < ALIGN_SR_HZ / 10)
        return err_set(err, GZ_EAUDIO, "the audio is shorter than 0.1 s");
    rc = check_possible(audio, segs, n_seg, zh, err);
    if (rc != GZ_OK)
        return rc;

    /* 1. Synthesise every spoken segment, remembering where each starts and ends. */
    rc = tts_voice(zh ? "cmn" : "en", cfg->rate_wpm ? cfg->rate_wpm : DEFAULT_RATE_WPM, err);
    if (rc != GZ_OK)
        goto out;
    syn.sr_hz = 22050;
    mfcc_default(&syn_cfg, syn.sr_hz);
    syn_plan = mfcc_plan_new(&syn_cfg);
    mfcc_stream_init(&sink.ms, syn_plan);
    sink.rng = 2463534242u;
    syn.sink = syn_feed;
    syn.sink_cls = &sink;
    syn_start = xcalloc(n_seg, sizeof *syn_start);
    syn_end = xcalloc(n_seg, sizeof *syn_end);
    word_from = xcalloc(n_seg + 1, sizeof *word_from);
    tts_silence(&syn, (size_t)(SYN_LEAD_S * 22050));
    for (size_t k = 0; k < n_seg; k++) {
        char *text;
        word_from[k] = syn.n_words;
        if (!segs[k].spoken)
            continue;
        text = align_normalise(zh ? "zh" : "en", segs[k].text);
        rc = tts_say(&syn, text, &syn_start[k], &syn_end[k], err);
        free(text);
        if (rc != GZ_OK)
            goto out;
        tts_silence(&syn, (size_t)(SYN_GAP_S * syn.sr_hz));
        if (progress(cfg, 0.4 * (double)(k + 1) / (double)n_seg)) {
            rc = err_set(err, GZ_ECONFLICT, "cancelled");
            goto out;
        }
    }
    word_from[n_seg] = syn.n_words;

    /* 2. Features of both, normalised per file. */
    mfcc_stream_finish(&sink.ms);
    nb = sink.ms.n_frames;
    fb = normalise(sink.ms.frames, nb, syn_cfg.n_cep);
    mfcc_stream_release(&sink.ms);
    syn_hop_s = (double)syn_cfg.hop / syn.sr_hz;
    na = audio->ms.n_frames;
    fa = normalise(audio->ms.frames, na, syn_cfg.n_cep); /* both plans: mfcc_default */
    if (na == 0 || nb == 0) {
        rc = err_set(err, GZ_EAUDIO, "nothing to align");
        goto out;
    }
    if (progress(cfg, 0.5)) {
        rc = err_set(err, GZ_ECONFLICT, "cancelled");
        goto out;
    }

    /* 3. DTW, coarse to fine, open ends. */
    dcfg.coarse_cells = 4u << 20;
    dcfg.radius = 12;
    dcfg.open_ends = 1;
    dcfg.skip_cost = 0.75f * random_distance(fa, na, fb, nb);
    rc = dtw_align(fa, na, fb, nb, DIM, &dcfg, &path, err);
    if (rc != GZ_OK)
        goto out;
    if (progress(cfg, 0.9)) {
        rc = err_set(err, GZ_ECONFLICT, "cancelled");
        goto out;
    }
    map = xmalloc(nb * sizeof *map);
    cost_at = xmalloc(nb * sizeof *cost_at);
    for (size_t j = 0; j < nb; j++)
        map[j] = UINT32_MAX;
    for (size_t k = 0; k < path.n; k++) {
        uint32_t i = path.i[k], j = path.j[k];
        if (map[j] == UINT32_MAX) {
            map[j] = i;
            {
                float d = 0;
                for (int q = 0; q < DIM; q++) {
                    float e = fa[(size_t)i * DIM + (size_t)q] - fb[(size_t)j * DIM + (size_t)q];
                    d += e * e;
                }
                cost_at[j] = sqrtf(d);
            }
        }
    }

    /* 4. Map starts through the path, then snap each to a speech onset. */
    vad_run(audio, &vad);
    {
        double prev = -1.0, rel_cost;
        double mean_cost = 0;
        for (size_t j = 0; j < nb; j++)
            mean_cost += cost_at[j];
        mean_cost /= nb ? (double)nb : 1.0;

        for (size_t k = 0; k < n_seg; k++) {
            size_t jb, je;
            double est, best_score = INFINITY, best_t = NAN, dur_real, c = 0;
            const struct onset *pick = NULL;
            if (!segs[k].spoken)
                continue;
            jb = (size_t)((double)syn_start[k] / syn.sr_hz / syn_hop_s);
            je = (size_t)((double)syn_end[k] / syn.sr_hz / syn_hop_s);
            if (jb >= nb)
                jb = nb - 1;
            if (je >= nb)
                je = nb - 1;
            est = map[jb] != UINT32_MAX ? map[jb] * real_hop_s : (prev > 0 ? prev : 0);
            for (size_t q = 0; q < vad.n_on; q++) {
                const struct onset *o = &vad.on[q];
                double d = fabs(o->t - est), score;
                if (d > SNAP_WINDOW_S || o->t <= prev + 0.05)
                    continue;
                score = d - 0.25 * fmin(o->pause_len, 1.0);
                if (score < best_score) {
                    best_score = score;
                    best_t = o->t;
                    pick = o;
                }
            }
            if (pick) {
                segs[k].start = best_t;
                segs[k].flags |= ALIGN_SNAPPED;
            } else {
                segs[k].start = est > prev + 0.05 ? est : prev + 0.05;
            }
            prev = segs[k].start;
            /* Confidence: snapped to a pause, a plausible duration, a good local match. */
            dur_real = (map[je] != UINT32_MAX ? map[je] * real_hop_s : segs[k].start) -
                       segs[k].start;
            rel_cost = 0;
            for (size_t j = jb; j <= je; j++)
                rel_cost += cost_at[j];
            rel_cost = rel_cost / (double)(je - jb + 1) / (mean_cost > 0 ? mean_cost : 1.0);
            c = pick ? 1.0 : 0.6;
            if (rel_cost > 1.35)
                c *= 0.6;
            segs[k].confidence = (float)c;
            /* Duration checked below, once the overall speaking-rate ratio is known. */
            segs[k].end = dur_real; /* temporarily: real duration */
        }
        {
            /* Each segment's real/synthetic duration ratio against the median ratio: a
             * skipped sentence is squeezed, an ad-lib stretches its neighbour. */
            double *r = xmalloc(n_seg * sizeof *r), med;
            size_t m = 0;
            for (size_t k = 0; k < n_seg; k++) {
                double dur_syn = (double)(syn_end[k] - syn_start[k]) / syn.sr_hz;
                if (segs[k].spoken && dur_syn > 0)
                    r[m++] = segs[k].end / dur_syn;
            }
            qsort(r, m, sizeof *r, cmp_double);
            med = m ? r[m / 2] : 1.0;
            free(r);
            if (med <= 0)
                med = 1.0;
            lead_in(segs, n_seg, syn_start, syn_end, syn.sr_hz, med, &vad);
            for (size_t k = 0; k < n_seg; k++) {
                double dur_syn, q;
                if (!segs[k].spoken)
                    continue;
                dur_syn = (double)(syn_end[k] - syn_start[k]) / syn.sr_hz;
                q = dur_syn > 0 ? segs[k].end / dur_syn / med : 1.0;
                if (q < 0.6 || q > 1.6)
                    segs[k].confidence *= 0.3f;
                else if (q < 0.8 || q > 1.3)
                    segs[k].confidence *= 0.75f;
                if (segs[k].confidence < 0.5f)
                    segs[k].flags |= ALIGN_LOW_CONFIDENCE;
            }
        }
        /* Ends: where the pause before the next spoken start began, else that start. */
        for (size_t k = 0; k < n_seg; k++) {
            size_t nx = k + 1;
            if (!segs[k].spoken)
                continue;
            while (nx < n_seg && !segs[nx].spoken)
                nx++;
            if (nx < n_seg) {
                double e = segs[nx].start;
                for (size_t q = 0; q < vad.n_on; q++)
                    if (fabs(vad.on[q].t - segs[nx].start) < 1e-9 &&
                        vad.on[q].pause_from > segs[k].start)
                        e = vad.on[q].pause_from;
                segs[k].end = e;
            } else {
                /* The last one: its mapped end, moved to the start of a pause close by. */
                size_t je = (size_t)((double)syn_end[k] / syn.sr_hz / syn_hop_s);
                double e = je < nb && map[je] != UINT32_MAX ? map[je] * real_hop_s
                                                             : align_audio_seconds(audio);
                double best = INFINITY, t = e;
                for (size_t q = 0; q < vad.n_on; q++) {
                    double d = fabs(vad.on[q].pause_from - e);
                    if (vad.on[q].pause_from > segs[k].start && d < SNAP_WINDOW_S && d < best) {
                        best = d;
                        t = vad.on[q].pause_from;
                    }
                }
                if (t <= segs[k].start)
                    t = segs[k].start + 0.1;
                if (t > align_audio_seconds(audio))
                    t = align_audio_seconds(audio);
                segs[k].end = t;
                *speech_end = t;
            }
        }
    }

    /* 5. Word times, mapped through the path (not snapped). */
    if (cfg->want_words) {
        for (size_t k = 0; k < n_seg; k++) {
            size_t nw = word_from[k + 1] - word_from[k];
            if (!segs[k].spoken || nw == 0)
                continue;
            segs[k].words = xcalloc(nw, sizeof *segs[k].words);
            for (size_t w = 0; w < nw; w++) {
                const struct tts_word *tw = &syn.words[word_from[k] + w];
                size_t j = (size_t)((double)tw->sample / syn.sr_hz / syn_hop_s);
                double t = j < nb && map[j] != UINT32_MAX ? map[j] * real_hop_s : segs[k].start;
                if (w == 0 || t < segs[k].start)
                    t = segs[k].start;
                segs[k].words[w].start = t;
                segs[k].words[w].end = NAN;
                segs[k].words[w].text_pos = tw->text_pos;
                segs[k].words[w].text_len = tw->text_len;
            }
            segs[k].n_words = nw;
        }
    }

    /* 6. The acoustic stage refines starts and words (English). */
    if (!zh && !cfg->no_acoustic && audio->afe && cfg->model &&
        strcmp(cfg->model, acoustic_fe_model(audio->afe)) != 0) {
        rc = err_set(err, GZ_EINVAL, "the audio was prepared for the model in '%s', not '%s'",
                     acoustic_fe_model(audio->afe), cfg->model);
        goto out;
    }
    if (!zh && !cfg->no_acoustic && audio->afe) {
        rc = acoustic_stage(cfg, audio, &vad, segs, n_seg, speech_end, err);
        if (rc != GZ_OK)
            goto out;
    }
    progress(cfg, 1.0);
out:
    if (syn.sink == syn_feed && sink.ms.plan)
        mfcc_stream_release(&sink.ms);
    mfcc_plan_free(syn_plan);
    tts_out_release(&syn);
    free(syn_start);
    free(syn_end);
    free(word_from);
    free(fa);
    free(fb);
    free(map);
    free(cost_at);
    dtw_path_release(&path);
    vad_release(&vad);
    return rc;
}

void align_segs_release(struct align_seg *segs, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        free(segs[k].words);
        free(segs[k].guessed);
        segs[k].guessed = NULL;
        segs[k].words = NULL;
        segs[k].n_words = 0;
    }
}
