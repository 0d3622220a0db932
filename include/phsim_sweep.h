/* phsim_sweep.h: grids of runs, in parallel, sharded, resumable.
 *
 * A sweep is a base configuration and grids "key=a:b:n[:log]" (n values
 * from a to b, linear or geometric; integer keys rounded) or
 * "key=v1,v2,..." (any key, enums included; one component of alpha as
 * alpha_<l>).  Its points are the Cartesian product, the first grid varying
 * slowest, numbered from 0.  Each point is an ordinary run in
 * DIR/runs/NNNNNN/ (config, summary.json, and trajectory.csv with
 * --keep-trajectories); DIR/sweep.csv has one row per point: the grid
 * values and the summary's headline numbers.  Runs are independent, so the
 * outputs are identical whatever the number of threads (--jobs) or shards.
 * A table-only sweep (--table-only) writes no runs/: DIR/sweep.csv is its
 * only record of the runs (the same bytes), at a fraction of the cost per
 * run; it cannot be resumed or keep trajectories. */
#ifndef PHSIM_SWEEP_H
#define PHSIM_SWEEP_H

#include <stdio.h>

#include "phsim_config.h"

#define PHSIM_MAX_GRIDS 8
/* Threads a sweep may use (--jobs, phsim_study_jobs). */
#define PHSIM_MAX_JOBS 1024
#define PHSIM_MAX_GRID_VALUES 10000
#define PHSIM_MAX_POINTS 10000000
#define PHSIM_MAX_SHARDS 10000

typedef struct {
  char key[64];
  int component;   /* alpha_<l>: l - 1; else -1 */
  size_t n;
  char **values;   /* n value strings, as passed to phsim_config_set */
} phsim_grid;

typedef struct {
  phsim_config base;
  phsim_grid grids[PHSIM_MAX_GRIDS];
  size_t ngrids;
  size_t npoints;
  const char *out;
  unsigned jobs;
  unsigned shard_i, shard_n;   /* this is shard shard_i of shard_n (1-based) */
  int resume;                  /* skip points whose run is complete */
  int keep_trajectories;
  int table_only;              /* no runs/ (not with resume or keep_trajectories) */
  int force;                   /* replace another sweep's or run's outputs */
  int argc;                    /* the command line, for sweep.json's */
  const char *const *argv;     /* provenance (NULL: not recorded) */
  size_t repeated;             /* out: this shard's points whose row is an
                                  earlier point's run (table-only: eta_E
                                  where head = fixed), so not run again */
} phsim_sweep;

/* Parse one --grid argument against the base configuration. */
int phsim_grid_parse(const char *arg, const phsim_config *base, phsim_grid *g,
                     char err[PHSIM_ERR_MAX]);
void phsim_sweep_free(phsim_sweep *s);

/* A grid from its key and value strings (as sweep.json stores them): the
 * key a sweepable key or alpha_<l> (l <= K), 1 to PHSIM_MAX_GRID_VALUES
 * distinct non-empty values, each valid for the key on its own. */
int phsim_grid_set(phsim_grid *g, const char *key, const char *const *values,
                   size_t n, const phsim_config *base, char err[PHSIM_ERR_MAX]);

/* Before any work: no key swept twice, at most PHSIM_MAX_POINTS points
 * (no overflow); sets s->npoints. */
int phsim_sweep_check_grids(phsim_sweep *s, char err[PHSIM_ERR_MAX]);

/* The configuration of point idx (validated). */
int phsim_sweep_point(const phsim_sweep *s, size_t idx, phsim_config *cfg,
                      char err[PHSIM_ERR_MAX]);

/* Validate every point of this shard, claim s->out (phsim_outdir.h: lock,
 * same sweep or --force), run the points on s->jobs threads, write the
 * shard's CSV (rows only for runs of this sweep's configuration).  Diverged runs are recorded and the sweep
 * goes on.  On SIGINT/SIGTERM the runs under way stop at their next logged
 * step (marked interrupted), no new run starts; what is complete is kept
 * and PHSIM_EINTR returned. */
int phsim_sweep_execute(phsim_sweep *s, char err[PHSIM_ERR_MAX]);

/* The header line of sweep.csv and the shard CSVs for s. */
void phsim_sweep_csv_header(FILE *fp, const phsim_sweep *s);
/* Index into grid k's values of point idx. */
size_t phsim_sweep_value_index(const phsim_sweep *s, size_t idx, size_t k);

/* Combine DIR/sweep-shard-I-of-N.csv (I = 1..N) into DIR/sweep.csv, checking
 * that every point is there exactly once. */
int phsim_sweep_merge(const char *dir, char err[PHSIM_ERR_MAX]);

#endif
