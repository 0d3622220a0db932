/* phsim_provenance.h: who made an output.  summary.json and sweep.json
 * carry "provenance": {version, commit, command_line, host, date}: phsim's
 * version and the git commit it was built from (phsim_version.h), the
 * command line as an array of words, and the host (uname nodename) and the
 * UTC date (ISO 8601), which are null when timing is off (--no-timing, and
 * every run of a sweep), so that outputs stay byte-identical. */
#ifndef PHSIM_PROVENANCE_H
#define PHSIM_PROVENANCE_H

#include <stddef.h>

#include <jansson.h>

#include "phsim_config.h"

#define PHSIM_PROVENANCE_MAX_WORDS 4096

/* Who made an output: "provenance" in summary.json and sweep.json. */
typedef struct {
  int known;           /* 0: the document has none (an older phsim) */
  char version[32];    /* phsim_version() */
  char commit[64];     /* phsim_commit() */
  size_t argc;         /* the command line (owned copies); 0: not recorded */
  char **argv;
  char host[256];      /* uname nodename; "": not recorded (--no-timing) */
  char date[32];       /* UTC, ISO 8601; "": not recorded */
} phsim_provenance;

/* Provenance of this process: version, commit, the command line (argc
 * words of argv, copied; argv NULL for none), and with timing host and
 * date.  PHSIM_ENOMEM. */
int phsim_provenance_init(phsim_provenance *p, int argc,
                          const char *const *argv, int timing);
void phsim_provenance_free(phsim_provenance *p);
json_t *phsim_provenance_json(const phsim_provenance *p);
/* Read o's "provenance" (none: p->known = 0); PHSIM_EINPUT naming name. */
int phsim_provenance_read(json_t *o, const char *name, phsim_provenance *p,
                          char err[PHSIM_ERR_MAX]);

#endif
