/*
 * markdown.h: an article body written in Markdown (md4c, CommonMark) to the page's
 * paragraphs and sentences. Paragraphs, headings and list items are narrated; block quotes
 * (pull quotes), tables and code blocks are marked "not narrated" (start = NAN). Inline
 * markup is dropped: the transcript holds plain text. Images are never text: their alt text
 * and caption go to the layout only.
 * The layout (markdown_layout) is the same parse kept with its form: what kind of block each
 * transcript paragraph is, the inline marks over its text, and the figures between them. The
 * page renders from the stored transcript (it carries the times) and takes the form from the
 * layout when the two agree sentence by sentence (docs/ARCHITECTURE.md, "Formatting").
 * Ownership: markdown_layout_release() frees everything in a layout.
 */
#ifndef GZ_MODEL_MARKDOWN_H
#define GZ_MODEL_MARKDOWN_H

#include <stddef.h>

#include "model/story.h"

/* Fill t (reset first) from md. Narrated sentences get start 0 (untimed), others NAN.
 * GZ_EINVAL when md is not UTF-8 or holds no text. */
int markdown_to_transcript(const char *md, size_t len, struct transcript *t, struct err *err);

/* Carry times over from old to t for narrated sentences whose text is unchanged (matched in
 * order); the other narrated ones become untimed (NAN) until aligned. Returns how many
 * narrated sentences still need timing. */
size_t transcript_keep_times(struct transcript *t, const struct transcript *old);

enum md_block_kind {
    MD_KIND_P = 0, /* paragraph */
    MD_KIND_H,     /* heading: level 2..6 (a Markdown # is demoted: the page has the h1) */
    MD_KIND_LI,    /* list item: list, ordered */
    MD_KIND_QUOTE, /* block quote: a pull quote, not narrated */
    MD_KIND_OTHER, /* table or code block: plain text, not narrated */
};

enum md_mark_kind { MD_MARK_STRONG, MD_MARK_EM, MD_MARK_LINK, MD_MARK_CODE, MD_MARK_DEL };

/* Inline markup over [from, to) of a block's text. Marks are in the order they open, so
 * they nest: an earlier mark that covers a later one encloses it. */
struct md_mark {
    enum md_mark_kind kind;
    size_t from, to;
    char *href; /* MD_MARK_LINK: an http(s) or mailto URL (others are dropped to text) */
};

/* A picture: ![alt](src "caption"). src is site-relative ("/..."; the CSP allows no other
 * host), else the image is dropped. width/height are 0 unless src names them as
 * "...-<w>x<h>.<ext>" (the newsroom's stored sizes). */
struct md_figure {
    char *src, *alt, *caption; /* alt and caption may be "" */
    int width, height;
};

/* One transcript paragraph's form, and the figures that follow it. */
struct md_block {
    enum md_block_kind kind;
    int level;           /* MD_KIND_H */
    int list, ordered;   /* MD_KIND_LI: items with the same list number share one list */
    char *text;          /* the paragraph's text, as split into sentences */
    size_t *sent_off;    /* n_sent byte offsets of the sentences in text */
    size_t n_sent;
    struct md_mark *mark;
    size_t n_mark;
    struct md_figure *fig; /* after this paragraph */
    size_t n_fig;
};

struct md_layout {
    struct transcript tr;  /* what markdown_to_transcript gives */
    struct md_block *block; /* tr.n_para blocks */
    struct md_figure *lead_fig; /* before the first paragraph */
    size_t n_lead_fig;
};

/* Parse md into l (reset first). Errors as markdown_to_transcript; l is empty on error. */
int markdown_layout(const char *md, size_t len, struct md_layout *l, struct err *err);
/* 1 when t has exactly l's paragraphs and sentence texts (so l can dress t). */
int markdown_layout_fits(const struct md_layout *l, const struct transcript *t);
/* The first figure of the story, NULL when none. */
const struct md_figure *markdown_layout_first_figure(const struct md_layout *l);
void markdown_layout_release(struct md_layout *l);

#endif
