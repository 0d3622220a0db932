/* test_install.c: make install / uninstall into a temporary prefix
 * (tests/test_install.sh, run as a child with an argument vector). */
#include "testutil.h"

static void test_install_and_uninstall(void **s) {
  (void)s;
  char dir[256], log[300];
  tu_tempdir(dir, sizeof dir, "install");
  snprintf(log, sizeof log, "%s/log", dir);
  const char *argv[] = {"/bin/sh", "tests/test_install.sh", NULL};
  int st = tu_spawn(argv, log, log);
  char *text = tu_slurp(log);
  print_message("%s", text ? text : "");
  free(text);
  tu_rmtree(dir);
  assert_int_equal(st, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_install_and_uninstall)};
  return cmocka_run_group_tests_name("install", tests, NULL, NULL);
}
