/* order.c: the exact reduced dynamics on (A, R, E). */
#include "phsim_order.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_randist.h>

#include "phsim_pop.h"

phsim_order *phsim_order_alloc(const phsim_config *cfg) {
  phsim_order *o = calloc(1, sizeof *o);
  if (o == NULL) return NULL;
  const size_t m = cfg->m, K = cfg->K;
  phsim_model_init(&o->model, cfg);
  o->head = cfg->head;
  o->eta = cfg->eta;
  o->eta_E = cfg->eta_E;
  o->ema = cfg->ema;
  o->A = gsl_matrix_alloc(m, K);
  o->R = gsl_matrix_alloc(m, m);
  o->E = gsl_matrix_alloc(m, m);
  o->U = gsl_matrix_alloc(m, m);
  o->tmp = gsl_matrix_alloc(m, m);
  o->pg = phsim_popgrad_alloc(m, K);
  if (o->ema > 0.0) {
    o->At = gsl_matrix_alloc(m, K);
    o->Rt = gsl_matrix_alloc(m, m);
    o->X = gsl_matrix_alloc(m, m);
  }
  return o;
}

void phsim_order_free(phsim_order *o) {
  if (o == NULL) return;
  gsl_matrix_free(o->A);
  gsl_matrix_free(o->R);
  gsl_matrix_free(o->E);
  gsl_matrix_free(o->At);
  gsl_matrix_free(o->Rt);
  gsl_matrix_free(o->X);
  gsl_matrix_free(o->W0);
  gsl_matrix_free(o->U);
  gsl_matrix_free(o->tmp);
  phsim_popgrad_free(o->pg);
  free(o);
}

size_t phsim_reduced_dim(size_t m, size_t K, phsim_head head) {
  size_t n = m * K + m * (m + 1) / 2;
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++) n += (size_t)phsim_head_trains(head, r, s);
  return n;
}

void phsim_reduced_pack(phsim_head head, const gsl_matrix *A, const gsl_matrix *R,
                        const gsl_matrix *E, double *y) {
  const size_t m = A->size1, K = A->size2;
  size_t k = 0;
  for (size_t r = 0; r < m; r++)
    for (size_t l = 0; l < K; l++) y[k++] = gsl_matrix_get(A, r, l);
  for (size_t r = 0; r < m; r++)
    for (size_t s = r; s < m; s++) y[k++] = gsl_matrix_get(R, r, s);
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++)
      if (phsim_head_trains(head, r, s)) y[k++] = gsl_matrix_get(E, r, s);
}

void phsim_reduced_unpack(phsim_head head, const double *y, gsl_matrix *A,
                          gsl_matrix *R, gsl_matrix *E) {
  const size_t m = A->size1, K = A->size2;
  size_t k = 0;
  for (size_t r = 0; r < m; r++)
    for (size_t l = 0; l < K; l++) gsl_matrix_set(A, r, l, y[k++]);
  for (size_t r = 0; r < m; r++)
    for (size_t s = r; s < m; s++) {
      gsl_matrix_set(R, r, s, y[k]);
      gsl_matrix_set(R, s, r, y[k++]);
    }
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++)
      if (phsim_head_trains(head, r, s)) gsl_matrix_set(E, r, s, y[k++]);
}

void phsim_order_sample_reduced(gsl_rng *r, size_t d, gsl_matrix *A,
                                gsl_matrix *R) {
  const size_t m = A->size1, K = A->size2;
  const double sd = 1.0 / sqrt((double)d);
  for (size_t j = 0; j < m; j++)
    for (size_t l = 0; l < K; l++) gsl_matrix_set(A, j, l, gsl_ran_gaussian(r, sd));
  /* Scale matrix I/d: its Cholesky factor is I / sqrt(d). */
  gsl_matrix *L = gsl_matrix_alloc(m, m), *work = gsl_matrix_alloc(m, m);
  gsl_matrix_set_identity(L);
  gsl_matrix_scale(L, sd);
  gsl_ran_wishart(r, (double)(d - K), L, R, work);
  gsl_matrix_free(L);
  gsl_matrix_free(work);
}

int phsim_order_init(phsim_order *o, const phsim_config *cfg, gsl_rng *r,
                     char err[PHSIM_ERR_MAX]) {
  const size_t m = cfg->m, K = cfg->K;
  int st = phsim_head_init(cfg, o->E, err);
  if (st != PHSIM_OK) return st;
  if (cfg->init_W[0] != '\0' ||
      (double)m * (double)cfg->d <= PHSIM_ORDER_MAX_WEIGHTS ||
      cfg->d - K < m) {
    o->W0 = gsl_matrix_alloc(m, cfg->d);
    st = phsim_weights_init(cfg, r, o->W0, err);
    if (st != PHSIM_OK) return st;
    gsl_matrix_const_view Av = gsl_matrix_const_submatrix(o->W0, 0, 0, m, K);
    gsl_matrix_memcpy(o->A, &Av.matrix);
    phsim_weights_gram(o->W0, K, o->R);
  } else {
    phsim_order_sample_reduced(r, cfg->d, o->A, o->R);
    phsim_overlaps_perturb(o->A, cfg->K, cfg->perturb);
  }
  if (o->ema > 0.0) {
    gsl_matrix_memcpy(o->At, o->A);
    gsl_matrix_memcpy(o->Rt, o->R);
    gsl_matrix_memcpy(o->X, o->R);
  }
  return PHSIM_OK;
}

int phsim_order_eval(phsim_order *o) {
  const gsl_matrix *At = o->At ? o->At : o->A, *Rt = o->Rt ? o->Rt : o->R;
  return phsim_popgrad_eval(&o->model, o->A, o->R, o->E, At, Rt, o->pg);
}

/* Y = U Y U^T in place (through tmp), mirrored to exact symmetry. */
static void congruence(const gsl_matrix *U, gsl_matrix *Y, gsl_matrix *tmp) {
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, U, Y, 0.0, tmp);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, tmp, U, 0.0, Y);
  for (size_t r = 0; r < Y->size1; r++)
    for (size_t s = 0; s < r; s++) gsl_matrix_set(Y, r, s, gsl_matrix_get(Y, s, r));
}

/* The EMA target after the online step (R already R'): uses the old X. */
static void target_step(phsim_order *o) {
  const double e = o->ema;
  const size_t m = o->R->size1;
  phsim_ema_update(e, o->A, o->At);
  /* tmp = U X (old X) */
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, o->U, o->X, 0.0, o->tmp);
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++) {
      double ux = gsl_matrix_get(o->tmp, r, s), xu = gsl_matrix_get(o->tmp, s, r);
      double rn = gsl_matrix_get(o->R, r, s);
      gsl_matrix_set(o->Rt, r, s,
                     e * e * gsl_matrix_get(o->Rt, r, s) +
                         e * (1.0 - e) * (ux + xu) + (1.0 - e) * (1.0 - e) * rn);
      gsl_matrix_set(o->X, r, s, e * ux + (1.0 - e) * rn);
    }
}

void phsim_order_step(phsim_order *o) {
  const phsim_popgrad_workspace *pg = o->pg;
  for (size_t r = 0; r < o->A->size1; r++)
    for (size_t l = 0; l < o->A->size2; l++)
      *gsl_matrix_ptr(o->A, r, l) -= o->eta * gsl_matrix_get(pg->gA, r, l);
  gsl_matrix_memcpy(o->U, pg->S);
  gsl_matrix_scale(o->U, -o->eta);
  for (size_t r = 0; r < o->U->size1; r++) *gsl_matrix_ptr(o->U, r, r) += 1.0;
  congruence(o->U, o->R, o->tmp);
  phsim_head_step(o->head, o->eta_E, pg->gE, o->E);
  if (o->ema > 0.0) target_step(o);
}
