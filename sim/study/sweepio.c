/* sweepio.c: sweep.json and the sweep tables, written and read back with
 * every field checked; merge. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_sweepio.h"

#include <stdlib.h>
#include <string.h>

#include "phsim_interrupt.h"
#include "phsim_io.h"
#include "phsim_summary.h"
#include "phsim_validate.h"

/* ---- sweep.json ------------------------------------------------------- */

json_t *phsim_sweep_meta_json(const phsim_sweep *s) {
  json_t *o = json_object();
  json_t *grids = json_array();
  for (size_t k = 0; k < s->ngrids; k++) {
    json_t *g = json_object(), *vals = json_array();
    json_object_set_new(g, "key", json_string(s->grids[k].key));
    for (size_t i = 0; i < s->grids[k].n; i++)
      json_array_append_new(vals, json_string(s->grids[k].values[i]));
    json_object_set_new(g, "values", vals);
    json_array_append_new(grids, g);
  }
  json_object_set_new(o, "grids", grids);
  json_object_set_new(o, "points", json_integer((json_int_t)s->npoints));
  json_object_set_new(o, "shards", json_integer(s->shard_n));
  json_object_set_new(o, "base", phsim_config_to_json(&s->base));
  json_object_set_new(o, "given", phsim_config_given_to_json(&s->base));
  phsim_provenance p;
  if (phsim_provenance_init(&p, s->argc, s->argv, 1) == PHSIM_OK)
    json_object_set_new(o, "provenance", phsim_provenance_json(&p));
  phsim_provenance_free(&p);
  return o;
}

/* A JSON string without a NUL inside, or NULL. */
static const char *plain_string(json_t *v) {
  const char *p = json_string_value(v);
  return p != NULL && strlen(p) == json_string_length(v) ? p : NULL;
}

static int meta_error(const char *name, const char *what, char err[PHSIM_ERR_MAX]) {
  snprintf(err, PHSIM_ERR_MAX, "'%.300s': %.200s", name, what);
  return PHSIM_EINPUT;
}

/* Grid k from {"key": ..., "values": [...]}. */
static int parse_grid(json_t *g, size_t k, const char *name, phsim_sweep *s,
                      char err[PHSIM_ERR_MAX]) {
  json_t *vals = json_object_get(g, "values");
  const char *key = plain_string(json_object_get(g, "key"));
  size_t n = json_array_size(vals);
  if (!json_is_object(g) || key == NULL || !json_is_array(vals) || n < 1 ||
      n > PHSIM_MAX_GRID_VALUES)
    return meta_error(name, "key 'grids': each grid must be {\"key\": text, \"values\": "
                      "[1 to 10000 texts]}", err);
  const char **v = malloc(n * sizeof *v);
  if (v == NULL) return PHSIM_ENOMEM;
  int st = PHSIM_OK;
  for (size_t i = 0; i < n && st == PHSIM_OK; i++)
    if ((v[i] = plain_string(json_array_get(vals, i))) == NULL)
      st = meta_error(name, "key 'grids': a value that is not text", err);
  char msg[PHSIM_ERR_MAX];
  if (st == PHSIM_OK) {
    st = phsim_grid_set(&s->grids[k], key, v, n, &s->base, msg);
    if (st != PHSIM_OK) snprintf(err, PHSIM_ERR_MAX, "'%.200s': grid %zu: %.250s", name, k + 1, msg);
  }
  free(v);
  if (st == PHSIM_OK) {
    s->ngrids = k + 1;
    return PHSIM_OK;
  }
  memset(&s->grids[k], 0, sizeof s->grids[k]); /* phsim_grid_set freed its values */
  return st;
}

static int parse_base(json_t *o, const char *name, phsim_sweep *s, char err[PHSIM_ERR_MAX]) {
  char where[PHSIM_PATH_MAX + 32], msg[PHSIM_ERR_MAX];
  snprintf(where, sizeof where, "'%.300s': key 'base'", name);
  int st = phsim_config_from_json(json_object_get(o, "base"), where, &s->base, err);
  /* the keys the sweep was given (written since issue 8; without it every
   * key counts as given, as before) */
  json_t *given = json_object_get(o, "given");
  snprintf(where, sizeof where, "'%.300s': key 'given'", name);
  if (st == PHSIM_OK && given != NULL) st = phsim_config_given_from_json(given, where, &s->base, err);
  snprintf(where, sizeof where, "'%.300s': key 'base'", name);
  if (st == PHSIM_OK && phsim_config_check(&s->base, msg) != PHSIM_OK) {
    snprintf(err, PHSIM_ERR_MAX, "%.200s: %.300s", where, msg);
    st = PHSIM_EINPUT;
  }
  return st;
}

int phsim_sweep_meta_parse(json_t *o, const char *name, phsim_sweep *s,
                           char err[PHSIM_ERR_MAX]) {
  memset(s, 0, sizeof *s);
  s->jobs = 1;
  if (!json_is_object(o)) return meta_error(name, "expected a JSON object (a sweep's metadata)", err);
  int st = parse_base(o, name, s, err);
  json_t *grids = json_object_get(o, "grids");
  size_t ng = json_array_size(grids);
  if (st == PHSIM_OK && (!json_is_array(grids) || ng < 1 || ng > PHSIM_MAX_GRIDS))
    st = meta_error(name, "key 'grids': expected an array of 1 to 8 grids", err);
  for (size_t k = 0; k < ng && st == PHSIM_OK; k++)
    st = parse_grid(json_array_get(grids, k), k, name, s, err);
  char msg[PHSIM_ERR_MAX];
  if (st == PHSIM_OK && phsim_sweep_check_grids(s, msg) != PHSIM_OK)
    st = meta_error(name, msg, err);
  json_t *points = json_object_get(o, "points"), *shards = json_object_get(o, "shards");
  if (st == PHSIM_OK && (!json_is_integer(points) || json_integer_value(points) < 0 ||
                         (size_t)json_integer_value(points) != s->npoints)) {
    snprintf(msg, sizeof msg, "key 'points': expected %zu, the product of the grid sizes", s->npoints);
    st = meta_error(name, msg, err);
  }
  if (st == PHSIM_OK && (!json_is_integer(shards) || json_integer_value(shards) < 1 ||
                         json_integer_value(shards) > PHSIM_MAX_SHARDS))
    st = meta_error(name, "key 'shards': expected an integer from 1 to 10000", err);
  if (st == PHSIM_OK) s->shard_n = (unsigned)json_integer_value(shards);
  if (st != PHSIM_OK) phsim_sweep_free(s);
  return st;
}

int phsim_sweep_meta_read(const char *dir, phsim_sweep *s,
                          char err[PHSIM_ERR_MAX]) {
  char path[PHSIM_PATH_MAX + 32];
  memset(s, 0, sizeof *s);
  if (snprintf(path, sizeof path, "%s/sweep.json", dir) >= (int)sizeof path) {
    snprintf(err, PHSIM_ERR_MAX, "directory '%.300s...' is too long", dir);
    return PHSIM_EINPUT;
  }
  json_t *o = phsim_json_load_checked(path, PHSIM_SUMMARY_MAX_BYTES, err);
  if (o == NULL) return PHSIM_EINPUT;
  int st = phsim_sweep_meta_parse(o, path, s, err);
  json_decref(o);
  s->out = dir;
  return st;
}

void phsim_config_difference(const phsim_config *a, const phsim_config *b,
                             char *out, size_t n) {
  json_t *ja = phsim_config_to_json(a), *jb = phsim_config_to_json(b);
  const char *key;
  json_t *va;
  out[0] = '\0';
  json_object_foreach(ja, key, va) {
    json_t *vb = json_object_get(jb, key);
    if (json_equal(va, vb)) continue;
    char *ta = json_dumps(va, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    char *tb = json_dumps(vb, JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
    snprintf(out, n, "key '%s' is %.100s there and %.100s here", key, ta ? ta : "?", tb ? tb : "?");
    free(ta);
    free(tb);
    break;
  }
  json_decref(ja);
  json_decref(jb);
}

int phsim_sweep_same(const phsim_sweep *a, const phsim_sweep *b, char *why,
                     size_t n) {
  phsim_config_difference(&a->base, &b->base, why, n);
  if (why[0] != '\0') return 0;
  if (a->ngrids != b->ngrids) {
    snprintf(why, n, "it has %zu grids, this sweep %zu", a->ngrids, b->ngrids);
    return 0;
  }
  for (size_t k = 0; k < a->ngrids; k++) {
    int same = strcmp(a->grids[k].key, b->grids[k].key) == 0 && a->grids[k].n == b->grids[k].n;
    for (size_t i = 0; same && i < a->grids[k].n; i++)
      same = strcmp(a->grids[k].values[i], b->grids[k].values[i]) == 0;
    if (!same) {
      snprintf(why, n, "its grid %zu is '%s' with %zu values, this sweep's '%s' with %zu "
               "(or the values differ)", k + 1, a->grids[k].key, a->grids[k].n,
               b->grids[k].key, b->grids[k].n);
      return 0;
    }
  }
  if (a->shard_n != b->shard_n) {
    snprintf(why, n, "it is split into %u shards, this sweep into %u", a->shard_n, b->shard_n);
    return 0;
  }
  return 1;
}

/* ---- the tables ------------------------------------------------------- */

enum { COL_INDEX, COL_GRID, COL_STATUS, COL_NUMBER, COL_TEXT };

static char column_kind(const phsim_sweep *s, size_t c, const char *name) {
  if (c == 0) return COL_INDEX;
  if (c <= s->ngrids) return COL_GRID;
  if (strcmp(name, "status") == 0) return COL_STATUS;
  /* the summary module's table says which columns are numbers */
  return phsim_summary_column_numeric(name) ? COL_NUMBER : COL_TEXT;
}

/* The header must be the one phsim writes for s. */
static int check_header(phsim_sweep_table *t, char err[PHSIM_ERR_MAX]) {
  char *want = NULL;
  size_t len = 0;
  FILE *m = open_memstream(&want, &len);
  if (m == NULL) return PHSIM_ENOMEM;
  phsim_sweep_csv_header(m, t->s);
  if (fclose(m) != 0 || want == NULL) return PHSIM_ENOMEM;
  want[strcspn(want, "\n")] = '\0';
  size_t c = 0;
  int st = PHSIM_OK;
  for (char *save = NULL, *tok = strtok_r(want, ",", &save); tok && st == PHSIM_OK;
       tok = strtok_r(NULL, ",", &save), c++)
    if (c >= t->csv.ncols || strcmp(tok, t->csv.header[c]) != 0) {
      snprintf(err, PHSIM_ERR_MAX, "'%.250s' line 1: column %zu is '%.60s'; expected '%.60s' "
               "(the header sweep.json implies)", t->csv.name, c + 1,
               c < t->csv.ncols ? t->csv.header[c] : "(none)", tok);
      st = PHSIM_EINPUT;
    }
  if (st == PHSIM_OK && c != t->csv.ncols) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s' line 1: %zu columns; expected %zu (the header "
             "sweep.json implies)", t->csv.name, t->csv.ncols, c);
    st = PHSIM_EINPUT;
  }
  free(want);
  if (st != PHSIM_OK) return st;
  t->kind = malloc(t->csv.ncols);
  if (t->kind == NULL) return PHSIM_ENOMEM;
  for (size_t i = 0; i < t->csv.ncols; i++) t->kind[i] = column_kind(t->s, i, t->csv.header[i]);
  return PHSIM_OK;
}

int phsim_sweep_table_open_stream(phsim_sweep_table *t, FILE *fp,
                                  const char *name, const phsim_sweep *s,
                                  unsigned shard_i, unsigned shard_n,
                                  char err[PHSIM_ERR_MAX]) {
  memset(t, 0, sizeof *t);
  t->s = s;
  t->shard_i = shard_i;
  t->shard_n = shard_n;
  t->next_min = shard_i - 1;
  int st = phsim_csv_open_stream(&t->csv, fp, name, err);
  if (st == PHSIM_OK && (st = check_header(t, err)) != PHSIM_OK) phsim_sweep_table_close(t);
  return st;
}

int phsim_sweep_table_open(phsim_sweep_table *t, const char *path,
                           const phsim_sweep *s, unsigned shard_i,
                           unsigned shard_n, char err[PHSIM_ERR_MAX]) {
  memset(t, 0, sizeof *t);
  t->s = s;
  t->shard_i = shard_i;
  t->shard_n = shard_n;
  t->next_min = shard_i - 1;
  int st = phsim_csv_open(&t->csv, path, err);
  if (st == PHSIM_OK && (st = check_header(t, err)) != PHSIM_OK) phsim_sweep_table_close(t);
  return st;
}

static int row_error(const phsim_sweep_table *t, size_t c, const char *expected,
                     char err[PHSIM_ERR_MAX]) {
  snprintf(err, PHSIM_ERR_MAX, "'%.200s' line %zu: column '%.40s' holds '%.40s'; expected %.150s",
           t->csv.name, t->csv.lineno, t->csv.header[c], t->csv.field[c], expected);
  return -1;
}

static int check_index(phsim_sweep_table *t, char err[PHSIM_ERR_MAX]) {
  const char *f = t->csv.field[0];
  char want[160];
  snprintf(want, sizeof want, "an index from %zu to %zu%s, increasing", t->next_min,
           t->s->npoints ? t->s->npoints - 1 : 0, t->shard_n > 1 ? " in this shard" : "");
  size_t len = strlen(f);
  if (len == 0 || len > 12 || strspn(f, "0123456789") != len) return row_error(t, 0, want, err);
  size_t idx = (size_t)strtoull(f, NULL, 10);
  if (idx >= t->s->npoints || idx < t->next_min || idx % t->shard_n != t->shard_i - 1)
    return row_error(t, 0, want, err);
  t->index = idx;
  t->next_min = idx + 1;
  return 1;
}

int phsim_sweep_table_next(phsim_sweep_table *t, char err[PHSIM_ERR_MAX]) {
  int got = phsim_csv_next(&t->csv, err);
  if (got != 1) return got;
  if (check_index(t, err) < 0) return -1;
  for (size_t c = 1; c < t->csv.ncols; c++) {
    const char *f = t->csv.field[c];
    double x;
    switch (t->kind[c]) {
    case COL_GRID: {
      const phsim_grid *g = &t->s->grids[c - 1];
      const char *v = g->values[phsim_sweep_value_index(t->s, t->index, c - 1)];
      if (strcmp(f, v) != 0) {
        char want[PHSIM_ERR_MAX];
        snprintf(want, sizeof want, "'%.60s', the value of point %zu in sweep.json", v, t->index);
        return row_error(t, c, want, err);
      }
      break;
    }
    case COL_STATUS:
      if (strcmp(f, "ok") != 0 && strcmp(f, "diverged") != 0 && strcmp(f, "interrupted") != 0)
        return row_error(t, c, "ok, diverged or interrupted", err);
      break;
    case COL_NUMBER:
      if (*f != '\0' && !phsim_csv_number(f, &x)) return row_error(t, c, "a number or nothing", err);
      break;
    default:
      break;
    }
  }
  return 1;
}

void phsim_sweep_table_close(phsim_sweep_table *t) {
  phsim_csv_close(&t->csv);
  free(t->kind);
  t->kind = NULL;
}

/* ---- merge ------------------------------------------------------------ */

#define MERGE_MAX_BYTES (1L << 30)

/* Rows of shard i (1-based) of s into rows[idx]; *bytes counts what is
 * held. */
static int merge_shard(const phsim_sweep *s, const char *dir, unsigned i,
                       char **rows, size_t *bytes, char err[PHSIM_ERR_MAX]) {
  char path[PHSIM_PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/sweep-shard-%u-of-%u.csv", dir, i, s->shard_n);
  phsim_sweep_table t;
  int st = phsim_sweep_table_open(&t, path, s, i, s->shard_n, err);
  if (st != PHSIM_OK) {
    if (strstr(err, "cannot open") != NULL)
      snprintf(err, PHSIM_ERR_MAX, "shard %u of %u is missing: cannot open '%.300s'", i, s->shard_n, path);
    return st;
  }
  int got;
  while (st == PHSIM_OK && (got = phsim_sweep_table_next(&t, err)) == 1) {
    if (phsim_interrupted()) {
      snprintf(err, PHSIM_ERR_MAX, "interrupted by %s; nothing written", phsim_interrupt_cause());
      st = PHSIM_EINTR;
      break;
    }
    long sc = phsim_csv_col(&t.csv, "status");
    if (sc >= 0 && strcmp(t.csv.field[sc], "interrupted") == 0) {
      snprintf(err, PHSIM_ERR_MAX, "'%.300s' line %zu: point %zu was interrupted; finish it with "
               "'phsim sweep ... --shard %u/%u --resume'", path, t.csv.lineno, t.index, i, s->shard_n);
      st = PHSIM_EINPUT;
      break;
    }
    size_t len = 0;
    for (size_t c = 0; c < t.csv.ncols; c++) len += strlen(t.csv.field[c]) + 1;
    *bytes += len + 1;
    if (*bytes > MERGE_MAX_BYTES || (rows[t.index] = malloc(len + 1)) == NULL) {
      snprintf(err, PHSIM_ERR_MAX, "the shards of '%.300s' hold more than %ld bytes; allowed: "
               "less (merge holds them in memory)", dir, MERGE_MAX_BYTES);
      st = PHSIM_EINPUT;
      break;
    }
    char *p = rows[t.index];
    for (size_t c = 0; c < t.csv.ncols; c++)
      p += sprintf(p, "%s%s", c ? "," : "", t.csv.field[c]);
  }
  if (st == PHSIM_OK && got < 0) st = PHSIM_EINPUT;
  phsim_sweep_table_close(&t);
  return st;
}

static int merge_write(const phsim_sweep *s, const char *dir, char **rows,
                       char err[PHSIM_ERR_MAX]) {
  for (size_t idx = 0; idx < s->npoints; idx++)
    if (rows[idx] == NULL) {
      snprintf(err, PHSIM_ERR_MAX, "point %zu is in no shard's CSV (shard %zu of %u did not finish?)",
               idx, idx % s->shard_n + 1, s->shard_n);
      return PHSIM_EINPUT;
    }
  phsim_outfile f;
  int st = phsim_outfile_open(&f, dir, "sweep.csv", err);
  if (st != PHSIM_OK) return st;
  phsim_sweep_csv_header(f.fp, s);
  for (size_t idx = 0; idx < s->npoints; idx++) fprintf(f.fp, "%s\n", rows[idx]);
  return phsim_outfile_commit(&f, err);
}

int phsim_sweep_merge(const char *dir, char err[PHSIM_ERR_MAX]) {
  phsim_sweep s;
  int st = phsim_sweep_meta_read(dir, &s, err);
  if (st != PHSIM_OK) return st;
  if (s.shard_n < 2) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s/sweep.json' says the sweep was not split into shards "
             "(shards = 1): its sweep.csv is already whole", dir);
    phsim_sweep_free(&s);
    return PHSIM_EINPUT;
  }
  char **rows = calloc(s.npoints, sizeof *rows);
  size_t bytes = 0;
  if (rows == NULL) st = PHSIM_ENOMEM;
  for (unsigned i = 1; i <= s.shard_n && st == PHSIM_OK; i++)
    st = merge_shard(&s, dir, i, rows, &bytes, err);
  if (st == PHSIM_OK) st = merge_write(&s, dir, rows, err);
  for (size_t idx = 0; rows && idx < s.npoints; idx++) free(rows[idx]);
  free(rows);
  phsim_sweep_free(&s);
  return st;
}
