/* reduced.c: the exact reduced dynamics on (A, R, E) (phsim_reduced.h). */
#include "phsim_reduced.h"

#include <stdlib.h>

#include <gsl/gsl_blas.h>

#include "phsim_engine.h"
#include "phsim_head.h"
#include "phsim_weights.h"

phsim_reduced *phsim_reduced_alloc(const phsim_config *cfg) {
  phsim_reduced *o = calloc(1, sizeof *o);
  if (o == NULL) return NULL;
  o->s = phsim_reduced_state_alloc(cfg);
  o->U = gsl_matrix_alloc(cfg->m, cfg->m);
  o->tmp = gsl_matrix_alloc(cfg->m, cfg->m);
  if (o->s == NULL) {
    phsim_reduced_free(o);
    return NULL;
  }
  return o;
}

void phsim_reduced_free(phsim_reduced *o) {
  if (o == NULL) return;
  phsim_reduced_state_free(o->s);
  gsl_matrix_free(o->U);
  gsl_matrix_free(o->tmp);
  free(o);
}

/* Y = U Y U^T in place (through tmp), mirrored to exact symmetry. */
static void congruence(const gsl_matrix *U, gsl_matrix *Y, gsl_matrix *tmp) {
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, U, Y, 0.0, tmp);
  gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, tmp, U, 0.0, Y);
  for (size_t r = 0; r < Y->size1; r++)
    for (size_t s = 0; s < r; s++) gsl_matrix_set(Y, r, s, gsl_matrix_get(Y, s, r));
}

/* The EMA target after the online step (R already R'): uses the old X. */
static void target_step(phsim_reduced *o) {
  phsim_reduced_state *st = o->s;
  const double e = st->ema;
  const size_t m = st->R->size1;
  phsim_ema_update(e, st->A, st->At);
  /* tmp = U X (old X) */
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, o->U, st->X, 0.0, o->tmp);
  for (size_t r = 0; r < m; r++)
    for (size_t s = 0; s < m; s++) {
      double ux = gsl_matrix_get(o->tmp, r, s), xu = gsl_matrix_get(o->tmp, s, r);
      double rn = gsl_matrix_get(st->R, r, s);
      gsl_matrix_set(st->Rt, r, s,
                     e * e * gsl_matrix_get(st->Rt, r, s) +
                         e * (1.0 - e) * (ux + xu) + (1.0 - e) * (1.0 - e) * rn);
      gsl_matrix_set(st->X, r, s, e * ux + (1.0 - e) * rn);
    }
}

void phsim_reduced_step(phsim_reduced *o) {
  phsim_reduced_state *st = o->s;
  const phsim_popgrad_workspace *pg = st->pg;
  for (size_t r = 0; r < st->A->size1; r++)
    for (size_t l = 0; l < st->A->size2; l++)
      *gsl_matrix_ptr(st->A, r, l) -= st->eta * gsl_matrix_get(pg->gA, r, l);
  gsl_matrix_memcpy(o->U, pg->S);
  gsl_matrix_scale(o->U, -st->eta);
  for (size_t r = 0; r < o->U->size1; r++) *gsl_matrix_ptr(o->U, r, r) += 1.0;
  congruence(o->U, st->R, o->tmp);
  phsim_head_step(st->head, st->eta_E, pg->gE, st->E);
  if (st->ema > 0.0) target_step(o);
}

/* ---- the engine type -------------------------------------------------- */

static void *type_alloc(const phsim_config *cfg) { return phsim_reduced_alloc(cfg); }
static void type_free(void *o) { phsim_reduced_free(o); }

static void type_start(void *o, const phsim_config *cfg,
                       const phsim_initial *init, gsl_rng *r) {
  phsim_reduced_state_start(((phsim_reduced *)o)->s, cfg, init, r);
}

static int type_eval(void *o, double *loss) {
  phsim_reduced_state *s = ((phsim_reduced *)o)->s;
  int st = phsim_reduced_state_eval(s);
  *loss = s->pg->loss;
  return st;
}

static void type_step(void *o) { phsim_reduced_step(o); }

static void type_observe(void *o, phsim_obs *obs) {
  const phsim_reduced_state *s = ((phsim_reduced *)o)->s;
  const phsim_popgrad_workspace *pg = s->pg;
  *obs = (phsim_obs){s->A, s->R, s->E, pg->M, pg->gA, pg->rho, pg->loss};
}

static const gsl_matrix *type_head(const void *o) {
  return ((const phsim_reduced *)o)->s->E;
}

static int type_gradient(const void *o, gsl_matrix *gW, gsl_matrix *gE,
                         char err[PHSIM_ERR_MAX]) {
  return phsim_reduced_state_gradient(((const phsim_reduced *)o)->s, gW, gE, err);
}

static const char *type_fault(const void *o) {
  return ((const phsim_reduced *)o)->s->pg->fault;
}

static void type_load(void *o, const gsl_matrix *A, const gsl_matrix *R,
                      const gsl_matrix *E, unsigned long step) {
  (void)step;
  phsim_reduced_state *s = ((phsim_reduced *)o)->s;
  gsl_matrix_memcpy(s->A, A);
  gsl_matrix_memcpy(s->R, R);
  gsl_matrix_memcpy(s->E, E);
}

static const phsim_engine_type order_type = {
    .name = "order", .turns = 1, .alloc = type_alloc, .free = type_free,
    .start = type_start, .eval = type_eval, .step = type_step,
    .advance_to = NULL, .observe = type_observe, .head = type_head,
    .gradient = type_gradient, .fault = type_fault, .load = type_load};

const phsim_engine_type *const phsim_engine_order = &order_type;
