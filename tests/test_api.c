/* test_api.c: the public C API (phsim.h) against the command line: the same
 * messages, the same rows, the same summary, the same gradient; two handles
 * in two threads give the results of one after the other. */
#include "testutil.h"

#include <pthread.h>

#include "phsim.h"

/* A setup from "key=value" pairs, each accepted. */
static phsim_setup *setup_of(const char *const *kv, size_t n) {
  char err[PHSIM_ERR_MAX], key[64];
  phsim_setup *s = phsim_setup_alloc();
  assert_non_null(s);
  for (size_t i = 0; i < n; i++) {
    const char *eq = strchr(kv[i], '=');
    snprintf(key, sizeof key, "%.*s", (int)(eq - kv[i]), kv[i]);
    if (phsim_setup_set(s, key, eq + 1, err) != PHSIM_OK) fail_msg("%s: %s", kv[i], err);
  }
  return s;
}

/* What `phsim ARGS...` writes on stderr (and its status). */
static int cli(const char *const *args, char *out_path, char *errtext, size_t n) {
  char err_path[300];
  const char *argv[32] = {tu_phsim()};
  size_t k = 1;
  while (args[k - 1] != NULL) argv[k] = args[k - 1], k++;
  argv[k] = NULL;
  char dir[256];
  tu_tempdir(dir, sizeof dir, "apicli");
  snprintf(err_path, sizeof err_path, "%s/stderr", dir);
  int st = tu_spawn(argv, out_path, err_path);
  char *text = tu_slurp(err_path);
  snprintf(errtext, n, "%s", text ? text : "");
  free(text);
  tu_rmtree(dir);
  return st;
}

static void test_errors_are_the_cli_messages(void **s) {
  (void)s;
  static const char *const bad[][3] = {{"d", "0", "d=0"}, {"alpha", "2,x", "alpha=2,x"},
                                       {"frob", "1", "frob=1"}, {"head", "diag", "head=diag"}};
  char err[PHSIM_ERR_MAX], text[2048], want[PHSIM_ERR_MAX + 16];
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    phsim_setup *su = phsim_setup_alloc();
    assert_int_equal(phsim_setup_set(su, bad[i][0], bad[i][1], err), PHSIM_EINPUT);
    const char *args[] = {"config", "--set", bad[i][2], NULL};
    assert_int_equal(cli(args, NULL, text, sizeof text), PHSIM_EINPUT);
    snprintf(want, sizeof want, "phsim: %s\n", err);
    assert_string_equal(text, want);
    phsim_setup_free(su);
  }
  /* a cross-key rule, at validation */
  phsim_setup *su = phsim_setup_alloc();
  assert_int_equal(phsim_setup_set(su, "Pf", "20", err), PHSIM_OK);
  assert_int_equal(phsim_setup_validate(su, err), PHSIM_EINPUT);
  const char *args[] = {"config", "--set", "Pf=20", NULL};
  assert_int_equal(cli(args, NULL, text, sizeof text), PHSIM_EINPUT);
  snprintf(want, sizeof want, "phsim: %s\n", err);
  assert_string_equal(text, want);
  phsim_setup_free(su);
}

typedef struct {
  size_t n;
  unsigned long steps[4096];
  double loss[4096];
} rows_seen;

static void count_row(void *ctx, const phsim_row *row) {
  rows_seen *r = ctx;
  assert_true(r->n < 4096);
  r->steps[r->n] = row->step;
  r->loss[r->n++] = row->loss;
}

/* Every logged row reaches the callback: the rows of trajectory.csv. */
static void test_callback_sees_every_row(void **s) {
  (void)s;
  static const char *const kv[] = {"engine=order", "d=50", "steps=3000", "log_every=37"};
  char dir[256], path[320], err[PHSIM_ERR_MAX];
  tu_tempdir(dir, sizeof dir, "apirows");
  phsim_setup *su = setup_of(kv, 4);
  rows_seen *r = calloc(1, sizeof *r);
  phsim_summary sum;
  assert_int_equal(phsim_setup_run(su, dir, count_row, r, &sum, err), PHSIM_OK);
  snprintf(path, sizeof path, "%s/trajectory.csv", dir);
  FILE *fp = fopen(path, "r");
  assert_non_null(fp);
  char line[1 << 14];
  size_t k = 0;
  assert_non_null(fgets(line, sizeof line, fp)); /* header */
  while (fgets(line, sizeof line, fp) != NULL) {
    unsigned long step;
    double loss;
    assert_int_equal(sscanf(line, "%lu,%lf", &step, &loss), 2);
    assert_true(k < r->n);
    assert_int_equal(step, r->steps[k]);
    assert_true(loss == r->loss[k]);
    k++;
  }
  fclose(fp);
  assert_int_equal(k, r->n);
  assert_int_equal(r->steps[r->n - 1], sum.steps);
  phsim_summary_free(&sum);
  phsim_setup_free(su);
  free(r);
  tu_rmtree(dir);
}

/* summary.json without what differs between two runs of one configuration
 * (timing and provenance). */
static json_t *comparable(json_t *o) {
  json_object_del(o, "provenance");
  json_object_del(o, "wall_seconds");
  json_object_del(o, "steps_per_second");
  return o;
}

static json_t *summary_of(const char *const *kv, size_t n) {
  char err[PHSIM_ERR_MAX];
  phsim_setup *su = setup_of(kv, n);
  phsim_summary sum;
  int st = phsim_setup_run(su, NULL, NULL, NULL, &sum, err);
  if (st != PHSIM_OK && st != PHSIM_ENUM) fail_msg("%s", err);
  json_t *o = comparable(phsim_summary_json(&sum));
  phsim_summary_free(&sum);
  phsim_setup_free(su);
  return o;
}

/* The struct holds what `phsim run` writes into summary.json, engine by
 * engine (twin and acceleration measured in one of them). */
static void test_summary_equals_summary_json(void **s) {
  (void)s;
  static const char *const engines[] = {"population", "order", "sampled", "flow"};
  char dir[256], path[320], text[2048], err[PHSIM_ERR_MAX], e[64];
  tu_tempdir(dir, sizeof dir, "apisum");
  for (size_t i = 0; i < 4; i++) {
    snprintf(e, sizeof e, "engine=%s", engines[i]);
    const char *kv[] = {e, "d=12", "N=300", "steps=400", "log_every=9",
                        i == 1 ? "twin=1e-6" : "seed=1", i == 1 ? "accel=true" : "seed=1"};
    snprintf(path, sizeof path, "%s/%s", dir, engines[i]);
    const char *args[] = {"run", "--set", kv[0], "--set", kv[1], "--set", kv[2], "--set", kv[3],
                          "--set", kv[4], "--set", kv[5], "--set", kv[6], "--out", path, NULL};
    assert_int_equal(cli(args, NULL, text, sizeof text), 0);
    snprintf(path, sizeof path, "%s/%s/summary.json", dir, engines[i]);
    json_t *file = phsim_json_load_checked(path, PHSIM_SUMMARY_MAX_BYTES, err);
    assert_non_null(file);
    json_t *mem = summary_of(kv, 7);
    if (!json_equal(comparable(file), mem)) fail_msg("engine %s: struct != %s", engines[i], path);
    /* and read back through the reader, the same */
    phsim_summary back;
    assert_int_equal(phsim_summary_read(path, &back, err), PHSIM_OK);
    json_t *again = comparable(phsim_summary_json(&back));
    assert_true(json_equal(again, mem));
    assert_true(back.provenance.known);
    assert_string_equal(back.provenance.version, phsim_version());
    phsim_summary_free(&back);
    json_decref(again);
    json_decref(file);
    json_decref(mem);
  }
  tu_rmtree(dir);
}

typedef struct {
  const char *const *kv;
  size_t n;
  json_t *result;
} job;

static void *run_job(void *arg) {
  job *j = arg;
  j->result = summary_of(j->kv, j->n);
  return NULL;
}

static void test_two_threads_as_sequential(void **s) {
  (void)s;
  static const char *const a[] = {"engine=population", "d=30", "steps=2000", "seed=3"};
  static const char *const b[] = {"engine=sampled", "d=10", "N=400", "steps=1500", "seed=5",
                                  "twin=1e-9"};
  job ja = {a, 4, NULL}, jb = {b, 6, NULL};
  json_t *sa = summary_of(a, 4), *sb = summary_of(b, 6);
  pthread_t ta, tb;
  assert_int_equal(pthread_create(&ta, NULL, run_job, &ja), 0);
  assert_int_equal(pthread_create(&tb, NULL, run_job, &jb), 0);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  assert_true(json_equal(sa, ja.result));
  assert_true(json_equal(sb, jb.result));
  json_decref(sa);
  json_decref(sb);
  json_decref(ja.result);
  json_decref(jb.result);
}

static void test_grad_equals_cli(void **s) {
  (void)s;
  static const char *const kv[] = {"d=6", "m=3", "alpha=2,1,0.5", "seed=9"};
  char dir[256], path[320], text[2048], err[PHSIM_ERR_MAX];
  tu_tempdir(dir, sizeof dir, "apigrad");
  snprintf(path, sizeof path, "%s/cli.json", dir);
  const char *args[] = {"grad", "--set", kv[0], "--set", kv[1], "--set", kv[2], "--set", kv[3],
                        NULL};
  assert_int_equal(cli(args, path, text, sizeof text), 0);
  char *want = tu_slurp(path);
  phsim_setup *su = setup_of(kv, 4);
  snprintf(path, sizeof path, "%s/api.json", dir);
  FILE *fp = fopen(path, "w");
  assert_int_equal(phsim_setup_grad(su, fp, err), PHSIM_OK);
  fclose(fp);
  char *got = tu_slurp(path);
  assert_string_equal(got, want);
  char *text_api = phsim_setup_grad_text(su, err);
  assert_non_null(text_api);
  assert_string_equal(text_api, want);
  phsim_free(text_api);
  free(want);
  free(got);
  phsim_setup_free(su);
  tu_rmtree(dir);
}

/* phsim_summary_text is summary.json's bytes; phsim_setup_config_text is
 * its "config"; phsim_keys_text lists every key with its default as `phsim
 * keys` shows it; phsim_summary_size is the struct's size. */
static void test_texts(void **s) {
  (void)s;
  static const char *const kv[] = {"d=12", "steps=300", "log_every=10"};
  char dir[256], path[320], err[PHSIM_ERR_MAX];
  assert_int_equal(phsim_summary_size(), sizeof(phsim_summary));
  tu_tempdir(dir, sizeof dir, "apitext");
  snprintf(path, sizeof path, "%s/run", dir);
  phsim_setup *su = setup_of(kv, 3);
  phsim_summary sum;
  assert_int_equal(phsim_setup_run(su, path, NULL, NULL, &sum, err), PHSIM_OK);
  snprintf(path, sizeof path, "%s/run/summary.json", dir);
  char *file = tu_slurp(path), *text = phsim_summary_text(&sum);
  assert_non_null(text);
  assert_string_equal(text, file);
  json_error_t je;
  json_t *doc = json_loads(text, 0, &je);
  char *config = phsim_setup_config_text(su);
  json_t *cfg = json_loads(config, 0, &je);
  assert_non_null(cfg);
  assert_true(json_equal(cfg, json_object_get(doc, "config")));
  json_decref(cfg);
  json_decref(doc);
  phsim_free(config);
  phsim_free(text);
  free(file);
  phsim_summary_free(&sum);
  phsim_setup_free(su);
  char *keys = phsim_keys_text();
  json_t *list = json_loads(keys, 0, &je);
  assert_non_null(list);
  assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "key")), "preset");
  int seen_eta = 0;
  for (size_t i = 0; i < json_array_size(list); i++) {
    json_t *k = json_array_get(list, i);
    if (strcmp(json_string_value(json_object_get(k, "key")), "eta") == 0)
      seen_eta = strcmp(json_string_value(json_object_get(k, "default")), "0.025") == 0;
  }
  assert_true(seen_eta);
  json_decref(list);
  phsim_free(keys);
  tu_rmtree(dir);
}

/* A thread that watches a raised flag stops its run at once (PHSIM_EINTR,
 * the summary says interrupted); another thread is not affected. */
static void test_watched_flag_stops(void **s) {
  (void)s;
  static const char *const kv[] = {"d=12", "steps=100000000", "log_every=1000"};
  char err[PHSIM_ERR_MAX];
  phsim_setup *su = setup_of(kv, 3);
  volatile int stop = 1;
  phsim_interrupt_watch(&stop);
  phsim_summary sum;
  assert_int_equal(phsim_setup_run(su, NULL, NULL, NULL, &sum, err), PHSIM_EINTR);
  assert_int_equal(sum.status, PHSIM_EINTR);
  assert_true(strncmp(err, "interrupted by a stop request at step ", 38) == 0);
  phsim_summary_free(&sum);
  phsim_interrupt_watch(NULL);
  phsim_setup_set(su, "steps", "100", err);
  assert_int_equal(phsim_setup_run(su, NULL, NULL, NULL, &sum, err), PHSIM_OK);
  phsim_summary_free(&sum);
  phsim_setup_free(su);
}

static void *raise_later(void *flag) {
  struct timespec ts = {0, 200000000L};
  nanosleep(&ts, NULL);
  *(volatile int *)flag = 1;
  return NULL;
}

/* A sweep's workers watch their caller's flag: raised while its runs are
 * under way, the sweep stops at their next step (not after minutes). */
static void test_watched_flag_stops_sweep(void **s) {
  (void)s;
  static const char *const kv[] = {"d=12", "steps=1000000000", "log_every=1000"};
  char dir[256], out[320], err[PHSIM_ERR_MAX];
  tu_tempdir(dir, sizeof dir, "apistop");
  snprintf(out, sizeof out, "%s/sweep", dir);
  phsim_setup *su = setup_of(kv, 3);
  phsim_study *w = phsim_study_alloc(su, out, err);
  assert_int_equal(phsim_study_grid(w, "seed=1,2", err), PHSIM_OK);
  assert_int_equal(phsim_study_jobs(w, 2, err), PHSIM_OK);
  volatile int stop = 0;
  phsim_interrupt_watch(&stop);
  pthread_t th;
  assert_int_equal(pthread_create(&th, NULL, raise_later, (void *)&stop), 0);
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  assert_int_equal(phsim_study_run(w, err), PHSIM_EINTR);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  pthread_join(th, NULL);
  phsim_interrupt_watch(NULL);
  assert_true(t1.tv_sec - t0.tv_sec < 10);
  phsim_study_free(w);
  phsim_setup_free(su);
  tu_rmtree(dir);
}

/* A sweep through the API writes what `phsim sweep` writes. */
static void test_study_equals_cli_sweep(void **s) {
  (void)s;
  static const char *const kv[] = {"engine=order", "d=20", "steps=800"};
  char dir[256], api[320], cliout[320], text[2048], err[PHSIM_ERR_MAX];
  tu_tempdir(dir, sizeof dir, "apisweep");
  snprintf(api, sizeof api, "%s/api", dir);
  snprintf(cliout, sizeof cliout, "%s/cli", dir);
  phsim_setup *su = setup_of(kv, 3);
  phsim_study *w = phsim_study_alloc(su, api, err);
  assert_non_null(w);
  assert_int_equal(phsim_study_grid(w, "seed=1:3:3", err), PHSIM_OK);
  assert_int_equal(phsim_study_grid(w, "seed=4,5", err), PHSIM_EINPUT);
  assert_int_equal(phsim_study_grid(w, "head=offdiag,fixed", err), PHSIM_OK);
  assert_int_equal(phsim_study_points(w), 6);
  assert_int_equal(phsim_study_jobs(w, 2, err), PHSIM_OK);
  assert_int_equal(phsim_study_run(w, err), PHSIM_OK);
  const char *args[] = {"sweep", "--set", kv[0], "--set", kv[1], "--set", kv[2], "--grid",
                        "seed=1:3:3", "--grid", "head=offdiag,fixed", "--jobs", "1", "--out",
                        cliout, NULL};
  assert_int_equal(cli(args, NULL, text, sizeof text), 0);
  char a[400], b[400];
  snprintf(a, sizeof a, "%s/sweep.csv", api);
  snprintf(b, sizeof b, "%s/sweep.csv", cliout);
  char *ta = tu_slurp(a), *tb = tu_slurp(b);
  assert_non_null(ta);
  assert_string_equal(ta, tb);
  free(ta);
  free(tb);
  phsim_study_free(w);
  phsim_setup_free(su);
  tu_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_errors_are_the_cli_messages),
      cmocka_unit_test(test_callback_sees_every_row),
      cmocka_unit_test(test_summary_equals_summary_json),
      cmocka_unit_test(test_two_threads_as_sequential),
      cmocka_unit_test(test_grad_equals_cli),
      cmocka_unit_test(test_texts),
      cmocka_unit_test(test_watched_flag_stops),
      cmocka_unit_test(test_watched_flag_stops_sweep),
      cmocka_unit_test(test_study_equals_cli_sweep),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
