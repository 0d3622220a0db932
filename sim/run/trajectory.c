/* trajectory.c: a logged row and its line of trajectory.csv. */
#include "phsim_trajectory.h"

#include <math.h>
#include <stdlib.h>

#include "phsim_observe.h"

struct phsim_row_buf {
  phsim_row row;
  double *store; /* rho, a, cos, noise, force, E */
};

phsim_row_buf *phsim_row_buf_alloc(size_t m, size_t K) {
  phsim_row_buf *b = calloc(1, sizeof *b);
  if (b == NULL) return NULL;
  b->store = malloc((2 * m + 3 * m * K + m * m) * sizeof *b->store);
  if (b->store == NULL) {
    free(b);
    return NULL;
  }
  double *p = b->store;
  b->row = (phsim_row){.m = m, .K = K, .rho = p, .a = p + m, .cos = p + m + m * K,
                       .noise = p + m + 2 * m * K, .force = p + 2 * m + 2 * m * K,
                       .E = p + 2 * m + 3 * m * K};
  return b;
}

void phsim_row_buf_free(phsim_row_buf *b) {
  if (b == NULL) return;
  free(b->store);
  free(b);
}

const phsim_row *phsim_row_fill(phsim_row_buf *b, unsigned long step, const phsim_obs *o) {
  const size_t m = b->row.m, K = b->row.K;
  double *rho = b->store, *a = rho + m, *cos = a + m * K, *noise = cos + m * K,
         *force = noise + m, *E = force + m * K;
  b->row.step = step;
  b->row.loss = o->loss;
  for (size_t j = 0; j < m; j++) {
    rho[j] = gsl_vector_get(o->rho, j);
    noise[j] = sqrt(gsl_matrix_get(o->R, j, j));
    for (size_t l = 0; l < K; l++) {
      a[j * K + l] = gsl_matrix_get(o->A, j, l);
      cos[j * K + l] = phsim_cosine(o->A, o->R, j, l);
      force[j * K + l] = -gsl_matrix_get(o->gA, j, l);
    }
    for (size_t i = 0; i < m; i++) E[j * m + i] = gsl_matrix_get(o->E, j, i);
  }
  return &b->row;
}

void phsim_trajectory_header(FILE *fp, size_t m, size_t K) {
  fputs("step,loss", fp);
  for (size_t j = 1; j <= m; j++) fprintf(fp, ",rho_%zu", j);
  for (size_t j = 1; j <= m; j++)
    for (size_t l = 1; l <= K; l++) fprintf(fp, ",a_%zu_%zu", j, l);
  for (size_t j = 1; j <= m; j++)
    for (size_t l = 1; l <= K; l++) fprintf(fp, ",cos_%zu_%zu", j, l);
  for (size_t j = 1; j <= m; j++) fprintf(fp, ",noise_%zu", j);
  for (size_t j = 1; j <= m; j++)
    for (size_t l = 1; l <= K; l++) fprintf(fp, ",force_%zu_%zu", j, l);
  for (size_t i = 1; i <= m; i++)
    for (size_t j = 1; j <= m; j++) fprintf(fp, ",E_%zu_%zu", i, j);
  fputc('\n', fp);
}

static void put(FILE *fp, const double *x, size_t n) {
  for (size_t i = 0; i < n; i++) fprintf(fp, ",%.17g", x[i]);
}

void phsim_trajectory_write(FILE *fp, const phsim_row *r) {
  const size_t m = r->m, K = r->K;
  fprintf(fp, "%lu,%.17g", r->step, r->loss);
  put(fp, r->rho, m);
  put(fp, r->a, m * K);
  put(fp, r->cos, m * K);
  put(fp, r->noise, m);
  put(fp, r->force, m * K);
  put(fp, r->E, m * m);
  fputc('\n', fp);
}
