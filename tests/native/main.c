/* main.c — runs every native test suite (or only those named on the command line) and prints
 * "N passed, N failed".   build/native/wasmgen_tests threads gemm
 * Built twice by build.sh: natively under ASan+UBSan (SSE kernels) and as build/wasmgen_tests.cjs
 * (wasm-SIMD kernels); tests/native.test.js runs both and checks the names in expected-tests.txt. */
#include <string.h>
#include "simd.h"
#include "test.h"

int wg_test_failed_flag, wg_tests_passed, wg_tests_failed;

#define SUITES(X) X(mathf) X(rng) X(gemm) X(layers) X(losses) X(optim) X(json) X(safetensors) \
                  X(idx) X(models) X(families) X(reference) X(family_reference) X(conv) X(imageio) X(synthesis) \
                  X(augment) X(transform) X(metrics) X(threads)
#define DECLARE(name) void suite_##name(void);
SUITES(DECLARE)

static int wanted(int argc, char **argv, const char *name) {
  if (argc < 2) return 1;
  for (int i = 1; i < argc; i++) if (!strcmp(argv[i], name)) return 1;
  return 0;
}

int main(int argc, char **argv) {
  printf("# simd.h backend: %s\n", WG_SIMD_NAME);
#define CALL(name) if (wanted(argc, argv, #name)) { printf("# suite %s\n", #name); suite_##name(); }
  SUITES(CALL)
  printf("%d passed, %d failed\n", wg_tests_passed, wg_tests_failed);
  return wg_tests_failed ? 1 : 0;
}
