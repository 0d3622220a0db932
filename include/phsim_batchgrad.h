/* phsim_batchgrad.h: the finite-batch loss L_S of the paper, with BatchNorm
 * over the batch and the stop-gradient, and its exact backpropagated
 * gradient; with the ablations of the closed form (norm, stopgrad) and a
 * ReLU option.
 *
 * For a batch of N samples (phsim_batch):
 *   Z   = X W^T                   (N P x m) projections <w_r, X_p>
 *   f1  = sum_{p in M} act(Z)     (N x m)   online view-1 features
 *   f2  = sum_{p not in M} act(Zt)(N x m)   target view-2 features (Wt)
 *   U   = f1 E^T                  (N x m)   head outputs F(X^(1))
 *   BN per column: x^ = (x - mean) / sqrt(mean(x^2) - mean^2)
 *   norm = bn:   L_S = (1/N) sum_i ||U^_i - f2^_i||^2 = sum_j 2 (1 - rho_j),
 *                rho_j = (1/N) sum_i U^_ij f2^_ij
 *   norm = none: L_S = (1/N) sum_i ||U_i - f2_i||^2   (rho_j: the batch
 *                correlation, reported only)
 * stopgrad = true: the target (Wt, f2) is a constant for the gradient;
 * false: the gradient also flows through f2, for a target equal to the
 * online weights (Wt = W). */
#ifndef PHSIM_BATCHGRAD_H
#define PHSIM_BATCHGRAD_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>

#include "phsim_config.h"
#include "phsim_data.h"

typedef struct {
  phsim_act act;
  phsim_norm norm;
  phsim_stopgrad stopgrad;
} phsim_batch_opts;

typedef struct {
  size_t N, P, m, d;
  phsim_batch_opts opts;
  /* outputs */
  double loss;
  gsl_vector *rho; /* m */
  gsl_matrix *gW;  /* m x d */
  gsl_matrix *gE;  /* m x m */
  gsl_matrix *f1;  /* N x m: online features, for observables */
  /* scratch */
  gsl_matrix *Z, *Zt, *dZ;         /* N P x m */
  gsl_matrix *f2, *U, *Uh, *f2h;   /* N x m */
  gsl_matrix *dU, *df1, *df2;      /* N x m */
  gsl_vector *sU, *sf2;            /* m: BN scales */
  gsl_vector *zeros;               /* m zeros */
  char fault[128];                 /* what went wrong, after PHSIM_ENUM */
} phsim_batchgrad_workspace;

phsim_batchgrad_workspace *phsim_batchgrad_alloc(size_t N, size_t P, size_t m,
                                                 size_t d,
                                                 phsim_batch_opts opts);
void phsim_batchgrad_free(phsim_batchgrad_workspace *w);

/* Whether eval reads X a patch at a time for an m x d W (else BLAS's dgemm
 * on the whole X, which the streamed layout cannot take: a streamed batch
 * is read a patch at a time whatever W). */
int phsim_batchgrad_rowwise(size_t m, size_t d);

/* Loss and gradient on batch b for online W, head E and target Wt (pass
 * Wt = W for the paper's stop-gradient); b's feature patches are
 * s alpha_l v_l as phsim_batch_draw makes them (only b->amp is read for
 * them).  PHSIM_ENUM when a batch column has
 * zero variance under BN or a result is not finite. */
int phsim_batchgrad_eval(const gsl_matrix *W, const gsl_matrix *E,
                         const gsl_matrix *Wt, const phsim_batch *b,
                         phsim_batchgrad_workspace *w);

/* phsim_batch_draw(b, cfg, draw) and phsim_batchgrad_eval in one pass over
 * the patches: each is projected on W (and Wt) as it is drawn.  For small
 * m d (W in cache), X's rows of feature patches are left as they were (the
 * passes read b->amp for them).  b is a batch in place (phsim_batch_alloc):
 * PHSIM_EINPUT for a streamed one, whose order depends on the masks. */
int phsim_batchgrad_eval_fresh(const gsl_matrix *W, const gsl_matrix *E,
                               const gsl_matrix *Wt, phsim_batch *b,
                               const phsim_config *cfg, uint64_t draw,
                               phsim_batchgrad_workspace *w);

/* The part after the projections: from w->Z (and w->Zt if separate_target;
 * else the target's projections are Z) to the loss, rho, gE and
 * dZ = dL/dZ (N P x m).  Leaves gW alone. */
int phsim_batchgrad_from_projections(const gsl_matrix *E, const phsim_batch *b,
                                     int separate_target,
                                     phsim_batchgrad_workspace *w);

#endif
