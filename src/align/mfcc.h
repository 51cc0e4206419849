/*
 * mfcc.h: mel-frequency cepstral coefficients, plan/exec split.
 * Per frame: pre-emphasis (x[n] - 0.97 x[n-1], over the whole signal), Hamming window of
 * win samples, |FFT|^2 (n_fft = next power of two >= win, FFTW r2c, float), n_mel triangular
 * filters equally spaced on the mel scale mel(f) = 2595 log10(1 + f/700) between f_lo and f_hi
 * (HTK style: peaks at the mel points, unnormalised), log(energy + 1e-10), then the first n_cep
 * coefficients of the orthonormal DCT-II. Frame t covers samples [t*hop, t*hop + win); the
 * signal is zero-padded at the end. Frames: ceil(n / hop) for n > 0.
 * Tested against an independent numpy computation (tests/data/align/mfcc_*.txt) to
 * 1e-3 absolute + 1e-3 relative (float32 FFT versus float64 reference).
 * Ownership: mfcc_plan_new allocates the plan; mfcc_compute never allocates.
 */
#ifndef GZ_ALIGN_MFCC_H
#define GZ_ALIGN_MFCC_H

#include <stddef.h>

#define MFCC_MAX_CEP 20

struct mfcc_cfg {
    int sr_hz;
    int win;   /* samples */
    int hop;   /* samples */
    int n_mel;
    int n_cep; /* <= MFCC_MAX_CEP, including c0 */
    float f_lo, f_hi;
};

struct mfcc_plan;

/* Fill cfg with the aligner's settings for sr_hz: 25 ms window, 10 ms hop, 40 filters
 * 100..min(7600, sr/2) Hz, 13 coefficients. */
void mfcc_default(struct mfcc_cfg *cfg, int sr_hz);
struct mfcc_plan *mfcc_plan_new(const struct mfcc_cfg *cfg);
void mfcc_plan_free(struct mfcc_plan *p);
/* Number of frames for n samples. */
size_t mfcc_n_frames(const struct mfcc_plan *p, size_t n);
/* Compute frames [0, n_frames) of pcm into out (row-major, n_cep per frame); returns the number
 * of frames written, at most out_frames. pcm holds n samples. Not thread-safe per plan. */
size_t mfcc_compute(struct mfcc_plan *p, const float *pcm, size_t n, float *out,
                    size_t out_frames);

/* A stream: samples pushed in pieces give the same frames as mfcc_compute on the whole
 * signal (mfcc_stream_finish pads the end with zeros as it does). The stream owns a growing
 * frame array (frames, n_frames; n_cep floats each); it allocates, the plan does not. */
struct mfcc_stream {
    struct mfcc_plan *plan; /* borrowed */
    float *hist;            /* pre-emphasised samples of the frame being filled */
    size_t have;
    float prev;
    size_t n_in;
    float *frames;
    size_t n_frames, cap;
};

void mfcc_stream_init(struct mfcc_stream *st, struct mfcc_plan *plan);
void mfcc_stream_push(struct mfcc_stream *st, const float *x, size_t n);
void mfcc_stream_finish(struct mfcc_stream *st);
void mfcc_stream_release(struct mfcc_stream *st);

#endif
