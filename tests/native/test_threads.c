/* test_threads.c — the pool (every tile exactly once, on a valid thread, at every thread count)
 * and the threaded kernels (the same bits at T = 1..4 as the single-thread scalar definition). */
#include <stdlib.h>
#include <string.h>
#include "gemm.h"
#include "gradcheck.h"
#include "test.h"
#include "threads.h"
#include "transform.h"

/* build/wasmgen_tests.cjs runs this suite on wasm without atomics, where the pool is absent and every
 * region runs on the caller (threads.c): there the counts are 1 and the bit checks compare T=1 to T=1. */
#if defined(__wasm__) && !defined(__wasm_atomics__)
#define POOL_THREADS(T) 1
#else
#define POOL_THREADS(T) (T)
#endif

typedef struct { int *hits; int bad_thread; int threads; } tile_log;

static void log_tile(void *ctx, int tile, int thread) {
  tile_log *log = ctx;
  log->hits[tile]++;   /* tiles are disjoint: no two threads write the same slot */
  if (thread < 0 || thread >= log->threads) log->bad_thread = 1;
}

static void test_every_tile_runs_once(void) {
  int hits[64];
  for (int T = 1; T <= 4; T++) {
    CHECK(wg_threads_start(T) == POOL_THREADS(T));
    CHECK(wg_threads_count() == POOL_THREADS(T));
    for (int r = 0; r < 3000; r++) {   /* many short regions: workers join late, leave late */
      int n = 1 + r % 64;
      memset(hits, 0, sizeof hits);
      tile_log log = {hits, 0, T};
      wg_parallel_for(n, log_tile, &log);
      for (int t = 0; t < n; t++) CHECK_MSG(hits[t] == 1, "T=%d region %d tile %d ran %d times", T, r, t, hits[t]);
      CHECK(!log.bad_thread);
    }
  }
  wg_threads_stop();
  CHECK(wg_threads_count() == 1);
}

static void inner_tile(void *ctx, int tile, int thread) {
  (void)thread;
  ((int *)ctx)[tile]++;
}
static void outer_tile(void *ctx, int tile, int thread) {
  int *inner = (int *)ctx + tile * 4;
  if (thread == 0) wg_parallel_for(4, inner_tile, inner);   /* nested: runs on the caller */
  else for (int t = 0; t < 4; t++) inner[t]++;
}

static void test_nested_region_runs_serially(void) {
  int cells[8 * 4];
  memset(cells, 0, sizeof cells);
  wg_threads_start(3);
  wg_parallel_for(8, outer_tile, cells);
  wg_threads_stop();
  for (int i = 0; i < 8 * 4; i++) CHECK(cells[i] == 1);
}

/* op(A)·op(B) at T threads against the scalar definition, bit for bit. */
static int same_bits_at(int T, int layout, int M, int N, int K, int accumulate, unsigned *seed) {
  int ta = layout == 2, tb = layout == 1;
  int lda = ta ? M : K, ldb = tb ? K : N, ldc = N;
  size_t na = (size_t)(ta ? K : M) * lda, nb = (size_t)(tb ? N : K) * ldb, nc = (size_t)M * ldc;
  float *A = malloc(sizeof(float) * na), *B = malloc(sizeof(float) * nb);
  float *C1 = malloc(sizeof(float) * nc), *C2 = malloc(sizeof(float) * nc);
  fill_uniform(A, (int)na, -1.f, 1.f, seed);
  fill_uniform(B, (int)nb, -1.f, 1.f, seed);
  fill_uniform(C1, (int)nc, -1.f, 1.f, seed);
  memcpy(C2, C1, sizeof(float) * nc);
  wg_threads_start(T);
  if (layout == 0) wg_gemm_nn(M, N, K, A, lda, B, ldb, C1, ldc, accumulate);
  else if (layout == 1) wg_gemm_nt(M, N, K, A, lda, B, ldb, C1, ldc, accumulate);
  else wg_gemm_tn(M, N, K, A, lda, B, ldb, C1, ldc, accumulate);
  wg_threads_stop();
  wg_gemm_ref(ta, tb, M, N, K, A, lda, B, ldb, C2, ldc, accumulate);
  int same = memcmp(C1, C2, sizeof(float) * nc) == 0;
  if (!same) fprintf(stderr, "  T=%d layout %d M=%d N=%d K=%d acc=%d differs\n", T, layout, M, N, K, accumulate);
  free(A); free(B); free(C1); free(C2);
  return same;
}

static void test_gemm_same_bits_at_every_thread_count(void) {
  unsigned seed = 5;
  /* Shapes of the presets' layers (batch 64 MLP, conv lowered to wide products), all above the
   * parallel threshold, plus ragged ones that leave partial blocks at the grid's edges. */
  const int shapes[][3] = {{64, 784, 256}, {256, 784, 64}, {64, 3, 600}, {2, 900, 300},
                           {37, 1001, 29}, {130, 70, 515}, {600, 2, 700}};
  for (int T = 1; T <= 4; T++)
    for (int layout = 0; layout < 3; layout++)
      for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        CHECK(same_bits_at(T, layout, shapes[s][0], shapes[s][1], shapes[s][2], (int)(s % 2), &seed));
}

/* Blur (in place too) and resize (both passes) at T threads against T = 1, bit for bit. */
static void test_transforms_same_bits_at_every_thread_count(void) {
  enum { C = 3, H = 301, W = 257, OW = 190, OH = 420 };
  unsigned seed = 9;
  static float img[C * H * W], ref_blur[C * H * W], blur[C * H * W];
  static float ref_resize[C * OH * OW], resized[C * OH * OW];
  fill_uniform(img, C * H * W, 0.f, 1.f, &seed);
  wg_threads_stop();
  CHECK(wg_gaussian_blur(ref_blur, img, C, H, W, 2.5f) == WG_OK);
  CHECK(wg_resize(ref_resize, img, C, H, W, OW, OH, WG_RESIZE_BILINEAR) == WG_OK);
  for (int T = 2; T <= 4; T++) {
    wg_threads_start(T);
    memcpy(blur, img, sizeof blur);
    CHECK(wg_gaussian_blur(blur, blur, C, H, W, 2.5f) == WG_OK);   /* in place */
    CHECK_MSG(memcmp(blur, ref_blur, sizeof blur) == 0, "blur differs at T=%d", T);
    CHECK(wg_resize(resized, img, C, H, W, OW, OH, WG_RESIZE_BILINEAR) == WG_OK);
    CHECK_MSG(memcmp(resized, ref_resize, sizeof resized) == 0, "resize differs at T=%d", T);
    wg_threads_stop();
  }
}

void suite_threads(void) {
  RUN(test_every_tile_runs_once);
  RUN(test_nested_region_runs_serially);
  RUN(test_gemm_same_bits_at_every_thread_count);
  RUN(test_transforms_same_bits_at_every_thread_count);
}
