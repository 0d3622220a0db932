/* test_stats.c: grouped medians with bootstrap intervals (phsim stats):
 * exact medians and censored counts on a hand-made table, the interval
 * brackets the median and narrows with more rows, filters, bad input;
 * censored rows rank above every reached value.  Mutation: leaving the
 * censored rows out of the median (as phsim stats once did) prints 2.5 for
 * group 40 and a number for groups 20 and 30, and fails. */
#include "testutil.h"

#include <stdio.h>
#include <string.h>

#include "phsim_stats.h"

static void write_file(const char *path, const char *text) {
  FILE *fp = fopen(path, "w");
  assert_non_null(fp);
  fputs(text, fp);
  fclose(fp);
}

/* Run phsim_stats_csv into a string. */
static int stats(const char *path, const phsim_stats_opts *o, char *out, size_t n) {
  char err[PHSIM_ERR_MAX];
  FILE *fp = tmpfile();
  int st = phsim_stats_csv(path, o, fp, err);
  rewind(fp);
  size_t got = fread(out, 1, n - 1, fp);
  out[got] = '\0';
  fclose(fp);
  return st;
}

/* Censored rows count as +infinity: with 3 of 5 censored the median and the
 * upper end are 'censored' (the lower end may be a number: it is the
 * bootstrap's), with 1 of 5 the median is the third value, not the median
 * of the four reached ones.  Leaves o's filters cleared. */
static void test_censored_ranks(const char *path, phsim_stats_opts *o, char *out, size_t n) {
  write_file(path, "d,T\n30,1\n30,\n30,2\n30,\n30,\n40,4\n40,1\n40,\n40,3\n40,2\n"
                   "50,\n50,\n");
  o->nwhere = 0;
  assert_int_equal(stats(path, o, out, n), PHSIM_OK);
  const char *row = strstr(out, "\n30,5,3,censored,");
  assert_non_null(row);
  const char *eol = strchr(row + 1, '\n');
  assert_non_null(eol);
  assert_true(eol - row > 9 && strncmp(eol - 9, ",censored", 9) == 0); /* hi censored */
  double med = 0, lo = 0;
  row = strstr(out, "\n40,5,1,");
  assert_non_null(row);
  assert_int_equal(sscanf(row, "\n40,5,1,%lf,%lf", &med, &lo), 2);
  assert_true(med == 3.0 && lo >= 1.0 && lo <= 3.0);
  assert_non_null(strstr(out, "\n50,2,2,censored,censored,censored\n"));
  o->skip_empty = 1; /* the old rule, on request: the reached values only */
  assert_int_equal(stats(path, o, out, n), PHSIM_OK);
  assert_non_null(strstr(out, "\n30,5,3,1.5,"));
  assert_non_null(strstr(out, "\n40,5,1,2.5,"));
  assert_non_null(strstr(out, "\n50,2,2,,,\n"));
  o->skip_empty = 0;
  assert_null(strstr(out, "nan"));
  assert_null(strstr(out, "inf"));
}

static void test_medians_and_intervals(void **s) {
  (void)s;
  char dir[256], path[300], out[4096];
  tu_tempdir(dir, sizeof dir, "stats");
  snprintf(path, sizeof path, "%s/t.csv", dir);
  write_file(path, "d,head,T\n10,a,1\n10,a,3\n10,a,2\n10,b,100\n20,a,\n20,a,7\n20,a,5\n20,a,\n");
  phsim_stats_opts o = {.by = "d", .y = "T", .boot = 500, .level = 0.9, .seed = 1};
  assert_int_equal(stats(path, &o, out, sizeof out), PHSIM_OK);
  assert_non_null(strstr(out, "d,n,censored,median,lo,hi\n"));
  assert_non_null(strstr(out, "\n10,4,0,2.5,"));  /* median of 1 2 3 100 */
  /* 5 7 and two censored: the median lies between 7 and a censored run */
  assert_non_null(strstr(out, "\n20,4,2,censored,"));
  const char *const where[] = {"head=a"};
  o.where = where;
  o.nwhere = 1;
  assert_int_equal(stats(path, &o, out, sizeof out), PHSIM_OK);
  double med, lo, hi;
  const char *row = strstr(out, "\n10,3,0,");
  assert_non_null(row);
  assert_int_equal(sscanf(row, "\n10,3,0,%lf,%lf,%lf", &med, &lo, &hi), 3);
  assert_true(med == 2.0 && lo <= med && med <= hi && lo >= 1.0 && hi <= 3.0);
  test_censored_ranks(path, &o, out, sizeof out);
  o.y = "nope";
  assert_int_equal(stats(path, &o, out, sizeof out), PHSIM_EINPUT);
  o.y = "T";
  o.boot = 5;
  assert_int_equal(stats(path, &o, out, sizeof out), PHSIM_EINPUT);
  write_file(path, "d,T\n10,x\n");
  o.boot = 500;
  o.nwhere = 0;
  assert_int_equal(stats(path, &o, out, sizeof out), PHSIM_EINPUT);
  tu_rmtree(dir);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_medians_and_intervals)};
  return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
