/* provenance.c: who made an output (phsim_provenance.h). */
#define _POSIX_C_SOURCE 200809L
#include "phsim_provenance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "phsim_version.h"

static int copy_words(phsim_provenance *p, size_t argc, const char *const *argv) {
  p->argv = calloc(argc ? argc : 1, sizeof *p->argv);
  if (p->argv == NULL) return PHSIM_ENOMEM;
  for (p->argc = 0; p->argc < argc; p->argc++)
    if ((p->argv[p->argc] = strdup(argv[p->argc])) == NULL) return PHSIM_ENOMEM;
  return PHSIM_OK;
}

int phsim_provenance_init(phsim_provenance *p, int argc,
                          const char *const *argv, int timing) {
  memset(p, 0, sizeof *p);
  p->known = 1;
  snprintf(p->version, sizeof p->version, "%s", phsim_version());
  snprintf(p->commit, sizeof p->commit, "%s", phsim_commit());
  if (timing) {
    struct utsname u;
    if (uname(&u) == 0) snprintf(p->host, sizeof p->host, "%s", u.nodename);
    time_t now = time(NULL);
    struct tm tm;
    if (gmtime_r(&now, &tm) != NULL) strftime(p->date, sizeof p->date, "%Y-%m-%dT%H:%M:%SZ", &tm);
  }
  if (argv == NULL || argc <= 0) return PHSIM_OK;
  int st = copy_words(p, (size_t)argc, argv);
  if (st != PHSIM_OK) phsim_provenance_free(p);
  return st;
}

void phsim_provenance_free(phsim_provenance *p) {
  for (size_t i = 0; i < p->argc; i++) free(p->argv[i]);
  free(p->argv);
  memset(p, 0, sizeof *p);
}

static json_t *text_or_null(const char *s) { return s[0] ? json_string(s) : json_null(); }

json_t *phsim_provenance_json(const phsim_provenance *p) {
  json_t *o = json_object();
  json_object_set_new(o, "version", json_string(p->version));
  json_object_set_new(o, "commit", json_string(p->commit));
  json_t *words = p->argv != NULL ? json_array() : json_null();
  for (size_t i = 0; i < p->argc; i++) json_array_append_new(words, json_string(p->argv[i]));
  json_object_set_new(o, "command_line", words);
  json_object_set_new(o, "host", text_or_null(p->host));
  json_object_set_new(o, "date", text_or_null(p->date));
  return o;
}

/* A string member that fits n bytes, or null ("" then). */
static int read_text(json_t *o, const char *key, char *out, size_t n) {
  json_t *v = json_object_get(o, key);
  out[0] = '\0';
  if (json_is_null(v)) return 1;
  if (!json_is_string(v) || json_string_length(v) >= n) return 0;
  memcpy(out, json_string_value(v), json_string_length(v) + 1);
  return 1;
}

static int read_words(json_t *words, phsim_provenance *p) {
  if (json_is_null(words)) return PHSIM_OK;
  if (!json_is_array(words) || json_array_size(words) > PHSIM_PROVENANCE_MAX_WORDS)
    return PHSIM_EINPUT;
  const char *w[PHSIM_PROVENANCE_MAX_WORDS];
  for (size_t i = 0; i < json_array_size(words); i++)
    if ((w[i] = json_string_value(json_array_get(words, i))) == NULL) return PHSIM_EINPUT;
  return copy_words(p, json_array_size(words), w);
}

int phsim_provenance_read(json_t *o, const char *name, phsim_provenance *p,
                          char err[PHSIM_ERR_MAX]) {
  memset(p, 0, sizeof *p);
  json_t *v = json_object_get(o, "provenance");
  if (v == NULL) return PHSIM_OK;
  int st = json_is_object(v) && read_text(v, "version", p->version, sizeof p->version) &&
                   read_text(v, "commit", p->commit, sizeof p->commit) &&
                   read_text(v, "host", p->host, sizeof p->host) &&
                   read_text(v, "date", p->date, sizeof p->date)
               ? read_words(json_object_get(v, "command_line"), p)
               : PHSIM_EINPUT;
  if (st == PHSIM_EINPUT)
    snprintf(err, PHSIM_ERR_MAX, "'%.300s': key 'provenance' is out of range; allowed: "
             "{version, commit, host, date: text or null, command_line: up to %d words "
             "or null}", name, PHSIM_PROVENANCE_MAX_WORDS);
  if (st != PHSIM_OK) phsim_provenance_free(p);
  else p->known = 1;
  return st;
}
