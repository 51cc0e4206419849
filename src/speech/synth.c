/* synth.c: espeak-ng narration with exact sentence starts from its word events. */
#include "speech/speech.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "text/text.h"
#include "tts/tts.h"

#define LEAD_IN_S 0.6
#define SENTENCE_GAP_S 0.25
#define PARAGRAPH_GAP_S 0.6

void pcm_release(struct pcm *p)
{
    free(p->s);
    memset(p, 0, sizeof *p);
}

int speech_narrate(enum lang l, struct transcript *t, struct pcm *out, struct err *err)
{
    struct tts_out o = { 0 };
    int rc, spoke = 0;

    memset(out, 0, sizeof *out);
    rc = tts_voice(l == LANG_ZH ? "cmn" : "en", 175, err);
    if (rc != GZ_OK)
        return rc;
    o.sr_hz = 22050;
    tts_silence(&o, (size_t)(LEAD_IN_S * o.sr_hz));
    for (size_t i = 0; i < t->n_para; i++) {
        for (size_t j = 0; j < t->para[i].n_sent; j++) {
            struct sent *s = &t->para[i].sent[j];
            size_t first, end, w0 = o.n_words;
            if (isnan(s->start)) /* not spoken */
                continue;
            if (spoke)
                tts_silence(&o, (size_t)((j == 0 ? PARAGRAPH_GAP_S : SENTENCE_GAP_S) * o.sr_hz));
            rc = tts_say(&o, s->text, &first, &end, err);
            if (rc != GZ_OK) {
                tts_out_release(&o);
                return rc;
            }
            s->start = (double)first / o.sr_hz;
            t->end = (double)end / o.sr_hz;
            /* English word starts from the same events (the reader page can mark words);
             * Chinese keeps sentences only. */
            if (l == LANG_EN && o.n_words > w0 && !s->words) {
                s->words = xcalloc(o.n_words - w0, sizeof *s->words);
                for (size_t w = w0; w < o.n_words; w++) {
                    struct word *wd = &s->words[s->n_words++];
                    wd->start = (double)o.words[w].sample / o.sr_hz;
                    wd->end = w + 1 < o.n_words ? (double)o.words[w + 1].sample / o.sr_hz
                                                : (double)end / o.sr_hz;
                    wd->text = utf8_slice(s->text, (size_t)o.words[w].text_pos,
                                          (size_t)o.words[w].text_len);
                }
            }
            spoke = 1;
        }
    }
    tts_silence(&o, (size_t)(LEAD_IN_S * o.sr_hz));
    out->sr_hz = o.sr_hz;
    out->n = out->cap = o.n;
    out->s = xmalloc((o.n ? o.n : 1) * sizeof *out->s);
    for (size_t i = 0; i < o.n; i++)
        out->s[i] = (float)o.pcm[i] / 32768.0f;
    tts_out_release(&o);
    return GZ_OK;
}
