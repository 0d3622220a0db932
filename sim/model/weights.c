/* weights.c: the weights' shared pieces (phsim_weights.h). */
#include "phsim_weights.h"

#include <math.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_randist.h>

#include "../base/kernel.h"

void phsim_overlaps_perturb(gsl_matrix *W, size_t K, double eps) {
  if (eps == 0.0) return;
  for (size_t j = 0; j < W->size1; j++)
    for (size_t l = 0; l < K; l++)
      *gsl_matrix_ptr(W, j, l) *= 1.0 + ((j + l) % 2 ? -eps : eps);
}

void phsim_weights_init(const phsim_config *cfg, const gsl_matrix *W0,
                        gsl_rng *r, gsl_matrix *W) {
  if (W0 != NULL) {
    gsl_matrix_memcpy(W, W0);
  } else {
    const double sd = 1.0 / sqrt((double)cfg->d);
    for (size_t j = 0; j < cfg->m; j++)
      for (size_t i = 0; i < cfg->d; i++)
        gsl_matrix_set(W, j, i, gsl_ran_gaussian(r, sd));
  }
  phsim_overlaps_perturb(W, cfg->K, cfg->perturb);
}

void phsim_weights_gram(const gsl_matrix *W, size_t K, gsl_matrix *R) {
  const size_t m = W->size1;
  if (W->size2 == K) {
    gsl_matrix_set_zero(R);
    return;
  }
  gsl_matrix_const_view Wp = gsl_matrix_const_submatrix(W, 0, K, m, W->size2 - K);
  gsl_blas_dsyrk(CblasUpper, CblasNoTrans, 1.0, &Wp.matrix, 0.0, R);
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < r; s++) gsl_matrix_set(R, r, s, gsl_matrix_get(R, s, r));
}

/* The fused pass is latency-bound: each Gram entry is one chain of adds
 * over the columns (dsyrk's order, which the bits require), so the chains
 * of all entries must run side by side in registers.  For m up to
 * PERP_REG_M the pass is compiled once per m, its loops unrolled and its
 * sums scalarised; beyond it they live in the work array. */
#define PERP_REG_M 4
#define PERP_REG_TRI (PERP_REG_M * (PERP_REG_M + 1) / 2)
#if defined(__GNUC__)
#define PERP_NO_SLP __attribute__((optimize("no-tree-slp-vectorize")))
#else
#define PERP_NO_SLP
#endif
/* perp_chunk's loop over columns runs in AVX2 (4 a vector) where the
 * processor has it, SSE2 (2) otherwise (PHSIM_CLONES). */

/* One column of C = B - eta S B (S symmetric, upper triangle read), each
 * entry with the operations of gslcblas's dsymm (Left, Upper, beta = 1,
 * alpha = -eta) in its order, so the step keeps its bits: C_r starts at
 * B_r, adds S_ir (alpha B_i) for i < r, then (alpha B_r) S_rr, then
 * alpha sum_{k>r} S_rk B_k (that sum from 0.0, k ascending). */
PHSIM_INLINE void step_column(size_t m, const double *restrict S, size_t tds,
                               double alpha, const double *restrict b,
                               double *restrict scaled, double *restrict c) {
  for (size_t i = 0; i < m; i++) scaled[i] = alpha * b[i];
  for (size_t r = 0; r < m; r++) {
    double x = b[r];
    for (size_t i = 0; i < r; i++) x += S[i * tds + r] * scaled[i];
    x += scaled[r] * S[r * tds + r];
    double rest = 0.0;
    for (size_t k = r + 1; k < m; k++) rest += S[r * tds + k] * b[k];
    c[r] = x + alpha * rest;
  }
}

/* gram[p] += c_r c_s over the packed upper triangle (r <= s, row by row):
 * one more term of dsyrk's sums, which run over the columns in order. */
PHSIM_INLINE void gram_add_column(size_t m, const double *restrict c,
                                   double *restrict gram) {
  for (size_t r = 0, p = 0; r < m; r++)
    for (size_t s = r; s < m; s++, p++) gram[p] += c[r] * c[s];
}

/* R from the packed sums.  dsyrk (beta = 0, alpha = 1) stores
 * 0.0 + 1.0 sum, which is the sum itself: a sum started at +0.0 is never
 * -0.0 in round-to-nearest. */
static void gram_unpack(const double *gram, gsl_matrix *R) {
  const size_t m = R->size1;
  for (size_t r = 0, p = 0; r < m; r++)
    for (size_t s = r; s < m; s++, p++) {
      gsl_matrix_set(R, r, s, gram[p]);
      gsl_matrix_set(R, s, r, gram[p]);
    }
}

/* Column j of W stepped into c (and of Wt moved into b, with target). */
PHSIM_INLINE void perp_column(size_t m, int step, int target, const double *restrict S,
                             double alpha, double ema, double *restrict W, size_t tdw,
                             double *restrict Wt, size_t tdt, size_t j, double *restrict b,
                             double *restrict scaled, double *restrict c) {
  for (size_t r = 0; r < m; r++) c[r] = b[r] = W[r * tdw + j];
  if (step) step_column(m, S, m, alpha, b, scaled, c);
  for (size_t r = 0; r < m; r++) W[r * tdw + j] = c[r];
  if (!target) return;
  /* the EMA target, entry by entry as phsim_ema_update */
  for (size_t r = 0; r < m; r++) {
    b[r] = ema * Wt[r * tdt + j] + (1.0 - ema) * c[r];
    Wt[r * tdt + j] = b[r];
  }
}

/* PERP_CHUNK columns from j side by side (m <= PERP_REG_M): each as
 * perp_column, in a loop over the columns which the compiler vectorises
 * (the columns are independent, a vector lane computes its column with the
 * scalar's operations), the Gram sums' products into prod (prod_t).  The
 * caller adds them column by column: dsyrk's order, the one chain per sum
 * that bounds the pass. */
#define PERP_CHUNK 16
PHSIM_INLINE void perp_chunk(size_t m, int step, int target, const double *restrict S,
                            double alpha, double ema, double *restrict W, size_t tdw,
                            double *restrict Wt, size_t tdt, size_t j,
                            double (*restrict prod)[PERP_CHUNK],
                            double (*restrict prod_t)[PERP_CHUNK]) {
#if defined(__GNUC__)
#pragma GCC ivdep
#endif
  for (size_t q = 0; q < PERP_CHUNK; q++) {
    double b[PERP_REG_M], scaled[PERP_REG_M], c[PERP_REG_M];
    perp_column(m, step, target, S, alpha, ema, W, tdw, Wt, tdt, j + q, b, scaled, c);
    for (size_t r = 0, p = 0; r < m; r++)
      for (size_t s = r; s < m; s++, p++) {
        prod[p][q] = c[r] * c[s];
        if (target) prod_t[p][q] = b[r] * b[s];
      }
  }
}

/* The pass over columns K.. of W (and Wt), its Gram sums packed into
 * sums (R's, then Rt's).  Inlined with a constant m <= PERP_REG_M, its
 * vectors are local arrays indexed by constants, which the compiler keeps
 * in registers, and the columns go PERP_CHUNK at a time (perp_chunk);
 * otherwise they live in work, one column at a time.  step (eta != 0) and
 * target (Wt given) are constants too, so the loop carries no branch. */
PHSIM_INLINE void perp_pass(size_t m, int step, int target,
                           const phsim_perp_step_args *a,
                           double *restrict work, double *restrict sums) {
  const size_t tri = m * (m + 1) / 2, small = m <= PERP_REG_M;
  double lb[PERP_REG_M], ls[PERP_REG_M], lc[PERP_REG_M];
  double lg[PERP_REG_TRI] = {0.0}, lgt[PERP_REG_TRI] = {0.0};
  double lS[PERP_REG_M * PERP_REG_M];
  double *restrict b = small ? lb : work, *restrict scaled = small ? ls : b + m;
  double *restrict c = small ? lc : scaled + m;
  double *restrict gram = small ? lg : c + m, *restrict gram_t = small ? lgt : gram + tri;
  double *restrict S = small ? lS : gram_t + tri;
  for (size_t p = 0; p < tri; p++) gram[p] = gram_t[p] = 0.0;
  for (size_t i = 0; i < m * m; i++) S[i] = a->S->data[i / m * a->S->tda + i % m];
  double *restrict W = a->W->data;
  double *restrict Wt = target ? a->Wt->data : NULL;
  const size_t tdw = a->W->tda, tdt = target ? a->Wt->tda : 0, d = a->W->size2;
  const double alpha = -a->eta, ema = a->ema;
  size_t j = a->K;
  for (; small && j + PERP_CHUNK <= d; j += PERP_CHUNK) {
    double prod[PERP_REG_TRI][PERP_CHUNK], prod_t[PERP_REG_TRI][PERP_CHUNK];
    perp_chunk(m, step, target, S, alpha, ema, W, tdw, Wt, tdt, j, prod, prod_t);
    for (size_t q = 0; q < PERP_CHUNK; q++)
      for (size_t p = 0; p < tri; p++) {
        gram[p] += prod[p][q];
        if (target) gram_t[p] += prod_t[p][q];
      }
  }
  for (; j < d; j++) {
    perp_column(m, step, target, S, alpha, ema, W, tdw, Wt, tdt, j, b, scaled, c);
    gram_add_column(m, c, gram);
    if (target) gram_add_column(m, b, gram_t);
  }
  for (size_t p = 0; p < tri; p++) sums[p] = gram[p], sums[tri + p] = gram_t[p];
}

/* b, scaled, c, the two sums, S (for m > PERP_REG_M), then the sums out. */
/* perp_pass with its flags as constants.  dsymm returns at once when
 * alpha = -eta = 0: W unchanged. */
PHSIM_INLINE void perp_variants(size_t m, const phsim_perp_step_args *a,
                               double *work, double *sums) {
  const int step = a->eta != 0.0;
  if (a->Wt == NULL) {
    if (step) perp_pass(m, 1, 0, a, work, sums);
    else perp_pass(m, 0, 0, a, work, sums);
  } else {
    if (step) perp_pass(m, 1, 1, a, work, sums);
    else perp_pass(m, 0, 1, a, work, sums);
  }
}

size_t phsim_perp_step_work(size_t m) { return 3 * m + 2 * m * (m + 1) + m * m; }

PHSIM_CLONES PERP_NO_SLP void phsim_perp_step(const phsim_perp_step_args *a, double *work) {
  const size_t m = a->W->size1, tri = m * (m + 1) / 2;
  double *sums = work + phsim_perp_step_work(m) - 2 * tri;
#define PERP_VARIANTS(M) perp_variants(M, a, work, sums)
  PHSIM_PER_M(PERP_VARIANTS, m, PERP_VARIANTS(m))
#undef PERP_VARIANTS
  gram_unpack(sums, a->R);
  if (a->Wt != NULL) gram_unpack(sums + tri, a->Rt);
}

void phsim_ema_update(double ema, const gsl_matrix *X, gsl_matrix *Xt) {
  for (size_t i = 0; i < X->size1; i++)
    for (size_t j = 0; j < X->size2; j++)
      gsl_matrix_set(Xt, i, j,
                     ema * gsl_matrix_get(Xt, i, j) +
                         (1.0 - ema) * gsl_matrix_get(X, i, j));
}

void phsim_grad_W(const gsl_matrix *gA, const gsl_matrix *S,
                  const gsl_matrix *W, gsl_matrix *gradW) {
  const size_t m = W->size1, K = gA->size2, d = W->size2;
  for (size_t r = 0; r < m; r++)
    for (size_t l = 0; l < K; l++)
      gsl_matrix_set(gradW, r, l, gsl_matrix_get(gA, r, l));
  if (d > K) {
    gsl_matrix_const_view Wp = gsl_matrix_const_submatrix(W, 0, K, m, d - K);
    gsl_matrix_view g = gsl_matrix_submatrix(gradW, 0, K, m, d - K);
    gsl_blas_dsymm(CblasLeft, CblasUpper, 1.0, S, &Wp.matrix, 0.0, &g.matrix);
  }
}
