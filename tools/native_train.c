/* native_train.c — trains a model with the native build of the core and writes a checkpoint.
 *
 * Exists so the tests can check that the native and wasm builds give byte-identical checkpoints
 * after the same training run (determinism across builds).
 *
 *   wasmgen_native CONFIG_JSON IMAGES.idx STEPS BATCH OUT.safetensors [DATASET_ID]
 * DATASET_ID is what the JS API records as the data's identity ("mnist-train:8337").
 * WASMGEN_THREADS=N in the environment trains with N threads (the checkpoint is the same bytes).
 */
#include <stdio.h>
#include <stdlib.h>
#include "api.h"
#include "model.h"
#include "threads.h"

static unsigned char *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) { free(buf); buf = NULL; }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc != 6 && argc != 7) {
    fprintf(stderr, "usage: %s CONFIG_JSON IMAGES.idx STEPS BATCH OUT.safetensors [DATASET_ID]\n", argv[0]);
    return 2;
  }
  const char *threads = getenv("WASMGEN_THREADS");
  if (threads) wg_threads_start(atoi(threads));
  size_t len;
  unsigned char *bytes = read_file(argv[2], &len);
  if (!bytes) { fprintf(stderr, "cannot read %s\n", argv[2]); return 1; }
  wg_dataset *ds = wg_api_dataset_from_idx(bytes, (uint32_t)len, NULL, 0);
  free(bytes);
  wg_model *m = NULL;
  uint8_t *out = NULL;
  size_t out_len = 0;
  int ok = ds && wg_model_create(argv[1], &m) == WG_OK;
  if (ok && argc == 7) wg_api_model_set_dataset(m, argv[6]);
  ok = ok && wg_model_train(m, ds, atoi(argv[3]), atoi(argv[4])) == WG_OK &&
           wg_model_save(m, &out, &out_len) == WG_OK;
  if (!ok) fprintf(stderr, "error: %s\n", wg_last_error());
  if (ok) {
    FILE *f = fopen(argv[5], "wb");
    ok = f && fwrite(out, 1, out_len, f) == out_len;
    if (f) fclose(f);
  }
  free(out);
  wg_model_free(m);
  wg_dataset_free(ds);
  wg_threads_stop();
  return ok ? 0 : 1;
}
