#include "align/dtw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { BP_DIAG = 0, BP_UP = 1, BP_LEFT = 2, BP_START = 3 };

/* Rows of the search region: row i spans columns [lo[i], hi[i]] (inclusive). */
struct corridor {
    uint32_t *lo, *hi;
    size_t n;
};

static float dist(const float *x, const float *y, int dim)
{
    float s = 0;
    for (int k = 0; k < dim; k++) {
        float d = x[k] - y[k];
        s += d * d;
    }
    return sqrtf(s);
}

/* Solve DTW inside corridor c. */
static int solve(const float *a, size_t na, const float *b, size_t nb, int dim,
                 const struct corridor *c, int open_ends, float skip, struct dtw_path *out)
{
    size_t *row_off = xmalloc((na + 1) * sizeof *row_off);
    size_t total = 0, maxw = 0;
    uint8_t *bp;
    float *prev, *cur;
    size_t best_i = 0;
    double best = INFINITY;

    for (size_t i = 0; i < na; i++) {
        size_t w = c->hi[i] - c->lo[i] + 1;
        row_off[i] = total;
        total += w;
        if (w > maxw)
            maxw = w;
    }
    row_off[na] = total;
    bp = xmalloc(total ? total : 1);
    prev = xmalloc(maxw * sizeof *prev);
    cur = xmalloc(maxw * sizeof *cur);

    for (size_t i = 0; i < na; i++) {
        uint32_t lo = c->lo[i], hi = c->hi[i];
        uint32_t plo = i ? c->lo[i - 1] : 1, phi = i ? c->hi[i - 1] : 0; /* empty for row 0 */
        const float *ai = a + i * (size_t)dim;
        uint8_t *brow = bp + row_off[i];

        for (uint32_t j = lo; j <= hi; j++) {
            float cost = dist(ai, b + (size_t)j * (size_t)dim, dim);
            float bestp = INFINITY;
            uint8_t code = BP_DIAG;

            if (i > 0 && j > 0 && j - 1 >= plo && j - 1 <= phi) {
                bestp = prev[j - 1 - plo];
                code = BP_DIAG;
            }
            if (i > 0 && j >= plo && j <= phi && prev[j - plo] < bestp) {
                bestp = prev[j - plo];
                code = BP_UP;
            }
            if (j > lo && cur[j - 1 - lo] < bestp) {
                bestp = cur[j - 1 - lo];
                code = BP_LEFT;
            }
            if (j == 0) {
                /* Start here: every earlier row skipped (open ends) or none (anchored). */
                float start = open_ends ? skip * (float)i : (i == 0 ? 0.0f : INFINITY);
                if (start <= bestp) {
                    bestp = start;
                    code = BP_START;
                }
            }
            cur[j - lo] = bestp + cost;
            brow[j - lo] = code;
        }
        if (hi == nb - 1) {
            double end = cur[hi - lo] + (open_ends ? (double)skip * (double)(na - 1 - i)
                                                   : (i == na - 1 ? 0.0 : INFINITY));
            if (end < best) {
                best = end;
                best_i = i;
            }
        }
        {
            float *t = prev;
            prev = cur;
            cur = t;
        }
    }
    free(prev);
    free(cur);
    if (!isfinite(best)) {
        free(bp);
        free(row_off);
        return GZ_EINVAL;
    }
    /* Trace back from (best_i, nb-1). */
    {
        size_t cap = na + nb, n = 0;
        uint32_t *pi = xmalloc(cap * sizeof *pi), *pj = xmalloc(cap * sizeof *pj);
        size_t i = best_i;
        uint32_t j = (uint32_t)(nb - 1);
        for (;;) {
            uint8_t code = bp[row_off[i] + (j - c->lo[i])];
            pi[n] = (uint32_t)i;
            pj[n] = j;
            n++;
            if (code == BP_START)
                break;
            if (code == BP_DIAG) {
                i--;
                j--;
            } else if (code == BP_UP) {
                i--;
            } else {
                j--;
            }
        }
        for (size_t k = 0; k < n / 2; k++) {
            uint32_t t = pi[k];
            pi[k] = pi[n - 1 - k];
            pi[n - 1 - k] = t;
            t = pj[k];
            pj[k] = pj[n - 1 - k];
            pj[n - 1 - k] = t;
        }
        out->i = pi;
        out->j = pj;
        out->n = n;
        out->cost = best;
    }
    free(bp);
    free(row_off);
    return GZ_OK;
}

/* Average frames in pairs (the last one alone when n is odd). */
static float *halve(const float *x, size_t n, int dim, size_t *out_n)
{
    size_t m = (n + 1) / 2;
    float *y = xmalloc(m * (size_t)dim * sizeof *y);
    for (size_t t = 0; t < m; t++) {
        const float *p = x + 2 * t * (size_t)dim;
        int two = 2 * t + 1 < n;
        for (int k = 0; k < dim; k++)
            y[t * (size_t)dim + (size_t)k] = two ? 0.5f * (p[k] + p[(size_t)dim + (size_t)k]) : p[k];
    }
    *out_n = m;
    return y;
}

/* The corridor at this level from the path one level coarser: each coarse cell (I, J) covers
 * rows 2I..2I+1 and columns 2J..2J+1; widen by r rows and columns. */
static void project(const struct dtw_path *coarse, size_t na, size_t nb, int r,
                    struct corridor *c)
{
    c->n = na;
    c->lo = xmalloc(na * sizeof *c->lo);
    c->hi = xmalloc(na * sizeof *c->hi);
    for (size_t i = 0; i < na; i++) {
        c->lo[i] = UINT32_MAX;
        c->hi[i] = 0;
    }
    for (size_t k = 0; k < coarse->n; k++) {
        size_t i0 = 2 * (size_t)coarse->i[k], j0 = 2 * (size_t)coarse->j[k];
        size_t ilo = i0 > (size_t)r ? i0 - (size_t)r : 0, ihi = i0 + 1 + (size_t)r;
        uint32_t jlo = j0 > (size_t)r ? (uint32_t)(j0 - (size_t)r) : 0;
        uint32_t jhi = (uint32_t)(j0 + 1 + (size_t)r < nb ? j0 + 1 + (size_t)r : nb - 1);
        if (ihi >= na)
            ihi = na - 1;
        for (size_t i = ilo; i <= ihi; i++) {
            if (jlo < c->lo[i])
                c->lo[i] = jlo;
            if (jhi > c->hi[i])
                c->hi[i] = jhi;
        }
    }
    /* Rows the path never came near (a skipped lead-in or tail): column 0 before the path,
     * the last column after it, so open ends stay possible. Then keep bounds monotone. */
    {
        size_t first = 0;
        while (first < na && c->lo[first] == UINT32_MAX)
            first++;
        for (size_t i = 0; i < na; i++)
            if (c->lo[i] == UINT32_MAX)
                c->lo[i] = c->hi[i] = i < first ? 0 : (uint32_t)(nb - 1);
    }
    for (size_t i = 1; i < na; i++)
        if (c->lo[i] < c->lo[i - 1])
            c->lo[i] = c->lo[i - 1];
    for (size_t i = na - 1; i-- > 0;)
        if (c->hi[i] > c->hi[i + 1])
            c->hi[i] = c->hi[i + 1];
    for (size_t i = 0; i < na; i++) {
        /* Rows must overlap their neighbours for the path to stay continuous. */
        if (i > 0 && c->lo[i] > c->hi[i - 1])
            c->lo[i] = c->hi[i - 1];
        if (c->lo[i] > c->hi[i])
            c->lo[i] = c->hi[i];
    }
}

static int align_level(const float *a, size_t na, const float *b, size_t nb, int dim,
                       const struct dtw_cfg *cfg, struct dtw_path *out)
{
    struct corridor c = { 0 };
    int rc;

    if (cfg->coarse_cells && na * nb > cfg->coarse_cells && na > 8 && nb > 8) {
        size_t ma, mb;
        float *ha = halve(a, na, dim, &ma), *hb = halve(b, nb, dim, &mb);
        struct dtw_path coarse = { 0 };
        struct dtw_cfg half = *cfg;

        half.skip_cost = cfg->skip_cost; /* averaged frames keep the same distance scale */
        rc = align_level(ha, ma, hb, mb, dim, &half, &coarse);
        free(ha);
        free(hb);
        if (rc != GZ_OK)
            return rc;
        project(&coarse, na, nb, cfg->radius, &c);
        dtw_path_release(&coarse);
    } else {
        c.n = na;
        c.lo = xcalloc(na, sizeof *c.lo);
        c.hi = xmalloc(na * sizeof *c.hi);
        for (size_t i = 0; i < na; i++)
            c.hi[i] = (uint32_t)(nb - 1);
    }
    rc = solve(a, na, b, nb, dim, &c, cfg->open_ends, cfg->skip_cost, out);
    free(c.lo);
    free(c.hi);
    return rc;
}

int dtw_align(const float *a, size_t na, const float *b, size_t nb, int dim,
              const struct dtw_cfg *cfg, struct dtw_path *out, struct err *err)
{
    memset(out, 0, sizeof *out);
    if (na == 0 || nb == 0 || dim <= 0)
        return err_set(err, GZ_EINVAL, "dtw: empty sequence");
    if (na >= UINT32_MAX / 2 || nb >= UINT32_MAX / 2)
        return err_set(err, GZ_ETOOBIG, "dtw: sequence too long");
    if (align_level(a, na, b, nb, dim, cfg, out) != GZ_OK)
        return err_set(err, GZ_EINVAL, "dtw: no path through the corridor");
    return GZ_OK;
}

void dtw_path_release(struct dtw_path *p)
{
    free(p->i);
    free(p->j);
    memset(p, 0, sizeof *p);
}
