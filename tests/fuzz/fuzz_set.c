/* fuzz_set.c: libFuzzer harness for the --set key=value parser. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "phsim_config.h"
#include "phsim_validate.h"

int phsim_fuzz_set(const uint8_t *data, size_t size) {
  char *arg = malloc(size + 1);
  if (arg == NULL) return 0;
  memcpy(arg, data, size);
  arg[size] = '\0';
  phsim_config cfg;
  char err[PHSIM_ERR_MAX];
  phsim_config_default(&cfg);
  if (phsim_config_set_arg(&cfg, arg, err) == PHSIM_OK) {
    /* init paths would be read by validate: keep the fuzzer off the disk */
    cfg.init_W[0] = cfg.init_E[0] = '\0';
    (void)phsim_config_validate(&cfg, err);
  }
  free(arg);
  return 0;
}

#ifndef PHSIM_FUZZ_NO_MAIN
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  return phsim_fuzz_set(data, size);
}
#endif
