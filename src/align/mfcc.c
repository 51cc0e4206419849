#include "align/mfcc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <fftw3.h>

#include "core/gz.h"

struct mfcc_plan {
    struct mfcc_cfg cfg;
    int n_fft, n_bins;
    float *window;      /* [win] */
    float *frame;       /* [n_fft], FFTW input */
    fftwf_complex *spec;/* [n_bins] */
    fftwf_plan fft;
    int *f_start, *f_len; /* per filter: first bin and count */
    float *f_weight;      /* concatenated weights */
    float *dct;           /* [n_cep][n_mel] */
};

static double hz_to_mel(double f)
{
    return 2595.0 * log10(1.0 + f / 700.0);
}

static double mel_to_hz(double m)
{
    return 700.0 * (pow(10.0, m / 2595.0) - 1.0);
}

/* Weight of filter k (corners pts[k], pts[k+1], pts[k+2] in Hz) at frequency f. */
static double tri_weight(const double *pts, int k, double f)
{
    if (f > pts[k] && f < pts[k + 1])
        return (f - pts[k]) / (pts[k + 1] - pts[k]);
    if (f >= pts[k + 1] && f < pts[k + 2])
        return (pts[k + 2] - f) / (pts[k + 2] - pts[k + 1]);
    return 0;
}

void mfcc_default(struct mfcc_cfg *cfg, int sr_hz)
{
    cfg->sr_hz = sr_hz;
    cfg->win = (int)lround(0.025 * sr_hz);
    cfg->hop = (int)lround(0.010 * sr_hz);
    cfg->n_mel = 40;
    cfg->n_cep = 13;
    cfg->f_lo = 100.0f;
    cfg->f_hi = sr_hz / 2 < 7600 ? (float)(sr_hz / 2) : 7600.0f;
}

struct mfcc_plan *mfcc_plan_new(const struct mfcc_cfg *cfg)
{
    struct mfcc_plan *p = xcalloc(1, sizeof *p);
    double mlo = hz_to_mel(cfg->f_lo), mhi = hz_to_mel(cfg->f_hi);
    double *pts = xmalloc((size_t)(cfg->n_mel + 2) * sizeof *pts);
    size_t nw = 0;

    p->cfg = *cfg;
    p->n_fft = 1;
    while (p->n_fft < cfg->win)
        p->n_fft *= 2;
    p->n_bins = p->n_fft / 2 + 1;
    p->window = xmalloc((size_t)cfg->win * sizeof *p->window);
    for (int i = 0; i < cfg->win; i++)
        p->window[i] = (float)(0.54 - 0.46 * cos(2.0 * M_PI * i / (cfg->win - 1)));
    p->frame = fftwf_alloc_real((size_t)p->n_fft);
    p->spec = fftwf_alloc_complex((size_t)p->n_bins);
    p->fft = fftwf_plan_dft_r2c_1d(p->n_fft, p->frame, p->spec, FFTW_ESTIMATE);

    /* Filter k rises from pts[k] to pts[k+1] and falls to pts[k+2] (in Hz). */
    for (int k = 0; k < cfg->n_mel + 2; k++)
        pts[k] = mel_to_hz(mlo + (mhi - mlo) * k / (cfg->n_mel + 1));
    p->f_start = xmalloc((size_t)cfg->n_mel * sizeof *p->f_start);
    p->f_len = xmalloc((size_t)cfg->n_mel * sizeof *p->f_len);
    p->f_weight = xmalloc((size_t)cfg->n_mel * (size_t)p->n_bins * sizeof *p->f_weight);
    for (int k = 0; k < cfg->n_mel; k++) {
        int first = -1, len = 0;
        for (int b = 0; b < p->n_bins; b++) {
            if (tri_weight(pts, k, (double)b * cfg->sr_hz / p->n_fft) > 0) {
                if (first < 0)
                    first = b;
                len = b - first + 1;
            }
        }
        p->f_start[k] = first < 0 ? 0 : first;
        p->f_len[k] = len;
        for (int b = p->f_start[k]; b < p->f_start[k] + len; b++)
            p->f_weight[nw++] = (float)tri_weight(pts, k, (double)b * cfg->sr_hz / p->n_fft);
    }
    free(pts);
    p->dct = xmalloc((size_t)cfg->n_cep * (size_t)cfg->n_mel * sizeof *p->dct);
    for (int c = 0; c < cfg->n_cep; c++)
        for (int k = 0; k < cfg->n_mel; k++)
            p->dct[c * cfg->n_mel + k] =
                    (float)(sqrt((c == 0 ? 1.0 : 2.0) / cfg->n_mel) *
                            cos(M_PI * c * (k + 0.5) / cfg->n_mel));
    return p;
}

void mfcc_plan_free(struct mfcc_plan *p)
{
    if (!p)
        return;
    fftwf_destroy_plan(p->fft);
    fftwf_free(p->frame);
    fftwf_free(p->spec);
    free(p->window);
    free(p->f_start);
    free(p->f_len);
    free(p->f_weight);
    free(p->dct);
    free(p);
}

size_t mfcc_n_frames(const struct mfcc_plan *p, size_t n)
{
    return (n + (size_t)p->cfg.hop - 1) / (size_t)p->cfg.hop;
}

/* One frame from win pre-emphasised samples y into out[n_cep]. */
static void frame(struct mfcc_plan *p, const float *y, float *out)
{
    const struct mfcc_cfg *c = &p->cfg;
    const float *w = p->f_weight;
    float mel[128];

    for (int i = 0; i < c->win; i++)
        p->frame[i] = y[i] * p->window[i];
    for (int i = c->win; i < p->n_fft; i++)
        p->frame[i] = 0.0f;
    fftwf_execute(p->fft);
    for (int k = 0; k < c->n_mel; k++) {
        double e = 0;
        for (int b = 0; b < p->f_len[k]; b++) {
            const fftwf_complex *z = &p->spec[p->f_start[k] + b];
            e += (double)w[b] * ((double)(*z)[0] * (*z)[0] + (double)(*z)[1] * (*z)[1]);
        }
        w += p->f_len[k];
        mel[k] = (float)log(e + 1e-10);
    }
    for (int q = 0; q < c->n_cep; q++) {
        const float *d = p->dct + q * c->n_mel;
        double acc = 0;
        for (int k = 0; k < c->n_mel; k++)
            acc += (double)d[k] * mel[k];
        out[q] = (float)acc;
    }
}

size_t mfcc_compute(struct mfcc_plan *p, const float *pcm, size_t n, float *out,
                    size_t out_frames)
{
    const struct mfcc_cfg *c = &p->cfg;
    size_t nf = mfcc_n_frames(p, n);
    float y[4096];

    if (nf > out_frames)
        nf = out_frames;
    if (c->win > (int)(sizeof y / sizeof y[0]))
        return 0;
    for (size_t t = 0; t < nf; t++) {
        size_t s0 = t * (size_t)c->hop;
        for (int i = 0; i < c->win; i++) {
            size_t s = s0 + (size_t)i;
            float x = s < n ? pcm[s] : 0.0f;
            float prev = s >= 1 && s - 1 < n ? pcm[s - 1] : 0.0f;
            y[i] = x - 0.97f * prev;
        }
        frame(p, y, out + t * (size_t)c->n_cep);
    }
    return nf;
}

void mfcc_stream_init(struct mfcc_stream *st, struct mfcc_plan *plan)
{
    memset(st, 0, sizeof *st);
    st->plan = plan;
    st->hist = xmalloc((size_t)plan->cfg.win * sizeof *st->hist);
}

static void emit(struct mfcc_stream *st)
{
    const struct mfcc_cfg *c = &st->plan->cfg;
    if (st->n_frames == st->cap) {
        st->cap = st->cap ? st->cap * 2 : 1024;
        st->frames = xrealloc(st->frames, st->cap * (size_t)c->n_cep * sizeof *st->frames);
    }
    frame(st->plan, st->hist, st->frames + st->n_frames * (size_t)c->n_cep);
    st->n_frames++;
    memmove(st->hist, st->hist + c->hop, (size_t)(c->win - c->hop) * sizeof *st->hist);
    st->have -= (size_t)c->hop;
}

void mfcc_stream_push(struct mfcc_stream *st, const float *x, size_t n)
{
    size_t win = (size_t)st->plan->cfg.win;
    for (size_t i = 0; i < n; i++) {
        st->hist[st->have++] = x[i] - 0.97f * st->prev;
        st->prev = x[i];
        if (st->have == win)
            emit(st);
    }
    st->n_in += n;
}

void mfcc_stream_finish(struct mfcc_stream *st)
{
    size_t want = mfcc_n_frames(st->plan, st->n_in), win = (size_t)st->plan->cfg.win;
    while (st->n_frames < want) {
        st->hist[st->have++] = -0.97f * st->prev;
        st->prev = 0.0f;
        if (st->have == win)
            emit(st);
    }
}

void mfcc_stream_release(struct mfcc_stream *st)
{
    free(st->hist);
    free(st->frames);
    memset(st, 0, sizeof *st);
}
