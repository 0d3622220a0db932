/* phsim_data.h: the synthetic strong/weak-feature patch data and its two
 * views (spec section 1).
 *
 * A sample has P patches in R^d.  Draw the feature l ~ pi, a sign s = +-1 and
 * a uniform set S of Pf patches; X_p = s alpha_l v_l for p in S, else
 * X_p = xi_p ~ N(0, sigma^2 Pi) with Pi = I - sum_l v_l v_l^T (orthogonal
 * noise) or I (isotropic).  The views split the patches by a mask M: view 1
 * keeps the patches in M, view 2 the rest (the others are zero, and a zero
 * patch adds sigma(0) = 0 to f).
 *
 * Every number comes from phsim_philox.h, keyed by cfg->seed: a batch is a
 * pure function of (seed, draw).  A noise row is a function of (seed,
 * draw, row) (stream NOISE), in whatever order rows are generated; sample
 * i's random words come from (seed, draw, i) (stream STRUCTURE), but its
 * subsets are drawn over the permutation the samples before it left in
 * b->idx, so the structure is drawn in sample order.  Per sample: the label from a
 * 53-bit uniform against the cumulative pi, the sign from one bit, the
 * feature set S and a half mask by partial Fisher-Yates (one exact bounded
 * draw per chosen patch from 16 bits while P <= 2^16, the smaller of the set
 * and its complement), a Bernoulli mask from the bits of ceil(P / 32)
 * words. */
#ifndef PHSIM_DATA_H
#define PHSIM_DATA_H

#include <stdint.h>

#include <gsl/gsl_matrix.h>

#include "phsim_config.h"

typedef struct {
  size_t N, P, d;
  gsl_matrix *X;             /* (N P) x d: patch p of sample i is row i P + p;
                                streamed: the noise patches only (below) */
  size_t *xrow;              /* streamed: N P, the row of X holding each noise
                                patch; NULL: X holds every patch in place */
  size_t *xpatch;            /* streamed: the patch each row of X holds */
  unsigned char *in_view1;   /* N P: patch is in the mask M (view 1) */
  unsigned char *is_feature; /* N P: patch is in S */
  size_t *label;             /* N: the feature l of each sample (0-based) */
  int *sign;                 /* N: s */
  double *amp;               /* N: s alpha_l, a feature patch's one entry */
  uint32_t *idx;             /* P: the permutation the subsets are drawn over */
} phsim_batch;

/* d = 0: no patch storage (X = NULL), for samplers that never form X. */
phsim_batch *phsim_batch_alloc(size_t N, size_t P, size_t d);
/* A batch whose X holds only the N (P - Pf) noise patches, in the order a
 * pass reads them: those in view 1 first, then the others, each part in
 * row order (phsim_batch_draw fills it so).  A feature patch is never read
 * from X (its one entry is in the structure), and with the stop-gradient
 * the backward pass reads only view 1: each pass then streams through one
 * contiguous block of memory, where in place it skipped the feature
 * patches and the other view row by row (the hardware prefetches the rows
 * in between too).  Half the memory for Pf = P / 2.  NULL when out of
 * memory, or with no noise patch (Pf = P) or none of N, d. */
phsim_batch *phsim_batch_alloc_streamed(size_t N, size_t P, size_t Pf, size_t d);

/* The d numbers of noise patch `row` (= i P + p), streamed or not. */
static inline const double *phsim_batch_patch(const phsim_batch *b, size_t row) {
  return b->X->data + (b->xrow != NULL ? b->xrow[row] : row) * b->X->tda;
}
void phsim_batch_free(phsim_batch *b);

/* Fill b with the N samples of draw number `draw` and their masks: the
 * structure, then the patches. */
void phsim_batch_draw(phsim_batch *b, const phsim_config *cfg, uint64_t draw);
/* Labels, signs, feature sets S and masks M of the N samples of `draw`. */
void phsim_batch_draw_structure(phsim_batch *b, const phsim_config *cfg,
                                uint64_t draw);
/* x <- Pi x for one d-vector: zero its K feature coordinates when the noise
 * is orthogonal (Pi = I - sum_l v_l v_l^T); isotropic: Pi = I. */
void phsim_noise_project(phsim_noise noise, size_t K, double *x);

/* Patch `row` (= i P + p) of `draw` for the drawn structure into x (d
 * numbers): s alpha_l v_l on S, noise else. */
void phsim_batch_fill_row(const phsim_batch *b, const phsim_config *cfg,
                          uint64_t draw, size_t row, double *x);
/* Every patch: X's rows by phsim_batch_fill_row (streamed: the noise
 * patches, in X's order for the drawn masks). */
void phsim_batch_fill_patches(phsim_batch *b, const phsim_config *cfg,
                              uint64_t draw);

#endif
