/* export.c: timing files from a transcript: read-along JSON, WebVTT, SRT, EPUB3 SMIL media
 * overlays, aeneas JSON, TSV and Audacity labels. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/story.h"

static const struct {
    const char *name;
    enum export_fmt fmt;
} names[] = {
    { "readalong", EXPORT_READALONG }, { "json", EXPORT_READALONG }, { "vtt", EXPORT_VTT },
    { "srt", EXPORT_SRT },             { "smil", EXPORT_SMIL },      { "aeneas", EXPORT_AENEAS },
    { "tsv", EXPORT_TSV },             { "audacity", EXPORT_AUDACITY },
};

int export_parse(const char *name, enum export_fmt *out)
{
    for (size_t i = 0; i < GZ_NELEM(names); i++)
        if (strcmp(name, names[i].name) == 0) {
            *out = names[i].fmt;
            return GZ_OK;
        }
    return GZ_EINVAL;
}

/* Calls fn for every spoken sentence with its number (1-based), start and end. */
typedef void seg_fn(struct buf *b, size_t num, const struct sent *s, double start, double end,
                    const char *audio, int with_words);

static void each(struct buf *b, const struct transcript *t, const char *audio, seg_fn *fn,
                 int with_words)
{
    size_t num = 0;
    for (size_t i = 0; i < t->n_para; i++)
        for (size_t j = 0; j < t->para[i].n_sent; j++) {
            const struct sent *s = &t->para[i].sent[j];
            double end;
            if (isnan(s->start))
                continue;
            end = !isnan(s->end) && s->end > s->start ? s->end : transcript_next_start(t, i, j);
            if (isnan(end) || end <= s->start)
                end = s->start + 1.0;
            fn(b, ++num, s, s->start, end, audio, with_words);
        }
}

static void clock_time(struct buf *b, double s, char sep)
{
    long ms = lround(s * 1000.0);
    buf_printf(b, "%02ld:%02ld:%02ld%c%03ld", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, sep,
               ms % 1000);
}

/* Text on one line: newlines become spaces. */
static void one_line(struct buf *b, const char *t)
{
    for (; *t; t++)
        buf_putc(b, *t == '\n' || *t == '\r' || *t == '\t' ? ' ' : *t);
}

static void xml_text(struct buf *b, const char *t)
{
    for (; *t; t++) {
        if (*t == '&')
            buf_puts(b, "&amp;");
        else if (*t == '<')
            buf_puts(b, "&lt;");
        else if (*t == '>')
            buf_puts(b, "&gt;");
        else if (*t == '"')
            buf_puts(b, "&quot;");
        else
            buf_putc(b, *t);
    }
}

static void srt_seg(struct buf *b, size_t num, const struct sent *s, double a, double z,
                    const char *audio, int with_words)
{
    (void)audio;
    (void)with_words;
    buf_printf(b, "%zu\n", num);
    clock_time(b, a, ',');
    buf_puts(b, " --> ");
    clock_time(b, z, ',');
    buf_putc(b, '\n');
    one_line(b, s->text);
    buf_puts(b, "\n\n");
}

/* A word's end: its own, else the next word's start, else the sentence's end. */
static double word_end(const struct sent *s, size_t w, double z)
{
    double e = s->words[w].end;
    if (isnan(e) || e <= s->words[w].start)
        e = w + 1 < s->n_words ? s->words[w + 1].start : z;
    return e > s->words[w].start ? e : s->words[w].start + 0.01;
}

static void smil_par(struct buf *b, const char *id, const char *frag, double a, double z,
                     const char *audio, const char *indent)
{
    buf_printf(b, "%s<par id=\"%s\">\n%s  <text src=\"text.xhtml#%s\"/>\n", indent, id, indent,
               frag);
    buf_printf(b, "%s  <audio src=\"", indent);
    xml_text(b, audio ? audio : "audio.mp3");
    buf_puts(b, "\" clipBegin=\"");
    clock_time(b, a, '.');
    buf_puts(b, "\" clipEnd=\"");
    clock_time(b, z, '.');
    buf_printf(b, "\"/>\n%s</par>\n", indent);
}

/* With words, a sentence is a <seq> of one <par> per word (fragment fNNNNNNwMMM). */
static void smil_seg(struct buf *b, size_t num, const struct sent *s, double a, double z,
                     const char *audio, int with_words)
{
    char id[32], frag[32];
    if (!with_words || !s->n_words) {
        snprintf(id, sizeof id, "p%06zu", num);
        snprintf(frag, sizeof frag, "f%06zu", num);
        smil_par(b, id, frag, a, z, audio, "    ");
        return;
    }
    buf_printf(b, "    <seq id=\"s%06zu\" epub:textref=\"text.xhtml#f%06zu\">\n", num, num);
    for (size_t w = 0; w < s->n_words; w++) {
        snprintf(id, sizeof id, "p%06zuw%03zu", num, w + 1);
        snprintf(frag, sizeof frag, "f%06zuw%03zu", num, w + 1);
        smil_par(b, id, frag, s->words[w].start, word_end(s, w, z), audio, "      ");
    }
    buf_puts(b, "    </seq>\n");
}

/* The guessed words as a JSON list of strings. */
static void guessed_json(struct buf *b, const char *g)
{
    buf_putc(b, '[');
    for (int first = 1; g && *g;) {
        size_t n = strcspn(g, " ");
        if (n) {
            if (!first)
                buf_puts(b, ", ");
            json_str(b, g, n);
            first = 0;
        }
        g += n;
        g += strspn(g, " ");
    }
    buf_putc(b, ']');
}

static void aeneas_seg(struct buf *b, size_t num, const struct sent *s, double a, double z,
                       const char *audio, int with_words)
{
    (void)audio;
    buf_printf(b, "%s\n  {\"begin\": \"%.3f\", \"end\": \"%.3f\", \"id\": \"f%06zu\", "
                  "\"confidence\": %.2f, \"flagged\": %s, \"guessed\": ",
               num > 1 ? "," : "", a, z, num, (double)s->confidence,
               s->low_confidence ? "true" : "false");
    guessed_json(b, s->guessed);
    buf_puts(b, ", \"lines\": [");
    json_str(b, s->text, strlen(s->text));
    buf_putc(b, ']');
    if (with_words && s->n_words) {
        buf_puts(b, ", \"children\": [");
        for (size_t w = 0; w < s->n_words; w++) {
            buf_printf(b, "%s\n    {\"begin\": \"%.3f\", \"end\": \"%.3f\", \"id\": "
                          "\"f%06zuw%03zu\", \"lines\": [",
                       w ? "," : "", s->words[w].start, word_end(s, w, z), num, w + 1);
            json_str(b, s->words[w].text, strlen(s->words[w].text));
            buf_puts(b, "]}");
        }
        buf_puts(b, "]");
    }
    buf_puts(b, "}");
}

/* start, end, id, confidence, ok|check, text, guessed words; with words, one row per word
 * after its sentence (id fNNNNNNwMMM, no confidence or flag). */
static void tsv_seg(struct buf *b, size_t num, const struct sent *s, double a, double z,
                    const char *audio, int with_words)
{
    (void)audio;
    buf_printf(b, "%.3f\t%.3f\tf%06zu\t%.2f\t%s\t", a, z, num, (double)s->confidence,
               s->low_confidence ? "check" : "ok");
    one_line(b, s->text);
    buf_putc(b, '\t');
    if (s->guessed)
        one_line(b, s->guessed);
    buf_putc(b, '\n');
    for (size_t w = 0; with_words && w < s->n_words; w++) {
        buf_printf(b, "%.3f\t%.3f\tf%06zuw%03zu\t\t\t", s->words[w].start, word_end(s, w, z),
                   num, w + 1);
        one_line(b, s->words[w].text);
        buf_puts(b, "\t\n");
    }
}

static void audacity_seg(struct buf *b, size_t num, const struct sent *s, double a, double z,
                         const char *audio, int with_words)
{
    (void)audio;
    (void)with_words;
    (void)num;
    buf_printf(b, "%.6f\t%.6f\t", a, z);
    one_line(b, s->text);
    buf_putc(b, '\n');
}

void export_write(struct buf *b, enum export_fmt fmt, const struct transcript *t,
                  const char *audio, int with_words)
{
    switch (fmt) {
    case EXPORT_READALONG:
        transcript_json_ex(b, t, audio, with_words);
        buf_putc(b, '\n');
        break;
    case EXPORT_VTT:
        transcript_vtt_ex(b, t, with_words);
        break;
    case EXPORT_SRT:
        each(b, t, audio, srt_seg, with_words);
        break;
    case EXPORT_SMIL:
        buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<smil xmlns=\"http://www.w3.org/ns/SMIL\" "
                    "xmlns:epub=\"http://www.idpf.org/2007/ops\" version=\"3.0\">\n  <body>\n"
                    "   <seq id=\"seq000001\" epub:textref=\"text.xhtml\">\n");
        each(b, t, audio, smil_seg, with_words);
        buf_puts(b, "   </seq>\n  </body>\n</smil>\n");
        break;
    case EXPORT_AENEAS:
        buf_puts(b, "{\"fragments\": [");
        each(b, t, audio, aeneas_seg, with_words);
        buf_puts(b, "\n]}\n");
        break;
    case EXPORT_TSV:
        each(b, t, audio, tsv_seg, with_words);
        break;
    case EXPORT_AUDACITY:
        each(b, t, audio, audacity_seg, with_words);
        break;
    }
}
