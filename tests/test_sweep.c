/* test_sweep.c: grids, points, and sweeps that give the same bytes whatever
 * the number of threads or shards; resume; merge's checks. */
#include "testutil.h"

#include <math.h>
#include <sys/wait.h>

#include "phsim_sweep.h"
#include "phsim_sweepio.h"

static const char *phsim_bin(void) {
  const char *p = getenv("PHSIM");
  return p ? p : "bin/phsim";
}

static int sh(const char *fmt, const char *a, const char *b) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, fmt, a, b);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_grid_parse(void **s) {
  (void)s;
  phsim_config base;
  char err[PHSIM_ERR_MAX];
  tu_config_spec_step(&base);
  phsim_sweep sw = {.base = base};
  assert_int_equal(phsim_grid_parse("d=50:5000:3:log", &base, &sw.grids[0], err), PHSIM_OK);
  sw.ngrids = 1;
  assert_int_equal(sw.grids[0].n, 3);
  assert_string_equal(sw.grids[0].values[0], "50");
  assert_string_equal(sw.grids[0].values[1], "500");
  assert_string_equal(sw.grids[0].values[2], "5000");
  assert_int_equal(phsim_grid_parse("eta_E=0:1:5", &base, &sw.grids[1], err), PHSIM_OK);
  sw.ngrids = 2;
  assert_string_equal(sw.grids[1].values[1], "0.25");
  assert_int_equal(phsim_grid_parse("alpha_2=0.5,1", &base, &sw.grids[2], err), PHSIM_OK);
  sw.ngrids = 3;
  assert_int_equal(sw.grids[2].component, 1);
  /* point 7 = (d index 0, eta_E index 3, alpha_2 index 1): last fastest */
  phsim_config cfg;
  assert_int_equal(phsim_sweep_point(&sw, 7, &cfg, err), PHSIM_OK);
  assert_int_equal(cfg.d, 50);
  assert_true(cfg.eta_E == 0.75);
  assert_true(cfg.alpha[1] == 1.0);
  phsim_sweep_free(&sw);
  static const char *const bad[][2] = {
      {"dd=1:2:3", "unknown key"},     {"d=1:2", "malformed"},
      {"d=0:10:3:log", "a > 0"},       {"alpha_3=1,2", "unknown key"},
      {"alpha=1,2", "list key"},       {"eta=1,,2", "empty value"},
      {"eta=1:2:0", "n must be"},      {"noequals", "expected key"},
      {"d=5,5", "given twice"},        {"d=10:11:5", "integer rounding"},
      {"d=0,100", "key 'd': value '0' is out of range"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    phsim_grid g;
    assert_int_equal(phsim_grid_parse(bad[i][0], &base, &g, err), PHSIM_EINPUT);
    if (strstr(err, bad[i][1]) == NULL) fail_msg("'%s' said '%s'", bad[i][0], err);
    for (size_t k = 0; k < g.n; k++) free(g.values[k]);
    free(g.values);
  }
}

/* A key swept twice and grids whose product overflows are refused before
 * any work (the product of 10^4 x 10^4 x 10^4 would pass 10^12). */
static void test_grids_refused_before_work(void **s) {
  (void)s;
  phsim_config base;
  char err[PHSIM_ERR_MAX];
  phsim_config_default(&base);
  phsim_sweep sw = {.base = base};
  assert_int_equal(phsim_grid_parse("d=10,20", &base, &sw.grids[0], err), PHSIM_OK);
  assert_int_equal(phsim_grid_parse("d=30,40", &base, &sw.grids[1], err), PHSIM_OK);
  sw.ngrids = 2;
  assert_int_equal(phsim_sweep_check_grids(&sw, err), PHSIM_EINPUT);
  assert_non_null(strstr(err, "--grid 'd' is given twice"));
  phsim_sweep_free(&sw);
  static const char *const big[] = {"seed=1:10000:10000", "eta=1:2:10000", "eta_E=1:2:10000"};
  for (size_t k = 0; k < 3; k++) {
    assert_int_equal(phsim_grid_parse(big[k], &base, &sw.grids[k], err), PHSIM_OK);
    sw.ngrids++;
  }
  assert_int_equal(phsim_sweep_check_grids(&sw, err), PHSIM_EINPUT);
  assert_non_null(strstr(err, "allowed: at most 10000000"));
  phsim_sweep_free(&sw);
  char dir[256], out[300], msg[320];
  tu_tempdir(dir, sizeof dir, "grids");
  snprintf(out, sizeof out, "%s/out", dir);
  snprintf(msg, sizeof msg, "%s/msg", dir);
  const char *argv[] = {tu_phsim(), "sweep", "--grid", "d=10,20", "--grid", "d=30,40",
                        "--out", out, NULL};
  assert_int_equal(tu_spawn(argv, NULL, msg), 2);
  assert_false(tu_exists(out));
  const char *argv2[] = {tu_phsim(), "sweep", "--grid", "seed=1:10000:10000", "--grid",
                         "eta=1:2:10000", "--grid", "eta_E=1:2:10000", "--out", out, NULL};
  assert_int_equal(tu_spawn(argv2, NULL, msg), 2);
  assert_false(tu_exists(out));
  tu_rmtree(dir);
}

static void test_sweep_deterministic_across_jobs_and_shards(void **s) {
  (void)s;
  char dir[256];
  tu_tempdir(dir, sizeof dir, "sweep");
  const char *common = "--set engine=order --set d=30 --set steps=20000 "
                       "--grid seed=1:3:3 --grid head=offdiag,fixed";
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%%s sweep %s --jobs 1 --out %%s/j1 2>/dev/null", common);
  assert_int_equal(sh(cmd, phsim_bin(), dir), 0);
  snprintf(cmd, sizeof cmd, "%%s sweep %s --jobs 2 --out %%s/j2 2>/dev/null", common);
  assert_int_equal(sh(cmd, phsim_bin(), dir), 0);
  for (int i = 1; i <= 3; i++) {
    snprintf(cmd, sizeof cmd, "%%s sweep %s --shard %d/3 --out %%s/sh 2>/dev/null", common, i);
    assert_int_equal(sh(cmd, phsim_bin(), dir), 0);
  }
  assert_int_equal(sh("%s merge %s/sh", phsim_bin(), dir), 0);
  assert_int_equal(sh("cmp -s %s/j1/sweep.csv %s/j2/sweep.csv", dir, dir), 0);
  assert_int_equal(sh("cmp -s %s/j1/sweep.csv %s/sh/sweep.csv", dir, dir), 0);
  assert_int_equal(sh("cmp -s %s/j1/runs/000003/summary.json %s/j2/runs/000003/summary.json", dir, dir), 0);
  /* 6 points + header */
  assert_int_equal(sh("test $(wc -l < %s/j1/sweep.csv) -eq 7%s", dir, ""), 0);
  /* resume: nothing to redo, same bytes; a missing run is redone */
  assert_int_equal(sh("rm -r %s/j1/runs/000004%s", dir, ""), 0);
  snprintf(cmd, sizeof cmd, "%%s sweep %s --resume --out %%s/j1 2>/dev/null", common);
  assert_int_equal(sh(cmd, phsim_bin(), dir), 0);
  assert_int_equal(sh("cmp -s %s/j1/sweep.csv %s/j2/sweep.csv", dir, dir), 0);
  /* merge refuses a missing shard */
  assert_int_equal(sh("rm %s/sh/sweep-shard-2-of-3.csv%s", dir, ""), 0);
  assert_int_equal(sh("%s merge %s/sh 2>/dev/null", phsim_bin(), dir), 2);
  tu_rmtree(dir);
}

/* `ENV phsim sweep ARGS EXTRA --out DIR/SUB`: its exit status. */
static int sweep_into(const char *dir, const char *sub, const char *env, const char *args,
                      const char *extra) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "%s %s sweep %s %s --out %s/%s 2>/dev/null", env, phsim_bin(), args,
           extra, dir, sub);
  const int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Points of the order engine advance in batches (phsim_run_batch_execute):
 * every output is the bytes of the same sweep run point by point
 * (PHSIM_SWEEP_BATCH=0), lanes that diverge mid-batch (norm = none at the
 * larger eta) and lanes with their own stop rule included; sweep.json
 * differs only in its command line.  The head's peak from an E that starts
 * off the identity (init_E) counts the entries the head does not train
 * too: at the start, where the batch reads them once (mutation: the
 * batch never reading them gives E_peak 0 for the fixed head, not 0.3). */
static void test_sweep_batched_same_bytes(void **s) {
  (void)s;
  char dir[256];
  tu_tempdir(dir, sizeof dir, "batch");
  const char *common = "--set engine=order --set d=40 --set norm=none --set steps=3000 "
                       "--set log_every=100 --grid seed=1:3:3 --grid alpha_2=0.6,1 "
                       "--grid eta=0.0005,0.05 --grid eta_E=0.0001,0.01 "
                       "--grid stop=never,strong --keep-trajectories --jobs 2";
  assert_int_equal(sweep_into(dir, "b", "", common, ""), 0);
  assert_int_equal(sweep_into(dir, "u", "PHSIM_SWEEP_BATCH=0", common, ""), 0);
  assert_int_equal(sh("diff -r -x sweep.json %s/b %s/u >/dev/null", dir, dir), 0);
  /* the larger eta diverges at step 2 or 3, between rows, while the other
   * lanes of its batch go on */
  assert_int_equal(sh("grep -q diverged %s/b/sweep.csv%s", dir, ""), 0);
  assert_int_equal(sh("printf '1 0.3\\n-0.2 1\\n' > %s/e0%s", dir, ""), 0);
  char head[512];
  snprintf(head, sizeof head, "--set engine=order --set d=40 --set steps=2000 --set log_every=100 "
           "--set init_E=%s/e0 --grid head=fixed,offdiag --grid seed=1:2:2 --table-only", dir);
  assert_int_equal(sweep_into(dir, "hb", "", head, ""), 0);
  assert_int_equal(sweep_into(dir, "hu", "PHSIM_SWEEP_BATCH=0", head, ""), 0);
  assert_int_equal(sh("cmp %s/hb/sweep.csv %s/hu/sweep.csv", dir, dir), 0);
  assert_int_equal(sh("grep -q '^0,fixed,1,ok,.*,0.29999999999999999,0,' %s/hb/sweep.csv%s", dir, ""), 0);
  tu_rmtree(dir);
}

/* A table-only sweep writes sweep.csv with the bytes of the same sweep
 * with run directories, batched (order engine) or not (population), and
 * nothing under runs/; with --resume or --keep-trajectories it is refused
 * (exit 2) before it writes anything, and phsim plot draws it.  Its
 * fixed-head points that differ only in eta_E run once (12 of the 36 here
 * take an earlier point's run, as stderr says), in one shard or across
 * four (each fixed-head triple of eta_E has its first and third in one
 * shard, its second in another: the third repeats the first, the second
 * runs): the same bytes, and those of PHSIM_SWEEP_REPEATS=0 (every point
 * runs, no message).  Mutations: a repeat whatever the head (the offdiag rows of
 * the second eta_E take the first's results) fails the cmp; no repeat at
 * all fails the message. */
static void test_sweep_table_only(void **s) {
  (void)s;
  char dir[256];
  tu_tempdir(dir, sizeof dir, "table");
  const char *common = "--set d=40 --set steps=3000 --set log_every=100 --grid seed=1:3:3 "
                       "--grid engine=order,population --grid eta_E=0.0025,0.005,0.01 "
                       "--grid head=offdiag,fixed --jobs 2";
  assert_int_equal(sweep_into(dir, "r", "", common, ""), 0);
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "%%s sweep %s --table-only --out %%s/t 2>%s/t.err", common, dir);
  assert_int_equal(sh(cmd, phsim_bin(), dir), 0);
  assert_int_equal(sh("cmp %s/r/sweep.csv %s/t/sweep.csv", dir, dir), 0);
  assert_int_equal(sh("grep -q '; 12 points of this shard repeat an earlier' %s/t.err%s", dir, ""), 0);
  assert_int_equal(sh("test ! -e %s/t/runs%s", dir, ""), 0);
  snprintf(cmd, sizeof cmd, "PHSIM_SWEEP_REPEATS=0 %%s sweep %s --table-only --out %%s/n 2>%s/n.err",
           common, dir);
  assert_int_equal(sh(cmd, phsim_bin(), dir), 0);
  assert_int_equal(sh("cmp %s/r/sweep.csv %s/n/sweep.csv", dir, dir), 0);
  assert_int_equal(sh("! grep -q repeat %s/n.err%s", dir, ""), 0);
  for (int i = 1; i <= 4; i++) {
    char shard[64];
    snprintf(shard, sizeof shard, "--table-only --shard %d/4", i);
    assert_int_equal(sweep_into(dir, "s", "", common, shard), 0);
  }
  assert_int_equal(sh("%s merge %s/s >/dev/null 2>&1", phsim_bin(), dir), 0);
  assert_int_equal(sh("cmp %s/r/sweep.csv %s/s/sweep.csv", dir, dir), 0);
  assert_int_equal(sh("%s plot %s/t >/dev/null 2>&1", phsim_bin(), dir), 0);
  static const char *const refused[] = {"--table-only --resume", "--table-only --keep-trajectories"};
  for (size_t k = 0; k < 2; k++) {
    assert_int_equal(sweep_into(dir, "x", "", "--grid seed=1:2:2", refused[k]), 2);
    assert_int_equal(sh("test ! -e %s/x%s", dir, ""), 0);
  }
  tu_rmtree(dir);
}

/* --resume runs again a run whose summary an older phsim wrote (no
 * phases.pull_end: the end of substitution by the pull not measured), so
 * that its table row has the value, not an empty "never": a paper-preset
 * sweep whose runs substitute, pull_end removed from one summary, resumed,
 * gives the same sweep.csv.  Mutation: reusing that summary empties its
 * E_pull fields and fails. */
static void test_resume_runs_older_summaries_again(void **s) {
  (void)s;
  char dir[256];
  tu_tempdir(dir, sizeof dir, "older");
  const char *args = "--set preset=paper --grid eta_E=0.002,0.004 --grid seed=1:2:2 --jobs 2";
  assert_int_equal(sweep_into(dir, "o", "", args, ""), 0);
  assert_int_equal(sh("cp %s/o/sweep.csv %s/o/first.csv", dir, dir), 0);
  assert_int_equal(sh("python3 -c \"import json, sys; p = sys.argv[1]; s = json.load(open(p)); "
                      "del s['phases']['pull_end']; json.dump(s, open(p, 'w'))\" "
                      "%s/o/runs/000000/summary.json && grep -q E_pull_3 %s/o/first.csv",
                      dir, dir), 0);
  assert_int_equal(sweep_into(dir, "o", "", args, "--resume"), 0);
  assert_int_equal(sh("cmp %s/o/sweep.csv %s/o/first.csv", dir, dir), 0);
  tu_rmtree(dir);
}

/* A point rebuilt from sweep.json re-derives what the preset computes from
 * the grid's values, as the sweep did: a paper-preset sweep over d = 100
 * and 10^4 (stopped at T1) has, read back, budgets ceil((5 d^2 + 10^10) /
 * eta) of each d and alpha_2 = alpha_1 / ln d, while steps set by hand stay
 * as set.  Mutation: not writing (or not reading) sweep.json's "given"
 * makes every point keep the base's budget and fails. */
static void test_sweep_json_rederives_preset_keys(void **s) {
  (void)s;
  char dir[256], cmd[1024], err[PHSIM_ERR_MAX];
  tu_tempdir(dir, sizeof dir, "given");
  snprintf(cmd, sizeof cmd,
           "%s sweep --set preset=paper --set stop=strong --grid d=100,10000 --grid seed=1 --out %s/a 2>/dev/null && "
           "%s sweep --set preset=paper --set stop=strong --set steps=3000000 --grid d=100,10000 --out %s/b 2>/dev/null",
           phsim_bin(), dir, phsim_bin(), dir);
  assert_int_equal(system(cmd), 0);
  for (int k = 0; k < 2; k++) {
    char out[400];
    snprintf(out, sizeof out, "%s/%s", dir, k ? "b" : "a");
    phsim_sweep sw;
    assert_int_equal(phsim_sweep_meta_read(out, &sw, err), PHSIM_OK);
    for (size_t i = 0; i < 2; i++) {
      phsim_config cfg;
      assert_int_equal(phsim_sweep_point(&sw, i, &cfg, err), PHSIM_OK);
      const double d = i ? 1e4 : 100.0;
      const unsigned long want = k ? 3000000UL : (unsigned long)ceil((5.0 * d * d + 1e10) / cfg.eta);
      assert_int_equal(cfg.steps, want);
      assert_true(fabs(cfg.alpha[1] - cfg.alpha[0] / log(d)) < 1e-12);
    }
    phsim_sweep_free(&sw);
  }
  tu_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_grid_parse),
      cmocka_unit_test(test_grids_refused_before_work),
      cmocka_unit_test(test_sweep_deterministic_across_jobs_and_shards),
      cmocka_unit_test(test_sweep_batched_same_bytes),
      cmocka_unit_test(test_sweep_table_only),
      cmocka_unit_test(test_resume_runs_older_summaries_again),
      cmocka_unit_test(test_sweep_json_rederives_preset_keys),
  };
  return cmocka_run_group_tests_name("sweep", tests, NULL, NULL);
}
