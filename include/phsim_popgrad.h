/* phsim_popgrad.h: the population loss of spec section 3 and its exact
 * gradient under the stop-gradient, as functions of the reduced state.
 *
 * Notation (spec section 3).  Features v_l = e_l, l = 1..K.  For the online
 * weights W (m x d):
 *   A = W V          (m x K)  a_rl = <w_r, v_l>
 *   R = W Pp W^T     (m x m)  Gram matrix of the parts orthogonal to the
 *                             features, Pp = I - sum_l v_l v_l^T
 *   Q = R            (noise = orthogonal)   noise Gram  w_r^T Pi w_s
 *   Q = R + A A^T    (noise = isotropic)
 * The target branch (stop-gradient) has its own (At, Rt): in the paper's
 * setting they equal (A, R) numerically but are constants for the gradient.
 *
 *   b_rl = a_rl^3, bt_jl = at_jl^3, c_l = pi_l alpha_l^6
 *   C_rj = kC  sum_l c_l b_rl bt_jl
 *   M_rs = kM1 sum_l c_l b_rl b_sl + nu1 sigma^6 (9 Q_rr Q_ss Q_rs + 6 Q_rs^3)
 *   T_j  = kM2 sum_l c_l bt_jl^2   + nu2 sigma^6 15 Qt_jj^3
 *   N_j = sum_r E_jr C_rj,  D_j = (E M E^T)_jj,  rho_j = N_j / sqrt(D_j T_j)
 *   L = sum_j 2 (1 - rho_j)                 (norm = bn)
 *   L = sum_j (D_j - 2 N_j + T_j)           (norm = none: E||F - f'||^2)
 *
 * The gradient is returned in the form
 *   dL/dW = gA V^T + S W Pp,     dL/dE = gE
 * with S symmetric (m x m): every engine (full W or reduced state) applies the
 * same two matrices.  Cost O(m^2 K + m^3).
 *
 * stopgrad = false differentiates the target occurrences too (the target
 * index of C and T_j) and returns the total derivative for a target equal to
 * the online weights (At = A, Rt = R; the configuration forbids an EMA
 * target there). */
#ifndef PHSIM_POPGRAD_H
#define PHSIM_POPGRAD_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "phsim_config.h"

/* Moments of the view split: c1, c2 feature patches and n1, n2 noise patches
 * in view 1 / view 2. */
typedef struct {
  double kC;   /* E[c1 c2] */
  double kM1;  /* E[c1^2] */
  double kM2;  /* E[c2^2] */
  double nu1;  /* E[n1] */
  double nu2;  /* E[n2] */
} phsim_view_moments;

void phsim_view_moments_compute(size_t P, size_t Pf, phsim_mask mask,
                                phsim_view_moments *vm);

/* The constants of the population loss. */
typedef struct {
  size_t m, K;
  phsim_view_moments vm;
  double c[PHSIM_MAX_K]; /* pi_l alpha_l^6 */
  double s6;             /* sigma^6 */
  phsim_noise noise;
  phsim_norm norm;
  phsim_stopgrad stopgrad;
} phsim_model;

void phsim_model_init(phsim_model *model, const phsim_config *cfg);

/* c_l = pi_l alpha_l^6: feature l's weight in the moments (a neuron's pull
 * toward v_l from small overlaps goes like c_l a_l^5). */
double phsim_feature_strength(const phsim_config *cfg, size_t l);

typedef struct {
  size_t m, K;
  /* outputs of phsim_popgrad_eval */
  double loss;
  gsl_vector *rho; /* m */
  gsl_matrix *gA;  /* m x K */
  gsl_matrix *S;   /* m x m, symmetric */
  gsl_matrix *gE;  /* m x m: dL/dE_ij for every entry */
  gsl_matrix *M;   /* m x m: representation covariance E[f(X1) f(X1)^T] */
  gsl_vector *T;   /* m: target second moments */
  /* scratch */
  gsl_matrix *B, *Bt, *Q, *C, *EM, *barM, *barQ;
  gsl_vector *N, *D, *gT;
  char fault[128]; /* what went wrong, after PHSIM_ENUM */
} phsim_popgrad_workspace;

phsim_popgrad_workspace *phsim_popgrad_alloc(size_t m, size_t K);
void phsim_popgrad_free(phsim_popgrad_workspace *w);

/* Loss and gradient at online (A, R), head E, target (At, Rt).  Returns
 * PHSIM_ENUM when a second moment D_j or T_j is not positive or a result is
 * not finite (the outputs are then unspecified). */
int phsim_popgrad_eval(const phsim_model *model, const gsl_matrix *A,
                       const gsl_matrix *R, const gsl_matrix *E,
                       const gsl_matrix *At, const gsl_matrix *Rt,
                       phsim_popgrad_workspace *w);

#endif
