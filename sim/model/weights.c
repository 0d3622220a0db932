/* weights.c: the weights' shared pieces (phsim_weights.h). */
#include "phsim_weights.h"

#include <math.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_randist.h>

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
