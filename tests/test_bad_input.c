/* test_bad_input.c: the corpus tests/bad_input/cases.txt through the
 * phsim binary: exit status 2, one line on stderr with the expected words,
 * nothing on stdout, no output directory left behind, and the input
 * directory of the case exactly as it was (names, sizes, times).
 *
 * A line is "ARGS<TAB>EXPECTED" or "SETUP<TAB>ARGS<TAB>EXPECTED".  SETUP is
 * a shell command that builds the case's input in $T from the valid
 * outputs in $TPL (made once by the binary under test, $P): a run
 * ($TPL/run), a sweep of three keys ($TPL/sweep) and the same sweep in two
 * shards not merged ($TPL/shards).  In ARGS, @DIR@ is tests/bad_input,
 * @OUT@ a fresh output path, @T@ the case's input directory. */
#include "testutil.h"

/* Replace every "@DIR@", "@OUT@" and "@T@" in src. */
static void substitute(const char *src, const char *dir, const char *out,
                       const char *t, char *dst, size_t n) {
  size_t k = 0;
  while (*src && k + 1 < n) {
    const char *rep = NULL;
    size_t skip = 5;
    if (strncmp(src, "@DIR@", 5) == 0) rep = dir;
    else if (strncmp(src, "@OUT@", 5) == 0) rep = out;
    else if (strncmp(src, "@T@", 3) == 0) rep = t, skip = 3;
    if (rep != NULL) {
      k += (size_t)snprintf(dst + k, n - k, "%s", rep);
      src += skip;
    } else {
      dst[k++] = *src++;
    }
  }
  dst[k < n ? k : n - 1] = '\0';
}

static size_t count_lines(const char *path, char *first, size_t n) {
  FILE *fp = fopen(path, "r");
  if (fp == NULL) return 0;
  size_t lines = 0;
  char buf[4096];
  while (fgets(buf, sizeof buf, fp) != NULL) {
    if (lines == 0) snprintf(first, n, "%s", buf);
    lines++;
  }
  fclose(fp);
  return lines;
}

/* The valid outputs the setups start from, at the spec's step (eta = 1,
 * population engine for the run): the corpus edits their values. */
static void make_templates(const char *tpl) {
  char run[300], sweep[300], shards[300];
  snprintf(run, sizeof run, "%s/run", tpl);
  snprintf(sweep, sizeof sweep, "%s/sweep", tpl);
  snprintf(shards, sizeof shards, "%s/shards", tpl);
  const char *r[] = {tu_phsim(), "run", "--set", "d=10", "--set", "steps=300", "--set",
                     "log_every=50", "--set", "eta=1", "--set", "eta_E=0.1", "--set",
                     "engine=population", "--out", run, NULL};
  assert_int_equal(tu_spawn(r, NULL, NULL), 0);
  const char *s[] = {tu_phsim(), "sweep", "--set", "engine=order", "--set", "d=20", "--set",
                     "steps=300", "--set", "eta=1", "--set", "log_every=100", "--grid", "seed=1:2:2", "--grid", "head=offdiag,fixed",
                     "--grid", "eta_E=0.05,0.1", "--out", sweep, NULL};
  assert_int_equal(tu_spawn(s, NULL, NULL), 0);
  for (int i = 1; i <= 2; i++) {
    const char *sh[] = {tu_phsim(), "sweep", "--set", "engine=order", "--set", "d=20", "--set",
                        "steps=300", "--set", "eta=1", "--set", "log_every=100", "--grid", "seed=1:2:2", "--grid", "head=offdiag,fixed",
                        "--grid", "eta_E=0.05,0.1", "--shard", i == 1 ? "1/2" : "2/2",
                        "--out", shards, NULL};
    assert_int_equal(tu_spawn(sh, NULL, NULL), 0);
  }
}

/* One case; returns 1 if it passed (else prints why). */
static int run_case(const char *setup, const char *argsrc, const char *expect,
                    const char *tpl) {
  const char *bin = tu_phsim();
  char tmp[256], out[320], t[320], args[4096], cmd[8192], path[400], msg[4096];
  tu_tempdir(tmp, sizeof tmp, "bad");
  snprintf(out, sizeof out, "%s/out", tmp);
  snprintf(t, sizeof t, "%s/in", tmp);
  mkdir(t, 0777);
  if (setup != NULL) {
    snprintf(cmd, sizeof cmd, "T='%s' TPL='%s' P='%s' DIR=tests/bad_input; %s", t, tpl, bin, setup);
    if (system(cmd) != 0) fail_msg("setup failed: %s", setup);
  }
  char *before = tu_snapshot(t);
  substitute(argsrc, "tests/bad_input", out, t, args, sizeof args);
  snprintf(cmd, sizeof cmd, "%s %s >%s/stdout 2>%s/stderr", bin, args, tmp, tmp);
  int st = system(cmd);
  snprintf(path, sizeof path, "%s/stderr", tmp);
  msg[0] = '\0';
  size_t lines = count_lines(path, msg, sizeof msg);
  snprintf(path, sizeof path, "%s/stdout", tmp);
  char dummy[16];
  size_t outlines = count_lines(path, dummy, sizeof dummy);
  int left = tu_exists(out);
  char *after = tu_snapshot(t);
  int changed = strcmp(before, after) != 0;
  int ok = WIFEXITED(st) && WEXITSTATUS(st) == 2 && lines == 1 && outlines == 0 &&
           strstr(msg, expect) != NULL && !left && !changed;
  if (!ok)
    print_error("'phsim %s': exit %d, %zu stderr line(s) '%s', %zu stdout line(s), "
                "output left: %d, input changed: %d; expected exit 2 and '%s'\n",
                args, WEXITSTATUS(st), lines, msg, outlines, left, changed, expect);
  free(before);
  free(after);
  tu_rmtree(tmp);
  return ok;
}

static void test_bad_inputs(void **s) {
  (void)s;
  char tpl[256];
  tu_tempdir(tpl, sizeof tpl, "tpl");
  make_templates(tpl);
  FILE *cases = fopen("tests/bad_input/cases.txt", "r");
  assert_non_null(cases);
  char line[4096];
  size_t n = 0, failed = 0, with_setup = 0;
  while (fgets(line, sizeof line, cases) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0') continue;
    char *tab1 = strchr(line, '\t');
    assert_non_null(tab1);
    *tab1 = '\0';
    char *tab2 = strchr(tab1 + 1, '\t');
    const char *setup = NULL, *args = line, *expect = tab1 + 1;
    if (tab2 != NULL) {
      *tab2 = '\0';
      setup = line;
      args = tab1 + 1;
      expect = tab2 + 1;
      with_setup++;
    }
    failed += !run_case(setup, args, expect, tpl);
    n++;
  }
  fclose(cases);
  tu_rmtree(tpl);
  print_message("%zu bad inputs (%zu built from damaged phsim outputs), %zu failed\n", n,
                with_setup, failed);
  assert_int_equal(failed, 0);
  assert_true(n >= 117);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_bad_inputs)};
  return cmocka_run_group_tests_name("bad input", tests, NULL, NULL);
}
