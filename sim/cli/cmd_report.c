/* cmd_report.c: the commands that show results: plot (figures by gnuplot)
 * and table (one line per run, then tallies per head mode). */
#include "cli.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "phsim_outdir.h"
#include "phsim_plot.h"
#include "phsim_summary.h"

static int plot_main(const cli_command *c, const cli_args *a) {
  (void)c;
  const char *dir = cli_operand(a, 0);
  char err[PHSIM_ERR_MAX];
  struct stat sb;
  if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
    fprintf(stderr, "phsim: cannot open directory '%s'; allowed: a run or sweep directory\n", dir);
    return PHSIM_EINPUT;
  }
  phsim_outdir od;
  int st = phsim_outdir_lock(&od, dir, err);
  if (st == PHSIM_OK) {
    st = phsim_plot_dir(dir, stdout, err);
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
    cli_no_options, 1, plot_main, NULL};

/* Per head mode: runs, and runs that learned every feature. */
typedef struct {
  const char *head;
  int runs, all_learned;
  int race_same, race_same_all_learned; /* race favours one feature for all */
  int neurons, neurons_as_race;         /* neurons ending on their race's feature */
} tally;

/* Does the initial race favour the same feature for every neuron?  Without a
 * head such a run can only learn that feature. */
static int race_is_unanimous(json_t *race) {
  for (size_t j = 1; j < json_array_size(race); j++)
    if (json_integer_value(json_array_get(race, j)) !=
        json_integer_value(json_array_get(race, 0)))
      return 0;
  return 1;
}

static void table_line(const char *dir, json_t *s, tally *tallies,
                       size_t ntallies) {
  json_t *cfg = json_object_get(s, "config");
  const char *head = json_string_value(json_object_get(cfg, "head"));
  double thr = json_real_value(json_object_get(cfg, "threshold"));
  json_t *cosf = json_object_get(s, "cos_final");
  json_t *ls = json_object_get(s, "learn_step");
  json_t *race = json_object_get(s, "race_favoured_initial");
  long long K = json_integer_value(json_object_get(s, "features_learned"));
  size_t m = json_array_size(cosf), nK = json_array_size(json_object_get(cfg, "alpha"));
  int as_race = 0;
  printf("%-28s %-8s %6lld ", dir, head ? head : "?",
         (long long)json_integer_value(json_object_get(cfg, "seed")));
  for (size_t j = 0; j < m; j++) {
    json_t *row = json_array_get(cosf, j);
    size_t best = 0;
    double bestc = 0.0;
    for (size_t l = 0; l < json_array_size(row); l++) {
      double c = json_real_value(json_array_get(row, l));
      if (c < 0) c = -c;
      if (c > bestc) {
        bestc = c;
        best = l;
      }
    }
    if (bestc >= thr) {
      as_race += (long long)best + 1 == json_integer_value(json_array_get(race, j));
      json_t *st = json_array_get(json_array_get(ls, j), best);
      printf(" w%zu->v%zu@%-8lld", j + 1, best + 1,
             (long long)json_integer_value(st));
    } else {
      printf(" w%zu->-          ", j + 1);
    }
  }
  printf("  ");
  for (size_t j = 0; j < json_array_size(race); j++)
    printf("%sv%lld", j ? "," : "", (long long)json_integer_value(json_array_get(race, j)));
  printf("  %lld/%zu  %.6f  %s\n", K, nK,
         json_real_value(json_object_get(s, "loss_final")),
         json_string_value(json_object_get(s, "status")));
  for (size_t i = 0; i < ntallies; i++)
    if (head && strcmp(tallies[i].head, head) == 0) {
      int all = ((size_t)K == nK), same = race_is_unanimous(race);
      tallies[i].runs++;
      tallies[i].all_learned += all;
      tallies[i].race_same += same;
      tallies[i].race_same_all_learned += same && all;
      tallies[i].neurons += (int)m;
      tallies[i].neurons_as_race += as_race;
    }
}

/* Every DIR/summary.json read and checked before anything is printed. */
static int load_summaries(int argc, char **argv, phsim_summary *sums) {
  char err[PHSIM_ERR_MAX], path[PHSIM_PATH_MAX + 32];
  for (int i = 0; i < argc; i++) {
    int st = PHSIM_EINPUT;
    if (strlen(argv[i]) >= PHSIM_PATH_MAX)
      snprintf(err, sizeof err, "table: directory '%.200s...' is longer than %d characters",
               argv[i], PHSIM_PATH_MAX - 1);
    else {
      snprintf(path, sizeof path, "%s/summary.json", argv[i]);
      st = phsim_summary_read(path, &sums[i], err);
    }
    if (st != PHSIM_OK) {
      fprintf(stderr, "phsim: %s\n", err);
      for (int k = 0; k < i; k++) phsim_summary_free(&sums[k]);
      return st;
    }
  }
  return PHSIM_OK;
}

static void print_tallies(const tally *tallies, size_t nt) {
  for (size_t i = 0; i < nt; i++)
    if (tallies[i].runs > 0)
      printf("head=%-8s %d of %d runs learned every feature; %d of the %d "
             "whose initial race favours one feature for every neuron; "
             "%d of %d neurons ended on the feature their race favoured\n",
             tallies[i].head, tallies[i].all_learned, tallies[i].runs,
             tallies[i].race_same_all_learned, tallies[i].race_same,
             tallies[i].neurons_as_race, tallies[i].neurons);
}

static int table_main(const cli_command *c, const cli_args *a) {
  (void)c;
  int n = (int)a->n;
  char **dirs = calloc(a->n + 1, sizeof *dirs);
  phsim_summary *sums = calloc(a->n + 1, sizeof *sums);
  int st = dirs == NULL || sums == NULL ? PHSIM_ENOMEM : PHSIM_OK;
  for (int i = 0; st == PHSIM_OK && i < n; i++) dirs[i] = (char *)cli_operand(a, (size_t)i);
  if (st == PHSIM_OK) st = load_summaries(n, dirs, sums);
  if (st == PHSIM_OK) {
    tally tallies[] = {{"offdiag", 0, 0, 0, 0, 0, 0}, {"fixed", 0, 0, 0, 0, 0, 0},
                       {"full", 0, 0, 0, 0, 0, 0}};
    const size_t nt = sizeof tallies / sizeof tallies[0];
    printf("%-28s %-8s %6s  %-34s  %-6s learned  loss_final  status\n", "run", "head", "seed",
           "neuron->feature@first step", "race");
    for (int i = 0; i < n; i++) {
      table_line(dirs[i], sums[i].root, tallies, nt);
      phsim_summary_free(&sums[i]);
    }
    print_tallies(tallies, nt);
  }
  free(sums);
  free(dirs);
  return st;
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
