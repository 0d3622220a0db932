/* table.c: CSV tables as JSON (table.h). */
#include "table.h"

#include <string.h>

/* Is the field f[0..n) a number JSON can hold as written (%.17g's output
 * or an integer)? */
static int json_number(const char *f, size_t n) {
  size_t i = f[0] == '-' ? 1 : 0;
  if (i == n || f[i] < '0' || f[i] > '9') return 0; /* nan, inf, empty */
  for (; i < n; i++)
    if (strchr("0123456789.eE+-", f[i]) == NULL) return 0;
  return 1;
}

/* The header's names as a JSON array of strings (letters, digits, '_'). */
static int write_columns(const char *line, size_t n, FILE *out) {
  const char *twice = strstr(line, ",,");
  if (n == 0 || line[0] == ',' || line[n - 1] == ',' || (twice != NULL && twice < line + n))
    return -1; /* an empty name */
  fputs("\"columns\": [", out);
  for (size_t i = 0; i < n; i++) {
    char c = line[i];
    if (c == ',') {
      fputs("\", ", out);
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_') {
      if (i == 0 || line[i - 1] == ',') fputc('"', out);
      fputc(c, out);
    } else {
      return -1;
    }
  }
  fputs("\"]", out);
  return 0;
}

/* One row's fields as a JSON array. */
static void write_row(const char *line, size_t n, FILE *out) {
  fputc('[', out);
  for (size_t start = 0; start <= n;) {
    const char *comma = memchr(line + start, ',', n - start);
    size_t end = comma != NULL ? (size_t)(comma - line) : n;
    if (start > 0) fputc(',', out);
    if (json_number(line + start, end - start)) fwrite(line + start, 1, end - start, out);
    else fputs("null", out);
    start = end + 1;
  }
  fputc(']', out);
}

int serve_table_json(const char *csv, FILE *out) {
  const char *nl = strchr(csv, '\n');
  if (nl == NULL) return -1;
  fputc('{', out);
  if (write_columns(csv, (size_t)(nl - csv), out) != 0) return -1;
  fputs(", \"rows\": [", out);
  for (const char *line = nl + 1; *line != '\0';) {
    nl = strchr(line, '\n');
    size_t n = nl != NULL ? (size_t)(nl - line) : strlen(line);
    if (line != strchr(csv, '\n') + 1) fputs(",\n", out);
    write_row(line, n, out);
    line += n + (nl != NULL);
  }
  fputs("]}", out);
  return 0;
}
