/* phsim_pop.h: the population engine (type phsim_engine_population, name
 * "population"), exact gradient descent on the full weights W (m x d) and
 * the head E (m x m).
 *
 * Per step: R = W Pp W^T (BLAS dsyrk, O(m^2 d)), the closed-form loss and
 * gradient (phsim_popgrad, O(m^2 K + m^3)), then
 *   W[:, :K] -= eta gA,   W[:, K:] -= eta S W[:, K:]    (dsymm, O(m^2 d))
 *   E_ij     -= eta_E gE_ij   for the trainable entries (phsim_head_step)
 *   Wt        = ema Wt + (1 - ema) W   (target weights; ema = 0: Wt = W) */
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
  gsl_matrix *scratch;      /* m x (d - K) */
  gsl_matrix_view A;        /* m x K view of W's feature columns */
  gsl_matrix_view At;       /* the same of Wt (ema > 0) */
  gsl_matrix_view Wp;       /* m x (d - K) view of the rest (if d > K) */
  int has_perp;             /* d > K */
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
