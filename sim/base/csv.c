/* csv.c: bounded, validating CSV rows. */
#define _POSIX_C_SOURCE 200809L
#include "phsim_csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

enum { LINE_OK = 1, LINE_EOF = 0, LINE_BAD = -1 };

/* One line into c->line (without its newline and a '\r' before it). */
static int read_line(phsim_csv *c, size_t *len, char err[PHSIM_ERR_MAX]) {
  size_t n = 0;
  int ch;
  const size_t lineno = c->lineno + 1;
  while ((ch = getc_unlocked(c->fp)) != EOF && ch != '\n') {
    if (n + 2 > c->cap && n < PHSIM_CSV_MAX_LINE) { /* grow up to the bound */
      size_t cap = c->cap * 2 > PHSIM_CSV_MAX_LINE + 2 ? PHSIM_CSV_MAX_LINE + 2 : c->cap * 2;
      char *bigger = realloc(c->line, cap);
      if (bigger == NULL) {
        snprintf(err, PHSIM_ERR_MAX, "out of memory reading '%.300s'", c->name);
        return LINE_BAD;
      }
      c->line = bigger;
      c->cap = cap;
    }
    if (ch == '\0') {
      snprintf(err, PHSIM_ERR_MAX, "'%.300s' line %zu: a NUL byte; allowed: text", c->name, lineno);
      return LINE_BAD;
    }
    if (n == PHSIM_CSV_MAX_LINE) {
      snprintf(err, PHSIM_ERR_MAX, "'%.300s' line %zu: longer than %d bytes", c->name,
               lineno, PHSIM_CSV_MAX_LINE);
      return LINE_BAD;
    }
    c->line[n++] = (char)ch;
  }
  if (ferror(c->fp)) {
    snprintf(err, PHSIM_ERR_MAX, "cannot read '%.300s': %s", c->name, strerror(errno));
    return LINE_BAD;
  }
  if (ch == EOF && n == 0) return LINE_EOF;
  if (ch == EOF) {
    snprintf(err, PHSIM_ERR_MAX,
             "'%.300s' line %zu: cut (no newline at its end: the file was not written completely)",
             c->name, lineno);
    return LINE_BAD;
  }
  if (n > 0 && c->line[n - 1] == '\r') n--;
  c->line[n] = '\0';
  c->lineno = lineno;
  *len = n;
  return LINE_OK;
}

/* Split line in place into at most PHSIM_CSV_MAX_FIELDS fields, growing
 * *field; -1 if more (or no memory). */
static long split(char *line, char ***field, size_t *fcap) {
  long n = 0;
  for (char *p = line;;) {
    if (n == PHSIM_CSV_MAX_FIELDS) return -1;
    if ((size_t)n == *fcap) {
      char **bigger = realloc(*field, 2 * *fcap * sizeof *bigger);
      if (bigger == NULL) return -1;
      *field = bigger;
      *fcap *= 2;
    }
    (*field)[n++] = p;
    char *comma = strchr(p, ',');
    if (comma == NULL) return n;
    *comma = '\0';
    p = comma + 1;
  }
}

static int read_header(phsim_csv *c, char err[PHSIM_ERR_MAX]) {
  size_t len = 0;
  int got = read_line(c, &len, err);
  if (got == LINE_EOF)
    snprintf(err, PHSIM_ERR_MAX, "'%.300s' is empty; expected a header line", c->name);
  if (got != LINE_OK) return PHSIM_EINPUT;
  c->hline = malloc(len + 1);
  if (c->hline == NULL) return PHSIM_ENOMEM;
  memcpy(c->hline, c->line, len + 1);
  size_t hcap = 64;
  c->header = malloc(hcap * sizeof *c->header);
  long n = c->header ? split(c->hline, &c->header, &hcap) : -1;
  if (n < 0) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s' line 1: more than %d columns", c->name,
             PHSIM_CSV_MAX_FIELDS);
    return PHSIM_EINPUT;
  }
  c->ncols = (size_t)n;
  for (size_t i = 0; i < c->ncols; i++) {
    if (c->header[i][0] == '\0') {
      snprintf(err, PHSIM_ERR_MAX, "'%.300s' line 1: column %zu has no name", c->name, i + 1);
      return PHSIM_EINPUT;
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(c->header[i], c->header[j]) == 0) {
        snprintf(err, PHSIM_ERR_MAX, "'%.300s' line 1: column '%.100s' appears twice",
                 c->name, c->header[i]);
        return PHSIM_EINPUT;
      }
  }
  return PHSIM_OK;
}

int phsim_csv_open_stream(phsim_csv *c, FILE *fp, const char *name,
                          char err[PHSIM_ERR_MAX]) {
  memset(c, 0, sizeof *c);
  c->fp = fp;
  snprintf(c->name, sizeof c->name, "%s", name);
  c->cap = 4096;
  c->fcap = 64;
  c->line = malloc(c->cap);
  c->field = malloc(c->fcap * sizeof *c->field);
  int st = PHSIM_ENOMEM;
  if (c->line && c->field) st = read_header(c, err);
  else snprintf(err, PHSIM_ERR_MAX, "out of memory reading '%.300s'", name);
  if (st != PHSIM_OK) {
    c->own = 0;
    phsim_csv_close(c);
  }
  return st;
}

int phsim_csv_open(phsim_csv *c, const char *path, char err[PHSIM_ERR_MAX]) {
  memset(c, 0, sizeof *c);
  FILE *fp = fopen(path, "r");
  if (fp == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot open '%.300s': %s", path, strerror(errno));
    return PHSIM_EINPUT;
  }
  struct stat sb;
  if (fstat(fileno(fp), &sb) == 0 && S_ISDIR(sb.st_mode)) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s' is a directory; expected a CSV file", path);
    fclose(fp);
    return PHSIM_EINPUT;
  }
  int st = phsim_csv_open_stream(c, fp, path, err);
  if (st != PHSIM_OK) fclose(fp);
  else c->own = 1;
  return st;
}

int phsim_csv_next(phsim_csv *c, char err[PHSIM_ERR_MAX]) {
  size_t len = 0;
  int got = read_line(c, &len, err);
  if (got != LINE_OK) return got;
  long n = split(c->line, &c->field, &c->fcap);
  if (n < 0 || (size_t)n != c->ncols) {
    snprintf(err, PHSIM_ERR_MAX, "'%.300s' line %zu: %s%ld fields; expected %zu (as the header)",
             c->name, c->lineno, n < 0 ? "more than " : "",
             n < 0 ? (long)PHSIM_CSV_MAX_FIELDS : n, c->ncols);
    return LINE_BAD;
  }
  return LINE_OK;
}

long phsim_csv_col(const phsim_csv *c, const char *name) {
  for (size_t i = 0; i < c->ncols; i++)
    if (strcmp(c->header[i], name) == 0) return (long)i;
  return -1;
}

void phsim_csv_close(phsim_csv *c) {
  if (c->own && c->fp != NULL) fclose(c->fp);
  free(c->line);
  free(c->hline);
  free(c->field);
  free(c->header);
  memset(c, 0, sizeof *c);
}

int phsim_csv_number(const char *field, double *out) {
  char *end = NULL;
  errno = 0;
  double x = strtod(field, &end);
  if (end == field || *end != '\0' || !isfinite(x)) return 0;
  *out = x;
  return 1;
}
