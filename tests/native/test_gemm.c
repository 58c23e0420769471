/* test_gemm.c — the SIMD GEMM against its scalar twin, bit for bit, in every layout. */
#include <stdlib.h>
#include <string.h>
#include "gemm.h"
#include "gradcheck.h"
#include "test.h"

static int run_case(int layout, int M, int N, int K, int pad, int accumulate, unsigned *seed) {
  int ta = layout == 2, tb = layout == 1;
  int lda = (ta ? M : K) + pad, ldb = (tb ? K : N) + pad, ldc = N + pad;
  int arows = ta ? K : M, brows = tb ? N : K;
  float *A = malloc(sizeof(float) * (size_t)(arows * lda + 1));
  float *B = malloc(sizeof(float) * (size_t)(brows * ldb + 1));
  float *C1 = malloc(sizeof(float) * (size_t)(M * ldc + 1));
  float *C2 = malloc(sizeof(float) * (size_t)(M * ldc + 1));
  fill_uniform(A, arows * lda, -1.f, 1.f, seed);
  fill_uniform(B, brows * ldb, -1.f, 1.f, seed);
  fill_uniform(C1, M * ldc, -1.f, 1.f, seed);
  memcpy(C2, C1, sizeof(float) * (size_t)(M * ldc));
  if (layout == 0) wg_gemm_nn(M, N, K, A, lda, B, ldb, C1, ldc, accumulate);
  else if (layout == 1) wg_gemm_nt(M, N, K, A, lda, B, ldb, C1, ldc, accumulate);
  else wg_gemm_tn(M, N, K, A, lda, B, ldb, C1, ldc, accumulate);
  wg_gemm_ref(ta, tb, M, N, K, A, lda, B, ldb, C2, ldc, accumulate);
  int same = memcmp(C1, C2, sizeof(float) * (size_t)(M * ldc)) == 0;
  if (!same) fprintf(stderr, "  layout %d M=%d N=%d K=%d pad=%d acc=%d differs\n", layout, M, N, K, pad, accumulate);
  free(A); free(B); free(C1); free(C2);
  return same;
}

static void test_gemm_matches_scalar_bitwise(void) {
  unsigned seed = 1;
  const int sizes[] = {1, 3, 4, 7, 8, 9, 17, 33, 64, 100};
  for (int layout = 0; layout < 3; layout++)
    for (int a = 0; a < 10; a++)
      for (int b = 0; b < 10; b += 3)
        for (int c = 0; c < 10; c += 4)
          CHECK(run_case(layout, sizes[a], sizes[b], sizes[c], (a + b) % 3, (a + c) % 2, &seed));
  /* K spanning several blocks, and wide N spanning several panels. */
  for (int layout = 0; layout < 3; layout++) {
    CHECK(run_case(layout, 13, 37, 700, 1, 1, &seed));
    CHECK(run_case(layout, 65, 1100, 70, 0, 0, &seed));
    CHECK(run_case(layout, 64, 1, 512, 0, 1, &seed));
    CHECK(run_case(layout, 5, 6, 0, 2, 1, &seed));   /* K = 0 leaves C (or zeroes it) */
    CHECK(run_case(layout, 5, 6, 0, 2, 0, &seed));
  }
}

static void test_gemm_values(void) {
  /* A small product computed by hand: [[1,2],[3,4]] · [[5,6],[7,8]] = [[19,22],[43,50]]. */
  float A[] = {1, 2, 3, 4}, B[] = {5, 6, 7, 8}, C[4];
  wg_gemm_nn(2, 2, 2, A, 2, B, 2, C, 2, 0);
  CHECK(C[0] == 19 && C[1] == 22 && C[2] == 43 && C[3] == 50);
  wg_gemm_nt(2, 2, 2, A, 2, B, 2, C, 2, 0);   /* A·Bᵀ = [[17,23],[39,53]] */
  CHECK(C[0] == 17 && C[1] == 23 && C[2] == 39 && C[3] == 53);
  wg_gemm_tn(2, 2, 2, A, 2, B, 2, C, 2, 1);   /* += Aᵀ·B = [[26,30],[38,44]] */
  CHECK(C[0] == 43 && C[1] == 53 && C[2] == 77 && C[3] == 97);
}

void suite_gemm(void) {
  RUN(test_gemm_matches_scalar_bitwise);
  RUN(test_gemm_values);
}
