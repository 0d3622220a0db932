/* server.c: the HTTP side of `phsim serve` (phsim_serve.h) on
 * libmicrohttpd: one thread per connection, GET and HEAD only, the query
 * bounded before anything is computed, the page from a fixed list of
 * files (no path from the request ever reaches the file system). */
#define _POSIX_C_SOURCE 200809L
#include "phsim_serve.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "endpoints.h"
#include "phsim_datadir.h"

/* A query's parameters, a key's and a value's bytes. */
#define MAX_PARAMS 64
#define MAX_KEY 64
#define MAX_VALUE 256
/* Connections at once, their request's bytes, seconds idle. */
#define MAX_CONNECTIONS 64
#define REQUEST_MEMORY 16384
#define IDLE_SECONDS 30
/* The largest file of the page. */
#define MAX_FILE (8L << 20)

#ifndef PHSIM_EXPLORER_INSTALLED
#define PHSIM_EXPLORER_INSTALLED "/usr/local/share/phsim/explorer"
#endif

struct phsim_server {
  struct MHD_Daemon *daemon;
  serve_slots *slots;
  phsim_serve_opts opts;
  char page[PATH_MAX];
  unsigned port;
  int loopback; /* bound to 127.0.0.1 or ::1: only local Host names */
};

phsim_serve_opts phsim_serve_opts_default(void) {
  return (phsim_serve_opts){.host = "127.0.0.1", .port = 8080, .budget = 2e9,
                            .time_limit = 10, .max_runs = 4, .page = phsim_serve_page_dir()};
}

const char *phsim_serve_page_dir(void) {
  static char dir[PATH_MAX];
  static const phsim_datadir explorer = {"PHSIM_EXPLORER", "../share/phsim/explorer",
                                         "../plots/explorer", PHSIM_EXPLORER_INSTALLED,
                                         "index.html"};
  return phsim_datadir_find(&explorer, dir, sizeof dir);
}

/* The page's files: the URL, the file under the page's directory, where a
 * checkout holds it before `make install` copies it (NULL: the same). */
static const struct {
  const char *url, *file, *checkout, *type;
} page_files[] = {
    {"/", "index.html", NULL, "text/html; charset=utf-8"},
    {"/index.html", "index.html", NULL, "text/html; charset=utf-8"},
    {"/explorer.js", "explorer.js", NULL, "text/javascript; charset=utf-8"},
    {"/explorer.css", "explorer.css", NULL, "text/css; charset=utf-8"},
    {"/vendor/uPlot.iife.min.js", "vendor/uPlot.iife.min.js",
     "node_modules/uplot/dist/uPlot.iife.min.js", "text/javascript; charset=utf-8"},
    {"/vendor/uPlot.min.css", "vendor/uPlot.min.css", "node_modules/uplot/dist/uPlot.min.css",
     "text/css; charset=utf-8"},
};
#define NFILES (sizeof page_files / sizeof page_files[0])

static void common_headers(struct MHD_Response *r, const char *type) {
  MHD_add_response_header(r, "Content-Type", type);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(r, "Cache-Control", "no-store");
  MHD_add_response_header(r, "Content-Security-Policy",
                          "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                          "img-src 'self' data:; frame-ancestors 'none'");
}

/* Queue a JSON reply (its body freed by libmicrohttpd). */
static enum MHD_Result send_json(struct MHD_Connection *c, serve_reply r) {
  if (r.body == NULL) r = serve_error(500, "out of memory");
  if (r.body == NULL) return MHD_NO;
  struct MHD_Response *resp =
      MHD_create_response_from_buffer(strlen(r.body), r.body, MHD_RESPMEM_MUST_FREE);
  if (resp == NULL) {
    free(r.body);
    return MHD_NO;
  }
  common_headers(resp, "application/json");
  enum MHD_Result ok = MHD_queue_response(c, (unsigned)r.status, resp);
  MHD_destroy_response(resp);
  return ok;
}

/* An open regular file of at most MAX_FILE bytes under dir, or -1. */
static int open_page_file(const char *dir, const char *name, off_t *size) {
  char path[PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd >= 0 && (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > MAX_FILE)) {
    close(fd);
    fd = -1;
  }
  if (fd >= 0) *size = st.st_size;
  return fd;
}

/* One of the page's files, or 404. */
static enum MHD_Result send_page_file(const phsim_server *s, struct MHD_Connection *c,
                                      const char *url) {
  for (size_t i = 0; i < NFILES; i++) {
    if (strcmp(url, page_files[i].url) != 0) continue;
    off_t size = 0;
    int fd = open_page_file(s->page, page_files[i].file, &size);
    if (fd < 0 && page_files[i].checkout != NULL)
      fd = open_page_file(s->page, page_files[i].checkout, &size);
    if (fd < 0) break;
    struct MHD_Response *resp = MHD_create_response_from_fd((uint64_t)size, fd);
    if (resp == NULL) {
      close(fd);
      return MHD_NO;
    }
    common_headers(resp, page_files[i].type);
    enum MHD_Result ok = MHD_queue_response(c, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ok;
  }
  return send_json(c, serve_error(404, "no such page; allowed: /, /api/run, /api/field, "
                                       "/api/keys, /api/version"));
}

typedef struct {
  serve_param p[MAX_PARAMS];
  size_t n;
  char err[PHSIM_ERR_MAX];
} query;

/* Keep a query argument, if within the bounds (else say why, and stop). */
static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
                               size_t key_size, const char *value, size_t value_size) {
  (void)kind;
  query *q = cls;
  if (q->n == MAX_PARAMS)
    snprintf(q->err, sizeof q->err, "more than %d parameters; allowed: at most %d",
             MAX_PARAMS, MAX_PARAMS);
  else if (key_size == 0 || key_size > MAX_KEY || strlen(key) != key_size)
    snprintf(q->err, sizeof q->err, "a parameter's name of %zu bytes; allowed: 1 to %d bytes, "
             "no NUL", key_size, MAX_KEY);
  else if (value == NULL)
    snprintf(q->err, sizeof q->err, "parameter '%s' without a value; allowed: %s=VALUE", key,
             key);
  else if (value_size > MAX_VALUE || strlen(value) != value_size)
    snprintf(q->err, sizeof q->err, "parameter '%s': a value of %zu bytes; allowed: at most "
             "%d, no NUL", key, value_size, MAX_VALUE);
  else {
    q->p[q->n++] = (serve_param){key, value};
    return MHD_YES;
  }
  return MHD_NO;
}

/* Bound to a loopback address, answer only requests naming it (or
 * localhost) with our port: a page of another site that a browser's DNS
 * points at 127.0.0.1 names its own host. */
static int host_allowed(const phsim_server *s, struct MHD_Connection *c) {
  if (!s->loopback) return 1;
  const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
  static const char *const names[] = {"127.0.0.1", "localhost", "[::1]"};
  for (size_t i = 0; host != NULL && i < 3; i++) {
    size_t n = strlen(names[i]);
    char *end = NULL;
    if (strncmp(host, names[i], n) == 0 && host[n] == ':' &&
        strtoul(host + n + 1, &end, 10) == s->port && *end == '\0')
      return 1;
  }
  return 0;
}

static enum MHD_Result answer_api(phsim_server *s, struct MHD_Connection *c, const char *url) {
  query q = {.n = 0};
  q.err[0] = '\0';
  MHD_get_connection_values_n(c, MHD_GET_ARGUMENT_KIND, collect, &q);
  if (q.err[0] != '\0') return send_json(c, serve_error(400, q.err));
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
  serve_client client = {&s->opts, s->slots, info != NULL ? info->connect_fd : -1};
  return send_json(c, serve_api(&client, url, q.p, q.n));
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **first) {
  (void)version;
  (void)upload;
  static int seen;
  phsim_server *s = cls;
  if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
    return send_json(c, serve_error(405, "method not allowed; allowed: GET, HEAD"));
  if (*first == NULL) { /* the headers: answer once the request is complete */
    *first = &seen;
    return MHD_YES;
  }
  if (*upload_size != 0) return send_json(c, serve_error(400, "a body; allowed: none"));
  if (!host_allowed(s, c))
    return send_json(c, serve_error(403, "the Host header names another server; allowed: "
                                         "127.0.0.1, localhost or [::1] with this port"));
  if (serve_is_api(url)) return answer_api(s, c, url);
  return send_page_file(s, c, url);
}

/* opts->host:opts->port as a socket address; 0, or -1 when not numeric. */
static int socket_address(const phsim_serve_opts *o, struct sockaddr_storage *a, int *v6) {
  memset(a, 0, sizeof *a);
  struct sockaddr_in *in4 = (struct sockaddr_in *)a;
  struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)a;
  if (inet_pton(AF_INET, o->host, &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons((uint16_t)o->port);
    *v6 = 0;
    return 0;
  }
  if (inet_pton(AF_INET6, o->host, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons((uint16_t)o->port);
    *v6 = 1;
    return 0;
  }
  return -1;
}

phsim_server *phsim_serve_start(const phsim_serve_opts *o, char err[PHSIM_ERR_MAX]) {
  struct sockaddr_storage addr;
  int v6 = 0;
  if (socket_address(o, &addr, &v6) != 0 || o->port > 65535) {
    snprintf(err, PHSIM_ERR_MAX, "address '%s' port %u; allowed: a numeric IPv4 or IPv6 "
             "address and a port from 0 to 65535", o->host, o->port);
    return NULL;
  }
  phsim_server *s = calloc(1, sizeof *s);
  if (s == NULL || (s->slots = serve_slots_alloc(o->max_runs)) == NULL) {
    free(s);
    snprintf(err, PHSIM_ERR_MAX, "out of memory or threads");
    return NULL;
  }
  s->opts = *o;
  snprintf(s->page, sizeof s->page, "%s", o->page);
  s->opts.page = s->page;
  s->loopback = strcmp(o->host, "127.0.0.1") == 0 || strcmp(o->host, "::1") == 0;
  unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                   MHD_USE_ERROR_LOG | (v6 ? MHD_USE_IPv6 : 0);
  s->daemon = MHD_start_daemon(
      flags, (uint16_t)o->port, NULL, NULL, answer, s, MHD_OPTION_SOCK_ADDR, &addr,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)IDLE_SECONDS, MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)REQUEST_MEMORY,
      MHD_OPTION_END);
  const union MHD_DaemonInfo *info =
      s->daemon != NULL ? MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT) : NULL;
  if (info == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot listen on %s port %u (in use, or not an address of "
             "this machine)", o->host, o->port);
    phsim_serve_stop(s);
    return NULL;
  }
  s->port = info->port;
  return s;
}

unsigned phsim_serve_port(const phsim_server *s) { return s->port; }

void phsim_serve_stop(phsim_server *s) {
  if (s == NULL) return;
  serve_slots_halt(s->slots);
  if (s->daemon != NULL) MHD_stop_daemon(s->daemon);
  serve_slots_free(s->slots);
  free(s);
}
