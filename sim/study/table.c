/* table.c: runs side by side from their summaries (phsim_table.h). */
#include "phsim_table.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "phsim_summary.h"

/* Per head mode: runs, and runs that learned every feature. */
typedef struct {
  const char *head;
  int runs, all_learned;
  int race_same, race_same_all_learned; /* race favours one feature for all */
  int neurons, neurons_as_race;         /* neurons ending on their race's feature */
} tally;

/* Does the initial race favour the same feature for every neuron?  Without a
 * head such a run can only learn that feature. */
static int race_is_unanimous(const phsim_summary *s) {
  for (size_t j = 1; j < s->cfg.m; j++)
    if (s->race[j] != s->race[0]) return 0;
  return 1;
}

/* Each neuron's feature and first step; how many ended on their race's. */
static int print_neurons(FILE *out, const phsim_summary *s) {
  const size_t m = s->cfg.m, K = s->cfg.K;
  int as_race = 0;
  for (size_t j = 0; j < m; j++) {
    size_t best = 0;
    double bestc = 0.0;
    for (size_t l = 0; l < K; l++) {
      const double c = isnan(s->cos_final[j * K + l]) ? 0.0 : fabs(s->cos_final[j * K + l]);
      if (c > bestc) {
        bestc = c;
        best = l;
      }
    }
    if (bestc >= s->cfg.threshold) {
      const long step = s->learn_step[j * K + best];
      as_race += (long)best + 1 == s->race[j];
      fprintf(out, " w%zu->v%zu@%-8lld", j + 1, best + 1, (long long)(step < 0 ? 0 : step));
    } else {
      fprintf(out, " w%zu->-          ", j + 1);
    }
  }
  return as_race;
}

static void table_line(FILE *out, const char *dir, const phsim_summary *s, tally *tallies,
                       size_t ntallies) {
  const char *head = phsim_config_choice(&s->cfg, "head");
  fprintf(out, "%-28s %-8s %6lld ", dir, head, (long long)s->cfg.seed);
  const int as_race = print_neurons(out, s);
  fprintf(out, "  ");
  for (size_t j = 0; j < s->cfg.m; j++) fprintf(out, "%sv%ld", j ? "," : "", s->race[j]);
  fprintf(out, "  %lld/%zu  %.6f  %s\n", (long long)s->features_learned, s->cfg.K,
          isnan(s->loss_final) ? 0.0 : s->loss_final, phsim_summary_status_name(s->status));
  for (size_t i = 0; i < ntallies; i++)
    if (strcmp(tallies[i].head, head) == 0) {
      int all = s->features_learned == s->cfg.K, same = race_is_unanimous(s);
      tallies[i].runs++;
      tallies[i].all_learned += all;
      tallies[i].race_same += same;
      tallies[i].race_same_all_learned += same && all;
      tallies[i].neurons += (int)s->cfg.m;
      tallies[i].neurons_as_race += as_race;
    }
}

/* Every DIR/summary.json read and checked before anything is printed. */
static int load_summaries(size_t n, const char *const *dirs, phsim_summary *sums,
                          char err[PHSIM_ERR_MAX]) {
  char path[PHSIM_PATH_MAX + 32];
  for (size_t i = 0; i < n; i++) {
    int st = PHSIM_EINPUT;
    if (strlen(dirs[i]) >= PHSIM_PATH_MAX)
      snprintf(err, PHSIM_ERR_MAX, "table: directory '%.200s...' is longer than %d characters",
               dirs[i], PHSIM_PATH_MAX - 1);
    else {
      snprintf(path, sizeof path, "%s/summary.json", dirs[i]);
      st = phsim_summary_read(path, &sums[i], err);
    }
    if (st != PHSIM_OK) return st;
  }
  return PHSIM_OK;
}

/* Which phsim made the runs: each version and commit once, in order. */
static void print_versions(FILE *out, size_t n, const phsim_summary *sums) {
  for (size_t i = 0; i < n; i++) {
    const phsim_provenance *p = &sums[i].provenance;
    size_t same = 0, k = 0;
    for (; k < i; k++)
      if (p->known == sums[k].provenance.known && strcmp(p->version, sums[k].provenance.version) == 0 &&
          strcmp(p->commit, sums[k].provenance.commit) == 0)
        break;
    if (k < i) continue; /* printed already */
    for (size_t j = i; j < n; j++)
      same += p->known == sums[j].provenance.known &&
              strcmp(p->version, sums[j].provenance.version) == 0 &&
              strcmp(p->commit, sums[j].provenance.commit) == 0;
    if (p->known) fprintf(out, "phsim %s (commit %s): %zu of %zu runs\n", p->version, p->commit, same, n);
    else fprintf(out, "phsim of unknown version (no provenance): %zu of %zu runs\n", same, n);
  }
}

int phsim_table_print(FILE *out, size_t n, const char *const *dirs,
                      char err[PHSIM_ERR_MAX]) {
  phsim_summary *sums = calloc(n ? n : 1, sizeof *sums);
  if (sums == NULL) return PHSIM_ENOMEM;
  int st = load_summaries(n, dirs, sums, err);
  tally tallies[] = {{"offdiag", 0, 0, 0, 0, 0, 0}, {"fixed", 0, 0, 0, 0, 0, 0},
                     {"full", 0, 0, 0, 0, 0, 0}};
  const size_t nt = sizeof tallies / sizeof tallies[0];
  if (st == PHSIM_OK) {
    fprintf(out, "%-28s %-8s %6s  %-34s  %-6s learned  loss_final  status\n", "run", "head",
            "seed", "neuron->feature@first step", "race");
    for (size_t i = 0; i < n; i++) table_line(out, dirs[i], &sums[i], tallies, nt);
    for (size_t i = 0; i < nt; i++)
      if (tallies[i].runs > 0)
        fprintf(out, "head=%-8s %d of %d runs learned every feature; %d of the %d "
                "whose initial race favours one feature for every neuron; "
                "%d of %d neurons ended on the feature their race favoured\n",
                tallies[i].head, tallies[i].all_learned, tallies[i].runs,
                tallies[i].race_same_all_learned, tallies[i].race_same,
                tallies[i].neurons_as_race, tallies[i].neurons);
    print_versions(out, n, sums);
  }
  for (size_t i = 0; i < n; i++) phsim_summary_free(&sums[i]);
  free(sums);
  return st;
}
