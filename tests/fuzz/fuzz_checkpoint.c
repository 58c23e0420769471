/* fuzz_checkpoint.c — libFuzzer target for checkpoint loading: wg_model_load on hostile bytes.
 *
 * Covers the safetensors reader (header length, strict JSON, dtype/shape/offset/overlap checks),
 * the JSON parser (twice: the header and the config/state strings inside __metadata__), config
 * validation and net building, and the per-tensor shape checks against the model. A model that
 * loads is then used as a caller would: it samples one image (the config really is runnable),
 * and a save + load round trip must succeed and reproduce the config (a loaded checkpoint must
 * stay saveable). Any failure of that oracle aborts, so libFuzzer reports it.
 *
 * A custom mutator keeps the 8-byte header length in step with the JSON header most of the time,
 * so mutations reach the JSON and config checks instead of dying at the length check; plain
 * byte-level mutation of the whole file still happens for the rest.
 *
 *   tools/fuzz.sh   (builds this with -fsanitize=fuzzer,address,undefined and runs it)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "model_internal.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_fail(const char *what) {
  fprintf(stderr, "fuzz_checkpoint: %s: %s\n", what, wg_last_error());
  abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  wg_model *m;
  if (wg_model_load(data, size, &m) != WG_OK) {
    if (m) fuzz_fail("wg_model_load failed but left *out set");
    return 0;
  }
  int image = wg_model_image_size(m);
  float *out = malloc(sizeof(float) * (size_t)image);
  if (!out) fuzz_fail("out of memory");
  /* Whatever the family, a loaded model does what it says it can (white box: model_internal.h). */
  unsigned caps = m->family->caps;
  int label = 0;
  if ((caps & WG_CAP_SAMPLE) && wg_model_sample(m, 1, 7, (caps & WG_CAP_CLASSES) ? &label : NULL, 0.f, out) != WG_OK)
    fuzz_fail("a loaded model cannot sample");
  if (caps & WG_CAP_CLASSIFY) {
    float *probs = malloc(sizeof(float) * (size_t)m->classes);
    memset(out, 0, sizeof(float) * (size_t)image);
    if (!probs || wg_model_classify(m, out, 1, probs, NULL) != WG_OK) fuzz_fail("a loaded classifier cannot classify");
    free(probs);
  }
  free(out);

  uint8_t *bytes;
  size_t len;
  if (wg_model_save(m, &bytes, &len) != WG_OK) fuzz_fail("a loaded model cannot be saved");
  wg_model *again;
  if (wg_model_load(bytes, len, &again) != WG_OK) fuzz_fail("a re-saved checkpoint does not load");
  if (strcmp(wg_model_config_json(m), wg_model_config_json(again)) != 0)
    fuzz_fail("the config changed in a save + load round trip");
  if (again->step != m->step || again->epoch != m->epoch)
    fuzz_fail("step or epoch changed in a save + load round trip");
  free(bytes);
  wg_model_free(again);
  wg_model_free(m);
  return 0;
}

/* Half the time: mutate only the JSON header and rewrite the length field to match. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size, unsigned int seed) {
  if ((seed & 1) && size >= 8) {
    uint64_t n = 0;
    for (int i = 7; i >= 0; i--) n = n << 8 | data[i];
    size_t body = n <= size - 8 ? size - 8 - (size_t)n : 0;
    if (n <= size - 8 && n > 0 && max_size > 8 + body + 1) {
      uint8_t *tail = malloc(body ? body : 1);
      if (!tail) return LLVMFuzzerMutate(data, size, max_size);
      memcpy(tail, data + 8 + n, body);
      size_t nn = LLVMFuzzerMutate(data + 8, (size_t)n, max_size - 8 - body);
      memcpy(data + 8 + nn, tail, body);
      free(tail);
      for (int i = 0; i < 8; i++) data[i] = (uint8_t)((uint64_t)nn >> (8 * i));
      return 8 + nn + body;
    }
  }
  return LLVMFuzzerMutate(data, size, max_size);
}
