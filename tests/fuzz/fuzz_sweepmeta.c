/* fuzz_sweepmeta.c: libFuzzer harness for the reader of a sweep's
 * sweep.json (phsim_sweep_meta_parse after jansson).  Built by `make fuzz`;
 * the same function replays the corpus in tests/test_fuzz_corpus.c. */
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "phsim_sweepio.h"

int phsim_fuzz_sweepmeta(const uint8_t *data, size_t size) {
  json_t *o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
  if (o == NULL) return 0;
  phsim_sweep s;
  char err[PHSIM_ERR_MAX];
  if (phsim_sweep_meta_parse(o, "fuzz.json", &s, err) == PHSIM_OK) {
    json_t *back = phsim_sweep_meta_json(&s); /* what is read must write back */
    json_decref(back);
    phsim_sweep_free(&s);
  }
  json_decref(o);
  return 0;
}

#ifndef PHSIM_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return phsim_fuzz_sweepmeta(data, size);
}
#endif
