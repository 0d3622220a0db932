/* twin.c: a perturbed copy of a run, followed row by row. */
#include "phsim_twin.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phsim_run.h"

struct phsim_twin {
  phsim_config cfg;          /* the run's, with perturb = twin */
  phsim_engine *engine;
  gsl_rng *rng;
  unsigned long step;        /* the twin's last evaluated step */
  int status;                /* PHSIM_OK, or the fault that stopped it */
  double divergence;         /* largest |a - a'|, |E - E'| at a logged row */
  unsigned long divergence_step;
  char outcome[PHSIM_MAX_M * 4 + 1];
  double *cos;               /* m x K: the twin's cosines at its last row */
};

phsim_twin *phsim_twin_alloc(const phsim_config *cfg) {
  if (cfg->twin == 0.0) return NULL;
  phsim_twin *t = calloc(1, sizeof *t);
  if (t == NULL) return NULL;
  t->cfg = *cfg;
  t->cfg.perturb = cfg->twin;
  t->engine = phsim_engine_alloc(&t->cfg);
  t->rng = phsim_config_rng(&t->cfg);
  t->cos = malloc(cfg->m * cfg->K * sizeof *t->cos);
  if (t->engine == NULL || t->rng == NULL || t->cos == NULL) {
    phsim_twin_free(t);
    return NULL;
  }
  return t;
}

void phsim_twin_free(phsim_twin *t) {
  if (t == NULL) return;
  phsim_engine_free(t->engine);
  gsl_rng_free(t->rng);
  free(t->cos);
  free(t);
}

int phsim_twin_start(phsim_twin *t, const phsim_initial *init,
                     char err[PHSIM_ERR_MAX]) {
  t->status = phsim_engine_start(t->engine, &t->cfg, init, t->rng, err);
  return t->status == PHSIM_ENUM ? PHSIM_OK : t->status;
}

/* Largest entrywise |X - Y|. */
static double max_difference(const gsl_matrix *X, const gsl_matrix *Y) {
  double big = 0.0;
  for (size_t i = 0; i < X->size1; i++)
    for (size_t j = 0; j < X->size2; j++)
      big = fmax(big, fabs(gsl_matrix_get(X, i, j) - gsl_matrix_get(Y, i, j)));
  return big;
}

static void record_outcome(phsim_twin *t, const phsim_obs *o) {
  const size_t m = o->A->size1, K = o->A->size2;
  for (size_t j = 0; j < m; j++)
    for (size_t l = 0; l < K; l++) t->cos[j * K + l] = phsim_cosine(o->A, o->R, j, l);
  phsim_outcome_string(t->cos, m, K, t->cfg.threshold, t->outcome, sizeof t->outcome);
}

int phsim_twin_follow(phsim_twin *t, unsigned long step, const phsim_obs *run) {
  if (t->status != PHSIM_OK) return PHSIM_OK;
  unsigned long at = step;
  if (step > t->step) t->status = phsim_engine_advance(t->engine, t->step, step, &at);
  if (t->status == PHSIM_EINTR) return PHSIM_EINTR;
  if (t->status != PHSIM_OK) return PHSIM_OK;
  t->step = step;
  phsim_obs o;
  phsim_engine_observe(t->engine, &o);
  const double gap = fmax(max_difference(o.A, run->A), max_difference(o.E, run->E));
  if (!(gap <= t->divergence)) {
    t->divergence = gap;
    t->divergence_step = step;
  }
  record_outcome(t, &o);
  return PHSIM_OK;
}

json_t *phsim_twin_json(const phsim_twin *t, const char *run_outcome) {
  if (t == NULL) return json_null();
  json_t *j = json_object();
  json_object_set_new(j, "eps", json_real(t->cfg.twin));
  json_object_set_new(j, "divergence_max",
                      isfinite(t->divergence) ? json_real(t->divergence) : json_null());
  json_object_set_new(j, "divergence_step", json_integer((json_int_t)t->divergence_step));
  json_object_set_new(j, "outcome", json_string(t->outcome));
  json_object_set_new(j, "status", json_string(t->status == PHSIM_OK ? "ok" : "diverged"));
  json_object_set_new(j, "fragile", json_boolean(t->status != PHSIM_OK ||
                                                 strcmp(t->outcome, run_outcome) != 0));
  return j;
}
