/* reduced_state.c: the reduced state (A, R, E) (phsim_reduced_state.h). */
#include "phsim_reduced_state.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_randist.h>

#include "phsim_head.h"
#include "phsim_weights.h"

phsim_reduced_state *phsim_reduced_state_alloc(const phsim_config *cfg) {
  phsim_reduced_state *s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  const size_t m = cfg->m, K = cfg->K;
  phsim_model_init(&s->model, cfg);
  s->engine = cfg->engine;
  s->head = cfg->head;
  s->eta = cfg->eta;
  s->eta_E = cfg->eta_E;
  s->ema = cfg->ema;
  s->A = gsl_matrix_alloc(m, K);
  s->R = gsl_matrix_alloc(m, m);
  s->E = gsl_matrix_alloc(m, m);
  s->pg = phsim_popgrad_alloc(m, K);
  if (s->ema > 0.0) {
    s->At = gsl_matrix_alloc(m, K);
    s->Rt = gsl_matrix_alloc(m, m);
    s->X = gsl_matrix_alloc(m, m);
  }
  return s;
}

void phsim_reduced_state_free(phsim_reduced_state *s) {
  if (s == NULL) return;
  gsl_matrix_free(s->A);
  gsl_matrix_free(s->R);
  gsl_matrix_free(s->E);
  gsl_matrix_free(s->At);
  gsl_matrix_free(s->Rt);
  gsl_matrix_free(s->X);
  gsl_matrix_free(s->W0);
  phsim_popgrad_free(s->pg);
  free(s);
}

void phsim_reduced_state_start(phsim_reduced_state *s, const phsim_config *cfg,
                               const phsim_initial *init, gsl_rng *r) {
  const size_t m = cfg->m, K = cfg->K;
  const gsl_matrix *W0 = init != NULL ? init->W : NULL;
  phsim_head_init(init != NULL ? init->E : NULL, s->E);
  if (W0 != NULL || (double)m * (double)cfg->d <= PHSIM_REDUCED_MAX_WEIGHTS ||
      cfg->d - K < m) {
    if (s->W0 == NULL) s->W0 = gsl_matrix_alloc(m, cfg->d);
    phsim_weights_init(cfg, W0, r, s->W0);
    gsl_matrix_const_view Av = gsl_matrix_const_submatrix(s->W0, 0, 0, m, K);
    gsl_matrix_memcpy(s->A, &Av.matrix);
    phsim_weights_gram(s->W0, K, s->R);
  } else {
    phsim_reduced_sample(r, cfg->d, s->A, s->R);
    phsim_overlaps_perturb(s->A, cfg->K, cfg->perturb);
  }
  if (s->ema > 0.0) {
    gsl_matrix_memcpy(s->At, s->A);
    gsl_matrix_memcpy(s->Rt, s->R);
    gsl_matrix_memcpy(s->X, s->R);
  }
}

int phsim_reduced_state_eval(phsim_reduced_state *s) {
  const gsl_matrix *At = s->At ? s->At : s->A, *Rt = s->Rt ? s->Rt : s->R;
  return phsim_popgrad_eval(&s->model, s->A, s->R, s->E, At, Rt, s->pg);
}

int phsim_reduced_state_gradient(const phsim_reduced_state *s, gsl_matrix *gW,
                                 gsl_matrix *gE, char err[PHSIM_ERR_MAX]) {
  if (s->W0 == NULL) {
    snprintf(err, PHSIM_ERR_MAX,
             "engine '%s' started from (A, R) drawn directly (m d > %.0f): "
             "there is no W to report dL/dW for; allowed: smaller m d, or "
             "init_W",
             phsim_engine_name(s->engine), PHSIM_REDUCED_MAX_WEIGHTS);
    return PHSIM_EINPUT;
  }
  /* At the start the reduced state is that of W0: dL/dW = gA V^T + S W0 Pp. */
  phsim_grad_W(s->pg->gA, s->pg->S, s->W0, gW);
  gsl_matrix_memcpy(gE, s->pg->gE);
  return PHSIM_OK;
}

void phsim_reduced_sample(gsl_rng *r, size_t d, gsl_matrix *A, gsl_matrix *R) {
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
