/* phsim_weights.h: the first layer's weights W (m x d), row j = w_j, and
 * the pieces of the model every engine that holds W (or started from one)
 * shares.
 *
 * Features v_l = e_l: the first K columns of W are the overlaps
 * A = W V (a_jl = <w_j, v_l>), the rest W Pp is orthogonal to every feature
 * and enters the loss only through its Gram R = W Pp W^T (phsim_popgrad.h).
 * The gradient comes back from phsim_popgrad as dL/dW = gA V^T + S W Pp. */
#ifndef PHSIM_WEIGHTS_H
#define PHSIM_WEIGHTS_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "phsim_config.h"

/* Multiply the first K columns of W (the overlaps a_jl; or A itself) by
 * 1 + eps (-1)^(j+l): the twin's perturbation (phsim_twin.h). */
void phsim_overlaps_perturb(gsl_matrix *W, size_t K, double eps);

/* W = W0 (init_W, read once: phsim_initial.h), or w_j ~ N(0, I_d / d) drawn
 * from r row by row if W0 is NULL; then the overlaps perturbed by
 * cfg->perturb. */
void phsim_weights_init(const phsim_config *cfg, const gsl_matrix *W0,
                        gsl_rng *r, gsl_matrix *W);

/* R = W[:, K:] W[:, K:]^T (dsyrk, mirrored: exactly symmetric; 0 if d = K). */
void phsim_weights_gram(const gsl_matrix *W, size_t K, gsl_matrix *R);

/* The population step's O(m^2 d) part in one pass over the columns of W
 * (no copy): W[:, K:] -= eta S W[:, K:] (S symmetric m x m), the EMA target
 * Wt = ema Wt + (1 - ema) W on those columns (when Wt is not NULL), and the
 * Grams R (and Rt) of the new weights.  Bit for bit what gsl_blas_dsymm
 * (Left, Upper) on a copy, phsim_ema_update and phsim_weights_gram compute:
 * every entry sees the same operations in the same order, only the loops
 * are fused.  The caller updates the first K columns. */
typedef struct {
  gsl_matrix *W;        /* m x d, updated */
  size_t K;
  const gsl_matrix *S;  /* m x m symmetric (upper triangle read) */
  double eta;
  double ema;
  gsl_matrix *Wt;       /* m x d target, or NULL */
  gsl_matrix *R, *Rt;   /* m x m out (Rt only with Wt) */
} phsim_perp_step_args;

/* Doubles of work phsim_perp_step needs for m neurons. */
size_t phsim_perp_step_work(size_t m);
void phsim_perp_step(const phsim_perp_step_args *a, double *work);

/* Xt = ema Xt + (1 - ema) X: the EMA target's update. */
void phsim_ema_update(double ema, const gsl_matrix *X, gsl_matrix *Xt);

/* dL/dW = gA V^T + S W Pp (m x d) for the given weights. */
void phsim_grad_W(const gsl_matrix *gA, const gsl_matrix *S,
                  const gsl_matrix *W, gsl_matrix *gradW);

#endif
