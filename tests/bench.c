/* bench.c: steps per second of every engine (`make bench`).  Not a test:
 * nothing is asserted; the numbers go to NOTES.md. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include "phsim_engine.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Steps per second over at least `seconds` of wall time (advancing in
 * chunks of `chunk` steps). */
static double bench(const phsim_config *cfg, unsigned long chunk,
                    double seconds) {
  char err[PHSIM_ERR_MAX];
  phsim_engine *e = phsim_engine_alloc(cfg);
  gsl_rng *r = phsim_config_rng(cfg);
  if (phsim_engine_start(e, cfg, NULL, r, err) != PHSIM_OK) {
    fprintf(stderr, "bench: %s\n", err);
    return 0.0;
  }
  unsigned long steps = 0, fault;
  double t0 = now(), t = 0.0;
  do {
    if (phsim_engine_advance(e, steps, steps + chunk, &fault) != PHSIM_OK) {
      fprintf(stderr, "bench: numerical fault at step %lu\n", fault);
      t = now() - t0;
      break;
    }
    steps += chunk;
    t = now() - t0;
  } while (t < seconds);
  gsl_rng_free(r);
  phsim_engine_free(e);
  return (double)steps / t;
}

static void row(phsim_engine_kind kind, size_t d, const char *extra,
                unsigned long chunk) {
  phsim_config cfg;
  char err[PHSIM_ERR_MAX];
  phsim_config_default(&cfg);
  cfg.engine = kind;
  cfg.d = d;
  if (extra != NULL && phsim_config_set_arg(&cfg, extra, err) != PHSIM_OK) {
    fprintf(stderr, "bench: %s\n", err);
    return;
  }
  printf("%-10s %-15s %8zu  %12.1f\n", phsim_engine_name(kind),
         extra ? extra : "", d, bench(&cfg, chunk, 1.5));
  fflush(stdout);
}

int main(void) {
  static const size_t dims[] = {10, 200, 2000, 1000000};
  printf("engine     option                 d       steps/s   (m = 2, K = 2)\n");
  for (size_t i = 0; i < 4; i++) row(PHSIM_ENGINE_POPULATION, dims[i], NULL, 1000);
  for (size_t i = 0; i < 4; i++) row(PHSIM_ENGINE_ORDER, dims[i], NULL, 10000);
  for (size_t i = 0; i < 4; i++) row(PHSIM_ENGINE_FLOW, dims[i], NULL, 1000);
  /* N = 4096, P = 16 (the defaults); draw=full and draw=projected draw a
   * fresh batch every step (resample = step) */
  for (size_t i = 0; i < 3; i++) row(PHSIM_ENGINE_SAMPLED, dims[i], "resample=never", 1);
  for (size_t i = 0; i < 3; i++) row(PHSIM_ENGINE_SAMPLED, dims[i], "draw=full", 1);
  for (size_t i = 0; i < 4; i++) row(PHSIM_ENGINE_SAMPLED, dims[i], "draw=projected", 1);
  return 0;
}
