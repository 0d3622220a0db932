/* cost.c: what a request would cost, before anything is allocated
 * (phsim_serve.h). */
#include <math.h>

#include "phsim_serve.h"

/* The reduced state's step: a constant and the m x m x K moments. */
static double reduced_step(const phsim_config *c) {
  return 500.0 + 60.0 * (double)c->m * (double)c->m * (double)c->K;
}

/* Logged rows at most: every log_every steps, or log_per_decade per decade,
 * with step 0 and the last. */
static double rows(const phsim_config *c) {
  double steps = (double)c->steps;
  if (c->log_per_decade == 0) return floor(steps / (double)c->log_every) + 2.0;
  return (double)c->log_per_decade * (log10(steps + 1.0) + 1.0) + 2.0;
}

double phsim_serve_cost(const phsim_config *c) {
  const double m = (double)c->m, d = (double)c->d, steps = (double)c->steps;
  double cost = 0;
  switch (c->engine) {
  case PHSIM_ENGINE_ORDER:
    cost = steps * reduced_step(c);
    break;
  case PHSIM_ENGINE_POPULATION:
    cost = steps * (reduced_step(c) + 10.0 * m * d);
    break;
  case PHSIM_ENGINE_SAMPLED:
    cost = steps * (reduced_step(c) + (double)c->N * (double)c->P * d * m);
    break;
  case PHSIM_ENGINE_FLOW:
    cost = (rows(c) + 100.0) * 100.0 * reduced_step(c);
    break;
  }
  return c->twin > 0 || c->accel ? 2.0 * cost : cost;
}

double phsim_serve_numbers(const phsim_config *c) {
  const double m = (double)c->m, K = (double)c->K;
  return rows(c) * (2.0 + 2.0 * m + 3.0 * m * K + m * m);
}
