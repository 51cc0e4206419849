/*
 * tts.h: espeak-ng, wrapped once for the whole program (it keeps global state: one thread at
 * a time). tts_say() appends the synthetic speech for one piece of text to a growing
 * int16 buffer and reports where its words start, in samples of that buffer.
 */
#ifndef GZ_TTS_TTS_H
#define GZ_TTS_TTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/gz.h"

struct tts_word {
    size_t sample;     /* start of the word in the output buffer */
    int text_pos;      /* character offset of the word in the text given to tts_say (1-based) */
    int text_len;      /* in characters */
};

typedef void tts_sink_fn(void *cls, const int16_t *pcm, size_t n);

struct tts_out {
    int16_t *pcm;       /* kept only without a sink */
    size_t n, cap;      /* samples produced so far */
    tts_sink_fn *sink;  /* when set, samples go here instead of into pcm */
    void *sink_cls;
    int sr_hz;          /* espeak-ng's rate (22050) */
    struct tts_word *words;
    size_t n_words, cap_words;
};

/* Select a voice ("en", "cmn", ...) and speaking rate in words per minute (80..450). */
int tts_voice(const char *voice, int rate_wpm, struct err *err);
/* Synthesise text (UTF-8) and append it to out. OUT: *first_word, *end (samples in out: the
 * first word's start, the last event's position), either may be NULL. */
int tts_say(struct tts_out *out, const char *text, size_t *first_word, size_t *end,
            struct err *err);
/* Append n samples of silence. */
void tts_silence(struct tts_out *out, size_t n);
void tts_out_release(struct tts_out *out);
/* Append espeak-ng's phonemes for text (UTF-8) in the current voice to out: its ASCII
 * mnemonics ("h@l'oU"), '_' between phonemes, ' ' between words. */
int tts_phonemes(const char *text, struct buf *out, struct err *err);

#endif
