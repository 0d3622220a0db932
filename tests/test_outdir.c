/* test_outdir.c: one owner per output directory (phsim_outdir.h): locks,
 * configurations kept apart, --force, stale temporary files. */
#include "testutil.h"

#include <signal.h>
#include <time.h>

#include "phsim_outdir.h"

/* phsim ARGS... (NULL-terminated), stderr into dir/msg; the exit status. */
static int phsim(const char *dir, const char *const *args) {
  const char *argv[40] = {tu_phsim()};
  size_t n = 1;
  for (; args[n - 1] != NULL && n < 39; n++) argv[n] = args[n - 1];
  argv[n] = NULL;
  char msg[300];
  snprintf(msg, sizeof msg, "%s/msg", dir);
  return tu_spawn(argv, NULL, msg);
}

/* Does dir/msg contain text? */
static void assert_said(const char *dir, const char *text) {
  char path[300];
  snprintf(path, sizeof path, "%s/msg", dir);
  char *m = tu_slurp(path);
  if (m == NULL || strstr(m, text) == NULL) fail_msg("said '%s', expected '%s'", m ? m : "", text);
  free(m);
}

static void test_run_directory_keeps_its_configuration(void **s) {
  (void)s;
  char dir[256], out[300];
  tu_tempdir(dir, sizeof dir, "own");
  snprintf(out, sizeof out, "%s/run", dir);
  const char *r10[] = {"run", "--set", "d=10", "--set", "steps=100", "--out", out, NULL};
  const char *r12[] = {"run", "--set", "d=12", "--set", "steps=100", "--out", out, NULL};
  const char *r12f[] = {"run", "--set", "d=12", "--set", "steps=100", "--out", out, "--force", NULL};
  const char *sw[] = {"sweep", "--set", "engine=order", "--set", "steps=100", "--grid",
                      "seed=1,2", "--out", out, NULL};
  assert_int_equal(phsim(dir, r10), 0);
  char *before = tu_snapshot(out);
  assert_int_equal(phsim(dir, r12), 2);
  assert_said(dir, "holds a run of another configuration (key 'd' is 10 there and 12 here)");
  assert_int_equal(phsim(dir, sw), 2);
  assert_said(dir, "holds a run (config, summary.json, trajectory.csv)");
  char *after = tu_snapshot(out);
  assert_string_equal(before, after);
  free(after);
  assert_int_equal(phsim(dir, r10), 0); /* the same configuration again */
  assert_int_equal(phsim(dir, r12f), 0);
  char cfg[320];
  snprintf(cfg, sizeof cfg, "%s/config", out);
  char *text = tu_slurp(cfg);
  assert_non_null(strstr(text, "\nd = 12\n"));
  free(text);
  free(before);
  tu_rmtree(dir);
}

/* Two sweeps of different configurations into one --out: the second is
 * refused and changes nothing; with --force and a SIGTERM it never lists
 * the first sweep's runs under its own values. */
static void test_sweep_directory_keeps_its_configuration(void **s) {
  (void)s;
  char dir[256], out[300], csv[320];
  tu_tempdir(dir, sizeof dir, "ownsw");
  snprintf(out, sizeof out, "%s/sw", dir);
  snprintf(csv, sizeof csv, "%s/sweep.csv", out);
  const char *a[] = {"sweep", "--set", "engine=order", "--set", "d=20", "--set", "steps=300",
                     "--grid", "seed=1:4:4", "--out", out, NULL};
  const char *b[] = {"sweep", "--set", "engine=order", "--set", "d=30", "--set", "steps=300",
                     "--grid", "seed=1:4:4", "--out", out, NULL};
  const char *bres[] = {"sweep", "--set", "engine=order", "--set", "d=30", "--set", "steps=300",
                        "--grid", "seed=1:4:4", "--out", out, "--resume", NULL};
  const char *c[] = {"sweep", "--set", "engine=order", "--set", "d=20", "--set", "steps=300",
                     "--grid", "seed=1:4:4", "--shard", "1/2", "--out", out, NULL};
  assert_int_equal(phsim(dir, a), 0);
  char *before = tu_snapshot(out);
  assert_int_equal(phsim(dir, b), 2);
  assert_said(dir, "holds another sweep: key 'd' is 20 there and 30 here");
  assert_int_equal(phsim(dir, bres), 2);
  assert_int_equal(phsim(dir, c), 2);
  assert_said(dir, "split into 1 shards, this sweep into 2");
  char *after = tu_snapshot(out);
  assert_string_equal(before, after);
  free(before);
  free(after);
  /* --force, stopped at once by SIGTERM: the old runs must not appear */
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "%s sweep --set engine=population --set d=30 --set steps=100000000 --grid seed=1:4:4 "
           "--jobs 1 --force --out %s 2>%s/msg & pid=$!; sleep 0.5; kill -TERM $pid; wait $pid; "
           "test $? = 6",
           tu_phsim(), out, dir);
  assert_int_equal(system(cmd), 0);
  /* the run under way was interrupted: it does not count as complete */
  assert_said(dir, "interrupted: 0 of 4 runs complete");
  char *table = tu_slurp(csv);
  assert_non_null(table);
  size_t rows = 0;
  for (char *p = table; *p; p++) rows += *p == '\n';
  assert_true(rows <= 2); /* the header and at most the interrupted run */
  if (rows == 2) assert_non_null(strstr(table, ",interrupted,"));
  free(table);
  tu_rmtree(dir);
}

/* --force replaces a sweep's runs: a sweep of 2 seeds without trajectories
 * over one of 3 seeds that kept them leaves runs/000000 and 000001 only,
 * neither with a trajectory (a stale one would be read by phsim plot as
 * this sweep's).  Mutation: keeping runs/ under --force (as before) fails. */
static void test_sweep_force_replaces_runs(void **s) {
  (void)s;
  char dir[256], cmd[2048];
  tu_tempdir(dir, sizeof dir, "forceruns");
  snprintf(cmd, sizeof cmd,
           "%s sweep --set engine=order --set d=20 --set steps=2000 --grid seed=1:3:3 --keep-trajectories "
           "--out %s/sw 2>/dev/null && test -s %s/sw/runs/000002/trajectory.csv && "
           "%s sweep --set engine=order --set d=20 --set steps=1000 --grid seed=1:2:2 --force --out %s/sw "
           "2>/dev/null && test \"$(ls %s/sw/runs | tr '\\n' ' ')\" = '000000 000001 ' && "
           "! test -e %s/sw/runs/000000/trajectory.csv && ! test -e %s/sw/runs/000001/trajectory.csv",
           tu_phsim(), dir, dir, tu_phsim(), dir, dir, dir, dir);
  if (system(cmd) != 0) fail_msg("--force left the former sweep's runs in %s/sw", dir);
  tu_rmtree(dir);
}

/* While a run writes, nothing else may write into its directory; the
 * shards of one sweep run side by side. */
static void test_locks(void **s) {
  (void)s;
  char dir[256], out[300], sw[300], cmd[4096];
  tu_tempdir(dir, sizeof dir, "lock");
  snprintf(out, sizeof out, "%s/run", dir);
  snprintf(sw, sizeof sw, "%s/sw", dir);
  snprintf(cmd, sizeof cmd,
           "%s run --set steps=100000000 --out %s 2>/dev/null & pid=$!; sleep 0.4; "
           "%s run --set steps=100000000 --out %s 2>%s/m1; a=$?; %s plot %s 2>%s/m2; b=$?; "
           "%s merge %s 2>%s/m3; c=$?; kill -TERM $pid; wait $pid; "
           "test $a = 2 && test $b = 2 && test $c = 2",
           tu_phsim(), out, tu_phsim(), out, dir, tu_phsim(), out, dir, tu_phsim(), out, dir);
  assert_int_equal(system(cmd), 0);
  for (int i = 1; i <= 3; i++) {
    char path[300];
    snprintf(path, sizeof path, "%s/m%d", dir, i);
    char *m = tu_slurp(path);
    assert_non_null(strstr(m, "is in use by another phsim process"));
    free(m);
  }
  /* two shards at once, then merge */
  snprintf(cmd, sizeof cmd,
           "for i in 1 2; do %s sweep --set engine=order --set d=20 --set steps=2000 "
           "--grid seed=1:6:6 --shard $i/2 --out %s 2>/dev/null & done; wait; "
           "%s merge %s && test $(wc -l < %s/sweep.csv) = 7",
           tu_phsim(), sw, tu_phsim(), sw, sw);
  assert_int_equal(system(cmd), 0);
  /* the same shard twice at once: one is refused */
  snprintf(cmd, sizeof cmd,
           "%s sweep --set engine=population --set d=20 --set steps=100000000 --grid seed=1:2:2 "
           "--shard 1/2 --out %s/x 2>/dev/null & pid=$!; sleep 0.4; "
           "%s sweep --set engine=population --set d=20 --set steps=100000000 --grid seed=1:2:2 "
           "--shard 1/2 --out %s/x 2>%s/m4; a=$?; kill -TERM $pid; wait $pid; test $a = 2",
           tu_phsim(), sw, tu_phsim(), sw, dir);
  if (system(cmd) != 0) fail_msg("a shard ran twice at once");
  tu_rmtree(dir);
}

/* kill -9 leaves .NAME.tmp.PID files; the next run, or --resume, removes
 * them. */
static void test_stale_temporary_files(void **s) {
  (void)s;
  char dir[256], out[300], sw[300], f1[400], f2[400], f3[400];
  tu_tempdir(dir, sizeof dir, "stale");
  snprintf(out, sizeof out, "%s/run", dir);
  snprintf(sw, sizeof sw, "%s/sw", dir);
  const char *r[] = {"run", "--set", "d=10", "--set", "steps=100", "--out", out, NULL};
  assert_int_equal(phsim(dir, r), 0);
  snprintf(f1, sizeof f1, "%s/.trajectory.csv.tmp.999999", out);
  fclose(fopen(f1, "w"));
  assert_int_equal(phsim(dir, r), 0);
  assert_false(tu_exists(f1));
  const char *a[] = {"sweep", "--set", "engine=order", "--set", "d=20", "--set", "steps=3000",
                     "--grid", "seed=1:4:4", "--out", sw, NULL};
  const char *other[] = {"sweep", "--set", "engine=order", "--set", "d=20", "--set", "steps=300",
                         "--grid", "seed=1:4:4", "--out", sw, "--resume", NULL};
  const char *again[] = {"sweep", "--set", "engine=order", "--set", "d=20", "--set", "steps=3000",
                         "--grid", "seed=1:4:4", "--out", sw, "--resume", NULL};
  assert_int_equal(phsim(dir, a), 0);
  /* what kill -9 leaves: temporary files of a dead process */
  snprintf(f2, sizeof f2, "%s/runs/000000/.summary.json.tmp.999998", sw);
  snprintf(f3, sizeof f3, "%s/.sweep.csv.tmp.999997", sw);
  fclose(fopen(f2, "w"));
  fclose(fopen(f3, "w"));
  assert_int_equal(phsim(dir, other), 2); /* another configuration (steps) */
  assert_true(tu_exists(f2));
  assert_int_equal(phsim(dir, again), 0);
  assert_false(tu_exists(f2));
  assert_false(tu_exists(f3));
  /* --resume reads the runs' summaries as untrusted too: a damaged one is
   * not taken for a complete run, the point is run again */
  char sum[400];
  snprintf(sum, sizeof sum, "%s/runs/000001/summary.json", sw);
  FILE *fp = fopen(sum, "w");
  fputs("{\"status\": \"ok\"}\n", fp);
  fclose(fp);
  assert_int_equal(phsim(dir, again), 0);
  char *text = tu_slurp(sum);
  assert_non_null(strstr(text, "\"learn_step\""));
  free(text);
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "test -z \"$(find %s -name '.*.tmp.*')\"", sw);
  assert_int_equal(system(cmd), 0);
  tu_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_run_directory_keeps_its_configuration),
      cmocka_unit_test(test_sweep_directory_keeps_its_configuration),
      cmocka_unit_test(test_sweep_force_replaces_runs),
      cmocka_unit_test(test_locks),
      cmocka_unit_test(test_stale_temporary_files),
  };
  return cmocka_run_group_tests_name("outdir", tests, NULL, NULL);
}
