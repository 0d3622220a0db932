/* batchgrad.c: forward and backward pass of the finite-batch BN loss. */
#include "phsim_batchgrad.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>

#include "phsim_config.h"

phsim_batchgrad_workspace *phsim_batchgrad_alloc(size_t N, size_t P, size_t m,
                                                 size_t d) {
  phsim_batchgrad_workspace *w = calloc(1, sizeof *w);
  if (w == NULL) return NULL;
  w->N = N;
  w->P = P;
  w->m = m;
  w->d = d;
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
  w->sU = gsl_vector_alloc(m);
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
  gsl_vector_free(w->sU);
  free(w);
}

/* f_ir = sum over the patches p of sample i with in_view1[p] == view of
 * Z_{iP+p, r}^3. */
static void view_features(const gsl_matrix *Z, const phsim_batch *b, int view,
                          gsl_matrix *f) {
  const size_t m = Z->size2;
  gsl_matrix_set_zero(f);
  for (size_t i = 0; i < b->N; i++)
    for (size_t p = 0; p < b->P; p++) {
      if (b->in_view1[i * b->P + p] != view) continue;
      for (size_t r = 0; r < m; r++) {
        double z = gsl_matrix_get(Z, i * b->P + p, r);
        *gsl_matrix_ptr(f, i, r) += z * z * z;
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
    if (!(var > 0.0) || !isfinite(var)) return 0;
    double s = sqrt(var);
    if (scale != NULL) gsl_vector_set(scale, j, s);
    for (size_t i = 0; i < N; i++)
      gsl_matrix_set(xh, i, j, (gsl_matrix_get(x, i, j) - mean) / s);
  }
  return 1;
}

static int forward(const gsl_matrix *W, const gsl_matrix *E,
                   const gsl_matrix *Wt, const phsim_batch *b,
                   phsim_batchgrad_workspace *w) {
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, b->X, W, 0.0, w->Z);
  const gsl_matrix *Zt = w->Z;
  if (Wt != W) {
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, b->X, Wt, 0.0, w->Zt);
    Zt = w->Zt;
  }
  view_features(w->Z, b, 1, w->f1);
  view_features(Zt, b, 0, w->f2);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, w->f1, E, 0.0, w->U);
  if (!batchnorm_forward(w->U, w->Uh, w->sU)) return PHSIM_ENUM;
  if (!batchnorm_forward(w->f2, w->f2h, NULL)) return PHSIM_ENUM;
  w->loss = 0.0;
  for (size_t j = 0; j < w->m; j++) {
    gsl_vector_const_view uj = gsl_matrix_const_column(w->Uh, j);
    gsl_vector_const_view tj = gsl_matrix_const_column(w->f2h, j);
    double dot;
    gsl_blas_ddot(&uj.vector, &tj.vector, &dot);
    double rho = dot / (double)b->N;
    gsl_vector_set(w->rho, j, rho);
    w->loss += 2.0 * (1.0 - rho);
  }
  return isfinite(w->loss) ? PHSIM_OK : PHSIM_ENUM;
}

static void backward(const gsl_matrix *E, const phsim_batch *b,
                     phsim_batchgrad_workspace *w) {
  const size_t N = b->N, m = w->m;
  /* rho_j = (1/N) sum_i U_ij t^_ij / s_j (sum_i t^_ij = 0 removes the mean),
   * d rho_j / d U_ij = (t^_ij - rho_j U^_ij) / (N s_j);  dL/drho_j = -2. */
  for (size_t i = 0; i < N; i++)
    for (size_t j = 0; j < m; j++) {
      double g = (gsl_matrix_get(w->f2h, i, j) -
                  gsl_vector_get(w->rho, j) * gsl_matrix_get(w->Uh, i, j)) /
                 ((double)N * gsl_vector_get(w->sU, j));
      gsl_matrix_set(w->dU, i, j, -2.0 * g);
    }
  /* U = f1 E^T:  dE = dU^T f1,  df1 = dU E. */
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->dU, w->f1, 0.0, w->gE);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->dU, E, 0.0, w->df1);
  /* f1_ir = sum_{p in M} Z^3:  dZ = 3 Z^2 df1 on view-1 patches, else 0. */
  for (size_t i = 0; i < N; i++)
    for (size_t p = 0; p < b->P; p++) {
      const size_t row = i * b->P + p;
      const int in1 = b->in_view1[row];
      for (size_t r = 0; r < m; r++) {
        double z = gsl_matrix_get(w->Z, row, r);
        gsl_matrix_set(w->dZ, row, r,
                       in1 ? 3.0 * z * z * gsl_matrix_get(w->df1, i, r) : 0.0);
      }
    }
  /* Z = X W^T:  dW = dZ^T X. */
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, w->dZ, b->X, 0.0, w->gW);
}

int phsim_batchgrad_eval(const gsl_matrix *W, const gsl_matrix *E,
                         const gsl_matrix *Wt, const phsim_batch *b,
                         phsim_batchgrad_workspace *w) {
  int st = forward(W, E, Wt, b, w);
  if (st != PHSIM_OK) return st;
  backward(E, b, w);
  return PHSIM_OK;
}
