/* phsim_sweepio.h: a sweep's files read back as untrusted input.
 *
 * sweep.json ("grids", "points", "shards", "base") is checked as a whole
 * before anything uses it: at most PHSIM_SUMMARY_MAX_BYTES, no duplicate
 * JSON keys; base a valid configuration; 1 to PHSIM_MAX_GRIDS grids, each a
 * sweepable key (once) with 1 to PHSIM_MAX_GRID_VALUES distinct values valid
 * for it; points equal to the product of the grid sizes (at most
 * PHSIM_MAX_POINTS); shards from 1 to PHSIM_MAX_SHARDS.
 *
 * sweep.csv and the shard CSVs are read row by row against it: the header
 * phsim writes for this sweep; every row as many fields; an index that is
 * an integer below points, increasing, and in the shard's residue class;
 * the grid columns equal to the values of that index; status ok, diverged
 * or interrupted; every result column empty or a finite number.  Errors name
 * the file, the line or key and what is expected (PHSIM_EINPUT). */
#ifndef PHSIM_SWEEPIO_H
#define PHSIM_SWEEPIO_H

#include <jansson.h>

#include "phsim_csv.h"
#include "phsim_sweep.h"

/* sweep.json of s (grids, points, shards, base). */
json_t *phsim_sweep_meta_json(const phsim_sweep *s);

/* A sweep from parsed sweep.json (not taken over); name for messages.
 * Fills base, grids, ngrids, npoints and shard_n (shard_i = 0); free with
 * phsim_sweep_free. */
int phsim_sweep_meta_parse(json_t *o, const char *name, phsim_sweep *s,
                           char err[PHSIM_ERR_MAX]);
/* The same from DIR/sweep.json; s->out = dir. */
int phsim_sweep_meta_read(const char *dir, phsim_sweep *s,
                          char err[PHSIM_ERR_MAX]);

/* Are a and b the same sweep (base configuration, grids, shard count)?
 * If not, why names the first difference. */
int phsim_sweep_same(const phsim_sweep *a, const phsim_sweep *b, char *why,
                     size_t n);
/* The first key on which two configurations differ ("" if none). */
void phsim_config_difference(const phsim_config *a, const phsim_config *b,
                             char *out, size_t n);

/* A sweep table being read. */
typedef struct {
  phsim_csv csv;
  const phsim_sweep *s;
  unsigned shard_i, shard_n;   /* rows must have index % shard_n == shard_i - 1 */
  size_t next_min;             /* the next index must be at least this */
  size_t index;                /* of the current row */
  char *kind;                  /* per column: what it may hold */
} phsim_sweep_table;

/* Open a table of sweep s; shard_n = 1 for sweep.csv. */
int phsim_sweep_table_open(phsim_sweep_table *t, const char *path,
                           const phsim_sweep *s, unsigned shard_i,
                           unsigned shard_n, char err[PHSIM_ERR_MAX]);
/* The same on a stream (fuzzing); name for messages. */
int phsim_sweep_table_open_stream(phsim_sweep_table *t, FILE *fp,
                                  const char *name, const phsim_sweep *s,
                                  unsigned shard_i, unsigned shard_n,
                                  char err[PHSIM_ERR_MAX]);
/* The next checked row (t->index, t->csv.field): 1 a row, 0 the end, -1 an
 * error. */
int phsim_sweep_table_next(phsim_sweep_table *t, char err[PHSIM_ERR_MAX]);
void phsim_sweep_table_close(phsim_sweep_table *t);

#endif
