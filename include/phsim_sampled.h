/* phsim_sampled.h: gradient descent on the finite-batch loss of real patch
 * data (phsim_batchgrad): the paper's L_S (engine type phsim_engine_sampled).
 *
 * resample = step: a fresh batch of N samples every step (SGD);
 * resample = never: one training set of N samples drawn at the start
 * (full-batch gradient descent on it).  The data stream continues the run's
 * random generator after the initial weights, so a seed fixes everything.
 * Fresh batches are drawn in full, or (draw = projected, the default where
 * exact: resample = step, ema = 0) through the projections of the noise on
 * the weights (phsim_projected.h); a step whose noise Gram is singular falls
 * back to a full draw. */
#ifndef PHSIM_SAMPLED_H
#define PHSIM_SAMPLED_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "phsim_batchgrad.h"
#include "phsim_config.h"
#include "phsim_data.h"
#include "phsim_initial.h"
#include "phsim_projected.h"

typedef struct {
  phsim_config cfg;
  gsl_matrix *W, *E, *Wt;    /* online, head, EMA target (ema > 0) */
  gsl_matrix *R, *M;         /* observables: W Pp W^T, (1/N) f1^T f1 */
  gsl_matrix_view A, gA;     /* feature columns of W and of dL/dW */
  phsim_batch *batch;
  gsl_rng *rng;              /* data stream */
  phsim_batchgrad_workspace *ws;
  phsim_projected_workspace *pw; /* projected draws, else NULL */
} phsim_sampled;

phsim_sampled *phsim_sampled_alloc(const phsim_config *cfg);
void phsim_sampled_free(phsim_sampled *s);
/* W from init->W or drawn from r, E from init->E or I (init may be NULL);
 * the data stream is a clone of r after the weights. */
void phsim_sampled_start(phsim_sampled *s, const phsim_config *cfg,
                         const phsim_initial *init, gsl_rng *r);
int phsim_sampled_eval(phsim_sampled *s);
void phsim_sampled_step(phsim_sampled *s);
/* R and M for the observables of the last evaluation. */
void phsim_sampled_moments(phsim_sampled *s);

#endif
