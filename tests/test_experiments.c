/* test_experiments.c: CI runs the reduced version (QUICK=1) of every
 * experiment in experiments/ and checks that it ends with a PASS verdict. */
#include "testutil.h"

#include <sys/wait.h>

/* Run QUICK=1 experiments/<script> and check its verdict line: it must say
 * "verdict: PASS", or, when `expect` is given, contain every string of it
 * (the per-claim verdicts of an experiment whose claims are measured to
 * fail at finite d: a regression check on what it finds, either way). */
static void run_experiment_expect(const char *script, const char *name,
                                  const char *const *expect, size_t nexpect,
                                  void (*check)(const char *dir)) {
  char dir[256], cmd[1024], path[400];
  tu_tempdir(dir, sizeof dir, "exp");
  const char *bin = getenv("PHSIM");
  snprintf(cmd, sizeof cmd,
           "QUICK=1 OUT=%s PHSIM=%s sh experiments/%s > %s/log.txt 2>&1", dir,
           bin ? bin : "bin/phsim", script, dir);
  int st = system(cmd);
  snprintf(path, sizeof path, "%s/%s/verdict.txt", dir, name);
  FILE *fp = fopen(path, "r");
  char line[4096] = "";
  if (fp != NULL) {
    if (fgets(line, sizeof line, fp) == NULL) line[0] = '\0';
    fclose(fp);
  }
  print_message("%s", line);
  int ok = strstr(line, "verdict: ") != NULL;
  for (size_t i = 0; i < nexpect; i++) ok = ok && strstr(line, expect[i]) != NULL;
  if (nexpect == 0) ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 && strstr(line, "verdict: PASS");
  if (!ok) {
    snprintf(cmd, sizeof cmd, "tail -n 20 %s/log.txt", dir);
    if (system(cmd) != 0) print_message("(no log)\n");
    fail_msg("%s: exit %d, verdict '%s'", script, WEXITSTATUS(st), line);
  }
  if (check != NULL) check(dir);
  tu_rmtree(dir);
}

static void run_experiment(const char *script, const char *name) {
  run_experiment_expect(script, name, NULL, 0, NULL);
}

static void test_e1(void **s) { (void)s; run_experiment("e1_mechanism.sh", "e1"); }
static void test_e2(void **s) { (void)s; run_experiment("e2_phase1_time.sh", "e2"); }
/* common.sh's small_ratio_exponent, V7's and E3's statistic, on made-up
 * seeds: |E| = s r^b at r = 10^-4, 3.2e-4, 10^-3 and one ratio beyond the
 * decade (which must be ignored) for n seeds; prints "median lo hi n".
 * b = 1/2 for every seed puts 1/2 in the interval; b = 0.49 + 0.001 s
 * (n = 8: the order statistics' interval is the 1st and 8th) keeps it out;
 * under 6 seeds there is no 95% interval (nan). */
static void small_ratio(int n, const char *law, char *out, size_t size) {
  char dir[256], cmd[2048];
  tu_tempdir(dir, sizeof dir, "sre");
  snprintf(cmd, sizeof cmd,
           "awk 'BEGIN { for (s = 1; s <= %d; s++) { for (k = 0; k < 4; k++) { r = 1e-4 * 10 ^ (k / 2); "
           "b = %s; printf \"%%.17g %%.17g\\n\", r, s * r ^ (k < 3 ? b : 0.9) } print \"\" } }' > %s/s.dat && "
           "sh -c '. experiments/common.sh && small_ratio_exponent %s/s.dat %s/t' > %s/out.txt",
           n, law, dir, dir, dir, dir);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof cmd, "%s/out.txt", dir);
  FILE *fp = fopen(cmd, "r");
  assert_non_null(fp);
  if (fgets(out, (int)size, fp) == NULL) out[0] = '\0';
  fclose(fp);
  tu_rmtree(dir);
}

static void test_small_ratio_exponent(void **s) {
  (void)s;
  char out[256];
  double m, lo, hi;
  int n;
  small_ratio(8, "0.5", out, sizeof out);
  assert_int_equal(sscanf(out, "%lf %lf %lf %d", &m, &lo, &hi, &n), 4);
  assert_true(fabs(m - 0.5) < 1e-9 && lo <= 0.5 && hi >= 0.5 && n == 8);
  small_ratio(8, "0.49 + 0.001 * s", out, sizeof out);
  assert_int_equal(sscanf(out, "%lf %lf %lf %d", &m, &lo, &hi, &n), 4);
  assert_true(fabs(lo - 0.491) < 1e-9 && fabs(hi - 0.498) < 1e-9 && hi < 0.5);
  small_ratio(5, "0.5", out, sizeof out);
  if (strstr(out, " nan nan 5") == NULL) fail_msg("5 seeds: '%s', expected no interval", out);
}

/* E3 (d = 1000) finds the exponent below 1/2 at the smallest ratios where
 * the head substitutes there (NOTES 10.2): a FAIL with its three numbers. */
static void test_e3(void **s) {
  (void)s;
  static const char *const expect[] = {"E3 verdict: FAIL", "kappa 3: 0.4", "kappa 10: 0.4", "kappa 30: 0.4",
                                       "faithful 120/120"};
  run_experiment_expect("e3_substitution.sh", "e3", expect, sizeof expect / sizeof *expect, NULL);
}
static void test_e4(void **s) { (void)s; run_experiment("e4_phase_diagram.sh", "e4"); }
static void test_e5(void **s) { (void)s; run_experiment("e5_width.sh", "e5"); }
static void test_e6(void **s) { (void)s; run_experiment("e6_ablations.sh", "e6"); }
static void test_e7(void **s) { (void)s; run_experiment("e7_finite_samples.sh", "e7"); }
/* E8's reduced version (d = 10^2..10^5, 16 seeds): the per-claim verdicts
 * it finds (NOTES section 10.1 has the full version's, and the mutations
 * that flip each), V1..V8 (expect below); and its phase-IV table against d
 * and budget and its figures (check_e8). */
/* E8's d values and budget fractions in QUICK (the rows of its phase-IV
 * table), and its seeds per d. */
static const double e8_d[] = {100, 1000, 10000, 100000};
static const char *const e8_frac[] = {"0.0001", "0.001", "0.01", "0.1", "1"};
enum { E8_ND = 4, E8_NF = 5, E8_SEEDS = 16 };

/* The median per d of dir/e8/stats-E_minus_I_final.csv (d,n,censored,
 * median,lo,hi), in the order of e8_d; NAN where missing. */
static void e8_final_medians(const char *dir, double med[E8_ND]) {
  char path[400];
  snprintf(path, sizeof path, "%s/e8/stats-E_minus_I_final.csv", dir);
  char *t = tu_slurp(path);
  assert_non_null(t);
  for (size_t i = 0; i < E8_ND; i++) med[i] = NAN;
  for (char *l = strchr(t, '\n'); l != NULL && l[1] != '\0'; l = strchr(l + 1, '\n')) {
    double d, m;
    int n, c;
    if (sscanf(l + 1, "%lf,%d,%d,%lf", &d, &n, &c, &m) != 4) continue;
    for (size_t i = 0; i < E8_ND; i++)
      if (d == e8_d[i]) med[i] = m;
  }
  free(t);
}

/* A PNG that gnuplot wrote: the signature and more than a header. */
static void assert_png(const char *dir, const char *name) {
  char path[400];
  size_t len = 0;
  snprintf(path, sizeof path, "%s/e8/%s", dir, name);
  char *t = tu_slurp_len(path, &len);
  if (t == NULL || len < 2000 || memcmp(t, "\x89PNG", 4) != 0)
    fail_msg("%s: missing or not a PNG (%zu bytes)", path, len);
  free(t);
}

/* E8's phase-IV table against d and budget (phase4-budget.csv) and the two
 * figures: a row for every (d, fraction), each with all E8_SEEDS runs,
 * none censored (||E - I|| finite), past_T3 <= n, lo <= median <= hi; at
 * f = 1 the median is E_minus_I_final's (QUICK's budget sweep is the d
 * sweep's head runs: the same runs, read from their trajectories) and
 * below 1/d (V5). */
static void check_e8(const char *dir) {
  char path[400];
  snprintf(path, sizeof path, "%s/e8/phase4-budget.csv", dir);
  char *t = tu_slurp(path);
  assert_non_null(t);
  static const char hdr[] = "d,fraction,budget_step,n,censored,past_T3,median,lo,hi\n";
  assert_true(strncmp(t, hdr, sizeof hdr - 1) == 0);
  double fin[E8_ND];
  e8_final_medians(dir, fin);
  int seen[E8_ND][E8_NF] = {{0}}, rows = 0;
  for (char *l = strchr(t, '\n'); l != NULL && l[1] != '\0'; l = strchr(l + 1, '\n')) {
    double d, step, med, lo, hi;
    char f[16];
    int n, c, past;
    if (sscanf(l + 1, "%lf,%15[^,],%lf,%d,%d,%d,%lf,%lf,%lf", &d, f, &step, &n, &c, &past, &med,
               &lo, &hi) != 9)
      fail_msg("phase4-budget.csv: unreadable row '%.80s'", l + 1);
    rows++;
    assert_int_equal(n, E8_SEEDS);
    assert_int_equal(c, 0);
    assert_true(past >= 0 && past <= n);
    assert_true(lo <= med && med <= hi && lo >= 0.0 && step > 0.0);
    for (size_t i = 0; i < E8_ND; i++)
      for (size_t k = 0; k < E8_NF; k++)
        if (d == e8_d[i] && strcmp(f, e8_frac[k]) == 0) seen[i][k]++;
    if (strcmp(f, "1") != 0) continue;
    for (size_t i = 0; i < E8_ND; i++)
      if (d == e8_d[i]) {
        assert_true(fabs(med - fin[i]) <= 1e-9 * fin[i]);
        assert_true(med < 1.0 / d);
      }
  }
  free(t);
  assert_int_equal(rows, E8_ND * E8_NF);
  for (size_t i = 0; i < E8_ND; i++)
    for (size_t k = 0; k < E8_NF; k++) assert_int_equal(seen[i][k], 1);
  static const char *const figs[] = {"phase1.png", "phase2-ratio.png", "outcomes.png", "phase4-budget.png",
                                     "collapse.png", "accel-ratio.png"};
  for (size_t i = 0; i < sizeof figs / sizeof *figs; i++) assert_png(dir, figs[i]);
}

static void test_e8(void **s) {
  (void)s;
  static const char *const expect[] = {"PASS; V2", "PASS; V3", "FAIL; V4", "PASS; V5", "PASS; V6", "PASS; V7",
                                       "FAIL; V8", "PASS; 'any m'"};
  run_experiment_expect("e8_dstudy.sh", "e8", expect, sizeof expect / sizeof *expect, check_e8);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_e1), cmocka_unit_test(test_e2), cmocka_unit_test(test_e3),
      cmocka_unit_test(test_e4), cmocka_unit_test(test_e5), cmocka_unit_test(test_e6),
      cmocka_unit_test(test_e7), cmocka_unit_test(test_e8), cmocka_unit_test(test_small_ratio_exponent),
  };
  return cmocka_run_group_tests_name("experiments", tests, NULL, NULL);
}
