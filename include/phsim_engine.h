/* phsim_engine.h: one interface over the four ways phsim computes the same
 * dynamics.
 *
 *   population  exact GD on the full weights W (m x d), closed-form loss
 *   order       exact GD on the reduced state (A, R, E): cost independent
 *               of d (phsim_order.h)
 *   sampled     GD on the finite-batch loss of real patch data
 *               (phsim_sampled.h)
 *   flow        the gradient-flow ODE on (A, R, E), t = eta * step
 *               (phsim_flow.h)
 *
 * A run calls init, eval at step 0, then advance to each logged step; every
 * engine exposes the same observables (phsim_obs) for the trajectory. */
#ifndef PHSIM_ENGINE_H
#define PHSIM_ENGINE_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_vector.h>

#include "phsim_config.h"

/* What a logged row needs, at the engine's current (evaluated) state. */
typedef struct {
  const gsl_matrix *A;   /* m x K: a_jl = <w_j, v_l> */
  const gsl_matrix *R;   /* m x m: W Pp W^T (noise_j = sqrt(R_jj)) */
  const gsl_matrix *E;   /* m x m head */
  const gsl_matrix *M;   /* m x m representation second moment E[f f^T] */
  const gsl_matrix *gA;  /* m x K: dL/dA (force = -gA) */
  const gsl_vector *rho; /* m */
  double loss;
} phsim_obs;

/* The largest |E_ij - delta_ij| seen and when. */
typedef struct {
  double value;
  unsigned long step;
} phsim_head_peak;

void phsim_head_peak_update(phsim_head_peak *peak, unsigned long step,
                            const gsl_matrix *E);

typedef struct phsim_engine phsim_engine;

phsim_engine *phsim_engine_alloc(const phsim_config *cfg);
void phsim_engine_free(phsim_engine *e);

/* Initial state (weights from init_W or drawn from r, E from init_E or I),
 * then the loss and gradient at it.  PHSIM_EINPUT / PHSIM_ENUM with err. */
int phsim_engine_start(phsim_engine *e, const phsim_config *cfg, gsl_rng *r,
                       char err[PHSIM_ERR_MAX]);

/* Advance from step `from` (evaluated) to step `to` (evaluated), updating
 * peak at every step the engine visits.  On a numerical fault returns
 * PHSIM_ENUM with *fault_step = the first step whose state is not finite;
 * on SIGINT/SIGTERM (polled every step) PHSIM_EINTR with *fault_step = the
 * step reached, its state evaluated. */
int phsim_engine_advance(phsim_engine *e, unsigned long from, unsigned long to,
                         phsim_head_peak *peak, unsigned long *fault_step);

void phsim_engine_observe(const phsim_engine *e, phsim_obs *o);

/* The largest increase of the loss from one step to the next so far, and
 * (if step is not NULL) the step it ended at; 0 if it never rose. */
double phsim_engine_loss_rise(const phsim_engine *e, unsigned long *step);

/* The largest turn of gradient descent so far (phsim_fidelity.h) and its
 * step; NaN for the engines without one (sampled, flow). */
double phsim_engine_turn(const phsim_engine *e, unsigned long *step);

/* After PHSIM_ENUM: the quantity that failed and its value. */
const char *phsim_engine_fault(const phsim_engine *e);

/* A loss beyond this magnitude counts as exploded (a numerical fault): the
 * BN loss is at most 4 m; the unnormalized one has no bound. */
#define PHSIM_LOSS_EXPLODED 1e30

/* dL/dW (m x d) and dL/dE (m x m) at the current state.  The reduced
 * engines need the weights they started from: PHSIM_EINPUT when they were
 * started from (A, R) directly (huge d). */
int phsim_engine_gradient(const phsim_engine *e, gsl_matrix *gW,
                          gsl_matrix *gE, char err[PHSIM_ERR_MAX]);

#endif
