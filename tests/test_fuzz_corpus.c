/* test_fuzz_corpus.c: replay the fuzzers' seed corpus and every crash they
 * ever found (tests/fuzz/regressions/) through the same harness functions,
 * so that a fixed crash stays fixed (under `make sanitize` too). */
#define PHSIM_FUZZ_NO_MAIN
#include "fuzz/fuzz_config.c"
#include "fuzz/fuzz_csv.c"
#include "fuzz/fuzz_matrix.c"
#include "fuzz/fuzz_set.c"
#include "fuzz/fuzz_summary.c"
#include "fuzz/fuzz_sweepmeta.c"

#include "testutil.h"

#include <dirent.h>

typedef int (*harness)(const uint8_t *, size_t);

/* Feed every file of dir whose name starts with prefix; return how many. */
static size_t replay(const char *dir, const char *prefix, harness h) {
  DIR *d = opendir(dir);
  if (d == NULL) return 0;
  size_t n = 0;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    FILE *fp = fopen(path, "rb");
    if (fp == NULL) continue;
    uint8_t buf[1 << 16];
    size_t len = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    assert_int_equal(h(buf, len), 0);
    n++;
  }
  closedir(d);
  return n;
}

static void test_replay(void **s) {
  (void)s;
  assert_true(replay("tests/fuzz/corpus/config", "", phsim_fuzz_config) >= 3);
  assert_true(replay("tests/fuzz/corpus/set", "", phsim_fuzz_set) >= 3);
  assert_true(replay("tests/fuzz/corpus/matrix", "", phsim_fuzz_matrix) >= 3);
  assert_true(replay("tests/fuzz/corpus/sweepmeta", "", phsim_fuzz_sweepmeta) >= 3);
  assert_true(replay("tests/fuzz/corpus/summary", "", phsim_fuzz_summary) >= 3);
  assert_true(replay("tests/fuzz/corpus/csv", "", phsim_fuzz_csv) >= 3);
  replay("tests/fuzz/regressions", "config-", phsim_fuzz_config);
  replay("tests/fuzz/regressions", "sweepmeta-", phsim_fuzz_sweepmeta);
  replay("tests/fuzz/regressions", "summary-", phsim_fuzz_summary);
  replay("tests/fuzz/regressions", "csv-", phsim_fuzz_csv);
  replay("tests/fuzz/regressions", "set-", phsim_fuzz_set);
  replay("tests/fuzz/regressions", "matrix-", phsim_fuzz_matrix);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_replay)};
  return cmocka_run_group_tests_name("fuzz corpus", tests, NULL, NULL);
}
