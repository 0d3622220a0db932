/* test_experiments.c: CI runs the reduced version (QUICK=1) of every
 * experiment in experiments/ and checks that it ends with a PASS verdict. */
#include "testutil.h"

#include <sys/wait.h>

static void run_experiment(const char *script, const char *name) {
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
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0 || strstr(line, "verdict: PASS") == NULL) {
    snprintf(cmd, sizeof cmd, "tail -n 20 %s/log.txt", dir);
    if (system(cmd) != 0) print_message("(no log)\n");
    fail_msg("%s: exit %d, verdict '%s'", script, WEXITSTATUS(st), line);
  }
  tu_rmtree(dir);
}

static void test_e1(void **s) { (void)s; run_experiment("e1_mechanism.sh", "e1"); }
static void test_e2(void **s) { (void)s; run_experiment("e2_phase1_time.sh", "e2"); }
static void test_e3(void **s) { (void)s; run_experiment("e3_substitution.sh", "e3"); }
static void test_e4(void **s) { (void)s; run_experiment("e4_phase_diagram.sh", "e4"); }
static void test_e5(void **s) { (void)s; run_experiment("e5_width.sh", "e5"); }
static void test_e6(void **s) { (void)s; run_experiment("e6_ablations.sh", "e6"); }
static void test_e7(void **s) { (void)s; run_experiment("e7_finite_samples.sh", "e7"); }

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_e1), cmocka_unit_test(test_e2), cmocka_unit_test(test_e3),
      cmocka_unit_test(test_e4), cmocka_unit_test(test_e5), cmocka_unit_test(test_e6),
      cmocka_unit_test(test_e7),
  };
  return cmocka_run_group_tests_name("experiments", tests, NULL, NULL);
}
