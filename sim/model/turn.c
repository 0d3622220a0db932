/* turn.c: the turn of gradient descent at every step (phsim_turn.h). */
#include "phsim_turn.h"

#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_vector.h>

#include "phsim_reduced_state.h"

/* The turn of gradient descent: the step's relative change from one step to
 * the next, ||dx_k - dx_k-1||_D / ||dx_k-1||_D (D per block: block_scale). */
struct phsim_turn {
  phsim_head head;
  int have;                   /* 0: no x yet, 1: x, 2: x and dx */
  gsl_vector *x, *dx, *y, *scale;
  double max;
  unsigned long step;
};

phsim_turn *phsim_turn_alloc(const phsim_config *cfg) {
  phsim_turn *t = calloc(1, sizeof *t);
  if (t == NULL) return NULL;
  const size_t n = phsim_reduced_dim(cfg->m, cfg->K, cfg->head);
  t->head = cfg->head;
  t->x = gsl_vector_alloc(n);
  t->dx = gsl_vector_alloc(n);
  t->y = gsl_vector_alloc(n);
  t->scale = gsl_vector_alloc(n);
  return t;
}

void phsim_turn_free(phsim_turn *t) {
  if (t == NULL) return;
  gsl_vector_free(t->x);
  gsl_vector_free(t->dx);
  gsl_vector_free(t->y);
  gsl_vector_free(t->scale);
  free(t);
}

/* The turn's scale is per block, not per entry: an entry passing through 0
 * (an off-diagonal of R, E_ij at the start) must not weigh more than the
 * block it belongs to.  A: its largest overlap; R: its largest entry;
 * E: 1, the scale of the identity it starts from. */
static void block_scale(const gsl_vector *x, size_t m, size_t K, gsl_vector *scale) {
  const size_t ends[3] = {m * K, m * K + m * (m + 1) / 2, x->size};
  size_t lo = 0;
  for (int b = 0; b < 3; b++) {
    double big = b == 2 ? 1.0 : 1e-300;
    for (size_t i = lo; i < ends[b] && b < 2; i++) big = fmax(big, fabs(gsl_vector_get(x, i)));
    for (size_t i = lo; i < ends[b]; i++) gsl_vector_set(scale, i, big);
    lo = ends[b];
  }
}

void phsim_turn_update(phsim_turn *t, unsigned long step, const gsl_matrix *A,
                       const gsl_matrix *R, const gsl_matrix *E) {
  phsim_reduced_pack(t->head, A, R, E, t->y->data);
  block_scale(t->y, A->size1, A->size2, t->scale);
  double prev = 0.0, change = 0.0;
  for (size_t i = 0; i < t->y->size && t->have > 0; i++) {
    const double s = gsl_vector_get(t->scale, i);
    const double dx = gsl_vector_get(t->y, i) - gsl_vector_get(t->x, i);
    const double old = t->have > 1 ? gsl_vector_get(t->dx, i) : 0.0;
    prev += (old / s) * (old / s);
    change += ((dx - old) / s) * ((dx - old) / s);
    gsl_vector_set(t->dx, i, dx);
  }
  if (t->have > 1 && sqrt(prev) > PHSIM_TURN_MIN_STEP && !(sqrt(change / prev) <= t->max)) {
    t->max = sqrt(change / prev);
    t->step = step;
  }
  gsl_vector_memcpy(t->x, t->y);
  t->have = t->have < 2 ? t->have + 1 : 2;
}

double phsim_turn_max(const phsim_turn *t, unsigned long *step) {
  if (step != NULL) *step = t->step;
  return t->max;
}

void phsim_turn_set_max(phsim_turn *t, double max, unsigned long step) {
  t->max = max;
  t->step = step;
}
