/* twin.c: a perturbed copy of a run, followed row by row. */
#define _POSIX_C_SOURCE 200809L
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

void phsim_twin_summary(const phsim_twin *t, const char *run_outcome,
                        phsim_summary_twin *out) {
  if (t == NULL) return;
  out->present = 1;
  out->eps = t->cfg.twin;
  out->divergence_max = t->divergence;
  out->divergence_step = t->divergence_step;
  free(out->outcome);
  out->outcome = strdup(t->outcome);
  out->ok = t->status == PHSIM_OK;
  out->fragile = t->status != PHSIM_OK || strcmp(t->outcome, run_outcome) != 0;
}
