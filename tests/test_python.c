/* test_python.c: the Python binding's tests (tests/test_python.py, run by
 * Debian's python3 as a child with an argument vector, no shell) pass.
 * The interpreter: $PHSIM_PYTHON, else /usr/bin/python3 (where Debian's
 * python3-numpy and python3-pandas are), else python3 on PATH; the library:
 * $PHSIM_LIB, else the one `make` built (TEST_PHSIM_LIB).  Skipped under
 * AddressSanitizer (the interpreter cannot load a sanitized library). */
#include "testutil.h"

#ifndef TEST_PHSIM_LIB
#define TEST_PHSIM_LIB "lib/libphsim.so"
#endif

static const char *python(void) {
  const char *p = getenv("PHSIM_PYTHON");
  if (p != NULL && p[0] != '\0') return p;
  return access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3";
}

static void test_python_binding(void **s) {
  (void)s;
#ifdef __SANITIZE_ADDRESS__
  skip();
#endif
  char dir[256], log[300];
  tu_tempdir(dir, sizeof dir, "python");
  snprintf(log, sizeof log, "%s/log", dir);
  if (getenv("PHSIM_LIB") == NULL) setenv("PHSIM_LIB", TEST_PHSIM_LIB, 1);
  const char *argv[] = {python(), "tests/test_python.py", NULL};
  fflush(NULL);
  pid_t pid = fork();
  assert_true(pid >= 0);
  if (pid == 0) {
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) _exit(126);
    dup2(fd, 1);
    dup2(fd, 2);
    execvp(argv[0], (char *const *)argv);
    _exit(127);
  }
  int st = 0;
  assert_int_equal(waitpid(pid, &st, 0), pid);
  char *text = tu_slurp(log);
  fputs(text ? text : "", stdout); /* all of it: print_message cuts at 1 KiB */
  free(text);
  tu_rmtree(dir);
  assert_true(WIFEXITED(st));
  assert_int_equal(WEXITSTATUS(st), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_python_binding)};
  return cmocka_run_group_tests_name("python", tests, NULL, NULL);
}
