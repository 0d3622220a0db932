/* cmd_sweep.c: grids of runs (sweep) and their shards combined (merge). */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { SW_SET, SW_GRID, SW_OUT, SW_JOBS, SW_SHARD, SW_RESUME, SW_KEEP, SW_TABLE, SW_FORCE };
static const cli_option sweep_options[] = {
    [SW_SET] = {"set", 0, "key=value", CLI_REPEAT,
                "set one key of every run (see 'phsim keys'), in command-line order with CONFIG"},
    [SW_GRID] = {"grid", 0, "SPEC", CLI_REQUIRED | CLI_REPEAT,
                 "a swept key: key=a:b:n (n values from a to b), key=a:b:n:log (geometric) "
                 "or key=v1,v2,... (any key, enums too); alpha_<l> sweeps one component "
                 "of alpha"},
    [SW_OUT] = {"out", 0, "DIR", CLI_REQUIRED, "the sweep's directory"},
    [SW_JOBS] = {"jobs", 0, "J", 0,
                 "threads (default: the machine's cores); results are bitwise identical "
                 "for every J"},
    [SW_SHARD] = {"shard", 0, "I/N", 0,
                  "run only points with index % N == I - 1 and write "
                  "DIR/sweep-shard-I-of-N.csv (a Slurm array or GNU parallel runs the N "
                  "shards; 'phsim merge DIR' combines them)"},
    [SW_RESUME] = {"resume", 0, NULL, 0,
                   "skip points whose run is complete with the same config"},
    [SW_KEEP] = {"keep-trajectories", 0, NULL, 0, "also write each run's trajectory.csv"},
    [SW_TABLE] = {"table-only", 0, NULL, 0,
                  "write no runs/ directory: sweep.csv (the same bytes) is the only record "
                  "of the runs, at a fraction of the cost per run; a point that differs "
                  "from an earlier one only in eta_E where head = fixed (E not trained: "
                  "the same run) takes that point's results instead of running again "
                  "(not with --resume or --keep-trajectories)"},
    [SW_FORCE] = {"force", 0, NULL, 0,
                  "replace the outputs of another sweep or run in DIR (else refused; the "
                  "same sweep again is fine: DIR is locked, shards of one sweep share it)"},
    {NULL, 0, NULL, 0, NULL}};

static int parse_jobs(const char *v, unsigned *jobs) {
  char *end = NULL;
  long j = strtol(v, &end, 10);
  if (*end != '\0' || j < 1 || j > PHSIM_MAX_JOBS) {
    fprintf(stderr, "phsim: --jobs '%s': allowed: an integer from 1 to %d\n", v, PHSIM_MAX_JOBS);
    return PHSIM_EINPUT;
  }
  *jobs = (unsigned)j;
  return PHSIM_OK;
}

static int parse_shard(const char *v, unsigned *si, unsigned *sn) {
  char extra;
  if (sscanf(v, "%u/%u%c", si, sn, &extra) != 2 || *sn < 1 || *si < 1 || *si > *sn ||
      *sn > PHSIM_MAX_SHARDS || strchr(v, '-') != NULL) {
    fprintf(stderr, "phsim: --shard '%s': allowed: I/N with 1 <= I <= N <= %d\n", v,
            PHSIM_MAX_SHARDS);
    return PHSIM_EINPUT;
  }
  return PHSIM_OK;
}

/* The sweep's own options into s (its jobs and shard first, as before the
 * configuration, then the grids against the resolved base). */
static int sweep_setup(const cli_args *a, phsim_sweep *s) {
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  s->jobs = cores > 0 ? (unsigned)cores : 1;
  s->shard_i = s->shard_n = 1;
  const char *jobs = cli_last(a, SW_JOBS), *shard = cli_last(a, SW_SHARD);
  int st = jobs != NULL ? parse_jobs(jobs, &s->jobs) : PHSIM_OK;
  if (st == PHSIM_OK && shard != NULL) st = parse_shard(shard, &s->shard_i, &s->shard_n);
  if (st == PHSIM_OK && cli_count(a, SW_GRID) > PHSIM_MAX_GRIDS) {
    fprintf(stderr, "phsim: more than %d --grid options\n", PHSIM_MAX_GRIDS);
    st = PHSIM_EINPUT;
  }
  s->resume = cli_count(a, SW_RESUME) > 0;
  s->keep_trajectories = cli_count(a, SW_KEEP) > 0;
  s->table_only = cli_count(a, SW_TABLE) > 0;
  s->force = cli_count(a, SW_FORCE) > 0;
  s->out = cli_last(a, SW_OUT);
  s->argc = a->argc;
  s->argv = a->argv;
  if (st == PHSIM_OK) st = cli_config(a, SW_SET, &s->base);
  char err[PHSIM_ERR_MAX];
  for (size_t i = 0; i < a->n && st == PHSIM_OK; i++) {
    if (a->args[i].opt != SW_GRID) continue;
    st = phsim_grid_parse(a->args[i].value, &s->base, &s->grids[s->ngrids], err);
    if (st == PHSIM_OK) s->ngrids++;
    else cli_fail(st, err);
  }
  if (st == PHSIM_OK && (st = phsim_sweep_check_grids(s, err)) != PHSIM_OK) cli_fail(st, err);
  return st;
}

static int sweep_main(const cli_command *c, const cli_args *a) {
  (void)c;
  phsim_sweep s;
  memset(&s, 0, sizeof s);
  char err[PHSIM_ERR_MAX];
  int st = sweep_setup(a, &s);
  if (st == PHSIM_OK) {
    st = phsim_sweep_execute(&s, err);
    if (st != PHSIM_OK) {
      cli_fail(st, err);
    } else {
      fprintf(stderr, "phsim: sweep of %zu points (shard %u of %u) done in '%s'", s.npoints,
              s.shard_i, s.shard_n, s.out);
      if (s.repeated > 0)
        fprintf(stderr, "; %zu points of this shard repeat an earlier point's run (eta_E where "
                "head = fixed) and were not run again", s.repeated);
      fputc('\n', stderr);
    }
  }
  phsim_sweep_free(&s);
  return st;
}

/* The columns of sweep.csv, from the summary module's table. */
static void sweep_columns(FILE *out) {
  char *cols = NULL;
  size_t len = 0;
  FILE *mem = open_memstream(&cols, &len);
  if (mem == NULL) return;
  phsim_summary_columns(mem, 0);
  fclose(mem);
  for (char *c = cols; *c != '\0'; c++)
    if (*c == ',') *c = ' ';
  fputs("\nsweep.csv columns: index, the grid keys, then", out);
  cli_put_words(out, cols, 39, 2);
  fputs("  and learn_<l> for each feature l (the first step any neuron learned it).\n", out);
  free(cols);
}

const cli_command cli_sweep = {
    "sweep", "[CONFIG]", 0, 1, "a grid of runs in parallel; DIR/sweep.csv, DIR/runs/NNNNNN/",
    "A grid of runs: the Cartesian product of the --grid values, the first\n"
    "--grid slowest, numbered from 0; seed=1:8:8 sweeps seeds.  Writes\n"
    "DIR/sweep.json (the grids), DIR/runs/NNNNNN/{config,summary.json} and\n"
    "DIR/sweep.csv (its columns below).  Diverged runs are recorded and the\n"
    "sweep goes on.\n",
    sweep_options, 1, sweep_main, sweep_columns};

static int merge_main(const cli_command *c, const cli_args *a) {
  (void)c;
  const char *dir = cli_operand(a, 0);
  char err[PHSIM_ERR_MAX];
  phsim_outdir od;
  int st = phsim_outdir_lock(&od, dir, err);
  if (st == PHSIM_OK) {
    st = phsim_sweep_merge(dir, err);
    phsim_outdir_release(&od);
  }
  if (st != PHSIM_OK) return cli_fail(st, err);
  printf("%s/sweep.csv\n", dir);
  return PHSIM_OK;
}

const cli_command cli_merge = {
    "merge", "DIR", 1, 1, "combine the shards of a sweep into DIR/sweep.csv",
    "Combine DIR/sweep-shard-I-of-N.csv into DIR/sweep.csv, checking every\n"
    "row against DIR/sweep.json and that every point is there once, finished.\n"
    "Prints the path written.\n",
    cli_no_options, 1, merge_main, NULL};
