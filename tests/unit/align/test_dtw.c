#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "align/align.h"
#include "align/dtw.h"
#include "suites.h"

static float *random_seq(size_t n, int dim, unsigned seed)
{
    float *x = malloc(n * (size_t)dim * sizeof *x);
    for (size_t i = 0; i < n * (size_t)dim; i++) {
        seed = seed * 1103515245u + 12345u;
        x[i] = (float)((seed >> 8) & 0xffff) / 65536.0f - 0.5f;
    }
    return x;
}

/* A smooth random walk, so that warped copies stay close to it (speech-like). */
static float *walk(size_t n, int dim, unsigned seed)
{
    float *x = random_seq(n, dim, seed);
    for (size_t i = 1; i < n; i++)
        for (int k = 0; k < dim; k++)
            x[i * (size_t)dim + (size_t)k] =
                    0.9f * x[(i - 1) * (size_t)dim + (size_t)k] + x[i * (size_t)dim + (size_t)k];
    return x;
}

static void check_path(const struct dtw_path *p, size_t nb)
{
    ck_assert_uint_gt(p->n, 0);
    ck_assert_uint_eq(p->j[0], 0);
    ck_assert_uint_eq(p->j[p->n - 1], nb - 1);
    for (size_t k = 1; k < p->n; k++) {
        uint32_t di = p->i[k] - p->i[k - 1], dj = p->j[k] - p->j[k - 1];
        ck_assert_msg(p->i[k] >= p->i[k - 1] && p->j[k] >= p->j[k - 1], "not monotone");
        ck_assert_msg(di <= 1 && dj <= 1 && di + dj >= 1, "not continuous at %zu", k);
    }
}

START_TEST(identity_is_diagonal)
{
    float *x = walk(300, 4, 1);
    struct dtw_cfg cfg = { 0, 8, 0, 0 };
    struct dtw_path p;
    struct err err = { 0 };

    ck_assert_int_eq(dtw_align(x, 300, x, 300, 4, &cfg, &p, &err), GZ_OK);
    ck_assert_uint_eq(p.n, 300);
    for (size_t k = 0; k < p.n; k++)
        ck_assert(p.i[k] == k && p.j[k] == k);
    ck_assert_double_eq_tol(p.cost, 0.0, 1e-9);
    dtw_path_release(&p);
    cfg.coarse_cells = 1000; /* coarse to fine finds it too */
    ck_assert_int_eq(dtw_align(x, 300, x, 300, 4, &cfg, &p, &err), GZ_OK);
    ck_assert_double_eq_tol(p.cost, 0.0, 1e-9);
    dtw_path_release(&p);
    free(x);
}
END_TEST

/* Coarse to fine equals full DTW when the corridor holds the optimal path. */
START_TEST(banded_equals_full)
{
    for (unsigned seed = 1; seed <= 5; seed++) {
        size_t nb = 400, na = 0;
        float *b = walk(nb, 6, seed), *a = malloc(700 * 6 * sizeof *a);
        struct dtw_cfg full = { 0, 0, 0, 0 }, fine = { 5000, 30, 0, 0 };
        struct dtw_path p1, p2;
        struct err err = { 0 };
        /* a: b warped (frames repeated or dropped) plus a little noise. */
        for (size_t j = 0; j < nb; j++) {
            int reps = (j / 37) % 3; /* 0, 1 or 2 copies */
            for (int r = 0; r < reps + (j % 50 == 0); r++, na++)
                for (int k = 0; k < 6; k++)
                    a[na * 6 + (size_t)k] = b[j * 6 + (size_t)k] + 0.01f * (float)((na * 7 + (size_t)k) % 5);
        }
        ck_assert_int_eq(dtw_align(a, na, b, nb, 6, &full, &p1, &err), GZ_OK);
        ck_assert_int_eq(dtw_align(a, na, b, nb, 6, &fine, &p2, &err), GZ_OK);
        check_path(&p1, nb);
        check_path(&p2, nb);
        ck_assert_msg(fabs(p1.cost - p2.cost) <= 1e-3 * p1.cost, "seed %u: %f vs %f", seed,
                      p1.cost, p2.cost);
        dtw_path_release(&p1);
        dtw_path_release(&p2);
        free(a);
        free(b);
    }
}
END_TEST

/* Bit-exact path checksum on integer-valued features (1-D, so costs are integers). The
 * expected cost, path and checksum come from an independent plain-Python DTW with the same
 * step order (diagonal, then up, then left on ties). */
START_TEST(integer_checksum)
{
    float a[] = { 0, 1, 1, 2, 3, 3, 3, 5, 4, 2, 0 }, b[] = { 0, 1, 2, 3, 5, 3, 2, 0 };
    struct dtw_cfg cfg = { 0, 0, 0, 0 };
    struct dtw_path p;
    struct err err = { 0 };
    uint64_t sum = 0;

    ck_assert_int_eq(dtw_align(a, 11, b, 8, 1, &cfg, &p, &err), GZ_OK);
    for (size_t k = 0; k < p.n; k++)
        sum = sum * 31 + p.i[k] * 16 + p.j[k];
    ck_assert_double_eq(p.cost, 1.0);
    ck_assert_uint_eq(p.n, 11);
    ck_assert_uint_eq(sum, 479056545655635ULL);
    dtw_path_release(&p);
}
END_TEST

/* Open ends skip a lead-in and a tail that the reference does not have. */
START_TEST(open_ends_skip_lead_in)
{
    size_t nb = 200, lead = 90, tail = 40, na = lead + nb + tail;
    float *b = walk(nb, 4, 7), *junk = random_seq(na, 4, 99), *a = malloc(na * 4 * sizeof *a);
    struct dtw_cfg cfg = { 2000, 8, 1, 1.0f };
    struct dtw_path p;
    struct err err = { 0 };

    for (size_t i = 0; i < na; i++)
        for (int k = 0; k < 4; k++)
            a[i * 4 + (size_t)k] = i >= lead && i < lead + nb ? b[(i - lead) * 4 + (size_t)k]
                                                             : 3.0f + 4 * junk[i * 4 + (size_t)k];
    ck_assert_int_eq(dtw_align(a, na, b, nb, 4, &cfg, &p, &err), GZ_OK);
    check_path(&p, nb);
    ck_assert_uint_eq(p.i[0], lead);
    ck_assert_uint_eq(p.i[p.n - 1], lead + nb - 1);
    dtw_path_release(&p);
    free(a);
    free(b);
    free(junk);
}
END_TEST

START_TEST(empty_input)
{
    float x[4] = { 0 };
    struct dtw_cfg cfg = { 0, 0, 0, 0 };
    struct dtw_path p;
    struct err err = { 0 };
    ck_assert_int_eq(dtw_align(x, 0, x, 4, 1, &cfg, &p, &err), GZ_EINVAL);
    ck_assert_int_eq(dtw_align(x, 4, x, 0, 1, &cfg, &p, &err), GZ_EINVAL);
}
END_TEST

START_TEST(years_read_in_pairs)
{
    static const char *const cases[][2] = {
        { "In 1455 and 1900.", "In fourteen fifty-five and nineteen hundred." },
        { "By 1905, 2024 and 1066", "By nineteen oh five, 2024 and 1066" },
        { "$1455 or 1455% or 1,455 or 14550", "$1455 or 1455% or 1,455 or 14550" },
        { "Page 1812.5", "Page 1812.5" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *o = align_normalise("en", cases[i][0]);
        ck_assert_str_eq(o, cases[i][1]);
        free(o);
    }
    {
        char *o = align_normalise("zh", "1455年");
        ck_assert_str_eq(o, "1455年");
        free(o);
    }
}
END_TEST

Suite *suite_dtw(void)
{
    Suite *s = suite_create("dtw");
    TCase *tc = tcase_create("properties");
    tcase_add_test(tc, identity_is_diagonal);
    tcase_add_test(tc, banded_equals_full);
    tcase_add_test(tc, integer_checksum);
    tcase_add_test(tc, open_ends_skip_lead_in);
    tcase_add_test(tc, empty_input);
    tcase_add_test(tc, years_read_in_pairs);
    suite_add_tcase(s, tc);
    return s;
}
