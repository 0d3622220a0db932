/* population.c: the population engine on the full weights (phsim_pop.h). */
#include "phsim_pop.h"

#include <stdlib.h>

#include "phsim_engine.h"
#include "phsim_head.h"

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
  pop->work = malloc(phsim_perp_step_work(m) * sizeof *pop->work);
  if (pop->work == NULL) {
    phsim_pop_free(pop);
    return NULL;
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
  free(pop->work);
  phsim_popgrad_free(pop->pg);
  free(pop);
}

void phsim_pop_start(phsim_pop *pop, const phsim_config *cfg,
                     const phsim_initial *init, gsl_rng *r) {
  phsim_weights_init(cfg, init != NULL ? init->W : NULL, r, pop->W);
  phsim_head_init(init != NULL ? init->E : NULL, pop->E);
  if (pop->Wt != NULL) gsl_matrix_memcpy(pop->Wt, pop->W);
}

int phsim_pop_eval(phsim_pop *pop) {
  const size_t K = pop->model.K;
  /* After a step the Grams came with it; otherwise W is new (the start, or
   * set by the caller). */
  if (!pop->grams_fresh) {
    phsim_weights_gram(pop->W, K, pop->R);
    if (pop->Wt != NULL) phsim_weights_gram(pop->Wt, K, pop->Rt);
  }
  pop->grams_fresh = 0;
  if (pop->Wt == NULL) /* the target is the same weights, held constant */
    return phsim_popgrad_eval(&pop->model, &pop->A.matrix, pop->R, pop->E,
                              &pop->A.matrix, pop->R, pop->pg);
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
  if (pop->Wt != NULL) phsim_ema_update(pop->ema, &pop->A.matrix, &pop->At.matrix);
  /* Orthogonal part Wp <- Wp - eta S Wp, the target's EMA there and the
   * next eval's Grams R, Rt: one pass over W. */
  const phsim_perp_step_args perp = {pop->W, pop->model.K, pg->S, pop->eta,
                                     pop->ema, pop->Wt, pop->R, pop->Rt};
  phsim_perp_step(&perp, pop->work);
  pop->grams_fresh = 1;
  phsim_head_step(pop->head, pop->eta_E, pg->gE, pop->E);
}

/* ---- the engine type -------------------------------------------------- */

static void *type_alloc(const phsim_config *cfg) { return phsim_pop_alloc(cfg); }
static void type_free(void *s) { phsim_pop_free(s); }

static void type_start(void *s, const phsim_config *cfg,
                       const phsim_initial *init, gsl_rng *r) {
  phsim_pop_start(s, cfg, init, r);
}

static int type_eval(void *s, double *loss) {
  phsim_pop *pop = s;
  int st = phsim_pop_eval(pop);
  *loss = pop->pg->loss;
  return st;
}

static void type_step(void *s) { phsim_pop_step(s); }

static void type_observe(void *s, phsim_obs *o) {
  const phsim_pop *pop = s;
  const phsim_popgrad_workspace *pg = pop->pg;
  *o = (phsim_obs){&pop->A.matrix, pop->R, pop->E, pg->M, pg->gA, pg->rho, pg->loss};
}

static const gsl_matrix *type_head(const void *s) { return ((const phsim_pop *)s)->E; }

static int type_gradient(const void *s, gsl_matrix *gW, gsl_matrix *gE,
                         char err[PHSIM_ERR_MAX]) {
  (void)err;
  const phsim_pop *pop = s;
  phsim_grad_W(pop->pg->gA, pop->pg->S, pop->W, gW);
  gsl_matrix_memcpy(gE, pop->pg->gE);
  return PHSIM_OK;
}

static const char *type_fault(const void *s) { return ((const phsim_pop *)s)->pg->fault; }

static const phsim_engine_type population_type = {
    .name = "population", .turns = 1, .alloc = type_alloc, .free = type_free,
    .start = type_start, .eval = type_eval, .step = type_step,
    .advance_to = NULL, .observe = type_observe, .head = type_head,
    .gradient = type_gradient, .fault = type_fault};

const phsim_engine_type *const phsim_engine_population = &population_type;
