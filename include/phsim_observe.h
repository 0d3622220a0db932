/* phsim_observe.h: what a run measures on its logged states.
 *
 *   cos(w_j, v_l) and the first step each neuron learned each feature
 *   (|cos| >= threshold), the outcome (which feature each neuron ends on),
 *   the initial race, the phases (phsim_phases.h),
 *   ||E - I||, the largest weight norm, the effective rank of M (and of its
 *   correlation matrix), the stiffness of gradient descent against its flow
 *   (phsim_fidelity.h), the acceleration at T2 (phsim_accel.h), the end of
 *   substitution by the pull (phsim_pullend.h).
 * A tracker follows the rows and fills a run's phsim_summary. */
#ifndef PHSIM_OBSERVE_H
#define PHSIM_OBSERVE_H

#include <gsl/gsl_matrix.h>

#include "phsim_accel.h"
#include "phsim_config.h"
#include "phsim_engine.h"
#include "phsim_fidelity.h"
#include "phsim_phases.h"
#include "phsim_pullend.h"
#include "phsim_summary.h"
#include "phsim_twin.h"

/* exp(-sum_i p_i log p_i), p_i = lambda_i / sum lambda of a symmetric
 * positive semi-definite matrix (negative round-off eigenvalues count as 0).
 * normalized: of the correlation matrix D^-1/2 M D^-1/2 (D = diag M), the
 * covariance of the BatchNormed outputs, which does not see the neurons'
 * scales. */
double phsim_effective_rank(const gsl_matrix *M, int normalized);

/* cos(w_j, v_l) = a_jl / ||w_j||, ||w_j||^2 = sum_l a_jl^2 + R_jj (0 for a
 * zero neuron). */
double phsim_cosine(const gsl_matrix *A, const gsl_matrix *R, size_t j, size_t l);

/* The feature each neuron ended on, "l1:l2:...:lm" (the feature with the
 * largest |cos| at or above threshold, 0 for a neuron that learned none),
 * from the m x K cosines; cut at size (4 m + 1 always suffices: K <= 64
 * gives at most 2 digits and a colon per neuron). */
void phsim_outcome_string(const double *cos, size_t m, size_t K,
                          double threshold, char *buf, size_t size);

/* What the run remembers between logged rows; the learn steps, the last
 * cosines and the race are kept in the summary. */
typedef struct {
  const phsim_config *cfg;
  phsim_summary *sum;
  unsigned long last_step;
  double last_E_minus_I, last_erank, last_erank_bn;
  size_t last_features;
  phsim_phases phases;
  phsim_pullend pull;        /* the end of substitution by the pull */
  phsim_fidelity *fid;       /* NULL: not defined (the flow, or ema > 0) */
  int warn;                  /* say once on stderr when the run leaves it */
  long left_step;            /* first logged step breaking the rule, -1 */
  phsim_twin *twin;          /* NULL: no twin (owned) */
  phsim_accel accel;         /* neuron -1: not measured */
} phsim_tracker;

/* Start tracking a run of cfg into sum (phsim_summary_init'ed for cfg). */
void phsim_tracker_init(phsim_tracker *t, const phsim_config *cfg,
                        phsim_summary *sum, int warn);
void phsim_tracker_free(phsim_tracker *t);

/* The evaluated initial state: the starting effective ranks and the race. */
void phsim_tracker_start(phsim_tracker *t, const phsim_obs *o);
/* A logged row (turn: the engine's largest turn of a step so far). */
void phsim_tracker_row(phsim_tracker *t, unsigned long step, const phsim_obs *o,
                       double turn);
/* stop = strong | all: has the run reached it at its last logged row? */
int phsim_tracker_stop_reached(const phsim_tracker *t);

/* Fill the summary at the end: status (PHSIM_OK, PHSIM_ENUM with the
 * engine's fault at fault_step, PHSIM_EINTR), the engine's fidelity
 * measures, wall seconds (NAN: not timed). */
void phsim_tracker_finish(phsim_tracker *t, const phsim_engine *e, int status,
                          unsigned long fault_step, double wall);

#endif
