/* phsim_csv.h: a streaming reader of CSV tables that trusts nothing.
 *
 * phsim writes its tables (trajectory.csv, sweep.csv, shard CSVs) without
 * quoting, one header line of unique non-empty names, then rows of exactly
 * as many comma-separated fields.  The reader holds any input to that:
 *   - a line is at most PHSIM_CSV_MAX_LINE bytes and PHSIM_CSV_MAX_FIELDS
 *     fields, holds no NUL byte and ends with a newline (a last line
 *     without one is a file cut mid-line); a '\r' before the newline is
 *     dropped;
 *   - every row has as many fields as the header.
 * Memory is bounded by one line whatever the input.  Errors name the file,
 * the line and what was expected (PHSIM_EINPUT). */
#ifndef PHSIM_CSV_H
#define PHSIM_CSV_H

#include <stdio.h>

#include "phsim_config.h"

#define PHSIM_CSV_MAX_LINE (1 << 20)
#define PHSIM_CSV_MAX_FIELDS 65536

typedef struct {
  FILE *fp;
  int own;                 /* close fp at the end */
  char name[PHSIM_PATH_MAX + 64];
  size_t lineno;           /* of the row in field[] */
  char *line;              /* the current line, split in place */
  size_t cap;              /* bytes of line */
  char **field;            /* its ncols fields */
  size_t fcap;             /* entries of field */
  char *hline;             /* the header, split in place */
  char **header;
  size_t ncols;
} phsim_csv;

/* Open path and read its header.  PHSIM_OK or PHSIM_EINPUT (nothing to
 * close then). */
int phsim_csv_open(phsim_csv *c, const char *path, char err[PHSIM_ERR_MAX]);
/* The same on an open stream (not closed by phsim_csv_close); name is used
 * in messages. */
int phsim_csv_open_stream(phsim_csv *c, FILE *fp, const char *name,
                          char err[PHSIM_ERR_MAX]);

/* The next row into c->field: 1 a row, 0 the end, -1 an error in err. */
int phsim_csv_next(phsim_csv *c, char err[PHSIM_ERR_MAX]);

/* Index of the column called name, or -1. */
long phsim_csv_col(const phsim_csv *c, const char *name);

void phsim_csv_close(phsim_csv *c);

/* Parse a whole field as a finite double (1) or not (0). */
int phsim_csv_number(const char *field, double *out);

#endif
