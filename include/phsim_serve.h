/* phsim_serve.h: `phsim serve`, an HTTP server (libmicrohttpd) of the
 * explorer's page and a JSON API over the library:
 *
 *   GET /api/run?key=value&...   {"config", "summary", "trajectory":
 *                                {"columns", "rows"}}: what `phsim run
 *                                --no-timing` writes for the same keys
 *   GET /api/field?key=value&...&at=STEP&neuron=J&n=N&lim=L[&features=A,B]
 *                                {"columns", "rows"}: `phsim field`'s CSV
 *   GET /api/keys                `phsim keys` as JSON (phsim_keys_text)
 *   GET /api/version             version, commit, computations running, limits
 *   GET /, /explorer.js, ...     the page's fixed list of files
 *
 * Bad input: 400 {"error": "<the command line's message>"}; no key naming
 * a file (init_W, init_E); a request costing more than the budget
 * (phsim_serve_cost): 400; all max_runs slots computing: 503; a
 * computation past time_limit seconds: 503; a client that goes away stops
 * its computation.  Other paths and methods: 404 / 405.  NOTES section 0c. */
#ifndef PHSIM_SERVE_H
#define PHSIM_SERVE_H

#include "phsim_config.h"

typedef struct {
  const char *host;   /* a numeric IPv4 or IPv6 address to bind */
  unsigned port;      /* 0: any free port (phsim_serve_port tells which) */
  double budget;      /* cost units one request may spend */
  double time_limit;  /* seconds one computation may take */
  unsigned max_runs;  /* computations at once */
  const char *page;   /* the directory of the explorer's files */
} phsim_serve_opts;

/* 127.0.0.1, port 8080, budget 2e9, 10 s, 4 runs, the page found as
 * phsim_serve_page_dir says. */
phsim_serve_opts phsim_serve_opts_default(void);

/* $PHSIM_EXPLORER; else beside the program: ../share/phsim/explorer
 * (installed), ../plots/explorer (a checkout); static storage. */
const char *phsim_serve_page_dir(void);

typedef struct phsim_server phsim_server;

/* Listen and answer on threads of the server's own; NULL with a message. */
phsim_server *phsim_serve_start(const phsim_serve_opts *o, char err[PHSIM_ERR_MAX]);
/* The port listened on. */
unsigned phsim_serve_port(const phsim_server *s);
/* Stop computations (they see their stop flag), close, free. */
void phsim_serve_stop(phsim_server *s);

/* The cost of cfg's run in units of about a nanosecond of one core:
 * steps x (the engine's cost of a step), order 500 + 60 m^2 K, population
 * that + 10 m d, sampled that + N P d m; flow (rows + 100) x 100 x the
 * order's; twice that with twin or accel. */
double phsim_serve_cost(const phsim_config *cfg);
/* Numbers the trajectory of cfg holds at most (rows x columns). */
double phsim_serve_numbers(const phsim_config *cfg);

#endif
