/* batchgrad.c: forward and backward pass of the finite-batch loss. */
#include "phsim_batchgrad.h"

#include <float.h>
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>

#include "../base/kernel.h"

phsim_batchgrad_workspace *phsim_batchgrad_alloc(size_t N, size_t P, size_t m,
                                                 size_t d,
                                                 phsim_batch_opts opts) {
  phsim_batchgrad_workspace *w = calloc(1, sizeof *w);
  if (w == NULL) return NULL;
  w->N = N;
  w->P = P;
  w->m = m;
  w->d = d;
  w->opts = opts;
  w->rho = gsl_vector_alloc(m);
  w->gW = gsl_matrix_alloc(m, d);
  w->gE = gsl_matrix_alloc(m, m);
  w->Z = gsl_matrix_alloc(N * P, m);
  w->Zt = gsl_matrix_alloc(N * P, m);
  w->dZ = gsl_matrix_alloc(N * P, m);
  w->f1 = gsl_matrix_alloc(N, m);
  w->f2 = gsl_matrix_alloc(N, m);
  w->U = gsl_matrix_alloc(N, m);
  w->Uh = gsl_matrix_alloc(N, m);
  w->f2h = gsl_matrix_alloc(N, m);
  w->dU = gsl_matrix_alloc(N, m);
  w->df1 = gsl_matrix_alloc(N, m);
  w->df2 = gsl_matrix_alloc(N, m);
  w->sU = gsl_vector_alloc(m);
  w->sf2 = gsl_vector_alloc(m);
  w->zeros = gsl_vector_calloc(m);
  return w;
}

void phsim_batchgrad_free(phsim_batchgrad_workspace *w) {
  if (w == NULL) return;
  gsl_vector_free(w->rho);
  gsl_matrix_free(w->gW);
  gsl_matrix_free(w->gE);
  gsl_matrix_free(w->Z);
  gsl_matrix_free(w->Zt);
  gsl_matrix_free(w->dZ);
  gsl_matrix_free(w->f1);
  gsl_matrix_free(w->f2);
  gsl_matrix_free(w->U);
  gsl_matrix_free(w->Uh);
  gsl_matrix_free(w->f2h);
  gsl_matrix_free(w->dU);
  gsl_matrix_free(w->df1);
  gsl_matrix_free(w->df2);
  gsl_vector_free(w->sU);
  gsl_vector_free(w->sf2);
  gsl_vector_free(w->zeros);
  free(w);
}

/* The per-patch passes below are compiled once for each m <= 4 (their
 * loops unrolled, a sample's sums in registers) and once for any m; the
 * row-wise passes over X in AVX2 where the processor has it (kernel.h). */

static inline double act_of(phsim_act act, double z) {
  return act == PHSIM_ACT_CUBIC ? z * z * z : (z > 0.0 ? z : 0.0);
}

/* Sample i's sums, over its patches, of act(Z) in the mask M (s1) and of
 * act(Zt) outside it (s2): a patch's view selects its source and adds 0 to
 * the other sum (no branch). */
PHSIM_INLINE void sample_features_m(size_t m, phsim_act act, const double *restrict Z,
                                 const double *restrict Zt, const phsim_batch *b, size_t i,
                                 double *restrict s1, double *restrict s2) {
#pragma GCC unroll 4
  for (size_t r = 0; r < m; r++) s1[r] = s2[r] = 0.0;
  for (size_t row = i * b->P; row < (i + 1) * b->P; row++) {
    const int in = b->in_view1[row];
    const double *z = (in ? Z : Zt) + row * m;
#pragma GCC unroll 4
    for (size_t r = 0; r < m; r++) {
      const double c = act_of(act, z[r]);
      s1[r] += in ? c : 0.0;
      s2[r] += in ? 0.0 : c;
    }
  }
}

/* Every sample's sums into f1, f2; for m <= 4 through local sums, which
 * stay in registers (through f1 and f2 they would chain through memory). */
PHSIM_INLINE void features_m(size_t m, phsim_act act, const double *restrict Z,
                          const double *restrict Zt, const phsim_batch *b,
                          double *restrict f1, double *restrict f2) {
  for (size_t i = 0; i < b->N; i++) {
    if (m > 4) {
      sample_features_m(m, act, Z, Zt, b, i, f1 + i * m, f2 + i * m);
      continue;
    }
    double a1[4], a2[4];
    sample_features_m(m, act, Z, Zt, b, i, a1, a2);
#pragma GCC unroll 4
    for (size_t r = 0; r < m; r++) {
      f1[i * m + r] = a1[r];
      f2[i * m + r] = a2[r];
    }
  }
}

static void view_features(phsim_act act, const gsl_matrix *Z,
                          const gsl_matrix *Zt, const phsim_batch *b,
                          gsl_matrix *f1, gsl_matrix *f2) {
#define FEATURES(mm) features_m(mm, act, Z->data, Zt->data, b, f1->data, f2->data)
  PHSIM_PER_M(FEATURES, Z->size2, FEATURES(Z->size2))
#undef FEATURES
}

/* dZ_{iP+p, r} = act'(Z) df_ir with df = df1 on the patches in the mask M,
 * df2 on the others (NULL: 0, the stop-gradient). */
PHSIM_INLINE void backward_m(size_t m, phsim_act act, const double *Z,
                          const double *df1, const double *df2,
                          const phsim_batch *b, const double *zeros, double *dZ) {
  const size_t P = b->P;
  for (size_t i = 0; i < b->N; i++)
    for (size_t row = i * P; row < (i + 1) * P; row++) {
      const double *z = Z + row * m;
      const double *df = b->in_view1[row] ? df1 + i * m
                         : df2 != NULL    ? df2 + i * m
                                          : zeros;
      double *g = dZ + row * m;
      if (act == PHSIM_ACT_CUBIC) {
#pragma GCC unroll 4
        for (size_t r = 0; r < m; r++) g[r] = 3.0 * z[r] * z[r] * df[r];
      } else {
#pragma GCC unroll 4
        for (size_t r = 0; r < m; r++) g[r] = z[r] > 0.0 ? df[r] : 0.0;
      }
    }
}

static void view_backward(phsim_act act, const gsl_matrix *Z,
                          const gsl_matrix *df1, const gsl_matrix *df2,
                          const phsim_batch *b, const double *zeros,
                          gsl_matrix *dZ) {
  const double *d2 = df2 != NULL ? df2->data : NULL;
#define BACKWARD(mm) backward_m(mm, act, Z->data, df1->data, d2, b, zeros, dZ->data)
  PHSIM_PER_M(BACKWARD, Z->size2, BACKWARD(Z->size2))
#undef BACKWARD
}

/* Column-wise BatchNorm without affine part: xh = (x - mean) / s with
 * s^2 = mean(x^2) - mean^2 (the biased batch variance).  Returns 0 when a
 * column has no spread. */
static int batchnorm_forward(const gsl_matrix *x, gsl_matrix *xh,
                             gsl_vector *scale) {
  const size_t N = x->size1;
  for (size_t j = 0; j < x->size2; j++) {
    double mean = 0.0, var = 0.0;
    for (size_t i = 0; i < N; i++) mean += gsl_matrix_get(x, i, j);
    mean /= (double)N;
    for (size_t i = 0; i < N; i++) {
      double c = gsl_matrix_get(x, i, j) - mean;
      var += c * c;
    }
    var /= (double)N;
    if (!(var >= DBL_MIN) || !isfinite(var)) return 0; /* none, or its digits lost */
    double s = sqrt(var);
    gsl_vector_set(scale, j, s);
    for (size_t i = 0; i < N; i++)
      gsl_matrix_set(xh, i, j, (gsl_matrix_get(x, i, j) - mean) / s);
  }
  return 1;
}

static int forward(const gsl_matrix *E, const phsim_batch *b,
                   int separate_target, phsim_batchgrad_workspace *w) {
  const phsim_act act = w->opts.act;
  const gsl_matrix *Zt = separate_target ? w->Zt : w->Z;
  view_features(act, w->Z, Zt, b, w->f1, w->f2);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, w->f1, E, 0.0, w->U);
  const int normalized = batchnorm_forward(w->U, w->Uh, w->sU) &&
                         batchnorm_forward(w->f2, w->f2h, w->sf2);
  if (!normalized && w->opts.norm == PHSIM_NORM_BN) {
    snprintf(w->fault, sizeof w->fault,
             "a batch variance of the outputs or targets is 0 or not finite "
             "(BatchNorm undefined)");
    return PHSIM_ENUM;
  }
  w->loss = 0.0;
  for (size_t j = 0; j < w->m; j++) {
    double rho = 0.0;
    if (normalized) {
      gsl_vector_const_view uj = gsl_matrix_const_column(w->Uh, j);
      gsl_vector_const_view tj = gsl_matrix_const_column(w->f2h, j);
      gsl_blas_ddot(&uj.vector, &tj.vector, &rho);
      rho /= (double)b->N;
    }
    gsl_vector_set(w->rho, j, rho);
    if (w->opts.norm == PHSIM_NORM_BN) w->loss += 2.0 * (1.0 - rho);
  }
  if (w->opts.norm == PHSIM_NORM_NONE) {
    for (size_t i = 0; i < b->N; i++)
      for (size_t j = 0; j < w->m; j++) {
        double diff = gsl_matrix_get(w->U, i, j) - gsl_matrix_get(w->f2, i, j);
        w->loss += diff * diff;
      }
    w->loss /= (double)b->N;
  }
  if (!isfinite(w->loss)) {
    snprintf(w->fault, sizeof w->fault, "batch loss = %g", w->loss);
    return PHSIM_ENUM;
  }
  return PHSIM_OK;
}

/* dL/dx for x = U (online, partner t = f2) or x = f2 (target, partner U):
 *   bn:   rho_j = (1/N) sum_i x_ij t^_ij / s_x,j (sum_i t^_ij = 0 removes the
 *         mean), so dL/dx_ij = -2 (t^_ij - rho_j x^_ij) / (N s_x,j);
 *   none: dL/dx_ij = 2 (x_ij - t_ij) / N. */
static void loss_backward(const phsim_batchgrad_workspace *w,
                          const gsl_matrix *x, const gsl_matrix *xh,
                          const gsl_vector *sx, const gsl_matrix *t,
                          const gsl_matrix *th, gsl_matrix *dx) {
  const double N = (double)w->N;
  for (size_t i = 0; i < w->N; i++)
    for (size_t j = 0; j < w->m; j++) {
      double g;
      if (w->opts.norm == PHSIM_NORM_BN)
        g = -2.0 *
            (gsl_matrix_get(th, i, j) -
             gsl_vector_get(w->rho, j) * gsl_matrix_get(xh, i, j)) /
            (N * gsl_vector_get(sx, j));
      else
        g = 2.0 * (gsl_matrix_get(x, i, j) - gsl_matrix_get(t, i, j)) / N;
      gsl_matrix_set(dx, i, j, g);
    }
}

static void backward(const gsl_matrix *E, const phsim_batch *b,
                     phsim_batchgrad_workspace *w) {
  const phsim_act act = w->opts.act;
  loss_backward(w, w->U, w->Uh, w->sU, w->f2, w->f2h, w->dU);
  /* U = f1 E^T:  dE = dU^T f1,  df1 = dU E. */
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->dU, w->f1, 0.0, w->gE);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->dU, E, 0.0, w->df1);
  /* f1 = sum_{p in M} act(Z):  dZ = act'(Z) df1 on view-1 patches; with
   * the gradient through the target branch (Wt = W, so Zt = Z), act'(Z) df2
   * on the view-2 patches, else 0 there. */
  const int through_target = w->opts.stopgrad == PHSIM_STOPGRAD_FALSE;
  if (through_target) loss_backward(w, w->f2, w->f2h, w->sf2, w->U, w->Uh, w->df2);
  view_backward(act, w->Z, w->df1, through_target ? w->df2 : NULL, b,
                w->zeros->data, w->dZ);
}

int phsim_batchgrad_from_projections(const gsl_matrix *E, const phsim_batch *b,
                                     int separate_target,
                                     phsim_batchgrad_workspace *w) {
  int st = forward(E, b, separate_target, w);
  if (st != PHSIM_OK) return st;
  backward(E, b, w);
  return PHSIM_OK;
}

/* ---- the projections Z = X W^T and the weight gradient dW = dZ^T X ------
 * Row by row while W (and dW) stay in cache: a feature patch is
 * s alpha_l v_l (one entry, from the batch's structure), so only the noise
 * patches are read, each once per pass (a streamed batch's in X's order
 * forward); above ROWWISE_MAX entries of W, BLAS's blocked dgemm on the
 * whole X. */
enum { ROWWISE_MAX = 32768 };

int phsim_batchgrad_rowwise(size_t m, size_t d) { return m * d <= ROWWISE_MAX; }

static int rowwise(const gsl_matrix *W) { return phsim_batchgrad_rowwise(W->size1, W->size2); }

/* Four doubles as one value (GCC's vector extension: SSE2 pairs, or one
 * AVX2 register in the AVX2 clone); lane j holds the sum over k = j mod 4.
 * Never a function's argument or result (its ABI differs between the
 * clones): loaded and stored by memcpy in the macros below. */
typedef double v4d __attribute__((vector_size(32)));
/* acc += p[0..3] * xv */
#define MUL_ADD4(acc, p)              \
  do {                                \
    v4d w_;                           \
    memcpy(&w_, (p), sizeof w_);      \
    (acc) += w_ * xv;                 \
  } while (0)
/* p[0..3] += g * xv */
#define AXPY4(p, g)                   \
  do {                                \
    v4d w_;                           \
    memcpy(&w_, (p), sizeof w_);      \
    w_ += (g) * xv;                   \
    memcpy((p), &w_, sizeof w_);      \
  } while (0)

/* A row's partial sums a0..a3 and its tail k..d-1 (into a0) as one dot
 * product: (a0 + a1) + (a2 + a3). */
PHSIM_INLINE double dot_finish(double a0, double a1, double a2, double a3, const double *w,
                            const double *x, size_t k, size_t d) {
  for (; k < d; k++) a0 += w[k] * x[k];
  return (a0 + a1) + (a2 + a3);
}
#define DOT_FINISH(a, w) dot_finish((a)[0], (a)[1], (a)[2], (a)[3], (w), x, k, d)

/* z[r] = <W_r, x> for the M <= 4 rows of W and a noise patch x, x read
 * once for all of them (the patch streams from memory; W stays in cache).
 * Each row keeps four partial sums, k = 0, 1, 2, 3 mod 4, in registers:
 * every sum rounds as a scalar loop with four accumulators would (no FMA
 * under -std=c11). */
PHSIM_INLINE void project_rows_m(size_t M, const double *W, size_t tda, size_t d,
                              const double *restrict x, double *restrict z) {
  v4d a0 = {0.0, 0.0, 0.0, 0.0}, a1 = a0, a2 = a0, a3 = a0;
  size_t k = 0;
  for (; k + 4 <= d; k += 4) {
    v4d xv;
    memcpy(&xv, x + k, sizeof xv);
    MUL_ADD4(a0, W + k);
    if (M > 1) MUL_ADD4(a1, W + tda + k);
    if (M > 2) MUL_ADD4(a2, W + 2 * tda + k);
    if (M > 3) MUL_ADD4(a3, W + 3 * tda + k);
  }
  z[0] = DOT_FINISH(a0, W);
  if (M > 1) z[1] = DOT_FINISH(a1, W + tda);
  if (M > 2) z[2] = DOT_FINISH(a2, W + 2 * tda);
  if (M > 3) z[3] = DOT_FINISH(a3, W + 3 * tda);
}

/* The same for any m, a row of W at a time (x read m times). */
static void project_rows_any(size_t m, const double *W, size_t tda, size_t d,
                             const double *x, double *z) {
  for (size_t r = 0; r < m; r++) project_rows_m(1, W + r * tda, tda, d, x, z + r);
}

PHSIM_CLONES static void project_row(const gsl_matrix *W, const double *x, double *z) {
#define PROJECT_M(M) project_rows_m(M, W->data, W->tda, W->size2, x, z)
  PHSIM_PER_M(PROJECT_M, W->size1, project_rows_any(W->size1, W->data, W->tda, W->size2, x, z))
#undef PROJECT_M
}

/* Row `row` of Z (and of Zt when Wt != NULL) from X's row. */
static void project_patch(const phsim_batch *b, size_t i, size_t row,
                          const gsl_matrix *W, const gsl_matrix *Wt,
                          phsim_batchgrad_workspace *w) {
  double *z = w->Z->data + row * w->Z->tda, *zt = w->Zt->data + row * w->Zt->tda;
  if (b->is_feature[row]) {
    const size_t l = b->label[i];
    for (size_t r = 0; r < w->m; r++) z[r] = b->amp[i] * W->data[r * W->tda + l];
    if (Wt != NULL)
      for (size_t r = 0; r < w->m; r++) zt[r] = b->amp[i] * Wt->data[r * Wt->tda + l];
    return;
  }
  const double *x = phsim_batch_patch(b, row);
  project_row(W, x, z);
  if (Wt != NULL) project_row(Wt, x, zt);
}

/* A streamed batch (phsim_batch_alloc_streamed): the noise patches in X's
 * order (one stream through memory), then the feature patches. */
static void project_streamed(const phsim_batch *b, const gsl_matrix *W,
                             const gsl_matrix *Wt, phsim_batchgrad_workspace *w) {
  for (size_t q = 0; q < b->X->size1; q++) {
    const size_t row = b->xpatch[q];
    project_patch(b, row / b->P, row, W, Wt, w);
  }
  for (size_t row = 0; row < b->N * b->P; row++)
    if (b->is_feature[row]) project_patch(b, row / b->P, row, W, Wt, w);
}

static void project_all(const phsim_batch *b, const gsl_matrix *W,
                        const gsl_matrix *Wt, phsim_batchgrad_workspace *w) {
  if (b->xrow != NULL) {
    project_streamed(b, W, Wt, w);
    return;
  }
  if (rowwise(W)) {
    for (size_t i = 0; i < b->N; i++)
      for (size_t row = i * b->P; row < (i + 1) * b->P; row++)
        project_patch(b, i, row, W, Wt, w);
    return;
  }
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, b->X, W, 0.0, w->Z);
  if (Wt != NULL) gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, b->X, Wt, 0.0, w->Zt);
}

/* gW_r += g[r] x for the M rows of gW, x read once (every g[r] != 0).
 * Each gW_r[k] takes the same additions in the same order as one row at a
 * time: the same bits. */
PHSIM_INLINE void accumulate_rows_m(size_t M, double *gW, size_t tda, size_t d, const double *g,
                                 const double *restrict x) {
  const double g0 = g[0], g1 = M > 1 ? g[1] : 0.0, g2 = M > 2 ? g[2] : 0.0, g3 = M > 3 ? g[3] : 0.0;
  double *w0 = gW, *w1 = gW + tda, *w2 = gW + 2 * tda, *w3 = gW + 3 * tda;
  size_t k = 0;
  for (; k + 4 <= d; k += 4) {
    v4d xv;
    memcpy(&xv, x + k, sizeof xv);
    AXPY4(w0 + k, g0);
    if (M > 1) AXPY4(w1 + k, g1);
    if (M > 2) AXPY4(w2 + k, g2);
    if (M > 3) AXPY4(w3 + k, g3);
  }
  for (; k < d; k++) {
    w0[k] += g0 * x[k];
    if (M > 1) w1[k] += g1 * x[k];
    if (M > 2) w2[k] += g2 * x[k];
    if (M > 3) w3[k] += g3 * x[k];
  }
}

/* One patch's row x (or its feature entry) into gW, row r only where
 * g[r] != 0. */
PHSIM_CLONES static void accumulate_row(const phsim_batch *b, size_t row, const double *g,
                                        gsl_matrix *gW) {
  const size_t m = gW->size1, d = gW->size2;
  const double *x = b->is_feature[row] ? NULL : phsim_batch_patch(b, row);
  int all = !b->is_feature[row];
  for (size_t r = 0; r < m; r++) all = all && g[r] != 0.0;
#define ACCUMULATE_M(M) accumulate_rows_m(M, gW->data, gW->tda, d, g, x)
  if (all && m <= 4) {
    PHSIM_PER_M(ACCUMULATE_M, m, ACCUMULATE_M(4))
    return;
  }
#undef ACCUMULATE_M
  for (size_t r = 0; r < m; r++) {
    if (g[r] == 0.0) continue;
    double *gw = gW->data + r * gW->tda;
    if (b->is_feature[row]) {
      const size_t i = row / b->P; /* rare: a feature patch in the view */
      gw[b->label[i]] += b->amp[i] * g[r];
    } else {
      accumulate_rows_m(1, gw, gW->tda, d, g + r, x);
    }
  }
}

/* gW = dZ^T X; a patch's row of X is read only where its dZ is not 0 (with
 * the stop-gradient, the view-1 patches), once for all rows of W. */
static void weight_gradient(const phsim_batch *b, phsim_batchgrad_workspace *w) {
  gsl_matrix *gW = w->gW;
  if (!rowwise(gW) && b->xrow == NULL) {
    gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->dZ, b->X, 0.0, gW);
    return;
  }
  gsl_matrix_set_zero(gW);
  for (size_t row = 0; row < b->N * b->P; row++) {
    const double *g = w->dZ->data + row * w->dZ->tda;
    int any = 0;
    for (size_t r = 0; r < w->m; r++) any = any || g[r] != 0.0;
    if (any) accumulate_row(b, row, g, gW);
  }
}

int phsim_batchgrad_eval(const gsl_matrix *W, const gsl_matrix *E,
                         const gsl_matrix *Wt, const phsim_batch *b,
                         phsim_batchgrad_workspace *w) {
  project_all(b, W, Wt != W ? Wt : NULL, w);
  int st = phsim_batchgrad_from_projections(E, b, Wt != W, w);
  if (st != PHSIM_OK) return st;
  weight_gradient(b, w);
  return PHSIM_OK;
}

int phsim_batchgrad_eval_fresh(const gsl_matrix *W, const gsl_matrix *E,
                               const gsl_matrix *Wt, phsim_batch *b,
                               const phsim_config *cfg, uint64_t draw,
                               phsim_batchgrad_workspace *w) {
  if (b->xrow != NULL) return PHSIM_EINPUT;
  phsim_batch_draw_structure(b, cfg, draw);
  const gsl_matrix *target = Wt != W ? Wt : NULL;
  if (rowwise(W)) {
    /* Each patch projected while it is in cache. */
    for (size_t i = 0; i < b->N; i++)
      for (size_t row = i * b->P; row < (i + 1) * b->P; row++) {
        if (!b->is_feature[row]) /* never read: project_patch, weight_gradient */
          phsim_batch_fill_row(b, cfg, draw, row, b->X->data + row * b->X->tda);
        project_patch(b, i, row, W, target, w);
      }
  } else {
    phsim_batch_fill_patches(b, cfg, draw);
    project_all(b, W, target, w);
  }
  int st = phsim_batchgrad_from_projections(E, b, Wt != W, w);
  if (st != PHSIM_OK) return st;
  weight_gradient(b, w);
  return PHSIM_OK;
}
