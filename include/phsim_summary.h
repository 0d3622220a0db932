/* phsim_summary.h: reading a run's summary.json back, as untrusted input.
 *
 * table, plot, merge-time checks and sweep --resume read summaries that any
 * program (or a disk) may have damaged.  phsim_summary_read checks, before
 * anyone uses a value:
 *   - the file: regular, at most PHSIM_SUMMARY_MAX_BYTES, valid JSON
 *     without duplicate keys, an object;
 *   - "config": a configuration (phsim_config_from_json, then the cross-key
 *     checks), which fixes m, K and steps;
 *   - the members readers use, each of its type and range: status (ok,
 *     diverged with a fault {step, what}, interrupted), learn_step (m x K
 *     steps or null), cos_final (m x K in [-1, 1] or null),
 *     race_favoured_initial (m features), phases, features_learned (0..K),
 *     collapsed, E_peak, E_minus_I_final, effective_rank, loss_final, steps
 *     (0..config steps), wall_seconds, steps_per_second.
 * Other members are allowed (later versions add some).  Errors name the
 * file, the key and what is allowed (PHSIM_EINPUT). */
#ifndef PHSIM_SUMMARY_H
#define PHSIM_SUMMARY_H

#include <jansson.h>

#include "phsim_config.h"

#define PHSIM_SUMMARY_MAX_BYTES (64L << 20)

typedef struct {
  json_t *root;          /* the whole document (owned) */
  phsim_config cfg;      /* its "config" */
  const char *status;    /* "ok", "diverged" or "interrupted" (in root) */
} phsim_summary;

/* Read and check path.  On success free with phsim_summary_free. */
int phsim_summary_read(const char *path, phsim_summary *s,
                       char err[PHSIM_ERR_MAX]);

/* Check an already parsed document (taken over: freed by
 * phsim_summary_free, or here on failure); name is used in messages. */
int phsim_summary_check(json_t *root, const char *name, phsim_summary *s,
                        char err[PHSIM_ERR_MAX]);

void phsim_summary_free(phsim_summary *s);

/* Load a JSON file: a regular file of at most max_bytes, no duplicate
 * keys.  NULL with a message naming the file, line and column. */
json_t *phsim_json_load_checked(const char *path, long max_bytes,
                                char err[PHSIM_ERR_MAX]);

#endif
