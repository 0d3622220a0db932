/* bench.c: steps per second of every engine (`make bench`).  Not a test:
 * nothing is asserted; the numbers go to NOTES.md section 6.
 *
 * In one run:
 *  1. the machine: a multiply-add loop built as phsim is (-O2, -std=c11: no
 *     fused multiply-add) for the flops a core reaches, beside the nominal
 *     peak (2.6 GHz x 16 double flops a cycle, AVX2 FMA); a streaming read
 *     of 256 MB for the memory bandwidth;
 *  2. the population engine against its peers at d = 200 and 2000, side by
 *     side: PyTorch autograd (tests/bench_torch.py) and hand-vectorised
 *     NumPy (tests/bench_numpy.py), the same closed form, float64, one
 *     thread (tests/bench_peer.py).  phsim is timed before and after the
 *     peers (the mean is shown), and each peer's rho_j after its steps from
 *     the start bench drew are compared with phsim's after as many.  A peer
 *     whose python3 module is missing is skipped with a note (Debian:
 *     python3-torch, python3-numpy);
 *  3. the order engine's batch against one run (order_batch);
 *  4. every engine's steps per second with its work per step (flops, bytes)
 *     and the percent of the peak flops and bandwidth that rate is;
 *  5. a sweep's overhead per run (sweep_overhead): the CPU a sweep of
 *     short runs takes beyond the same runs alone, with run directories (on
 *     tmpfs if there is one) and table-only, and the floor of the runs/
 *     layout: its directory and two files written whole (temporary +
 *     rename) by plain system calls;
 *  6. issue 13's E4 phase diagram at a twelfth of its runs (e4_twelfth):
 *     CPU seconds, and twelve times that for the 2400 runs. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "phsim_engine.h"
#include "phsim_popgrad.h"
#include "phsim_reduced.h"
#include "phsim_reduced_batch.h"
#include "phsim_run.h"
#include "phsim_spawn.h"
#include "phsim_sweep.h"
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

/* A peer of the population engine: a script of tests/ (bench_peer.py) and
 * the Debian package its python3 module comes in. */
typedef struct {
  const char *name, *script, *package;
} peer;

static const peer peers[] = {{"torch", "tests/bench_torch.py", "python3-torch"},
                             {"numpy", "tests/bench_numpy.py", "python3-numpy"}};
#define NPEERS (sizeof peers / sizeof peers[0])

/* Run the peer's script on the start in dir (it knows the default model:
 * orthogonal noise, bn, stop-gradient); its steps, steps per second and
 * final rho (m entries).  0 when it ran. */
static int run_peer(const peer *pr, const phsim_config *cfg, const char *dir,
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
  const char *argv[] = {NULL, pr->script, "--init", init,
                        "--out", out, "--K", K, "--kC", num[0], "--kM1", num[1],
                        "--kM2", num[2], "--nu1", num[3], "--nu2", num[4],
                        "--s6", num[5], "--eta", num[6], "--eta-E", num[7],
                        "--head", phsim_config_choice(cfg, "head"), "--c", c, NULL};
  /* PHSIM_PYTHON, else the first python3 with the module: on PATH, or
   * Debian's (python3-torch and python3-numpy install into /usr/bin/python3's
   * packages).  The script exits 3 without its module. */
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

/* What a peer did at dimension d: ran, its steps per second and the
 * relative difference of its rho_j from phsim's after its steps. */
typedef struct {
  int ran;
  double rate, agreement;
  unsigned long steps;
} peer_result;

static peer_result versus_peer(const peer *pr, const phsim_config *cfg,
                               const phsim_initial *init, const char *dir) {
  peer_result res = {0, 0.0, NAN, 0};
  double rho[PHSIM_MAX_M];
  res.ran = run_peer(pr, cfg, dir, &res.steps, &res.rate, rho) == 0;
  if (res.ran) res.agreement = rho_error_after(cfg, init, res.steps, rho);
  return res;
}

/* phsim's population engine against its peers (PyTorch autograd, NumPy)
 * at dimension d: all from one drawn start; phsim timed before and after
 * them. */
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
  peer_result res[NPEERS];
  const double before = bench(&cfg, &init, 1000, 1.5);
  const int written = write_start(start, &init) == 0;
  for (size_t k = 0; k < NPEERS; k++)
    res[k] = written ? versus_peer(&peers[k], &cfg, &init, dir) : (peer_result){0, 0, NAN, 0};
  const double mean = 0.5 * (before + bench(&cfg, &init, 1000, 1.5));
  printf("%8zu  %12.1f", d, mean);
  for (size_t k = 0; k < NPEERS; k++)
    if (res[k].ran) printf("  %12.1f %7.0fx %8.1e", res[k].rate, mean / res[k].rate, res[k].agreement);
    else printf("  %12s %8s %8s", "skipped", "-", "-");
  printf("\n");
  fflush(stdout);
  phsim_initial_free(&init);
  gsl_rng_free(r);
}

/* The note under the peers' table: what was skipped and why. */
static void peers_note(void) {
  printf("(agreement: max_j |rho_j - phsim's| / max_j |phsim's| after the peer's steps "
         "from one start; a peer is skipped when no python3 (PHSIM_PYTHON, python3, "
         "/usr/bin/python3) has its module: Debian:");
  for (size_t k = 0; k < NPEERS; k++) printf(" %s", peers[k].package);
  printf(")\n");
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

/* ---- the machine ------------------------------------------------------ */

#define NOMINAL_GFLOPS (2.6 * 16.0) /* 2.6 GHz x 16 double flops a cycle (AVX2 FMA) */

/* Flops per second of 32 independent multiply-add chains x = x a + b
 * (a multiply and an add each: -std=c11 fuses none), best of 5 runs of
 * 2^24 updates: what code built as phsim is can reach on one core. */
static double peak_flops(void) {
  double x[32], best = 0.0;
  const double a = 0.9999999, b = 1e-7;
  for (int k = 0; k < 32; k++) x[k] = 1.0 + k;
  for (int round = 0; round < 5; round++) {
    const double t0 = now();
    for (int it = 0; it < (1 << 19); it++)
      for (int k = 0; k < 32; k++) x[k] = x[k] * a + b;
    best = fmax(best, 2.0 * 32.0 * (1 << 19) / (now() - t0));
  }
  double sum = 0.0;
  for (int k = 0; k < 32; k++) sum += x[k];
  if (sum == 42.0) printf(" "); /* keep the loop */
  return best;
}

/* Seconds of one streaming sum over a[0..n) (eight sums side by side;
 * their total added to *sink so that the loop is kept). */
static double stream_sum(const double *a, size_t n, double *sink) {
  double s[8] = {0}, t0 = now();
  for (size_t i = 0; i < n; i += 8)
    for (int k = 0; k < 8; k++) s[k] += a[i + k];
  const double t = now() - t0;
  for (int k = 0; k < 8; k++) *sink += s[k];
  return t;
}

/* Bytes per second of a streaming read over 256 MB, best of 3. */
static double peak_bandwidth(void) {
  const size_t n = (size_t)1 << 25;
  double *v = malloc(n * sizeof *v), best = 0.0, sum = 0.0;
  if (v == NULL) return NAN;
  for (size_t i = 0; i < n; i++) v[i] = (double)(i & 1023);
  for (int round = 0; round < 3; round++)
    best = fmax(best, (double)(n * sizeof *v) / stream_sum(v, n, &sum));
  if (sum == 42.0) printf(" ");
  free(v);
  return best;
}

/* ---- the engines -------------------------------------------------------- */

/* A step's work: flops and bytes streamed from memory (0: not counted), and
 * what they are. */
typedef struct {
  double flops, bytes;
  const char *what;
} work;

static work population_work(const phsim_config *c) {
  const double m = (double)c->m, d = (double)c->d;
  return (work){(3 * m * m + m) * d, 16 * m * d, "(3m^2+m)d flops; W read and written once"};
}
static work order_work(const phsim_config *c) {
  (void)c;
  return (work){0, 0, "mK+2m^2 = 12 numbers; a dependent chain (latency), no d"};
}
static work flow_work(const phsim_config *c) {
  (void)c;
  return (work){0, 0, "adaptive BDF: simulated steps, not work"};
}
/* Sampled: the forward Z = X W^T over the noise patches (N (P - Pf) d
 * doubles, 2 m flops each) and the backward dW = dZ^T X over those in
 * view 1 (about half: mask = bernoulli); feature patches come from the
 * batch's structure.  draw=full writes X's noise patches as it draws them
 * and projects each in cache (a write costs a read and a write). */
static work sampled_work(const phsim_config *c) {
  const double x = (double)c->N * (double)(c->P - c->Pf) * (double)c->d;
  if (phsim_config_draws_projected(c))
    return (work){0, 0, "X never formed: the O(N P m^2) projected draw"};
  const int fresh = c->resample != PHSIM_RESAMPLE_NEVER;
  return (work){3 * x * (double)c->m, 8 * x * (fresh ? 2.5 : 1.5),
                fresh ? "noise patches drawn and projected, half read again"
                      : "noise patches read once, half again"};
}

/* A row of the table: an engine, an option, the dimensions it runs at. */
typedef struct {
  phsim_engine_kind kind;
  const char *option; /* NULL: the defaults */
  size_t ndims;       /* of 10, 200, 2000, 10^6 */
  unsigned long chunk;
  work (*work)(const phsim_config *);
} engine_row;

/* The percent of peak a rate of `per_s` units is, or "-". */
static void percent(double per_s, double peak) {
  if (per_s > 0 && peak > 0) printf(" %6.2f%%", 100.0 * per_s / peak);
  else printf(" %7s", "-");
}

/* A count, or "-" for none. */
static void count(double x) {
  if (x > 0) printf(" %9.3g", x);
  else printf(" %9s", "-");
}

/* Bytes a step streams that stay in the last-level cache are not memory
 * traffic: no bandwidth percent for them.  The machine's L3 (lscpu: 32 MiB;
 * the VM's sysconf says 268 MB, so it is not asked). */
static double cache_bytes(void) { return 32.0 * 1024 * 1024; }

/* Steps per second of one configuration; its work per step and the
 * percents of the peaks. */
static void row(const engine_row *e, size_t d, double gflops, double gbs) {
  phsim_config cfg;
  char err[PHSIM_ERR_MAX];
  phsim_config_default(&cfg);
  cfg.engine = e->kind;
  cfg.d = d;
  if (e->option != NULL && phsim_config_set_arg(&cfg, e->option, err) != PHSIM_OK) {
    fprintf(stderr, "bench: %s\n", err);
    return;
  }
  const double rate = bench(&cfg, NULL, e->chunk, 1.5);
  const work w = e->work(&cfg);
  printf("%-10s %-15s %8zu %12.1f", phsim_engine_name(e->kind), e->option ? e->option : "",
         d, rate);
  count(w.flops);
  count(w.bytes);
  percent(rate * w.flops * 1e-9, gflops);
  percent(w.bytes > cache_bytes() ? rate * w.bytes * 1e-9 : 0.0, gbs);
  printf("  %s\n", w.what);
  fflush(stdout);
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
 * structure, not from X; X holds the noise patches, view 1 first:
 * phsim_batch_alloc_streamed). */
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

/* Every engine's rows (m = 2, K = 2; sampled: N = 4096, P = 16, the
 * defaults; draw=full and draw=projected draw a fresh batch every step). */
static void engine_rows(double gflops, double gbs) {
  static const size_t dims[] = {10, 200, 2000, 1000000};
  static const engine_row rows[] = {
      {PHSIM_ENGINE_POPULATION, NULL, 4, 1000, population_work},
      {PHSIM_ENGINE_ORDER, NULL, 4, 10000, order_work},
      {PHSIM_ENGINE_FLOW, NULL, 4, 1000, flow_work},
      {PHSIM_ENGINE_SAMPLED, "resample=never", 3, 1, sampled_work},
      {PHSIM_ENGINE_SAMPLED, "draw=full", 3, 1, sampled_work},
      {PHSIM_ENGINE_SAMPLED, "draw=projected", 4, 1, sampled_work},
  };
  printf("\nengine     option                 d      steps/s flops/step bytes/step  %%flops    "
         "%%bw  work per step (m = 2, K = 2)\n");
  for (size_t r = 0; r < sizeof rows / sizeof rows[0]; r++)
    for (size_t i = 0; i < rows[r].ndims; i++) row(&rows[r], dims[i], gflops, gbs);
  printf("(%%flops: of the nominal %.1f GFlop/s; %%bw: of the measured read bandwidth, "
         "where the bytes of a step exceed the %.0f MiB cache)\n", NOMINAL_GFLOPS,
         cache_bytes() / 1048576.0);
}

static double cpu_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

enum { OVERHEAD_RUNS = 2000, OVERHEAD_TURNS = 3 };

/* CPU seconds of the default configuration's OVERHEAD_RUNS runs of 10
 * steps (seeds 1..), alone: no directory, the summary kept in memory. */
static double runs_alone(void) {
  phsim_config cfg;
  phsim_config_default(&cfg);
  cfg.steps = cfg.log_every = 10;
  char err[PHSIM_ERR_MAX];
  const double t0 = cpu_now();
  for (unsigned long seed = 1; seed <= OVERHEAD_RUNS; seed++) {
    phsim_summary sum;
    cfg.seed = seed;
    if (phsim_run_execute(&cfg, NULL, (phsim_run_opts){.summary = &sum}, err) == PHSIM_OK)
      phsim_summary_free(&sum);
  }
  return cpu_now() - t0;
}

static void remove_tree(const char *dir) {
  const char *const argv[] = {"rm", "-rf", dir, NULL};
  char err[PHSIM_ERR_MAX];
  if (phsim_spawn(argv, NULL, err) != PHSIM_OK) fprintf(stderr, "bench: %s\n", err);
}

/* CPU seconds of a sweep of s->base over the grids (one job) into out
 * (new: nothing to clean first); NAN if it failed.  Frees s. */
static double sweep_cpu(phsim_sweep *s, const char *const *grids, size_t ngrids,
                        const char *out, int table_only) {
  char err[PHSIM_ERR_MAX];
  int st = PHSIM_OK;
  for (size_t g = 0; g < ngrids && st == PHSIM_OK; g++, s->ngrids++)
    st = phsim_grid_parse(grids[g], &s->base, &s->grids[g], err);
  s->out = out;
  s->jobs = 1;
  s->shard_i = s->shard_n = 1;
  s->table_only = table_only;
  const double t0 = cpu_now();
  if (st == PHSIM_OK) st = phsim_sweep_execute(s, err);
  const double t = cpu_now() - t0;
  phsim_sweep_free(s);
  if (st != PHSIM_OK) fprintf(stderr, "bench: sweep: %s\n", err);
  return st == PHSIM_OK ? t : NAN;
}

/* The same runs as runs_alone as a sweep (seed=1:N:N). */
static double sweep_of(const char *out, int table_only) {
  phsim_sweep s;
  char grid[64];
  memset(&s, 0, sizeof s);
  phsim_config_default(&s.base);
  s.base.steps = s.base.log_every = 10;
  snprintf(grid, sizeof grid, "seed=1:%d:%d", OVERHEAD_RUNS, OVERHEAD_RUNS);
  const char *const grids[] = {grid};
  return sweep_cpu(&s, grids, 1, out, table_only);
}

/* Issue 13's E4 phase diagram (alpha_2 10 x eta_E/eta 10 x head 2 x seed
 * 12 = 2400 runs of 200,000 steps) at a twelfth: seed 1's 200 runs, at E4's
 * step and rows (experiments/e4_phase_diagram.sh: eta = 0.05, log_every =
 * 500), one job, table-only. */
static void e4_twelfth(void) {
  char out[] = "/dev/shm/phsim-bench-e4-XXXXXX", alt[] = "/tmp/phsim-bench-e4-XXXXXX";
  char *dir = mkdtemp(out) != NULL ? out : mkdtemp(alt);
  if (dir == NULL) return;
  phsim_sweep s;
  char sub[96];
  memset(&s, 0, sizeof s);
  phsim_config_default(&s.base);
  s.base.eta = 0.05;
  s.base.steps = 200000;
  s.base.log_every = 500;
  snprintf(sub, sizeof sub, "%s/e4", dir);
  const char *const grids[] = {"alpha_2=0.5:1.6:10", "eta_E=0.0005:0.05:10:log",
                               "head=offdiag,fixed"};
  const double t = sweep_cpu(&s, grids, 3, sub, 1);
  remove_tree(dir);
  printf("\nE4's phase diagram at a twelfth (200 of the 2400 points: seed 1; 200,000 steps, "
         "eta 0.05, a row every 500 steps; one job, table-only, so the %zu fixed-head points "
         "that differ only in eta_E take an earlier point's run): %.2f s of CPU, so about "
         "%.1f s for the 2400 (target 15 s)\n", s.repeated, t, 12.0 * t);
}

static double median_of_turns(double *x) {
  qsort(x, OVERHEAD_TURNS, sizeof *x, cmp_double);
  return x[OVERHEAD_TURNS / 2];
}

/* A sweep's overhead per run: its CPU beyond the runs alone, the variants
 * in turns (the median of OVERHEAD_TURNS), batched (the default) and one
 * run at a time (PHSIM_SWEEP_BATCH=0). */
/* CPU per run of what the runs/ layout itself takes: a directory and two
 * files of about a run's config and summary.json written whole (a
 * temporary, then rename), OVERHEAD_RUNS times in dir. */
static double layout_floor(const char *dir) {
  static const char fill[4096] = {0};
  static const size_t size[2] = {700, 3500};
  int dfd = mkdir(dir, 0777) == 0 ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
  if (dfd < 0) return NAN;
  const double t0 = cpu_now();
  int ok = 1;
  for (int i = 0; i < OVERHEAD_RUNS && ok; i++) {
    char run[16], tmp[48], name[48];
    snprintf(run, sizeof run, "%06d", i);
    ok = mkdirat(dfd, run, 0777) == 0;
    for (int f = 0; f < 2 && ok; f++) {
      snprintf(tmp, sizeof tmp, "%s/.f%d.tmp", run, f);
      snprintf(name, sizeof name, "%s/f%d", run, f);
      const int fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
      ok = fd >= 0 && write(fd, fill, size[f]) == (ssize_t)size[f];
      ok = (fd >= 0 && close(fd) == 0) && ok && renameat(dfd, tmp, dfd, name) == 0;
    }
  }
  const double t = cpu_now() - t0;
  close(dfd);
  return ok ? t / OVERHEAD_RUNS : NAN;
}

static void sweep_overhead(void) {
  char out[] = "/dev/shm/phsim-bench-sweep-XXXXXX", alt[] = "/tmp/phsim-bench-sweep-XXXXXX";
  char *dir = mkdtemp(out) != NULL ? out : mkdtemp(alt);
  if (dir == NULL) return;
  double alone[OVERHEAD_TURNS], v[4][OVERHEAD_TURNS];
  char sub[96];
  for (int t = 0; t < OVERHEAD_TURNS; t++) {
    alone[t] = runs_alone();
    for (int k = 0; k < 4; k++) {
      setenv("PHSIM_SWEEP_BATCH", k < 2 ? "0" : "1", 1);
      snprintf(sub, sizeof sub, "%s/%d-%d", dir, t, k);
      v[k][t] = sweep_of(sub, k % 2);
    }
  }
  unsetenv("PHSIM_SWEEP_BATCH");
  const double a = median_of_turns(alone);
  static const char *const what[4] = {"runs/ (one at a time)", "table-only (one at a time)",
                                      "runs/ (batched)", "table-only (batched)"};
  printf("\nsweep overhead (%d runs of 10 steps, one job, %s; CPU per run, median of %d): "
         "the runs alone %.1f us\n", OVERHEAD_RUNS, dir == out ? "tmpfs" : "/tmp",
         OVERHEAD_TURNS, 1e6 * a / OVERHEAD_RUNS);
  for (int k = 0; k < 4; k++) {
    const double m = median_of_turns(v[k]);
    printf("  %-28s %7.1f us a run, overhead %6.1f us\n", what[k], 1e6 * m / OVERHEAD_RUNS,
           1e6 * (m - a) / OVERHEAD_RUNS);
  }
  snprintf(sub, sizeof sub, "%s/floor", dir);
  printf("  the runs/ layout's own system calls (a directory and two files written whole, "
         "by temporary and rename): %.1f us a run\n", 1e6 * layout_floor(sub));
  remove_tree(dir);
}

int main(void) {
  char dir[] = "/tmp/phsim-bench-XXXXXX";
  if (mkdtemp(dir) == NULL) {
    perror("bench: mkdtemp");
    return 1;
  }
  const double flops = peak_flops() * 1e-9, gbs = peak_bandwidth() * 1e-9;
  printf("machine, one core: a multiply-add loop built as phsim is (no FMA) %.1f GFlop/s, "
         "%.0f%% of the nominal %.1f (2.6 GHz x 16 flops a cycle, AVX2 FMA); a streaming "
         "read of 256 MB %.1f GB/s\n\n",
         flops, 100.0 * flops / NOMINAL_GFLOPS, NOMINAL_GFLOPS, gbs);
  printf("population vs its peers (float64, one thread, m = 2, K = 2; the same closed-form "
         "step from one start)\n"
         "       d  phsim steps/s  torch steps/s   ratio agreement  numpy steps/s   ratio "
         "agreement\n");
  versus_torch(200, dir);
  versus_torch(2000, dir);
  peers_note();
  char start[600], result[600];
  snprintf(start, sizeof start, "%s/start", dir);
  snprintf(result, sizeof result, "%s/result", dir);
  unlink(start);
  unlink(result);
  rmdir(dir);
  printf("\n");
  order_batch(64);
  engine_rows(NOMINAL_GFLOPS, gbs);
  bandwidth_row();
  sweep_overhead();
  e4_twelfth();
  return 0;
}
