/* bench.c: steps per second of every engine (`make bench`).  Not a test:
 * nothing is asserted; the numbers go to NOTES.md.
 *
 * First the population engine against its PyTorch-autograd reference
 * (tests/bench_torch.py: the same closed form, float64, one thread) at
 * d = 200 and 2000, side by side in one run: phsim is timed before and
 * after the reference (the mean is shown), and the two losses after the
 * reference's steps from one start are compared.  Without torch
 * (Debian: apt-get install python3-torch) the reference is skipped with a
 * note.  Then every engine's steps per second. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "phsim_engine.h"
#include "phsim_popgrad.h"
#include "phsim_reduced.h"
#include "phsim_reduced_batch.h"
#include "phsim_spawn.h"
#include "phsim_weights.h"

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Steps per second over at least `seconds` of wall time (advancing in
 * chunks of `chunk` steps), from init (NULL: drawn). */
static double bench(const phsim_config *cfg, const phsim_initial *init,
                    unsigned long chunk, double seconds) {
  char err[PHSIM_ERR_MAX];
  phsim_engine *e = phsim_engine_alloc(cfg);
  gsl_rng *r = phsim_config_rng(cfg);
  if (phsim_engine_start(e, cfg, init, r, err) != PHSIM_OK) {
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
         extra ? extra : "", d, bench(&cfg, NULL, chunk, 1.5));
  fflush(stdout);
}

/* max_j |rho_j - want_j| / max_j |want_j| after `steps` steps of cfg's
 * engine from init (NaN if it failed). */
static double rho_error_after(const phsim_config *cfg, const phsim_initial *init,
                              unsigned long steps, const double *want) {
  char err[PHSIM_ERR_MAX];
  unsigned long fault;
  double diff = NAN, big = 0.0;
  phsim_engine *e = phsim_engine_alloc(cfg);
  if (phsim_engine_start(e, cfg, init, NULL, err) == PHSIM_OK &&
      phsim_engine_advance(e, 0, steps, &fault) == PHSIM_OK) {
    phsim_obs o;
    phsim_engine_observe(e, &o);
    diff = 0.0;
    for (size_t j = 0; j < cfg->m; j++) {
      diff = fmax(diff, fabs(gsl_vector_get(o.rho, j) - want[j]));
      big = fmax(big, fabs(want[j]));
    }
  }
  phsim_engine_free(e);
  return diff / big;
}

/* The start, for the reference: "m d", W's rows, E's rows. */
static int write_start(const char *path, const phsim_initial *init) {
  FILE *f = fopen(path, "w");
  if (f == NULL) return -1;
  const gsl_matrix *mats[2] = {init->W, init->E};
  fprintf(f, "%zu %zu\n", init->W->size1, init->W->size2);
  for (int k = 0; k < 2; k++)
    for (size_t i = 0; i < mats[k]->size1; i++)
      for (size_t j = 0; j < mats[k]->size2; j++)
        fprintf(f, "%.17g%c", gsl_matrix_get(mats[k], i, j),
                j + 1 < mats[k]->size2 ? ' ' : '\n');
  return fclose(f);
}

/* Run tests/bench_torch.py on the start in dir (it knows the default
 * model: orthogonal noise, bn, stop-gradient); its steps, steps per second
 * and final rho (m entries).  0 when it ran. */
static int run_torch(const phsim_config *cfg, const char *dir,
                     unsigned long *steps, double *rate, double *rho) {
  phsim_model pm;
  phsim_model_init(&pm, cfg);
  char num[8][32], c[PHSIM_MAX_K * 26] = "", init[600], out[600];
  char err[PHSIM_ERR_MAX];
  const double v[8] = {pm.vm.kC, pm.vm.kM1, pm.vm.kM2, pm.vm.nu1,
                       pm.vm.nu2, pm.s6, cfg->eta, cfg->eta_E};
  for (int i = 0; i < 8; i++) snprintf(num[i], sizeof num[i], "%.17g", v[i]);
  for (size_t l = 0; l < cfg->K; l++)
    snprintf(c + strlen(c), sizeof c - strlen(c), "%s%.17g", l ? "," : "", pm.c[l]);
  snprintf(init, sizeof init, "%s/start", dir);
  snprintf(out, sizeof out, "%s/result", dir);
  unlink(out);
  char K[24];
  snprintf(K, sizeof K, "%zu", cfg->K);
  const char *argv[] = {NULL, "tests/bench_torch.py", "--init", init,
                        "--out", out, "--K", K, "--kC", num[0], "--kM1", num[1],
                        "--kM2", num[2], "--nu1", num[3], "--nu2", num[4],
                        "--s6", num[5], "--eta", num[6], "--eta-E", num[7],
                        "--head", phsim_config_choice(cfg, "head"), "--c", c, NULL};
  /* PHSIM_PYTHON, else the first python3 with torch: on PATH, or Debian's
   * (python3-torch installs into /usr/bin/python3's packages). */
  const char *pythons[] = {getenv("PHSIM_PYTHON"), "python3", "/usr/bin/python3"};
  int st = PHSIM_EIO;
  for (size_t i = 0; i < 3 && st != PHSIM_OK; i++)
    if (pythons[i] != NULL) {
      argv[0] = pythons[i];
      st = phsim_spawn(argv, NULL, err);
    }
  if (st != PHSIM_OK) return -1;
  FILE *f = fopen(out, "r");
  if (f == NULL) return -1;
  int ok = fscanf(f, "%lu %lf", steps, rate) == 2;
  for (size_t j = 0; j < cfg->m && ok; j++) ok = fscanf(f, "%lf", &rho[j]) == 1;
  fclose(f);
  return ok ? 0 : -1;
}

/* phsim's population engine against the PyTorch reference at dimension d:
 * both from one drawn start. */
static void versus_torch(size_t d, const char *dir) {
  phsim_config cfg;
  phsim_config_default(&cfg);
  cfg.engine = PHSIM_ENGINE_POPULATION;
  cfg.d = d;
  gsl_rng *r = phsim_config_rng(&cfg);
  phsim_initial init = {gsl_matrix_alloc(cfg.m, d), gsl_matrix_alloc(cfg.m, cfg.m)};
  phsim_weights_init(&cfg, NULL, r, init.W);
  gsl_matrix_set_identity(init.E);
  char start[600];
  snprintf(start, sizeof start, "%s/start", dir);
  unsigned long steps = 0;
  double rate = 0.0, rho[PHSIM_MAX_M];
  const double before = bench(&cfg, &init, 1000, 1.5);
  const int ran = write_start(start, &init) == 0 &&
                  run_torch(&cfg, dir, &steps, &rate, rho) == 0;
  const double mean = 0.5 * (before + bench(&cfg, &init, 1000, 1.5));
  if (!ran) {
    printf("%8zu  %12.1f  (reference skipped: no python3 with torch "
           "(PHSIM_PYTHON, python3, /usr/bin/python3); Debian: apt-get install "
           "python3-torch)\n", d, mean);
  } else {
    printf("%8zu  %12.1f  %12.1f  %8.0fx  rho after %lu steps: %.1e\n", d, mean,
           rate, mean / rate, steps, rho_error_after(&cfg, &init, steps, rho));
  }
  fflush(stdout);
  phsim_initial_free(&init);
  gsl_rng_free(r);
}

/* Run-steps per second of the order engine's bare step (phsim_reduced_step
 * and the evaluation, no engine bookkeeping) for one run, and per run in a
 * batch of n (phsim_reduced_batch), alternating so both see the same
 * machine; m = 2, K = 2, d = 200. */
static void order_batch(size_t n) {
  phsim_config cfg;
  phsim_config_default(&cfg);
  cfg.engine = PHSIM_ENGINE_ORDER;
  cfg.d = 200;
  gsl_rng *r = phsim_config_rng(&cfg);
  phsim_reduced *o = phsim_reduced_alloc(&cfg);
  phsim_reduced_state_start(o->s, &cfg, NULL, r);
  phsim_reduced_state_eval(o->s);
  const phsim_config *cfgs[256];
  for (size_t i = 0; i < n; i++) cfgs[i] = &cfg;
  phsim_reduced_batch *b = phsim_reduced_batch_alloc(cfgs, n);
  for (size_t i = 0; i < n; i++) phsim_reduced_batch_load(b, i, o->s->A, o->s->R, o->s->E);
  phsim_reduced_batch_eval(b);
  double single = 0.0, batched = 0.0;
  unsigned long s1 = 0, s2 = 0;
  for (int round = 0; round < 6; round++) {
    double t0 = now();
    for (int k = 0; k < 20000; k++, s1++) {
      phsim_reduced_step(o);
      phsim_reduced_state_eval(o->s);
    }
    double t1 = now();
    for (int k = 0; k < 20000 / (int)n + 1; k++, s2 += n) {
      phsim_reduced_batch_step(b);
      phsim_reduced_batch_eval(b);
    }
    single += t1 - t0;
    batched += now() - t1;
  }
  printf("order, bare step, m = 2, K = 2: one run %.0f steps/s, a batch of %zu "
         "%.0f run-steps/s: %.1fx per run-step\n",
         s1 / single, n, s2 / batched, (s2 / batched) / (s1 / single));
  phsim_reduced_batch_free(b);
  phsim_reduced_free(o);
  gsl_rng_free(r);
}

/* Seconds of one streaming sum over a[0..n) (eight sums side by side). */
static double stream_sum(const double *a, size_t n, double *sink) {
  double s[8] = {0}, t0 = now();
  for (size_t i = 0; i < n; i += 8)
    for (int k = 0; k < 8; k++) s[k] += a[i + k];
  const double t = now() - t0;
  for (int k = 0; k < 8; k++) *sink += s[k];
  return t;
}

static int cmp_double(const void *x, const void *y) {
  const double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

/* The machine's read bandwidth (a streaming sum over 256 MB) and the
 * sampled resample = never step against it at d = 200 (N = 4096, P = 16),
 * measured in turns (a sum, then 4 steps; 7 turns; medians), so that both
 * see the same load: the step reads X's noise patches, N (P - Pf) d
 * doubles, in the forward pass and those in view 1 (half, mask =
 * bernoulli) in the backward pass (feature patches from the batch's
 * structure, not from X). */
static void bandwidth_row(void) {
  enum { TURNS = 7, STEPS = 4 };
  const size_t n = (size_t)32 << 20;
  double *a = malloc(n * sizeof *a), bw[TURNS], sps[TURNS], sink = 0.0;
  phsim_config cfg;
  char err[PHSIM_ERR_MAX];
  phsim_config_default(&cfg);
  cfg.engine = PHSIM_ENGINE_SAMPLED;
  cfg.d = 200;
  phsim_engine *e = NULL;
  gsl_rng *r = phsim_config_rng(&cfg);
  if (a == NULL || phsim_config_set_arg(&cfg, "resample=never", err) != PHSIM_OK ||
      (e = phsim_engine_alloc(&cfg)) == NULL ||
      phsim_engine_start(e, &cfg, NULL, r, err) != PHSIM_OK) {
    fprintf(stderr, "bench: bandwidth row skipped\n");
  } else {
    for (size_t i = 0; i < n; i++) a[i] = (double)(i & 1023);
    unsigned long steps = 0, fault;
    for (int t = 0; t < TURNS; t++, steps += STEPS) {
      bw[t] = (double)(n * sizeof *a) / stream_sum(a, n, &sink);
      const double t0 = now();
      if (phsim_engine_advance(e, steps, steps + STEPS, &fault) != PHSIM_OK) break;
      sps[t] = STEPS / (now() - t0);
    }
    qsort(bw, TURNS, sizeof *bw, cmp_double);
    qsort(sps, TURNS, sizeof *sps, cmp_double);
    const double bytes = 1.5 * (double)(cfg.N * (cfg.P - cfg.Pf) * cfg.d) * sizeof(double);
    const double B = bw[TURNS / 2], S = sps[TURNS / 2];
    printf("read bandwidth (streaming sum, 256 MB; median of %d, checksum %.0f): "
           "%.2f GB/s\nsampled resample=never d = 200 in turns with it: %.1f "
           "steps/s x %.1f MB = %.2f GB/s, %.0f%% of the bandwidth (its bound: "
           "%.1f steps/s)\n",
           TURNS, sink, B / 1e9, S, bytes / 1e6, S * bytes / 1e9,
           100.0 * S * bytes / B, B / bytes);
  }
  phsim_engine_free(e);
  gsl_rng_free(r);
  free(a);
}

int main(void) {
  static const size_t dims[] = {10, 200, 2000, 1000000};
  char dir[] = "/tmp/phsim-bench-XXXXXX";
  if (mkdtemp(dir) == NULL) {
    perror("bench: mkdtemp");
    return 1;
  }
  printf("population vs PyTorch autograd (tests/bench_torch.py; float64, one "
         "thread, m = 2, K = 2)\n"
         "       d   phsim steps/s  torch steps/s     ratio  agreement (relative)\n");
  versus_torch(200, dir);
  versus_torch(2000, dir);
  order_batch(64);
  char start[600], result[600];
  snprintf(start, sizeof start, "%s/start", dir);
  snprintf(result, sizeof result, "%s/result", dir);
  unlink(start);
  unlink(result);
  rmdir(dir);
  printf("engine     option                 d       steps/s   (m = 2, K = 2)\n");
  for (size_t i = 0; i < 4; i++) row(PHSIM_ENGINE_POPULATION, dims[i], NULL, 1000);
  for (size_t i = 0; i < 4; i++) row(PHSIM_ENGINE_ORDER, dims[i], NULL, 10000);
  for (size_t i = 0; i < 4; i++) row(PHSIM_ENGINE_FLOW, dims[i], NULL, 1000);
  /* N = 4096, P = 16 (the defaults); draw=full and draw=projected draw a
   * fresh batch every step (resample = step) */
  for (size_t i = 0; i < 3; i++) row(PHSIM_ENGINE_SAMPLED, dims[i], "resample=never", 1);
  for (size_t i = 0; i < 3; i++) row(PHSIM_ENGINE_SAMPLED, dims[i], "draw=full", 1);
  for (size_t i = 0; i < 4; i++) row(PHSIM_ENGINE_SAMPLED, dims[i], "draw=projected", 1);
  bandwidth_row();
  return 0;
}
