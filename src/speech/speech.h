/*
 * speech.h: narration audio: synthesis with espeak-ng, reading and writing files with
 * libsndfile. Not thread-safe (espeak-ng keeps global state): call from one thread.
 */
#ifndef GZ_SPEECH_SPEECH_H
#define GZ_SPEECH_SPEECH_H

#include <stddef.h>

#include "core/gz.h"
#include "model/story.h"

struct pcm {
    float *s;        /* mono samples in [-1, 1] */
    size_t n;        /* samples */
    size_t cap;
    int sr_hz;
};

void pcm_release(struct pcm *p);

/* Narrate every spoken sentence of t (those whose start is not NAN) in language l (English voice "en", Mandarin "cmn"):
 * a lead-in, each sentence synthesised on its own, short pauses between sentences and longer
 * ones between paragraphs. Each sentence's start is set from espeak-ng's own event for its
 * first word; t->end is set to the end of the last word. OUT: *out (pcm_release it). */
int speech_narrate(enum lang l, struct transcript *t, struct pcm *out, struct err *err);

/* Write pcm as MP3 (or WAV when path ends in .wav), atomically: a temp file is renamed into
 * place after fsync, so a crash leaves the old file or the new one, never half of one. */
int speech_write(const char *path, const struct pcm *p, struct err *err);

/* Probe an audio file: decodable by libsndfile, with its duration. GZ_EAUDIO when not. */
int speech_probe(const char *path, double *duration_s, struct err *err);

#endif
