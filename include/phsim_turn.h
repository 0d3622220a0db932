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

#endif
