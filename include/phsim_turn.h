/* phsim_turn.h: the turn of gradient descent, measured at every step.
 *
 * turn = ||dx_k - dx_k-1|| / ||dx_k-1||, dx_k the k-th step of the reduced
 * coordinates x = (A, R, E) (phsim_reduced_pack), each block scaled by its
 * size.  Along the flow dx_k - dx_k-1 = eta^2 J F + O(eta^3), so the turn is
 * eta |J F| / |F|: four times the step-halving estimate of a step's local
 * error relative to the step, computed without extra gradients.  With the
 * stiffness (phsim_fidelity.h) it decides flow_faithful; the engines record
 * it at every step (phsim_engine_turn). */
#ifndef PHSIM_TURN_H
#define PHSIM_TURN_H

#include <float.h>

#include <gsl/gsl_matrix.h>

#include "phsim_config.h"

typedef struct phsim_turn phsim_turn;
phsim_turn *phsim_turn_alloc(const phsim_config *cfg);
void phsim_turn_free(phsim_turn *t);
/* Record the state after `step`. */
void phsim_turn_update(phsim_turn *t, unsigned long step, const gsl_matrix *A,
                       const gsl_matrix *R, const gsl_matrix *E);
/* The largest turn so far and (if step is not NULL) its step; 0 if none. */
double phsim_turn_max(const phsim_turn *t, unsigned long *step);
/* Set the largest turn and its step (measured elsewhere: a batch lane). */
void phsim_turn_set_max(phsim_turn *t, double max, unsigned long step);
/* Steps whose scaled size is below this are left out of the turn: there it
 * is rounding (a state at rest). */
#define PHSIM_TURN_MIN_STEP 1e-12

/* The turn's exact sums prev = sum (dx_i / s_i)^2 and change = sum ((dx_i -
 * dx'_i) / s_i)^2 cost two divisions per coordinate every step, yet the
 * largest turn changes only where the turn is new.  The same sums formed
 * with each block's 1 / s once, P~ and C~, are each within a relative
 * (n + 5) u of the exact sums' real value, and so are the exact sums (n
 * coordinates, u = DBL_EPSILON / 2; below 1e-290, an underflow's absolute
 * error, which the 1e-290 covers; an overflow in either is an infinity,
 * which fails the test).  So C~ (1 + delta) + 1e-290 <= max^2 P~ (1 - delta)
 * with delta = PHSIM_TURN_MARGIN(n) (this test's own roundings included)
 * gives change <= max^2 prev for the exact sums, and then
 * sqrt(change / prev) rounds to at most max (sqrt(RN(max^2)) = max in binary
 * floating point: max within [1e-100, 1e154], P~ >= 1e-200 > 0).  A NaN
 * fails every comparison: such a step takes the exact sums. */
#define PHSIM_TURN_MARGIN(n) ((4.0 * (double)(n) + 64.0) * DBL_EPSILON)
static inline int phsim_turn_surely_below(double prev, double change, double max,
                                          double margin) {
  const double lhs = change * (1.0 + margin) + 1e-290;
  const double rhs = max * max * (prev * (1.0 - margin));
  return (prev >= 1e-200) & (max >= 1e-100) & (rhs <= DBL_MAX) & (lhs <= rhs);
}

#endif
