/* fuzz_config.c: libFuzzer harness for the config-file parser (inih and our
 * handler) followed by validation.  Built by `make fuzz`; the same function
 * replays the corpus and the regressions in tests/test_fuzz_corpus.c. */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "phsim_config.h"
#include "phsim_validate.h"

int phsim_fuzz_config(const uint8_t *data, size_t size) {
  if (size == 0) return 0;
  FILE *fp = fmemopen((void *)data, size, "r");
  if (fp == NULL) return 0;
  phsim_config cfg;
  char err[PHSIM_ERR_MAX];
  phsim_config_default(&cfg);
  if (phsim_config_read_stream(&cfg, fp, "fuzz.cfg", err) == PHSIM_OK)
    (void)phsim_config_validate(&cfg, err);
  fclose(fp);
  return 0;
}

#ifndef PHSIM_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return phsim_fuzz_config(data, size);
}
#endif
