/* synth.c: espeak-ng narration with exact sentence starts from its word events. */
#include "speech/speech.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <espeak-ng/speak_lib.h>

#define LEAD_IN_S 0.6
#define SENTENCE_GAP_S 0.25
#define PARAGRAPH_GAP_S 0.6

struct synth_ctx {
    struct pcm *out;
    size_t base;      /* sample index where this call's audio starts */
    int first_word_ms;/* audio_position of the first word event, -1 until seen */
    int last_ms;      /* end of the last event seen */
};

void pcm_release(struct pcm *p)
{
    free(p->s);
    memset(p, 0, sizeof *p);
}

static void pcm_push(struct pcm *p, const short *s, size_t n)
{
    if (p->n + n > p->cap) {
        p->cap = (p->n + n) * 2;
        p->s = xrealloc(p->s, p->cap * sizeof *p->s);
    }
    for (size_t i = 0; i < n; i++)
        p->s[p->n + i] = (float)s[i] / 32768.0f;
    p->n += n;
}

static void pcm_silence(struct pcm *p, double seconds)
{
    size_t n = (size_t)lround(seconds * p->sr_hz);
    if (p->n + n > p->cap) {
        p->cap = (p->n + n) * 2;
        p->s = xrealloc(p->s, p->cap * sizeof *p->s);
    }
    memset(p->s + p->n, 0, n * sizeof *p->s);
    p->n += n;
}

static int on_synth(short *wav, int n, espeak_EVENT *ev)
{
    struct synth_ctx *c = ev ? ev->user_data : NULL;

    if (!c)
        return 0;
    if (wav && n > 0)
        pcm_push(c->out, wav, (size_t)n);
    for (; ev->type != espeakEVENT_LIST_TERMINATED; ev++) {
        if (ev->type == espeakEVENT_WORD && c->first_word_ms < 0)
            c->first_word_ms = ev->audio_position;
        if (ev->type == espeakEVENT_WORD || ev->type == espeakEVENT_END)
            c->last_ms = ev->audio_position;
    }
    return 0;
}

static int sample_rate; /* 0 until espeak-ng is initialised */

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

int speech_narrate(enum lang l, struct transcript *t, struct pcm *out, struct err *err)
{
    int rc = init(err), sr;
    const char *voice = l == LANG_ZH ? "cmn" : "en";
    int spoke = 0;

    memset(out, 0, sizeof *out);
    if (rc != GZ_OK)
        return rc;
    sr = sample_rate;
    if (espeak_SetVoiceByName(voice) != EE_OK)
        return err_set(err, GZ_EIO, "espeak-ng: no voice '%s'", voice);
    out->sr_hz = sr;
    pcm_silence(out, LEAD_IN_S);
    for (size_t i = 0; i < t->n_para; i++) {
        for (size_t j = 0; j < t->para[i].n_sent; j++) {
            struct sent *s = &t->para[i].sent[j];
            struct synth_ctx c = { out, out->n, -1, 0 };
            if (isnan(s->start)) /* not spoken */
                continue;
            if (spoke)
                pcm_silence(out, j == 0 ? PARAGRAPH_GAP_S : SENTENCE_GAP_S);
            c.base = out->n;
            if (espeak_Synth(s->text, strlen(s->text) + 1, 0, POS_CHARACTER, 0, espeakCHARS_UTF8,
                             NULL, &c) != EE_OK ||
                espeak_Synchronize() != EE_OK) {
                pcm_release(out);
                return err_set(err, GZ_EIO, "espeak-ng failed on a sentence");
            }
            s->start = (double)c.base / sr + (c.first_word_ms > 0 ? c.first_word_ms / 1000.0 : 0);
            t->end = (double)c.base / sr + c.last_ms / 1000.0;
            if (t->end > (double)out->n / sr)
                t->end = (double)out->n / sr;
            spoke = 1;
        }
    }
    pcm_silence(out, LEAD_IN_S);
    return GZ_OK;
}
