/* phsim_reduced_state.h: the reduced state (A, R, E) of the model, shared by
 * the engines that evolve it instead of W (the reduced dynamics,
 * phsim_reduced.h, and the gradient flow, phsim_flow.h).
 *
 * The loss depends on W only through A = W V (m x K) and R = W Pp W^T
 * (m x m) (phsim_popgrad.h), so (A, R, E) is a complete state whatever d.
 * It starts from W (init_W, or drawn like the population engine when
 * m d <= PHSIM_REDUCED_MAX_WEIGHTS, keeping W0 for dL/dW) or, beyond, from
 * (A, R) drawn directly from their exact law (phsim_reduced_sample).  An EMA
 * target has its own (At, Rt) and the cross Gram X = W Pp Wt^T
 * (phsim_reduced.h gives their step). */
#ifndef PHSIM_REDUCED_STATE_H
#define PHSIM_REDUCED_STATE_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "phsim_config.h"
#include "phsim_initial.h"
#include "phsim_popgrad.h"

/* Largest m * d for which the reduced engines draw W itself (and so start
 * from exactly the population engine's state); beyond it they draw (A, R)
 * from their exact law (phsim_reduced_sample). */
#define PHSIM_REDUCED_MAX_WEIGHTS 10000000.0

typedef struct {
  phsim_model model;
  phsim_engine_kind engine;   /* whose state (for messages) */
  phsim_head head;
  double eta, eta_E, ema;
  gsl_matrix *A, *R, *E;      /* state */
  gsl_matrix *At, *Rt, *X;    /* EMA target state (ema > 0) */
  gsl_matrix *W0;             /* the starting weights, if drawn (else NULL) */
  phsim_popgrad_workspace *pg;
} phsim_reduced_state;

phsim_reduced_state *phsim_reduced_state_alloc(const phsim_config *cfg);
void phsim_reduced_state_free(phsim_reduced_state *s);

/* Initial state from init->W, or drawn from r (W when m d is small enough,
 * else (A, R)); E from init->E or I; the target at the online state.
 * init may be NULL (nothing read). */
void phsim_reduced_state_start(phsim_reduced_state *s, const phsim_config *cfg,
                               const phsim_initial *init, gsl_rng *r);

/* Loss and gradient at the state (into s->pg).  PHSIM_ENUM on a numerical
 * fault (s->pg->fault). */
int phsim_reduced_state_eval(phsim_reduced_state *s);

/* dL/dW (m x d) and dL/dE at the starting state, from W0:
 * dL/dW = gA V^T + S W0 Pp.  PHSIM_EINPUT when the state was drawn as
 * (A, R) (there is no W). */
int phsim_reduced_state_gradient(const phsim_reduced_state *s, gsl_matrix *gW,
                                 gsl_matrix *gE, char err[PHSIM_ERR_MAX]);

/* (A, R) of weights w_j ~ N(0, I_d / d) drawn directly: a_jl ~ N(0, 1/d)
 * independent, R = W Pp W^T ~ Wishart_m(d - K, I/d) (gsl_ran_wishart,
 * Bartlett decomposition; needs d - K >= m). */
void phsim_reduced_sample(gsl_rng *r, size_t d, gsl_matrix *A, gsl_matrix *R);

/* The reduced coordinates of the state, shared by the flow (its ODE
 * variables) and the fidelity measure (the step's Jacobian):
 *   y = (A row-major, R's upper triangle row-major, the entries of E that
 *        the head mode trains, row-major)
 * phsim_reduced_dim: their number, m K + m (m + 1) / 2 + trained entries.
 * phsim_reduced_unpack mirrors R and leaves E's fixed entries alone. */
size_t phsim_reduced_dim(size_t m, size_t K, phsim_head head);
void phsim_reduced_pack(phsim_head head, const gsl_matrix *A, const gsl_matrix *R,
                        const gsl_matrix *E, double *y);
void phsim_reduced_unpack(phsim_head head, const double *y, gsl_matrix *A,
                          gsl_matrix *R, gsl_matrix *E);

#endif
