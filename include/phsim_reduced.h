/* phsim_reduced.h: the exact reduced dynamics on (A, R, E) (engine type
 * phsim_engine_order, config value engine = order).
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
 * Cost per step O(m^2 K + m^3), whatever d.  The state and its start are the
 * model's (phsim_reduced_state.h). */
#ifndef PHSIM_REDUCED_H
#define PHSIM_REDUCED_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "phsim_config.h"
#include "phsim_reduced_state.h"

typedef struct {
  phsim_reduced_state *s;     /* (A, R, E), the target, W0, the closed form */
  gsl_matrix *U, *tmp;        /* m x m scratch */
} phsim_reduced;

phsim_reduced *phsim_reduced_alloc(const phsim_config *cfg);
void phsim_reduced_free(phsim_reduced *o);

/* One gradient step (with s->eta, s->eta_E) from the gradient of the last
 * phsim_reduced_state_eval. */
void phsim_reduced_step(phsim_reduced *o);

#endif
