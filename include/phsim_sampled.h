/* phsim_sampled.h: gradient descent on the finite-batch loss of real patch
 * data (phsim_batchgrad): the paper's L_S (engine type phsim_engine_sampled).
 *
 * resample = step: a fresh batch of N samples every step (SGD);
 * resample = never: one training set of N samples drawn at the start
 * (full-batch gradient descent on it).  The initial weights come from the
 * run's generator; the data from phsim_philox.h keyed by the seed, the
 * batch evaluated after step t being draw number t (the training set: draw
 * 0), so a seed fixes everything and evaluating again draws the same batch.
 * A full fresh batch is projected on W as it is drawn
 * (phsim_batchgrad_eval_fresh).
 * Fresh batches are drawn in full, or (draw = projected, the default where
 * exact: resample = step, ema = 0) through the projections of the noise on
 * the weights (phsim_projected.h); a step whose noise Gram is singular falls
 * back to a full draw. */
#ifndef PHSIM_SAMPLED_H
#define PHSIM_SAMPLED_H

#include <stdint.h>

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
  uint64_t draw;             /* steps taken: the draw number of the batch */
  phsim_batchgrad_workspace *ws;
  phsim_projected_workspace *pw; /* projected draws, else NULL */
} phsim_sampled;

phsim_sampled *phsim_sampled_alloc(const phsim_config *cfg);
void phsim_sampled_free(phsim_sampled *s);
/* W from init->W or drawn from r, E from init->E or I (init may be NULL);
 * resample = never: the training set, draw 0. */
void phsim_sampled_start(phsim_sampled *s, const phsim_config *cfg,
                         const phsim_initial *init, gsl_rng *r);
int phsim_sampled_eval(phsim_sampled *s);
void phsim_sampled_step(phsim_sampled *s);
/* R and M for the observables of the last evaluation. */
void phsim_sampled_moments(phsim_sampled *s);

#endif
