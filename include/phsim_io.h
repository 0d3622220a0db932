/* phsim_io.h: reading matrix files and writing outputs completely or not at
 * all.
 *
 * Every output goes to a hidden temporary file in the target directory and is
 * renamed over its final name only when it is complete, so a reader never
 * sees a half-written file. */
#ifndef PHSIM_IO_H
#define PHSIM_IO_H

#include <stdio.h>
#include <gsl/gsl_matrix.h>
#include <jansson.h>

#include "phsim_config.h"

/* Read a matrix file: `rows` lines of `cols` finite numbers separated by
 * white space or commas; blank lines and lines starting with '#' are skipped.
 * On success *out is a new rows x cols matrix owned by the caller. */
int phsim_matrix_read(const char *path, size_t rows, size_t cols,
                      gsl_matrix **out, char err[PHSIM_ERR_MAX]);
/* The same from an open stream; path names it in messages. */
int phsim_matrix_read_stream(FILE *fp, const char *path, size_t rows,
                             size_t cols, gsl_matrix **out,
                             char err[PHSIM_ERR_MAX]);

/* An output directory reached through an open parent: name (one path
 * component) in the directory open as fd.  Outputs made through it cost one
 * mkdirat, and per file an openat and a renameat that walk one component
 * (a sweep's runs/NNNNNN under its runs/ opened once).  NULL where a
 * function takes one: the directory is reached by its path. */
typedef struct {
  int fd;
  const char *name;
} phsim_at;

/* An output file under construction. */
typedef struct {
  FILE *fp;
  int at;                               /* AT_FDCWD, or the phsim_at's fd */
  char tmp_path[PHSIM_PATH_MAX + 64];   /* relative to at */
  char final_rel[PHSIM_PATH_MAX + 64];  /* relative to at */
  char final_path[PHSIM_PATH_MAX + 64]; /* dir/name, for messages */
} phsim_outfile;

/* Open dir/name for writing through a temporary name. */
int phsim_outfile_open(phsim_outfile *f, const char *dir, const char *name,
                       char err[PHSIM_ERR_MAX]);
/* The same in the directory at reaches (dir: its path, for messages). */
int phsim_outfile_open_at(phsim_outfile *f, const phsim_at *at, const char *dir,
                          const char *name, char err[PHSIM_ERR_MAX]);
/* dir/name written whole (len bytes of data): a temporary file by one
 * openat, write and close, renamed over the final name; nothing on error. */
int phsim_file_write_at(const phsim_at *at, const char *dir, const char *name,
                        const char *data, size_t len, char err[PHSIM_ERR_MAX]);
/* Flush, close and rename to the final name. */
int phsim_outfile_commit(phsim_outfile *f, char err[PHSIM_ERR_MAX]);
/* Close and delete the temporary file (nothing is left behind). */
void phsim_outfile_abort(phsim_outfile *f);

/* How phsim writes JSON: indented, reals with 17 significant digits. */
#define PHSIM_JSON_FLAGS (JSON_INDENT(2) | JSON_REAL_PRECISION(17))

/* Dump a JSON value to dir/name atomically, indented, reals as %.17g. */
int phsim_json_write(json_t *value, const char *dir, const char *name,
                     char err[PHSIM_ERR_MAX]);
int phsim_json_write_at(json_t *value, const phsim_at *at, const char *dir,
                        const char *name, char err[PHSIM_ERR_MAX]);

/* rm -rf path (no shell; symbolic links are removed, not followed).  0 on
 * success or when path does not exist. */
int phsim_remove_tree(const char *path);

/* Create a directory and its missing parents; an existing one is fine. */
int phsim_mkdir_p(const char *path, char err[PHSIM_ERR_MAX]);
/* The same for the directory at reaches (path: its path): one mkdirat when
 * it is new, else phsim_mkdir_p's checks. */
int phsim_mkdir_at(const phsim_at *at, const char *path, char err[PHSIM_ERR_MAX]);

/* Standard output checked like any file.  begin (first thing in main)
 * records where a regular file stood; end flushes and closes stdout and,
 * when a write failed (a full disk, /dev/full) or the command failed
 * (status != PHSIM_OK), cuts a regular file back to where it stood, so that
 * nothing half-written is left.  PHSIM_EIO with a message naming the file
 * when a write failed. */
void phsim_stdout_begin(void);
int phsim_stdout_end(int status, char err[PHSIM_ERR_MAX]);

#endif
