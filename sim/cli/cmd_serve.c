/* cmd_serve.c: `phsim serve`, the explorer's page and its JSON API over
 * HTTP (phsim_serve.h), until SIGINT or SIGTERM. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <signal.h>
#include <string.h>
#include <time.h>

#include "phsim_serve.h"

enum { SERVE_PORT, SERVE_HOST, SERVE_BUDGET, SERVE_TIME, SERVE_RUNS };
static const cli_option serve_options[] = {
    [SERVE_PORT] = {"port", 'p', "N", 0, "the port (default 8080; 0: any free one)"},
    [SERVE_HOST] = {"host", 0, "ADDR", 0,
                    "the numeric address to listen on (default 127.0.0.1: this machine "
                    "only)"},
    [SERVE_BUDGET] = {"budget", 0, "UNITS", 0,
                      "the cost one request may spend (default 2e9, about 2 s of one core; "
                      "NOTES section 0b)"},
    [SERVE_TIME] = {"time-limit", 0, "SECONDS", 0,
                    "stop a computation after this long (default 10)"},
    [SERVE_RUNS] = {"max-runs", 0, "N", 0,
                    "computations at once; more are answered 503 (default 4)"},
    {NULL, 0, NULL, 0, NULL}};

static int serve_opts(const cli_args *a, phsim_serve_opts *o) {
  double x = 0;
  int st = PHSIM_OK;
  for (size_t i = 0; i < a->n && st == PHSIM_OK; i++) {
    const char *v = a->args[i].value;
    switch (a->args[i].opt) {
    case SERVE_PORT:
      if ((st = cli_number("--port", v, 0, 65535, &x)) == PHSIM_OK) o->port = (unsigned)x;
      break;
    case SERVE_HOST:
      o->host = v;
      break;
    case SERVE_BUDGET:
      st = cli_number("--budget", v, 1e3, 1e15, &o->budget);
      break;
    case SERVE_TIME:
      st = cli_number("--time-limit", v, 0.01, 86400, &o->time_limit);
      break;
    case SERVE_RUNS:
      if ((st = cli_number("--max-runs", v, 1, 1024, &x)) == PHSIM_OK) o->max_runs = (unsigned)x;
      break;
    }
  }
  return st;
}

static int serve_main(const cli_command *c, const cli_args *a) {
  (void)c;
  phsim_serve_opts o = phsim_serve_opts_default();
  int st = serve_opts(a, &o);
  if (st != PHSIM_OK) return st;
  signal(SIGPIPE, SIG_IGN);
  char err[PHSIM_ERR_MAX];
  phsim_server *s = phsim_serve_start(&o, err);
  if (s == NULL) return cli_fail(PHSIM_EINPUT, err);
  printf(strchr(o.host, ':') != NULL ? "http://[%s]:%u/\n" : "http://%s:%u/\n", o.host,
         phsim_serve_port(s));
  fflush(stdout);
  fprintf(stderr, "phsim serve: the page from %s; SIGINT or SIGTERM stops\n", o.page);
  const struct timespec tick = {0, 50000000L};
  while (phsim_interrupt_signal() == 0) nanosleep(&tick, NULL);
  phsim_serve_stop(s);
  fprintf(stderr, "phsim serve: stopped by signal %d\n", phsim_interrupt_signal());
  return PHSIM_OK;
}

const cli_command cli_serve = {
    "serve", "", 0, 0, "the explorer: an interactive page and a JSON API over HTTP",
    "Serve the explorer's page and a JSON API (NOTES section 0b) until SIGINT\n"
    "or SIGTERM; prints the address to open on stdout:\n"
    "  GET /api/run?key=value&...   config, summary and trajectory of a run, as\n"
    "                               'phsim run --no-timing' writes them\n"
    "  GET /api/field?key=value&...&at=STEP&neuron=J&n=N&lim=L\n"
    "                               the force field ('phsim field')\n"
    "  GET /api/keys, /api/version  the keys ('phsim keys'), the version, limits\n"
    "Bad input is answered 400 with {\"error\": the message 'phsim run' gives};\n"
    "keys that name files are refused; a request costing more than the budget\n"
    "is refused, one computing longer than the time limit or whose client went\n"
    "away is stopped.  The page's files: $PHSIM_EXPLORER, else\n"
    "../share/phsim/explorer or ../plots/explorer beside the program.\n",
    serve_options, 1, serve_main, NULL};
