/*
 * gazette align AUDIO TEXT [-o OUT] [-f FORMAT] [--lang en|zh|auto] [--lines] [--words]
 *               [--url URL] [--rate WPM] [--model DIR] [--no-acoustic] [--quiet]
 * Reads the text (plain UTF-8, or the page's transcript JSON to re-time), aligns it to the
 * audio and writes the timing. Exit 0 on success, 2 on bad input (nothing written).
 */
#include <errno.h>
#include <time.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "align/align.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "model/story.h"
#include "text/text.h"

#define TEXT_MAX (4 << 20)

static const char usage[] =
        "usage: gazette align AUDIO TEXT [-o OUT] [-f FORMAT] [--lang en|zh|auto] [--lines]\n"
        "                     [--words] [--url URL] [--rate WPM] [--model DIR]\n"
        "                     [--no-acoustic] [--timing] [--quiet]\n"
        "  --model DIR: a Sphinx acoustic model and dictionary (default: Debian's\n"
        "        pocketsphinx-en-us); --no-acoustic: espeak-ng + DTW only\n"
        "  FORMAT: readalong (default) | vtt | srt | smil | aeneas | tsv | audacity\n"
        "  TEXT: plain UTF-8 (paragraphs separated by blank lines; --lines: one segment per\n"
        "        line) or the page's transcript JSON, whose paragraphs and sentences are kept\n";

/* Chinese when CJK characters are at least a fifth of the letters. */
static const char *guess_lang(const char *s, size_t n)
{
    size_t cjk = 0, latin = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c | 32) >= 'a' && (c | 32) <= 'z')
            latin++;
        else if (c >= 0xe4 && c <= 0xe9)
            cjk++;
    }
    return cjk * 4 >= latin && cjk > 0 ? "zh" : "en";
}

/* --timing: when each stage ended, from the progress the aligner reports (synthesis up to
 * 0.4, features 0.5, DTW 0.9, the acoustic stage 1.0). */
struct timing {
    double t0, mark[4];
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int on_timing(void *cls, double f)
{
    struct timing *tm = cls;
    static const double at[4] = { 0.4, 0.5, 0.9, 1.0 };
    for (int i = 0; i < 4; i++)
        if (f >= at[i] - 1e-9 && tm->mark[i] == 0)
            tm->mark[i] = now_s();
    return 0;
}

static int on_progress(void *cls, double f)
{
    (void)cls;
    fprintf(stderr, "\raligning: %3d%%", (int)(f * 100));
    if (f >= 1.0)
        fputc('\n', stderr);
    return 0;
}

static int write_out(const char *path, const struct buf *b, struct err *err)
{
    struct buf tmp;
    FILE *f;
    int rc = GZ_OK;

    if (!path || strcmp(path, "-") == 0) {
        fwrite(b->data, 1, b->len, stdout);
        return fflush(stdout) == 0 ? GZ_OK : err_set(err, GZ_EIO, "cannot write output");
    }
    buf_init(&tmp, 0);
    buf_printf(&tmp, "%s.tmp%ld", path, (long)getpid());
    f = fopen(buf_cstr(&tmp), "wb");
    if (!f) {
        rc = err_set(err, GZ_EIO, "cannot create '%s': %s", buf_cstr(&tmp), strerror(errno));
    } else {
        if (fwrite(b->data, 1, b->len, f) != b->len || fflush(f) != 0 || fsync(fileno(f)) != 0)
            rc = err_set(err, GZ_EIO, "cannot write '%s': %s", path, strerror(errno));
        if (fclose(f) != 0 && rc == GZ_OK)
            rc = err_set(err, GZ_EIO, "cannot write '%s': %s", path, strerror(errno));
        if (rc == GZ_OK && rename(buf_cstr(&tmp), path) != 0)
            rc = err_set(err, GZ_EIO, "cannot create '%s': %s", path, strerror(errno));
        if (rc != GZ_OK)
            unlink(buf_cstr(&tmp));
    }
    buf_release(&tmp);
    return rc;
}

int cmd_align(int argc, char **argv)
{
    const char *audio = NULL, *textp = NULL, *outp = NULL, *fmt_name = "readalong";
    const char *lang = "auto", *url = NULL, *model = NULL;
    int lines = 0, words = 0, quiet = 0, rate = 0, status = 2, no_acoustic = 0, timing = 0;
    struct timing tm = { 0 };
    struct buf text, out;
    struct transcript t = { 0 };
    struct align_seg *segs = NULL;
    struct align_cfg cfg;
    struct err err = { 0 };
    enum export_fmt fmt;
    struct align_audio *aud = NULL;
    size_t n_seg = 0, k = 0, flagged = 0;
    double speech_end = NAN;
    int all_null = 1;

    t.end = NAN;
    buf_init(&text, TEXT_MAX);
    buf_init(&out, 0);
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if ((strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) && i + 1 < argc)
            outp = argv[++i];
        else if ((strcmp(a, "-f") == 0 || strcmp(a, "--format") == 0) && i + 1 < argc)
            fmt_name = argv[++i];
        else if (strcmp(a, "--lang") == 0 && i + 1 < argc)
            lang = argv[++i];
        else if (strcmp(a, "--url") == 0 && i + 1 < argc)
            url = argv[++i];
        else if (strcmp(a, "--rate") == 0 && i + 1 < argc)
            rate = (int)strtol(argv[++i], NULL, 10);
        else if (strcmp(a, "--model") == 0 && i + 1 < argc)
            model = argv[++i];
        else if (strcmp(a, "--no-acoustic") == 0)
            no_acoustic = 1;
        else if (strcmp(a, "--timing") == 0)
            timing = 1;
        else if (strcmp(a, "--lines") == 0)
            lines = 1;
        else if (strcmp(a, "--words") == 0)
            words = 1;
        else if (strcmp(a, "--quiet") == 0 || strcmp(a, "-q") == 0)
            quiet = 1;
        else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "gazette align: unknown option '%s'\n%s", a, usage);
            goto done;
        } else if (!audio)
            audio = a;
        else if (!textp)
            textp = a;
        else {
            fprintf(stderr, "gazette align: too many arguments\n%s", usage);
            goto done;
        }
    }
    if (!audio || !textp) {
        fprintf(stderr, "%s", usage);
        goto done;
    }
    if (export_parse(fmt_name, &fmt) != GZ_OK) {
        fprintf(stderr, "gazette align: unknown format '%s'\n%s", fmt_name, usage);
        goto done;
    }
    if (strcmp(lang, "en") != 0 && strcmp(lang, "zh") != 0 && strcmp(lang, "auto") != 0) {
        fprintf(stderr, "gazette align: --lang must be en, zh or auto\n");
        goto done;
    }
    if (model && access(model, R_OK | X_OK) != 0) {
        fprintf(stderr, "gazette align: cannot open the model folder '%s': %s\n", model,
                strerror(errno));
        goto done;
    }
    if (!no_acoustic && getenv("GAZETTE_NO_ACOUSTIC") && *getenv("GAZETTE_NO_ACOUSTIC"))
        no_acoustic = 1;
    if (rate && (rate < 80 || rate > 450)) {
        fprintf(stderr, "gazette align: --rate must be 80 to 450 words a minute\n");
        goto done;
    }

    /* The text. */
    if (buf_read_file(&text, textp, &err) != GZ_OK)
        goto fail;
    if (!utf8_valid(buf_cstr(&text), text.len) || memchr(buf_cstr(&text), '\0', text.len)) {
        err_set(&err, GZ_EINVAL, "'%s' is not UTF-8 text", textp);
        goto fail;
    }
    {
        const char *p = buf_cstr(&text);
        while (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t')
            p++;
        if (strncmp(p, "\xef\xbb\xbf", 3) == 0)
            p += 3;
        if (*p == '{' || *p == '[') {
            if (transcript_parse(p, text.len - (size_t)(p - buf_cstr(&text)), &t, &err) != GZ_OK)
                goto fail;
        } else {
            transcript_from_text(p, text.len - (size_t)(p - buf_cstr(&text)), lines, &t);
        }
    }
    for (size_t i = 0; i < t.n_para; i++)
        for (size_t j = 0; j < t.para[i].n_sent; j++) {
            n_seg++;
            all_null &= isnan(t.para[i].sent[j].start);
        }
    if (n_seg == 0) {
        err_set(&err, GZ_EINVAL, "'%s' holds no text to align", textp);
        goto fail;
    }
    if (strcmp(lang, "auto") == 0)
        lang = guess_lang(buf_cstr(&text), text.len);
    segs = xcalloc(n_seg, sizeof *segs);
    for (size_t i = 0; i < t.n_para; i++)
        for (size_t j = 0; j < t.para[i].n_sent; j++, k++) {
            const struct sent *s = &t.para[i].sent[j];
            segs[k].text = s->text;
            segs[k].para = (int)i;
            /* Re-timing a transcript keeps its unspoken rows (null start, or no text). */
            segs[k].spoken = s->text[0] && (all_null || !isnan(s->start));
        }

    /* The audio, then the alignment. */
    tm.t0 = now_s();
    if (align_audio_open_model(audio, no_acoustic || strcmp(lang, "en") != 0 ? "" : model, &aud,
                               &err) != GZ_OK)
        goto fail;
    if (model && !no_acoustic && strcmp(lang, "en") == 0 && !align_audio_has_model(aud)) {
        err_set(&err, GZ_EINVAL, "no Sphinx acoustic model and dictionary in '%s'", model);
        goto fail;
    }
    memset(&cfg, 0, sizeof cfg);
    cfg.lang = lang;
    cfg.rate_wpm = rate;
    cfg.want_words = words;
    cfg.model = model;
    cfg.no_acoustic = no_acoustic;
    if (!quiet && isatty(2))
        cfg.progress = on_progress;
    if (timing) {
        cfg.progress = on_timing;
        cfg.progress_cls = &tm;
    }
    {
        double t_dec = now_s();
        if (align_run(&cfg, aud, segs, n_seg, &speech_end, &err) != GZ_OK)
            goto fail;
        if (timing) {
            double t1 = now_s(), prev = t_dec;
            static const char *const name[4] = { "synthesis", "features", "dtw", "acoustic" };
            fprintf(stderr, "timing: decode %.3f s", t_dec - tm.t0); /* audio and features */
            for (int i = 0; i < 4; i++) {
                double m = tm.mark[i] ? tm.mark[i] : prev;
                fprintf(stderr, ", %s %.3f s", name[i], m - prev);
                prev = m;
            }
            fprintf(stderr, ", total %.3f s\n", t1 - tm.t0);
        }
    }

    k = 0;
    for (size_t i = 0; i < t.n_para; i++)
        for (size_t j = 0; j < t.para[i].n_sent; j++, k++) {
            struct sent *s = &t.para[i].sent[j];
            s->start = segs[k].start;
            s->end = segs[k].end;
            s->confidence = segs[k].confidence;
            s->low_confidence = (segs[k].flags & ALIGN_LOW_CONFIDENCE) != 0;
            if (s->low_confidence) {
                flagged++;
                if (!quiet)
                    fprintf(stderr, "gazette align: check segment %zu (confidence %.2f): %.60s\n",
                            k + 1, (double)s->confidence, s->text);
            }
            if (segs[k].guessed) {
                free(s->guessed);
                s->guessed = xstrdup(segs[k].guessed);
            }
            if (segs[k].n_words) {
                for (size_t w = 0; w < s->n_words; w++)
                    free(s->words[w].text); /* re-timing a transcript that had words */
                free(s->words);
                s->n_words = 0;
                s->words = xcalloc(segs[k].n_words, sizeof *s->words);
                for (size_t w = 0; w < segs[k].n_words; w++) {
                    s->words[s->n_words].start = segs[k].words[w].start;
                    s->words[s->n_words].end = segs[k].words[w].end;
                    s->words[s->n_words].text =
                            utf8_slice(s->text, (size_t)segs[k].words[w].text_pos,
                                       (size_t)segs[k].words[w].text_len);
                    s->n_words++;
                }
            }
        }
    t.end = speech_end;
    export_write(&out, fmt, &t, url ? url : audio, words);
    if (write_out(outp, &out, &err) != GZ_OK)
        goto fail;
    if (!quiet && flagged)
        fprintf(stderr, "gazette align: %zu of %zu segments flagged for review\n", flagged, n_seg);
    status = 0;
    goto done;
fail:
    fprintf(stderr, "gazette align: %s\n", err.msg);
    status = err.code == GZ_EIO ? 1 : 2;
done:
    align_segs_release(segs, n_seg);
    free(segs);
    align_audio_free(aud);
    transcript_release(&t);
    buf_release(&text);
    buf_release(&out);
    return status;
}
