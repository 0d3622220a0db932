/* fuzz_summary.c: libFuzzer harness for the reader of a run's
 * summary.json (phsim_summary_check after jansson), then what table and
 * plot read from a summary that passed. */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "phsim_summary.h"

int phsim_fuzz_summary(const uint8_t *data, size_t size) {
  json_t *o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
  if (o == NULL) return 0;
  phsim_summary s;
  char err[PHSIM_ERR_MAX];
  if (phsim_summary_check(o, "fuzz.json", &s, err) == PHSIM_OK) {
    /* every entry the readers index must be there */
    json_t *ls = json_object_get(s.root, "learn_step");
    for (size_t j = 0; j < s.cfg.m; j++)
      for (size_t l = 0; l < s.cfg.K; l++)
        if (json_array_get(json_array_get(ls, j), l) == NULL) __builtin_trap();
    phsim_summary_free(&s);
  }
  return 0;
}

#ifndef PHSIM_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return phsim_fuzz_summary(data, size);
}
#endif
