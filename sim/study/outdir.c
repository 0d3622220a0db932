/* outdir.c: locks, ownership and leftovers of output directories. */
#define _XOPEN_SOURCE 700
#define _DEFAULT_SOURCE
#include "phsim_outdir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "phsim_io.h"
#include "phsim_run.h"
#include "phsim_sweepio.h"

static int has(const char *dir, const char *name) {
  char path[PHSIM_PATH_MAX + 64];
  struct stat sb;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return lstat(path, &sb) == 0;
}

static int take_lock(const char *dir, const char *name, int how, int *fd,
                     char err[PHSIM_ERR_MAX]) {
  char path[PHSIM_PATH_MAX + 64];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  int f = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (f < 0) {
    snprintf(err, PHSIM_ERR_MAX, "cannot create the lock file '%.400s': %s", path, strerror(errno));
    return PHSIM_EIO;
  }
  if (flock(f, how | LOCK_NB) != 0) {
    int e = errno;
    close(f);
    if (e == EWOULDBLOCK) {
      snprintf(err, PHSIM_ERR_MAX, "'%.300s' is in use by another phsim process (it holds '%s'); "
               "allowed: one writer at a time, or the shards of one sweep", dir, name);
      return PHSIM_EINPUT;
    }
    snprintf(err, PHSIM_ERR_MAX, "cannot lock '%.400s': %s", path, strerror(e));
    return PHSIM_EIO;
  }
  *fd = f;
  return PHSIM_OK;
}

void phsim_outdir_release(phsim_outdir *o) {
  if (o->shard_fd >= 0) close(o->shard_fd);
  if (o->fd >= 0) close(o->fd);
  o->fd = o->shard_fd = -1;
}

int phsim_outdir_lock(phsim_outdir *o, const char *dir, char err[PHSIM_ERR_MAX]) {
  o->fd = o->shard_fd = -1;
  if (has(dir, ".phsim.lock") || !has(dir, "."))
    return take_lock(dir, ".phsim.lock", LOCK_EX, &o->fd, err);
  /* A directory no phsim of this version wrote into: lock the directory
   * itself rather than add a file to it. */
  int f = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (f < 0) {
    snprintf(err, PHSIM_ERR_MAX, "cannot open directory '%.400s': %s", dir, strerror(errno));
    return PHSIM_EINPUT;
  }
  if (flock(f, LOCK_EX | LOCK_NB) != 0) {
    close(f);
    snprintf(err, PHSIM_ERR_MAX, "'%.300s' is in use by another phsim process; allowed: one "
             "writer at a time", dir);
    return PHSIM_EINPUT;
  }
  o->fd = f;
  return PHSIM_OK;
}

/* ".NAME.tmp.PID" */
static int is_tmp_name(const char *name) {
  const char *t = strstr(name, ".tmp.");
  if (name[0] != '.' || t == NULL) return 0;
  const char *pid = t + 5;
  return *pid != '\0' && strspn(pid, "0123456789") == strlen(pid);
}

void phsim_outdir_clean_tmp(const char *dir, const char *prefix) {
  DIR *d = opendir(dir);
  if (d == NULL) return;
  for (struct dirent *e; (e = readdir(d)) != NULL;) {
    if (!is_tmp_name(e->d_name) || strncmp(e->d_name, prefix, strlen(prefix)) != 0) continue;
    char path[PHSIM_PATH_MAX + 300];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    unlink(path);
  }
  closedir(d);
}

static int is_shard_csv(const char *name) {
  size_t n = strlen(name);
  return strncmp(name, "sweep-shard-", 12) == 0 && n > 16 && strcmp(name + n - 4, ".csv") == 0;
}

static int has_shard_csv(const char *dir) {
  DIR *d = opendir(dir);
  int found = 0;
  for (struct dirent *e; d != NULL && !found && (e = readdir(d)) != NULL;) found = is_shard_csv(e->d_name);
  if (d != NULL) closedir(d);
  return found;
}

/* --force: the files phsim writes at the top of dir go (a sweep's runs/:
 * remove_runs). */
static void remove_outputs(const char *dir) {
  static const char *const names[] = {"config", "trajectory.csv", "summary.json", "run.png",
                                      "run.pdf", "sweep.json", "sweep.csv"};
  char path[PHSIM_PATH_MAX + 300];
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    snprintf(path, sizeof path, "%s/%s", dir, names[i]);
    unlink(path);
  }
  DIR *d = opendir(dir);
  for (struct dirent *e; d != NULL && (e = readdir(d)) != NULL;)
    if (is_shard_csv(e->d_name)) {
      snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
      unlink(path);
    }
  if (d != NULL) closedir(d);
  snprintf(path, sizeof path, "%s/plots", dir);
  phsim_remove_tree(path);
}

/* --force on a sweep: the former sweep's runs go too (under the exclusive
 * lock).  Kept, a run directory of another configuration would stay where
 * this sweep writes no file of its own (a trajectory.csv it does not keep,
 * a run past its last index), and phsim plot would read it as this
 * sweep's. */
static void remove_runs(const char *dir) {
  char path[PHSIM_PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/runs", dir);
  phsim_remove_tree(path);
}

static int holds_run(const char *dir) {
  return has(dir, "config") || has(dir, "summary.json") || has(dir, "trajectory.csv");
}

static int refuse(const char *dir, const char *what, char err[PHSIM_ERR_MAX]) {
  snprintf(err, PHSIM_ERR_MAX, "'%.200s' %.220s; allowed: a new directory, the same "
           "configuration, or --force to replace it", dir, what);
  return PHSIM_EINPUT;
}

static int check_run_dir(const char *dir, const phsim_config *cfg, char err[PHSIM_ERR_MAX]) {
  if (has(dir, "sweep.json") || has(dir, "runs"))
    return refuse(dir, "holds a sweep (sweep.json, runs/)", err);
  if (!holds_run(dir)) return PHSIM_OK;
  char path[PHSIM_PATH_MAX + 16], msg[PHSIM_ERR_MAX], what[PHSIM_ERR_MAX];
  snprintf(path, sizeof path, "%s/config", dir);
  phsim_config prev;
  phsim_config_default(&prev);
  if (!has(dir, "config")) return refuse(dir, "holds the outputs of a run without its config", err);
  if (phsim_config_read_file(&prev, path, msg) != PHSIM_OK) {
    snprintf(what, sizeof what, "holds a run whose config cannot be read back (%.150s)", msg);
    return refuse(dir, what, err);
  }
  phsim_config_difference(&prev, cfg, msg, sizeof msg);
  if (msg[0] == '\0') return PHSIM_OK;
  snprintf(what, sizeof what, "holds a run of another configuration (%.150s)", msg);
  return refuse(dir, what, err);
}

int phsim_outdir_claim_run(phsim_outdir *o, const char *dir,
                           const phsim_config *cfg, int force,
                           char err[PHSIM_ERR_MAX]) {
  o->fd = o->shard_fd = -1;
  /* refused before anything is created in it, then again under the lock */
  int st = !force && has(dir, ".") ? check_run_dir(dir, cfg, err) : PHSIM_OK;
  if (st == PHSIM_OK) st = phsim_mkdir_p(dir, err);
  if (st == PHSIM_OK) st = take_lock(dir, ".phsim.lock", LOCK_EX, &o->fd, err);
  if (st == PHSIM_OK && !force) st = check_run_dir(dir, cfg, err);
  if (st == PHSIM_OK && force) remove_outputs(dir);
  if (st == PHSIM_OK) phsim_outdir_clean_tmp(dir, "");
  if (st != PHSIM_OK) phsim_outdir_release(o);
  return st;
}

/* ---- sweeps ----------------------------------------------------------- */

static int check_sweep_dir(const phsim_sweep *s, char err[PHSIM_ERR_MAX]) {
  const char *dir = s->out;
  char msg[PHSIM_ERR_MAX], what[PHSIM_ERR_MAX];
  if (holds_run(dir)) return refuse(dir, "holds a run (config, summary.json, trajectory.csv)", err);
  if (!has(dir, "sweep.json")) {
    if (has(dir, "runs") || has(dir, "sweep.csv") || has_shard_csv(dir))
      return refuse(dir, "holds sweep outputs (runs/, sweep CSVs) without their sweep.json", err);
    return PHSIM_OK;
  }
  phsim_sweep prev;
  if (phsim_sweep_meta_read(dir, &prev, msg) != PHSIM_OK) {
    snprintf(what, sizeof what, "holds a sweep.json phsim cannot read back (%.150s)", msg);
    return refuse(dir, what, err);
  }
  int same = phsim_sweep_same(&prev, s, msg, sizeof msg);
  phsim_sweep_free(&prev);
  if (same) return PHSIM_OK;
  snprintf(what, sizeof what, "holds another sweep: %.160s", msg);
  return refuse(dir, what, err);
}

/* sweep.json written only if absent (link(2) of a complete temporary
 * file): of shards starting together one writes it, the others compare. */
static int create_meta(const phsim_sweep *s, char err[PHSIM_ERR_MAX]) {
  json_t *o = phsim_sweep_meta_json(s);
  phsim_outfile f;
  int st = phsim_outfile_open(&f, s->out, "sweep.json", err);
  if (st == PHSIM_OK) {
    int bad = json_dumpf(o, f.fp, JSON_INDENT(2) | JSON_REAL_PRECISION(17)) != 0 ||
              fputc('\n', f.fp) == EOF || ferror(f.fp);
    bad |= fclose(f.fp) != 0;
    f.fp = NULL;
    if (!bad && link(f.tmp_path, f.final_path) != 0 && errno != EEXIST) bad = 1;
    if (bad) {
      snprintf(err, PHSIM_ERR_MAX, "cannot write '%.400s': %s", f.final_path, strerror(errno));
      st = PHSIM_EIO;
    }
    unlink(f.tmp_path);
  }
  json_decref(o);
  return st == PHSIM_OK ? check_sweep_dir(s, err) : st;
}

int phsim_outdir_claim_sweep(phsim_outdir *o, const phsim_sweep *s, int force,
                             char err[PHSIM_ERR_MAX]) {
  o->fd = o->shard_fd = -1;
  const int exclusive = force || s->shard_n == 1;
  char shard[80];
  snprintf(shard, sizeof shard, ".phsim-shard-%u-of-%u.lock", s->shard_i, s->shard_n);
  int st = !force && has(s->out, ".") ? check_sweep_dir(s, err) : PHSIM_OK;
  if (st == PHSIM_OK) st = phsim_mkdir_p(s->out, err);
  if (st == PHSIM_OK) st = take_lock(s->out, ".phsim.lock", exclusive ? LOCK_EX : LOCK_SH, &o->fd, err);
  if (st == PHSIM_OK && !force) st = check_sweep_dir(s, err);
  if (st == PHSIM_OK && !exclusive) st = take_lock(s->out, shard, LOCK_EX, &o->shard_fd, err);
  if (st == PHSIM_OK && force) {
    remove_outputs(s->out);
    remove_runs(s->out);
    json_t *m = phsim_sweep_meta_json(s);
    st = phsim_json_write(m, s->out, "sweep.json", err);
    json_decref(m);
  } else if (st == PHSIM_OK && !has(s->out, "sweep.json")) {
    st = create_meta(s, err);
  }
  if (st == PHSIM_OK) {
    char prefix[96];
    snprintf(prefix, sizeof prefix, ".sweep-shard-%u-of-%u.csv.tmp.", s->shard_i, s->shard_n);
    phsim_outdir_clean_tmp(s->out, exclusive ? "" : prefix);
  }
  if (st != PHSIM_OK) phsim_outdir_release(o);
  return st;
}
