/* phsim_config.h: the run configuration (spec sections 1-2), its parser and
 * its validation.
 *
 * A configuration is a "key = value" file ('#' comments) and/or any number of
 * "--set key=value" overrides; the later assignment wins, a key repeated in
 * one file is an error.  Every error names the key, the value and what is
 * allowed; the caller turns PHSIM_EINPUT into exit status 2. */
#ifndef PHSIM_CONFIG_H
#define PHSIM_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>
#include <jansson.h>

#define PHSIM_MAX_K 64      /* features: alpha has at most this many entries */
#define PHSIM_MAX_M 4096    /* neurons */
#define PHSIM_PATH_MAX 1024
#define PHSIM_ERR_MAX 512

/* Status codes shared by every module. */
enum {
  PHSIM_OK = 0,
  PHSIM_EINPUT = 2,   /* bad configuration, command line or input file */
  PHSIM_EIO = 3,      /* an output could not be written */
  PHSIM_ENUM = 4,     /* numerical fault: NaN/Inf or a degenerate moment */
  PHSIM_ENOMEM = 5,
  PHSIM_EINTR = 6     /* stopped by SIGINT / SIGTERM; complete outputs kept */
};

typedef enum { PHSIM_NOISE_ORTHOGONAL, PHSIM_NOISE_ISOTROPIC } phsim_noise;
typedef enum { PHSIM_MASK_BERNOULLI, PHSIM_MASK_HALF } phsim_mask;
typedef enum { PHSIM_HEAD_OFFDIAG, PHSIM_HEAD_FIXED, PHSIM_HEAD_FULL } phsim_head;
typedef enum {
  PHSIM_ENGINE_POPULATION, /* closed form, full weights W */
  PHSIM_ENGINE_ORDER,      /* closed form, reduced state (A, R, E) */
  PHSIM_ENGINE_SAMPLED,    /* finite batches of real patch data */
  PHSIM_ENGINE_FLOW        /* gradient-flow ODE on (A, R, E) */
} phsim_engine_kind;
typedef enum { PHSIM_RESAMPLE_STEP, PHSIM_RESAMPLE_NEVER } phsim_resample;
typedef enum { PHSIM_ACT_CUBIC, PHSIM_ACT_RELU } phsim_act;
typedef enum { PHSIM_DRAW_AUTO, PHSIM_DRAW_FULL, PHSIM_DRAW_PROJECTED } phsim_draw;
typedef enum { PHSIM_STOP_NEVER, PHSIM_STOP_STRONG, PHSIM_STOP_ALL } phsim_stop;
typedef enum { PHSIM_NORM_BN, PHSIM_NORM_NONE } phsim_norm;
typedef enum { PHSIM_PRESET_TEACH, PHSIM_PRESET_PAPER } phsim_preset;
typedef enum { PHSIM_STOPGRAD_TRUE, PHSIM_STOPGRAD_FALSE } phsim_stopgrad;

typedef struct {
  phsim_preset preset;           /* the named set of defaults applied first */
  unsigned long long given;      /* bit i: key i of the key table was assigned */
  size_t d;                      /* ambient dimension */
  size_t m;                      /* neurons */
  size_t K;                      /* features = length of alpha */
  double alpha[PHSIM_MAX_K];     /* feature magnitudes */
  double pi[PHSIM_MAX_K];        /* feature probabilities */
  size_t n_pi;                   /* entries given for pi; 0 = uniform */
  size_t P, Pf;                  /* patches, feature patches per sample */
  double sigma;                  /* noise standard deviation */
  phsim_noise noise;
  phsim_mask mask;
  phsim_head head;
  phsim_engine_kind engine;
  double eta, eta_E;             /* step sizes for W and for E */
  unsigned long steps, log_every, seed;
  unsigned long log_per_decade;  /* > 0: log rows at steps 10^(k/n) instead */
  char init_W[PHSIM_PATH_MAX];   /* "" = sample w_j ~ N(0, I/d) */
  char init_E[PHSIM_PATH_MAX];   /* "" = identity */
  double threshold;              /* |cos| at which a feature counts as learned */
  phsim_stop stop;               /* end the run early at a logged step */
  /* engines and ablations */
  size_t N;                      /* batch size (engine = sampled) */
  phsim_resample resample;       /* fresh batch each step, or one fixed set */
  phsim_draw draw;               /* how fresh batches are drawn */
  phsim_act act;                 /* activation (relu: engine = sampled only) */
  phsim_norm norm;               /* BatchNorm or the unnormalized loss */
  phsim_stopgrad stopgrad;       /* stop-gradient on the target branch */
  double ema;                    /* target = EMA of the online weights, rate */
  double twin;                   /* relative perturbation of the twin run (0: none) */
  int accel;                     /* measure acceleration against E = I at T2 */
  double perturb;                /* not a key: this run's initial overlaps are
                                    multiplied by 1 +- perturb (the twin) */
} phsim_config;

/* The defaults: preset teach (d = 100, alpha = (2, 1), the spec's section
 * 5 at a step size where gradient descent follows its flow). */
void phsim_config_default(phsim_config *cfg);

/* Assign one key.  Returns PHSIM_OK or PHSIM_EINPUT with a message in err. */
int phsim_config_set(phsim_config *cfg, const char *key, const char *value,
                     char err[PHSIM_ERR_MAX]);

/* Does the sampled engine draw fresh batches through the projections of the
 * noise (draw = auto or projected, resample = step, ema = 0)?  Then it never
 * holds the N P x d patches. */
int phsim_config_draws_projected(const phsim_config *cfg);

/* Does the key take an integer (d, m, P, steps, seed, ...)?  -1: unknown
 * key. */
int phsim_config_key_is_integer(const char *key);

/* Parse "key=value" (the argument of --set). */
int phsim_config_set_arg(phsim_config *cfg, const char *arg,
                         char err[PHSIM_ERR_MAX]);

/* Read a config file; a key repeated within the file is an error. */
int phsim_config_read_file(phsim_config *cfg, const char *path,
                           char err[PHSIM_ERR_MAX]);

/* The same from an open stream, read once (a pipe works: nothing is
 * rewound); at most 1 MiB, lines of at most 198 characters, no NUL byte;
 * leading white space of a line is ignored.  path names it in messages and
 * anchors relative init paths. */
int phsim_config_read_stream(phsim_config *cfg, FILE *fp, const char *path,
                             char err[PHSIM_ERR_MAX]);

/* Validation (the cross-key rules, memory, init files): phsim_validate.h. */

/* Write the fully resolved configuration in the file format: reading it back
 * gives the same configuration (doubles as %.17g). */
int phsim_config_write(const phsim_config *cfg, FILE *out);

/* The value of a key of named choices (head, noise, ...) as its name;
 * NULL for another key. */
const char *phsim_config_choice(const phsim_config *cfg, const char *key);
const char *phsim_engine_name(phsim_engine_kind v);

/* A new mt19937 generator for the configured seed.  GSL's mt19937 keeps the
 * low 32 bits of its seed and maps 0 to its default, so seed s (at most
 * 2^32 - 2) seeds it with s + 1: distinct seeds give distinct streams. */
gsl_rng *phsim_config_rng(const phsim_config *cfg);

/* The configuration as a JSON object: every key, resolved. */
json_t *phsim_config_to_json(const phsim_config *cfg);
/* The inverse, for JSON read back from files (a summary's "config", a
 * sweep's "base"): every member a known key with a value of the type phsim
 * writes and within its range; keys missing keep their defaults (files
 * written before the key existed).  `where` names the object in messages.
 * Cross-key checks are left to phsim_config_check. */
int phsim_config_from_json(json_t *obj, const char *where, phsim_config *cfg,
                           char err[PHSIM_ERR_MAX]);

/* Which keys were given (assigned) rather than left to their default or
 * preset, as a JSON array of key names, and back: read from a file, every
 * member must be a known key's name.  A sweep's base keeps it so that a
 * point rebuilt from sweep.json re-derives the keys a preset computes from
 * the grid's values (paper: alpha_2 and the budget from d), as the sweep
 * did; from_json alone marks every key given. */
json_t *phsim_config_given_to_json(const phsim_config *cfg);
int phsim_config_given_from_json(json_t *arr, const char *where, phsim_config *cfg,
                                 char err[PHSIM_ERR_MAX]);

/* The keys and their meanings, for help texts. */
void phsim_config_print_keys(FILE *out);
/* The same as a JSON array of {"key", "help", "allowed", "choices" (the
 * values of an enumerated key, else []), "default" (as `phsim keys` shows
 * it; null for a file key)}; NULL when out of memory. */
json_t *phsim_config_keys_json(void);

#endif
