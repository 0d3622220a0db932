/* phsim_pop.h: the population engine (type phsim_engine_population, name
 * "population"), exact gradient descent on the full weights W (m x d) and
 * the head E (m x m).
 *
 * Per step: the closed-form loss and gradient (phsim_popgrad, O(m^2 K +
 * m^3)) at (A, R), then
 *   W[:, :K] -= eta gA,   W[:, K:] -= eta S W[:, K:]    (O(m^2 d))
 *   E_ij     -= eta_E gE_ij   for the trainable entries (phsim_head_step)
 *   Wt        = ema Wt + (1 - ema) W   (target weights; ema = 0: Wt = W)
 * with R = W Pp W^T (and Rt) of the new weights accumulated in the same pass
 * over W (phsim_perp_step: the bits of dsymm, then dsyrk). */
#ifndef PHSIM_POP_H
#define PHSIM_POP_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "phsim_config.h"
#include "phsim_initial.h"
#include "phsim_popgrad.h"
#include "phsim_weights.h"

typedef struct {
  phsim_model model;
  size_t d;
  phsim_head head;
  double eta, eta_E, ema;
  gsl_matrix *W;            /* m x d: row j is w_j */
  gsl_matrix *E;            /* m x m head */
  gsl_matrix *R;            /* m x m: W Pp W^T */
  gsl_matrix *Wt, *Rt;      /* target weights and their Gram (ema > 0) */
  double *work;             /* phsim_perp_step's */
  int grams_fresh;          /* R (Rt) are the current W's (Wt's): a step
                               computed them */
  gsl_matrix_view A;        /* m x K view of W's feature columns */
  gsl_matrix_view At;       /* the same of Wt (ema > 0) */
  phsim_popgrad_workspace *pg;
} phsim_pop;

phsim_pop *phsim_pop_alloc(const phsim_config *cfg);
void phsim_pop_free(phsim_pop *pop);

/* Initial state: phsim_weights_init (W from init->W or drawn from r),
 * phsim_head_init (E from init->E or I); the target starts at the online
 * weights.  init may be NULL (nothing read). */
void phsim_pop_start(phsim_pop *pop, const phsim_config *cfg,
                     const phsim_initial *init, gsl_rng *r);

/* Loss and gradient at the current state (into pop->pg).  PHSIM_ENUM on a
 * numerical fault. */
int phsim_pop_eval(phsim_pop *pop);

/* One gradient step with the gradient of the last phsim_pop_eval. */
void phsim_pop_step(phsim_pop *pop);

#endif
