/* pop.c: the population engine on the full weights, and the weight helpers
 * shared by the engines that hold W. */
#include "phsim_pop.h"

#include <math.h>
#include <string.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_randist.h>

#include "phsim_io.h"

void phsim_overlaps_perturb(gsl_matrix *W, size_t K, double eps) {
  if (eps == 0.0) return;
  for (size_t j = 0; j < W->size1; j++)
    for (size_t l = 0; l < K; l++)
      *gsl_matrix_ptr(W, j, l) *= 1.0 + ((j + l) % 2 ? -eps : eps);
}

int phsim_weights_init(const phsim_config *cfg, gsl_rng *r, gsl_matrix *W,
                       char err[PHSIM_ERR_MAX]) {
  if (cfg->init_W[0] != '\0') {
    gsl_matrix *W0 = NULL;
    int st = phsim_matrix_read(cfg->init_W, cfg->m, cfg->d, &W0, err);
    if (st != PHSIM_OK) return st;
    gsl_matrix_memcpy(W, W0);
    gsl_matrix_free(W0);
  } else {
    const double sd = 1.0 / sqrt((double)cfg->d);
    for (size_t j = 0; j < cfg->m; j++)
      for (size_t i = 0; i < cfg->d; i++)
        gsl_matrix_set(W, j, i, gsl_ran_gaussian(r, sd));
  }
  phsim_overlaps_perturb(W, cfg->K, cfg->perturb);
  return PHSIM_OK;
}

int phsim_head_init(const phsim_config *cfg, gsl_matrix *E,
                    char err[PHSIM_ERR_MAX]) {
  if (cfg->init_E[0] == '\0') {
    gsl_matrix_set_identity(E);
    return PHSIM_OK;
  }
  gsl_matrix *E0 = NULL;
  int st = phsim_matrix_read(cfg->init_E, cfg->m, cfg->m, &E0, err);
  if (st != PHSIM_OK) return st;
  gsl_matrix_memcpy(E, E0);
  gsl_matrix_free(E0);
  return PHSIM_OK;
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

int phsim_head_trains(phsim_head head, size_t i, size_t j) {
  return head == PHSIM_HEAD_FULL || (head == PHSIM_HEAD_OFFDIAG && i != j);
}

void phsim_head_step(phsim_head head, double eta_E, const gsl_matrix *gE,
                     gsl_matrix *E) {
  if (head == PHSIM_HEAD_FIXED) return;
  for (size_t i = 0; i < E->size1; i++)
    for (size_t j = 0; j < E->size2; j++)
      if (phsim_head_trains(head, i, j))
        *gsl_matrix_ptr(E, i, j) -= eta_E * gsl_matrix_get(gE, i, j);
}

void phsim_ema_update(double ema, const gsl_matrix *X, gsl_matrix *Xt) {
  for (size_t i = 0; i < X->size1; i++)
    for (size_t j = 0; j < X->size2; j++)
      gsl_matrix_set(Xt, i, j,
                     ema * gsl_matrix_get(Xt, i, j) +
                         (1.0 - ema) * gsl_matrix_get(X, i, j));
}

phsim_pop *phsim_pop_alloc(const phsim_config *cfg) {
  phsim_pop *pop = calloc(1, sizeof *pop);
  if (pop == NULL) return NULL;
  phsim_model_init(&pop->model, cfg);
  pop->d = cfg->d;
  pop->head = cfg->head;
  pop->eta = cfg->eta;
  pop->eta_E = cfg->eta_E;
  pop->ema = cfg->ema;
  const size_t m = cfg->m, K = cfg->K;
  pop->W = gsl_matrix_calloc(m, cfg->d);
  pop->E = gsl_matrix_alloc(m, m);
  pop->R = gsl_matrix_calloc(m, m);
  pop->pg = phsim_popgrad_alloc(m, K);
  pop->A = gsl_matrix_submatrix(pop->W, 0, 0, m, K);
  pop->has_perp = cfg->d > K;
  if (pop->has_perp) {
    pop->Wp = gsl_matrix_submatrix(pop->W, 0, K, m, cfg->d - K);
    pop->scratch = gsl_matrix_alloc(m, cfg->d - K);
  }
  if (pop->ema > 0.0) {
    pop->Wt = gsl_matrix_alloc(m, cfg->d);
    pop->Rt = gsl_matrix_alloc(m, m);
    pop->At = gsl_matrix_submatrix(pop->Wt, 0, 0, m, K);
  }
  gsl_matrix_set_identity(pop->E);
  return pop;
}

void phsim_pop_free(phsim_pop *pop) {
  if (pop == NULL) return;
  gsl_matrix_free(pop->W);
  gsl_matrix_free(pop->E);
  gsl_matrix_free(pop->R);
  gsl_matrix_free(pop->Wt);
  gsl_matrix_free(pop->Rt);
  gsl_matrix_free(pop->scratch);
  phsim_popgrad_free(pop->pg);
  free(pop);
}

int phsim_pop_init(phsim_pop *pop, const phsim_config *cfg, gsl_rng *r,
                   char err[PHSIM_ERR_MAX]) {
  int st = phsim_weights_init(cfg, r, pop->W, err);
  if (st == PHSIM_OK) st = phsim_head_init(cfg, pop->E, err);
  if (st == PHSIM_OK && pop->Wt != NULL) gsl_matrix_memcpy(pop->Wt, pop->W);
  return st;
}

int phsim_pop_eval(phsim_pop *pop) {
  const size_t K = pop->model.K;
  phsim_weights_gram(pop->W, K, pop->R);
  if (pop->Wt == NULL) /* the target is the same weights, held constant */
    return phsim_popgrad_eval(&pop->model, &pop->A.matrix, pop->R, pop->E,
                              &pop->A.matrix, pop->R, pop->pg);
  phsim_weights_gram(pop->Wt, K, pop->Rt);
  return phsim_popgrad_eval(&pop->model, &pop->A.matrix, pop->R, pop->E,
                            &pop->At.matrix, pop->Rt, pop->pg);
}

void phsim_pop_step(phsim_pop *pop) {
  const phsim_popgrad_workspace *pg = pop->pg;
  /* Feature columns: A -= eta gA. */
  for (size_t r = 0; r < pop->model.m; r++)
    for (size_t l = 0; l < pop->model.K; l++)
      *gsl_matrix_ptr(&pop->A.matrix, r, l) -= pop->eta *
                                               gsl_matrix_get(pg->gA, r, l);
  /* Orthogonal part: Wp <- Wp - eta S Wp (S symmetric: dsymm). */
  if (pop->has_perp) {
    gsl_matrix_memcpy(pop->scratch, &pop->Wp.matrix);
    gsl_blas_dsymm(CblasLeft, CblasUpper, -pop->eta, pg->S, pop->scratch, 1.0,
                   &pop->Wp.matrix);
  }
  phsim_head_step(pop->head, pop->eta_E, pg->gE, pop->E);
  if (pop->Wt != NULL) phsim_ema_update(pop->ema, pop->W, pop->Wt);
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
