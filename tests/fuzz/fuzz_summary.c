/* fuzz_summary.c: libFuzzer harness for the reader of a run's
 * summary.json (phsim_summary_check after jansson), then what table and
 * plot read from a summary that passed. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "phsim_summary.h"

int phsim_fuzz_summary(const uint8_t *data, size_t size) {
  json_t *o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
  if (o == NULL) return 0;
  phsim_summary s;
  char err[PHSIM_ERR_MAX];
  if (phsim_summary_check(o, "fuzz.json", &s, err) == PHSIM_OK) {
    /* what was read must write back, and the sweep table's row */
    json_t *back = phsim_summary_json(&s);
    if (back == NULL) __builtin_trap();
    json_decref(back);
    FILE *null = fopen("/dev/null", "w");
    if (null != NULL) {
      phsim_summary_fields(null, &s);
      fclose(null);
    }
    phsim_summary_free(&s);
  }
  json_decref(o);
  return 0;
}

#ifndef PHSIM_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return phsim_fuzz_summary(data, size);
}
#endif
