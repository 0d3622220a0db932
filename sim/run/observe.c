/* observe.c: what a run measures on its logged states (phsim_observe.h). */
#define _POSIX_C_SOURCE 200809L
#include "phsim_observe.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>

#include "phsim_gslerr.h"
#include "phsim_popgrad.h"

double phsim_effective_rank(const gsl_matrix *M, int normalized) {
  phsim_gsl_errors_off(); /* an eigensolver that fails: undefined (NaN) */
  const size_t m = M->size1;
  for (size_t r = 0; r < m; r++) /* a silent or non-finite output: undefined */
    if (!(gsl_matrix_get(M, r, r) > 0.0) || !isfinite(gsl_matrix_get(M, r, r)))
      if (normalized || !isfinite(gsl_matrix_get(M, r, r))) return NAN;
  gsl_matrix *work = gsl_matrix_alloc(m, m);
  gsl_vector *eval = gsl_vector_alloc(m);
  gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(m);
  gsl_matrix_memcpy(work, M);
  for (size_t r = 0; r < m && normalized; r++)
    for (size_t s = 0; s < m; s++)
      gsl_matrix_set(work, r, s,
                     gsl_matrix_get(M, r, s) /
                         sqrt(gsl_matrix_get(M, r, r) * gsl_matrix_get(M, s, s)));
  const int failed = gsl_eigen_symm(work, eval, ws) != GSL_SUCCESS;
  double total = 0.0;
  for (size_t i = 0; i < m; i++) total += fmax(gsl_vector_get(eval, i), 0.0);
  double entropy = 0.0;
  for (size_t i = 0; i < m && total > 0.0; i++) {
    double p = fmax(gsl_vector_get(eval, i), 0.0) / total;
    if (p > 0.0) entropy -= p * log(p);
  }
  gsl_eigen_symm_free(ws);
  gsl_vector_free(eval);
  gsl_matrix_free(work);
  return total > 0.0 && !failed ? exp(entropy) : NAN;
}

void phsim_outcome_string(const double *cos, size_t m, size_t K,
                          double threshold, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t j = 0; j < m && used < size; j++) {
    size_t best = 0;
    double top = threshold;
    for (size_t l = 0; l < K; l++)
      if (fabs(cos[j * K + l]) >= top) {
        top = fabs(cos[j * K + l]);
        best = l + 1;
      }
    used += (size_t)snprintf(buf + used, size - used, j ? ":%zu" : "%zu", best);
  }
}

double phsim_cosine(const gsl_matrix *A, const gsl_matrix *R, size_t j,
                    size_t l) {
  double norm2 = gsl_matrix_get(R, j, j);
  for (size_t k = 0; k < A->size2; k++) {
    double a = gsl_matrix_get(A, j, k);
    norm2 += a * a;
  }
  return norm2 > 0.0 ? gsl_matrix_get(A, j, l) / sqrt(norm2) : 0.0;
}

void phsim_tracker_init(phsim_tracker *t, const phsim_config *cfg,
                        phsim_summary *sum, int warn) {
  *t = (phsim_tracker){.cfg = cfg, .sum = sum, .last_E_minus_I = NAN,
                       .last_erank = NAN, .last_erank_bn = NAN,
                       /* the flow is its own flow: no step to measure */
                       .fid = cfg->engine == PHSIM_ENGINE_FLOW
                                  ? NULL
                                  : phsim_fidelity_alloc(cfg, PHSIM_FIDELITY_DENSE_MAX),
                       .warn = warn, .left_step = -1, .twin = phsim_twin_alloc(cfg),
                       .accel = {.neuron = -1}};
  phsim_phases_init(&t->phases, cfg);
  (void)phsim_pullend_init(&t->pull, cfg); /* out of memory: not watched */
  /* what a run that faults at its start reports */
  sum->weight_norm_max_final = 0.0;
  for (size_t j = 0; j < cfg->m; j++) sum->race[j] = 1;
}

void phsim_tracker_free(phsim_tracker *t) {
  phsim_phases_free(&t->phases);
  phsim_pullend_free(&t->pull);
  phsim_fidelity_free(t->fid);
  phsim_twin_free(t->twin);
}

/* Without a head each neuron evolves on its own and, from small overlaps,
 * da_l/dt ~ c_l a_l^5: the feature with the largest c_l a_l^4 escapes first
 * (c_l = pi_l alpha_l^6).  Record which feature that race favours. */
void phsim_tracker_start(phsim_tracker *t, const phsim_obs *o) {
  const phsim_config *cfg = t->cfg;
  t->sum->erank_start = phsim_effective_rank(o->M, 0);
  t->sum->erank_bn_start = phsim_effective_rank(o->M, 1);
  for (size_t j = 0; j < cfg->m; j++) {
    double best = -1.0;
    for (size_t l = 0; l < cfg->K; l++) {
      double a2 = gsl_matrix_get(o->A, j, l) * gsl_matrix_get(o->A, j, l);
      double score = phsim_feature_strength(cfg, l) * a2 * a2;
      if (score > best) {
        best = score;
        t->sum->race[j] = (long)l + 1;
      }
    }
  }
}

/* Stiffness at a logged row (phsim_fidelity.h); the first row at which
 * the run breaks the rule is reported once. */
static void track_fidelity(phsim_tracker *t, unsigned long step, const phsim_obs *o,
                           double turn) {
  if (t->fid == NULL) return;
  /* A row at most the largest so far changes nothing (that largest is
   * within the rule while the run keeps it): a bound is enough there.  The
   * first row's largest is NaN, which no bound is at most; the row where
   * the turn takes the run out of its flow reports its stiffness. */
  const int leaves = t->left_step < 0 && turn > PHSIM_FIDELITY_TURN_MAX;
  double stiff;
  phsim_fidelity_stiffness(t->fid, o->A, o->R, o->E,
                           leaves ? -INFINITY : t->sum->fidelity.stiffness_max, &stiff);
  if (!(stiff <= t->sum->fidelity.stiffness_max)) {
    t->sum->fidelity.stiffness_max = stiff;
    t->sum->fidelity.stiffness_step = step;
  }
  if (t->left_step >= 0) return;
  if (stiff <= PHSIM_FIDELITY_STIFFNESS_MAX && !(turn > PHSIM_FIDELITY_TURN_MAX))
    return;
  t->left_step = (long)step;
  if (t->warn)
    fprintf(stderr,
            "phsim: warning: gradient descent leaves its gradient flow by "
            "step %lu: stiffness eta*|lambda| = %.3g (rule: <= %g), largest "
            "turn of a step %.3g (rule: <= %g); outcomes of this run are not "
            "evidence for the flow (smaller eta, or engine = flow)\n",
            step, stiff, PHSIM_FIDELITY_STIFFNESS_MAX, turn,
            PHSIM_FIDELITY_TURN_MAX);
}

/* Cosines, learn steps and the largest weight norm of a row; the number of
 * features some neuron has learned. */
static size_t track_cosines(phsim_tracker *t, unsigned long step, const phsim_obs *o) {
  const size_t m = t->cfg->m, K = t->cfg->K;
  const gsl_matrix *A = o->A, *R = o->R;
  double *cos = t->sum->cos_final;
  long *learn = t->sum->learn_step;
  size_t learned = 0;
  for (size_t l = 0; l < K; l++) {
    int any = 0;
    for (size_t j = 0; j < m; j++) cos[j * K + l] = phsim_cosine(A, R, j, l);
    for (size_t j = 0; j < m; j++)
      if (fabs(cos[j * K + l]) >= t->cfg->threshold) {
        any = 1;
        if (learn[j * K + l] < 0) learn[j * K + l] = (long)step;
      }
    learned += (size_t)any;
  }
  double norm_max = 0.0;
  for (size_t j = 0; j < m; j++) {
    double n2 = gsl_matrix_get(R, j, j);
    for (size_t l = 0; l < K; l++) n2 += gsl_matrix_get(A, j, l) * gsl_matrix_get(A, j, l);
    norm_max = fmax(norm_max, sqrt(n2));
  }
  t->sum->weight_norm_max_final = norm_max;
  return learned;
}

void phsim_tracker_row(phsim_tracker *t, unsigned long step, const phsim_obs *o,
                       double turn) {
  const size_t learned = track_cosines(t, step, o);
  t->last_step = step;
  t->last_features = learned;
  t->sum->loss_final = o->loss;
  t->last_E_minus_I = phsim_E_minus_I(o->E);
  t->last_erank = phsim_effective_rank(o->M, 0);
  t->last_erank_bn = phsim_effective_rank(o->M, 1);
  phsim_phases_update(&t->phases, step, t->sum->cos_final, o->A, o->E, o->gA, learned);
  phsim_pullend_row(&t->pull, &t->phases, step, o);
  if (t->cfg->accel && t->accel.neuron < 0 && t->phases.T2 == (long)step)
    phsim_accel_measure(t->cfg, o->A, o->R, (size_t)t->phases.substituted_neuron, step,
                        t->cfg->steps - step, &t->accel);
  track_fidelity(t, step, o, turn);
}

int phsim_tracker_stop_reached(const phsim_tracker *t) {
  if (t->cfg->stop == PHSIM_STOP_STRONG) return t->phases.T1 >= 0;
  if (t->cfg->stop == PHSIM_STOP_ALL) return t->last_features == t->cfg->K;
  return 0;
}

/* fidelity.  flow_faithful: the flow engine is the flow; otherwise every
 * logged row met the rule (not defined without a measure). */
static void finish_fidelity(const phsim_tracker *t, const phsim_engine *e,
                            phsim_summary_fidelity *f) {
  unsigned long turn_step = 0;
  f->turn_max = phsim_engine_turn(e, &turn_step);
  f->turn_step = isnan(f->turn_max) ? -1 : (long)turn_step;
  f->loss_rise_max = phsim_engine_loss_rise(e, &f->loss_rise_step);
  f->left_flow_step = t->left_step;
  f->flow_faithful = t->cfg->engine == PHSIM_ENGINE_FLOW ? 1
                     : t->fid == NULL                     ? -1
                                                          : t->left_step < 0;
}

void phsim_tracker_finish(phsim_tracker *t, const phsim_engine *e, int status,
                          unsigned long fault_step, double wall) {
  phsim_summary *s = t->sum;
  const size_t m = t->cfg->m, K = t->cfg->K;
  char outcome[PHSIM_MAX_M * 4 + 1];
  phsim_outcome_string(s->cos_final, m, K, t->cfg->threshold, outcome, sizeof outcome);
  s->status = status;
  if (status == PHSIM_ENUM) {
    s->fault_step = fault_step;
    snprintf(s->fault, sizeof s->fault, "%s", phsim_engine_fault(e));
  }
  free(s->outcome);
  s->outcome = strdup(outcome);
  phsim_twin_summary(t->twin, outcome, &s->twin);
  /* against the run's own step at which the substituted neuron learned the
   * weakest feature */
  if (t->accel.neuron >= 0)
    phsim_accel_summary(&t->accel, s->learn_step[(size_t)t->accel.neuron * K + t->accel.weak],
                        &s->acceleration);
  phsim_phases_summary(&t->phases, &s->phases);
  phsim_pullend_summary(&t->pull, s->learn_step, &s->phases);
  s->features_learned = t->last_features;
  s->collapsed = t->last_features < K;
  const phsim_head_peak hp = phsim_engine_head_peak(e);
  s->E_peak = hp.value;
  s->E_peak_step = hp.step;
  s->E_minus_I_final = t->last_E_minus_I;
  finish_fidelity(t, e, &s->fidelity);
  s->erank_end = t->last_erank;
  s->erank_bn_end = t->last_erank_bn;
  s->steps = t->last_step;
  s->wall_seconds = wall;
  s->steps_per_second = wall > 0 ? (double)t->last_step / wall : NAN;
}
