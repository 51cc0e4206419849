/*
 * align.h: forced alignment of narration audio to its text, in seconds.
 * Method: the text is synthesised with espeak-ng one segment at a time (its word events give
 * exact segment starts in the synthetic audio); MFCCs of both (c1..c12, per-file mean and
 * variance normalised) are aligned by coarse-to-fine DTW with open ends (a lead-in or tail
 * in the recording is skipped, not warped); each synthetic segment start is mapped through
 * the path, then snapped to the speech onset that ends the nearest pause, chosen by distance
 * and pause length, and refined at a 5 ms hop. Each segment gets a confidence in [0, 1];
 * segments whose timing looks wrong (squeezed to nothing, far from any pause, poor match)
 * are flagged ALIGN_LOW_CONFIDENCE, never dropped.
 * English (when an acoustic model is installed, see acoustic.h): every start found this way is
 * then refined by forced alignment with the acoustic model in a window around it, and words
 * get the model's start and end. A window the model cannot decode keeps the DTW estimate,
 * with a lower confidence.
 * Impossible jobs are refused before any work: audio without speech, or more words than the
 * recording can hold.
 * align never logs: it returns codes, and reports progress through a callback that can cancel.
 */
#ifndef GZ_ALIGN_ALIGN_H
#define GZ_ALIGN_ALIGN_H

#include <stddef.h>

#include "core/gz.h"

#define ALIGN_SR_HZ 16000

enum align_flag {
    ALIGN_SNAPPED = 1,        /* start moved to a detected speech onset */
    ALIGN_LOW_CONFIDENCE = 2, /* check this one by ear */
    ALIGN_ACOUSTIC = 4,       /* start found by the acoustic model */
    ALIGN_GUESSED = 8,        /* a word's pronunciation came from espeak-ng */
};

/* Most words a second that speech can hold (fast read speech is 3 to 4): more words than
 * this for the recording's length is refused. Chinese counts characters. */
#define ALIGN_MAX_WORDS_PER_S 7.0
#define ALIGN_MAX_ZH_CHARS_PER_S 12.0

struct align_word {
    double start, end;      /* end NAN when unknown */
    int text_pos, text_len; /* characters into the segment text (from 1), length in characters */
    int guessed;            /* pronunciation from espeak-ng (not in the dictionary) */
};

struct align_seg {
    /* in */
    const char *text;
    int para;      /* paragraph index, for output grouping */
    int spoken;    /* 0: not narrated (start stays NAN) */
    /* out */
    double start, end; /* seconds; NAN when not spoken */
    float confidence;
    int flags;
    struct align_word *words; /* with want_words; malloc'd. English with the acoustic stage:
                               * only for segments the model placed (else none) */
    size_t n_words;
    char *guessed; /* words pronounced by espeak-ng's guess, space-separated; malloc'd or NULL */
};

/* Return nonzero to cancel. done/total are in arbitrary units, total fixed for a run. */
typedef int align_progress_fn(void *cls, double fraction);

struct align_cfg {
    const char *lang;  /* "en" or "zh" */
    int rate_wpm;      /* synthetic speaking rate; 0 = default */
    int want_words;
    /* The acoustic stage (English) uses the model the audio was opened with
     * (align_audio_open_model); model, when set, must name that same folder. Off when
     * no_acoustic is set, when the folder holds no model, or for other languages. */
    const char *model;
    int no_acoustic;
    align_progress_fn *progress;
    void *progress_cls;
};

/* A recording reduced to what the aligner needs: MFCC frames (10 ms) and frame energies
 * (5 ms), computed while decoding, so memory grows with length at about 60 bytes per 10 ms
 * rather than with the samples themselves. */
struct align_audio;

/* Decode a file (wav, flac, ogg, mp3: whatever libsndfile reads), downmixed and resampled
 * to ALIGN_SR_HZ. GZ_EAUDIO with a message naming the file and the reason when it cannot. */
int align_audio_open(const char *path, struct align_audio **out, struct err *err);
/* The same, with the acoustic model's features for the model in model_dir (NULL: the default;
 * "": none). A folder without a model is not an error: the acoustic stage is then off. */
int align_audio_open_model(const char *path, const char *model_dir, struct align_audio **out,
                           struct err *err);
/* The same from samples already in memory (mono, ALIGN_SR_HZ). */
struct align_audio *align_audio_from_pcm(const float *pcm, size_t n);
double align_audio_seconds(const struct align_audio *a);
/* Whether the acoustic model's features were made (the model folder held a model). */
int align_audio_has_model(const struct align_audio *a);
void align_audio_free(struct align_audio *a);

/* Align segs[0..n_seg) to the recording. OUT: each seg's start/end/confidence/flags,
 * *speech_end (end of the last spoken segment). GZ_ECONFLICT when cancelled; GZ_EINVAL
 * ("no speech found", "N words in S seconds is not speech") before any work when the
 * recording cannot hold the text. */
int align_run(const struct align_cfg *cfg, const struct align_audio *audio,
              struct align_seg *segs, size_t n_seg, double *speech_end, struct err *err);

/* The text as the synthesiser should read it (English: years 1100-1999 in pairs, "1455" ->
 * "fourteen fifty-five"). Caller frees. */
char *align_normalise(const char *lang, const char *text);

void align_segs_release(struct align_seg *segs, size_t n);

#endif
