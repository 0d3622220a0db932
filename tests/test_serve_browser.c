/* test_serve_browser.c: the explorer's page in a real browser.  Debian's
 * Chromium, headless (with --no-sandbox: CI runs as root, where Chromium's
 * sandbox refuses to start), loads the page from a server started
 * in-process with ?selftest=1: the page moves its d slider as a user would,
 * waits for both runs and the force field, and writes what it shows into
 * #selftest, which --dump-dom prints.  Checked: no script error, every
 * chart and the portrait drawn, the phase text holds the measured steps,
 * and T1..T4, features learned and E_peak equal `phsim run`'s for the
 * command the page's "copy as command" gives (and for head=fixed).  A
 * screenshot goes to $PHSIM_SCREENSHOT when set (the README's). */
#include "testutil.h"

#include <jansson.h>

#include "phsim_serve.h"

#define CHROMIUM_SECONDS "60"

static const char *chromium(void) {
  const char *c = getenv("CHROMIUM");
  return c != NULL ? c : "/usr/bin/chromium";
}

static phsim_server *start_server(void) {
  if (access(chromium(), X_OK) != 0)
    fail_msg("no browser at %s: `sh .ci/install-deps` installs Debian's chromium "
             "($CHROMIUM names another)", chromium());
  if (access("plots/explorer/node_modules/uplot/dist/uPlot.iife.min.js", R_OK) != 0)
    fail_msg("uPlot is missing: `sh .ci/install-deps` runs npm ci in plots/explorer");
  phsim_serve_opts o = phsim_serve_opts_default();
  o.port = 0;
  o.page = "plots/explorer";
  char err[PHSIM_ERR_MAX];
  phsim_server *s = phsim_serve_start(&o, err);
  if (s == NULL) fail_msg("phsim_serve_start: %s", err);
  return s;
}

/* Chromium headless on url with the given last flag (--dump-dom or
 * --screenshot=PATH) and a window size, stdout into out (NULL: none). */
static void browse(const char *url, const char *what, const char *profile, const char *out) {
  char user[300];
  snprintf(user, sizeof user, "--user-data-dir=%s", profile);
  const char *argv[] = {"/usr/bin/timeout", CHROMIUM_SECONDS, chromium(), "--headless",
                        "--no-sandbox", "--disable-gpu", "--no-first-run", user,
                        "--window-size=1400,2300", "--virtual-time-budget=30000", what, url, NULL};
  int st = tu_spawn(argv, out, NULL);
  if (st != 0) fail_msg("chromium on %s exited with %d (124: no answer in %s s)", url, st, CHROMIUM_SECONDS);
}

/* The text of <pre id="selftest"> in the dumped DOM, unescaped. */
static char *selftest_text(const char *dom) {
  const char *open = "<pre id=\"selftest\">";
  const char *a = strstr(dom, open);
  const char *b = a != NULL ? strstr(a, "</pre>") : NULL;
  if (b == NULL || b == a + strlen(open))
    fail_msg("the page wrote no self-test result (a script failed to load or run?)");
  a += strlen(open);
  char *t = malloc((size_t)(b - a) + 1), *w = t;
  static const char *const ent[][2] = {{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""}};
  while (a < b) {
    size_t k = 0;
    while (k < 4 && strncmp(a, ent[k][0], strlen(ent[k][0])) != 0) k++;
    if (k < 4) {
      *w++ = ent[k][1][0];
      a += strlen(ent[k][0]);
    } else {
      *w++ = *a++;
    }
  }
  *w = '\0';
  return t;
}

/* `phsim run` of the page's command (its --set pairs, head replaced when
 * head != NULL) into dir; its summary.json. */
static json_t *cli_summary(const char *command, const char *head, const char *dir) {
  char *copy = strdup(command), *save = NULL, heads[64];
  const char *argv[64] = {tu_phsim(), "run"};
  size_t k = 2;
  for (char *w = strtok_r(copy, " ", &save); w != NULL && k < 56; w = strtok_r(NULL, " ", &save)) {
    if (strcmp(w, "--set") != 0) continue;
    const char *kv = strtok_r(NULL, " ", &save);
    if (head != NULL && strncmp(kv, "head=", 5) == 0) {
      snprintf(heads, sizeof heads, "head=%s", head);
      kv = heads;
    }
    argv[k++] = "--set";
    argv[k++] = kv;
  }
  const char *tail[] = {"--no-timing", "--out", dir, NULL};
  memcpy(argv + k, tail, sizeof tail);
  assert_int_equal(tu_spawn(argv, NULL, NULL), 0);
  char path[400];
  snprintf(path, sizeof path, "%s/summary.json", dir);
  json_t *v = json_load_file(path, 0, NULL);
  free(copy);
  assert_non_null(v);
  return v;
}

/* The page's numbers of one run against phsim run's summary. */
static void assert_shown(json_t *page, json_t *sum, const char *which) {
  json_t *ph = json_object_get(sum, "phases");
  static const char *const T[] = {"T1", "T2", "T3", "T4"};
  for (int i = 0; i < 4; i++)
    if (!json_equal(json_object_get(page, T[i]), json_object_get(ph, T[i])))
      fail_msg("%s: the page shows %s = %lld, phsim run says %lld", which, T[i],
               json_integer_value(json_object_get(page, T[i])),
               json_integer_value(json_object_get(ph, T[i])));
  assert_true(json_equal(json_object_get(page, "features_learned"),
                         json_object_get(sum, "features_learned")));
  double shown = json_number_value(json_object_get(page, "E_peak"));
  double want = json_number_value(json_object_get(json_object_get(sum, "E_peak"), "value"));
  if (shown != want) fail_msg("%s: E_peak %.17g on the page, %.17g by phsim run", which, shown, want);
}

/* The phase text names T1, T2 and T3 as measured. */
static void assert_phase_text(json_t *r) {
  const char *text = json_string_value(json_object_get(r, "phase_text"));
  json_t *head = json_object_get(r, "head");
  char want[64];
  snprintf(want, sizeof want, "steps %lld–%lld", json_integer_value(json_object_get(head, "T1")),
           json_integer_value(json_object_get(head, "T2")));
  if (text == NULL || strstr(text, want) == NULL || strstr(text, "substitution") == NULL ||
      strstr(text, "acceleration") == NULL)
    fail_msg("the phase text lacks '%s' or the phases' names: %s", want, text ? text : "(none)");
}

static void test_page_in_chromium(void **state) {
  (void)state;
  phsim_server *s = start_server();
  char dir[256], url[128], dom[300], profile[300], run[300];
  tu_tempdir(dir, sizeof dir, "browser");
  snprintf(dom, sizeof dom, "%s/dom.html", dir);
  snprintf(profile, sizeof profile, "%s/profile", dir);
  snprintf(url, sizeof url, "http://127.0.0.1:%u/?seed=2&selftest=1", phsim_serve_port(s));
  browse(url, "--dump-dom", profile, dom);
  char *text = tu_slurp(dom), *result = selftest_text(text);
  json_t *r = json_loads(result, 0, NULL);
  if (r == NULL) fail_msg("the self-test result is not JSON: %s", result);
  if (json_array_size(json_object_get(r, "errors")) > 0 ||
      strcmp(json_string_value(json_object_get(r, "error")), "") != 0)
    fail_msg("the page reported errors: %s", result);
  assert_int_equal(json_integer_value(json_object_get(r, "charts")), 8);
  assert_int_equal(json_integer_value(json_object_get(r, "portrait")), 1);
  assert_int_equal(json_integer_value(json_object_get(r, "field_points")), 17 * 17);
  const char *command = json_string_value(json_object_get(r, "command"));
  assert_non_null(strstr(command, "--set d=200")); /* the slider moved */
  assert_phase_text(r);
  snprintf(run, sizeof run, "%s/head", dir);
  json_t *sum = cli_summary(command, NULL, run);
  assert_shown(json_object_get(r, "head"), sum, "with the head");
  json_decref(sum);
  snprintf(run, sizeof run, "%s/none", dir);
  sum = cli_summary(command, "fixed", run);
  assert_shown(json_object_get(r, "none"), sum, "without a head");
  json_decref(sum);
  const char *shot = getenv("PHSIM_SCREENSHOT");
  if (shot != NULL) {
    char flag[PHSIM_PATH_MAX + 16];
    snprintf(flag, sizeof flag, "--screenshot=%s", shot);
    snprintf(url, sizeof url, "http://127.0.0.1:%u/?seed=2", phsim_serve_port(s));
    browse(url, flag, profile, NULL);
  }
  json_decref(r);
  free(result);
  free(text);
  tu_rmtree(dir);
  phsim_serve_stop(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_page_in_chromium)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
