/* rng.c: the random number generator of a configuration's seed
 * (phsim_config.h). */
#include "phsim_config.h"

gsl_rng *phsim_config_rng(const phsim_config *cfg) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, cfg->seed + 1);
  return r;
}
