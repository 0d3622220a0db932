/* table.h: phsim's CSV text (a header line, then rows of numbers) as a
 * JSON object {"columns": [...], "rows": [[...], ...]} whose numbers are
 * the CSV's bytes; an empty field, nan or inf becomes null. */
#ifndef PHSIM_SERVE_TABLE_H
#define PHSIM_SERVE_TABLE_H

#include <stdio.h>

/* Write csv's table as JSON to out; 0, or -1 when csv is not such a table. */
int serve_table_json(const char *csv, FILE *out);

#endif
