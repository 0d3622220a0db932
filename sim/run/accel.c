/* accel.c: the no-head counterfactual from the state at T2. */
#include "phsim_accel.h"

#include <math.h>
#include <stdlib.h>

#include "phsim_flow.h"
#include "phsim_run.h"

/* The strongest and weakest features (largest and smallest alpha). */
static void strong_weak(const phsim_config *cfg, size_t *s, size_t *w) {
  *s = *w = 0;
  for (size_t l = 1; l < cfg->K; l++) {
    if (cfg->alpha[l] > cfg->alpha[*s]) *s = l;
    if (cfg->alpha[l] < cfg->alpha[*w]) *w = l;
  }
}

/* Read the flow at 50 rows per decade of steps and return the first step
 * at which neuron i reaches |cos| >= threshold on feature l, or -1 when it
 * learns another feature first or not within the horizon. */
static long time_to_learn(phsim_flow *f, const phsim_config *cfg, size_t i,
                          size_t l, unsigned long horizon, int *status) {
  for (double k = 0.0;; k += 1.0) {
    unsigned long step = (unsigned long)ceil(pow(10.0, k / 50.0));
    if (step > horizon) step = horizon;
    *status = phsim_flow_advance_to(f, step, NULL);
    if (*status != PHSIM_OK) return -1;
    for (size_t q = 0; q < cfg->K; q++)
      if (fabs(phsim_cosine(f->s->A, f->s->R, i, q)) >= cfg->threshold)
        return q == l ? (long)step : -1;
    if (step == horizon) return -1;
  }
}

/* One counterfactual flow without the head from (A, R), E = I, with
 * a_i,zero_feature set to 0 if asked: the time for neuron i to learn l. */
static long counterfactual(const phsim_config *cfg, const gsl_matrix *A,
                           const gsl_matrix *R, const gsl_matrix *E, size_t i,
                           long zero_feature, size_t l, unsigned long horizon, int *st) {
  phsim_config c = *cfg;
  c.head = PHSIM_HEAD_FIXED;
  c.engine = PHSIM_ENGINE_FLOW;
  c.perturb = 0.0;
  phsim_flow *f = phsim_flow_alloc(&c);
  gsl_rng *r = phsim_config_rng(&c);
  gsl_matrix *A0 = gsl_matrix_alloc(A->size1, A->size2);
  gsl_matrix_memcpy(A0, A);
  if (zero_feature >= 0) gsl_matrix_set(A0, i, (size_t)zero_feature, 0.0);
  long t = -1;
  *st = f == NULL || r == NULL ? PHSIM_ENOMEM : PHSIM_OK;
  if (*st == PHSIM_OK) {
    phsim_flow_start(f, &c, NULL, r);
    gsl_matrix_memcpy(f->s->E, E); /* the fixed entries too */
    *st = phsim_flow_set_state(f, A0, R, E);
  }
  if (*st == PHSIM_OK) t = time_to_learn(f, &c, i, l, horizon, st);
  gsl_matrix_free(A0);
  gsl_rng_free(r);
  phsim_flow_free(f);
  return t;
}

int phsim_accel_measure(const phsim_config *cfg, const gsl_matrix *A,
                        const gsl_matrix *R, size_t i, unsigned long T2,
                        unsigned long horizon, phsim_accel *out) {
  size_t s, w;
  strong_weak(cfg, &s, &w);
  gsl_matrix *I = gsl_matrix_alloc(cfg->m, cfg->m);
  gsl_matrix_set_identity(I);
  int st[2];
  *out = (phsim_accel){.neuron = (long)i, .weak = w, .T2 = T2};
  out->strong_without_head = counterfactual(cfg, A, R, I, i, -1, s, horizon, &st[0]);
  out->weak_without_head = counterfactual(cfg, A, R, I, i, (long)s, w, horizon, &st[1]);
  gsl_matrix_free(I);
  for (int k = 0; k < 2; k++)
    if (st[k] == PHSIM_EINTR) return PHSIM_EINTR;
  return PHSIM_OK;
}

void phsim_accel_summary(const phsim_accel *a, long weak_learned_step,
                         phsim_summary_accel *out) {
  if (a->neuron < 0) return;
  const long with = weak_learned_step >= (long)a->T2 ? weak_learned_step - (long)a->T2 : -1;
  *out = (phsim_summary_accel){
      .present = 1, .neuron = a->neuron + 1, .T2 = (long)a->T2,
      .strong_without_head = a->strong_without_head, .weak_without_head = a->weak_without_head,
      .weak_with_head = with,
      .ratio = with > 0 && a->weak_without_head > 0 ? (double)a->weak_without_head / (double)with
                                                    : NAN};
}
