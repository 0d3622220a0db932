/* field.c: force fields in a neuron's feature plane. */
#include "phsim_field.h"

#include <math.h>

#include "phsim_engine.h"
#include "phsim_popgrad.h"

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
  phsim_engine *e = phsim_engine_alloc(cfg);
  gsl_rng *r = phsim_config_rng(cfg);
  int st = phsim_engine_start(e, cfg, r, err);
  phsim_head_peak peak = {0, 0};
  unsigned long fault = 0;
  if (st == PHSIM_OK && spec->step > 0 &&
      phsim_engine_advance(e, 0, spec->step, &peak, &fault) != PHSIM_OK) {
    snprintf(err, PHSIM_ERR_MAX, "field: numerical fault at step %lu", fault);
    st = PHSIM_ENUM;
  }
  if (st == PHSIM_OK) {
    phsim_obs o;
    phsim_engine_observe(e, &o);
    phsim_model model;
    phsim_model_init(&model, cfg);
    model.stopgrad = PHSIM_STOPGRAD_TRUE;
    gsl_matrix *A = gsl_matrix_alloc(cfg->m, cfg->K);
    phsim_popgrad_workspace *pg = phsim_popgrad_alloc(cfg->m, cfg->K);
    fprintf(out, "x,y,fx,fy,norm\n");
    for (size_t i = 0; i < spec->n; i++)
      for (size_t k = 0; k < spec->n; k++) {
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
    phsim_popgrad_free(pg);
    gsl_matrix_free(A);
  }
  gsl_rng_free(r);
  phsim_engine_free(e);
  return st;
}
