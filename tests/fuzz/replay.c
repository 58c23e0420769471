/* replay.c — runs inputs through the fuzz targets' own checks without libFuzzer, so that the
 * regression inputs in tests/fuzz/regressions/ are replayed by `npm test` (natively, under ASan +
 * UBSan, via tests/fuzz-regressions.test.js), not only by tools/fuzz.sh with clang.
 *
 *   fuzz_replay TARGET FILE...      TARGET: checkpoint, image or idx; prints "ok FILE" per input
 *
 * build.sh compiles each target's source with its entry point renamed
 * (-DLLVMFuzzerTestOneInput=fuzz_TARGET_one); a target's failed check aborts, as under libFuzzer.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fuzz_checkpoint_one(const uint8_t *data, size_t size);
int fuzz_image_one(const uint8_t *data, size_t size);
int fuzz_idx_one(const uint8_t *data, size_t size);

/* fuzz_checkpoint.c's custom mutator calls libFuzzer's mutator; replaying never mutates. */
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size) {
  (void)data; (void)max_size;
  return size;
}

static uint8_t *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

int main(int argc, char **argv) {
  int (*one)(const uint8_t *, size_t) = NULL;
  if (argc >= 2 && !strcmp(argv[1], "checkpoint")) one = fuzz_checkpoint_one;
  else if (argc >= 2 && !strcmp(argv[1], "image")) one = fuzz_image_one;
  else if (argc >= 2 && !strcmp(argv[1], "idx")) one = fuzz_idx_one;
  if (!one) { fprintf(stderr, "usage: %s checkpoint|image|idx FILE...\n", argv[0]); return 2; }
  for (int i = 2; i < argc; i++) {
    size_t len;
    uint8_t *data = read_all(argv[i], &len);
    if (!data) { fprintf(stderr, "cannot read %s\n", argv[i]); return 1; }
    one(data, len);
    free(data);
    printf("ok %s\n", argv[i]);
    fflush(stdout);
  }
  return 0;
}
