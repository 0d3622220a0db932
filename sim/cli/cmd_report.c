/* cmd_report.c: the commands that show results: plot (figures by gnuplot)
 * and table (one line per run, then tallies per head mode). */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const cli_option plot_options[] = {
    {"rule", 0, "TEXT", 0,
     "a verdict's rule, printed under every figure's caption (at most 400 "
     "bytes)"},
    {NULL, 0, NULL, 0, NULL}};

static int plot_main(const cli_command *c, const cli_args *a) {
  (void)c;
  const char *dir = cli_operand(a, 0), *rule = cli_last(a, 0);
  char err[PHSIM_ERR_MAX];
  struct stat sb;
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    fprintf(stderr, "phsim: cannot open directory '%s'; allowed: a run or sweep directory\n", dir);
    return PHSIM_EINPUT;
  }
  phsim_outdir od;
  int st = phsim_outdir_lock(&od, dir, err);
  if (st == PHSIM_OK) {
    st = phsim_plot_dir_rule(dir, rule, stdout, err);
    phsim_outdir_release(&od);
  }
  return st == PHSIM_OK ? st : cli_fail(st, err);
}

const cli_command cli_plot = {
    "plot", "DIR", 1, 1, "figures (PNG and PDF, gnuplot) of a run or a sweep",
    "Figures of a run (DIR/run.png, run.pdf: alignment, head, forces, loss\n"
    "with the phases shaded) or a sweep (DIR/plots/: log-log scaling with\n"
    "fitted slopes for one numeric swept key, phase diagrams for two or more,\n"
    "runs by features learned for seeds only or one non-numeric key).  Prints\n"
    "the paths written.  Needs gnuplot; its scripts are found in\n"
    "$PHSIM_PLOTS, else beside the program (../share/phsim/plots of an\n"
    "installed phsim, ../plots of a checkout).\n",
    plot_options, 1, plot_main, NULL};

static int table_main(const cli_command *c, const cli_args *a) {
  (void)c;
  const char **dirs = calloc(a->n + 1, sizeof *dirs);
  if (dirs == NULL) return cli_fail(PHSIM_ENOMEM, "out of memory");
  for (size_t i = 0; i < a->n; i++) dirs[i] = cli_operand(a, i);
  char err[PHSIM_ERR_MAX];
  int st = phsim_table_print(stdout, a->n, dirs, err);
  free(dirs);
  return st == PHSIM_OK ? st : cli_fail(st, err);
}

const cli_command cli_table = {
    "table", "DIR...", 1, -1,
    "one line per run directory (from its summary.json), then tallies per head mode",
    "Read DIR/summary.json of each run; print per run the head mode, the\n"
    "seed, which feature each neuron ends on (|cos| >= threshold, '-' for\n"
    "none) and the first step it got there, the feature each neuron's\n"
    "initial overlaps favour ('race': argmax_l pi_l alpha_l^6 a_jl^4, what\n"
    "a neuron learns on its own without a head), features learned and the\n"
    "final loss; then per head mode the number of runs that learned every\n"
    "feature.\n",
    cli_no_options, 0, table_main, NULL};
