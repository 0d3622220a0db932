/* phsim_summary.h: a run's summary, in memory and as summary.json.
 *
 * A run fills a phsim_summary (phsim_run.h); phsim_summary_write turns it
 * into summary.json, phsim_summary_read reads one back, and the sweep table
 * (sweep.csv) takes its columns from phsim_summary_columns.  This module is
 * the only place the keys of summary.json and the sweep table's headline
 * columns are spelled.
 *
 * summary.json read back is untrusted input (table, plot and sweep --resume
 * read summaries that any program, or a disk, may have damaged).
 * phsim_summary_read checks, before anyone uses a value:
 *   - the file: regular, at most PHSIM_SUMMARY_MAX_BYTES, valid JSON
 *     without duplicate keys, an object;
 *   - "config": a configuration (phsim_config_from_json, then the cross-key
 *     checks), which fixes m, K and steps;
 *   - every member, each of its type and range: status (ok, diverged with a
 *     fault {step, what}, interrupted), learn_step (m x K steps or null),
 *     cos_final (m x K in [-1, 1] or null), race_favoured_initial (m
 *     features), phases, features_learned (0..K), collapsed, E_peak,
 *     E_minus_I_final, effective_rank, loss_final, steps (0..config steps),
 *     wall_seconds, steps_per_second; and, when present (older versions of
 *     phsim wrote fewer), phases' pull_end, outcome, weight_norm_max_final,
 *     fidelity, twin, acceleration and provenance.
 * Other members are allowed (later versions add some).  Errors name the
 * file, the key and what is allowed (PHSIM_EINPUT).
 *
 * Null in the JSON is, in the struct: NAN for a number, -1 for a step, 0
 * for a 1-based index, -1 for a yes/no. */
#ifndef PHSIM_SUMMARY_H
#define PHSIM_SUMMARY_H

#include <stdio.h>

#include <jansson.h>

#include "phsim_config.h"
#include "phsim_io.h"
#include "phsim_provenance.h"

#define PHSIM_SUMMARY_MAX_BYTES (64L << 20)

/* The end of substitution by the pull (phsim_pullend.h), one per kappa. */
#define PHSIM_PULL_KAPPAS 3

typedef struct {
  long T1, T2, T3, T4;                   /* steps (phsim_phases.h) */
  double phase1_offtarget_max, phase1_E_minus_I_max;
  long strong_neuron, substituted_neuron; /* 1-based */
  double E_substitution;
  long pull_step[PHSIM_PULL_KAPPAS];      /* phsim_pullend.h: step, -1 */
  double pull_E[PHSIM_PULL_KAPPAS];       /* |E_{i j*}| there, NAN */
  int pull_to_one_step;                   /* 1, 0 (some at a row), -1 none,
                                             -2 not measured (a summary
                                             read back from an older phsim) */
} phsim_summary_phases;

/* Gradient descent against its flow (phsim_fidelity.h). */
typedef struct {
  double stiffness_max;
  unsigned long stiffness_step;
  double turn_max;
  long turn_step;
  double loss_rise_max;
  unsigned long loss_rise_step;
  long left_flow_step;   /* first logged step breaking the rule */
  int flow_faithful;     /* 1, 0, -1 when not defined */
} phsim_summary_fidelity;

/* The sensitivity twin (phsim_twin.h). */
typedef struct {
  int present;           /* 0: no twin (null) */
  double eps, divergence_max;
  unsigned long divergence_step;
  char *outcome;         /* owned */
  int ok;                /* the twin ran to its end */
  int fragile;
} phsim_summary_twin;

/* Acceleration as a time (phsim_accel.h). */
typedef struct {
  int present;           /* 0: not measured (null) */
  long neuron;           /* 1-based */
  long T2, strong_without_head, weak_without_head, weak_with_head;
  double ratio;
} phsim_summary_accel;

typedef struct {
  int status;            /* PHSIM_OK, PHSIM_ENUM (diverged), PHSIM_EINTR */
  unsigned long fault_step;        /* diverged: where and what */
  char fault[160];
  phsim_config cfg;
  long *learn_step;      /* m x K (row-major, owned): first step neuron j
                            had |cos(w_j, v_l)| >= threshold */
  double *cos_final;     /* m x K (owned) */
  char *outcome;         /* "l1:l2:...:lm" (phsim_run.h; owned) */
  phsim_summary_twin twin;
  phsim_summary_accel acceleration;
  long *race;            /* m (owned): the feature the initial race favours */
  phsim_summary_phases phases;
  size_t features_learned;
  int collapsed;
  double E_peak;
  unsigned long E_peak_step;
  double E_minus_I_final, weight_norm_max_final;
  phsim_summary_fidelity fidelity;
  double erank_start, erank_end, erank_bn_start, erank_bn_end;
  double loss_final;
  unsigned long steps;   /* the last logged step */
  double wall_seconds, steps_per_second;
  phsim_provenance provenance;
} phsim_summary;

/* An empty summary for cfg: arrays allocated (learn_step -1, cos_final 0,
 * race 0), everything else null.  PHSIM_ENOMEM. */
int phsim_summary_init(phsim_summary *s, const phsim_config *cfg);
void phsim_summary_free(phsim_summary *s);

/* "ok", "diverged" or "interrupted". */
const char *phsim_summary_status_name(int status);

/* summary.json of s (a new reference) and the file itself in dir
 * (atomically; reached through at unless NULL, phsim_io.h). */
json_t *phsim_summary_json(const phsim_summary *s);
int phsim_summary_write(const phsim_summary *s, const phsim_at *at, const char *dir,
                        char err[PHSIM_ERR_MAX]);

/* Read and check path.  On success free with phsim_summary_free. */
int phsim_summary_read(const char *path, phsim_summary *s,
                       char err[PHSIM_ERR_MAX]);

/* Check an already parsed document and fill s (root is borrowed); name is
 * used in messages. */
int phsim_summary_check(json_t *root, const char *name, phsim_summary *s,
                        char err[PHSIM_ERR_MAX]);

/* The first step any neuron learned feature l (0-based), -1 if none. */
long phsim_summary_first_learned(const phsim_summary *s, size_t l);

/* The sweep table's headline columns (after index and the grid keys,
 * before learn_<l>), in order: the one list of their names.  T marks the
 * two columns of text, C those of numbers (or nothing). */
#define PHSIM_SUMMARY_COLUMNS(T, C)                                                   \
  T(status) C(features_learned) C(collapsed) C(loss_final) C(E_peak) C(E_peak_step)   \
  C(E_minus_I_final) C(erank_start) C(erank_end) C(erank_bn_end) C(T1) C(T2) C(T3)    \
  C(T4) C(E_substitution) C(strong_neuron) C(substituted_neuron) C(steps)             \
  C(flow_faithful) C(stiffness_max) C(turn_max) T(outcome) C(phase1_offtarget_max)    \
  C(phase1_E_minus_I_max) C(fragile) C(weight_norm_max_final) C(accel_weak_with_head) \
  C(accel_weak_without_head) C(accel_strong_without_head) C(accel_ratio)            \
  C(E_pull_3) C(E_pull_10) C(E_pull_30) C(T_pull_3) C(T_pull_10) C(T_pull_30)
#define PHSIM_COLUMN_ENUM(name) PHSIM_COLUMN_##name,
typedef enum { PHSIM_SUMMARY_COLUMNS(PHSIM_COLUMN_ENUM, PHSIM_COLUMN_ENUM) PHSIM_NCOLUMNS } phsim_column;
#undef PHSIM_COLUMN_ENUM
/* A column's name, for readers of the table (sweep.csv). */
const char *phsim_summary_column_name(phsim_column c);

/* The header's columns and one row's fields, each preceded by a comma. */
void phsim_summary_columns(FILE *fp, size_t K);
void phsim_summary_fields(FILE *fp, const phsim_summary *s);
/* 1 when the sweep table's column name holds a number or nothing (every
 * column but status and outcome, learn_<l> included), else 0. */
int phsim_summary_column_numeric(const char *name);

/* Load a JSON file: a regular file of at most max_bytes, no duplicate
 * keys.  NULL with a message naming the file, line and column. */
json_t *phsim_json_load_checked(const char *path, long max_bytes,
                                char err[PHSIM_ERR_MAX]);

#endif
