/* projected.c: fresh batches through the projections of the noise. */
#include "phsim_projected.h"

#include <math.h>
#include <string.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>

#include "phsim_gslerr.h"
#include "phsim_philox.h"

#include "../base/kernel.h"

phsim_projected_workspace *phsim_projected_alloc(size_t m, size_t d, size_t P) {
  phsim_gsl_errors_off(); /* the Cholesky factor's status: a fault, not an abort */
  phsim_projected_workspace *w = calloc(1, sizeof *w);
  if (w == NULL) return NULL;
  w->u = calloc(P * m, sizeof *w->u);
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
  free(w->u);
  free(w);
}

/* X <- X Pi, row by row (Pi symmetric). */
static void apply_noise_projector(const phsim_config *cfg, gsl_matrix *X) {
  for (size_t r = 0; r < X->size1; r++)
    phsim_noise_project(cfg->noise, cfg->K, gsl_matrix_ptr(X, r, 0));
}


/* Sample i's rows of Z from its normals u: a feature patch's exactly,
 * s alpha_l W v_l, a noise patch's z = L u (L lower triangular, m x m);
 * no branch (u has P m entries, so a feature patch's L u reads numbers it
 * then drops).  Compiled once for each m <= 4 (loops unrolled) and once
 * for any m; the same sums in the same order. */
PHSIM_INLINE void sample_rows_m(size_t m, const double *restrict L, size_t tl, const double *u,
                             const gsl_matrix *W, const phsim_batch *b, size_t i, gsl_matrix *Z) {
  const double *Wl = W->data + b->label[i];
  for (size_t row = i * b->P; row < (i + 1) * b->P; row++) {
    const int noise = !b->is_feature[row];
    double *z = Z->data + row * Z->tda;
#pragma GCC unroll 4
    for (size_t k = 0; k < m; k++) {
      double acc = 0.0;
#pragma GCC unroll 4
      for (size_t j = 0; j <= k; j++) acc += L[k * tl + j] * u[j];
      z[k] = noise ? acc : b->amp[i] * Wl[k * W->tda];
    }
    u += noise ? m : 0;
  }
}

/* Sample i's rows of Z, the u's of all its noise patches in patch order
 * from its one counter (seed, draw, i), times sigma. */
static void draw_sample(const phsim_config *cfg, const gsl_matrix *W,
                        const phsim_batch *b, size_t i, uint64_t draw,
                        gsl_matrix *Z, phsim_projected_workspace *w) {
  const size_t m = w->m, tl = w->L->tda;
  phsim_philox g;
  phsim_philox_init(&g, cfg->seed, PHSIM_STREAM_PROJECTION, draw, i);
  phsim_philox_normals(&g, cfg->sigma, (b->P - cfg->Pf) * m, w->u);
  const double *L = w->L->data;
#define SAMPLE_ROWS(M) sample_rows_m(M, L, tl, w->u, W, b, i, Z)
  PHSIM_PER_M(SAMPLE_ROWS, m, SAMPLE_ROWS(m))
#undef SAMPLE_ROWS
}

int phsim_projected_draw(const phsim_config *cfg, const gsl_matrix *W,
                         phsim_batch *b, gsl_matrix *Z, uint64_t draw,
                         phsim_projected_workspace *w) {
  const size_t m = w->m;
  gsl_matrix_memcpy(w->B, W);
  apply_noise_projector(cfg, w->B);
  /* Q = B B^T in full (decomp1 leaves L below the diagonal, L^T above). */
  gsl_blas_dsyrk(CblasLower, CblasNoTrans, 1.0, w->B, 0.0, w->L);
  for (size_t k = 0; k < m; k++)
    for (size_t j = k + 1; j < m; j++) gsl_matrix_set(w->L, k, j, gsl_matrix_get(w->L, j, k));
  if (gsl_linalg_cholesky_decomp1(w->L) != GSL_SUCCESS) return PHSIM_ENUM;
  phsim_batch_draw_structure(b, cfg, draw);
  for (size_t i = 0; i < b->N; i++) draw_sample(cfg, W, b, i, draw, Z, w);
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
  if (gsl_eigen_symmv(w->Y, w->lam, w->V, w->eig) != GSL_SUCCESS) {
    gsl_matrix_set_all(w->F, NAN); /* the gradient, then the run, faults */
    return;
  }
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++) {
      double acc = 0.0;
      for (size_t k = 0; k < m; k++)
        acc += gsl_matrix_get(w->V, r, k) * sqrt(fmax(gsl_vector_get(w->lam, k), 0.0)) *
               gsl_matrix_get(w->V, s, k);
      gsl_matrix_set(w->F, r, s, acc);
    }
}

/* C = sum dZ_p z_p^T and Gamma = sum dZ_p dZ_p^T over the noise patches
 * (a feature patch adds 0: no branch), into sc and sg; gW's feature column
 * l_i gets s alpha_l times sample i's sum of dZ_p over its feature patches
 * (fs: m doubles of scratch).  Each sum in row order. */
PHSIM_INLINE void patch_sums_m(size_t m, const phsim_batch *b,
                            const double *restrict Z, const double *restrict dZ,
                            double *restrict sc, double *restrict sg,
                            double *restrict fs, gsl_matrix *gW) {
  for (size_t i = 0; i < b->N; i++) {
#pragma GCC unroll 4
    for (size_t k = 0; k < m; k++) fs[k] = 0.0;
    for (size_t row = i * b->P; row < (i + 1) * b->P; row++) {
      const double *g = dZ + row * m, *z = Z + row * m;
      const int noise = !b->is_feature[row];
#pragma GCC unroll 4
      for (size_t k = 0; k < m; k++) {
#pragma GCC unroll 4
        for (size_t j = 0; j < m; j++) {
          sc[k * m + j] += noise ? g[k] * z[j] : 0.0;
          sg[k * m + j] += noise ? g[k] * g[j] : 0.0;
        }
        fs[k] += noise ? 0.0 : g[k];
      }
    }
    double *gl = gW->data + b->label[i];
#pragma GCC unroll 4
    for (size_t k = 0; k < m; k++) gl[k * gW->tda] += b->amp[i] * fs[k];
  }
}

/* The sums for a fixed M <= 4 in local arrays, which the compiler keeps in
 * registers once the loops over M are unrolled (through C and Gam they
 * would make a chain through memory at every patch); then into C, Gam. */
#define PATCH_SUMS_SMALL(M)                                             \
  do {                                                                  \
    double c_[(M) * (M)] = {0}, g_[(M) * (M)] = {0}, f_[M];             \
    patch_sums_m(M, b, Z->data, dZ->data, c_, g_, f_, gW);              \
    memcpy(C, c_, sizeof c_);                                           \
    memcpy(Gam, g_, sizeof g_);                                         \
  } while (0)

static void patch_sums(const phsim_batch *b, const gsl_matrix *Z,
                       const gsl_matrix *dZ, phsim_projected_workspace *w,
                       gsl_matrix *gW) {
  double *C = w->C->data, *Gam = w->Gam->data, *fs = w->u; /* u: scratch */
  PHSIM_PER_M(PATCH_SUMS_SMALL, w->m, patch_sums_m(w->m, b, Z->data, dZ->data, C, Gam, fs, gW))
}

void phsim_projected_grad(const phsim_config *cfg, const phsim_batch *b,
                          const gsl_matrix *Z, const gsl_matrix *dZ,
                          uint64_t draw, phsim_projected_workspace *w,
                          gsl_matrix *gW) {
  const size_t m = w->m, d = w->d;
  gsl_matrix_set_zero(gW);
  gsl_matrix_set_zero(w->C);
  gsl_matrix_set_zero(w->Gam);
  patch_sums(b, Z, dZ, w, gW);
  /* gW += C Q^-1 B */
  gsl_matrix_memcpy(w->Y, w->C);
  right_solve(w->L, w->Y);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, w->Y, w->B, 1.0, gW);
  /* T = Xi Pi - (Xi B^T) Q^-1 B;  gW += sigma Gamma^(1/2) T */
  for (size_t k = 0; k < m; k++) {
    phsim_philox g;
    phsim_philox_init(&g, cfg->seed, PHSIM_STREAM_XI, draw, k);
    phsim_philox_normals(&g, 1.0, d, w->Xi->data + k * w->Xi->tda);
  }
  gsl_matrix_memcpy(w->T, w->Xi);
  apply_noise_projector(cfg, w->T);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, w->Xi, w->B, 0.0, w->Y);
  right_solve(w->L, w->Y);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, -1.0, w->Y, w->B, 1.0, w->T);
  symmetric_root(w);
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, cfg->sigma, w->F, w->T, 1.0, gW);
}
