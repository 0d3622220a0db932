/* phsim_batchgrad.h: the finite-batch loss L_S of the paper, with BatchNorm
 * over the batch and the stop-gradient, and its exact backpropagated
 * gradient.
 *
 * For a batch of N samples (phsim_batch):
 *   Z   = X W^T                   (N P x m) projections <w_r, X_p>
 *   f1  = sum_{p in M} Z^3        (N x m)   online view-1 features
 *   f2  = sum_{p not in M} Zt^3   (N x m)   target view-2 features (Wt)
 *   U   = f1 E^T                  (N x m)   head outputs F(X^(1))
 *   BN per column: x^ = (x - mean) / sqrt(mean(x^2) - mean^2)
 *   L_S = (1/N) sum_i ||U^_i - f2^_i||^2 = sum_j 2 (1 - rho_j),
 *   rho_j = (1/N) sum_i U^_ij f2^_ij
 * The target (Wt, f2) is a constant for the gradient. */
#ifndef PHSIM_BATCHGRAD_H
#define PHSIM_BATCHGRAD_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "phsim_data.h"

typedef struct {
  size_t N, P, m, d;
  /* outputs */
  double loss;
  gsl_vector *rho; /* m */
  gsl_matrix *gW;  /* m x d */
  gsl_matrix *gE;  /* m x m */
  /* scratch */
  gsl_matrix *Z, *Zt, *dZ;             /* N P x m */
  gsl_matrix *f1, *f2, *U, *Uh, *f2h;  /* N x m */
  gsl_matrix *dU, *df1;                /* N x m */
  gsl_vector *sU;                      /* m: BN scale of U */
} phsim_batchgrad_workspace;

phsim_batchgrad_workspace *phsim_batchgrad_alloc(size_t N, size_t P, size_t m,
                                                 size_t d);
void phsim_batchgrad_free(phsim_batchgrad_workspace *w);

/* Loss and gradient on batch b for online W, head E and target Wt (pass
 * Wt = W for the paper's stop-gradient).  PHSIM_ENUM when a batch column has
 * zero variance or a result is not finite. */
int phsim_batchgrad_eval(const gsl_matrix *W, const gsl_matrix *E,
                         const gsl_matrix *Wt, const phsim_batch *b,
                         phsim_batchgrad_workspace *w);

#endif
