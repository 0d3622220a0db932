/* phases.c: the phases of a run from its logged states. */
#include "phsim_phases.h"

#include <math.h>
#include <stdlib.h>

#include "phsim_head.h"

void phsim_phases_init(phsim_phases *p, const phsim_config *cfg) {
  p->m = cfg->m;
  p->K = cfg->K;
  p->strong = 0;
  for (size_t l = 1; l < cfg->K; l++)
    if (cfg->alpha[l] > cfg->alpha[p->strong]) p->strong = l;
  p->threshold = cfg->threshold;
  p->T1 = p->T2 = p->T3 = p->T4 = -1;
  p->strong_neuron = p->substituted_neuron = -1;
  p->E_substitution = NAN;
  p->EI_peak = 0.0;
  p->force_T1 = calloc(cfg->m, sizeof *p->force_T1);
  p->amax = calloc(cfg->m * cfg->K, sizeof *p->amax);
  p->EI_phase1 = 0.0;
  p->phase1_rows = 0;
  p->phase1_closed = 0;
  p->ei_step = malloc(PHSIM_PHASE1_HISTORY * sizeof *p->ei_step);
  p->ei_run = malloc(PHSIM_PHASE1_HISTORY * sizeof *p->ei_run);
  p->ei_n = 0;
  p->offtarget = NAN;
}

void phsim_phases_free(phsim_phases *p) {
  free(p->force_T1);
  free(p->amax);
  free(p->ei_step);
  free(p->ei_run);
  p->force_T1 = NULL;
  p->amax = NULL;
  p->ei_step = NULL;
  p->ei_run = NULL;
}

static void detect_substitution(phsim_phases *p, unsigned long step,
                                const double *cos, const gsl_matrix *A,
                                const gsl_matrix *E, const gsl_matrix *gA) {
  const size_t js = (size_t)p->strong_neuron, s = p->strong;
  const double carried = pow(fabs(gsl_matrix_get(A, js, s)), 3);
  const double F = PHSIM_SUBSTITUTION_FACTOR;
  for (size_t i = 0; i < p->m; i++) {
    if (i == js || fabs(cos[i * p->K + s]) >= p->threshold) continue;
    double own = pow(fabs(gsl_matrix_get(A, i, s)), 3);
    double e = fabs(gsl_matrix_get(E, i, js));
    double pull = fabs(gsl_matrix_get(gA, i, s));
    if (pull * F <= p->force_T1[i] && e * carried >= F * own) {
      p->T2 = (long)step;
      p->substituted_neuron = (long)i;
      p->E_substitution = e;
      return;
    }
  }
}

/* Phase I's running maxima, over the rows before T1, and the history of
 * ||E - I||'s running maximum (thinned by half when full). */
static void track_phase1(phsim_phases *p, unsigned long step, const gsl_matrix *A, double ei) {
  for (size_t i = 0; i < p->m * p->K; i++)
    p->amax[i] = fmax(p->amax[i], fabs(gsl_matrix_get(A, i / p->K, i % p->K)));
  p->EI_phase1 = fmax(p->EI_phase1, ei);
  p->phase1_rows++;
  if (p->ei_step == NULL || p->ei_run == NULL) return;
  if (p->ei_n == PHSIM_PHASE1_HISTORY) {
    size_t j = 0;
    for (size_t i = 1; i < p->ei_n; i += 2, j++) p->ei_step[j] = p->ei_step[i], p->ei_run[j] = p->ei_run[i];
    p->ei_n = j;
  }
  p->ei_step[p->ei_n] = step;
  p->ei_run[p->ei_n++] = p->EI_phase1;
}

/* At T1's row (not itself phase I): the largest overlap off (j*, s) before
 * it (none when T1 is the first logged row), and ||E - I||'s maximum up to
 * T1 / 2 (none when no row lies there). */
static void close_phase1(phsim_phases *p) {
  p->phase1_closed = 1;
  if (p->phase1_rows == 0) return;
  p->offtarget = 0.0;
  for (size_t i = 0; i < p->m * p->K; i++)
    if (i != (size_t)p->strong_neuron * p->K + p->strong)
      p->offtarget = fmax(p->offtarget, p->amax[i]);
  p->EI_phase1 = NAN;
  for (size_t i = 0; i < p->ei_n && 2 * p->ei_step[i] <= (unsigned long)p->T1; i++) p->EI_phase1 = p->ei_run[i];
}

void phsim_phases_update(phsim_phases *p, unsigned long step,
                         const double *cos, const gsl_matrix *A,
                         const gsl_matrix *E, const gsl_matrix *gA,
                         size_t features_learned) {
  const double ei = phsim_E_minus_I(E);
  if (ei > p->EI_peak) p->EI_peak = ei;
  if (p->T1 >= 0 && p->T2 < 0) detect_substitution(p, step, cos, A, E, gA);
  if (p->T1 < 0)
    for (size_t j = 0; j < p->m; j++)
      if (fabs(cos[j * p->K + p->strong]) >= p->threshold) {
        p->T1 = (long)step;
        p->strong_neuron = (long)j;
        for (size_t i = 0; i < p->m; i++)
          p->force_T1[i] = fabs(gsl_matrix_get(gA, i, p->strong));
        break;
      }
  if (!p->phase1_closed) {
    if (p->T1 < 0) track_phase1(p, step, A, ei);
    else close_phase1(p);
  }
  if (p->T3 < 0 && features_learned == p->K) p->T3 = (long)step;
  if (p->T3 >= 0 && p->T4 < 0 && p->EI_peak > 0.0 &&
      ei <= PHSIM_HEAD_RETURN_FRACTION * p->EI_peak)
    p->T4 = (long)step;
}

void phsim_phases_summary(const phsim_phases *p, phsim_summary_phases *out) {
  *out = (phsim_summary_phases){
      .T1 = p->T1, .T2 = p->T2, .T3 = p->T3, .T4 = p->T4,
      .phase1_offtarget_max = p->offtarget,
      .phase1_E_minus_I_max = isnan(p->offtarget) ? NAN : p->EI_phase1,
      .strong_neuron = p->strong_neuron + 1, .substituted_neuron = p->substituted_neuron + 1,
      .E_substitution = p->E_substitution};
}
