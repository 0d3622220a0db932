/* phsim_projected.h: exact sampling of a fresh batch's loss and gradient
 * without drawing d-dimensional noise (engine = sampled, resample = step,
 * target = online weights).
 *
 * A noise patch xi = sigma Pi g, g ~ N(0, I_d), enters the forward pass only
 * through its projections z = W xi = sigma B g, B = W Pi (m x d), whose law
 * is N(0, sigma^2 Q), Q = B B^T: draw z = sigma L u, L L^T = Q, u ~ N(0, I_m).
 * The backward pass needs G = sum_p dZ_p xi_p^T.  Split
 *   xi_p = B^T Q^-1 z_p + sigma (Pi - P) g_p,   P = B^T Q^-1 B,
 * where (Pi - P) g_p is independent of z_p (B (Pi - P) = 0) and hence of
 * dZ_p, which depends on the batch only through the z's.  Therefore
 *   G = C Q^-1 B + sigma Gamma^(1/2) Xi (Pi - P)      (equal in law)
 * with C = sum_p dZ_p z_p^T, Gamma = sum_p dZ_p dZ_p^T (m x m) and Xi an
 * m x d matrix of independent N(0, 1) (the columns of sum_p dZ_p g_p^T are
 * N(0, Gamma), independent).  Feature patches are exact: z = s alpha_l W v_l,
 * G gets s alpha_l dZ_p v_l^T.  Cost per step O(N P m + m^2 d) draws and
 * flops instead of O(N P d).  A sample's u's are a pure function of
 * (seed, draw, i) (phsim_philox.h, stream PROJECTION). */
#ifndef PHSIM_PROJECTED_H
#define PHSIM_PROJECTED_H

#include <stdint.h>

#include <gsl/gsl_eigen.h>
#include <gsl/gsl_matrix.h>

#include "phsim_config.h"
#include "phsim_data.h"

typedef struct {
  size_t m, d;
  gsl_matrix *B;        /* m x d: W Pi */
  gsl_matrix *L;        /* m x m: Cholesky factor of Q = B B^T */
  gsl_matrix *C, *Gam;  /* m x m sums over the noise patches */
  gsl_matrix *F;        /* m x m: Gamma^(1/2) */
  gsl_matrix *Y;        /* m x m scratch */
  gsl_matrix *Xi, *T;   /* m x d */
  gsl_vector *lam;
  gsl_matrix *V;
  gsl_eigen_symmv_workspace *eig;
  double *u;            /* P m: a sample's standard normals */
} phsim_projected_workspace;

/* For m neurons, dimension d and P patches a sample. */
phsim_projected_workspace *phsim_projected_alloc(size_t m, size_t d, size_t P);
void phsim_projected_free(phsim_projected_workspace *w);

/* Draw the structure of a fresh batch into b and the projections of its
 * patches for weights W into Z (N P x m).  Returns PHSIM_ENUM when Q is not
 * positive definite (then the caller draws the patches in full). */
int phsim_projected_draw(const phsim_config *cfg, const gsl_matrix *W,
                         phsim_batch *b, gsl_matrix *Z, uint64_t draw,
                         phsim_projected_workspace *w);

/* dL/dW (m x d) of the batch from dZ, Xi's row k from (seed, draw, k) of
 * stream XI (the weights enter through the B and Q of the last
 * phsim_projected_draw, kept in w). */
void phsim_projected_grad(const phsim_config *cfg, const phsim_batch *b,
                          const gsl_matrix *Z, const gsl_matrix *dZ,
                          uint64_t draw, phsim_projected_workspace *w,
                          gsl_matrix *gW);

#endif
