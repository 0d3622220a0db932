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

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plot_paths_with_shell_metacharacters),
  };
  return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}
