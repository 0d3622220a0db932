/* phsim_outdir.h: one owner per output directory.
 *
 * Every phsim process that writes into a directory holds a lock on
 * DIR/.phsim.lock (flock; released when the process ends, even by kill -9):
 *   run, merge, plot, an unsharded sweep, --force   exclusive
 *   shard I of N of a sweep                         shared, plus an exclusive
 *                                                   lock on
 *                                                   DIR/.phsim-shard-I-of-N.lock
 * so the shards of one sweep run side by side, and nothing else runs beside
 * them.  A lock that is taken makes phsim refuse at once (status 2).
 *
 * A directory also keeps its configuration: a run refuses a directory that
 * holds a sweep, or a run of another configuration (DIR/config); a sweep
 * refuses a directory that holds a run, another sweep (sweep.json: base,
 * grids, shard count), or sweep outputs without their sweep.json.  The same
 * configuration again is allowed (a rerun gives the same bytes; --resume
 * reuses complete runs).  --force replaces: the files phsim writes at the
 * top of DIR (config, trajectory.csv, summary.json, run.png, run.pdf,
 * sweep.json, sweep.csv, the shard CSVs, plots/) are removed first; runs/
 * is kept, each run there is redone unless --resume finds it complete with
 * its point's configuration.
 *
 * Temporary files (".NAME.tmp.PID", phsim_outfile) that a killed process
 * left are removed by the next owner. */
#ifndef PHSIM_OUTDIR_H
#define PHSIM_OUTDIR_H

#include "phsim_config.h"
#include "phsim_sweep.h"

typedef struct {
  int fd;        /* DIR/.phsim.lock, -1 when not held */
  int shard_fd;  /* DIR/.phsim-shard-I-of-N.lock, -1 when not held */
} phsim_outdir;

/* Create dir if needed and claim it for a run of cfg. */
int phsim_outdir_claim_run(phsim_outdir *o, const char *dir,
                           const phsim_config *cfg, int force,
                           char err[PHSIM_ERR_MAX]);

/* Claim s->out for shard s->shard_i of s->shard_n of sweep s and make sure
 * DIR/sweep.json describes s (written if absent, atomically against
 * concurrent shards). */
int phsim_outdir_claim_sweep(phsim_outdir *o, const phsim_sweep *s, int force,
                             char err[PHSIM_ERR_MAX]);

/* Exclusive lock on an existing directory (merge, plot). */
int phsim_outdir_lock(phsim_outdir *o, const char *dir,
                      char err[PHSIM_ERR_MAX]);

void phsim_outdir_release(phsim_outdir *o);

/* Remove the temporary files ".NAME.tmp.PID" in dir (the caller owns dir
 * or the files' names: prefix "" for all, or ".NAME.tmp."). */
void phsim_outdir_clean_tmp(const char *dir, const char *prefix);

#endif
