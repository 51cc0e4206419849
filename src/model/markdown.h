/*
 * markdown.h: an article body written in Markdown (md4c, CommonMark) to the page's
 * paragraphs and sentences. Paragraphs, headings and list items are narrated; block quotes
 * (pull quotes), tables and code blocks are marked "not narrated" (start = NAN). Inline
 * markup is dropped: the transcript holds plain text.
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

#endif
