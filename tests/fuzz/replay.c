/* Runs a fuzz target's LLVMFuzzerTestOneInput over files, without
 * libFuzzer: the regression inputs in tests/fuzz/regressions are replayed
 * this way by ctest, on every build (and under ASan/UBSan by test.sh). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "rb");
    if (!f) {
      perror(argv[i]);
      return 1;
    }
    size_t cap = 1 << 16, n = 0, r;
    uint8_t *buf = malloc(cap);
    while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
      n += r;
      if (n == cap) {
        uint8_t *g = realloc(buf, cap *= 2);
        if (!g) free(buf);
        buf = g;
      }
    }
    fclose(f);
    if (!buf) return 1;
    LLVMFuzzerTestOneInput(buf, n);
    free(buf);
    printf("replayed %s (%zu bytes)\n", argv[i], n);
  }
  return 0;
}
