/* What the libFuzzer targets share: the entry point's prototype and a
 * diagnostic callback that keeps the fuzzer's output quiet. */
#ifndef KH_FUZZ_H
#define KH_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "kumihan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void kh_fuzz_quiet(void *user, kh_severity sev, const char *line) {
  (void)user;
  (void)sev;
  (void)line;
}

#endif
