/* phsim_pop.h: the population engine, exact gradient descent on the full
 * weights W (m x d) and the head E (m x m), and the helpers every engine that
 * holds W shares.
 *
 * Per step: R = W Pp W^T (BLAS dsyrk, O(m^2 d)), the closed-form loss and
 * gradient (phsim_popgrad, O(m^2 K + m^3)), then
 *   W[:, :K] -= eta gA,   W[:, K:] -= eta S W[:, K:]    (dsymm, O(m^2 d))
 *   E_ij     -= eta_E gE_ij   for the trainable entries (head mode)
 *   Wt        = ema Wt + (1 - ema) W   (target weights; ema = 0: Wt = W) */
#ifndef PHSIM_POP_H
#define PHSIM_POP_H

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>

#include "phsim_config.h"
#include "phsim_popgrad.h"

/* Multiply the first K columns of W (the overlaps a_jl; or A itself) by
 * 1 + eps (-1)^(j+l): the twin's perturbation (phsim_twin.h). */
void phsim_overlaps_perturb(gsl_matrix *W, size_t K, double eps);
/* W from cfg->init_W, or w_j ~ N(0, I_d / d) drawn from r row by row; then
 * the overlaps perturbed by cfg->perturb. */
int phsim_weights_init(const phsim_config *cfg, gsl_rng *r, gsl_matrix *W,
                       char err[PHSIM_ERR_MAX]);
/* E from cfg->init_E, or the identity. */
int phsim_head_init(const phsim_config *cfg, gsl_matrix *E,
                    char err[PHSIM_ERR_MAX]);
/* R = W[:, K:] W[:, K:]^T (dsyrk, mirrored: exactly symmetric; 0 if d = K). */
void phsim_weights_gram(const gsl_matrix *W, size_t K, gsl_matrix *R);
/* Does the head mode train E_ij?  offdiag: i != j; full: every entry;
 * fixed: none. */
int phsim_head_trains(phsim_head head, size_t i, size_t j);
/* E_ij -= eta_E gE_ij on the entries the head mode trains. */
void phsim_head_step(phsim_head head, double eta_E, const gsl_matrix *gE,
                     gsl_matrix *E);
/* Xt = ema Xt + (1 - ema) X. */
void phsim_ema_update(double ema, const gsl_matrix *X, gsl_matrix *Xt);

typedef struct {
  phsim_model model;
  size_t d;
  phsim_head head;
  double eta, eta_E, ema;
  gsl_matrix *W;            /* m x d: row j is w_j */
  gsl_matrix *E;            /* m x m head */
  gsl_matrix *R;            /* m x m: W Pp W^T */
  gsl_matrix *Wt, *Rt;      /* target weights and their Gram (ema > 0) */
  gsl_matrix *scratch;      /* m x (d - K) */
  gsl_matrix_view A;        /* m x K view of W's feature columns */
  gsl_matrix_view At;       /* the same of Wt (ema > 0) */
  gsl_matrix_view Wp;       /* m x (d - K) view of the rest (if d > K) */
  int has_perp;             /* d > K */
  phsim_popgrad_workspace *pg;
} phsim_pop;

phsim_pop *phsim_pop_alloc(const phsim_config *cfg);
void phsim_pop_free(phsim_pop *pop);

/* Initial state: phsim_weights_init, phsim_head_init; the target starts at
 * the online weights. */
int phsim_pop_init(phsim_pop *pop, const phsim_config *cfg, gsl_rng *r,
                   char err[PHSIM_ERR_MAX]);

/* Loss and gradient at the current state (into pop->pg).  PHSIM_ENUM on a
 * numerical fault. */
int phsim_pop_eval(phsim_pop *pop);

/* One gradient step with the gradient of the last phsim_pop_eval. */
void phsim_pop_step(phsim_pop *pop);

/* dL/dW = gA V^T + S W Pp (m x d) for the given weights. */
void phsim_grad_W(const gsl_matrix *gA, const gsl_matrix *S,
                  const gsl_matrix *W, gsl_matrix *gradW);

#endif
