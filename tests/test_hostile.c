/* test_hostile.c: phsim against hostile surroundings: paths full of shell
 * syntax, pipes as input, full devices as output, signals.  phsim runs as a
 * child with an argument vector (tu_spawn), never through a shell, so that
 * the test itself cannot be the injection. */
#include "testutil.h"

/* A path under dir whose name holds $(...), backticks, quotes, spaces, a
 * newline and ';', each of which would run `touch canary` if a shell ever
 * saw it. */
static void hostile_name(char *buf, size_t n, const char *dir, const char *tag,
                         const char *canary) {
  int k = snprintf(buf, n, "%s/%s $(touch %s)`touch %s`;touch %s;'q\"\n\\ x", dir,
                   tag, canary, canary, canary);
  if (k < 0 || (size_t)k >= n) fail_msg("path too long");
}

static void test_plot_paths_with_shell_metacharacters(void **s) {
  (void)s;
  char dir[256], canary[320], run[1200], sweep[1200], two[1200], seeds[1200], f[1300];
  tu_tempdir(dir, sizeof dir, "paths");
  snprintf(canary, sizeof canary, "%s/PWNED", dir);
  hostile_name(run, sizeof run, dir, "run", canary);
  hostile_name(sweep, sizeof sweep, dir, "sweep", canary);
  hostile_name(two, sizeof two, dir, "two", canary);
  hostile_name(seeds, sizeof seeds, dir, "seeds", canary);
  const char *bin = tu_phsim();
  const char *a1[] = {bin, "run", "--set", "d=20", "--set", "steps=2000",
                      "--set", "log_every=10", "--out", run, NULL};
  assert_int_equal(tu_spawn(a1, NULL, NULL), 0);
  const char *a2[] = {bin, "plot", run, NULL};
  assert_int_equal(tu_spawn(a2, NULL, NULL), 0);
  snprintf(f, sizeof f, "%s/run.png", run);
  assert_true(tu_exists(f));
  const char *a3[] = {bin, "sweep", "--set", "engine=order", "--set", "steps=20000",
                      "--set", "stop=strong", "--set", "log_every=1", "--grid", "d=20:80:3:log",
                      "--grid", "seed=1:2:2", "--out", sweep, NULL};
  assert_int_equal(tu_spawn(a3, NULL, NULL), 0);
  const char *a4[] = {bin, "plot", sweep, NULL};
  assert_int_equal(tu_spawn(a4, NULL, NULL), 0);
  snprintf(f, sizeof f, "%s/plots/scaling-T1.pdf", sweep);
  assert_true(tu_exists(f));
  const char *a5[] = {bin, "sweep", "--set", "engine=order", "--set", "steps=3000",
                      "--set", "d=20", "--grid", "eta_E=0.05,0.1", "--grid",
                      "head=offdiag,fixed", "--grid", "P=16,20", "--out", two, NULL};
  assert_int_equal(tu_spawn(a5, NULL, NULL), 0);
  const char *a6[] = {bin, "plot", two, NULL};
  assert_int_equal(tu_spawn(a6, NULL, NULL), 0);
  snprintf(f, sizeof f, "%s/plots/phase-diagram-features.png", two);
  assert_true(tu_exists(f));
  const char *a7[] = {bin, "sweep", "--set", "engine=order", "--set", "steps=3000",
                      "--set", "d=20", "--grid", "seed=1:3:3", "--out", seeds, NULL};
  assert_int_equal(tu_spawn(a7, NULL, NULL), 0);
  const char *a8[] = {bin, "plot", seeds, NULL};
  assert_int_equal(tu_spawn(a8, NULL, NULL), 0);
  snprintf(f, sizeof f, "%s/plots/outcomes.pdf", seeds);
  assert_true(tu_exists(f));
  if (tu_exists(canary)) fail_msg("a shell ran a command hidden in a path");
  tu_rmtree(dir);
}

/* A file of m lines of n numbers: the identity's first n columns scaled. */
static void write_matrix(const char *path, size_t m, size_t n, double scale) {
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  for (size_t i = 0; i < m; i++)
    for (size_t j = 0; j < n; j++)
      fprintf(fp, "%g%c", (i == j ? 1.0 : 0.05 * (double)((i + j) % 3)) * scale,
              j + 1 == n ? '\n' : ' ');
  fclose(fp);
}

/* Three facet keys whose values are 150-character paths: the facet names
 * once overflowed a 256-byte stack buffer. */
static void test_plot_long_facet_values(void **s) {
  (void)s;
  char dir[256], long_name[200], e1[512], e2[512], w1[512], w2[512], out[300];
  char gE[1200], gW[1200];
  tu_tempdir(dir, sizeof dir, "facets");
  memset(long_name, 'x', 150);
  long_name[150] = '\0';
  snprintf(e1, sizeof e1, "%s/E1%s", dir, long_name);
  snprintf(e2, sizeof e2, "%s/E2%s", dir, long_name);
  snprintf(w1, sizeof w1, "%s/W1%s", dir, long_name);
  snprintf(w2, sizeof w2, "%s/W2%s", dir, long_name);
  write_matrix(e1, 2, 2, 1.0);
  FILE *fp = fopen(e2, "w");
  fputs("1 0.1\n0.1 1\n", fp);
  fclose(fp);
  write_matrix(w1, 2, 20, 0.3);
  write_matrix(w2, 2, 20, 0.4);
  snprintf(gE, sizeof gE, "init_E=%s,%s", e1, e2);
  snprintf(gW, sizeof gW, "init_W=%s,%s", w1, w2);
  snprintf(out, sizeof out, "%s/sweep", dir);
  const char *a1[] = {tu_phsim(), "sweep", "--set", "engine=order", "--set", "d=20",
                      "--set", "steps=200", "--grid", "eta_E=0.05,0.1", "--grid",
                      "head=offdiag,fixed", "--grid", gE, "--grid", gW, "--grid", "P=16,18",
                      "--out", out, NULL};
  assert_int_equal(tu_spawn(a1, NULL, NULL), 0);
  const char *a2[] = {tu_phsim(), "plot", out, NULL};
  assert_int_equal(tu_spawn(a2, NULL, NULL), 0);
  char f[400];
  snprintf(f, sizeof f, "%s/plots/phase-diagram-features.pdf", out);
  assert_true(tu_exists(f));
  tu_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plot_paths_with_shell_metacharacters),
      cmocka_unit_test(test_plot_long_facet_values),
  };
  return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}
