#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "align/mfcc.h"
#include "suites.h"

struct golden {
    size_t n, frames, cep;
    float *x, *ref;
};

static void golden_load(struct golden *g)
{
    FILE *f = fopen("tests/data/align/mfcc_golden.txt", "r");
    char line[256];
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_int_eq(fscanf(f, "%zu %zu %zu", &g->n, &g->frames, &g->cep), 3);
    g->x = malloc(g->n * sizeof *g->x);
    g->ref = malloc(g->frames * g->cep * sizeof *g->ref);
    for (size_t i = 0; i < g->n; i++)
        ck_assert_int_eq(fscanf(f, "%f", &g->x[i]), 1);
    for (size_t i = 0; i < g->frames * g->cep; i++)
        ck_assert_int_eq(fscanf(f, "%f", &g->ref[i]), 1);
    fclose(f);
}

/* Against the float64 numpy reference: 1e-3 absolute + 1e-3 relative (float32 FFT). */
START_TEST(mfcc_matches_reference)
{
    struct golden g;
    struct mfcc_cfg cfg;
    struct mfcc_plan *p;
    float *out;

    golden_load(&g);
    mfcc_default(&cfg, 16000);
    ck_assert_int_eq(cfg.win, 400);
    ck_assert_int_eq(cfg.hop, 160);
    p = mfcc_plan_new(&cfg);
    ck_assert_uint_eq(mfcc_n_frames(p, g.n), g.frames);
    out = calloc(g.frames * g.cep, sizeof *out);
    ck_assert_uint_eq(mfcc_compute(p, g.x, g.n, out, g.frames), g.frames);
    for (size_t i = 0; i < g.frames * g.cep; i++)
        ck_assert_msg(fabs(out[i] - g.ref[i]) <= 1e-3 + 1e-3 * fabs(g.ref[i]),
                      "coefficient %zu: %f, want %f", i, (double)out[i], (double)g.ref[i]);
    mfcc_plan_free(p);
    free(out);
    free(g.x);
    free(g.ref);
}
END_TEST

/* Pushing the signal in odd-sized pieces gives exactly the batch frames. */
START_TEST(stream_equals_batch)
{
    struct golden g;
    struct mfcc_cfg cfg;
    struct mfcc_plan *p;
    struct mfcc_stream st;
    float *out;
    size_t pieces[] = { 1, 7, 159, 160, 161, 400, 999 };

    golden_load(&g);
    mfcc_default(&cfg, 16000);
    p = mfcc_plan_new(&cfg);
    out = calloc(g.frames * g.cep, sizeof *out);
    mfcc_compute(p, g.x, g.n, out, g.frames);
    mfcc_stream_init(&st, p);
    for (size_t at = 0, k = 0; at < g.n; k++) {
        size_t m = pieces[k % 7];
        if (m > g.n - at)
            m = g.n - at;
        mfcc_stream_push(&st, g.x + at, m);
        at += m;
    }
    mfcc_stream_finish(&st);
    ck_assert_uint_eq(st.n_frames, g.frames);
    for (size_t i = 0; i < g.frames * g.cep; i++)
        ck_assert_msg(st.frames[i] == out[i], "frame value %zu differs", i);
    mfcc_stream_release(&st);
    mfcc_plan_free(p);
    free(out);
    free(g.x);
    free(g.ref);
}
END_TEST

/* The DCT is orthonormal: a flat log-mel spectrum has energy only in c0. */
START_TEST(silence_is_flat)
{
    struct mfcc_cfg cfg;
    struct mfcc_plan *p;
    float x[1600] = { 0 }, out[10 * 13];

    mfcc_default(&cfg, 16000);
    p = mfcc_plan_new(&cfg);
    ck_assert_uint_eq(mfcc_compute(p, x, 1600, out, 10), 10);
    ck_assert_double_eq_tol(out[0], log(1e-10) * sqrt(40.0), 1e-2);
    for (int q = 1; q < 13; q++)
        ck_assert_double_eq_tol(out[q], 0.0, 1e-3);
    mfcc_plan_free(p);
}
END_TEST

Suite *suite_mfcc(void)
{
    Suite *s = suite_create("mfcc");
    TCase *tc = tcase_create("kernel");
    tcase_add_test(tc, mfcc_matches_reference);
    tcase_add_test(tc, stream_equals_batch);
    tcase_add_test(tc, silence_is_flat);
    suite_add_tcase(s, tc);
    return s;
}
