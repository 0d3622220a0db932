/* test_config.c: defaults, assignments, every class of configuration error
 * (status and message), and the resolved-config round trip. */
#include "testutil.h"

#include "phsim_config.h"

static void write_file(const char *path, const char *text) {
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
}

/* An error: status 2 and a message containing every one of the needles. */
static void expect_error(int st, const char *err, const char *n1,
                         const char *n2) {
  assert_int_equal(st, PHSIM_EINPUT);
  if (strstr(err, n1) == NULL) fail_msg("message '%s' lacks '%s'", err, n1);
  if (n2 != NULL && strstr(err, n2) == NULL)
    fail_msg("message '%s' lacks '%s'", err, n2);
}

/* The defaults are preset teach: the spec's section 5 at a flow-faithful
 * step size, reduced engine. */
static void test_defaults_are_the_spec_preset(void **s) {
  (void)s;
  phsim_config c;
  char err[PHSIM_ERR_MAX];
  phsim_config_default(&c);
  assert_int_equal(c.d, 100);
  assert_int_equal(c.m, 2);
  assert_int_equal(c.K, 2);
  assert_true(c.alpha[0] == 2.0 && c.alpha[1] == 1.0);
  assert_true(c.pi[0] == 0.5 && c.pi[1] == 0.5);
  assert_int_equal(c.P, 16);
  assert_int_equal(c.Pf, 8);
  assert_true(c.sigma == 1.0 && c.eta == 0.025 && c.eta_E == 0.0025);
  assert_int_equal(c.noise, PHSIM_NOISE_ORTHOGONAL);
  assert_int_equal(c.head, PHSIM_HEAD_OFFDIAG);
  assert_int_equal(c.engine, PHSIM_ENGINE_ORDER);
  assert_int_equal(c.preset, PHSIM_PRESET_TEACH);
  assert_int_equal(c.steps, 8000000);
  assert_true(c.threshold == 0.9);
  assert_int_equal(phsim_config_validate(&c, err), PHSIM_OK);
}

static void set_all(phsim_config *c, const char *const *kv, size_t n) {
  char err[PHSIM_ERR_MAX];
  phsim_config_default(c);
  for (size_t i = 0; i < n; i++)
    if (phsim_config_set_arg(c, kv[i], err) != PHSIM_OK) fail_msg("%s: %s", kv[i], err);
}

/* Preset paper: applied first whatever the order; alpha_2 = alpha_1 / ln d,
 * eta_E = eta / 100 and the budget 5 d^2 / eta follow the final d and eta;
 * a given key always wins. */
static void test_presets(void **s) {
  (void)s;
  phsim_config a, b;
  const char *const before[] = {"d=1000", "eta=0.1", "preset=paper"};
  const char *const after[] = {"preset=paper", "d=1000", "eta=0.1"};
  set_all(&a, before, 3);
  set_all(&b, after, 3);
  assert_int_equal(a.d, 1000);
  assert_true(a.alpha[0] == 2.0 && a.alpha[1] == 2.0 / log(1000.0));
  assert_true(a.eta == 0.1 && a.eta_E == 0.1 / 100.0);
  assert_int_equal(a.steps, (unsigned long)ceil((5e6 + 1e10) / 0.1));
  assert_int_equal(a.log_per_decade, 100);
  assert_int_equal(a.engine, PHSIM_ENGINE_FLOW);
  assert_true(b.alpha[1] == a.alpha[1] && b.eta_E == a.eta_E && b.steps == a.steps &&
              b.d == a.d && b.engine == a.engine);
  const char *const given[] = {"alpha=2,1", "eta_E=0.01", "preset=paper", "d=20000",
                               "steps=100"};
  set_all(&a, given, 5);
  assert_true(a.alpha[1] == 1.0 && a.eta_E == 0.01);
  assert_int_equal(a.steps, 100);
  assert_int_equal(a.d, 20000);
  const char *const back[] = {"preset=paper", "preset=teach"};
  set_all(&a, back, 2);
  phsim_config_default(&b);
  assert_true(a.d == b.d && a.eta == b.eta && a.eta_E == b.eta_E && a.steps == b.steps &&
              a.alpha[1] == b.alpha[1] && a.engine == b.engine);
}

static void test_assignments(void **s) {
  (void)s;
  phsim_config c;
  char err[PHSIM_ERR_MAX];
  phsim_config_default(&c);
  assert_int_equal(phsim_config_set_arg(&c, "d=250", err), PHSIM_OK);
  assert_int_equal(c.d, 250);
  assert_int_equal(phsim_config_set_arg(&c, " steps = 4e5 ", err), PHSIM_OK);
  assert_int_equal(c.steps, 400000);
  assert_int_equal(phsim_config_set_arg(&c, "alpha=3, 1.5,0.5", err), PHSIM_OK);
  assert_int_equal(c.K, 3);
  assert_true(c.alpha[2] == 0.5);
  assert_true(fabs(c.pi[1] - 1.0 / 3.0) < 1e-15); /* uniform follows K */
  assert_int_equal(phsim_config_set_arg(&c, "pi=0.5,0.25,0.25", err), PHSIM_OK);
  assert_int_equal(c.n_pi, 3);
  assert_int_equal(phsim_config_set_arg(&c, "head=full", err), PHSIM_OK);
  assert_int_equal(c.head, PHSIM_HEAD_FULL);
  assert_int_equal(phsim_config_set_arg(&c, "noise=isotropic", err), PHSIM_OK);
  assert_int_equal(phsim_config_set_arg(&c, "mask=half", err), PHSIM_OK);
  assert_int_equal(c.mask, PHSIM_MASK_HALF);
  assert_int_equal(phsim_config_set_arg(&c, "d=7", err), PHSIM_OK); /* later wins */
  assert_int_equal(c.d, 7);
  assert_int_equal(phsim_config_validate(&c, err), PHSIM_OK);
}

static void test_value_errors(void **s) {
  (void)s;
  static const char *const bad[][3] = {
      /* arg, needle in message, second needle */
      {"dd=3", "unknown key 'dd'", "known keys"},
      {"d=", "key 'd'", "empty"},
      {"d=abc", "value 'abc'", "integer"},
      {"d=0", "value '0'", "from 1"},
      {"d=-4", "value '-4'", "integer"},
      {"d=2.5", "value '2.5'", "integer"},
      {"m=nan", "value 'nan'", "integer"},
      {"steps=99999999999999999999", "key 'steps'", "integer"},
      {"steps=2e15", "key 'steps'", "out of range"},
      {"seed=4294967295", "key 'seed'", "4294967294"},
      {"eta=0", "key 'eta'", "> 0"},
      {"eta=inf", "value 'inf'", "finite"},
      {"eta_E=-1", "key 'eta_E'", ">= 0"},
      {"sigma=1e999", "key 'sigma'", "finite"},
      {"threshold=1.5", "key 'threshold'", "(0, 1]"},
      {"threshold=0", "key 'threshold'", "(0, 1]"},
      {"alpha=2,,1", "key 'alpha'", "empty entry"},
      {"alpha=2,-1", "key 'alpha'", "out of range"},
      {"alpha=2,x", "key 'alpha'", "not a finite number"},
      {"pi=0.5,1.5", "key 'pi'", "out of range"},
      {"head=none", "value 'none'", "offdiag fixed full"},
      {"noise=white", "value 'white'", "orthogonal isotropic"},
      {"mask=random", "value 'random'", "bernoulli half"},
      {"engine=gpu", "value 'gpu'", "population"},
      {"P=1", "key 'P'", "from 2"},
      {"noequals", "expected key=value", NULL},
      {"=3", "expected key=value", NULL},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    phsim_config c;
    char err[PHSIM_ERR_MAX] = "";
    phsim_config_default(&c);
    expect_error(phsim_config_set_arg(&c, bad[i][0], err), err, bad[i][1],
                 bad[i][2]);
  }
}

static void test_cross_key_errors(void **s) {
  (void)s;
  static const char *const bad[][4] = {
      /* two assignments, then needles of validate's message */
      {"Pf=9", "P=8", "key 'Pf'", "P = 8"},
      {"alpha=1,1,1", "d=2", "key 'alpha'", "K <= d"},
      {"pi=0.5,0.25", "alpha=1,1", "key 'pi'", "sum"},
      {"pi=0.5,0.5", "alpha=1,1,1", "key 'pi'", "3"},
      {"engine=population", "d=1000000000", "keys 'm', 'd'", "GiB"},
      {"init_W=/nonexistent/w.txt", "d=5", "key 'init_W'", "cannot open"},
      {"act=relu", "engine=order", "key 'act'", "engine = sampled"},
      {"ema=0.5", "stopgrad=false", "key 'ema'", "stopgrad = true"},
      {"ema=0.5", "engine=flow", "key 'ema'", "ema = 0"},
      {"draw=projected", "resample=never", "key 'draw'", "resample"},
      {"engine=sampled", "N=100000000", "'N', 'P'", "GiB"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    phsim_config c;
    char err[PHSIM_ERR_MAX] = "";
    phsim_config_default(&c);
    assert_int_equal(phsim_config_set_arg(&c, bad[i][0], err), PHSIM_OK);
    assert_int_equal(phsim_config_set_arg(&c, bad[i][1], err), PHSIM_OK);
    expect_error(phsim_config_validate(&c, err), err, bad[i][2], bad[i][3]);
  }
}

static void test_init_file_errors(void **s) {
  (void)s;
  char dir[256], path[300], arg[320], err[PHSIM_ERR_MAX];
  tu_tempdir(dir, sizeof dir, "cfg");
  snprintf(path, sizeof path, "%s/w.txt", dir);
  static const char *const bad[][2] = {
      {"1 2 3\n4 5 6\n", "expected 4 numbers, found 3"},
      {"1 2 3 4\n", "found 1 rows"},
      {"1 2 3 4\n5 6 7 8\n9 9 9 9\n", "more than the expected 2 rows"},
      {"1 2 3 4\n5 x 7 8\n", "'x' is not a finite number"},
      {"1 2 3 4\n5 nan 7 8\n", "'nan' is not a finite number"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    phsim_config c;
    phsim_config_default(&c);
    c.d = 4;
    write_file(path, bad[i][0]);
    snprintf(arg, sizeof arg, "init_W=%s", path);
    assert_int_equal(phsim_config_set_arg(&c, arg, err), PHSIM_OK);
    expect_error(phsim_config_validate(&c, err), err, "key 'init_W'", bad[i][1]);
  }
  /* A good file: comments and commas allowed. */
  write_file(path, "# W\n1, 2, 3, 4\n\n5 6 7 8\n");
  phsim_config c;
  phsim_config_default(&c);
  c.d = 4;
  snprintf(arg, sizeof arg, "init_W=%s", path);
  assert_int_equal(phsim_config_set_arg(&c, arg, err), PHSIM_OK);
  assert_int_equal(phsim_config_validate(&c, err), PHSIM_OK);
  remove(path);
  rmdir(dir);
}

static void test_file_errors(void **s) {
  (void)s;
  char dir[256], path[300], err[PHSIM_ERR_MAX];
  tu_tempdir(dir, sizeof dir, "cfg");
  snprintf(path, sizeof path, "%s/c.cfg", dir);
  static const char *const bad[][3] = {
      {"d = 5\nd = 6\n", "line 2", "given twice"},
      {"d = 5\nwhat\n", "line 2", "expected 'key = value'"},
      {"[run]\nd = 5\n", "line 2", "sections"},
      {"# ok\nm = 2\nbogus = 1\n", "line 3", "unknown key 'bogus'"},
      {"d = 5 # five\nm = two\n", "line 2", "value 'two'"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    phsim_config c;
    phsim_config_default(&c);
    write_file(path, bad[i][0]);
    err[0] = '\0';
    expect_error(phsim_config_read_file(&c, path, err), err, bad[i][1],
                 bad[i][2]);
  }
  char long_line[400];
  memset(long_line, 'x', sizeof long_line - 2);
  long_line[sizeof long_line - 2] = '\n';
  long_line[sizeof long_line - 1] = '\0';
  write_file(path, long_line);
  phsim_config c;
  phsim_config_default(&c);
  expect_error(phsim_config_read_file(&c, path, err), err, "line 1", "longer");
  expect_error(phsim_config_read_file(&c, "/nonexistent.cfg", err), err,
               "cannot open config file", "/nonexistent.cfg");
  remove(path);
  rmdir(dir);
}

static void test_resolved_config_round_trip(void **s) {
  (void)s;
  char dir[256], path[300], err[PHSIM_ERR_MAX];
  tu_tempdir(dir, sizeof dir, "cfg");
  snprintf(path, sizeof path, "%s/resolved", dir);
  phsim_config a, b;
  phsim_config_default(&a);
  assert_int_equal(phsim_config_set_arg(&a, "alpha=2.1,0.3333333333333333,1e-3", err), PHSIM_OK);
  assert_int_equal(phsim_config_set_arg(&a, "eta_E=0.07", err), PHSIM_OK);
  assert_int_equal(phsim_config_set_arg(&a, "head=fixed", err), PHSIM_OK);
  assert_int_equal(phsim_config_set_arg(&a, "seed=123456", err), PHSIM_OK);
  FILE *fp = fopen(path, "w");
  assert_int_equal(phsim_config_write(&a, fp), PHSIM_OK);
  fclose(fp);
  phsim_config_default(&b);
  assert_int_equal(phsim_config_read_file(&b, path, err), PHSIM_OK);
  assert_int_equal(a.K, b.K);
  for (size_t l = 0; l < a.K; l++) {
    assert_true(a.alpha[l] == b.alpha[l]);
    assert_true(a.pi[l] == b.pi[l]);
  }
  assert_true(a.eta_E == b.eta_E && a.eta == b.eta && a.threshold == b.threshold);
  assert_int_equal(a.head, b.head);
  assert_int_equal(a.seed, b.seed);
  assert_int_equal(a.steps, b.steps);
  assert_string_equal(a.init_W, b.init_W);
  remove(path);
  rmdir(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_defaults_are_the_spec_preset),
      cmocka_unit_test(test_presets),
      cmocka_unit_test(test_assignments),
      cmocka_unit_test(test_value_errors),
      cmocka_unit_test(test_cross_key_errors),
      cmocka_unit_test(test_init_file_errors),
      cmocka_unit_test(test_file_errors),
      cmocka_unit_test(test_resolved_config_round_trip),
  };
  return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
