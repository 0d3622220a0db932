/* main.c: the phsim command line. */
#include <jansson.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "phsim_config.h"
#include "phsim_engine.h"
#include "phsim_field.h"
#include "phsim_fit.h"
#include "phsim_grad.h"
#include "phsim_stats.h"
#include "phsim_interrupt.h"
#include "phsim_io.h"
#include "phsim_outdir.h"
#include "phsim_plot.h"
#include "phsim_run.h"
#include "phsim_sweep.h"
#include "phsim_table.h"

/* The whole command line, for the provenance of what phsim writes. */
static int command_words;
static const char *const *command_line;

static const char usage_main[] =
    "phsim: the prediction-head mechanism of Wen & Li (NeurIPS 2022), "
    "simulated exactly\n"
    "\n"
    "usage: phsim COMMAND [ARGS]\n"
    "\n"
    "commands:\n"
    "  run [CONFIG] [--set key=value]... --out DIR [--force]\n"
    "        train by exact population gradient descent; writes DIR/config,\n"
    "        DIR/trajectory.csv and DIR/summary.json\n"
    "  grad [CONFIG] [--set key=value]...\n"
    "        print the loss, rho and the gradients at the initial state as "
    "JSON\n"
    "  config [CONFIG] [--set key=value]...\n"
    "        print the resolved configuration\n"
    "  sweep [CONFIG] [--set key=value]... --grid SPEC... --out DIR\n"
    "        [--jobs J] [--shard I/N] [--resume] [--keep-trajectories] [--force]\n"
    "        a grid of runs in parallel; DIR/sweep.csv, DIR/runs/NNNNNN/\n"
    "  merge DIR\n"
    "        combine the shards of a sweep into DIR/sweep.csv\n"
    "  plot DIR\n"
    "        figures (PNG and PDF, gnuplot) of a run or a sweep\n"
    "  field DIR --at STEP [--neuron J] [--features A,B] [--lim L] [--n N]\n"
    "        the force field on neuron J in the (v_A, v_B) plane at a step\n"
    "  pull DIR --at STEP\n"
    "        every neuron's pull along every feature at a step, with the\n"
    "        run's head and with E = I (substitution and acceleration)\n"
    "  fit CSV --x COL --y COL [--loglog] [--where COL=VALUE]...\n"
    "        least-squares slope of one column against another\n"
    "  table DIR...\n"
    "        one line per run directory (from its summary.json), then a tally\n"
    "        of how many runs learned every feature, per head mode\n"
    "  keys  list the configuration keys, what they allow, their defaults\n"
    "  help  this text; 'phsim COMMAND -h' for one command\n"
    "\n"
    "CONFIG is a file of 'key = value' lines ('#' starts a comment).  Files\n"
    "and --set are applied in command-line order; the later wins.\n"
    "Exit status: 0 ok, 2 bad input, 3 output error, 4 numerical fault,\n"
    "6 interrupted (SIGINT/SIGTERM; complete outputs kept).\n";

static const char usage_run[] =
    "usage: phsim run [CONFIG] [--set key=value]... --out DIR [--no-timing] [--force]\n"
    "Train W and the head E by exact gradient descent on the closed-form\n"
    "population loss.  Writes into DIR (created if missing):\n"
    "  config          the resolved configuration (phsim run DIR/config\n"
    "                  reproduces the run)\n"
    "  trajectory.csv  step, loss, rho_j, a_j_l, cos_j_l, noise_j, force_j_l,\n"
    "                  E_i_j every log_every steps (indices from 1)\n"
    "  summary.json    learn_step, features_learned, collapsed, E_peak, ...\n"
    "On a numerical fault the run stops, keeps its trajectory, marks the\n"
    "summary 'diverged' and exits with status 4; on SIGINT/SIGTERM it stops\n"
    "at the next logged step, marks it 'interrupted' and exits with 6.\n"
    "--no-timing writes wall_seconds and steps_per_second as null, so that\n"
    "the same configuration gives a byte-identical summary.  A progress bar\n"
    "shows on stderr when it is a terminal.  DIR is locked while the run\n"
    "writes; a DIR that holds a sweep or a run of another configuration is\n"
    "refused unless --force (which replaces its outputs).  See 'phsim keys'.\n";

static const char usage_sweep[] =
    "usage: phsim sweep [CONFIG] [--set key=value]... --grid SPEC... --out DIR\n"
    "                   [--jobs J] [--shard I/N] [--resume] [--keep-trajectories]\n"
    "                   [--force]\n"
    "A grid of runs.  SPEC is key=a:b:n (n values from a to b), key=a:b:n:log\n"
    "(geometric), or key=v1,v2,... (any key, enums too); alpha_<l> sweeps one\n"
    "component of alpha; seed=1:8:8 sweeps seeds.  Points: the Cartesian\n"
    "product, the first --grid slowest, numbered from 0.\n"
    "  --jobs J      threads (default: the machine's cores); results are\n"
    "                bitwise identical for every J\n"
    "  --shard I/N   run only points with index %% N == I - 1 and write\n"
    "                DIR/sweep-shard-I-of-N.csv (a Slurm array or GNU parallel\n"
    "                runs the N shards; 'phsim merge DIR' combines them)\n"
    "  --resume      skip points whose run is complete with the same config\n"
    "  --keep-trajectories  also write each run's trajectory.csv\n"
    "  --force       replace the outputs of another sweep or run in DIR (else\n"
    "                refused; the same sweep again is fine: DIR is locked,\n"
    "                shards of one sweep share it)\n"
    "Writes DIR/sweep.json (the grids), DIR/runs/NNNNNN/{config,summary.json}\n"
    "and DIR/sweep.csv: index, the grid keys, status, features_learned,\n"
    "collapsed, loss_final, E_peak, E_peak_step, E_minus_I_final, erank_start,\n"
    "erank_end, erank_bn_end, T1..T4, E_substitution, strong_neuron,\n"
    "substituted_neuron, steps, learn_<l> (first step any neuron learned\n"
    "feature l).  Diverged runs are recorded and the sweep goes on.\n";

static const char usage_grad[] =
    "usage: phsim grad [CONFIG] [--set key=value]...\n"
    "Print {\"loss\", \"rho\", \"grad_W\", \"grad_E\"} at the initial state\n"
    "(seeded, or init_W / init_E) as JSON with 17 significant digits.\n"
    "grad_E holds dL/dE_ij for every entry, trainable or not.\n";

static const char usage_config[] =
    "usage: phsim config [CONFIG] [--set key=value]...\n"
    "Print the resolved configuration in the config file format.\n";

static const char usage_table[] =
    "usage: phsim table DIR...\n"
    "Read DIR/summary.json of each run; print per run the head mode, the\n"
    "seed, which feature each neuron ends on (|cos| >= threshold, '-' for\n"
    "none) and the first step it got there, the feature each neuron's\n"
    "initial overlaps favour ('race': argmax_l pi_l alpha_l^6 a_jl^4, what\n"
    "a neuron learns on its own without a head), features learned and the\n"
    "final loss; then per head mode the number of runs that learned every\n"
    "feature.\n";

static int is_help(const char *arg) {
  return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

/* -h as the first argument: usage on stdout, status 0; arguments that do
 * not fit: usage on stderr, status 2.  Returns 1 when the command is done. */
static int usage_done(int argc, char **argv, int fits, const char *usage,
                      int *status) {
  const int help = argc >= 1 && is_help(argv[0]);
  if (!help && fits) return 0;
  fputs(usage, help ? stdout : stderr);
  *status = help ? PHSIM_OK : PHSIM_EINPUT;
  return 1;
}

/* Parse [CONFIG] [--set k=v]... [--out DIR] in order, then validate.
 * out may be NULL when the command takes no --out. */
static int parse_args(int argc, char **argv, const char *usage,
                      phsim_config *cfg, const char **out,
                      phsim_run_opts *opts, int *force) {
  char err[PHSIM_ERR_MAX];
  int have_file = 0, st = PHSIM_OK;
  phsim_config_default(cfg);
  for (int i = 0; i < argc && st == PHSIM_OK; i++) {
    const char *a = argv[i];
    if (is_help(a)) {
      fputs(usage, stdout);
      exit(0);
    } else if (strcmp(a, "--set") == 0 || strcmp(a, "--out") == 0) {
      if (i + 1 == argc) {
        snprintf(err, sizeof err, "option '%s' needs a value", a);
        st = PHSIM_EINPUT;
      } else if (a[2] == 's') {
        st = phsim_config_set_arg(cfg, argv[++i], err);
      } else if (out == NULL) {
        snprintf(err, sizeof err, "option '--out' is not taken here");
        st = PHSIM_EINPUT;
      } else {
        *out = argv[++i];
      }
    } else if (opts != NULL && strcmp(a, "--no-timing") == 0) {
      opts->timing = 0;
    } else if (force != NULL && strcmp(a, "--force") == 0) {
      *force = 1;
    } else if (a[0] == '-') {
      snprintf(err, sizeof err, "unknown option '%s'; allowed: --set, %s-h",
               a, out ? "--out, " : "");
      st = PHSIM_EINPUT;
    } else if (have_file) {
      snprintf(err, sizeof err,
               "a second config file '%s'; allowed: at most one", a);
      st = PHSIM_EINPUT;
    } else {
      have_file = 1;
      st = phsim_config_read_file(cfg, a, err);
    }
  }
  if (st == PHSIM_OK && out != NULL && *out == NULL) {
    snprintf(err, sizeof err, "missing '--out DIR'");
    st = PHSIM_EINPUT;
  }
  if (st == PHSIM_OK) st = phsim_config_validate(cfg, err);
  if (st != PHSIM_OK) fprintf(stderr, "phsim: %s\n", err);
  return st;
}

static int cmd_run(int argc, char **argv) {
  phsim_config cfg;
  const char *out = NULL;
  phsim_run_opts opts = phsim_run_opts_default();
  opts.argc = command_words;
  opts.argv = command_line;
  int force = 0;
  int st = parse_args(argc, argv, usage_run, &cfg, &out, &opts, &force);
  if (st != PHSIM_OK) return st;
  char err[PHSIM_ERR_MAX];
  phsim_outdir od;
  st = phsim_outdir_claim_run(&od, out, &cfg, force, err);
  if (st == PHSIM_OK) {
    st = phsim_run_execute(&cfg, out, opts, err);
    phsim_outdir_release(&od);
  }
  if (st != PHSIM_OK) fprintf(stderr, "phsim: %s\n", err);
  return st;
}

static int cmd_grad(int argc, char **argv) {
  phsim_config cfg;
  int st = parse_args(argc, argv, usage_grad, &cfg, NULL, NULL, NULL);
  if (st != PHSIM_OK) return st;
  char err[PHSIM_ERR_MAX];
  st = phsim_grad_write(&cfg, stdout, err);
  if (st != PHSIM_OK) fprintf(stderr, "phsim: %s\n", err);
  if (st == PHSIM_EINTR) {
    /* the computing thread cannot be joined: end the process at once */
    phsim_stdout_end(st, err);
    fflush(stderr);
    _exit(st);
  }
  return st;
}

static int cmd_config(int argc, char **argv) {
  phsim_config cfg;
  int st = parse_args(argc, argv, usage_config, &cfg, NULL, NULL, NULL);
  if (st != PHSIM_OK) return st;
  return phsim_config_write(&cfg, stdout);
}

/* Split the sweep's own options from the config arguments (which go to
 * parse_args in order). */
static int sweep_options(int argc, char **argv, phsim_sweep *s, char **rest,
                         int *nrest, const char **grid_args, size_t *ngrid,
                         char err[PHSIM_ERR_MAX]) {
  *nrest = 0;
  *ngrid = 0;
  for (int i = 0; i < argc; i++) {
    const char *a = argv[i];
    int takes = strcmp(a, "--grid") == 0 || strcmp(a, "--jobs") == 0 ||
                strcmp(a, "--shard") == 0;
    if (takes && i + 1 == argc) {
      snprintf(err, PHSIM_ERR_MAX, "option '%s' needs a value", a);
      return PHSIM_EINPUT;
    }
    if (strcmp(a, "--grid") == 0) {
      if (*ngrid == PHSIM_MAX_GRIDS) {
        snprintf(err, PHSIM_ERR_MAX, "more than %d --grid options", PHSIM_MAX_GRIDS);
        return PHSIM_EINPUT;
      }
      grid_args[(*ngrid)++] = argv[++i];
    } else if (strcmp(a, "--jobs") == 0) {
      char *end = NULL;
      long j = strtol(argv[++i], &end, 10);
      if (*end != '\0' || j < 1 || j > 1024) {
        snprintf(err, PHSIM_ERR_MAX, "--jobs '%s': allowed: an integer from 1 to 1024", argv[i]);
        return PHSIM_EINPUT;
      }
      s->jobs = (unsigned)j;
    } else if (strcmp(a, "--shard") == 0) {
      unsigned si, sn;
      char extra;
      if (sscanf(argv[++i], "%u/%u%c", &si, &sn, &extra) != 2 || sn < 1 || si < 1 || si > sn ||
          sn > PHSIM_MAX_SHARDS || strchr(argv[i], '-') != NULL) {
        snprintf(err, PHSIM_ERR_MAX, "--shard '%s': allowed: I/N with 1 <= I <= N <= %d", argv[i],
                 PHSIM_MAX_SHARDS);
        return PHSIM_EINPUT;
      }
      s->shard_i = si;
      s->shard_n = sn;
    } else if (strcmp(a, "--resume") == 0) {
      s->resume = 1;
    } else if (strcmp(a, "--keep-trajectories") == 0) {
      s->keep_trajectories = 1;
    } else if (strcmp(a, "--force") == 0) {
      s->force = 1;
    } else {
      rest[(*nrest)++] = argv[i];
    }
  }
  return PHSIM_OK;
}

static int cmd_sweep(int argc, char **argv) {
  phsim_sweep s;
  memset(&s, 0, sizeof s);
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  s.jobs = cores > 0 ? (unsigned)cores : 1;
  s.shard_i = s.shard_n = 1;
  s.argc = command_words;
  s.argv = command_line;
  char err[PHSIM_ERR_MAX];
  char **rest = malloc((size_t)(argc + 1) * sizeof *rest);
  const char *grid_args[PHSIM_MAX_GRIDS];
  size_t ngrid = 0;
  int nrest = 0;
  int st = sweep_options(argc, argv, &s, rest, &nrest, grid_args, &ngrid, err);
  if (st != PHSIM_OK) fprintf(stderr, "phsim: %s\n", err);
  if (st == PHSIM_OK) st = parse_args(nrest, rest, usage_sweep, &s.base, &s.out, NULL, NULL);
  if (st == PHSIM_OK && ngrid == 0) {
    fprintf(stderr, "phsim: missing '--grid SPEC' (see 'phsim sweep -h')\n");
    st = PHSIM_EINPUT;
  }
  for (size_t k = 0; k < ngrid && st == PHSIM_OK; k++) {
    st = phsim_grid_parse(grid_args[k], &s.base, &s.grids[k], err);
    if (st == PHSIM_OK) s.ngrids++;
    else fprintf(stderr, "phsim: %s\n", err);
  }
  if (st == PHSIM_OK && (st = phsim_sweep_check_grids(&s, err)) != PHSIM_OK)
    fprintf(stderr, "phsim: %s\n", err);
  if (st == PHSIM_OK) {
      st = phsim_sweep_execute(&s, err);
    if (st != PHSIM_OK) fprintf(stderr, "phsim: %s\n", err);
    else
      fprintf(stderr, "phsim: sweep of %zu points (shard %u of %u) done in '%s'\n",
              s.npoints, s.shard_i, s.shard_n, s.out);
  }
  phsim_sweep_free(&s);
  free(rest);
  return st;
}

static int cmd_merge(int argc, char **argv) {
  int st;
  if (usage_done(argc, argv, argc == 1,
                 "usage: phsim merge DIR\nCombine DIR/sweep-shard-I-of-N.csv into "
                 "DIR/sweep.csv, checking every row against DIR/sweep.json and\n"
                 "every point is there once, finished.\n",
                 &st))
    return st;
  char err[PHSIM_ERR_MAX];
  phsim_outdir od;
  st = phsim_outdir_lock(&od, argv[0], err);
  if (st == PHSIM_OK) {
    st = phsim_sweep_merge(argv[0], err);
    phsim_outdir_release(&od);
  }
  if (st != PHSIM_OK) fprintf(stderr, "phsim: %s\n", err);
  return st;
}

static int cmd_plot(int argc, char **argv) {
  int st;
  if (usage_done(argc, argv, argc == 1,
                 "usage: phsim plot DIR\nFigures of a run (DIR/run.png, run.pdf: alignment, head,\n"
                 "forces, loss with the phases shaded) or a sweep (DIR/plots/: log-log\n"
                 "scaling with fitted slopes for one numeric swept key, phase diagrams\n"
                 "for two or more, runs by features learned for seeds only or one\n"
                 "non-numeric key).  Needs gnuplot; scripts in plots/ ($PHSIM_PLOTS).\n",
                 &st))
    return st;
  char err[PHSIM_ERR_MAX];
  phsim_outdir od;
  struct stat sb;
  if (stat(argv[0], &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    fprintf(stderr, "phsim: cannot open directory '%s'; allowed: a run or sweep directory\n", argv[0]);
    return PHSIM_EINPUT;
  }
  st = phsim_outdir_lock(&od, argv[0], err);
  if (st == PHSIM_OK) {
    st = phsim_plot_dir(argv[0], err);
    phsim_outdir_release(&od);
  }
  if (st != PHSIM_OK) fprintf(stderr, "phsim: %s\n", err);
  return st;
}

/* A whole number from an option value, or an error naming the option. */
static int option_number(const char *opt, const char *v, double lo, double hi,
                         double *out) {
  char *end = NULL;
  double x = strtod(v, &end);
  if (end == v || *end != '\0' || !(x >= lo && x <= hi)) {
    fprintf(stderr, "phsim: option '%s': value '%s'; allowed: a number from %g to %g\n",
            opt, v, lo, hi);
    return PHSIM_EINPUT;
  }
  *out = x;
  return PHSIM_OK;
}

/* DIR/config, read and validated. */
static int load_run_config(const char *dir, phsim_config *cfg) {
  char err[PHSIM_ERR_MAX], path[PHSIM_PATH_MAX + 16];
  phsim_config_default(cfg);
  snprintf(path, sizeof path, "%s/config", dir);
  int st = phsim_config_read_file(cfg, path, err);
  if (st == PHSIM_OK) st = phsim_config_validate(cfg, err);
  if (st != PHSIM_OK) fprintf(stderr, "phsim: %s\n", err);
  return st;
}

static int cmd_field(int argc, char **argv) {
  static const char usage[] =
      "usage: phsim field DIR --at STEP [--neuron J] [--features A,B] [--lim L] [--n N]\n"
      "Re-run DIR/config to STEP and print CSV x,y,fx,fy,norm: the force\n"
      "-dL/d(a_JA, a_JB) on neuron J (default 2) with a_JA = x, a_JB = y\n"
      "(default features 1,2) on an N x N grid (default 21) over [-L, L]^2\n"
      "(default 2.5), all else at the run's state.\n";
  int st;
  if (usage_done(argc, argv, argc >= 1, usage, &st)) return st;
  phsim_config cfg;
  char err[PHSIM_ERR_MAX];
  st = load_run_config(argv[0], &cfg);
  if (st != PHSIM_OK) return st;
  phsim_field_spec spec = {.step = 0, .neuron = 1, .fa = 0, .fb = 1, .lim = 2.5, .n = 21};
  int have_at = 0;
  for (int i = 1; i < argc && st == PHSIM_OK; i++) {
    double x = 0;
    if (i + 1 == argc) {
      fprintf(stderr, "phsim: option '%s' needs a value\n", argv[i]);
      return PHSIM_EINPUT;
    }
    const char *o = argv[i], *v = argv[++i];
    if (strcmp(o, "--at") == 0) {
      st = option_number(o, v, 0, 1e12, &x);
      spec.step = (unsigned long)x;
      have_at = 1;
    } else if (strcmp(o, "--neuron") == 0) {
      st = option_number(o, v, 1, (double)cfg.m, &x);
      spec.neuron = (size_t)x - 1;
    } else if (strcmp(o, "--lim") == 0) {
      st = option_number(o, v, 1e-6, 1e6, &spec.lim);
    } else if (strcmp(o, "--n") == 0) {
      st = option_number(o, v, 2, 1000, &x);
      spec.n = (size_t)x;
    } else if (strcmp(o, "--features") == 0) {
      unsigned a, b;
      char extra;
      if (sscanf(v, "%u,%u%c", &a, &b, &extra) != 2 || a < 1 || b < 1 || a > cfg.K || b > cfg.K) {
        fprintf(stderr, "phsim: option '--features': value '%s'; allowed: A,B in 1..%zu\n", v, cfg.K);
        return PHSIM_EINPUT;
      }
      spec.fa = a - 1;
      spec.fb = b - 1;
    } else {
      fprintf(stderr, "phsim: unknown option '%s'\n%s", o, usage);
      return PHSIM_EINPUT;
    }
  }
  if (st != PHSIM_OK) return st;
  if (!have_at) {
    fprintf(stderr, "phsim: missing '--at STEP'\n");
    return PHSIM_EINPUT;
  }
  st = phsim_field_write(&cfg, &spec, stdout, err);
  if (st != PHSIM_OK) fprintf(stderr, "phsim: %s\n", err);
  return st;
}

static int cmd_pull(int argc, char **argv) {
  static const char usage[] =
      "usage: phsim pull DIR --at STEP\n"
      "Re-run DIR/config to STEP; print CSV neuron,feature,pull_head,\n"
      "pull_identity: -dL/da_jl at that state with the run's head E and with\n"
      "E = I, all else equal (closed form, target = online weights).\n";
  int st;
  if (usage_done(argc, argv, argc == 3 && strcmp(argv[1], "--at") == 0, usage, &st))
    return st;
  phsim_config cfg;
  st = load_run_config(argv[0], &cfg);
  double at = 0;
  if (st == PHSIM_OK) st = option_number("--at", argv[2], 0, 1e12, &at);
  if (st != PHSIM_OK) return st;
  char err[PHSIM_ERR_MAX];
  st = phsim_pull_write(&cfg, (unsigned long)at, stdout, err);
  if (st != PHSIM_OK) fprintf(stderr, "phsim: %s\n", err);
  return st;
}

static int cmd_fit(int argc, char **argv) {
  static const char usage[] =
      "usage: phsim fit CSV --x COL --y COL [--loglog] [--where COL=VALUE]...\n"
      "Least-squares line y = intercept + slope x (gsl_fit_linear) over the\n"
      "rows matching every --where (COL=VALUE as text, COL>=X or COL<=X as\n"
      "numbers); --loglog fits log y against log x (an\n"
      "exponent).  Prints slope, its standard error, intercept, r2, rows used\n"
      "and rows skipped (empty or non-positive values).\n";
  int st;
  if (usage_done(argc, argv, argc >= 1, usage, &st)) return st;
  const char *x = NULL, *y = NULL;
  const char **where = malloc((size_t)argc * sizeof *where);
  size_t nw = 0;
  if (where == NULL) return PHSIM_ENOMEM;
  int loglog = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--loglog") == 0) {
      loglog = 1;
    } else if (i + 1 < argc && strcmp(argv[i], "--x") == 0) {
      x = argv[++i];
    } else if (i + 1 < argc && strcmp(argv[i], "--y") == 0) {
      y = argv[++i];
    } else if (i + 1 < argc && strcmp(argv[i], "--where") == 0) {
      where[nw++] = argv[++i];
    } else {
      fprintf(stderr, "phsim: fit: unexpected '%s'; see 'phsim fit -h'\n", argv[i]);
      free(where);
      return PHSIM_EINPUT;
    }
  }
  if (x == NULL || y == NULL) {
    fprintf(stderr, "phsim: fit: --x and --y are required\n");
    free(where);
    return PHSIM_EINPUT;
  }
  phsim_fit_result r;
  char err[PHSIM_ERR_MAX];
  st = phsim_fit_csv(argv[0], x, y, loglog, where, nw, &r, err);
  free(where);
  if (st != PHSIM_OK) {
    fprintf(stderr, "phsim: %s\n", err);
    return st;
  }
  printf("slope=%.6g slope_se=%.3g intercept=%.6g r2=%.4f n=%zu skipped=%zu\n",
         r.slope, r.slope_se, r.intercept, r.r2, r.n, r.skipped);
  return PHSIM_OK;
}

static int cmd_stats(int argc, char **argv) {
  static const char usage[] =
      "usage: phsim stats CSV --by COL --y COL [--where COL=VALUE]... [--boot B]\n"
      "                   [--level L] [--seed S]\n"
      "Per value of --by (in order of first appearance): rows, censored rows\n"
      "(empty y: never reached), the median of y over the others and its\n"
      "percentile bootstrap interval (B resamples, default 2000; level L,\n"
      "default 0.95; GSL mt19937 seeded with S, default 1). CSV on stdout:\n"
      "<by>,n,censored,median,lo,hi.\n";
  int st;
  /* argv[0] is "stats" (getopt's program name), argv[1] the CSV. */
  if (usage_done(argc - 1, argv + 1, argc >= 2, usage, &st)) return st;
  static const struct option longopts[] = {
      {"by", required_argument, NULL, 'b'},    {"y", required_argument, NULL, 'y'},
      {"where", required_argument, NULL, 'w'}, {"boot", required_argument, NULL, 'B'},
      {"level", required_argument, NULL, 'l'}, {"seed", required_argument, NULL, 's'},
      {NULL, 0, NULL, 0}};
  const char **where = calloc((size_t)argc, sizeof *where);
  if (where == NULL) return PHSIM_ENOMEM;
  phsim_stats_opts o = {.boot = 2000, .level = 0.95, .seed = 1, .where = where};
  char *end = NULL;
  int c, bad = 0;
  optind = 2;
  while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
    if (c == 'b') o.by = optarg;
    else if (c == 'y') o.y = optarg;
    else if (c == 'w') where[o.nwhere++] = optarg;
    else if (c == 'B') o.boot = strtoul(optarg, &end, 10), bad |= *end != '\0';
    else if (c == 'l') o.level = strtod(optarg, &end), bad |= *end != '\0';
    else if (c == 's') o.seed = strtoul(optarg, &end, 10), bad |= *end != '\0';
    else bad = 1;
  }
  if (bad || o.by == NULL || o.y == NULL || optind != argc) {
    fprintf(stderr, "phsim: stats: --by and --y are required, numbers must be numbers, and "
                    "nothing may follow the options; see 'phsim stats -h'\n");
    free(where);
    return PHSIM_EINPUT;
  }
  char err[PHSIM_ERR_MAX];
  st = phsim_stats_csv(argv[1], &o, stdout, err);
  free(where);
  if (st != PHSIM_OK) fprintf(stderr, "phsim: %s\n", err);
  return st;
}

static int cmd_table(int argc, char **argv) {
  int st;
  if (usage_done(argc, argv, argc >= 1, usage_table, &st)) return st;
  char err[PHSIM_ERR_MAX];
  st = phsim_table_print(stdout, (size_t)argc, (const char *const *)argv, err);
  if (st != PHSIM_OK) fprintf(stderr, "phsim: %s\n", err);
  return st;
}

static int dispatch(int argc, char **argv) {
  if (argc < 2 || is_help(argv[1]) || strcmp(argv[1], "help") == 0) {
    fputs(usage_main, argc < 2 ? stderr : stdout);
    return argc < 2 ? PHSIM_EINPUT : PHSIM_OK;
  }
  const char *cmd = argv[1];
  /* The commands that can take long stop cleanly on SIGINT / SIGTERM (the
   * handlers go in first, before any parsing); the others end at once. */
  static const char *const stoppable[] = {"run", "grad", "sweep", "merge", "plot", "field", "pull"};
  for (size_t i = 0; i < sizeof stoppable / sizeof stoppable[0]; i++)
    if (strcmp(cmd, stoppable[i]) == 0) phsim_interrupt_install();
  if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
  if (strcmp(cmd, "grad") == 0) return cmd_grad(argc - 2, argv + 2);
  if (strcmp(cmd, "config") == 0) return cmd_config(argc - 2, argv + 2);
  if (strcmp(cmd, "table") == 0) return cmd_table(argc - 2, argv + 2);
  if (strcmp(cmd, "sweep") == 0) return cmd_sweep(argc - 2, argv + 2);
  if (strcmp(cmd, "merge") == 0) return cmd_merge(argc - 2, argv + 2);
  if (strcmp(cmd, "plot") == 0) return cmd_plot(argc - 2, argv + 2);
  if (strcmp(cmd, "field") == 0) return cmd_field(argc - 2, argv + 2);
  if (strcmp(cmd, "fit") == 0) return cmd_fit(argc - 2, argv + 2);
  if (strcmp(cmd, "stats") == 0) return cmd_stats(argc - 1, argv + 1);
  if (strcmp(cmd, "pull") == 0) return cmd_pull(argc - 2, argv + 2);
  if (strcmp(cmd, "keys") == 0) {
    phsim_config_print_keys(stdout);
    return PHSIM_OK;
  }
  fprintf(stderr,
          "phsim: unknown command '%s'; allowed: run, grad, config, sweep, "
          "merge, plot, field, pull, fit, table, keys, help\n",
          cmd);
  return PHSIM_EINPUT;
}

int main(int argc, char **argv) {
  command_words = argc;
  command_line = (const char *const *)argv;
  phsim_stdout_begin();
  int st = dispatch(argc, argv);
  char err[PHSIM_ERR_MAX];
  if (phsim_stdout_end(st, err) != PHSIM_OK) {
    fprintf(stderr, "phsim: %s\n", err);
    if (st == PHSIM_OK) st = PHSIM_EIO;
  }
  return st;
}
