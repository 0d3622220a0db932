/* sampled.c: the finite-batch engine (phsim_sampled.h). */
#include "phsim_sampled.h"

#include <stdlib.h>

#include <gsl/gsl_blas.h>

#include "phsim_engine.h"
#include "phsim_head.h"
#include "phsim_weights.h"

phsim_sampled *phsim_sampled_alloc(const phsim_config *cfg) {
  phsim_sampled *s = calloc(1, sizeof *s);
  if (s == NULL) return NULL;
  const size_t m = cfg->m, d = cfg->d;
  s->cfg = *cfg;
  s->W = gsl_matrix_alloc(m, d);
  s->E = gsl_matrix_alloc(m, m);
  s->R = gsl_matrix_alloc(m, m);
  s->M = gsl_matrix_alloc(m, m);
  if (cfg->ema > 0.0) s->Wt = gsl_matrix_alloc(m, d);
  const int projects = phsim_config_draws_projected(cfg);
  /* one training set, read a patch at a time: streamed (the same bits) */
  if (cfg->resample == PHSIM_RESAMPLE_NEVER && !projects && phsim_batchgrad_rowwise(m, d))
    s->batch = phsim_batch_alloc_streamed(cfg->N, cfg->P, cfg->Pf, d);
  if (s->batch == NULL) s->batch = phsim_batch_alloc(cfg->N, cfg->P, projects ? 0 : d);
  if (projects) s->pw = phsim_projected_alloc(m, d, cfg->P);
  phsim_batch_opts opts = {cfg->act, cfg->norm, cfg->stopgrad};
  s->ws = phsim_batchgrad_alloc(cfg->N, cfg->P, m, d, opts);
  s->A = gsl_matrix_submatrix(s->W, 0, 0, m, cfg->K);
  s->gA = gsl_matrix_submatrix(s->ws->gW, 0, 0, m, cfg->K);
  return s;
}

void phsim_sampled_free(phsim_sampled *s) {
  if (s == NULL) return;
  gsl_matrix_free(s->W);
  gsl_matrix_free(s->E);
  gsl_matrix_free(s->Wt);
  gsl_matrix_free(s->R);
  gsl_matrix_free(s->M);
  phsim_batch_free(s->batch);
  phsim_batchgrad_free(s->ws);
  phsim_projected_free(s->pw);
  free(s);
}

void phsim_sampled_start(phsim_sampled *s, const phsim_config *cfg,
                         const phsim_initial *init, gsl_rng *r) {
  phsim_weights_init(cfg, init != NULL ? init->W : NULL, r, s->W);
  phsim_head_init(init != NULL ? init->E : NULL, s->E);
  if (s->Wt != NULL) gsl_matrix_memcpy(s->Wt, s->W);
  s->draw = 0;
  if (cfg->resample == PHSIM_RESAMPLE_NEVER) phsim_batch_draw(s->batch, cfg, 0);
}

/* A fresh batch through the projections, or in full when Q is singular. */
static int eval_projected(phsim_sampled *s) {
  if (phsim_projected_draw(&s->cfg, s->W, s->batch, s->ws->Z, s->draw, s->pw) ==
      PHSIM_OK) {
    int st = phsim_batchgrad_from_projections(s->E, s->batch, 0, s->ws);
    if (st == PHSIM_OK)
      phsim_projected_grad(&s->cfg, s->batch, s->ws->Z, s->ws->dZ, s->draw,
                           s->pw, s->ws->gW);
    return st;
  }
  if (s->batch->X == NULL) {
    s->batch->X = gsl_matrix_alloc(s->cfg.N * s->cfg.P, s->cfg.d);
    s->batch->d = s->cfg.d;
  }
  return phsim_batchgrad_eval_fresh(s->W, s->E, s->W, s->batch, &s->cfg, s->draw,
                                    s->ws);
}

int phsim_sampled_eval(phsim_sampled *s) {
  const gsl_matrix *Wt = s->Wt ? s->Wt : s->W;
  if (s->pw != NULL) return eval_projected(s);
  if (s->cfg.resample == PHSIM_RESAMPLE_STEP)
    return phsim_batchgrad_eval_fresh(s->W, s->E, Wt, s->batch, &s->cfg, s->draw,
                                      s->ws);
  return phsim_batchgrad_eval(s->W, s->E, Wt, s->batch, s->ws);
}

void phsim_sampled_step(phsim_sampled *s) {
  /* W -= eta dL/dW: both are contiguous m x d blocks. */
  gsl_vector_view w = gsl_vector_view_array(s->W->data, s->W->size1 * s->W->size2);
  gsl_vector_const_view g =
      gsl_vector_const_view_array(s->ws->gW->data, s->W->size1 * s->W->size2);
  gsl_blas_daxpy(-s->cfg.eta, &g.vector, &w.vector);
  phsim_head_step(s->cfg.head, s->cfg.eta_E, s->ws->gE, s->E);
  if (s->Wt != NULL) phsim_ema_update(s->cfg.ema, s->W, s->Wt);
  s->draw++;
}

void phsim_sampled_moments(phsim_sampled *s) {
  phsim_weights_gram(s->W, s->cfg.K, s->R);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0 / (double)s->cfg.N, s->ws->f1,
                 s->ws->f1, 0.0, s->M);
}

/* ---- the engine type -------------------------------------------------- */

static void *type_alloc(const phsim_config *cfg) { return phsim_sampled_alloc(cfg); }
static void type_free(void *s) { phsim_sampled_free(s); }

static void type_start(void *s, const phsim_config *cfg,
                       const phsim_initial *init, gsl_rng *r) {
  phsim_sampled_start(s, cfg, init, r);
}

static int type_eval(void *s, double *loss) {
  phsim_sampled *sm = s;
  int st = phsim_sampled_eval(sm);
  *loss = sm->ws->loss;
  return st;
}

static void type_step(void *s) { phsim_sampled_step(s); }

static void type_observe(void *s, phsim_obs *o) {
  phsim_sampled *sm = s;
  phsim_sampled_moments(sm);
  *o = (phsim_obs){&sm->A.matrix, sm->R, sm->E, sm->M, &sm->gA.matrix, sm->ws->rho,
                   sm->ws->loss};
}

static const gsl_matrix *type_head(const void *s) { return ((const phsim_sampled *)s)->E; }

static int type_gradient(const void *s, gsl_matrix *gW, gsl_matrix *gE,
                         char err[PHSIM_ERR_MAX]) {
  (void)err;
  const phsim_sampled *sm = s;
  gsl_matrix_memcpy(gW, sm->ws->gW);
  gsl_matrix_memcpy(gE, sm->ws->gE);
  return PHSIM_OK;
}

static const char *type_fault(const void *s) {
  return ((const phsim_sampled *)s)->ws->fault;
}

/* A finite batch's steps turn with its noise: no turn measured. */
static const phsim_engine_type sampled_type = {
    .name = "sampled", .turns = 0, .alloc = type_alloc, .free = type_free,
    .start = type_start, .eval = type_eval, .step = type_step,
    .advance_to = NULL, .observe = type_observe, .head = type_head,
    .gradient = type_gradient, .fault = type_fault};

const phsim_engine_type *const phsim_engine_sampled = &sampled_type;
