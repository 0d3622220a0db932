/* testutil.h: shared helpers for the cmocka tests (header-only). */
#ifndef PHSIM_TESTUTIL_H
#define PHSIM_TESTUTIL_H

#define _XOPEN_SOURCE 700
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <ftw.h>
#include <sys/wait.h>

#include <sys/stat.h>

#include <gsl/gsl_matrix.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "phsim_config.h"
#include "phsim_validate.h"

/* Assert |got - want| <= tol with a message that shows the numbers. */
#define assert_close(got, want, tol)                                         \
  do {                                                                       \
    double g_ = (got), w_ = (want), t_ = (tol);                              \
    if (!(fabs(g_ - w_) <= t_))                                              \
      fail_msg("%s = %.17g, expected %.17g within %.3g (off by %.3g)", #got, \
               g_, w_, t_, fabs(g_ - w_));                                   \
  } while (0)

/* The defaults at the spec's section-5 step (eta = 1, eta_E = 0.1, 400000
 * steps logged every 100, population engine): the large, fast steps the
 * tests of mechanics (outputs, engines' agreement over short windows,
 * faults) were written for.  Not flow-faithful (NOTES, "the defaults"). */
static inline void tu_config_spec_step(phsim_config *cfg) {
  phsim_config_default(cfg);
  cfg->eta = 1.0;
  cfg->eta_E = 0.1;
  cfg->engine = PHSIM_ENGINE_POPULATION;
  cfg->steps = 400000;
  cfg->log_every = 100;
}

/* A configuration for tests: tu_config_spec_step with the given shape. */
static inline void tu_config(phsim_config *cfg, size_t m, size_t K, size_t d,
                             phsim_noise noise, phsim_mask mask) {
  static const double alphas[] = {2.0, 1.3, 1.0, 0.8, 0.7, 0.6};
  tu_config_spec_step(cfg);
  cfg->m = m;
  cfg->K = K;
  cfg->d = d;
  cfg->P = 7; /* odd: half masks give views of different sizes */
  cfg->Pf = 3;
  cfg->sigma = 0.9;
  cfg->noise = noise;
  cfg->mask = mask;
  for (size_t l = 0; l < K; l++) {
    cfg->alpha[l] = alphas[l % 6];
    cfg->pi[l] = 1.0 / (double)K;
  }
}

/* Gaussian entries with standard deviation sd. */
static inline void tu_fill_gaussian(gsl_matrix *X, gsl_rng *r, double sd) {
  for (size_t i = 0; i < X->size1; i++)
    for (size_t j = 0; j < X->size2; j++)
      gsl_matrix_set(X, i, j, gsl_ran_gaussian(r, sd));
}

/* A random head near the identity, far enough to exercise every term. */
static inline void tu_random_head(gsl_matrix *E, gsl_rng *r) {
  tu_fill_gaussian(E, r, 0.3);
  for (size_t i = 0; i < E->size1; i++) *gsl_matrix_ptr(E, i, i) += 1.0;
}

/* Weights with O(1) feature overlaps: feature columns N(0, 0.8^2), the rest
 * N(0, 0.5^2 / d). */
static inline void tu_random_weights(gsl_matrix *W, size_t K, gsl_rng *r) {
  for (size_t j = 0; j < W->size1; j++)
    for (size_t i = 0; i < W->size2; i++)
      gsl_matrix_set(W, j, i,
                     gsl_ran_gaussian(r, i < K ? 0.8
                                               : 0.5 / sqrt((double)W->size2)));
}

/* sum_ij X_ij Y_ij */
static inline double tu_frob_dot(const gsl_matrix *X, const gsl_matrix *Y) {
  double acc = 0.0;
  for (size_t i = 0; i < X->size1; i++)
    for (size_t j = 0; j < X->size2; j++)
      acc += gsl_matrix_get(X, i, j) * gsl_matrix_get(Y, i, j);
  return acc;
}

/* W = W0 + t U: a point on a finite-difference line. */
static inline void tu_move(gsl_matrix *W, const gsl_matrix *W0, double t,
                           const gsl_matrix *U) {
  gsl_matrix_memcpy(W, W0);
  for (size_t i = 0; i < W->size1; i++)
    for (size_t j = 0; j < W->size2; j++)
      *gsl_matrix_ptr(W, i, j) += t * gsl_matrix_get(U, i, j);
}

/* A = W[:, :K], R = W[:, K:] W[:, K:]^T, straight from the definitions. */
static inline void tu_reduce(const gsl_matrix *W, size_t K, gsl_matrix *A,
                             gsl_matrix *R) {
  for (size_t r = 0; r < W->size1; r++) {
    for (size_t l = 0; l < K; l++) gsl_matrix_set(A, r, l, gsl_matrix_get(W, r, l));
    for (size_t s = 0; s < W->size1; s++) {
      double acc = 0.0;
      for (size_t i = K; i < W->size2; i++)
        acc += gsl_matrix_get(W, r, i) * gsl_matrix_get(W, s, i);
      gsl_matrix_set(R, r, s, acc);
    }
  }
}

/* A fresh directory under $TMPDIR (or /tmp). */
static inline void tu_tempdir(char *buf, size_t n, const char *tag) {
  const char *base = getenv("TMPDIR");
  snprintf(buf, n, "%s/phsim-%s-XXXXXX", base ? base : "/tmp", tag);
  if (mkdtemp(buf) == NULL) fail_msg("mkdtemp failed for %s", buf);
}

static inline int tu_unlink_entry(const char *path, const struct stat *sb,
                                  int flag, struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

/* rm -rf dir (nftw, no shell: dir may hold any byte), asserting it worked. */
static inline void tu_rmtree(const char *dir) {
  assert_int_equal(nftw(dir, tu_unlink_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
}

/* The phsim binary under test ($PHSIM, default bin/phsim). */
static inline const char *tu_phsim(void) {
  const char *p = getenv("PHSIM");
  return p ? p : "bin/phsim";
}

/* Run argv (argv[0] a path) with stdout and stderr into the given files
 * (NULL: /dev/null), no shell; returns the exit status (-signal if
 * killed). */
static inline int tu_spawn(const char *const argv[], const char *out_path,
                           const char *err_path) {
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int o = open(out_path ? out_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = open(err_path ? err_path : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (o < 0 || e < 0) _exit(126);
    dup2(o, 1);
    dup2(e, 2);
    execv(argv[0], (char *const *)argv);
    _exit(127);
  }
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

/* The contents of a file (malloc'd, NUL-terminated; NULL if unreadable)
 * and, if len is not NULL, its length in bytes (NULs included). */
static inline char *tu_slurp_len(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (fp == NULL) return NULL;
  size_t cap = 4096, n = 0;
  char *buf = malloc(cap);
  for (size_t got; (got = fread(buf + n, 1, cap - n - 1, fp)) > 0;) {
    n += got;
    if (n + 1 == cap) buf = realloc(buf, cap *= 2);
  }
  buf[n] = '\0';
  fclose(fp);
  if (len != NULL) *len = n;
  return buf;
}

static inline char *tu_slurp(const char *path) { return tu_slurp_len(path, NULL); }

/* A listing of a tree, to tell whether anything in it changed: one line
 * "path size mtime" per entry, sorted (malloc'd). */
static char **tu_snap_lines;
static size_t tu_snap_n, tu_snap_cap, tu_snap_root;
static inline int tu_snap_entry(const char *path, const struct stat *sb, int flag,
                                struct FTW *ftw) {
  (void)flag;
  (void)ftw;
  if (tu_snap_n == tu_snap_cap)
    tu_snap_lines = realloc(tu_snap_lines, (tu_snap_cap = 2 * tu_snap_cap + 16) * sizeof *tu_snap_lines);
  char line[4200];
  snprintf(line, sizeof line, "%s %lld %lld.%09ld\n", path + tu_snap_root, (long long)sb->st_size,
           (long long)sb->st_mtim.tv_sec, sb->st_mtim.tv_nsec);
  tu_snap_lines[tu_snap_n++] = strdup(line);
  return 0;
}
static inline int tu_snap_cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}
static inline char *tu_snapshot(const char *dir) {
  tu_snap_n = 0;
  tu_snap_root = strlen(dir);
  nftw(dir, tu_snap_entry, 16, FTW_PHYS);
  qsort(tu_snap_lines, tu_snap_n, sizeof *tu_snap_lines, tu_snap_cmp);
  size_t len = 1;
  for (size_t i = 0; i < tu_snap_n; i++) len += strlen(tu_snap_lines[i]);
  char *out = malloc(len);
  out[0] = '\0';
  for (size_t i = 0; i < tu_snap_n; i++) {
    strcat(out, tu_snap_lines[i]);
    free(tu_snap_lines[i]);
  }
  return out;
}

/* Does path exist? */
static inline int tu_exists(const char *path) {
  struct stat sb;
  return stat(path, &sb) == 0;
}

#endif
