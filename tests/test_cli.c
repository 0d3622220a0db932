/* test_cli.c: the phsim command line as a user meets it (binary from
 * $PHSIM, default bin/phsim): exit statuses, messages, `grad` output against
 * the engine in-process, `config` round trip. */
#include "testutil.h"

#include <jansson.h>
#include <sys/wait.h>

#include "phsim_pop.h"

static const char *phsim_bin(void) {
  const char *p = getenv("PHSIM");
  return p ? p : "bin/phsim";
}

/* Run `phsim ARGS`, capture stdout (and stderr, 2>&1 when merge), return the
 * exit status. */
static int run_cli(const char *args, int merge, char *out, size_t n) {
  char cmd[2048];
  snprintf(cmd, sizeof cmd, "%s %s %s", phsim_bin(), args,
           merge ? "2>&1" : "2>/dev/null");
  FILE *p = popen(cmd, "r");
  assert_non_null(p);
  size_t got = fread(out, 1, n - 1, p);
  out[got] = '\0';
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_grad_matches_engine(void **s) {
  (void)s;
  static char out[1 << 16];
  int st = run_cli("grad --set d=6 --set m=3 --set alpha=2,1,0.5 --set seed=9 "
                   "--set noise=isotropic",
                   0, out, sizeof out);
  assert_int_equal(st, 0);
  json_error_t e;
  json_t *o = json_loads(out, 0, &e);
  if (o == NULL) fail_msg("grad output is not JSON: %s", e.text);
  phsim_config cfg;
  char err[PHSIM_ERR_MAX];
  tu_config_spec_step(&cfg);
  cfg.d = 6;
  cfg.m = 3;
  assert_int_equal(phsim_config_set_arg(&cfg, "alpha=2,1,0.5", err), PHSIM_OK);
  cfg.seed = 9;
  cfg.noise = PHSIM_NOISE_ISOTROPIC;
  phsim_pop *pop = phsim_pop_alloc(&cfg);
  gsl_rng *r = phsim_config_rng(&cfg);
  phsim_pop_start(pop, &cfg, NULL, r);
  assert_int_equal(phsim_pop_eval(pop), PHSIM_OK);
  gsl_matrix *gW = gsl_matrix_alloc(3, 6);
  phsim_grad_W(pop->pg->gA, pop->pg->S, pop->W, gW);
  /* %.17g round-trips doubles exactly. */
  assert_true(json_real_value(json_object_get(o, "loss")) == pop->pg->loss);
  json_t *jW = json_object_get(o, "grad_W"), *jE = json_object_get(o, "grad_E");
  assert_int_equal(json_array_size(jW), 3);
  assert_int_equal(json_array_size(json_array_get(jW, 0)), 6);
  for (size_t i = 0; i < 3; i++) {
    assert_true(json_real_value(json_array_get(json_object_get(o, "rho"), i)) ==
                gsl_vector_get(pop->pg->rho, i));
    for (size_t j = 0; j < 6; j++)
      assert_true(json_real_value(json_array_get(json_array_get(jW, i), j)) ==
                  gsl_matrix_get(gW, i, j));
    for (size_t j = 0; j < 3; j++)
      assert_true(json_real_value(json_array_get(json_array_get(jE, i), j)) ==
                  gsl_matrix_get(pop->pg->gE, i, j));
  }
  gsl_matrix_free(gW);
  gsl_rng_free(r);
  phsim_pop_free(pop);
  json_decref(o);
}

/* grad with the sampled engine: the finite-batch loss of the seeded batch,
 * and runs of every engine write their outputs. */
static void test_every_engine_from_the_command_line(void **s) {
  (void)s;
  static char out[1 << 16];
  assert_int_equal(run_cli("grad --set engine=sampled --set d=6 --set N=500", 0,
                           out, sizeof out), 0);
  json_error_t e;
  json_t *o = json_loads(out, 0, &e);
  assert_non_null(o);
  double loss = json_real_value(json_object_get(o, "loss"));
  assert_true(loss > 3.0 && loss < 4.5);
  assert_int_equal(json_array_size(json_object_get(o, "grad_W")), 2);
  json_decref(o);
  static const char *const engines[] = {"population", "order", "sampled", "flow"};
  char dir[256], cmd[600];
  tu_tempdir(dir, sizeof dir, "cli");
  for (size_t i = 0; i < 4; i++) {
    snprintf(cmd, sizeof cmd,
             "run --set engine=%s --set d=10 --set N=200 --set steps=50 "
             "--set log_every=10 --out %s/%s",
             engines[i], dir, engines[i]);
    assert_int_equal(run_cli(cmd, 1, out, sizeof out), 0);
    char path[600];
    snprintf(path, sizeof path, "%s/%s/summary.json", dir, engines[i]);
    json_t *sum = json_load_file(path, 0, &e);
    if (sum == NULL) fail_msg("no summary for engine %s", engines[i]);
    assert_int_equal(json_integer_value(json_object_get(sum, "steps")), 50);
    json_decref(sum);
  }
  tu_rmtree(dir);
}

/* Same configuration and seed: byte-identical trajectory.csv and
 * summary.json (with --no-timing, which writes the wall-clock fields and the
 * provenance's host and date as null), for every engine.  The two runs share
 * their command line (the provenance records it): the second reruns the
 * first's directory, whose outputs were copied aside. */
static void test_runs_are_byte_identical(void **s) {
  (void)s;
  static const char *const engines[] = {"population", "order", "sampled", "flow"};
  char dir[256], cmd[2048], out[256];
  tu_tempdir(dir, sizeof dir, "det");
  for (size_t i = 0; i < 4; i++) {
    for (int k = 0; k < 2; k++) {
      snprintf(cmd, sizeof cmd,
               "run --no-timing --set engine=%s --set d=12 --set N=300 --set steps=300 "
               "--set log_every=7 --out %s/%s",
               engines[i], dir, engines[i]);
      assert_int_equal(run_cli(cmd, 1, out, sizeof out), 0);
      snprintf(cmd, sizeof cmd, "mkdir -p %s/%s%d && cp %s/%s/trajectory.csv %s/%s/summary.json %s/%s%d/",
               dir, engines[i], k, dir, engines[i], dir, engines[i], dir, engines[i], k);
      assert_int_equal(system(cmd), 0);
    }
    snprintf(cmd, sizeof cmd,
             "cmp -s %s/%s0/trajectory.csv %s/%s1/trajectory.csv && "
             "cmp -s %s/%s0/summary.json %s/%s1/summary.json",
             dir, engines[i], dir, engines[i], dir, engines[i], dir, engines[i]);
    if (system(cmd) != 0) fail_msg("engine %s: outputs differ between repeats", engines[i]);
  }
  snprintf(cmd, sizeof cmd, "grep -q '\"wall_seconds\": null' %s/order0/summary.json", dir);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof cmd, "grep -q '\"host\": null' %s/order0/summary.json", dir);
  assert_int_equal(system(cmd), 0);
  tu_rmtree(dir);
}

/* The exit status of the shell command `command`, sent signal `sig` after
 * `after` seconds (-1 if the shell failed). */
static int stopped(const char *command, const char *sig, const char *after) {
  char line[2400];
  snprintf(line, sizeof line, "%s & pid=$!; sleep %s; kill -%s $pid; wait $pid", command, after, sig);
  const int st = system(line);
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* SIGINT stops a run at its next logged step: exit 6, the summary says
 * "interrupted", the trajectory is complete up to there; a sweep stops after
 * its runs at their next logged step and --resume finishes it; a table-only
 * sweep lists its repeats of stopped runs as stopped. */
static void test_interrupt_and_resume(void **s) {
  (void)s;
  char dir[256], cmd[2048];
  tu_tempdir(dir, sizeof dir, "int");
  snprintf(cmd, sizeof cmd,
           "%s run --set steps=1000000000 --set log_every=100000 --out %s/run 2>/dev/null",
           phsim_bin(), dir);
  assert_int_equal(stopped(cmd, "INT", "0.5"), 6);
  snprintf(cmd, sizeof cmd,
           "grep -q '\"status\": \"interrupted\"' %s/run/summary.json"
           " && test $(tail -c 1 %s/run/trajectory.csv | od -An -c | tr -d ' ') = '\\n'",
           dir, dir);
  if (system(cmd) != 0) fail_msg("interrupted run: wrong summary or trajectory in %s", dir);
  const char *grid = "--set engine=population --set d=200 --set steps=300000 --grid seed=1:6:6";
  snprintf(cmd, sizeof cmd, "%s sweep %s --jobs 1 --out %s/sw 2>/dev/null", phsim_bin(), grid, dir);
  assert_int_equal(stopped(cmd, "TERM", "0.4"), 6);
  snprintf(cmd, sizeof cmd, "%s sweep %s --jobs 2 --resume --out %s/sw 2>/dev/null", phsim_bin(), grid, dir);
  assert_int_equal(system(cmd), 0);
  snprintf(cmd, sizeof cmd, "%s sweep %s --jobs 2 --out %s/ref 2>/dev/null && cmp -s %s/sw/sweep.csv %s/ref/sweep.csv",
           phsim_bin(), grid, dir, dir, dir);
  if (system(cmd) != 0) fail_msg("resumed sweep differs from an uninterrupted one");
  /* a table-only sweep whose fixed-head points differ only in eta_E: the 2
   * that run are interrupted, and their 4 repeats share their rows (as if
   * run in their batch); the message does not offer --resume.  (Before,
   * the repeats had no row, and write_rows' bsearch on no runs/ was
   * undefined: the sanitizers' build aborted.) */
  snprintf(cmd, sizeof cmd,
           "%s sweep --set engine=order --set d=50 --set steps=20000000 --set log_every=100000 "
           "--set head=fixed --grid seed=1:2:2 --grid eta_E=0.001,0.01,0.1 --jobs 1 --table-only "
           "--out %s/tab 2>%s/tab.err",
           phsim_bin(), dir, dir);
  assert_int_equal(stopped(cmd, "INT", "0.4"), 6);
  snprintf(cmd, sizeof cmd,
           "test $(grep -c ',interrupted,' %s/tab/sweep.csv) = 6 && "
           "grep -q 'cannot resume: run it again' %s/tab.err",
           dir, dir);
  if (system(cmd) != 0) fail_msg("interrupted table-only sweep: wrong rows or message in %s", dir);
  tu_rmtree(dir);
}

/* phsim plot draws a run, a one-key sweep and a seeds-only sweep into PNG
 * and PDF files (gnuplot, pngcairo and pdfcairo). */
static void test_plot(void **s) {
  (void)s;
  char dir[256], cmd[8192];
  tu_tempdir(dir, sizeof dir, "plot");
  snprintf(cmd, sizeof cmd,
           "%s run --set d=20 --set steps=3000 --set log_every=10 --out %s/run >/dev/null && "
           "%s plot %s/run | grep '/run.png$' >/dev/null && test -s %s/run/run.png && test -s %s/run/run.pdf && "
           "%s sweep --set engine=order --set steps=20000 --set log_every=1 --set stop=strong --grid d=20:80:3:log "
           "--grid seed=1:2:2 --out %s/sw 2>/dev/null && %s plot %s/sw >/dev/null && "
           "test -s %s/sw/plots/scaling-T1.png && "
           "%s sweep --set engine=order --set d=20 --set steps=3000 --grid seed=1:3:3 "
           "--out %s/seeds 2>/dev/null && %s plot %s/seeds >/dev/null && test -s %s/seeds/plots/outcomes.pdf",
           phsim_bin(), dir, phsim_bin(), dir, dir, dir, phsim_bin(), dir, phsim_bin(), dir,
           dir, phsim_bin(), dir, phsim_bin(), dir, dir);
  if (system(cmd) != 0) fail_msg("plotting failed in %s", dir);
  tu_rmtree(dir);
}

/* A shell function: rw FILE COL EXPR rewrites column COL of the CSV FILE
 * by the awk statements EXPR ($c is the column; $ce, $cs the columns eta
 * and seed where present). */
#define REWRITE_CSV                                                                             \
  "rw() { awk -F, -v OFS=, -v col=\"$2\" 'NR == 1 { for (k = 1; k <= NF; k++) {"                 \
  " if ($k == col) c = k; if ($k == \"eta\") ce = k; if ($k == \"seed\") cs = k }; print; next }" \
  " { '\"$3\"' print }' \"$1\" > \"$1.t\" && mv \"$1.t\" \"$1\"; }; "

/* phsim plot's fits over an eta grid add gradient descent's first-order
 * step term: T1 = 1000 s exp(2 eta) / eta written into a real sweep's
 * table (seed s) gives the slope -1, c = 2 and every seed's own slope -1;
 * T1 = 1000 s / eta^0.9 gives -0.9.  Mutation: dropping the term (stepterm
 * = 0 in plot.c) fails the first check. */
static void test_plot_fit_step_term_and_seed_slopes(void **s) {
  (void)s;
  char dir[256], cmd[4096];
  tu_tempdir(dir, sizeof dir, "plotfit");
  snprintf(cmd, sizeof cmd,
           REWRITE_CSV "%s sweep --set engine=order --set d=20 --set steps=200 --grid eta=0.01:0.08:4:log "
           "--grid seed=1:3:3 --out %s/sw 2>/dev/null && "
           "rw %s/sw/sweep.csv T1 '$c = sprintf(\"%%.17g\", 1000 * $cs * exp(2 * $ce) / $ce);' && rw %s/sw/sweep.csv flow_faithful '$c = 1;' && "
           "%s plot %s/sw > /dev/null && "
           "grep -q 'slope=-1 lo=-1 hi=-1 .*step_c=2 .*seeds=3 seed_median=-1 seed_min=-1 seed_max=-1' "
           "%s/sw/plots/scaling-T1.fit && test -s %s/sw/plots/scaling-T1-1-seeds.dat && "
           "rw %s/sw/sweep.csv T1 '$c = sprintf(\"%%.17g\", 1000 * $cs / $ce ^ 0.9);' && rm -r %s/sw/plots && "
           "%s plot %s/sw > /dev/null && grep -q 'slope=-0.9 lo=-0.9 hi=-0.9 .*step_c=.*seed_median=-0.9 ' "
           "%s/sw/plots/scaling-T1.fit",
           phsim_bin(), dir, dir, dir, phsim_bin(), dir, dir, dir, dir, dir, phsim_bin(), dir, dir);
  if (system(cmd) != 0) fail_msg("step-term fit or seed slopes wrong in %s", dir);
  tu_rmtree(dir);
}

/* phsim plot's E_pull figure reads each run's end of substitution by the
 * pull from the table (columns E_pull_3, _10, _30; phsim_pullend.h): a
 * paper-preset sweep whose runs all substitute has kappa = 10 values in
 * its 6 runs; with E_pull_10 emptied in sweep.csv, none.  Mutation: the
 * figure's third series read from another column (E_substitution) keeps
 * the 6 values and fails. */
static void test_plot_pull_end_from_table(void **s) {
  (void)s;
  char dir[256], cmd[4096];
  tu_tempdir(dir, sizeof dir, "pullend");
  snprintf(cmd, sizeof cmd,
           REWRITE_CSV "%s sweep --set preset=paper --grid eta_E=0.001:0.004:3:log --grid seed=1:2:2 "
           "--out %s/sp 2>/dev/null && %s plot %s/sp > /dev/null && "
           "grep -q 'metric=E_pull_10 .* used=6 first=0 never=0' %s/sp/plots/scaling-E_pull.fit && "
           "rw %s/sp/sweep.csv E_pull_10 '$c = \"\";' && rm -r %s/sp/plots && "
           "%s plot %s/sp > /dev/null && grep -q 'metric=E_pull_10 .* used=0 first=0 never=6' "
           "%s/sp/plots/scaling-E_pull.fit",
           phsim_bin(), dir, phsim_bin(), dir, dir, dir, dir, phsim_bin(), dir, dir);
  if (system(cmd) != 0) fail_msg("E_pull not read from the table in %s", dir);
  tu_rmtree(dir);
}

/* Phase I's maxima: with m = 2, K = 2 and a run stopped at T1,
 * summary.json's phase1_E_minus_I_max equals the largest ||E - I||_F of
 * the trajectory's rows at steps <= T1 / 2, which is below the last row's
 * before T1 (so a maximum over every row before T1 would differ), and
 * phase1_offtarget_max the largest |a_jl| off (j*, s) over the rows before
 * T1.  Mutations: the maximum over every row before T1, or taking the T1
 * row in (as before), fail it. */
static void test_phase1_maxima_before_T1(void **s) {
  (void)s;
  char dir[256], cmd[4096];
  tu_tempdir(dir, sizeof dir, "phase1");
  snprintf(cmd, sizeof cmd,
           "%s run --set seed=1 --set steps=20000 --set log_every=50 --set stop=strong --out %s/r "
           ">/dev/null 2>&1 || exit 1; S=%s/r/summary.json; "
           "num() { sed -n \"s/.*\\\"$1\\\": \\([-0-9.e+]*\\).*/\\1/p\" \"$S\" | head -n 1; }; "
           "awk -F, -v t1=\"$(num T1)\" -v ei=\"$(num phase1_E_minus_I_max)\" -v ot=\"$(num phase1_offtarget_max)\" "
           "-v js=\"$(num strong_neuron)\" '"
           "NR == 1 { for (k = 1; k <= NF; k++) c[$k] = k; next } "
           "{ e = sqrt(($c[\"E_1_1\"] - 1) ^ 2 + $c[\"E_1_2\"] ^ 2 + $c[\"E_2_1\"] ^ 2 + ($c[\"E_2_2\"] - 1) ^ 2) } "
           "2 * $1 <= t1 + 0 && e > m { m = e } "
           "$1 < t1 + 0 { at = e; for (j = 1; j <= 2; j++) for (l = 1; l <= 2; l++) "
           "if (!(j == js + 0 && l == 1)) { a = $c[\"a_\" j \"_\" l]; a = a < 0 ? -a : a; if (a > o) o = a } } "
           "END { r = (m - ei) / ei; q = (o - ot) / ot; exit !(t1 > 0 && r * r < 1e-20 && q * q < 1e-20 && at > m) }' "
           "%s/r/trajectory.csv",
           phsim_bin(), dir, dir, dir);
  if (system(cmd) != 0) fail_msg("phase I maxima are not those of the rows before T1 in %s/r", dir);
  tu_rmtree(dir);
}

/* phsim table: one line per run and the tallies per head mode. */
static void test_table(void **s) {
  (void)s;
  char dir[256], cmd[2048];
  static char out[1 << 14];
  tu_tempdir(dir, sizeof dir, "table");
  for (int k = 0; k < 2; k++) {
    snprintf(cmd, sizeof cmd, "run --set d=20 --set steps=20000 --set seed=2 --set head=%s --out %s/%d",
             k ? "fixed" : "offdiag", dir, k);
    assert_int_equal(run_cli(cmd, 1, out, sizeof out), 0);
  }
  snprintf(cmd, sizeof cmd, "table %s/0 %s/1", dir, dir);
  assert_int_equal(run_cli(cmd, 0, out, sizeof out), 0);
  /* seed 2, d = 20: both neurons' race favours v_1; with the head one of them
   * is turned to v_2 (test_run.c), without it both end on v_1. */
  assert_non_null(strstr(out, "head=offdiag  1 of 1 runs learned every feature"));
  assert_non_null(strstr(out, "head=fixed    0 of 1 runs learned every feature; 0 of the 1 "
                              "whose initial race favours one feature for every neuron; 2 of 2 "
                              "neurons ended on the feature their race favoured"));
  tu_rmtree(dir);
}

static void test_errors_exit_2_with_message(void **s) {
  (void)s;
  static const char *const cases[][2] = {
      {"run --set d=5", "missing '--out DIR'"},
      {"run --set bogus=1 --out /tmp/x", "unknown key 'bogus'"},
      {"run --set Pf=20 --out /tmp/x", "key 'Pf'"},
      {"grad --set eta=-1", "key 'eta'"},
      {"grad --frobnicate", "unknown option '--frobnicate'"},
      {"grad /nonexistent.cfg", "cannot open config file"},
      {"grad /dev/null /dev/null", "allowed: at most one"},
      {"grad --set", "needs a value"},
      {"frobnicate", "unknown command 'frobnicate'"},
      {"table", "usage: phsim table"},
      {"keys --bogus", "unknown option '--bogus'; allowed: --help, -h"},
      {"run --bogus --out /tmp/x", "allowed: --set, --out, --no-timing, --force, --help, -h"},
      {"run --force=yes --out /tmp/x", "option '--force' takes no value"},
      {"--bogus", "unknown option '--bogus'; allowed: -V, --version, --help, -h"},
      {"help frobnicate", "unknown command 'frobnicate'"},
      {"sweep --grid seed=1,2", "missing '--out DIR'"},
      {"fit /dev/null --x a", "missing '--y COL'"},
      {"run --set d=5 --out /proc/phsim-cannot-be-here", "cannot create directory"},
  };
  char out[4096];
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    int st = run_cli(cases[i][0], 1, out, sizeof out);
    if (st != 2) fail_msg("'phsim %s' exited %d, expected 2", cases[i][0], st);
    if (strstr(out, cases[i][1]) == NULL)
      fail_msg("'phsim %s' said '%s', expected '%s'", cases[i][0], out, cases[i][1]);
  }
}

static void test_help_and_config(void **s) {
  (void)s;
  static char out[1 << 14];
  assert_int_equal(run_cli("-h", 0, out, sizeof out), 0);
  assert_non_null(strstr(out, "usage: phsim COMMAND"));
  assert_int_equal(run_cli("run -h", 0, out, sizeof out), 0);
  assert_non_null(strstr(out, "trajectory.csv"));
  assert_int_equal(run_cli("keys", 0, out, sizeof out), 0);
  assert_non_null(strstr(out, "threshold"));
  /* NOTES.md lists the keys as `phsim keys` prints them: keep it true. */
  FILE *fp = fopen("NOTES.md", "r");
  assert_non_null(fp);
  static char notes[1 << 17];
  size_t n = fread(notes, 1, sizeof notes - 1, fp);
  notes[n] = '\0';
  fclose(fp);
  if (strstr(notes, out) == NULL) fail_msg("NOTES.md does not list the keys as 'phsim keys' prints them");
  assert_int_equal(run_cli("config --set d=77 --set head=fixed", 0, out, sizeof out), 0);
  assert_non_null(strstr(out, "\nd = 77\n"));
  assert_non_null(strstr(out, "\nhead = fixed\n"));
}

/* The conventions: --version and -V, 'help CMD' as 'CMD -h', --opt=value
 * as --opt value, no printf escapes in the usage texts. */
static void test_conventions(void **s) {
  (void)s;
  static char out[1 << 14], again[1 << 14];
  assert_int_equal(run_cli("--version", 0, out, sizeof out), 0);
  assert_true(strncmp(out, "phsim ", 6) == 0 && strstr(out, " (commit ") != NULL);
  assert_int_equal(run_cli("-V", 0, again, sizeof again), 0);
  assert_string_equal(out, again);
  static const char *const cmds[] = {"run", "grad", "config", "sweep", "merge", "plot", "field",
                                     "pull", "fit", "stats", "table", "keys", "help"};
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    char a[64], b[64];
    snprintf(a, sizeof a, "help %s", cmds[i]);
    snprintf(b, sizeof b, "%s -h", cmds[i]);
    assert_int_equal(run_cli(a, 0, out, sizeof out), 0);
    assert_int_equal(run_cli(b, 0, again, sizeof again), 0);
    assert_string_equal(out, again);
    snprintf(b, sizeof b, "usage: phsim %s", cmds[i]);
    assert_non_null(strstr(out, b));
    assert_null(strstr(out, "%%"));
  }
  assert_int_equal(run_cli("config --set=d=33 --set seed=5", 0, out, sizeof out), 0);
  assert_non_null(strstr(out, "\nd = 33\n"));
  assert_non_null(strstr(out, "\nseed = 5\n"));
  char dir[256], cmd[600];
  tu_tempdir(dir, sizeof dir, "conv");
  snprintf(cmd, sizeof cmd, "run --set=d=10 --set steps=20 --out=%s/a", dir);
  assert_int_equal(run_cli(cmd, 1, out, sizeof out), 0);
  snprintf(cmd, sizeof cmd, "%s/a/summary.json", dir);
  assert_true(tu_exists(cmd));
  tu_rmtree(dir);
  /* defaults as %g: 0.9, not 0.90000000000000002 */
  assert_int_equal(run_cli("keys", 0, out, sizeof out), 0);
  assert_non_null(strstr(out, "default: 0.9\n"));
  assert_null(strstr(out, "00000001\n"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_grad_matches_engine),
      cmocka_unit_test(test_every_engine_from_the_command_line),
      cmocka_unit_test(test_runs_are_byte_identical),
      cmocka_unit_test(test_interrupt_and_resume),
      cmocka_unit_test(test_plot),
      cmocka_unit_test(test_plot_fit_step_term_and_seed_slopes),
      cmocka_unit_test(test_plot_pull_end_from_table),
      cmocka_unit_test(test_phase1_maxima_before_T1),
      cmocka_unit_test(test_table),
      cmocka_unit_test(test_errors_exit_2_with_message),
      cmocka_unit_test(test_help_and_config),
      cmocka_unit_test(test_conventions),
  };
  return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
