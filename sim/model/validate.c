/* validate.c: a configuration's cross-key rules, the memory it needs and
 * its init files, checked before any work (phsim_validate.h).  In the
 * model layer: the rules need the model's closed form (the moments' range)
 * and its reduced state (when W is drawn at all); the key table itself is
 * sim/base/config.c. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_validate.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "phsim_popgrad.h"
#include "phsim_reduced_state.h"
#include "phsim_sysmem.h"

/* Memory (phsim_config_memory_bytes): copies of the m x d state (W, its
 * gradient and the engine's copies) and of m x m matrices; checked against
 * what the system has available (phsim_sysmem.h). */
#define STATE_COPIES 4.0
#define M_SQUARE_COPIES 24.0

/* The closed-form moments multiply c_l = pi_l alpha_l^6 and sigma^6 by each
 * other (D_j T_j ~ c^2): each must stay within 1e+-150, or doubles overflow
 * or lose every digit, and rho would be a number never computed. */
#define MOMENT_MIN 1e-150
#define MOMENT_MAX 1e150
static int check_moments(const phsim_config *cfg, char err[PHSIM_ERR_MAX]) {
  for (size_t l = 0; l < cfg->K; l++) {
    double c = phsim_feature_strength(cfg, l);
    if (cfg->pi[l] > 0 && !(c >= MOMENT_MIN && c <= MOMENT_MAX)) {
      snprintf(err, PHSIM_ERR_MAX,
               "key 'alpha': pi_%zu alpha_%zu^6 = %.3g %s doubles in the moments; allowed: "
               "pi_l alpha_l^6 from %g to %g (alpha_l about 1e-25 to 1e25)",
               l + 1, l + 1, c, c > 1 ? "overflows" : "underflows", MOMENT_MIN, MOMENT_MAX);
      return PHSIM_EINPUT;
    }
  }
  double s6 = pow(cfg->sigma, 6);
  if (cfg->sigma > 0 && !(s6 >= MOMENT_MIN && s6 <= MOMENT_MAX)) {
    snprintf(err, PHSIM_ERR_MAX,
             "key 'sigma': sigma^6 = %.3g %s doubles in the moments; allowed: 0, or sigma^6 "
             "from %g to %g (sigma about 1e-25 to 1e25)",
             s6, s6 > 1 ? "overflows" : "underflows", MOMENT_MIN, MOMENT_MAX);
    return PHSIM_EINPUT;
  }
  return PHSIM_OK;
}

int phsim_config_check(const phsim_config *cfg, char err[PHSIM_ERR_MAX]) {
  if (check_moments(cfg, err) != PHSIM_OK) return PHSIM_EINPUT;
  if (cfg->Pf > cfg->P) {
    snprintf(err, PHSIM_ERR_MAX,
             "key 'Pf': value '%zu' exceeds P = %zu; allowed: 1 <= Pf <= P",
             cfg->Pf, cfg->P);
    return PHSIM_EINPUT;
  }
  if (cfg->K > cfg->d) {
    snprintf(err, PHSIM_ERR_MAX,
             "key 'alpha': %zu features do not fit in d = %zu; allowed: "
             "K <= d",
             cfg->K, cfg->d);
    return PHSIM_EINPUT;
  }
  if (cfg->n_pi != 0) {
    if (cfg->n_pi != cfg->K) {
      snprintf(err, PHSIM_ERR_MAX,
               "key 'pi': has %zu entries but alpha has %zu; allowed: one "
               "probability per feature",
               cfg->n_pi, cfg->K);
      return PHSIM_EINPUT;
    }
    double sum = 0;
    for (size_t l = 0; l < cfg->K; l++) sum += cfg->pi[l];
    if (fabs(sum - 1.0) > 1e-9) {
      snprintf(err, PHSIM_ERR_MAX,
               "key 'pi': entries sum to %.17g; allowed: a sum of 1 "
               "(within 1e-9)",
               sum);
      return PHSIM_EINPUT;
    }
  }
  if (cfg->act == PHSIM_ACT_RELU && cfg->engine != PHSIM_ENGINE_SAMPLED) {
    snprintf(err, PHSIM_ERR_MAX,
             "key 'act': value 'relu' needs engine = sampled (engine '%s' uses "
             "the closed forms of the cubic); allowed: cubic",
             phsim_engine_name(cfg->engine));
    return PHSIM_EINPUT;
  }
  if (cfg->draw == PHSIM_DRAW_PROJECTED &&
      (cfg->engine != PHSIM_ENGINE_SAMPLED ||
       cfg->resample != PHSIM_RESAMPLE_STEP || cfg->ema > 0.0)) {
    snprintf(err, PHSIM_ERR_MAX,
             "key 'draw': value 'projected' needs engine = sampled, resample "
             "= step and ema = 0 (fresh data, target = online weights); "
             "allowed: auto or full");
    return PHSIM_EINPUT;
  }
  if (cfg->ema > 0.0 && cfg->stopgrad == PHSIM_STOPGRAD_FALSE) {
    snprintf(err, PHSIM_ERR_MAX,
             "key 'ema': value '%.17g' with stopgrad = false: an EMA target is "
             "not a function of the online weights; allowed: ema = 0 or "
             "stopgrad = true",
             cfg->ema);
    return PHSIM_EINPUT;
  }
  if (cfg->ema > 0.0 && cfg->engine == PHSIM_ENGINE_FLOW) {
    snprintf(err, PHSIM_ERR_MAX,
             "key 'ema': value '%.17g' with engine = flow: the flow limit "
             "eta -> 0 at fixed ema has the target equal to the online "
             "weights; allowed: ema = 0",
             cfg->ema);
    return PHSIM_EINPUT;
  }
  return PHSIM_OK;
}

double phsim_config_memory_bytes(const phsim_config *cfg) {
  const double m = (double)cfg->m, d = (double)cfg->d;
  /* the m x m moments, head and workspaces of the closed form */
  double bytes = M_SQUARE_COPIES * 8.0 * m * m;
  /* the engines that hold W (population, sampled) keep a few m x d copies;
   * the reduced ones draw W and reduce it when m d is small or init_W is
   * given; the sampled engine also holds the batch (N P x d) and N P x m
   * projections. */
  if (cfg->engine == PHSIM_ENGINE_POPULATION || cfg->engine == PHSIM_ENGINE_SAMPLED)
    bytes += STATE_COPIES * 8.0 * m * d;
  else if (m * d <= PHSIM_REDUCED_MAX_WEIGHTS || cfg->init_W[0] != '\0')
    bytes += 2.0 * 8.0 * m * d;
  if (cfg->engine == PHSIM_ENGINE_SAMPLED)
    bytes += 8.0 * (double)cfg->N * (double)cfg->P *
             ((phsim_config_draws_projected(cfg) ? 0.0 : d) + 4.0 * m);
  return bytes;
}

int phsim_config_validate_keys(const phsim_config *cfg, char err[PHSIM_ERR_MAX]) {
  if (phsim_config_check(cfg, err) != PHSIM_OK) return PHSIM_EINPUT;
  char what[200];
  snprintf(what, sizeof what, "keys 'm', 'd'%s: m = %zu, d = %zu%s with engine '%s'",
           cfg->engine == PHSIM_ENGINE_SAMPLED ? ", 'N', 'P'" : "", cfg->m, cfg->d,
           cfg->engine == PHSIM_ENGINE_SAMPLED ? " and the batch" : "", phsim_engine_name(cfg->engine));
  if (phsim_memory_check(phsim_config_memory_bytes(cfg), what, err) != PHSIM_OK)
    return PHSIM_EINPUT;
  return PHSIM_OK;
}

int phsim_config_validate_initial(const phsim_config *cfg, phsim_initial *init,
                                  char err[PHSIM_ERR_MAX]) {
  *init = (phsim_initial){NULL, NULL};
  int st = phsim_config_validate_keys(cfg, err);
  return st == PHSIM_OK ? phsim_initial_read(cfg, init, err) : st;
}

int phsim_config_validate(const phsim_config *cfg, char err[PHSIM_ERR_MAX]) {
  phsim_initial init;
  int st = phsim_config_validate_initial(cfg, &init, err);
  phsim_initial_free(&init);
  return st;
}
