/*
 * acoustic.h: the aligner's acoustic stage, a forced alignment by an acoustic model (CMU
 * Sphinx continuous HMM, decoded by Debian's libpocketsphinx) in windows around the DTW
 * estimate. Each window is decoded against a finite-state grammar that is exactly the
 * window's word sequence, with optional silence and fillers (breath, noise, "um" as
 * [SPEECH]) between words, so the decoder only decides where each word lies.
 * A model folder holds the acoustic model (mdef, means, variances, ..., feat.params) either
 * itself or in one subfolder, and a pronouncing dictionary (*.dict) in the folder, its parent
 * or the model subfolder. Debian's pocketsphinx-en-us: ACOUSTIC_MODEL_DEFAULT.
 * Words missing from the dictionary get a pronunciation from espeak-ng's phonemes mapped to
 * the model's (ARPAbet) phone set.
 * Frames are 10 ms. Nothing here logs (the library's own log is switched off).
 */
#ifndef GZ_ALIGN_ACOUSTIC_H
#define GZ_ALIGN_ACOUSTIC_H

#include <stddef.h>

#include "core/buf.h"
#include "core/gz.h"

#define ACOUSTIC_MODEL_DEFAULT "/usr/share/pocketsphinx/model/en-us"
#define ACOUSTIC_FRAME_S 0.01

/* The model's front end over a whole recording: cepstra kept (52 bytes per 10 ms), samples
 * not. */
struct acoustic_fe;

/* GZ_ENOTFOUND when model_dir holds no model (then the acoustic stage is simply off). */
int acoustic_fe_new(const char *model_dir, struct acoustic_fe **out, struct err *err);
/* Samples at 16 kHz, mono, in [-1, 1]. */
void acoustic_fe_push(struct acoustic_fe *fe, const float *x, size_t n);
void acoustic_fe_finish(struct acoustic_fe *fe);
size_t acoustic_fe_frames(const struct acoustic_fe *fe);
/* The model folder the features were made for. */
const char *acoustic_fe_model(const struct acoustic_fe *fe);
void acoustic_fe_free(struct acoustic_fe *fe);

/* A decoder with an empty dictionary; words are added with acoustic_add_words(). */
struct acoustic;
int acoustic_new(const char *model_dir, struct acoustic **out, struct err *err);
void acoustic_free(struct acoustic *ac);

enum acoustic_src {
    ACOUSTIC_DICT = 0,    /* from the pronouncing dictionary */
    ACOUSTIC_GUESSED = 1, /* from espeak-ng's phonemes */
    ACOUSTIC_NONE = 2,    /* no pronunciation: skipped by the grammar */
};

/* Make words[0..n) (lowercase, no spaces) known to the decoder. OUT: src[0..n). */
int acoustic_add_words(struct acoustic *ac, char *const *words, size_t n, unsigned char *src,
                       struct err *err);

/* Map espeak-ng ASCII phonemes ('_' between phonemes, ' ' between words) to the ARPAbet
 * phone string of a dictionary entry ("HH AH L OW"). Returns 0 when nothing maps. */
int acoustic_arpabet(const char *espeak, struct buf *out);

struct acoustic_hit {
    int start, end; /* frames from the start of the recording; -1 when not decoded */
    int ascr;       /* the word's acoustic score (log base 1.0001, higher is better) */
};

/* Decode frames [f0, f1) against words[0..n): words [0, n_pre) are the end of what came
 * before (the window may begin inside them, but holds the last of them), and the window may
 * end after word `must` or any later one. Unusable words (src ACOUSTIC_NONE) are skipped. OUT: hits[0..n).
 * Returns GZ_OK, or GZ_EAUDIO when the decoder found no path through word `n_pre`. */
int acoustic_decode(struct acoustic *ac, const struct acoustic_fe *fe, size_t f0, size_t f1,
                    char *const *words, const unsigned char *src, size_t n, size_t n_pre,
                    size_t entry_max, size_t must, struct acoustic_hit *hits, struct err *err);

#endif
