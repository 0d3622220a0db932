/* io.c: matrix files in, complete-or-absent files out. */
#define _XOPEN_SOURCE 700
#include "phsim_io.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Split one line into numbers; returns how many were found (at most cap
 * stored), or -1 with a message when a token is not a finite number. */
static long parse_row(char *line, double *row, size_t cap, const char *path,
                      size_t lineno, char err[PHSIM_ERR_MAX]) {
  long count = 0;
  char *save = NULL;
  for (char *tok = strtok_r(line, " \t\r\n,", &save); tok != NULL;
       tok = strtok_r(NULL, " \t\r\n,", &save)) {
    char *end = NULL;
    errno = 0;
    double x = strtod(tok, &end);
    if (end == tok || *end != '\0' || errno == ERANGE || !isfinite(x)) {
      snprintf(err, PHSIM_ERR_MAX,
               "file '%s' line %zu: '%s' is not a finite number", path, lineno,
               tok);
      return -1;
    }
    if ((size_t)count < cap) row[count] = x;
    count++;
  }
  return count;
}

int phsim_matrix_read(const char *path, size_t rows, size_t cols,
                      gsl_matrix **out, char err[PHSIM_ERR_MAX]) {
  *out = NULL;
  FILE *fp = fopen(path, "r");
  if (fp == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot open file '%s': %s", path,
             strerror(errno));
    return PHSIM_EINPUT;
  }
  /* Only a regular file of plausible size: a device, a pipe or a huge file
   * would block or exhaust memory before any number is read. */
  struct stat st;
  const double limit = 64.0 * (double)rows * (double)cols + 1048576.0;
  if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode) || (double)st.st_size > limit) {
    snprintf(err, PHSIM_ERR_MAX,
             "file '%s': not a regular file of at most %.0f bytes (%zu x %zu "
             "numbers)",
             path, limit, rows, cols);
    fclose(fp);
    return PHSIM_EINPUT;
  }
  int status = phsim_matrix_read_stream(fp, path, rows, cols, out, err);
  fclose(fp);
  return status;
}

int phsim_matrix_read_stream(FILE *fp, const char *path, size_t rows,
                             size_t cols, gsl_matrix **out,
                             char err[PHSIM_ERR_MAX]) {
  *out = NULL;
  gsl_matrix *A = gsl_matrix_alloc(rows, cols);
  char *line = NULL;
  size_t linecap = 0, lineno = 0, row = 0;
  int status = PHSIM_OK;
  ssize_t len;
  while ((len = getline(&line, &linecap, fp)) != -1) {
    lineno++;
    if (memchr(line, '\0', (size_t)len) != NULL) {
      snprintf(err, PHSIM_ERR_MAX, "file '%s' line %zu: a NUL byte; allowed: text", path, lineno);
      status = PHSIM_EINPUT;
      break;
    }
    const char *p = line + strspn(line, " \t\r\n");
    if (*p == '\0' || *p == '#') continue;
    if (row == rows) {
      snprintf(err, PHSIM_ERR_MAX,
               "file '%s' line %zu: more than the expected %zu rows", path,
               lineno, rows);
      status = PHSIM_EINPUT;
      break;
    }
    long found = parse_row(line, gsl_matrix_ptr(A, row, 0), cols, path,
                           lineno, err);
    if (found < 0) {
      status = PHSIM_EINPUT;
      break;
    }
    if ((size_t)found != cols) {
      snprintf(err, PHSIM_ERR_MAX,
               "file '%s' line %zu: expected %zu numbers, found %ld", path,
               lineno, cols, found);
      status = PHSIM_EINPUT;
      break;
    }
    row++;
  }
  if (status == PHSIM_OK && ferror(fp)) {
    snprintf(err, PHSIM_ERR_MAX, "cannot read file '%s'", path);
    status = PHSIM_EINPUT;
  }
  if (status == PHSIM_OK && row != rows) {
    snprintf(err, PHSIM_ERR_MAX,
             "file '%s': expected %zu rows of %zu numbers, found %zu rows",
             path, rows, cols, row);
    status = PHSIM_EINPUT;
  }
  free(line);
  if (status != PHSIM_OK) {
    gsl_matrix_free(A);
    return status;
  }
  *out = A;
  return PHSIM_OK;
}

/* The names of dir/name and its temporary file, relative to at's fd (or
 * to the working directory: at NULL). */
static int outfile_names(phsim_outfile *f, const phsim_at *at, const char *dir,
                         const char *name, char err[PHSIM_ERR_MAX]) {
  const char *rel = at != NULL ? at->name : dir;
  f->fp = NULL;
  f->at = at != NULL ? at->fd : AT_FDCWD;
  int n1 = snprintf(f->final_path, sizeof f->final_path, "%s/%s", dir, name);
  int n2 = snprintf(f->tmp_path, sizeof f->tmp_path, "%s/.%s.tmp.%ld", rel, name,
                    (long)getpid());
  int n3 = snprintf(f->final_rel, sizeof f->final_rel, "%s/%s", rel, name);
  if (n1 < 0 || n2 < 0 || n3 < 0 || (size_t)n1 >= sizeof f->final_path ||
      (size_t)n2 >= sizeof f->tmp_path) {
    snprintf(err, PHSIM_ERR_MAX, "output path '%s/%s' is too long", dir, name);
    return PHSIM_EINPUT;
  }
  return PHSIM_OK;
}

/* The temporary file created (fopen's "w": truncated, mode 0666). */
static int outfile_create(const phsim_outfile *f, const char *dir, char err[PHSIM_ERR_MAX]) {
  int fd = openat(f->at, f->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0)
    snprintf(err, PHSIM_ERR_MAX, "cannot write in directory '%s': %s", dir, strerror(errno));
  return fd;
}

int phsim_outfile_open_at(phsim_outfile *f, const phsim_at *at, const char *dir,
                          const char *name, char err[PHSIM_ERR_MAX]) {
  int st = outfile_names(f, at, dir, name, err);
  if (st != PHSIM_OK) return st;
  int fd = outfile_create(f, dir, err);
  if (fd < 0) return PHSIM_EIO;
  f->fp = fdopen(fd, "w");
  if (f->fp == NULL) {
    snprintf(err, PHSIM_ERR_MAX, "cannot write in directory '%s': %s", dir, strerror(errno));
    close(fd);
    unlinkat(f->at, f->tmp_path, 0);
    return PHSIM_EIO;
  }
  return PHSIM_OK;
}

int phsim_outfile_open(phsim_outfile *f, const char *dir, const char *name,
                       char err[PHSIM_ERR_MAX]) {
  return phsim_outfile_open_at(f, NULL, dir, name, err);
}

/* The temporary file renamed to its final name, or removed. */
static int outfile_rename(const phsim_outfile *f, int bad, char err[PHSIM_ERR_MAX]) {
  if (bad || renameat(f->at, f->tmp_path, f->at, f->final_rel) != 0) {
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s': %s", f->final_path,
             strerror(errno));
    unlinkat(f->at, f->tmp_path, 0);
    return PHSIM_EIO;
  }
  return PHSIM_OK;
}

int phsim_outfile_commit(phsim_outfile *f, char err[PHSIM_ERR_MAX]) {
  int bad = ferror(f->fp);
  if (fclose(f->fp) != 0) bad = 1;
  f->fp = NULL;
  return outfile_rename(f, bad, err);
}

int phsim_file_write_at(const phsim_at *at, const char *dir, const char *name,
                        const char *data, size_t len, char err[PHSIM_ERR_MAX]) {
  phsim_outfile f;
  int st = outfile_names(&f, at, dir, name, err);
  if (st != PHSIM_OK) return st;
  int fd = outfile_create(&f, dir, err), bad = 0;
  if (fd < 0) return PHSIM_EIO;
  for (size_t done = 0; done < len && !bad;) {
    ssize_t w = write(fd, data + done, len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) bad = 1;
    else done += (size_t)w;
  }
  if (close(fd) != 0) bad = 1;
  return outfile_rename(&f, bad, err);
}

void phsim_outfile_abort(phsim_outfile *f) {
  if (f->fp != NULL) fclose(f->fp);
  f->fp = NULL;
  unlinkat(f->at, f->tmp_path, 0);
}

int phsim_mkdir_p(const char *path, char err[PHSIM_ERR_MAX]) {
  char buf[PHSIM_PATH_MAX];
  if (path[0] == '\0' || strlen(path) >= sizeof buf) {
    snprintf(err, PHSIM_ERR_MAX,
             "output directory '%s': must be a non-empty path shorter than "
             "%d characters",
             path, PHSIM_PATH_MAX);
    return PHSIM_EINPUT;
  }
  strcpy(buf, path);
  for (char *p = buf + 1;; p++) {
    int last = (*p == '\0');
    if (*p == '/' || last) {
      *p = '\0';
      if (mkdir(buf, 0777) != 0 && errno != EEXIST) {
        snprintf(err, PHSIM_ERR_MAX, "cannot create directory '%.400s': %s", buf,
                 strerror(errno));
        return PHSIM_EINPUT;
      }
      if (last) break;
      *p = '/';
    }
  }
  struct stat st;
  if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode)) {
    snprintf(err, PHSIM_ERR_MAX, "output path '%s' is not a directory", path);
    return PHSIM_EINPUT;
  }
  if (access(path, W_OK) != 0) {
    snprintf(err, PHSIM_ERR_MAX, "output directory '%s' is not writable",
             path);
    return PHSIM_EINPUT;
  }
  return PHSIM_OK;
}

int phsim_mkdir_at(const phsim_at *at, const char *path, char err[PHSIM_ERR_MAX]) {
  if (at != NULL && mkdirat(at->fd, at->name, 0777) == 0) return PHSIM_OK; /* new: ours */
  return phsim_mkdir_p(path, err); /* there already, or an error: checked and said by path */
}

static int remove_entry(const char *path, const struct stat *sb, int flag,
                        struct FTW *ftw) {
  (void)sb;
  (void)flag;
  (void)ftw;
  return remove(path);
}

int phsim_remove_tree(const char *path) {
  struct stat sb;
  if (lstat(path, &sb) != 0) return errno == ENOENT ? 0 : -1;
  return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- standard output -------------------------------------------------- */

static off_t stdout_start = -1; /* a regular file's size before we wrote */

void phsim_stdout_begin(void) {
  struct stat sb;
  if (fstat(STDOUT_FILENO, &sb) != 0 || !S_ISREG(sb.st_mode)) return;
  int fl = fcntl(STDOUT_FILENO, F_GETFL);
  stdout_start = fl >= 0 && (fl & O_APPEND) ? sb.st_size : lseek(STDOUT_FILENO, 0, SEEK_CUR);
}

/* What standard output is (a file's path), for messages. */
static void stdout_name(char *buf, size_t n) {
  ssize_t got = readlink("/proc/self/fd/1", buf, n - 1);
  if (got <= 0) snprintf(buf, n, "standard output");
  else buf[got] = '\0';
}

int phsim_stdout_end(int status, char err[PHSIM_ERR_MAX]) {
  char name[PHSIM_PATH_MAX];
  stdout_name(name, sizeof name);
  int fd = dup(STDOUT_FILENO), e = 0;
  int bad = fflush(stdout) != 0 || ferror(stdout);
  if (bad) e = errno;
  if (fclose(stdout) != 0 && !bad) {
    bad = 1;
    e = errno;
  }
  if ((bad || status != PHSIM_OK) && stdout_start >= 0 && fd >= 0) {
    struct stat sb;
    if (fstat(fd, &sb) == 0 && sb.st_size > stdout_start && ftruncate(fd, stdout_start) != 0)
      bad = 1;
  }
  if (fd >= 0) close(fd);
  if (!bad) return PHSIM_OK;
  snprintf(err, PHSIM_ERR_MAX, "cannot write standard output ('%.300s'): %s%s", name,
           e ? strerror(e) : "write error",
           stdout_start >= 0 ? "; what was written is removed" : "");
  return PHSIM_EIO;
}

int phsim_json_write_at(json_t *value, const phsim_at *at, const char *dir,
                        const char *name, char err[PHSIM_ERR_MAX]) {
  char *text = json_dumps(value, PHSIM_JSON_FLAGS);
  size_t len = text != NULL ? strlen(text) : 0;
  char *whole = text != NULL ? realloc(text, len + 2) : NULL;
  if (whole == NULL) {
    free(text);
    snprintf(err, PHSIM_ERR_MAX, "cannot write '%s/%s'", dir, name);
    return PHSIM_EIO;
  }
  whole[len] = '\n';
  int st = phsim_file_write_at(at, dir, name, whole, len + 1, err);
  free(whole);
  return st;
}

int phsim_json_write(json_t *value, const char *dir, const char *name,
                     char err[PHSIM_ERR_MAX]) {
  return phsim_json_write_at(value, NULL, dir, name, err);
}
