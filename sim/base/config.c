/* config.c: one table of keys drives parsing, range checks, help and the
 * resolved-config writer, so the four can never disagree. */
#define _XOPEN_SOURCE 700
#include "phsim_config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <gsl/gsl_matrix.h>

#include "phsim_io.h"

typedef enum { KIND_SIZE, KIND_ULONG, KIND_DOUBLE, KIND_LIST, KIND_ENUM,
               KIND_PATH } key_kind;

typedef struct {
  const char *name;
  key_kind kind;
  size_t offset;                /* of the field in phsim_config */
  double lo, hi;                /* allowed range of a number / list entry */
  int lo_open, hi_open;         /* exclusive bounds */
  const char *const *choices;   /* KIND_ENUM: NULL-terminated names */
  const char *help;
} key_spec;

static const char *const noise_names[] = {"orthogonal", "isotropic", NULL};
static const char *const mask_names[] = {"bernoulli", "half", NULL};
static const char *const head_names[] = {"offdiag", "fixed", "full", NULL};
static const char *const engine_names[] = {"population", "order", "sampled",
                                           "flow", NULL};
static const char *const resample_names[] = {"step", "never", NULL};
static const char *const act_names[] = {"cubic", "relu", NULL};
static const char *const stop_names[] = {"never", "strong", "all", NULL};
static const char *const draw_names[] = {"auto", "full", "projected", NULL};
static const char *const norm_names[] = {"bn", "none", NULL};
static const char *const stopgrad_names[] = {"true", "false", NULL};
static const char *const preset_names[] = {"teach", "paper", NULL};
static const char *const bool_names[] = {"false", "true", NULL};

/* Seeds are 32-bit (see phsim_config_rng). */
#define SEED_MAX 4294967294.0
#define STEPS_MAX 1e15

#define OFF(field) offsetof(phsim_config, field)
static const key_spec keys[] = {
  {"preset", KIND_ENUM, OFF(preset), 0, 0, 0, 0, preset_names,
   "named defaults, applied first (other keys override them, in any order): "
   "teach = d 100, alpha 2,1, eta 0.025, eta_E 0.0025, 8e6 steps, engine "
   "order (flow-faithful on seeds 1..100, about a second a run); "
   "paper = the theorem's regime: d 10^4, alpha_2 = alpha_1 / ln d and a "
   "budget of (5 d^2 + 10^10) / eta steps from the final d, eta 0.2, "
   "eta_E = eta / 100, 100 rows per decade, engine flow"},
  {"d", KIND_SIZE, OFF(d), 1, 1e9, 0, 0, NULL, "dimension of the patches"},
  {"m", KIND_SIZE, OFF(m), 1, PHSIM_MAX_M, 0, 0, NULL, "number of neurons"},
  {"alpha", KIND_LIST, OFF(alpha), 0, INFINITY, 1, 1, NULL,
   "feature magnitudes alpha_1,...,alpha_K (K = their number)"},
  {"pi", KIND_LIST, OFF(pi), 0, 1, 0, 0, NULL,
   "feature probabilities pi_1,...,pi_K summing to 1 (default uniform)"},
  {"P", KIND_SIZE, OFF(P), 2, 1e6, 0, 0, NULL, "patches per sample"},
  {"Pf", KIND_SIZE, OFF(Pf), 1, 1e6, 0, 0, NULL,
   "feature patches per sample (<= P)"},
  {"sigma", KIND_DOUBLE, OFF(sigma), 0, INFINITY, 0, 1, NULL,
   "noise standard deviation"},
  {"noise", KIND_ENUM, OFF(noise), 0, 0, 0, 0, noise_names,
   "noise covariance sigma^2 (I - sum v v^T) or sigma^2 I"},
  {"mask", KIND_ENUM, OFF(mask), 0, 0, 0, 0, mask_names,
   "view masks: each patch with prob. 1/2, or exactly floor(P/2) patches"},
  {"head", KIND_ENUM, OFF(head), 0, 0, 0, 0, head_names,
   "trainable entries of E: off-diagonal, none (no head), all"},
  {"engine", KIND_ENUM, OFF(engine), 0, 0, 0, 0, engine_names,
   "how the dynamics is computed"},
  {"eta", KIND_DOUBLE, OFF(eta), 0, INFINITY, 1, 1, NULL, "step size for W"},
  {"eta_E", KIND_DOUBLE, OFF(eta_E), 0, INFINITY, 0, 1, NULL,
   "step size for the trainable entries of E"},
  {"steps", KIND_ULONG, OFF(steps), 0, STEPS_MAX, 0, 0, NULL,
   "gradient steps"},
  {"log_every", KIND_ULONG, OFF(log_every), 1, STEPS_MAX, 0, 0, NULL,
   "steps between trajectory rows"},
  {"seed", KIND_ULONG, OFF(seed), 0, SEED_MAX, 0, 0, NULL,
   "random seed (initialization)"},
  {"init_W", KIND_PATH, OFF(init_W), 0, 0, 0, 0, NULL,
   "file with m lines of d numbers (default: w_j ~ N(0, I/d))"},
  {"init_E", KIND_PATH, OFF(init_E), 0, 0, 0, 0, NULL,
   "file with m lines of m numbers (default: identity)"},
  {"threshold", KIND_DOUBLE, OFF(threshold), 0, 1, 1, 0, NULL,
   "|cos(w_j, v_l)| at which neuron j counts as having learned feature l"},
  {"stop", KIND_ENUM, OFF(stop), 0, 0, 0, 0, stop_names,
   "end early at the first logged step where the strongest feature (strong) "
   "or every feature (all) is learned by some neuron"},
  {"N", KIND_SIZE, OFF(N), 2, 1e8, 0, 0, NULL,
   "batch size (engine = sampled)"},
  {"resample", KIND_ENUM, OFF(resample), 0, 0, 0, 0, resample_names,
   "sampled: a fresh batch every step (SGD) or one fixed training set"},
  {"draw", KIND_ENUM, OFF(draw), 0, 0, 0, 0, draw_names,
   "sampled: full d-dimensional noise, or only its projections on the "
   "weights (exact in law; auto = projected where exact)"},
  {"act", KIND_ENUM, OFF(act), 0, 0, 0, 0, act_names,
   "activation; relu only with engine = sampled (closed forms need z^3)"},
  {"norm", KIND_ENUM, OFF(norm), 0, 0, 0, 0, norm_names,
   "BatchNorm per output, or none (the unnormalized BYOL loss)"},
  {"stopgrad", KIND_ENUM, OFF(stopgrad), 0, 0, 0, 0, stopgrad_names,
   "stop-gradient on the target branch (false: needs ema = 0)"},
  {"ema", KIND_DOUBLE, OFF(ema), 0, 1, 0, 1, NULL,
   "target weights <- ema * target + (1 - ema) * online after each step "
   "(0: target = online, the paper)"},
  {"log_per_decade", KIND_ULONG, OFF(log_per_decade), 0, 1000, 0, 0, NULL,
   "> 0: log the rows at the steps ceil(10^(k/n)), n per decade of steps "
   "(phases from step 1 to 10^15 alike; log_every is then unused); 0: "
   "every log_every steps"},
  {"accel", KIND_ENUM, OFF(accel), 0, 0, 0, 0, bool_names,
   "at T2, run the gradient flow once more from the same state without the "
   "head (E = I) and report when the substituted neuron learns the weak "
   "feature there, against the run itself (summary: acceleration)"},
  {"twin", KIND_DOUBLE, OFF(twin), 0, 1e-3, 0, 0, NULL,
   "run a twin whose initial overlaps a_jl are multiplied by 1 +- twin; "
   "report the largest divergence and whether the outcome differs "
   "(fragile); 0: no twin"},
};
#define NKEYS (sizeof keys / sizeof keys[0])
/* phsim_config.given has a bit per key. */
_Static_assert(sizeof keys / sizeof keys[0] <= 64, "too many keys for the given mask");

/* Preset teach: the spec's section 5 (d = 100, alpha = (2, 1), P = 16,
 * Pf = 8) at eta = 0.025, eta_E / eta = 0.1, where gradient descent follows
 * its flow on seeds 1..100 (NOTES, "the defaults"), with the reduced engine
 * (the same steps as the population engine, cost independent of d). */
static void preset_teach(phsim_config *c) {
  c->d = 100;
  c->alpha[0] = 2.0;
  c->alpha[1] = 1.0;
  c->K = 2;
  c->eta = 0.025;
  c->eta_E = 0.0025;
  c->engine = PHSIM_ENGINE_ORDER;
  c->steps = 8000000;
  c->log_every = 1000;
}

/* Preset paper: the theorem's regime (spec section 6).  alpha_2 and the
 * budget follow d (derive_paper); rows at 100 per decade of steps, so that
 * every phase, from T1 (~ d^2 / eta) to the weak feature (up to 10^10 / eta
 * at d = 100), is resolved to 2.3%. */
static void preset_paper(phsim_config *c) {
  c->d = 10000;
  c->alpha[0] = 2.0;
  c->K = 2;
  c->eta = 0.2;
  c->eta_E = 0.002;
  c->engine = PHSIM_ENGINE_FLOW;
  c->log_per_decade = 100;
}

static int key_index(const char *name);

static size_t field_size(key_kind kind) {
  switch (kind) {
  case KIND_SIZE: return sizeof(size_t);
  case KIND_ULONG: return sizeof(unsigned long);
  case KIND_DOUBLE: return sizeof(double);
  case KIND_LIST: return PHSIM_MAX_K * sizeof(double);
  case KIND_ENUM: return sizeof(int);
  case KIND_PATH: return PHSIM_PATH_MAX;
  }
  return 0;
}

static void copy_field(phsim_config *dst, const phsim_config *src, int k) {
  memcpy((char *)dst + keys[k].offset, (const char *)src + keys[k].offset,
         field_size(keys[k].kind));
}

/* Apply preset p to every key it names that was not given: "applied
 * first, later keys override", whatever the order of the assignments. */
static void apply_preset(phsim_config *cfg, phsim_preset p) {
  phsim_config fresh = *cfg;
  if (p == PHSIM_PRESET_TEACH) preset_teach(&fresh);
  else preset_paper(&fresh);
  static const char *const preset_keys[] = {"d", "alpha", "eta", "eta_E", "engine",
                                            "steps", "log_every", "log_per_decade"};
  for (size_t i = 0; i < sizeof preset_keys / sizeof *preset_keys; i++) {
    int k = key_index(preset_keys[i]);
    if (cfg->given & (1ULL << k)) continue;
    if (strcmp(preset_keys[i], "alpha") == 0) {
      memcpy(cfg->alpha, fresh.alpha, sizeof cfg->alpha);
      cfg->K = fresh.K;
      if (cfg->n_pi == 0)
        for (size_t l = 0; l < cfg->K; l++) cfg->pi[l] = 1.0 / (double)cfg->K;
    } else {
      copy_field(cfg, &fresh, k);
    }
  }
  cfg->preset = p;
}

/* Preset paper, from the final d and eta: alpha = (alpha_1, alpha_1 / ln d)
 * unless alpha was given; eta_E = eta / 100 unless given; steps =
 * ceil((5 d^2 + 10^10) / eta) unless given: phase I lasts about d^2 / eta
 * and the weak feature needs a time t up to 10^9 at d = 10^2..10^3 (NOTES,
 * the d-study). */
static void derive_paper(phsim_config *cfg) {
  if (cfg->preset != PHSIM_PRESET_PAPER) return;
  const double d = (double)cfg->d;
  if (!(cfg->given & (1ULL << key_index("alpha"))) && d > 1.0) {
    cfg->alpha[1] = cfg->alpha[0] / log(d);
    cfg->K = 2;
  }
  if (!(cfg->given & (1ULL << key_index("eta_E")))) cfg->eta_E = cfg->eta / 100.0;
  if (!(cfg->given & (1ULL << key_index("steps"))))
    cfg->steps = (unsigned long)fmin(ceil((5.0 * d * d + 1e10) / cfg->eta), STEPS_MAX);
}

void phsim_config_default(phsim_config *cfg) {
  memset(cfg, 0, sizeof *cfg);
  cfg->m = 2;
  cfg->pi[0] = cfg->pi[1] = 0.5;
  cfg->n_pi = 0;
  cfg->P = 16;
  cfg->Pf = 8;
  cfg->sigma = 1.0;
  cfg->noise = PHSIM_NOISE_ORTHOGONAL;
  cfg->mask = PHSIM_MASK_BERNOULLI;
  cfg->head = PHSIM_HEAD_OFFDIAG;
  cfg->seed = 1;
  cfg->threshold = 0.9;
  cfg->stop = PHSIM_STOP_NEVER;
  cfg->N = 4096;
  cfg->resample = PHSIM_RESAMPLE_STEP;
  cfg->draw = PHSIM_DRAW_AUTO;
  cfg->act = PHSIM_ACT_CUBIC;
  cfg->norm = PHSIM_NORM_BN;
  cfg->stopgrad = PHSIM_STOPGRAD_TRUE;
  cfg->ema = 0.0;
  apply_preset(cfg, PHSIM_PRESET_TEACH);
}

static const key_spec *find_key(const char *name) {
  for (size_t i = 0; i < NKEYS; i++)
    if (strcmp(keys[i].name, name) == 0) return &keys[i];
  return NULL;
}

static int key_index(const char *name) { return (int)(find_key(name) - keys); }

static void describe_range(const key_spec *k, char *buf, size_t n) {
  switch (k->kind) {
  case KIND_SIZE:
  case KIND_ULONG:
    snprintf(buf, n, "an integer from %.0f to %.0f", k->lo, k->hi);
    return;
  case KIND_ENUM: {
    size_t used = (size_t)snprintf(buf, n, "one of");
    for (const char *const *c = k->choices; *c != NULL && used < n; c++)
      used += (size_t)snprintf(buf + used, n - used, " %s", *c);
    return;
  }
  case KIND_PATH:
    snprintf(buf, n, "a readable file path shorter than %d characters",
             PHSIM_PATH_MAX);
    return;
  case KIND_DOUBLE:
  case KIND_LIST: {
    const char *what = k->kind == KIND_LIST
                           ? "a comma-separated list (at most 64) of numbers"
                           : "a finite number";
    if (isinf(k->hi))
      snprintf(buf, n, "%s %s %g", what, k->lo_open ? ">" : ">=", k->lo);
    else
      snprintf(buf, n, "%s in %s%g, %g%s", what, k->lo_open ? "(" : "[",
               k->lo, k->hi, k->hi_open ? ")" : "]");
    return;
  }
  }
}

static int reject(const key_spec *k, const char *value, const char *why,
                  char err[PHSIM_ERR_MAX]) {
  char allowed[256];
  describe_range(k, allowed, sizeof allowed);
  snprintf(err, PHSIM_ERR_MAX, "key '%s': value '%.160s' %s; allowed: %.200s",
           k->name, value, why, allowed);
  return PHSIM_EINPUT;
}

static int in_range(const key_spec *k, double x) {
  if (k->lo_open ? !(x > k->lo) : !(x >= k->lo)) return 0;
  if (k->hi_open ? !(x < k->hi) : !(x <= k->hi)) return 0;
  return 1;
}

/* A finite double covering the whole token: 1; 0 not a number (or nan,
 * inf); NUM_TINY a number whose magnitude is below DBL_MIN but not zero
 * (it underflows: strtod's ERANGE); NUM_HUGE beyond DBL_MAX. */
enum { NUM_TINY = -1, NUM_HUGE = -2 };
static int parse_double(const char *s, double *out) {
  char *end = NULL;
  errno = 0;
  double x = strtod(s, &end);
  if (end == s || *end != '\0') return 0;
  if (errno == ERANGE) return fabs(x) < 1.0 ? NUM_TINY : NUM_HUGE;
  if (!isfinite(x)) return 0;
  *out = x;
  return 1;
}

/* What is wrong with a token parse_double refused. */
static const char *number_problem(int code) {
  if (code == NUM_TINY) return "underflows a double (its magnitude is below 2.2e-308)";
  if (code == NUM_HUGE) return "overflows a double (beyond 1.8e308)";
  return "is not a finite number";
}

/* A non-negative integer: digits, or a number such as 4e5 that is exactly an
 * integer.  Values beyond 2^53 are refused (they are beyond every bound). */
static int parse_integer(const char *s, double *out) {
  double x;
  if (parse_double(s, &x) != 1) return 0;
  if (x < 0 || x != floor(x) || x > 9007199254740992.0) return 0;
  *out = x;
  return 1;
}

static int set_list(phsim_config *cfg, const key_spec *k, const char *value,
                    char err[PHSIM_ERR_MAX]) {
  double vals[PHSIM_MAX_K];
  size_t n = 0;
  char buf[4096];
  if (strlen(value) >= sizeof buf) return reject(k, "(long)", "is too long", err);
  strcpy(buf, value);
  char *save = NULL;
  for (char *tok = strtok_r(buf, ",", &save); tok != NULL;
       tok = strtok_r(NULL, ",", &save)) {
    while (isspace((unsigned char)*tok)) tok++;
    char *e = tok + strlen(tok);
    while (e > tok && isspace((unsigned char)e[-1])) *--e = '\0';
    if (n == PHSIM_MAX_K) return reject(k, value, "has too many entries", err);
    int code = parse_double(tok, &vals[n]);
    if (code != 1) {
      char why[96];
      snprintf(why, sizeof why, "has an entry that %s", number_problem(code));
      return reject(k, value, why, err);
    }
    if (!in_range(k, vals[n]))
      return reject(k, value, "has an entry out of range", err);
    n++;
  }
  size_t commas = 0;
  for (const char *p = value; *p; p++) commas += (*p == ',');
  if (n == 0 || commas != n - 1)
    return reject(k, value, "has an empty entry", err);
  double *dst = (double *)((char *)cfg + k->offset);
  memcpy(dst, vals, n * sizeof *vals);
  if (dst == cfg->alpha) {
    cfg->K = n;
    if (cfg->n_pi == 0)
      for (size_t l = 0; l < n; l++) cfg->pi[l] = 1.0 / (double)n;
  } else {
    cfg->n_pi = n;
  }
  return PHSIM_OK;
}

static int set_path(phsim_config *cfg, const key_spec *k, const char *value,
                    const char *base_dir, char err[PHSIM_ERR_MAX]) {
  char joined[2 * PHSIM_PATH_MAX];
  if (value[0] != '/' && base_dir != NULL && base_dir[0] != '\0')
    snprintf(joined, sizeof joined, "%s/%s", base_dir, value);
  else
    snprintf(joined, sizeof joined, "%s", value);
  char *dst = (char *)cfg + k->offset;
  char *abs = realpath(joined, NULL);
  const char *use = abs != NULL ? abs : joined;
  if (strlen(use) >= PHSIM_PATH_MAX) {
    free(abs);
    return reject(k, value, "is too long", err);
  }
  strcpy(dst, use);
  free(abs);
  return PHSIM_OK;
}

static int parse_key(phsim_config *cfg, const char *key, const char *raw,
                     const char *base_dir, char err[PHSIM_ERR_MAX]) {
  const key_spec *k = find_key(key);
  if (k == NULL) {
    size_t used = (size_t)snprintf(err, PHSIM_ERR_MAX,
                                   "unknown key '%s'; known keys:", key);
    for (size_t i = 0; i < NKEYS && used < PHSIM_ERR_MAX; i++)
      used += (size_t)snprintf(err + used, PHSIM_ERR_MAX - used, " %s",
                               keys[i].name);
    return PHSIM_EINPUT;
  }
  /* Trim white space around the value. */
  char value[PHSIM_PATH_MAX + 1];
  while (isspace((unsigned char)*raw)) raw++;
  size_t len = strlen(raw);
  while (len > 0 && isspace((unsigned char)raw[len - 1])) len--;
  if (len > PHSIM_PATH_MAX - 1) return reject(k, "(long)", "is too long", err);
  memcpy(value, raw, len);
  value[len] = '\0';
  if (len == 0) return reject(k, value, "is empty", err);

  char *field = (char *)cfg + k->offset;
  double x;
  switch (k->kind) {
  case KIND_SIZE:
  case KIND_ULONG:
    if (!parse_integer(value, &x))
      return reject(k, value, "is not a non-negative integer", err);
    if (!in_range(k, x)) return reject(k, value, "is out of range", err);
    if (k->kind == KIND_SIZE)
      *(size_t *)field = (size_t)x;
    else
      *(unsigned long *)field = (unsigned long)x;
    return PHSIM_OK;
  case KIND_DOUBLE:
    if (parse_double(value, &x) != 1) return reject(k, value, number_problem(parse_double(value, &x)), err);
    if (!in_range(k, x)) return reject(k, value, "is out of range", err);
    *(double *)field = x;
    return PHSIM_OK;
  case KIND_LIST:
    return set_list(cfg, k, value, err);
  case KIND_ENUM:
    for (int c = 0; k->choices[c] != NULL; c++)
      if (strcmp(k->choices[c], value) == 0) {
        *(int *)field = c;
        return PHSIM_OK;
      }
    return reject(k, value, "is not a known choice", err);
  case KIND_PATH:
    return set_path(cfg, k, value, base_dir, err);
  }
  return PHSIM_EINPUT;
}

/* Assign, remember the key as given, apply a preset to the keys not given,
 * and re-derive the paper preset's d-dependent values. */
static int set_key(phsim_config *cfg, const char *key, const char *raw,
                   const char *base_dir, char err[PHSIM_ERR_MAX]) {
  int st = parse_key(cfg, key, raw, base_dir, err);
  if (st != PHSIM_OK) return st;
  const int k = key_index(key);
  if (strcmp(key, "preset") == 0) apply_preset(cfg, cfg->preset);
  cfg->given |= 1ULL << k;
  derive_paper(cfg);
  return PHSIM_OK;
}

int phsim_config_draws_projected(const phsim_config *cfg) {
  if (cfg->engine != PHSIM_ENGINE_SAMPLED || cfg->draw == PHSIM_DRAW_FULL) return 0;
  return cfg->resample == PHSIM_RESAMPLE_STEP && cfg->ema == 0.0;
}

int phsim_config_key_is_integer(const char *key) {
  const key_spec *k = find_key(key);
  if (k == NULL) return -1;
  return k->kind == KIND_SIZE || k->kind == KIND_ULONG;
}

int phsim_config_set(phsim_config *cfg, const char *key, const char *value,
                     char err[PHSIM_ERR_MAX]) {
  return set_key(cfg, key, value, NULL, err);
}

int phsim_config_set_arg(phsim_config *cfg, const char *arg,
                         char err[PHSIM_ERR_MAX]) {
  const char *eq = strchr(arg, '=');
  if (eq == NULL || eq == arg) {
    snprintf(err, PHSIM_ERR_MAX,
             "--set '%s': expected key=value (see 'phsim keys')", arg);
    return PHSIM_EINPUT;
  }
  char key[64];
  while (isspace((unsigned char)*arg)) arg++;
  size_t klen = (size_t)(eq - arg);
  while (klen > 0 && isspace((unsigned char)arg[klen - 1])) klen--;
  if (klen >= sizeof key) klen = sizeof key - 1;
  memcpy(key, arg, klen);
  key[klen] = '\0';
  return set_key(cfg, key, eq + 1, NULL, err);
}

/* State threaded through inih's callback. */
typedef struct {
  phsim_config *cfg;
  const char *text;            /* the whole file, read first */
  size_t len, pos;
  int lineno;                  /* lines handed to inih so far */
  const char *path;
  char dir[PHSIM_PATH_MAX];
  char seen[NKEYS];
  int status;
  char *err;
} file_ctx;

/* inih's line reader, over the text read up front: counts lines, so that
 * the handler (called right after its line is read) knows the line number,
 * and drops leading white space, which inih would take for the
 * continuation of the previous key. */
static char *read_line(char *buf, int size, void *user) {
  file_ctx *ctx = user;
  if (ctx->pos >= ctx->len || size < 2) return NULL;
  const char *p = ctx->text + ctx->pos, *end = ctx->text + ctx->len;
  const char *nl = memchr(p, '\n', (size_t)(end - p));
  const char *stop = nl ? nl + 1 : end;
  ctx->pos = (size_t)(stop - ctx->text);
  while (p < stop && (*p == ' ' || *p == '\t')) p++;
  size_t n = (size_t)(stop - p);
  if (n > (size_t)size - 1) n = (size_t)size - 1; /* cannot happen: lines are checked */
  memcpy(buf, p, n);
  buf[n] = '\0';
  ctx->lineno++;
  return buf;
}

static int file_handler(void *user, const char *section, const char *name,
                        const char *value) {
  file_ctx *ctx = user;
  const int lineno = ctx->lineno;
  if (ctx->status != PHSIM_OK) return 1; /* keep the first error */
  if (section[0] != '\0') {
    snprintf(ctx->err, PHSIM_ERR_MAX,
             "config file '%s' line %d: sections ('[%s]') are not allowed",
             ctx->path, lineno, section);
    ctx->status = PHSIM_EINPUT;
    return 0;
  }
  /* inih strips ';' comments only; '#' after white space starts one too. */
  char buf[PHSIM_PATH_MAX + 1];
  snprintf(buf, sizeof buf, "%s", value);
  for (char *p = buf; *p; p++)
    if (*p == '#' && (p == buf || isspace((unsigned char)p[-1]))) {
      *p = '\0';
      break;
    }
  const key_spec *k = find_key(name);
  if (k != NULL && ctx->seen[k - keys]) {
    snprintf(ctx->err, PHSIM_ERR_MAX,
             "config file '%s' line %d: key '%s' is given twice", ctx->path,
             lineno, name);
    ctx->status = PHSIM_EINPUT;
    return 0;
  }
  char msg[PHSIM_ERR_MAX];
  int st = set_key(ctx->cfg, name, buf, ctx->dir, msg);
  if (st != PHSIM_OK) {
    snprintf(ctx->err, PHSIM_ERR_MAX, "config file '%s' line %d: %.400s",
             ctx->path, lineno, msg);
    ctx->status = st;
    return 0;
  }
  ctx->seen[k - keys] = 1;
  return 1;
}

/* A config file is small: read it whole, as a stream (a pipe, a FIFO,
 * /dev/stdin are read once, never rewound), refusing NUL bytes, lines that
 * inih would cut (it reads at most INI_MAX_LINE - 1 characters and would
 * parse the rest as a line of its own) and more than CONFIG_MAX_BYTES. */
#define CONFIG_MAX_BYTES (1 << 20)
#define CONFIG_MAX_LINE 198
static int slurp(FILE *fp, const char *path, char **text, size_t *len,
                 char err[PHSIM_ERR_MAX]) {
  size_t cap = 4096, n = 0, col = 0, lineno = 1;
  char *buf = malloc(cap);
  if (buf == NULL) return PHSIM_ENOMEM;
  int c, st = PHSIM_OK;
  while (st == PHSIM_OK && (c = getc(fp)) != EOF) {
    if (n + 1 == cap) { /* grow up to CONFIG_MAX_BYTES + 1 */
      char *bigger = realloc(buf, cap *= 2);
      if (bigger == NULL) {
        free(buf);
        return PHSIM_ENOMEM;
      }
      buf = bigger;
    }
    if (c == '\0' || n == CONFIG_MAX_BYTES || (c != '\n' && ++col > CONFIG_MAX_LINE)) {
      snprintf(err, PHSIM_ERR_MAX, "config file '%s' line %zu: %s", path, lineno,
               c == '\0' ? "contains a NUL byte"
               : n == CONFIG_MAX_BYTES ? "the file is longer than 1 MiB"
                                       : "longer than 198 characters");
      st = PHSIM_EINPUT;
    }
    if (c == '\n') {
      col = 0;
      lineno++;
    }
    buf[n++] = (char)c;
  }
  if (st == PHSIM_OK && ferror(fp)) {
    snprintf(err, PHSIM_ERR_MAX, "cannot read config file '%s': %s", path, strerror(errno));
    st = PHSIM_EINPUT;
  }
  if (st != PHSIM_OK) {
    free(buf);
    return st;
  }
  buf[n] = '\0';
  *text = buf;
  *len = n;
  return PHSIM_OK;
}

/* Parse a stream; relative init paths are anchored at `anchor` ("": the
 * working directory). */
static int read_stream_at(phsim_config *cfg, FILE *fp, const char *path,
                          const char *anchor, char err[PHSIM_ERR_MAX]) {
  file_ctx ctx = {.cfg = cfg, .lineno = 0, .path = path, .status = PHSIM_OK, .err = err};
  int st = slurp(fp, path, (char **)&ctx.text, &ctx.len, err);
  if (st != PHSIM_OK) return st;
  snprintf(ctx.dir, sizeof ctx.dir, "%s", anchor);
  memset(ctx.seen, 0, sizeof ctx.seen);
  int line = ini_parse_stream(read_line, &ctx, file_handler, &ctx);
  free((char *)ctx.text);
  if (ctx.status != PHSIM_OK) return ctx.status;
  if (line != 0) {
    snprintf(err, PHSIM_ERR_MAX,
             "config file '%s' line %d: expected 'key = value'", path, line);
    return PHSIM_EINPUT;
  }
  return PHSIM_OK;
}

/* The directory of path ("/" for a file at the root, "" for none). */
static void dir_of(const char *path, char *dir, size_t n) {
  const char *slash = strrchr(path, '/');
  if (slash == NULL) snprintf(dir, n, "%s", "");
  else if (slash == path) snprintf(dir, n, "/");
  else snprintf(dir, n, "%.*s", (int)(slash - path), path);
}

int phsim_config_read_file(phsim_config *cfg, const char *path,
                           char err[PHSIM_ERR_MAX]) {
  FILE *fp = fopen(path, "r");
  if (fp == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot open config file '%s': %s", path,
             strerror(errno));
    return PHSIM_EINPUT;
  }
  struct stat sb;
  if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
    snprintf(err, PHSIM_ERR_MAX,
             "config file '%s' is a directory; allowed: a file of 'key = "
             "value' lines",
             path);
    fclose(fp);
    return PHSIM_EINPUT;
  }
  /* A pipe, a FIFO or a terminal is read as a stream; its relative init
   * paths are relative to the working directory. */
  char anchor[PHSIM_PATH_MAX];
  anchor[0] = '\0';
  if (S_ISREG(sb.st_mode)) dir_of(path, anchor, sizeof anchor);
  int st = read_stream_at(cfg, fp, path, anchor, err);
  fclose(fp);
  return st;
}

int phsim_config_read_stream(phsim_config *cfg, FILE *fp, const char *path,
                             char err[PHSIM_ERR_MAX]) {
  char anchor[PHSIM_PATH_MAX];
  dir_of(path, anchor, sizeof anchor);
  return read_stream_at(cfg, fp, path, anchor, err);
}


/* x in the fewest significant digits that read back as x: 0.1, not
 * 0.10000000000000001. */
static void write_shortest(double x, FILE *out) {
  char buf[32];
  for (int p = 1; p <= 17; p++) {
    snprintf(buf, sizeof buf, "%.*g", p, x);
    if (strtod(buf, NULL) == x) break;
  }
  fputs(buf, out);
}

/* The value of key k; doubles as %.17g when exact (files read back), else
 * as short as they read back. */
static void write_value(const phsim_config *cfg, const key_spec *k, int exact,
                        FILE *out) {
  const char *field = (const char *)cfg + k->offset;
  switch (k->kind) {
  case KIND_SIZE:
    fprintf(out, "%zu", *(const size_t *)field);
    return;
  case KIND_ULONG:
    fprintf(out, "%lu", *(const unsigned long *)field);
    return;
  case KIND_DOUBLE:
  case KIND_LIST: {
    const double *v = (const double *)field;
    for (size_t l = 0; l < (k->kind == KIND_LIST ? cfg->K : 1); l++) {
      if (l > 0) fputc(',', out);
      if (exact) fprintf(out, "%.17g", v[l]);
      else write_shortest(v[l], out);
    }
    return;
  }
  case KIND_ENUM:
    fputs(k->choices[*(const int *)field], out);
    return;
  case KIND_PATH:
    fputs(field, out);
    return;
  }
}

int phsim_config_write(const phsim_config *cfg, FILE *out) {
  fprintf(out, "# phsim resolved configuration\n");
  for (size_t i = 0; i < NKEYS; i++) {
    const key_spec *k = &keys[i];
    if (k->kind == KIND_PATH && ((const char *)cfg + k->offset)[0] == '\0') {
      fprintf(out, "# %s: not set\n", k->name);
      continue;
    }
    fprintf(out, "%s = ", k->name);
    write_value(cfg, k, 1, out);
    fputc('\n', out);
  }
  return ferror(out) ? PHSIM_EIO : PHSIM_OK;
}

static json_t *value_to_json(const phsim_config *cfg, const key_spec *k) {
  const char *field = (const char *)cfg + k->offset;
  switch (k->kind) {
  case KIND_SIZE:
    return json_integer((json_int_t) * (const size_t *)field);
  case KIND_ULONG:
    return json_integer((json_int_t) * (const unsigned long *)field);
  case KIND_DOUBLE:
    return json_real(*(const double *)field);
  case KIND_LIST: {
    json_t *arr = json_array();
    for (size_t l = 0; l < cfg->K; l++)
      json_array_append_new(arr, json_real(((const double *)field)[l]));
    return arr;
  }
  case KIND_ENUM:
    return json_string(k->choices[*(const int *)field]);
  case KIND_PATH:
    return field[0] != '\0' ? json_string(field) : json_null();
  }
  return json_null();
}

json_t *phsim_config_to_json(const phsim_config *cfg) {
  json_t *obj = json_object();
  for (size_t i = 0; i < NKEYS; i++)
    json_object_set_new(obj, keys[i].name, value_to_json(cfg, &keys[i]));
  return obj;
}

/* A JSON value of key k as the text phsim_config_set takes; 0 if its type
 * is not the one phsim writes for k (null: a path not set, text ""). */
static int json_value_text(const key_spec *k, json_t *v, char *buf, size_t n) {
  switch (k->kind) {
  case KIND_SIZE:
  case KIND_ULONG:
    if (!json_is_integer(v)) return 0;
    snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    return 1;
  case KIND_DOUBLE:
    if (!json_is_number(v)) return 0;
    snprintf(buf, n, "%.17g", json_number_value(v));
    return 1;
  case KIND_LIST: {
    size_t len = json_array_size(v), used = 0;
    if (!json_is_array(v) || len == 0 || len > PHSIM_MAX_K) return 0;
    for (size_t i = 0; i < len; i++) {
      if (!json_is_number(json_array_get(v, i))) return 0;
      used += (size_t)snprintf(buf + used, n - used, "%s%.17g", i ? "," : "",
                               json_number_value(json_array_get(v, i)));
    }
    return 1;
  }
  case KIND_ENUM:
    if (!json_is_string(v) || json_string_length(v) >= n) return 0;
    snprintf(buf, n, "%s", json_string_value(v));
    return strlen(buf) == json_string_length(v); /* no NUL inside */
  case KIND_PATH:
    if (json_is_null(v)) {
      buf[0] = '\0';
      return 1;
    }
    if (!json_is_string(v) || json_string_length(v) >= n) return 0;
    snprintf(buf, n, "%s", json_string_value(v));
    return strlen(buf) == json_string_length(v);
  }
  return 0;
}

int phsim_config_from_json(json_t *obj, const char *where, phsim_config *cfg,
                           char err[PHSIM_ERR_MAX]) {
  phsim_config_default(cfg);
  if (!json_is_object(obj)) {
    snprintf(err, PHSIM_ERR_MAX, "%.300s: expected an object of configuration keys", where);
    return PHSIM_EINPUT;
  }
  const char *name;
  json_t *v;
  json_object_foreach(obj, name, v) {
    const key_spec *k = find_key(name);
    char text[PHSIM_MAX_K * 26 + 2], msg[PHSIM_ERR_MAX];
    if (k == NULL) {
      snprintf(err, PHSIM_ERR_MAX, "%.300s: unknown key '%.60s'; see 'phsim keys'", where, name);
      return PHSIM_EINPUT;
    }
    if (!json_value_text(k, v, text, sizeof text)) {
      char allowed[256];
      describe_range(k, allowed, sizeof allowed);
      snprintf(err, PHSIM_ERR_MAX, "%.200s: key '%s' has a value of the wrong type; allowed: %.200s",
               where, name, allowed);
      return PHSIM_EINPUT;
    }
    if (k->kind == KIND_PATH && text[0] == '\0') continue;
    if (set_key(cfg, name, text, NULL, msg) != PHSIM_OK) {
      snprintf(err, PHSIM_ERR_MAX, "%.100s: %.400s", where, msg);
      return PHSIM_EINPUT;
    }
  }
  return PHSIM_OK;
}

json_t *phsim_config_given_to_json(const phsim_config *cfg) {
  json_t *arr = json_array();
  for (size_t i = 0; arr != NULL && i < NKEYS; i++)
    if (cfg->given & (1ULL << i)) json_array_append_new(arr, json_string(keys[i].name));
  return arr;
}

int phsim_config_given_from_json(json_t *arr, const char *where, phsim_config *cfg,
                                 char err[PHSIM_ERR_MAX]) {
  unsigned long long mask = 0;
  const size_t n = json_array_size(arr);
  if (!json_is_array(arr) || n > NKEYS) {
    snprintf(err, PHSIM_ERR_MAX, "%.300s: expected an array of at most %zu key names", where, NKEYS);
    return PHSIM_EINPUT;
  }
  for (size_t i = 0; i < n; i++) {
    const char *name = json_string_value(json_array_get(arr, i));
    const key_spec *k = name != NULL ? find_key(name) : NULL;
    if (k == NULL || strlen(name) != json_string_length(json_array_get(arr, i))) {
      snprintf(err, PHSIM_ERR_MAX, "%.300s: entry %zu is not a key name; see 'phsim keys'", where, i + 1);
      return PHSIM_EINPUT;
    }
    mask |= 1ULL << (k - keys);
  }
  cfg->given = mask;
  return PHSIM_OK;
}

void phsim_config_print_keys(FILE *out) {
  phsim_config def;
  phsim_config_default(&def);
  for (size_t i = 0; i < NKEYS; i++) {
    const key_spec *k = &keys[i];
    char allowed[256];
    describe_range(k, allowed, sizeof allowed);
    fprintf(out, "  %-10s %s\n  %-10s   allowed: %s; default: ", k->name,
            k->help, "", allowed);
    if (k->kind == KIND_PATH)
      fputs("none", out);
    else
      write_value(&def, k, 0, out);
    fputc('\n', out);
  }
}

/* The default of k as `phsim keys` shows it (none for a path). */
static json_t *default_text(const phsim_config *def, const key_spec *k) {
  if (k->kind == KIND_PATH) return json_null();
  char *buf = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&buf, &len);
  if (mem == NULL) return NULL;
  write_value(def, k, 0, mem);
  fclose(mem);
  json_t *v = json_string(buf);
  free(buf);
  return v;
}

json_t *phsim_config_keys_json(void) {
  phsim_config def;
  phsim_config_default(&def);
  json_t *list = json_array();
  for (size_t i = 0; list != NULL && i < NKEYS; i++) {
    const key_spec *k = &keys[i];
    char allowed[256];
    describe_range(k, allowed, sizeof allowed);
    json_t *choices = json_array();
    for (size_t c = 0; k->kind == KIND_ENUM && k->choices[c] != NULL; c++)
      json_array_append_new(choices, json_string(k->choices[c]));
    if (json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:o, s:o}", "key", k->name,
                                              "help", k->help, "allowed", allowed,
                                              "choices", choices, "default",
                                              default_text(&def, k))) != 0) {
      json_decref(list);
      return NULL;
    }
  }
  return list;
}

const char *phsim_config_choice(const phsim_config *cfg, const char *key) {
  const key_spec *k = find_key(key);
  if (k == NULL || k->kind != KIND_ENUM) return NULL;
  return k->choices[*(const int *)((const char *)cfg + k->offset)];
}
const char *phsim_engine_name(phsim_engine_kind v) { return engine_names[v]; }
