/* projected.c: fresh batches through the projections of the noise. */
#include "phsim_projected.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>

phsim_projected_workspace *phsim_projected_alloc(size_t m, size_t d) {
  phsim_projected_workspace *w = calloc(1, sizeof *w);
  if (w == NULL) return NULL;
  w->m = m;
  w->d = d;
  w->B = gsl_matrix_alloc(m, d);
  w->L = gsl_matrix_alloc(m, m);
  w->C = gsl_matrix_alloc(m, m);
  w->Gam = gsl_matrix_alloc(m, m);
  w->F = gsl_matrix_alloc(m, m);
  w->Y = gsl_matrix_alloc(m, m);
  w->Xi = gsl_matrix_alloc(m, d);
  w->T = gsl_matrix_alloc(m, d);
  w->lam = gsl_vector_alloc(m);
  w->V = gsl_matrix_alloc(m, m);
  w->eig = gsl_eigen_symmv_alloc(m);
  return w;
}

void phsim_projected_free(phsim_projected_workspace *w) {
  if (w == NULL) return;
  gsl_matrix_free(w->B);
  gsl_matrix_free(w->L);
  gsl_matrix_free(w->C);
  gsl_matrix_free(w->Gam);
  gsl_matrix_free(w->F);
  gsl_matrix_free(w->Y);
  gsl_matrix_free(w->Xi);
  gsl_matrix_free(w->T);
  gsl_vector_free(w->lam);
  gsl_matrix_free(w->V);
  gsl_eigen_symmv_free(w->eig);
  free(w);
}

/* X <- X Pi, row by row (Pi symmetric). */
static void apply_noise_projector(const phsim_config *cfg, gsl_matrix *X) {
  for (size_t r = 0; r < X->size1; r++)
    phsim_noise_project(cfg->noise, cfg->K, gsl_matrix_ptr(X, r, 0));
}

int phsim_projected_draw(const phsim_config *cfg, const gsl_matrix *W,
                         phsim_batch *b, gsl_matrix *Z, gsl_rng *r,
                         phsim_projected_workspace *w) {
  const size_t m = w->m;
  gsl_matrix_memcpy(w->B, W);
  apply_noise_projector(cfg, w->B);
  /* Q = B B^T in full (decomp1 leaves L below the diagonal, L^T above). */
  gsl_blas_dsyrk(CblasLower, CblasNoTrans, 1.0, w->B, 0.0, w->L);
  for (size_t k = 0; k < m; k++)
    for (size_t j = k + 1; j < m; j++) gsl_matrix_set(w->L, k, j, gsl_matrix_get(w->L, j, k));
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int st = gsl_linalg_cholesky_decomp1(w->L);
  gsl_set_error_handler(old);
  if (st != GSL_SUCCESS) return PHSIM_ENUM;
  phsim_batch_draw_structure(b, cfg, r);
  double u[PHSIM_MAX_M];
  for (size_t row = 0; row < b->N * b->P; row++) {
    double *z = gsl_matrix_ptr(Z, row, 0);
    if (b->is_feature[row]) {
      const size_t i = row / b->P, l = b->label[i];
      const double amp = b->sign[i] * cfg->alpha[l];
      for (size_t k = 0; k < m; k++) z[k] = amp * gsl_matrix_get(W, k, l);
      continue;
    }
    /* z = sigma L u, L lower triangular */
    for (size_t k = 0; k < m; k++) u[k] = gsl_ran_gaussian_ziggurat(r, 1.0);
    for (size_t k = 0; k < m; k++) {
      double acc = 0.0;
      for (size_t j = 0; j <= k; j++) acc += gsl_matrix_get(w->L, k, j) * u[j];
      z[k] = cfg->sigma * acc;
    }
  }
  return PHSIM_OK;
}

/* Rows of Y <- rows of Y times Q^-1 (Q symmetric: solve Q y = row). */
static void right_solve(const gsl_matrix *L, gsl_matrix *Y) {
  for (size_t r = 0; r < Y->size1; r++) {
    gsl_vector_view row = gsl_matrix_row(Y, r);
    gsl_linalg_cholesky_svx(L, &row.vector);
  }
}

/* F = Gamma^(1/2), the symmetric root (Gamma is only semi-definite). */
static void symmetric_root(phsim_projected_workspace *w) {
  const size_t m = w->m;
  gsl_matrix_memcpy(w->Y, w->Gam);
  gsl_eigen_symmv(w->Y, w->lam, w->V, w->eig);
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++) {
      double acc = 0.0;
      for (size_t k = 0; k < m; k++)
        acc += gsl_matrix_get(w->V, r, k) * sqrt(fmax(gsl_vector_get(w->lam, k), 0.0)) *
               gsl_matrix_get(w->V, s, k);
      gsl_matrix_set(w->F, r, s, acc);
    }
}

void phsim_projected_grad(const phsim_config *cfg, const phsim_batch *b,
                          const gsl_matrix *Z, const gsl_matrix *dZ, gsl_rng *r,
                          phsim_projected_workspace *w, gsl_matrix *gW) {
  const size_t m = w->m, d = w->d;
  gsl_matrix_set_zero(gW);
  gsl_matrix_set_zero(w->C);
  gsl_matrix_set_zero(w->Gam);
  for (size_t row = 0; row < b->N * b->P; row++) {
    const double *g = gsl_matrix_const_ptr(dZ, row, 0);
    if (b->is_feature[row]) {
      const size_t i = row / b->P, l = b->label[i];
      const double amp = b->sign[i] * cfg->alpha[l];
      for (size_t k = 0; k < m; k++) *gsl_matrix_ptr(gW, k, l) += amp * g[k];
      continue;
    }
    const double *z = gsl_matrix_const_ptr(Z, row, 0);
    for (size_t k = 0; k < m; k++)
      for (size_t j = 0; j < m; j++) {
        *gsl_matrix_ptr(w->C, k, j) += g[k] * z[j];
        *gsl_matrix_ptr(w->Gam, k, j) += g[k] * g[j];
      }
  }
  /* gW += C Q^-1 B */
  gsl_matrix_memcpy(w->Y, w->C);
  right_solve(w->L, w->Y);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->Y, w->B, 1.0, gW);
  /* T = Xi Pi - (Xi B^T) Q^-1 B;  gW += sigma Gamma^(1/2) T */
  for (size_t k = 0; k < m; k++)
    for (size_t i = 0; i < d; i++) gsl_matrix_set(w->Xi, k, i, gsl_ran_gaussian_ziggurat(r, 1.0));
  gsl_matrix_memcpy(w->T, w->Xi);
  apply_noise_projector(cfg, w->T);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, w->Xi, w->B, 0.0, w->Y);
  right_solve(w->L, w->Y);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, -1.0, w->Y, w->B, 1.0, w->T);
  symmetric_root(w);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, cfg->sigma, w->F, w->T, 1.0, gW);
}
