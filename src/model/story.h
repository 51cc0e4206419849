/*
 * story.h: the plain data a handler passes from the store to the renderers.
 * A transcript is the page's structure: paragraphs of sentences, each with a start in seconds
 * (NAN when the row is not spoken), and the end of speech (NAN when unknown).
 * Ownership: story_free() frees everything reachable from a story; lists own their items.
 */
#ifndef GZ_MODEL_STORY_H
#define GZ_MODEL_STORY_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"

enum lang { LANG_EN = 0, LANG_ZH = 1, LANG_COUNT = 2 };

struct word {
    double start;
    double end; /* NAN when unknown */
    char *text;
};

struct sent {
    char *text;
    double start; /* seconds; NAN = not spoken */
    /* From the aligner (zero/NAN elsewhere): */
    double end;       /* NAN when unknown: the next start is the end */
    float confidence; /* 0..1 */
    int low_confidence;
    char *guessed; /* words whose pronunciation the aligner guessed, space-separated; NULL */
    struct word *words;
    size_t n_words;
};

struct para {
    struct sent *sent;
    size_t n_sent;
    size_t cap_sent; /* room para_add() made (0 when sent was allocated elsewhere) */
};

struct transcript {
    struct para *para;
    size_t n_para;
    double end; /* end of speech; NAN when unknown */
};

struct story_lang {
    int present;
    char *headline, *standfirst, *summary, *byline;
    struct transcript tr;
    char *audio;    /* file name under the media folder, NULL when not narrated */
    char *markdown; /* the editor's source, NULL for imported stories */
    double duration; /* seconds, 0 when unknown */
    int synthetic;  /* narration made by a speech synthesiser */
};

/* A story's state. Zero is "published" so that a story built by import (zeroed) is published,
 * as bundles always were. Stored and shown by name (story_status_name). */
enum story_status {
    STORY_PUBLISHED = 0,
    STORY_DRAFT,
    STORY_SCHEDULED,
};

/* "published", "draft", "scheduled". */
const char *story_status_name(enum story_status s);
/* GZ_EINVAL when s names no state (NULL included). */
int story_status_parse(const char *s, enum story_status *out);

/* A newsroom picture (sql 0008): files media/img/NAME-<w>x<h>.webp|.jpg for each size. */
struct story_image {
    char *name;    /* content hash; NULL in a struct that holds none */
    char *sizes;   /* "480x270,960x540", smallest first */
    char *alt, *caption;
};

struct story {
    int64_t id;
    char *slug;
    char *section_slug, *section_zh, *section_en;
    int64_t published; /* unix seconds */
    char *tags;        /* comma-separated */
    char *copyright;   /* NULL: the site's default line */
    char *pairs;       /* JSON [[en,zh],...] or NULL for index pairing */
    enum story_status status;
    int64_t version;   /* optimistic lock: 0 on input means "do not check" */
    char *related;     /* JSON list of story ids picked by hand, or NULL */
    struct story_lang l[LANG_COUNT];
    struct story_image lead;  /* lead.name NULL: none set */
    struct story_image *image; /* pictures uploaded for this story, oldest first */
    size_t n_image;
};

/* A headline in a list: home, section, related. */
struct story_brief {
    int64_t id;
    char *section_slug, *section_zh, *section_en;
    int64_t published;
    char *headline[LANG_COUNT]; /* NULL when the language is absent */
    char *summary[LANG_COUNT];
    enum story_status status;   /* newsroom lists only; else STORY_PUBLISHED */
    int64_t version;
    struct story_image lead;    /* lead.name NULL: none (caption not loaded) */
};

struct job_info {
    int64_t id;
    char state[16];
    double progress;
    char error[256];
    int64_t flagged;
    double seconds;
    char audio[160];
};

struct brief_list {
    struct story_brief *item;
    size_t n;
};

struct section {
    char *slug, *name_zh, *name_en;
};

struct section_list {
    struct section *item;
    size_t n;
};

struct quiz_brief {
    int64_t id;
    char *title_zh, *title_en;
    int64_t published;
};

const char *lang_code(enum lang l); /* "en" / "zh" */
int lang_parse(const char *s, size_t n, enum lang *out);

void transcript_release(struct transcript *t);
/* Append a sentence (a copy of s[0..n)) to p: start seconds or NAN, end unknown. */
void para_add(struct para *p, const char *s, size_t n, double start);
/* Parse the page's transcript JSON ({"text":[[...]...]} or the bare [[...]] list). The final
 * empty segment becomes t->end. Returns GZ_OK or GZ_EINVAL with a message naming the problem. */
int transcript_parse(const char *json, size_t len, struct transcript *t, struct err *err);
/* Plain UTF-8 text: paragraphs at blank lines, sentences split by text_split, or one
 * segment per non-blank line with lines. Every start is 0 (spoken, untimed). t is reset.
 * The text ends at a NUL byte, if any. */
void transcript_from_text(const char *s, size_t n, int lines, struct transcript *t);
/* The page's format: {"text":[[{"start":s,"text":"..."},...],...,[{"start":end,"text":""}]],"url":...}.
 * url may be NULL (written as null). Segments with word times carry them ("words":
 * [{"start":s,"end":e,"text":"..."}]): the reader page marks the spoken word. */
void transcript_json(struct buf *b, const struct transcript *t, const char *url);
/* The same, with each segment's "words" array when with_words and known. */
void transcript_json_ex(struct buf *b, const struct transcript *t, const char *url,
                        int with_words);
/* Start of the next spoken sentence after (pi, si), else the end of speech (NAN if none). */
double transcript_next_start(const struct transcript *t, size_t pi, size_t si);
/* The body as stored: the same list (with words) without the url wrapper; rows the aligner
 * flagged carry "check": true (never in the public transcript). */
void transcript_body_json(struct buf *b, const struct transcript *t);
/* Every sentence of t, joined by single spaces: the text search reads (store backends). */
void transcript_plain(struct buf *b, const struct transcript *t);
/* WebVTT: one cue per spoken sentence, ending where the next spoken one starts. */
void transcript_vtt(struct buf *b, const struct transcript *t);
/* The same; with_words puts a cue-internal timestamp <hh:mm:ss.mmm> before each word. */
void transcript_vtt_ex(struct buf *b, const struct transcript *t, int with_words);
enum export_fmt { EXPORT_READALONG, EXPORT_VTT, EXPORT_SRT, EXPORT_SMIL, EXPORT_AENEAS,
                  EXPORT_TSV, EXPORT_AUDACITY };
/* Parse a format name (readalong|json|vtt|srt|smil|aeneas|tsv|audacity). */
int export_parse(const char *name, enum export_fmt *out);
/* Write t in fmt. audio: the narration's URL or file name (may be NULL); with_words adds
 * word timing: the read-along JSON's per-segment "words", WebVTT cue timestamps, a SMIL <seq>
 * of word <par>s, aeneas "children", TSV word rows. */
void export_write(struct buf *b, enum export_fmt fmt, const struct transcript *t,
                  const char *audio, int with_words);

/* Number of spoken sentences (start not NAN). */
size_t transcript_n_spoken(const struct transcript *t);

void story_free(struct story *s);
void story_image_release(struct story_image *im);
/* Parse a struct story_image sizes list ("480x270,960x540") into w[i], h[i]. Returns how many
 * sizes were read (0..cap); a malformed entry ends the list. */
size_t story_image_sizes(const char *sizes, int *w, int *h, size_t cap);
/* Append the Markdown that shows im (its largest JPEG, alt text and caption, escaped for
 * Markdown) to out: ![alt](/media/img/NAME-<w>x<h>.jpg "caption"). */
void story_image_markdown(struct buf *out, const struct story_image *im);
/* The picture of s named name (the part of a file name before "-<w>x<h>"), or NULL. */
const struct story_image *story_image_find(const struct story *s, const char *name,
                                           size_t name_len);
/* s->lead: a copy of the picture named lead among s->image; none (name NULL) when lead is
 * NULL or the story has no such picture (its row is gone). The store backends call it after
 * reading a story's pictures. */
void story_lead_from_images(struct story *s, const char *lead);
/* Call fn for every file of picture name with sizes (see story_image_sizes): WebP then JPEG of
 * each size, as "img/NAME-<w>x<h>.webp|jpg" in the media folder. fn returning non-zero stops
 * the walk; that value is returned, else 0. */
int story_image_files(const char *name, const char *sizes, int (*fn)(void *cls, const char *file),
                      void *cls);
void brief_list_release(struct brief_list *l);
void section_list_release(struct section_list *l);
void quiz_brief_release(struct quiz_brief *q);

/* "YYYY-MM-DDThh:mm:ssZ" to unix seconds: 1 on success, 0 when malformed. */
int time_parse_utc(const char *s, int64_t *out);

/* JSON string literal with escapes (", \, control chars, U+2028/9; "</" as "<\/"). */
void json_str(struct buf *b, const char *s, size_t n);

#endif
