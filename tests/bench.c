/* bench.c: steps per second of the engines (`make bench`).  Not a test:
 * nothing is asserted, the numbers are printed for NOTES.md. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <time.h>

#include "phsim_pop.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Steps per second of eval + step over at least `seconds` of wall time. */
static double bench_population(size_t d, double seconds) {
  phsim_config cfg;
  char err[PHSIM_ERR_MAX];
  phsim_config_default(&cfg);
  cfg.d = d;
  phsim_pop *pop = phsim_pop_alloc(&cfg);
  gsl_rng *r = phsim_config_rng(&cfg);
  phsim_pop_init(pop, &cfg, r, err);
  unsigned long steps = 0, batch = 1000;
  double t0 = now(), t;
  do {
    for (unsigned long i = 0; i < batch; i++) {
      if (phsim_pop_eval(pop) != PHSIM_OK) {
        fprintf(stderr, "bench: numerical fault\n");
        break;
      }
      phsim_pop_step(pop);
    }
    steps += batch;
    t = now() - t0;
  } while (t < seconds);
  gsl_rng_free(r);
  phsim_pop_free(pop);
  return (double)steps / t;
}

int main(void) {
  static const size_t dims[] = {200, 2000};
  printf("engine      m  K        d   steps/s\n");
  for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++)
    printf("population  2  2  %7zu  %9.0f\n", dims[i],
           bench_population(dims[i], 2.0));
  return 0;
}
