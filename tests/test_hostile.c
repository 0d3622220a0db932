/* test_hostile.c: phsim against hostile surroundings: paths full of shell
 * syntax, pipes as input, full devices as output, signals.  phsim runs as a
 * child with an argument vector (tu_spawn), never through a shell, so that
 * the test itself cannot be the injection. */
#include "testutil.h"

#include <signal.h>
#include <time.h>

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
  /* a verdict's rule with quotes, a gnuplot system() call and a shell
   * substitution is drawn as text; one over 400 bytes is refused (exit 2) */
  char rule[1100], longrule[420];
  snprintf(rule, sizeof rule, "E9 rule: ' \" `touch %s` $(touch %s) \" . system(\"touch %s\") . \"",
           canary, canary, canary);
  memset(longrule, 'x', sizeof longrule - 1);
  longrule[sizeof longrule - 1] = '\0';
  const char *a4r[] = {bin, "plot", sweep, "--rule", longrule, NULL};
  assert_int_equal(tu_spawn(a4r, NULL, NULL), 2);
  const char *a4[] = {bin, "plot", sweep, "--rule", rule, NULL};
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

/* A tic label with an escaped byte followed by digits reaches gnuplot as
 * it is: the octal escape of '+' in "1e+02" once swallowed the next digit
 * ("1e\05302" read as "1eX2"); d = 100 is now "10^{2}" (enhanced text),
 * whose '{' is escaped and followed by a digit the same way.  gnuplot
 * itself reads the generated tics. */
static void test_plot_tic_labels_with_digits(void **s) {
  (void)s;
  char dir[256], out[300], tics[400], load[500], shown[400];
  tu_tempdir(dir, sizeof dir, "tics");
  snprintf(out, sizeof out, "%s/sweep", dir);
  const char *a1[] = {tu_phsim(), "sweep", "--set", "engine=order", "--set", "steps=200",
                      "--grid", "d=100:10000:3:log", "--grid", "head=offdiag,fixed",
                      "--out", out, NULL};
  assert_int_equal(tu_spawn(a1, NULL, NULL), 0);
  const char *a2[] = {tu_phsim(), "plot", out, NULL};
  assert_int_equal(tu_spawn(a2, NULL, NULL), 0);
  snprintf(tics, sizeof tics, "%s/plots/heat-tics.gp", out);
  snprintf(load, sizeof load, "load '%s'; show xtics", tics);
  snprintf(shown, sizeof shown, "%s/shown.txt", dir);
  const char *a3[] = {"/usr/bin/env", "gnuplot", "-e", load, NULL};
  assert_int_equal(tu_spawn(a3, NULL, shown), 0);
  char *text = tu_slurp(shown);
  assert_non_null(text);
  if (strstr(text, "\"10^{2}\" 0") == NULL || strstr(text, "\"10^{4}\" 2") == NULL)
    fail_msg("gnuplot reads the tics as: %s", text);
  free(text);
  /* a scaling figure whose x values print as 1e-05: gnuplot's real()
   * rejects a mantissa without a decimal point ("1e-05", "1e+06": E8's
   * d = 10^6), and the figure failed */
  snprintf(out, sizeof out, "%s/sigma", dir);
  const char *a4[] = {tu_phsim(), "sweep", "--set", "engine=order", "--set", "steps=2000",
                      "--set", "d=20", "--set", "log_every=10", "--grid",
                      "sigma=0.00001,0.0001,0.001", "--grid", "seed=1:2:2", "--out", out, NULL};
  assert_int_equal(tu_spawn(a4, NULL, NULL), 0);
  const char *a5[] = {tu_phsim(), "plot", out, NULL};
  assert_int_equal(tu_spawn(a5, NULL, NULL), 0);
  snprintf(tics, sizeof tics, "%s/plots/scaling-E_peak.pdf", out);
  assert_true(tu_exists(tics));
  tu_rmtree(dir);
}

/* Run "sh -c script" with $P = the binary, $D = dir; its exit status. */
static int shell(const char *dir, const char *script) {
  const char *argv[] = {"/bin/sh", "-c", script, "sh", tu_phsim(), dir, NULL};
  return tu_spawn(argv, NULL, NULL);
}

/* A config from a pipe, /dev/stdin or a FIFO is read as a stream (it used
 * to be rewound, silently giving the defaults). */
static void test_config_from_pipes(void **s) {
  (void)s;
  char dir[256], path[300];
  tu_tempdir(dir, sizeof dir, "pipe");
  assert_int_equal(shell(dir, "P=$1; D=$2; printf 'steps=10\\nd=12\\n' | $P run /dev/stdin --out \"$D/run\" "
                              "&& grep -q '^steps = 10$' \"$D/run/config\" && grep -q '\"steps\": 10' \"$D/run/summary.json\""), 0);
  assert_int_equal(shell(dir, "P=$1; D=$2; mkfifo \"$D/fifo\" && (printf 'seed=7\\n' > \"$D/fifo\" &) && "
                              "$P config \"$D/fifo\" | grep -q '^seed = 7$'"), 0);
  assert_int_equal(shell(dir, "P=$1; D=$2; printf 'd=5\\n  m = 3\\n\\tsteps = 9\\n' | $P config - 2>/dev/null; "
                              "printf 'd=5\\n  m = 3\\n\\tsteps = 9\\n' | $P config /dev/stdin > \"$D/c\" && "
                              "grep -q '^m = 3$' \"$D/c\" && grep -q '^steps = 9$' \"$D/c\""), 0);
  snprintf(path, sizeof path, "%s/c", dir);
  tu_rmtree(dir);
}

/* The smaller faults of issue 9: each refused with a message that says
 * what is wrong. */
static void test_small_faults(void **s) {
  (void)s;
  char dir[256], msg[300], e[300];
  tu_tempdir(dir, sizeof dir, "small");
  snprintf(msg, sizeof msg, "%s/msg", dir);
  snprintf(e, sizeof e, "%s/E.txt", dir);
  FILE *fp = fopen(e, "w");
  fputs("0.5 0.1\n0.1 1\n", fp);
  fclose(fp);
  char ekey[320];
  snprintf(ekey, sizeof ekey, "init_E=%s", e);
  static const struct {
    const char *args[8], *expect;
  } cases[] = {
      {{"config", "--set", "eta=1e-320", NULL}, "value '1e-320' underflows a double"},
      {{"config", "--set", "eta=1e999", NULL}, "value '1e999' overflows a double"},
      {{"config", "--set", "engine=population", "--set", "m=4096", "--set", "d=100000000", NULL}, "GiB too much"},
      {{"grad", "--set", "alpha=1e27,1", NULL}, "pi_1 alpha_1^6 = 5e+161 overflows doubles in the moments"},
      {{"grad", "--set", "sigma=1e-30", NULL}, "sigma^6 = 1e-180 underflows"},
      {{"config", "--set", NULL, NULL}, "has E_11 = 0.5 with head = offdiag"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *argv[10] = {tu_phsim()};
    size_t n = 1;
    for (; cases[i].args[n - 1] != NULL; n++) argv[n] = cases[i].args[n - 1];
    if (i == 5) argv[n++] = ekey;
    argv[n] = NULL;
    assert_int_equal(tu_spawn(argv, NULL, msg), 2);
    char *m = tu_slurp(msg);
    if (strstr(m, cases[i].expect) == NULL) fail_msg("case %zu said '%s', expected '%s'", i, m, cases[i].expect);
    free(m);
  }
  /* the excess is said exactly, not hidden by rounding */
  const char *argv[] = {tu_phsim(), "config", "--set", "engine=population", "--set", "m=4096", "--set", "d=100000000", NULL};
  assert_int_equal(tu_spawn(argv, NULL, msg), 2);
  char *m = tu_slurp(msg);
  assert_non_null(strstr(m, "need 12210.0 GiB (13110421225472 bytes); available: "));
  free(m);
  tu_rmtree(dir);
}

/* Moments that overflow during a run end it with status 4 naming the
 * quantity, instead of rho = 0 and status ok. */
static void test_moments_overflow_at_run_time(void **s) {
  (void)s;
  char dir[256], w[300], out[300], sum[320], key[320];
  tu_tempdir(dir, sizeof dir, "moments");
  snprintf(w, sizeof w, "%s/W.txt", dir);
  snprintf(out, sizeof out, "%s/run", dir);
  snprintf(sum, sizeof sum, "%s/summary.json", out);
  snprintf(key, sizeof key, "init_W=%s", w);
  FILE *fp = fopen(w, "w");
  fputs("10 0.1 0.2 0.3\n0.1 10 0.3 0.2\n", fp);
  fclose(fp);
  const char *argv[] = {tu_phsim(), "run", "--set", "alpha=8e24,1", "--set", "d=4", "--set", key,
                        "--out", out, NULL};
  assert_int_equal(tu_spawn(argv, NULL, NULL), 4);
  char *text = tu_slurp(sum);
  assert_non_null(strstr(text, "\"status\": \"diverged\""));
  assert_non_null(strstr(text, "overflows a double: rho not computable"));
  free(text);
  tu_rmtree(dir);
}

/* Output to a full device, and to a file that cannot grow (ulimit -f with
 * SIGXFSZ ignored: a full disk as a regular file sees it): exit 3 naming
 * the output, and the file as it was before. */
static void test_stdout_write_errors(void **s) {
  (void)s;
  char dir[256], run[300], csv[300], cmd[2048];
  tu_tempdir(dir, sizeof dir, "full");
  snprintf(run, sizeof run, "%s/run", dir);
  snprintf(csv, sizeof csv, "%s/t.csv", dir);
  const char *r[] = {tu_phsim(), "run", "--set", "d=10", "--set", "steps=200", "--out", run, NULL};
  assert_int_equal(tu_spawn(r, NULL, NULL), 0);
  FILE *fp = fopen(csv, "w");
  fputs("x,y\n1,2\n2,3\n3,5\n", fp);
  fclose(fp);
  const char *cmds[][8] = {
      {"config", NULL},         {"grad", "--set", "d=5", NULL}, {"keys", NULL},
      {"help", NULL},           {"table", run, NULL},           {"fit", csv, "--x", "x", "--y", "y", NULL},
      {"pull", run, "--at", "100", NULL}, {"field", run, "--at", "100", NULL},
  };
  char msg[300];
  snprintf(msg, sizeof msg, "%s/msg", dir);
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
    const char *argv[12] = {tu_phsim()};
    size_t n = 1;
    for (; cmds[i][n - 1] != NULL; n++) argv[n] = cmds[i][n - 1];
    argv[n] = NULL;
    int st = tu_spawn(argv, "/dev/full", msg);
    char *m = tu_slurp(msg);
    if (st != 3 || strstr(m, "cannot write standard output ('/dev/full')") == NULL)
      fail_msg("'%s' > /dev/full: exit %d, '%s'", cmds[i][0], st, m);
    free(m);
  }
  /* a file that cannot grow past 512 bytes: emptied (>) or restored (>>) */
  snprintf(cmd, sizeof cmd,
           "trap '' XFSZ; ulimit -f 1; cd '%s' && \"$0\" field run --at 100 > f.csv; a=$?; "
           "echo hello > g.csv; \"$0\" field run --at 100 >> g.csv; b=$?; "
           "test $a = 3 && test $b = 3 && test ! -s f.csv && test \"$(cat g.csv)\" = hello",
           dir);
  char *bin = realpath(tu_phsim(), NULL);
  const char *sh[] = {"/bin/sh", "-c", cmd, bin, NULL};
  assert_int_equal(tu_spawn(sh, NULL, NULL), 0);
  free(bin);
  tu_rmtree(dir);
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Start argv with stdout into out, SIGTERM it after `after` seconds; the
 * seconds it took to exit then; *status its exit status. */
static double stop_after(const char *const argv[], const char *out, double after, int *status) {
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644), e = open("/dev/null", O_WRONLY);
    dup2(o, 1);
    dup2(e, 2);
    execv(argv[0], (char *const *)argv);
    _exit(127);
  }
  struct timespec ts = {(time_t)after, (long)((after - (double)(time_t)after) * 1e9)};
  nanosleep(&ts, NULL);
  kill(pid, SIGTERM);
  double t0 = now();
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  *status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return now() - t0;
}

/* SIGTERM ends grad (minutes of O(m^3) work at m = 4096), a run between
 * two logged rows, a sweep still checking its points, and a plot whose
 * gnuplot hangs, within a second: status 6, nothing half written. */
static void test_signals_within_a_second(void **s) {
  (void)s;
  char dir[256], out[300], w[300], key[320], sw[300], plots[300], gp[320], run[300];
  tu_tempdir(dir, sizeof dir, "signal");
  snprintf(out, sizeof out, "%s/stdout", dir);
  int st;
  const char *g[] = {tu_phsim(), "grad", "--set", "engine=order", "--set", "m=4096", "--set", "d=100", NULL};
  double t = stop_after(g, out, 1.0, &st);
  if (st != 6 || t > 1.0) fail_msg("grad: exit %d after %.2f s", st, t);
  char *text = tu_slurp(out);
  assert_string_equal(text, "");
  free(text);
  /* a run between two logged rows (log_every = steps): the engines poll
   * the flag every step; the run keeps its state, marked interrupted */
  char lrun[300], lsum[320];
  snprintf(lrun, sizeof lrun, "%s/long", dir);
  snprintf(lsum, sizeof lsum, "%s/summary.json", lrun);
  const char *l[] = {tu_phsim(), "run", "--set", "engine=population", "--set", "d=200", "--set",
                     "steps=300000000", "--set", "log_every=300000000", "--out", lrun, NULL};
  t = stop_after(l, out, 1.0, &st);
  if (st != 6 || t > 1.0) fail_msg("run: exit %d after %.2f s", st, t);
  text = tu_slurp(lsum);
  assert_non_null(strstr(text, "\"status\": \"interrupted\""));
  free(text);
  /* a sweep of 10^6 points still checking them (about 1.4 s; its init_W
   * is read once) */
  snprintf(w, sizeof w, "%s/W.txt", dir);
  FILE *fp = fopen(w, "w");
  for (int j = 0; j < 2; j++)
    for (int i = 0; i < 1000; i++) fprintf(fp, "%g%c", 0.01 * (i % 7), i == 999 ? '\n' : ' ');
  fclose(fp);
  snprintf(key, sizeof key, "init_W=%s", w);
  snprintf(sw, sizeof sw, "%s/sweep", dir);
  const char *a[] = {tu_phsim(), "sweep", "--set", "d=1000", "--set", key, "--grid", "seed=1:10000:10000",
                     "--grid", "eta=0.5:1:100", "--out", sw, NULL};
  t = stop_after(a, out, 0.3, &st); /* planning 10^6 points takes about 1.4 s */
  if (st != 6 || t > 1.0) fail_msg("sweep: exit %d after %.2f s", st, t);
  assert_false(tu_exists(sw));
  /* a sweep of 3 10^5 points stopped while it runs: the points no worker
   * reached are looked up by one readdir, not an open each (12 s at 10^6) */
  snprintf(sw, sizeof sw, "%s/running", dir);
  const char *b[] = {tu_phsim(), "sweep", "--set", "d=5", "--set", "steps=100000000", "--grid",
                     "seed=1:3000:3000", "--grid", "eta=0.01:0.02:100", "--out", sw, NULL};
  t = stop_after(b, out, 1.5, &st);
  if (st != 6 || t > 1.0) fail_msg("running sweep: exit %d after %.2f s", st, t);
  /* a gnuplot that hangs (pause), through PHSIM_PLOTS */
  snprintf(plots, sizeof plots, "%s/plots", dir);
  snprintf(gp, sizeof gp, "%s/run.gp", plots);
  snprintf(run, sizeof run, "%s/run", dir);
  mkdir(plots, 0777);
  fp = fopen(gp, "w");
  fputs("pause 60\n", fp);
  fclose(fp);
  const char *r[] = {tu_phsim(), "run", "--set", "d=10", "--set", "steps=100", "--out", run, NULL};
  assert_int_equal(tu_spawn(r, NULL, NULL), 0);
  setenv("PHSIM_PLOTS", plots, 1);
  const char *p[] = {tu_phsim(), "plot", run, NULL};
  t = stop_after(p, out, 1.0, &st);
  unsetenv("PHSIM_PLOTS");
  if (st != 6 || t > 1.0) fail_msg("plot: exit %d after %.2f s", st, t);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "test -z \"$(ls -A '%s' | grep -v -e config -e summary.json -e trajectory.csv -e .phsim.lock)\"", run);
  const char *sh[] = {"/bin/sh", "-c", cmd, NULL};
  assert_int_equal(tu_spawn(sh, NULL, NULL), 0);
  tu_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plot_paths_with_shell_metacharacters),
      cmocka_unit_test(test_plot_long_facet_values),
      cmocka_unit_test(test_plot_tic_labels_with_digits),
      cmocka_unit_test(test_config_from_pipes),
      cmocka_unit_test(test_small_faults),
      cmocka_unit_test(test_moments_overflow_at_run_time),
      cmocka_unit_test(test_stdout_write_errors),
      cmocka_unit_test(test_signals_within_a_second),
  };
  return cmocka_run_group_tests_name("hostile", tests, NULL, NULL);
}
