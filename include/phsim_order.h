/* phsim_order.h: the exact reduced dynamics on (A, R, E).
 *
 * The loss depends on W only through A = W V and R = W Pp W^T (phsim_popgrad),
 * and a gradient step W' = W - eta (gA V^T + S W Pp) maps them in closed form:
 *   A' = A - eta gA
 *   R' = U R U^T,   U = I - eta S          (W' Pp = U W Pp)
 * With an EMA target (Wt' = ema Wt + (1 - ema) W') the target's (At, Rt) and
 * the cross Gram X = W Pp Wt^T follow as well:
 *   At' = ema At + (1 - ema) A'
 *   X'  = ema U X + (1 - ema) R'
 *   Rt' = ema^2 Rt + ema (1 - ema) (U X + (U X)^T) + (1 - ema)^2 R'
 * Cost per step O(m^2 K + m^3), whatever d. */
#ifndef PHSIM_ORDER_H
#define PHSIM_ORDER_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "phsim_config.h"
#include "phsim_popgrad.h"

/* Largest m * d for which the reduced engines draw W itself (and so start
 * from exactly the population engine's state); beyond it they draw (A, R)
 * from their exact law (phsim_order_sample_reduced). */
#define PHSIM_ORDER_MAX_WEIGHTS 10000000.0

typedef struct {
  phsim_model model;
  phsim_head head;
  double eta, eta_E, ema;
  gsl_matrix *A, *R, *E;      /* state */
  gsl_matrix *At, *Rt, *X;    /* EMA target state (ema > 0) */
  gsl_matrix *W0;             /* the starting weights, if drawn (else NULL) */
  gsl_matrix *U, *tmp;        /* m x m scratch */
  phsim_popgrad_workspace *pg;
} phsim_order;

phsim_order *phsim_order_alloc(const phsim_config *cfg);
void phsim_order_free(phsim_order *o);

/* (A, R) of weights w_j ~ N(0, I_d / d) drawn directly: a_jl ~ N(0, 1/d)
 * independent, R = W Pp W^T ~ Wishart_m(d - K, I/d) (gsl_ran_wishart,
 * Bartlett decomposition; needs d - K >= m). */
void phsim_order_sample_reduced(gsl_rng *r, size_t d, gsl_matrix *A,
                                gsl_matrix *R);

/* Initial state from W (init_W, or drawn like the population engine when
 * m d <= PHSIM_ORDER_MAX_WEIGHTS, keeping W0) or from (A, R) drawn directly;
 * E from init_E or I. */
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

int phsim_order_init(phsim_order *o, const phsim_config *cfg, gsl_rng *r,
                     char err[PHSIM_ERR_MAX]);
int phsim_order_eval(phsim_order *o);
void phsim_order_step(phsim_order *o);

#endif
