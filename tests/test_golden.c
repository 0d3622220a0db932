/* test_golden.c: outputs stay what they were.  Every case of
 * tests/golden/cases (each engine, head modes, accel and twin, fixed seeds)
 * is run by the CLI ($PHSIM, default bin/phsim) with --no-timing; its
 * trajectory.csv must equal the stored one byte for byte and its
 * summary.json the stored one as JSON, except the "provenance" object
 * (version, commit, command line), which names the build and not the
 * result.  The stored files were written by phsim before the library
 * refactor (issue 10), the sampled cases' again when the data generator
 * became the counter-based one (issue 13, item 3: a new random stream,
 * checked by test_batch.c's and test_engines.c's Monte Carlo comparisons),
 * and the summaries' phase1_offtarget_max and phase1_E_minus_I_max when
 * phase I's maxima came to exclude T1's row, and phase1_E_minus_I_max again
 * when it came to be the maximum up to T1 / 2 (issue 8: only those keys
 * changed, every trajectory the same bytes), and phases' pull_end added
 * (issue 8, the end of substitution by the pull: every other key and every
 * trajectory the same; order_accel's ends again when T1 came to be located
 * to a step for them, checked against a brute-force reference in
 * test_pullend.c); a change of any number, key or row fails here. */
#include "testutil.h"

#include <jansson.h>

#define GOLDEN "tests/golden"
#define ARGS_MAX 64

/* Run `phsim run --set k=v ... --no-timing --out out` (an argument
 * vector, no shell); its exit status, -1 for too many keys. */
static int run_case(char *keys, const char *out) {
  const char *argv[ARGS_MAX];
  int n = 0;
  argv[n++] = tu_phsim();
  argv[n++] = "run";
  for (char *k = strtok(keys, " \t\n"); k != NULL; k = strtok(NULL, " \t\n")) {
    if (n + 5 >= ARGS_MAX) return -1;
    argv[n++] = "--set";
    argv[n++] = k;
  }
  argv[n++] = "--no-timing";
  argv[n++] = "--out";
  argv[n++] = out;
  argv[n] = NULL;
  return tu_spawn(argv, NULL, NULL);
}

static void same_trajectory(const char *name, const char *dir) {
  char want_path[1100], got_path[1100];
  snprintf(want_path, sizeof want_path, GOLDEN "/%s/trajectory.csv", name);
  snprintf(got_path, sizeof got_path, "%s/trajectory.csv", dir);
  size_t nw = 0, ng = 0;
  char *want = tu_slurp_len(want_path, &nw), *got = tu_slurp_len(got_path, &ng);
  if (want == NULL || got == NULL) fail_msg("%s: cannot read %s or %s", name, want_path, got_path);
  if (nw != ng || memcmp(want, got, nw) != 0)
    fail_msg("%s: trajectory.csv differs from %s", name, want_path);
  free(want);
  free(got);
}

static void same_summary(const char *name, const char *dir) {
  char want_path[1100], got_path[1100];
  snprintf(want_path, sizeof want_path, GOLDEN "/%s/summary.json", name);
  snprintf(got_path, sizeof got_path, "%s/summary.json", dir);
  json_error_t e;
  json_t *want = json_load_file(want_path, 0, &e), *got = json_load_file(got_path, 0, &e);
  if (want == NULL || got == NULL) fail_msg("%s: cannot parse %s or %s", name, want_path, got_path);
  json_object_del(want, "provenance");
  json_object_del(got, "provenance");
  if (!json_equal(want, got)) {
    const char *k;
    json_t *v;
    json_object_foreach(want, k, v) if (!json_equal(v, json_object_get(got, k)))
        fail_msg("%s: summary.json key \"%s\" differs from %s", name, k, want_path);
    fail_msg("%s: summary.json has keys that %s does not", name, want_path);
  }
  json_decref(want);
  json_decref(got);
}

static void test_every_case_unchanged(void **state) {
  (void)state;
  FILE *f = fopen(GOLDEN "/cases", "r");
  assert_non_null(f);
  char line[1024], tmpl[256];
  tu_tempdir(tmpl, sizeof tmpl, "golden");
  int cases = 0;
  while (fgets(line, sizeof line, f) != NULL) {
    if (line[0] == '#' || line[0] == '\n') continue;
    char *name = strtok(line, " \t"), *keys = strtok(NULL, "\n");
    assert_non_null(keys);
    char out[512];
    snprintf(out, sizeof out, "%s/%s", tmpl, name);
    int rc = run_case(keys, out);
    if (rc != 0) fail_msg("%s: phsim run exited %d", name, rc);
    same_trajectory(name, out);
    same_summary(name, out);
    cases++;
  }
  fclose(f);
  assert_true(cases >= 8);
  tu_rmtree(tmpl);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_every_case_unchanged)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
