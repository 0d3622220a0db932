/* endpoints.h: the JSON API of `phsim serve` (phsim_serve.h), apart from
 * HTTP: a path and its query's parameters in, a status and a JSON body
 * out. */
#ifndef PHSIM_SERVE_ENDPOINTS_H
#define PHSIM_SERVE_ENDPOINTS_H

#include <stddef.h>

#include "phsim_serve.h"
#include "slots.h"

typedef struct {
  const char *key, *value;
} serve_param;

typedef struct {
  int status; /* HTTP */
  char *body; /* JSON text (malloc'd); NULL when out of memory */
} serve_reply;

typedef struct {
  const phsim_serve_opts *opts;
  serve_slots *slots;
  int fd; /* the client's socket, watched while computing */
} serve_client;

/* Is path one of the API's? */
int serve_is_api(const char *path);
/* The answer to GET path?params (path: serve_is_api). */
serve_reply serve_api(const serve_client *c, const char *path, const serve_param *p, size_t n);
/* {"error": msg} with status. */
serve_reply serve_error(int status, const char *msg);

#endif
