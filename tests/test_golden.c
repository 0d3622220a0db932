/* test_golden.c: outputs stay what they were.  Every case of
 * tests/golden/cases (each engine, head modes, accel and twin, fixed seeds)
 * is run by the CLI ($PHSIM, default bin/phsim) with --no-timing; its
 * trajectory.csv must equal the stored one byte for byte and its
 * summary.json the stored one as JSON, except the "provenance" object
 * (version, commit, command line), which names the build and not the
 * result.  The stored files were written by phsim before the library
 * refactor (issue 10); a change of any number, key or row fails here. */
#include "testutil.h"

#include <jansson.h>

#define GOLDEN "tests/golden"
#define ARGS_MAX 64

static const char *phsim_bin(void) {
  const char *p = getenv("PHSIM");
  return p != NULL ? p : "bin/phsim";
}

/* Run `phsim run --set k=v ... --no-timing --out out` without a shell. */
static int run_case(char *keys, const char *out) {
  char *argv[ARGS_MAX];
  int n = 0;
  argv[n++] = (char *)phsim_bin();
  argv[n++] = "run";
  for (char *k = strtok(keys, " \t\n"); k != NULL; k = strtok(NULL, " \t\n")) {
    if (n + 5 >= ARGS_MAX) return -1;
    argv[n++] = "--set";
    argv[n++] = k;
  }
  argv[n++] = "--no-timing";
  argv[n++] = "--out";
  argv[n++] = (char *)out;
  argv[n] = NULL;
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execvp(argv[0], argv);
    _exit(127);
  }
  int st = 0;
  if (pid < 0 || waitpid(pid, &st, 0) != pid) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return NULL;
  char *buf = NULL;
  size_t cap = 0, n = 0, got;
  do {
    if (n + 4096 > cap) buf = realloc(buf, cap = 2 * cap + 4096);
    got = fread(buf + n, 1, 4096, f);
    n += got;
  } while (got > 0);
  fclose(f);
  *len = n;
  return buf;
}

static void same_trajectory(const char *name, const char *dir) {
  char want_path[1100], got_path[1100];
  snprintf(want_path, sizeof want_path, GOLDEN "/%s/trajectory.csv", name);
  snprintf(got_path, sizeof got_path, "%s/trajectory.csv", dir);
  size_t nw = 0, ng = 0;
  char *want = slurp(want_path, &nw), *got = slurp(got_path, &ng);
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
  char line[1024], tmpl[] = "/tmp/phsim_golden_XXXXXX";
  assert_non_null(mkdtemp(tmpl));
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
