/* test_bad_input.c: the corpus tests/bad_input/cases.txt through the
 * phsim binary: exit status 2, one line on stderr with the expected words,
 * nothing on stdout, no output directory left behind. */
#include "testutil.h"

#include <sys/stat.h>
#include <sys/wait.h>

/* Replace every "@DIR@" and "@OUT@" in src. */
static void substitute(const char *src, const char *dir, const char *out,
                       char *dst, size_t n) {
  size_t k = 0;
  while (*src && k + 1 < n) {
    const char *rep = strncmp(src, "@DIR@", 5) == 0   ? dir
                      : strncmp(src, "@OUT@", 5) == 0 ? out
                                                      : NULL;
    if (rep != NULL) {
      k += (size_t)snprintf(dst + k, n - k, "%s", rep);
      src += 5;
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

static void test_bad_inputs(void **s) {
  (void)s;
  const char *bin = getenv("PHSIM") ? getenv("PHSIM") : "bin/phsim";
  FILE *cases = fopen("tests/bad_input/cases.txt", "r");
  assert_non_null(cases);
  char line[2048], tmp[256], out[320], args[4096], cmd[8192], path[400], msg[4096];
  size_t n = 0;
  while (fgets(line, sizeof line, cases) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0') continue;
    char *tab = strchr(line, '\t');
    assert_non_null(tab);
    *tab = '\0';
    const char *expect = tab + 1;
    tu_tempdir(tmp, sizeof tmp, "bad");
    snprintf(out, sizeof out, "%s/out", tmp);
    substitute(line, "tests/bad_input", out, args, sizeof args);
    snprintf(cmd, sizeof cmd, "%s %s >%s/stdout 2>%s/stderr", bin, args, tmp, tmp);
    int st = system(cmd);
    snprintf(path, sizeof path, "%s/stderr", tmp);
    msg[0] = '\0';
    size_t lines = count_lines(path, msg, sizeof msg);
    snprintf(path, sizeof path, "%s/stdout", tmp);
    char dummy[16];
    size_t outlines = count_lines(path, dummy, sizeof dummy);
    struct stat sb;
    int left = stat(out, &sb) == 0;
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 2 || lines != 1 || outlines != 0 ||
        strstr(msg, expect) == NULL || left)
      fail_msg("'phsim %s': exit %d, %zu stderr line(s) '%s', %zu stdout line(s), "
               "output left: %d; expected exit 2 and '%s'",
               args, WEXITSTATUS(st), lines, msg, outlines, left, expect);
    tu_rmtree(tmp);
    n++;
  }
  fclose(cases);
  assert_true(n >= 40);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_bad_inputs)};
  return cmocka_run_group_tests_name("bad input", tests, NULL, NULL);
}
