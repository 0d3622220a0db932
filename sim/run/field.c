/* field.c: force fields in a neuron's feature plane. */
#include "phsim_field.h"

#include <math.h>

#include "phsim_engine.h"
#include "phsim_interrupt.h"
#include "phsim_popgrad.h"

/* Start cfg's engine and advance it to `step`. */
static int state_at(const phsim_config *cfg, unsigned long step,
                    phsim_engine **out, char err[PHSIM_ERR_MAX]) {
  phsim_engine *e = phsim_engine_alloc(cfg);
  gsl_rng *r = phsim_config_rng(cfg);
  int st = phsim_engine_start(e, cfg, NULL, r, err);
  unsigned long fault = 0;
  if (st == PHSIM_OK && step > 0 && phsim_engine_advance(e, 0, step, &fault) != PHSIM_OK) {
    snprintf(err, PHSIM_ERR_MAX, "numerical fault at step %lu", fault);
    st = PHSIM_ENUM;
  }
  gsl_rng_free(r);
  if (st != PHSIM_OK) {
    phsim_engine_free(e);
    e = NULL;
  }
  *out = e;
  return st;
}

int phsim_field_write(const phsim_config *cfg, const phsim_field_spec *spec,
                      FILE *out, char err[PHSIM_ERR_MAX]) {
  if (spec->step > cfg->steps || spec->neuron >= cfg->m || spec->fa >= cfg->K ||
      spec->fb >= cfg->K || spec->n < 2 || !(spec->lim > 0)) {
    snprintf(err, PHSIM_ERR_MAX,
             "field: allowed: step <= steps (%lu), neuron 1..%zu, features "
             "1..%zu, n >= 2, lim > 0",
             cfg->steps, cfg->m, cfg->K);
    return PHSIM_EINPUT;
  }
  phsim_engine *e = NULL;
  int st = state_at(cfg, spec->step, &e, err);
  if (st != PHSIM_OK) return st;
  phsim_obs o;
  phsim_engine_observe(e, &o);
  phsim_model model;
  phsim_model_init(&model, cfg);
  model.stopgrad = PHSIM_STOPGRAD_TRUE;
  gsl_matrix *A = gsl_matrix_alloc(cfg->m, cfg->K);
  phsim_popgrad_workspace *pg = phsim_popgrad_alloc(cfg->m, cfg->K);
  fprintf(out, "x,y,fx,fy,norm\n");
  st = PHSIM_OK;
  for (size_t i = 0; i < spec->n && st == PHSIM_OK; i++) {
    if (ferror(out)) { /* a full disk: stop early (the caller reports it) */
      snprintf(err, PHSIM_ERR_MAX, "field: cannot write the output");
      st = PHSIM_EIO;
    } else if (phsim_interrupted()) {
      snprintf(err, PHSIM_ERR_MAX, "field: interrupted by %s", phsim_interrupt_cause());
      st = PHSIM_EINTR;
    }
    for (size_t k = 0; k < spec->n && st == PHSIM_OK; k++) {
      double x = -spec->lim + 2.0 * spec->lim * (double)i / (double)(spec->n - 1);
      double y = -spec->lim + 2.0 * spec->lim * (double)k / (double)(spec->n - 1);
      gsl_matrix_memcpy(A, o.A);
      gsl_matrix_set(A, spec->neuron, spec->fa, x);
      gsl_matrix_set(A, spec->neuron, spec->fb, y);
      if (phsim_popgrad_eval(&model, A, o.R, o.E, A, o.R, pg) != PHSIM_OK) {
        fprintf(out, "%.17g,%.17g,,,\n", x, y);
        continue;
      }
      double fx = -gsl_matrix_get(pg->gA, spec->neuron, spec->fa);
      double fy = -gsl_matrix_get(pg->gA, spec->neuron, spec->fb);
      fprintf(out, "%.17g,%.17g,%.17g,%.17g,%.17g\n", x, y, fx, fy, hypot(fx, fy));
    }
  }
  phsim_popgrad_free(pg);
  gsl_matrix_free(A);
  phsim_engine_free(e);
  return st;
}

int phsim_pull_write(const phsim_config *cfg, unsigned long step, FILE *out,
                     char err[PHSIM_ERR_MAX]) {
  if (step > cfg->steps) {
    snprintf(err, PHSIM_ERR_MAX, "pull: step %lu; allowed: at most steps = %lu", step, cfg->steps);
    return PHSIM_EINPUT;
  }
  phsim_engine *e = NULL;
  int st = state_at(cfg, step, &e, err);
  if (st != PHSIM_OK) return st;
  phsim_obs o;
  phsim_engine_observe(e, &o);
  phsim_model model;
  phsim_model_init(&model, cfg);
  gsl_matrix *I = gsl_matrix_alloc(cfg->m, cfg->m), *gH = gsl_matrix_alloc(cfg->m, cfg->K);
  gsl_matrix_set_identity(I);
  phsim_popgrad_workspace *pg = phsim_popgrad_alloc(cfg->m, cfg->K);
  st = phsim_popgrad_eval(&model, o.A, o.R, o.E, o.A, o.R, pg);
  if (st == PHSIM_OK) gsl_matrix_memcpy(gH, pg->gA);
  if (st == PHSIM_OK) st = phsim_popgrad_eval(&model, o.A, o.R, I, o.A, o.R, pg);
  if (st != PHSIM_OK) {
    snprintf(err, PHSIM_ERR_MAX, "pull: numerical fault at the state of step %lu", step);
  } else {
    fprintf(out, "neuron,feature,pull_head,pull_identity\n");
    for (size_t j = 0; j < cfg->m; j++)
      for (size_t l = 0; l < cfg->K; l++)
        fprintf(out, "%zu,%zu,%.17g,%.17g\n", j + 1, l + 1, -gsl_matrix_get(gH, j, l),
                -gsl_matrix_get(pg->gA, j, l));
  }
  phsim_popgrad_free(pg);
  gsl_matrix_free(I);
  gsl_matrix_free(gH);
  phsim_engine_free(e);
  return st;
}
