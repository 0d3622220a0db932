/* data.c: the patch data generator. */
#include "phsim_data.h"

#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>

phsim_batch *phsim_batch_alloc(size_t N, size_t P, size_t d) {
  phsim_batch *b = calloc(1, sizeof *b);
  if (b == NULL) return NULL;
  b->N = N;
  b->P = P;
  b->d = d;
  b->X = d > 0 ? gsl_matrix_alloc(N * P, d) : NULL;
  b->in_view1 = malloc(N * P);
  b->is_feature = malloc(N * P);
  b->label = malloc(N * sizeof *b->label);
  b->sign = malloc(N * sizeof *b->sign);
  return b;
}

void phsim_batch_free(phsim_batch *b) {
  if (b == NULL) return;
  if (b->X != NULL) gsl_matrix_free(b->X);
  free(b->in_view1);
  free(b->is_feature);
  free(b->label);
  free(b->sign);
  free(b);
}

/* flags[0..P) = 1 on a uniform subset of k of the P entries. */
static void uniform_subset(gsl_rng *r, size_t P, size_t k, size_t *idx,
                           size_t *chosen, unsigned char *flags) {
  memset(flags, 0, P);
  if (k == 0) return;
  gsl_ran_choose(r, chosen, k, idx, P, sizeof *idx);
  for (size_t i = 0; i < k; i++) flags[chosen[i]] = 1;
}

void phsim_batch_draw_structure(phsim_batch *b, const phsim_config *cfg,
                                gsl_rng *r) {
  const size_t P = b->P;
  gsl_ran_discrete_t *feature_law = gsl_ran_discrete_preproc(cfg->K, cfg->pi);
  size_t *idx = malloc(P * sizeof *idx), *chosen = malloc(P * sizeof *chosen);
  for (size_t p = 0; p < P; p++) idx[p] = p;
  for (size_t i = 0; i < b->N; i++) {
    b->label[i] = gsl_ran_discrete(r, feature_law);
    b->sign[i] = gsl_rng_uniform_int(r, 2) ? 1 : -1;
    uniform_subset(r, P, cfg->Pf, idx, chosen, b->is_feature + i * P);
    unsigned char *view = b->in_view1 + i * P;
    if (cfg->mask == PHSIM_MASK_HALF) {
      uniform_subset(r, P, P / 2, idx, chosen, view);
    } else {
      for (size_t p = 0; p < P; p++) view[p] = (unsigned char)gsl_rng_uniform_int(r, 2);
    }
  }
  free(idx);
  free(chosen);
  gsl_ran_discrete_free(feature_law);
}

void phsim_noise_project(phsim_noise noise, size_t K, double *x) {
  if (noise == PHSIM_NOISE_ORTHOGONAL) memset(x, 0, K * sizeof *x);
}

void phsim_batch_fill_patches(phsim_batch *b, const phsim_config *cfg,
                              gsl_rng *r) {
  const size_t d = b->d, K = cfg->K;
  for (size_t row = 0; row < b->N * b->P; row++) {
    double *x = gsl_matrix_ptr(b->X, row, 0);
    if (b->is_feature[row]) {
      const size_t i = row / b->P, l = b->label[i];
      memset(x, 0, d * sizeof *x);
      x[l] = b->sign[i] * cfg->alpha[l];
      continue;
    }
    for (size_t k = 0; k < d; k++) x[k] = gsl_ran_gaussian_ziggurat(r, cfg->sigma);
    phsim_noise_project(cfg->noise, K, x);
  }
}

void phsim_batch_draw(phsim_batch *b, const phsim_config *cfg, gsl_rng *r) {
  phsim_batch_draw_structure(b, cfg, r);
  phsim_batch_fill_patches(b, cfg, r);
}
