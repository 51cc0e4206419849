#include "tts/tts.h"

#include <stdlib.h>
#include <string.h>

#include <espeak-ng/speak_lib.h>

struct say_ctx {
    struct tts_out *out;
    size_t base;      /* out->n when this call began */
    long first_ms;    /* first word event, -1 until seen */
    long last_ms;
};

static int sample_rate; /* 0 until initialised */

static void grow(struct tts_out *o, size_t extra)
{
    if (o->n + extra > o->cap) {
        o->cap = (o->n + extra) * 2;
        o->pcm = xrealloc(o->pcm, o->cap * sizeof *o->pcm);
    }
}

void tts_silence(struct tts_out *out, size_t n)
{
    if (out->sink) {
        int16_t zero[512] = { 0 };
        for (size_t left = n; left;) {
            size_t k = left < 512 ? left : 512;
            out->sink(out->sink_cls, zero, k);
            left -= k;
        }
    } else {
        grow(out, n);
        memset(out->pcm + out->n, 0, n * sizeof *out->pcm);
    }
    out->n += n;
}

static int on_synth(short *wav, int n, espeak_EVENT *ev)
{
    struct say_ctx *c = ev ? ev->user_data : NULL;

    if (!c)
        return 0;
    if (wav && n > 0) {
        if (c->out->sink) {
            c->out->sink(c->out->sink_cls, wav, (size_t)n);
        } else {
            grow(c->out, (size_t)n);
            memcpy(c->out->pcm + c->out->n, wav, (size_t)n * sizeof *wav);
        }
        c->out->n += (size_t)n;
    }
    for (; ev->type != espeakEVENT_LIST_TERMINATED; ev++) {
        if (ev->type == espeakEVENT_WORD) {
            struct tts_out *o = c->out;
            if (c->first_ms < 0)
                c->first_ms = ev->audio_position;
            if (o->n_words == o->cap_words) {
                o->cap_words = o->cap_words ? o->cap_words * 2 : 64;
                o->words = xrealloc(o->words, o->cap_words * sizeof *o->words);
            }
            o->words[o->n_words].sample =
                    c->base + (size_t)((long)ev->audio_position * o->sr_hz / 1000);
            o->words[o->n_words].text_pos = ev->text_position;
            o->words[o->n_words].text_len = ev->length;
            o->n_words++;
        }
        if (ev->type == espeakEVENT_WORD || ev->type == espeakEVENT_END ||
            ev->type == espeakEVENT_MSG_TERMINATED)
            if (ev->audio_position > c->last_ms)
                c->last_ms = ev->audio_position;
    }
    return 0;
}

static int init(struct err *err)
{
    if (sample_rate)
        return GZ_OK;
    sample_rate = espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, NULL, espeakINITIALIZE_DONT_EXIT);
    if (sample_rate <= 0) {
        sample_rate = 0;
        return err_set(err, GZ_EIO, "espeak-ng: cannot initialise (is espeak-ng-data installed?)");
    }
    espeak_SetSynthCallback(on_synth);
    return GZ_OK;
}

int tts_voice(const char *voice, int rate_wpm, struct err *err)
{
    int rc = init(err);
    if (rc != GZ_OK)
        return rc;
    if (espeak_SetVoiceByName(voice) != EE_OK)
        return err_set(err, GZ_EIO, "espeak-ng: no voice '%s'", voice);
    espeak_SetParameter(espeakRATE, rate_wpm, 0);
    return GZ_OK;
}

int tts_say(struct tts_out *out, const char *text, size_t *first_word, size_t *end,
            struct err *err)
{
    struct say_ctx c = { out, 0, -1, 0 };
    int rc = init(err);

    if (rc != GZ_OK)
        return rc;
    out->sr_hz = sample_rate;
    c.base = out->n;
    if (espeak_Synth(text, strlen(text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8, NULL, &c) !=
                EE_OK ||
        espeak_Synchronize() != EE_OK)
        return err_set(err, GZ_EIO, "espeak-ng failed to synthesise text");
    if (first_word)
        *first_word = c.base + (c.first_ms > 0 ? (size_t)(c.first_ms * sample_rate / 1000) : 0);
    if (end) {
        size_t e = c.base + (size_t)(c.last_ms * sample_rate / 1000);
        *end = e > out->n ? out->n : e;
    }
    return GZ_OK;
}

void tts_out_release(struct tts_out *out)
{
    free(out->pcm);
    free(out->words);
    memset(out, 0, sizeof *out);
}

int tts_phonemes(const char *text, struct buf *out, struct err *err)
{
    const void *p = text;
    int rc = init(err);

    if (rc != GZ_OK)
        return rc;
    /* ASCII mnemonics, '_' (bits 8..23) between the phonemes of a word. */
    while (p) {
        const char *ph = espeak_TextToPhonemes(&p, espeakCHARS_UTF8, '_' << 8);
        if (!ph)
            break;
        if (out->len && *ph)
            buf_putc(out, ' ');
        buf_puts(out, ph);
    }
    return GZ_OK;
}
