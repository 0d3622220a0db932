/* test_run.c: head modes, run outputs, reproducibility from the resolved
 * config, numerical faults, and the paper's qualitative outcome on a reduced
 * preset. */
#include "testutil.h"

#include <jansson.h>

#include "phsim_io.h"
#include "phsim_pop.h"
#include "phsim_run.h"

/* E after `steps` steps of a run from random weights and a random head. */
static void run_head_mode(phsim_head head, gsl_matrix *E0, gsl_matrix *E1) {
  phsim_config cfg;
  tu_config(&cfg, 3, 2, 10, PHSIM_NOISE_ORTHOGONAL, PHSIM_MASK_BERNOULLI);
  cfg.head = head;
  cfg.eta_E = 0.05;
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  gsl_rng_set(r, 7);
  phsim_pop *pop = phsim_pop_alloc(&cfg);
  tu_random_weights(pop->W, 2, r);
  tu_random_head(pop->E, r);
  gsl_matrix_memcpy(E0, pop->E);
  for (int t = 0; t < 20; t++) {
    assert_int_equal(phsim_pop_eval(pop), PHSIM_OK);
    phsim_pop_step(pop);
  }
  gsl_matrix_memcpy(E1, pop->E);
  phsim_pop_free(pop);
  gsl_rng_free(r);
}

static void test_head_modes(void **s) {
  (void)s;
  gsl_matrix *E0 = gsl_matrix_alloc(3, 3), *E1 = gsl_matrix_alloc(3, 3);
  size_t diag_moved = 0, off_moved = 0;
  /* offdiag: the diagonal keeps its initial values bit for bit, the rest
   * trains. */
  run_head_mode(PHSIM_HEAD_OFFDIAG, E0, E1);
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < 3; j++) {
      if (i == j) assert_true(gsl_matrix_get(E0, i, j) == gsl_matrix_get(E1, i, j));
      else off_moved += gsl_matrix_get(E0, i, j) != gsl_matrix_get(E1, i, j);
    }
  assert_int_equal(off_moved, 6);
  /* fixed: nothing moves. */
  run_head_mode(PHSIM_HEAD_FIXED, E0, E1);
  assert_memory_equal(E0->data, E1->data, 9 * sizeof(double));
  /* full: the diagonal trains too. */
  run_head_mode(PHSIM_HEAD_FULL, E0, E1);
  for (size_t i = 0; i < 3; i++)
    diag_moved += gsl_matrix_get(E0, i, i) != gsl_matrix_get(E1, i, i);
  assert_int_equal(diag_moved, 3);
  gsl_matrix_free(E0);
  gsl_matrix_free(E1);
}

static char *slurp(const char *dir, const char *name) {
  char path[600];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *fp = fopen(path, "rb");
  if (fp == NULL) return NULL;
  fseek(fp, 0, SEEK_END);
  long n = ftell(fp);
  rewind(fp);
  char *buf = malloc((size_t)n + 1);
  assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
  buf[n] = '\0';
  fclose(fp);
  return buf;
}

static size_t count_lines(const char *text) {
  size_t n = 0;
  for (; *text; text++) n += (*text == '\n');
  return n;
}

static json_t *load_summary(const char *dir) {
  char path[600];
  snprintf(path, sizeof path, "%s/summary.json", dir);
  json_error_t e;
  json_t *s = json_load_file(path, 0, &e);
  if (s == NULL) fail_msg("cannot load %s: %s", path, e.text);
  return s;
}

static void test_run_outputs_and_reproducibility(void **s) {
  (void)s;
  char dir1[256], dir2[256], cfgpath[300], err[PHSIM_ERR_MAX];
  tu_tempdir(dir1, sizeof dir1, "run");
  tu_tempdir(dir2, sizeof dir2, "run");
  phsim_config cfg;
  tu_config_spec_step(&cfg);
  cfg.d = 30;
  cfg.steps = 1050;
  cfg.log_every = 100;
  cfg.seed = 5;
  assert_int_equal(phsim_run_execute(&cfg, dir1, phsim_run_opts_default(), err), PHSIM_OK);
  char *traj = slurp(dir1, "trajectory.csv");
  assert_non_null(traj);
  /* header + steps 0, 100, ..., 1000 + the last step 1050 */
  assert_int_equal(count_lines(traj), 1 + 11 + 1);
  static const char header[] =
      "step,loss,rho_1,rho_2,a_1_1,a_1_2,a_2_1,a_2_2,cos_1_1,cos_1_2,cos_2_1,"
      "cos_2_2,noise_1,noise_2,force_1_1,force_1_2,force_2_1,force_2_2,E_1_1,"
      "E_1_2,E_2_1,E_2_2\n";
  assert_true(strncmp(traj, header, strlen(header)) == 0);
  assert_non_null(strstr(traj, "\n1050,"));
  json_t *sum = load_summary(dir1);
  static const char *const keys[] = {
      "config", "learn_step", "features_learned", "collapsed", "E_peak",
      "E_minus_I_final", "effective_rank", "loss_final", "steps",
      "wall_seconds", "steps_per_second"};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    if (json_object_get(sum, keys[i]) == NULL) fail_msg("summary lacks %s", keys[i]);
  assert_int_equal(json_array_size(json_object_get(sum, "learn_step")), 2);
  assert_int_equal(json_integer_value(json_object_get(sum, "steps")), 1050);
  assert_string_equal(json_string_value(json_object_get(sum, "status")), "ok");
  /* Re-running the resolved config reproduces the trajectory bit for bit. */
  phsim_config again;
  phsim_config_default(&again);
  snprintf(cfgpath, sizeof cfgpath, "%s/config", dir1);
  assert_int_equal(phsim_config_read_file(&again, cfgpath, err), PHSIM_OK);
  assert_int_equal(phsim_run_execute(&again, dir2, phsim_run_opts_default(), err), PHSIM_OK);
  char *traj2 = slurp(dir2, "trajectory.csv");
  assert_string_equal(traj, traj2);
  free(traj);
  free(traj2);
  json_decref(sum);
  tu_rmtree(dir1);
  tu_rmtree(dir2);
}

/* init_W / init_E are read exactly (%.17g round trip). */
/* Write text to path. */
static void write_text(const char *path, const char *text) {
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
}

/* The spec-step defaults at d = 3 with init_W = path. */
static void config_with_W(phsim_config *cfg, const char *path) {
  tu_config_spec_step(cfg);
  cfg->d = 3;
  snprintf(cfg->init_W, sizeof cfg->init_W, "%s", path);
}

static void test_init_files(void **s) {
  (void)s;
  char dir[256], wpath[300], epath[300], err[PHSIM_ERR_MAX];
  tu_tempdir(dir, sizeof dir, "init");
  snprintf(wpath, sizeof wpath, "%s/W", dir);
  snprintf(epath, sizeof epath, "%s/E", dir);
  write_text(wpath, "0.1 -0.2 0.30000000000000004\n1e-3 0.5 -0.25\n");
  write_text(epath, "1 0.125\n-0.0625 1\n");
  phsim_config cfg;
  config_with_W(&cfg, wpath);
  strcpy(cfg.init_E, epath);
  assert_int_equal(phsim_config_validate(&cfg, err), PHSIM_OK);
  phsim_pop *pop = phsim_pop_alloc(&cfg);
  phsim_initial init;
  assert_int_equal(phsim_initial_read(&cfg, &init, err), PHSIM_OK);
  phsim_pop_start(pop, &cfg, &init, NULL);
  phsim_initial_free(&init);
  assert_true(gsl_matrix_get(pop->W, 0, 2) == 0.30000000000000004);
  assert_true(gsl_matrix_get(pop->W, 1, 0) == 1e-3);
  assert_true(gsl_matrix_get(pop->E, 0, 1) == 0.125);
  assert_true(gsl_matrix_get(pop->E, 1, 0) == -0.0625);
  phsim_pop_free(pop);
  remove(wpath);
  remove(epath);
  rmdir(dir);
}

static void first_row_overlap(void *ctx, const phsim_row *row) {
  if (row->step == 0) *(double *)ctx = row->a[0];
}

/* Read once: a run given the matrices validation read does not read the
 * files again (here the file changes in between, and the run starts from
 * what validation read). */
static void test_init_files_read_once(void **s) {
  (void)s;
  char dir[256], wpath[300], err[PHSIM_ERR_MAX];
  tu_tempdir(dir, sizeof dir, "initonce");
  snprintf(wpath, sizeof wpath, "%s/W", dir);
  write_text(wpath, "0.25 -0.2 0.3\n1e-3 0.5 -0.25\n");
  phsim_config cfg;
  config_with_W(&cfg, wpath);
  cfg.steps = 10;
  cfg.log_every = 10;
  phsim_initial init;
  assert_int_equal(phsim_config_validate_initial(&cfg, &init, err), PHSIM_OK);
  write_text(wpath, "0.75 -0.2 0.3\n1e-3 0.5 -0.25\n");
  double a11 = 0.0;
  phsim_run_opts opts = {.on_row = first_row_overlap, .row_ctx = &a11, .initial = &init};
  assert_int_equal(phsim_run_execute(&cfg, NULL, opts, err), PHSIM_OK);
  assert_true(a11 == 0.25);
  opts.initial = NULL; /* without them, the run reads the file as it is now */
  assert_int_equal(phsim_run_execute(&cfg, NULL, opts, err), PHSIM_OK);
  assert_true(a11 == 0.75);
  phsim_initial_free(&init);
  tu_rmtree(dir);
}

/* A dead neuron (w_2 = 0) makes D_2 = 0: the run stops at step 0 with
 * PHSIM_ENUM, keeps its (header-only) trajectory and says "diverged". */
static void test_numerical_fault(void **s) {
  (void)s;
  char dir[256], wpath[300], err[PHSIM_ERR_MAX];
  tu_tempdir(dir, sizeof dir, "fault");
  snprintf(wpath, sizeof wpath, "%s/W", dir);
  write_text(wpath, "0.5 0.1 0.2\n0 0 0\n");
  phsim_config cfg;
  config_with_W(&cfg, wpath);
  char out[300];
  snprintf(out, sizeof out, "%s/out", dir);
  assert_int_equal(phsim_run_execute(&cfg, out, phsim_run_opts_default(), err), PHSIM_ENUM);
  assert_non_null(strstr(err, "step 0"));
  json_t *sum = load_summary(out);
  assert_string_equal(json_string_value(json_object_get(sum, "status")), "diverged");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(sum, "fault"), "step")), 0);
  char *traj = slurp(out, "trajectory.csv");
  assert_non_null(traj);
  assert_int_equal(count_lines(traj), 1);
  free(traj);
  json_decref(sum);
  tu_rmtree(dir);
}

/* Run (d = 20, 50000 steps) and return features learned and whether every
 * neuron that learned something learned v_1 only. */
static void reduced_run(unsigned long seed, phsim_head head, long *learned,
                        int *only_v1) {
  char dir[256], err[PHSIM_ERR_MAX];
  tu_tempdir(dir, sizeof dir, "preset");
  phsim_config cfg;
  tu_config_spec_step(&cfg);
  cfg.d = 20;
  cfg.steps = 50000;
  cfg.log_every = 1000;
  cfg.seed = seed;
  cfg.head = head;
  assert_int_equal(phsim_run_execute(&cfg, dir, phsim_run_opts_default(), err), PHSIM_OK);
  json_t *sum = load_summary(dir);
  *learned = (long)json_integer_value(json_object_get(sum, "features_learned"));
  json_t *cosf = json_object_get(sum, "cos_final");
  *only_v1 = 1;
  for (size_t j = 0; j < 2; j++)
    if (fabs(json_real_value(json_array_get(json_array_get(cosf, j), 1))) >= 0.9)
      *only_v1 = 0;
  json_decref(sum);
  tu_rmtree(dir);
}

/* The paper's outcome on the reduced preset d = 20 (spec section 5
 * otherwise).  Seeds 2, 3 and 8 start with both neurons closer to v_1 in the
 * race c_1 a_1^4 vs c_2 a_2^4, so without a head both collapse onto v_1; with
 * the off-diagonal head one of them is redirected to v_2.  Over seeds 1..12
 * the head must win clearly on the count of runs that learn both features. */
static void test_paper_outcome_reduced_preset(void **s) {
  (void)s;
  static const unsigned long shown[] = {2, 3, 8};
  for (size_t i = 0; i < 3; i++) {
    long learned;
    int only_v1;
    reduced_run(shown[i], PHSIM_HEAD_OFFDIAG, &learned, &only_v1);
    assert_int_equal(learned, 2);
    reduced_run(shown[i], PHSIM_HEAD_FIXED, &learned, &only_v1);
    assert_int_equal(learned, 1);
    assert_true(only_v1);
  }
  int both_head = 0, both_fixed = 0;
  for (unsigned long seed = 1; seed <= 12; seed++) {
    long learned;
    int only_v1;
    reduced_run(seed, PHSIM_HEAD_OFFDIAG, &learned, &only_v1);
    both_head += (learned == 2);
    reduced_run(seed, PHSIM_HEAD_FIXED, &learned, &only_v1);
    both_fixed += (learned == 2);
  }
  assert_true(both_head >= 9);
  assert_true(both_head >= both_fixed + 4);
}

/* The twin (key twin): at the defaults, a twin 1e-15 away ends with the
 * run's outcome and diverges by more than 0 and far less than 1; on seed 2
 * at the spec's step (eta = 1, the weights overshoot and the dynamics after
 * learning is chaotic) the same twin parts by O(1). */
static json_t *twin_of(phsim_config *cfg) {
  char dir[256], err[PHSIM_ERR_MAX];
  tu_tempdir(dir, sizeof dir, "twin");
  phsim_run_opts opts = phsim_run_opts_default();
  opts.warn = 0;
  assert_int_equal(phsim_run_execute(cfg, dir, opts, err), PHSIM_OK);
  json_t *sum = load_summary(dir);
  json_t *t = json_deep_copy(json_object_get(sum, "twin"));
  assert_string_equal(json_string_value(json_object_get(t, "status")), "ok");
  json_decref(sum);
  tu_rmtree(dir);
  return t;
}

static void test_twin(void **s) {
  (void)s;
  phsim_config cfg;
  phsim_config_default(&cfg);
  cfg.steps = 400000;
  cfg.twin = 1e-15;
  json_t *t = twin_of(&cfg);
  double gap = json_real_value(json_object_get(t, "divergence_max"));
  assert_true(gap > 0.0 && gap < 1e-6);
  assert_true(json_is_false(json_object_get(t, "fragile")));
  json_decref(t);
  tu_config_spec_step(&cfg);
  cfg.engine = PHSIM_ENGINE_ORDER;
  cfg.seed = 2;
  cfg.steps = 20000;
  cfg.twin = 1e-15;
  t = twin_of(&cfg);
  gap = json_real_value(json_object_get(t, "divergence_max"));
  if (!(gap > 1e-3)) fail_msg("seed 2 at eta = 1: twin divergence %.3g", gap);
  json_decref(t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_head_modes),
      cmocka_unit_test(test_run_outputs_and_reproducibility),
      cmocka_unit_test(test_init_files),
      cmocka_unit_test(test_init_files_read_once),
      cmocka_unit_test(test_numerical_fault),
      cmocka_unit_test(test_paper_outcome_reduced_preset),
      cmocka_unit_test(test_twin),
  };
  return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
