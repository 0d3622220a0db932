/* phsim_fidelity.h: how far gradient descent is from the gradient flow it
 * approximates, measured at a reduced state (A, R, E).
 *
 * A gradient step is a map x' = Phi_eta(x) of the reduced coordinates
 *   x = (A: m K entries, R: its m (m + 1) / 2 upper entries, E: the entries
 *        the head mode trains)
 * (phsim_reduced_step).  Phi_eta = x + eta F(x) + O(eta^2), F the flow's
 * vector field, so its Jacobian is I + eta J + O(eta^2) and a perturbation
 * along an eigenvector of J is multiplied by mu = 1 + eta lambda per step.
 * Two numbers tell whether the steps follow the flow:
 *
 *   stiffness   max_i |mu_i - 1| ~ eta max|lambda_i| (eta times the
 *               sharpness of the dynamics), at the logged rows.  Above 1
 *               the fastest mode overshoots its equilibrium every step
 *               (mu < 0 for a relaxing mode); above 2 it grows: the step is
 *               unstable and the run leaves its flow.  This sees a latent
 *               instability before it is excited.
 *   turn        ||dx_k - dx_k-1|| / ||dx_k-1|| at every step, dx_k the k-th
 *               step.  Along the flow dx_k - dx_k-1 = eta^2 J F + O(eta^3),
 *               so turn ~ eta |J F| / |F|: four times the step-halving
 *               estimate of the local error relative to the step (one step
 *               of eta against two of eta/2 differ by eta^2 |J F| / 4),
 *               measured without extra gradients, at every step, so that a
 *               fast event between two logged rows (an escape whose rate
 *               passes 1/eta) cannot hide.  An overshooting step turns by
 *               more than 1.
 *
 * Both are computed in coordinates scaled by D = diag(max(|x_i|, floor)):
 * D^-1 (dPhi) D has the eigenvalues of dPhi, and each coordinate is then
 * perturbed and compared relative to its own size.  The Jacobian is
 * assembled by central differences (2 n evaluations of Phi, as the lanes of
 * one phsim_reduced_batch where the batch takes the configuration: the
 * same bits as one at a time) and its eigenvalues taken by
 * gsl_eigen_nonsymm when n <= PHSIM_FIDELITY_DENSE_MAX;
 * beyond, the largest |mu - 1| comes from power iteration on
 * Jacobian-vector products, warm started from the previous state's
 * vector. */
#ifndef PHSIM_FIDELITY_H
#define PHSIM_FIDELITY_H

#include <gsl/gsl_matrix.h>

#include "phsim_config.h"

#define PHSIM_FIDELITY_DENSE_MAX 64
/* The rule for flow_faithful: stiffness <= 1 at every logged row (every
 * mode relaxes monotonically, as in the flow) and turn <= 1 at every step
 * (no step changes the direction of motion by more than the step itself;
 * along the flow this bounds the step-halving error of a step by a quarter
 * of the step).  The flow itself turns by eta |J F| / |F|, and that peaks
 * at 13 to 20 eta (time units of 1/13 to 1/20) in brief events at the
 * start and when a feature is learned: the rule asks eta small enough to
 * resolve them. */
#define PHSIM_FIDELITY_STIFFNESS_MAX 1.0
#define PHSIM_FIDELITY_TURN_MAX 1.0 /* the turn: phsim_turn.h */

typedef struct phsim_fidelity phsim_fidelity;

/* NULL when fidelity is not defined for cfg (ema > 0: the target's state is
 * not a function of (A, R, E)) or on allocation failure.  dense_max: the
 * largest dimension handled by the dense eigenvalue path (callers pass
 * PHSIM_FIDELITY_DENSE_MAX; the tests pass 0 to exercise the iteration). */
phsim_fidelity *phsim_fidelity_alloc(const phsim_config *cfg, size_t dense_max);
void phsim_fidelity_free(phsim_fidelity *f);

/* The stiffness at (A, R, E).  PHSIM_ENUM (and NaN) when Phi is undefined
 * near the state (a second moment not positive within the difference
 * step) or the eigenvalues cannot be computed (a QR iteration that does
 * not converge: phsim_gslerr.h).  floor: on the dense path, when
 * min(||J||_1, ||J||_inf) (times 1 + 1e-6, a margin far above the
 * eigensolver's backward error) is at most floor, the eigenvalues are not computed and *stiffness is that
 * bound, at least the stiffness and at most floor (a run's rows ask only
 * whether a row's stiffness passes the largest so far and the rule; past
 * the first rows almost none does).  floor = -INFINITY: the stiffness
 * itself. */
int phsim_fidelity_stiffness(phsim_fidelity *f, const gsl_matrix *A,
                             const gsl_matrix *R, const gsl_matrix *E,
                             double floor, double *stiffness);

/* The scaled Jacobian D^-1 (dPhi - I) D at the last measured state (n x n),
 * assembled by central differences: for the tests. */
int phsim_fidelity_jacobian(phsim_fidelity *f, gsl_matrix *J);
/* Whether f assembles it from a batch's lanes (else one step at a time). */
int phsim_fidelity_batched(const phsim_fidelity *f);


#endif
