/* test_experiments.c: CI runs the reduced version (QUICK=1) of every
 * experiment in experiments/ and checks that it ends with a PASS verdict. */
#include "testutil.h"

#include <sys/wait.h>

/* Run QUICK=1 experiments/<script> and check its verdict line: it must say
 * "verdict: PASS", or, when `expect` is given, contain every string of it
 * (the per-claim verdicts of an experiment whose claims are measured to
 * fail at finite d: a regression check on what it finds, either way). */
static void run_experiment_expect(const char *script, const char *name,
                                  const char *const *expect, size_t nexpect) {
  char dir[256], cmd[1024], path[400];
  tu_tempdir(dir, sizeof dir, "exp");
  const char *bin = getenv("PHSIM");
  snprintf(cmd, sizeof cmd,
           "QUICK=1 OUT=%s PHSIM=%s sh experiments/%s > %s/log.txt 2>&1", dir,
           bin ? bin : "bin/phsim", script, dir);
  int st = system(cmd);
  snprintf(path, sizeof path, "%s/%s/verdict.txt", dir, name);
  FILE *fp = fopen(path, "r");
  char line[1024] = "";
  if (fp != NULL) {
    if (fgets(line, sizeof line, fp) == NULL) line[0] = '\0';
    fclose(fp);
  }
  print_message("%s", line);
  int ok = strstr(line, "verdict: ") != NULL;
  for (size_t i = 0; i < nexpect; i++) ok = ok && strstr(line, expect[i]) != NULL;
  if (nexpect == 0) ok = WIFEXITED(st) && WEXITSTATUS(st) == 0 && strstr(line, "verdict: PASS");
  if (!ok) {
    snprintf(cmd, sizeof cmd, "tail -n 20 %s/log.txt", dir);
    if (system(cmd) != 0) print_message("(no log)\n");
    fail_msg("%s: exit %d, verdict '%s'", script, WEXITSTATUS(st), line);
  }
  tu_rmtree(dir);
}

static void run_experiment(const char *script, const char *name) {
  run_experiment_expect(script, name, NULL, 0);
}

static void test_e1(void **s) { (void)s; run_experiment("e1_mechanism.sh", "e1"); }
static void test_e2(void **s) { (void)s; run_experiment("e2_phase1_time.sh", "e2"); }
static void test_e3(void **s) { (void)s; run_experiment("e3_substitution.sh", "e3"); }
static void test_e4(void **s) { (void)s; run_experiment("e4_phase_diagram.sh", "e4"); }
static void test_e5(void **s) { (void)s; run_experiment("e5_width.sh", "e5"); }
static void test_e6(void **s) { (void)s; run_experiment("e6_ablations.sh", "e6"); }
static void test_e7(void **s) { (void)s; run_experiment("e7_finite_samples.sh", "e7"); }
/* E8's reduced version (d = 10^2..10^5, 6 seeds): the per-claim verdicts
 * it finds (NOTES section 10.1 has the full version's, and the mutations
 * that flip each): V1 PASS, V2 FAIL (||E - I|| up to T1 grows again at
 * 10^5, as in the full run), V3 FAIL, V4 FAIL, V5 PASS, V6 PASS, V7 PASS. */
static void test_e8(void **s) {
  (void)s;
  static const char *const expect[] = {"PASS; V2", "FAIL; V3", "FAIL; V4", "FAIL; V5", "PASS; V6", "PASS; V7",
                                       "PASS; 'any m'"};
  run_experiment_expect("e8_dstudy.sh", "e8", expect, sizeof expect / sizeof *expect);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_e1), cmocka_unit_test(test_e2), cmocka_unit_test(test_e3),
      cmocka_unit_test(test_e4), cmocka_unit_test(test_e5), cmocka_unit_test(test_e6),
      cmocka_unit_test(test_e7), cmocka_unit_test(test_e8),
  };
  return cmocka_run_group_tests_name("experiments", tests, NULL, NULL);
}
