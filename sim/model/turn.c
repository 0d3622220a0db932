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
  gsl_vector *x, *dx, *y;
  double max, margin;         /* margin: PHSIM_TURN_MARGIN of the size */
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
  t->margin = PHSIM_TURN_MARGIN(n);
  return t;
}

void phsim_turn_free(phsim_turn *t) {
  if (t == NULL) return;
  gsl_vector_free(t->x);
  gsl_vector_free(t->dx);
  gsl_vector_free(t->y);
  free(t);
}

/* The turn's scale is per block, not per entry: an entry passing through 0
 * (an off-diagonal of R, E_ij at the start) must not weigh more than the
 * block it belongs to.  A: its largest overlap; R: its largest entry;
 * E: 1, the scale of the identity it starts from.  ends: where A and R end
 * in the packed state.  (v > big ? v : big is fmax(big, v) here, without
 * the call: big > 0 is never NaN, and a NaN v leaves big either way.) */
static void block_scale(const double *x, const size_t ends[2], double big[3]) {
  big[0] = big[1] = 1e-300;
  big[2] = 1.0;
  for (size_t i = 0; i < ends[1]; i++) {
    double *g = &big[i >= ends[0]];
    *g = fabs(x[i]) > *g ? fabs(x[i]) : *g;
  }
}

/* Whether this step's turn is surely at most the largest so far: the sums
 * with 1 / big once per block (phsim_turn_surely_below). */
static int below_max(const phsim_turn *t, const size_t ends[2], const double big[3]) {
  const double inv[3] = {1.0 / big[0], 1.0 / big[1], 1.0};
  const double *y = t->y->data, *x = t->x->data, *old = t->dx->data;
  double prev = 0.0, change = 0.0;
  for (size_t i = 0; i < t->y->size; i++) {
    const double s = inv[(i >= ends[0]) + (i >= ends[1])];
    const double p = old[i] * s, c = (y[i] - x[i] - old[i]) * s;
    prev += p * p;
    change += c * c;
  }
  return phsim_turn_surely_below(prev, change, t->max, t->margin);
}

/* The exact sums (the turn's definition) and the largest turn. */
static void exact_turn(phsim_turn *t, unsigned long step, const size_t ends[2],
                       const double big[3]) {
  const double *y = t->y->data, *x = t->x->data, *dx = t->dx->data;
  double prev = 0.0, change = 0.0;
  for (size_t i = 0; i < t->y->size; i++) {
    const double s = big[(i >= ends[0]) + (i >= ends[1])];
    const double d = y[i] - x[i], old = dx[i];
    prev += (old / s) * (old / s);
    change += ((d - old) / s) * ((d - old) / s);
  }
  if (sqrt(prev) > PHSIM_TURN_MIN_STEP && !(sqrt(change / prev) <= t->max)) {
    t->max = sqrt(change / prev);
    t->step = step;
  }
}

void phsim_turn_update(phsim_turn *t, unsigned long step, const gsl_matrix *A,
                       const gsl_matrix *R, const gsl_matrix *E) {
  const size_t m = A->size1, K = A->size2, ends[2] = {m * K, m * K + m * (m + 1) / 2};
  double big[3];
  phsim_reduced_pack(t->head, A, R, E, t->y->data);
  block_scale(t->y->data, ends, big);
  if (t->have > 1 && !below_max(t, ends, big)) exact_turn(t, step, ends, big);
  for (size_t i = 0; i < t->y->size && t->have > 0; i++)
    t->dx->data[i] = t->y->data[i] - t->x->data[i];
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
