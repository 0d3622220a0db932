/* phsim_run.h: a training run with its trajectory, observables and summary.
 *
 * Outputs of phsim_run_execute in DIR (each written completely or not at
 * all):
 *   config           the resolved configuration (re-running it reproduces)
 *   trajectory.csv   one row every log_every steps, step 0 and the last
 *   summary.json     headline numbers of the run
 * Observables of a logged state (functions of A, R, E and the gradient):
 *   cos_j_l = a_jl / ||w_j||,  ||w_j||^2 = sum_l a_jl^2 + R_jj
 *   noise_j = sqrt(R_jj)       (w_j's part orthogonal to the features)
 *   force_j_l = -dL/da_jl      (= <-grad_{w_j} L, v_l>)
 *   effective rank of M = exp(entropy of its normalized eigenvalues), and
 *   the same of its correlation matrix (effective_rank.start_bn, end_bn) */
#ifndef PHSIM_RUN_H
#define PHSIM_RUN_H

#include <gsl/gsl_matrix.h>
#include <jansson.h>

#include "phsim_config.h"

/* exp(-sum_i p_i log p_i), p_i = lambda_i / sum lambda of a symmetric
 * positive semi-definite matrix (negative round-off eigenvalues count as 0).
 * normalized: of the correlation matrix D^-1/2 M D^-1/2 (D = diag M), the
 * covariance of the BatchNormed outputs, which does not see the neurons'
 * scales. */
double phsim_effective_rank(const gsl_matrix *M, int normalized);

/* cos(w_j, v_l) = a_jl / ||w_j||, ||w_j||^2 = sum_l a_jl^2 + R_jj (0 for a
 * zero neuron). */
double phsim_cosine(const gsl_matrix *A, const gsl_matrix *R, size_t j, size_t l);

/* The feature each neuron ended on, "l1:l2:...:lm" (the feature with the
 * largest |cos| at or above threshold, 0 for a neuron that learned none),
 * from the m x K cosines; cut at size (4 m + 1 always suffices: K <= 64
 * gives at most 2 digits and a colon per neuron). */
void phsim_outcome_string(const double *cos, size_t m, size_t K,
                          double threshold, char *buf, size_t size);

typedef struct {
  int trajectory; /* write trajectory.csv */
  int timing;     /* wall_seconds and steps_per_second (else null: the
                     summary is then byte-identical across repeats) */
  int progress;   /* progress bar on stderr when it is a terminal */
  int warn;       /* say on stderr when gradient descent leaves its flow */
} phsim_run_opts;

/* Everything on: what `phsim run` does by default. */
phsim_run_opts phsim_run_opts_default(void);

/* Run cfg (already validated) and write the outputs into out_dir.  Returns
 * PHSIM_OK, PHSIM_ENUM after a numerical fault (outputs up to the fault are
 * kept, the summary says "diverged"), or an error with a message in err. */
int phsim_run_execute(const phsim_config *cfg, const char *out_dir,
                      phsim_run_opts opts, char err[PHSIM_ERR_MAX]);

/* The header line of trajectory.csv for m neurons and K features. */
void phsim_trajectory_header(FILE *fp, size_t m, size_t K);

/* Dump a JSON value to a file atomically, reals as %.17g. */
int phsim_json_write(json_t *value, const char *dir, const char *name,
                     char err[PHSIM_ERR_MAX]);

#endif
