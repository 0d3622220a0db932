/* batchgrad.c: forward and backward pass of the finite-batch loss. */
#include "phsim_batchgrad.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>

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
  free(w);
}

static double act_value(phsim_act act, double z) {
  return act == PHSIM_ACT_CUBIC ? z * z * z : (z > 0.0 ? z : 0.0);
}

static double act_slope(phsim_act act, double z) {
  return act == PHSIM_ACT_CUBIC ? 3.0 * z * z : (z > 0.0 ? 1.0 : 0.0);
}

/* f_ir = sum over the patches p of sample i in the given view of
 * act(Z_{iP+p, r}) (view 1: in the mask M, view 0: not). */
static void view_features(phsim_act act, const gsl_matrix *Z,
                          const phsim_batch *b, int view, gsl_matrix *f) {
  const size_t m = Z->size2;
  gsl_matrix_set_zero(f);
  for (size_t i = 0; i < b->N; i++)
    for (size_t p = 0; p < b->P; p++) {
      if (b->in_view1[i * b->P + p] != view) continue;
      for (size_t r = 0; r < m; r++)
        *gsl_matrix_ptr(f, i, r) += act_value(act, gsl_matrix_get(Z, i * b->P + p, r));
    }
}

/* dZ_{iP+p, r} (+)= act'(Z) df_ir on the patches of the given view, else
 * left (0 when overwriting). */
static void view_backward(phsim_act act, const gsl_matrix *Z,
                          const gsl_matrix *df, const phsim_batch *b, int view,
                          int accumulate, gsl_matrix *dZ) {
  const size_t m = Z->size2;
  for (size_t i = 0; i < b->N; i++)
    for (size_t p = 0; p < b->P; p++) {
      const size_t row = i * b->P + p;
      const int in = b->in_view1[row] == view;
      for (size_t r = 0; r < m; r++) {
        double g = in ? act_slope(act, gsl_matrix_get(Z, row, r)) *
                            gsl_matrix_get(df, i, r)
                      : 0.0;
        if (accumulate) *gsl_matrix_ptr(dZ, row, r) += g;
        else gsl_matrix_set(dZ, row, r, g);
      }
    }
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
  view_features(act, w->Z, b, 1, w->f1);
  view_features(act, Zt, b, 0, w->f2);
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
  /* f1 = sum_{p in M} act(Z):  dZ = act'(Z) df1 on view-1 patches. */
  view_backward(act, w->Z, w->df1, b, 1, 0, w->dZ);
  if (w->opts.stopgrad == PHSIM_STOPGRAD_FALSE) {
    /* Through the target branch (Wt = W, so Zt = Z): view-2 patches. */
    loss_backward(w, w->f2, w->f2h, w->sf2, w->U, w->Uh, w->df2);
    view_backward(act, w->Z, w->df2, b, 0, 1, w->dZ);
  }
}

int phsim_batchgrad_from_projections(const gsl_matrix *E, const phsim_batch *b,
                                     int separate_target,
                                     phsim_batchgrad_workspace *w) {
  int st = forward(E, b, separate_target, w);
  if (st != PHSIM_OK) return st;
  backward(E, b, w);
  return PHSIM_OK;
}

int phsim_batchgrad_eval(const gsl_matrix *W, const gsl_matrix *E,
                         const gsl_matrix *Wt, const phsim_batch *b,
                         phsim_batchgrad_workspace *w) {
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, b->X, W, 0.0, w->Z);
  if (Wt != W) gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, b->X, Wt, 0.0, w->Zt);
  int st = phsim_batchgrad_from_projections(E, b, Wt != W, w);
  if (st != PHSIM_OK) return st;
  /* Z = X W^T:  dW = dZ^T X. */
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->dZ, b->X, 0.0, w->gW);
  return PHSIM_OK;
}
