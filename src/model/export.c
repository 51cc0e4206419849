/* export.c: timing files from a transcript: read-along JSON, WebVTT, SRT, EPUB3 SMIL media
 * overlays, aeneas JSON, TSV and Audacity labels. */
#include <math.h>
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
                    const char *audio);

static void each(struct buf *b, const struct transcript *t, const char *audio, seg_fn *fn)
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
            fn(b, ++num, s, s->start, end, audio);
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
                    const char *audio)
{
    (void)audio;
    buf_printf(b, "%zu\n", num);
    clock_time(b, a, ',');
    buf_puts(b, " --> ");
    clock_time(b, z, ',');
    buf_putc(b, '\n');
    one_line(b, s->text);
    buf_puts(b, "\n\n");
}

static void smil_seg(struct buf *b, size_t num, const struct sent *s, double a, double z,
                     const char *audio)
{
    (void)s;
    buf_printf(b, "    <par id=\"p%06zu\">\n      <text src=\"text.xhtml#f%06zu\"/>\n", num, num);
    buf_puts(b, "      <audio src=\"");
    xml_text(b, audio ? audio : "audio.mp3");
    buf_puts(b, "\" clipBegin=\"");
    clock_time(b, a, '.');
    buf_puts(b, "\" clipEnd=\"");
    clock_time(b, z, '.');
    buf_puts(b, "\"/>\n    </par>\n");
}

static void aeneas_seg(struct buf *b, size_t num, const struct sent *s, double a, double z,
                       const char *audio)
{
    (void)audio;
    buf_printf(b, "%s\n  {\"begin\": \"%.3f\", \"end\": \"%.3f\", \"id\": \"f%06zu\", "
                  "\"confidence\": %.2f, \"flagged\": %s, \"lines\": [",
               num > 1 ? "," : "", a, z, num, (double)s->confidence,
               s->low_confidence ? "true" : "false");
    json_str(b, s->text, strlen(s->text));
    buf_puts(b, "]}");
}

static void tsv_seg(struct buf *b, size_t num, const struct sent *s, double a, double z,
                    const char *audio)
{
    (void)audio;
    buf_printf(b, "%.3f\t%.3f\tf%06zu\t%.2f\t%s\t", a, z, num, (double)s->confidence,
               s->low_confidence ? "check" : "ok");
    one_line(b, s->text);
    buf_putc(b, '\n');
}

static void audacity_seg(struct buf *b, size_t num, const struct sent *s, double a, double z,
                         const char *audio)
{
    (void)audio;
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
        transcript_vtt(b, t);
        break;
    case EXPORT_SRT:
        each(b, t, audio, srt_seg);
        break;
    case EXPORT_SMIL:
        buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<smil xmlns=\"http://www.w3.org/ns/SMIL\" "
                    "xmlns:epub=\"http://www.idpf.org/2007/ops\" version=\"3.0\">\n  <body>\n"
                    "   <seq id=\"seq000001\" epub:textref=\"text.xhtml\">\n");
        each(b, t, audio, smil_seg);
        buf_puts(b, "   </seq>\n  </body>\n</smil>\n");
        break;
    case EXPORT_AENEAS:
        buf_puts(b, "{\"fragments\": [");
        each(b, t, audio, aeneas_seg);
        buf_puts(b, "\n]}\n");
        break;
    case EXPORT_TSV:
        each(b, t, audio, tsv_seg);
        break;
    case EXPORT_AUDACITY:
        each(b, t, audio, audacity_seg);
        break;
    }
}
