/* phsim_trajectory.h: a logged row of a run, and trajectory.csv.
 *
 * Columns: step, loss, rho_j, a_j_l, cos_j_l, noise_j, force_j_l, E_i_j
 * (indices from 1), reals with 17 significant digits:
 *   cos_j_l = a_jl / ||w_j||,  ||w_j||^2 = sum_l a_jl^2 + R_jj
 *   noise_j = sqrt(R_jj)       (w_j's part orthogonal to the features)
 *   force_j_l = -dL/da_jl      (= <-grad_{w_j} L, v_l>) */
#ifndef PHSIM_TRAJECTORY_H
#define PHSIM_TRAJECTORY_H

#include <stdio.h>

#include "phsim_engine.h"

/* One logged row: what trajectory.csv holds, row-major arrays. */
typedef struct {
  unsigned long step;
  size_t m, K;
  double loss;
  const double *rho;    /* m */
  const double *a;      /* m x K overlaps a_jl */
  const double *cos;    /* m x K */
  const double *noise;  /* m */
  const double *force;  /* m x K */
  const double *E;      /* m x m head */
} phsim_row;

/* The storage of rows of m neurons and K features. */
typedef struct phsim_row_buf phsim_row_buf;
phsim_row_buf *phsim_row_buf_alloc(size_t m, size_t K);
void phsim_row_buf_free(phsim_row_buf *b);

/* The row at step from an engine's observables (valid until the next call). */
const phsim_row *phsim_row_fill(phsim_row_buf *b, unsigned long step, const phsim_obs *o);

/* The header line of trajectory.csv for m neurons and K features. */
void phsim_trajectory_header(FILE *fp, size_t m, size_t K);
void phsim_trajectory_write(FILE *fp, const phsim_row *r);

#endif
