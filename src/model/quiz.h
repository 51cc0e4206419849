/*
 * quiz.h: the weekly news quiz. A quiz bundle (docs/BUNDLE.md) holds questions with one right
 * answer and three wrong ones in both languages, an explanation, and the story it is about.
 * Options are shown in a fixed shuffled order per question (the same for every reader, so
 * pages cache); quiz_correct() tells which shown option is right.
 */
#ifndef GZ_MODEL_QUIZ_H
#define GZ_MODEL_QUIZ_H

#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "model/story.h"

#define QUIZ_OPTIONS 4
#define QUIZ_MAX_QUESTIONS 20

struct quiz_question {
    char *text[LANG_COUNT];
    char *option[QUIZ_OPTIONS][LANG_COUNT]; /* option[0] is the right answer (as authored) */
    char *explain[LANG_COUNT];
    char *story_slug;                        /* may be NULL */
    int order[QUIZ_OPTIONS];                 /* shown position -> authored index */
};

struct quiz {
    int64_t id;
    char *slug;
    char *title[LANG_COUNT];
    int64_t published;
    struct quiz_question q[QUIZ_MAX_QUESTIONS];
    size_t n_q;
};

/* Parse a quiz bundle ({"gazette_quiz": 1, "slug", "published", "title": {zh, en},
 * "questions": [{"question", "answer", "wrong": [3], "explain": {zh, en}, "story": slug}]})
 * or a stored body. Problems go to problems as "FIELD: PROBLEM" lines.
 * OUT: q (quiz_release it). GZ_EINVAL on any problem. */
int quiz_parse(const char *json, size_t len, struct quiz *q, struct buf *problems);
/* The body as stored (the bundle's questions). */
void quiz_body_json(struct buf *b, const struct quiz *q);
/* Shown position of the right answer of question i. */
int quiz_correct(const struct quiz *q, size_t i);
void quiz_release(struct quiz *q);

#endif
