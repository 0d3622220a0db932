/* sweeprows.c: the metrics of each run of a sweep, from its sweep.csv row
 * (plotdata.h). */
#include "plotdata.h"

#include <math.h>
#include <string.h>

#include "phsim_csv.h"
#include "phsim_summary.h"

/* The metrics: columns of the sweep table. */
static const phsim_column met_column[NMET] = {
    PHSIM_COLUMN_T1,       PHSIM_COLUMN_T3,        PHSIM_COLUMN_E_substitution, PHSIM_COLUMN_E_peak,
    PHSIM_COLUMN_E_pull_3, PHSIM_COLUMN_E_pull_10, PHSIM_COLUMN_E_pull_30};

const char *phsim_metric_name(int met) {
  return phsim_summary_column_name(met_column[met]);
}

/* The field of column c in the current row ("" when absent). */
static const char *field_of(const phsim_sweep_table *t, phsim_column c) {
  long i = phsim_csv_col(&t->csv, phsim_summary_column_name(c));
  return i >= 0 ? t->csv.field[i] : "";
}

/* features_learned (an integer 0..K or empty), the metrics, flow_faithful
 * and status of the current row (the table reader has checked that every
 * result field is empty or a finite number). */
int phsim_sweep_row_read(const phsim_sweep_table *t, size_t K, sweep_row *r,
                         char err[PHSIM_ERR_MAX]) {
  const char *f = field_of(t, PHSIM_COLUMN_features_learned);
  const char *ff = field_of(t, PHSIM_COLUMN_flow_faithful);
  r->idx = t->index;
  r->features = NAN;
  double x;
  if (*f != '\0') {
    if (!phsim_csv_number(f, &x) || x < 0 || x > (double)K || x != floor(x)) {
      snprintf(err, PHSIM_ERR_MAX, "'%.300s' line %zu: features_learned '%.40s'; expected an "
               "integer from 0 to %zu", t->csv.name, t->csv.lineno, f, K);
      return PHSIM_EINPUT;
    }
    r->features = x;
  }
  for (int k = 0; k < NMET; k++) {
    const char *v = field_of(t, met_column[k]);
    r->v[k] = *v != '\0' && phsim_csv_number(v, &x) ? x : NAN;
  }
  r->faithful = *ff == '\0' ? -1 : (phsim_csv_number(ff, &x) && x == 1.0);
  r->ok = strcmp(field_of(t, PHSIM_COLUMN_status), phsim_summary_status_name(PHSIM_OK)) == 0;
  const long cs = phsim_csv_col(&t->csv, "steps");
  r->steps = cs >= 0 && phsim_csv_number(t->csv.field[cs], &x) ? x : NAN;
  return PHSIM_OK;
}
