/* test_serve.c: `phsim serve`'s API (phsim_serve.h), the server started
 * in-process on a free port and spoken to over a socket: /api/run equals
 * `phsim run --no-timing` (the trajectory's numbers byte for byte, the
 * summary but its provenance, the config), errors carry the command line's
 * messages, files are refused, the budget and the time limit hold, no path
 * leaves the page's fixed files, runs beyond the bound get 503, 50
 * requests at once are answered, a client that goes away frees its slot. */
#include "testutil.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>

#include <jansson.h>

#include "phsim_serve.h"

/* A cheap run (the flow engine) and its keys on the command line. */
#define CHEAP_QUERY "engine=flow&seed=2&d=50&log_per_decade=10"
static const char *const cheap_sets[] = {"engine=flow", "seed=2", "d=50", "log_per_decade=10"};
/* A run of about 20 s (unless stopped), within a budget of 1e12. */
#define SLOW_QUERY "/api/run?engine=order&steps=20000000&log_every=1000000"

static phsim_server *start(unsigned max_runs, double time_limit, double budget) {
  phsim_serve_opts o = phsim_serve_opts_default();
  o.port = 0;
  o.max_runs = max_runs;
  o.time_limit = time_limit;
  o.budget = budget;
  o.page = "plots/explorer";
  char err[PHSIM_ERR_MAX];
  phsim_server *s = phsim_serve_start(&o, err);
  if (s == NULL) fail_msg("phsim_serve_start: %s", err);
  return s;
}

/* A connected socket to the server. */
static int dial(const phsim_server *s) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)phsim_serve_port(s))};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_true(fd >= 0);
  assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
  return fd;
}

/* Send a request line's target with our Host (or host) and method. */
static int send_request(const phsim_server *s, const char *method, const char *target,
                        const char *host) {
  int fd = dial(s);
  char req[8192], own[64];
  snprintf(own, sizeof own, "127.0.0.1:%u", phsim_serve_port(s));
  int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n",
                   method, target, host != NULL ? host : own);
  assert_true(n > 0 && (size_t)n < sizeof req);
  assert_int_equal(send(fd, req, (size_t)n, 0), n);
  return fd;
}

typedef struct {
  int status;
  char *body; /* malloc'd */
} reply;

/* Read the answer to the end; its status and body. */
static reply read_reply(int fd) {
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  for (ssize_t got; (got = recv(fd, buf + n, cap - n - 1, 0)) > 0;) {
    n += (size_t)got;
    if (n + 1 == cap) buf = realloc(buf, cap *= 2);
  }
  buf[n] = '\0';
  close(fd);
  reply r = {0, NULL};
  char *body = strstr(buf, "\r\n\r\n");
  if (sscanf(buf, "HTTP/1.1 %d", &r.status) != 1 || body == NULL) fail_msg("no reply: '%s'", buf);
  r.body = strdup(body + 4);
  free(buf);
  return r;
}

static reply get(const phsim_server *s, const char *target) {
  return read_reply(send_request(s, "GET", target, NULL));
}

/* The reply's JSON (asserting it parses). */
static json_t *parse(const reply *r) {
  json_error_t e;
  json_t *v = json_loads(r->body, 0, &e);
  if (v == NULL) fail_msg("not JSON (%s): %.200s", e.text, r->body);
  return v;
}

/* The reply is status with {"error": containing want}. */
static void assert_error(const phsim_server *s, const char *target, int status, const char *want) {
  reply r = get(s, target);
  if (r.status != status) fail_msg("%s: status %d, expected %d: %s", target, r.status, status, r.body);
  json_t *v = parse(&r);
  const char *msg = json_string_value(json_object_get(v, "error"));
  if (msg == NULL || strstr(msg, want) == NULL)
    fail_msg("%s: error '%s', expected one containing '%s'", target, msg ? msg : "", want);
  json_decref(v);
  free(r.body);
}

/* `phsim run --set ... --no-timing --out dir` of the cheap run; stderr into err_path. */
static int cli_run(const char *const *sets, size_t n, const char *dir, const char *err_path) {
  const char *argv[32] = {tu_phsim(), "run"};
  size_t k = 2;
  for (size_t i = 0; i < n; i++) {
    argv[k++] = "--set";
    argv[k++] = sets[i];
  }
  argv[k++] = "--no-timing";
  argv[k++] = "--out";
  argv[k++] = dir;
  argv[k] = NULL;
  return tu_spawn(argv, NULL, err_path);
}

/* The rows of the body's trajectory, "[a,b,...]," lines, as CSV lines
 * (null as the CSV's empty field: none in these runs). */
static void assert_rows_equal_csv(const char *body, const char *csv) {
  const char *rows = strstr(body, "\"rows\": [");
  assert_non_null(rows);
  rows += strlen("\"rows\": [");
  const char *line = strchr(csv, '\n') + 1; /* past the header */
  size_t count = 0;
  while (*rows == '[') {
    const char *end = strchr(rows, ']');
    size_t n = (size_t)(end - rows - 1);
    const char *nl = strchr(line, '\n');
    if ((size_t)(nl - line) != n || strncmp(rows + 1, line, n) != 0)
      fail_msg("row %zu: '%.*s' against the CSV's '%.*s'", count, (int)n, rows + 1,
               (int)(nl - line), line);
    line = nl + 1;
    rows = end + 1 + (end[1] == ',') + (end[1] == ',' && end[2] == '\n');
    count++;
  }
  assert_string_equal(line, ""); /* every CSV row was matched */
  assert_true(count > 10);
}

static void test_run_equals_cli(void **state) {
  (void)state;
  phsim_server *s = start(4, 10, 2e9);
  reply r = get(s, "/api/run?" CHEAP_QUERY);
  assert_int_equal(r.status, 200);
  char dir[256], path[300];
  tu_tempdir(dir, sizeof dir, "serve");
  snprintf(path, sizeof path, "%s/run", dir);
  assert_int_equal(cli_run(cheap_sets, 4, path, NULL), 0);
  snprintf(path, sizeof path, "%s/run/trajectory.csv", dir);
  char *csv = tu_slurp(path);
  assert_rows_equal_csv(r.body, csv);
  snprintf(path, sizeof path, "%s/run/summary.json", dir);
  json_t *cli = json_load_file(path, 0, NULL), *api = parse(&r);
  json_t *sum = json_object_get(api, "summary");
  assert_non_null(cli);
  assert_true(json_equal(json_object_get(api, "config"), json_object_get(cli, "config")));
  json_object_del(cli, "provenance");
  json_object_del(sum, "provenance");
  assert_true(json_equal(sum, cli));
  json_t *cols = json_object_get(json_object_get(api, "trajectory"), "columns");
  assert_string_equal(json_string_value(json_array_get(cols, 0)), "step");
  json_decref(cli);
  json_decref(api);
  free(csv);
  free(r.body);
  tu_rmtree(dir);
  phsim_serve_stop(s);
}

/* 400 with the message `phsim run --set d=abc` prints. */
static void test_bad_input_is_the_cli_message(void **state) {
  (void)state;
  phsim_server *s = start(4, 10, 2e9);
  char dir[256], out[300], errp[300];
  tu_tempdir(dir, sizeof dir, "serve");
  snprintf(out, sizeof out, "%s/run", dir);
  snprintf(errp, sizeof errp, "%s/stderr", dir);
  const char *bad[] = {"d=abc"};
  assert_int_equal(cli_run(bad, 1, out, errp), PHSIM_EINPUT);
  char *msg = tu_slurp(errp);
  assert_true(strncmp(msg, "phsim: ", 7) == 0);
  *strchr(msg, '\n') = '\0';
  assert_error(s, "/api/run?d=abc", 400, msg + 7);
  assert_error(s, "/api/run?no_such_key=1", 400, "no_such_key");
  assert_error(s, "/api/run?Pf=20", 400, "Pf");
  assert_error(s, "/api/run?d", 400, "without a value");
  assert_error(s, "/api/field?" CHEAP_QUERY "&at=abc", 400, "parameter 'at'");
  assert_error(s, "/api/field?" CHEAP_QUERY "&neuron=3", 400, "parameter 'neuron'");
  assert_error(s, "/api/keys?x=1", 400, "allowed: none");
  free(msg);
  tu_rmtree(dir);
  phsim_serve_stop(s);
}

static void test_files_and_costs_refused(void **state) {
  (void)state;
  phsim_server *s = start(4, 10, 2e9);
  assert_error(s, "/api/run?init_W=/etc/passwd", 400, "names a file");
  assert_error(s, "/api/run?init_E=x", 400, "names a file");
  assert_error(s, "/api/run?engine=order", 400, "would cost");
  assert_error(s, "/api/run?engine=sampled&steps=100000", 400, "would cost");
  assert_error(s, "/api/run?engine=flow&m=1000&log_every=1", 400, "numbers");
  assert_error(s, "/api/field?engine=order&at=8000000", 400, "cost");
  char many[4096] = "/api/run?seed=1";
  for (int i = 0; i < 70; i++) strcat(many, "&seed=1");
  assert_error(s, many, 400, "more than 64 parameters");
  char longv[600] = "/api/run?alpha=";
  memset(longv + strlen(longv), '1', 300);
  assert_error(s, longv, 400, "a value of 300 bytes");
  phsim_serve_stop(s);
}

static void test_paths(void **state) {
  (void)state;
  phsim_server *s = start(4, 10, 2e9);
  const char *const bad[] = {"/../Makefile", "/%2e%2e/Makefile", "/%2E%2E/%2E%2E/etc/passwd",
                             "/index.html/../../Makefile", "/plots/explorer/index.html",
                             "//etc/passwd", "/api", "/api/run/", "/node_modules/uplot/package.json",
                             "/vendor/../index.html", "/nope"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) assert_error(s, bad[i], 404, "no such page");
  reply r = get(s, "/");
  char *page = tu_slurp("plots/explorer/index.html");
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, page);
  free(page);
  free(r.body);
  r = get(s, "/api/keys");
  json_t *keys = parse(&r);
  assert_true(json_array_size(keys) > 20);
  json_decref(keys);
  free(r.body);
  r = read_reply(send_request(s, "POST", "/api/run", NULL));
  assert_int_equal(r.status, 405);
  free(r.body);
  r = read_reply(send_request(s, "GET", "/api/version", "evil.example:80"));
  assert_int_equal(r.status, 403);
  free(r.body);
  phsim_serve_stop(s);
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* Computations running now (/api/version). */
static long running(const phsim_server *s) {
  reply r = get(s, "/api/version");
  json_t *v = parse(&r);
  long n = (long)json_integer_value(json_object_get(v, "running"));
  json_decref(v);
  free(r.body);
  return n;
}

/* Wait up to seconds for n computations running; the seconds it took. */
static double wait_running(const phsim_server *s, long n, double seconds) {
  double t0 = now();
  while (running(s) != n) {
    if (now() - t0 > seconds) fail_msg("%ld computations running after %g s, expected %ld",
                                       running(s), seconds, n);
    nanosleep(&(struct timespec){0, 10000000L}, NULL);
  }
  return now() - t0;
}

/* Two slow runs fill both slots: a third is refused (503); their clients
 * go away, which stops them at once (not in the 20 s they would take). */
static void test_bound_and_disconnect(void **state) {
  (void)state;
  phsim_server *s = start(2, 60, 1e12);
  int slow[2] = {send_request(s, "GET", SLOW_QUERY, NULL), send_request(s, "GET", SLOW_QUERY, NULL)};
  wait_running(s, 2, 10);
  assert_error(s, "/api/run?" CHEAP_QUERY, 503, "busy");
  close(slow[0]);
  close(slow[1]);
  assert_true(wait_running(s, 0, 5) < 2);
  reply r = get(s, "/api/run?" CHEAP_QUERY);
  assert_int_equal(r.status, 200);
  free(r.body);
  phsim_serve_stop(s);
}

static void test_time_limit(void **state) {
  (void)state;
  phsim_server *s = start(2, 0.3, 1e12);
  double t0 = now();
  assert_error(s, SLOW_QUERY, 503, "time limit of 0.3 s");
  assert_true(now() - t0 < 3);
  phsim_serve_stop(s);
}

typedef struct {
  const phsim_server *s;
  reply r;
} fetch;

static void *fetch_cheap(void *arg) {
  fetch *f = arg;
  f->r = get(f->s, "/api/run?" CHEAP_QUERY);
  return NULL;
}

/* 50 requests at once: each answered 200 (the same bytes) or 503 (busy). */
static void test_fifty_at_once(void **state) {
  (void)state;
  phsim_server *s = start(4, 10, 2e9);
  enum { N = 50 };
  static fetch f[N];
  pthread_t t[N];
  for (int i = 0; i < N; i++) {
    f[i].s = s;
    assert_int_equal(pthread_create(&t[i], NULL, fetch_cheap, &f[i]), 0);
  }
  const char *first = NULL;
  int ok = 0;
  for (int i = 0; i < N; i++) {
    pthread_join(t[i], NULL);
    assert_true(f[i].r.status == 200 || f[i].r.status == 503);
    if (f[i].r.status != 200) continue;
    ok++;
    if (first == NULL) first = f[i].r.body;
    assert_string_equal(f[i].r.body, first);
  }
  assert_true(ok > 0);
  for (int i = 0; i < N; i++) free(f[i].r.body);
  phsim_serve_stop(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_run_equals_cli),   cmocka_unit_test(test_bad_input_is_the_cli_message),
      cmocka_unit_test(test_files_and_costs_refused), cmocka_unit_test(test_paths),
      cmocka_unit_test(test_bound_and_disconnect),    cmocka_unit_test(test_time_limit),
      cmocka_unit_test(test_fifty_at_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
