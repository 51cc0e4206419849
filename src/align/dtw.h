/*
 * dtw.h: dynamic time warping between two feature sequences, coarse to fine.
 * Sequence a (the recording, rows i) and b (the synthetic reference, columns j) are row-major
 * [frame][dim] float arrays. Local cost: Euclidean distance. Steps: (i-1,j-1), (i-1,j),
 * (i,j-1), each adding the local cost of the cell entered. With open ends, the path may start
 * at any row (rows before it cost skip_cost each) and end at any row (rows after it likewise),
 * so a lead-in or tail in the recording that the reference lacks is skipped, not warped.
 * Coarse to fine: both sequences are halved (frames averaged in pairs) until the grid has at
 * most coarse_cells cells; the full grid is solved there; each finer level is solved only in
 * a corridor around the path of the level above, widened by radius frames.
 * Memory: O((na + nb) * dim + na * width) where width is the corridor width: linear in length.
 * Invariants: dtw(x, x) follows the diagonal with zero cost; paths are monotone and continuous;
 * with a corridor that holds the optimal path the result equals full DTW.
 * Ownership: dtw_path_release frees a path; nothing else is kept.
 */
#ifndef GZ_ALIGN_DTW_H
#define GZ_ALIGN_DTW_H

#include <stddef.h>
#include <stdint.h>

#include "core/gz.h"

struct dtw_cfg {
    size_t coarse_cells; /* solve the full grid once it is this small; 0 = always full DTW */
    int radius;          /* corridor half-width added at each finer level, in frames */
    int open_ends;       /* allow free start and end rows in a */
    float skip_cost;     /* per skipped row with open ends */
};

struct dtw_path {
    uint32_t *i, *j; /* cells in order, from the first matched row to the last */
    size_t n;
    double cost;     /* total cost including skipped rows */
};

/* Align a (na frames) to b (nb frames), dim floats per frame. GZ_OK, or GZ_EINVAL for empty
 * input. */
int dtw_align(const float *a, size_t na, const float *b, size_t nb, int dim,
              const struct dtw_cfg *cfg, struct dtw_path *out, struct err *err);
void dtw_path_release(struct dtw_path *p);

#endif
