/*
 * text.h: UTF-8 checks and sentence splitting for English and Chinese.
 * Splitting rules: a sentence ends at . ! ? followed by closing quotes/brackets and white space,
 * unless the word before '.' is a known abbreviation ("Mr", "Dr", "e.g"), an initial ("J."),
 * holds an inner '.' ("U.S."), or the next word starts in lower case; decimals ("3.5") never
 * split since no space follows. It also ends at 。！？ (and ！？ full or half width before
 * CJK), keeping closing quotes (” 」 』 ） ’) with the sentence. Pieces are trimmed of white space.
 */
#ifndef GZ_TEXT_TEXT_H
#define GZ_TEXT_TEXT_H

#include <stddef.h>

#include "core/buf.h"

/* 1 when s[0..n) is valid UTF-8 without overlongs or surrogates, else 0. */
int utf8_valid(const char *s, size_t n);
/* Number of code points (s must be valid UTF-8). */
size_t utf8_len(const char *s, size_t n);
/* A copy of the n_chars characters of s (NUL-terminated UTF-8) from character from_char
 * (counted from 1, as espeak-ng reports word positions); shorter at the end of s. */
char *utf8_slice(const char *s, size_t from_char, size_t n_chars);
/* 1 when s holds a control character other than tab, LF and CR. */
int text_has_control(const char *s, size_t n);

/* Split s into sentences; writes at most cap views into out (borrowing s).
 * Returns the number of sentences found (may exceed cap: call again with more room). */
size_t text_split(const char *s, size_t n, struct str *out, size_t cap);

/* 1 when two sentences shown one after the other need a space between them: not when the
 * left one ends or the right one starts with a CJK character or full-width punctuation
 * (Chinese sentences follow each other without a space), else 1. Both NUL-terminated UTF-8. */
int text_join_space(const char *left, const char *right);

/* 1 when a line break in the source between left[0..nl) and right[0..nr) joins the two with
 * nothing: the last character of left and the first of right are both wide (CJK ideographs,
 * kana, full-width punctuation; not Hangul, which is written with spaces), as CSS Text 3
 * removes such segment breaks. Else 0 (the break reads as a space). Valid UTF-8; empty gives 0. */
int text_break_joins(const char *left, size_t nl, const char *right, size_t nr);

/* A readable device from a User-Agent header: *browser ("Chrome", "Safari", "WeChat"...) and
 * *os ("Linux", "iPhone", "Windows"...), static strings, NULL when not recognised. */
void text_device(const char *ua, const char **browser, const char **os);

#endif
