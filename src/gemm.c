/* gemm.c — packed, register-tiled GEMM on 4-wide vectors.
 *
 * Structure (GotoBLAS style), used for everything except very narrow shapes:
 *   for each NC-column block of op(B):
 *     for each KC-deep slice of k (in increasing order):
 *       pack op(B)[k-slice, column block] into NR-wide panels (contiguous, zero padded);
 *       for each MR-row strip of op(A): pack it into an MR×KC micro-panel (k-major, so the
 *       MR values of one k are adjacent), then run the MR×NR micro-kernel across all panels.
 * The micro-kernel keeps a 4×8 tile of C in 8 registers and walks k, adding one product per k to
 * each lane. Transposed layouts differ only in how the packing routines read A and B, so one
 * kernel serves all three layouts.
 *
 * Narrow shapes (the N = 1 / M = 1 layers of small networks) would waste most of a 4×8 tile, so:
 *   - N < NARROW_N: each C column is computed on its own without packing — 16 rows per step
 *     vectorised over i for Aᵀ (tn), 4 interleaved scalar chains for A (nn, nt);
 *   - M < MR with B not transposed: a "row" kernel vectorises over j and reads B rows in place.
 *
 * Determinism: every path computes c = ((c0 + a0·b0) + a1·b1) + ... in increasing k with one
 * rounding per product and per sum, starting from the current C (or from +0 when accumulate == 0,
 * exactly like wg_gemm_ref's `0.f + ...`). Blocking k into KC slices only stores the running sum
 * in C between slices, which does not change any rounding. So every path matches wg_gemm_ref
 * bit for bit (see gemm.h).
 *
 * Why 4×8: V8 on x64 gives wasm 15 usable xmm registers; 8 accumulators + 2 B vectors + A
 * broadcasts + a product temporary fit without spills, while 6×8 (12 accumulators) spills in
 * V8's unrolled loop copies. Measured alternatives that were not faster on Zen 3 + Node 20:
 * 5×8/6×8 tiles, pre-broadcast A panels, k unrolled in C (V8 already unrolls the loop), reading
 * A in place instead of packing it (Aᵀ rows at a 4 KB stride thrash L1), NC = 256.
 */
#include "gemm.h"
#include <stdlib.h>
#include <string.h>
#include "simd.h"
#include "threads.h"

enum {
  MR = 4, NR = 8,   /* register tile of the main kernel */
  KC = 256,         /* k slice: A micro-panel 4 KB + B panel 8 KB stay in L1 */
  NC = 512,         /* column block of packed B (KC×NC floats = 512 KB) */
  CR = 16,          /* rows per column-kernel strip (4 vectors) */
  NARROW_N = 4      /* N below this uses the column kernel */
};

/* MR×KC and KC×NC scratch per thread, kept between calls; allocated by the coordinator only
 * (wasm workers have no malloc). */
static float *wg__pack_a[WG_MAX_THREADS], *wg__pack_b[WG_MAX_THREADS];

/* Buffers for threads 0..n-1; returns how many threads have them (0 when out of memory). */
static int wg__ensure_buffers(int n) {
  for (int t = 0; t < n; t++) {
    if (!wg__pack_a[t]) wg__pack_a[t] = aligned_alloc(64, sizeof(float) * MR * KC);
    if (!wg__pack_b[t]) wg__pack_b[t] = aligned_alloc(64, sizeof(float) * KC * NC);
    if (!wg__pack_a[t] || !wg__pack_b[t]) return t;
  }
  return n;
}

int wg_gemm_reserve(void) { return wg__ensure_buffers(wg_threads_count()) == wg_threads_count(); }

void wg_gemm_release(void) {
  for (int t = 0; t < WG_MAX_THREADS; t++) {
    free(wg__pack_a[t]); free(wg__pack_b[t]);
    wg__pack_a[t] = wg__pack_b[t] = NULL;
  }
}

/* Packs rows [i0, i0+mr) × k [k0, k0+kc) of op(A) into dst[k*h + i] (h = panel height),
 * zero padding rows mr..h-1. */
static void wg__pack_a_strip(float *dst, int h, const float *A, int lda, int trans_a, int i0,
                             int mr, int k0, int kc) {
  if (!trans_a) {
    for (int i = 0; i < h; i++) {
      if (i < mr) {
        const float *row = A + (size_t)(i0 + i) * lda + k0;
        for (int k = 0; k < kc; k++) dst[k * h + i] = row[k];
      } else {
        for (int k = 0; k < kc; k++) dst[k * h + i] = 0.f;
      }
    }
  } else {   /* rows of A are k: copy contiguous runs */
    for (int k = 0; k < kc; k++) {
      const float *row = A + (size_t)(k0 + k) * lda + i0;
      int i = 0;
      for (; i < mr; i++) dst[k * h + i] = row[i];
      for (; i < h; i++) dst[k * h + i] = 0.f;
    }
  }
}

/* Packs k [k0, k0+kc) × columns [j0, j0+nc) of op(B) into NR-wide panels:
 * panel p holds dst[p*kc*NR + k*NR + j]. Columns past nc are zero. */
static void wg__pack_b_block(float *dst, const float *B, int ldb, int trans_b, int k0, int kc,
                             int j0, int nc) {
  for (int p = 0; p * NR < nc; p++) {
    float *panel = dst + (size_t)p * kc * NR;
    int jw = nc - p * NR < NR ? nc - p * NR : NR;
    if (!trans_b) {
      for (int k = 0; k < kc; k++) {
        const float *row = B + (size_t)(k0 + k) * ldb + j0 + p * NR;
        if (jw == NR) {
          wg_v4_store(panel + k * NR, wg_v4_load(row));
          wg_v4_store(panel + k * NR + 4, wg_v4_load(row + 4));
          continue;
        }
        int j = 0;
        for (; j < jw; j++) panel[k * NR + j] = row[j];
        for (; j < NR; j++) panel[k * NR + j] = 0.f;
      }
    } else {   /* B is N×K: each column of op(B) is a contiguous row */
      for (int j = 0; j < NR; j++) {
        if (j < jw) {
          const float *col = B + (size_t)(j0 + p * NR + j) * ldb + k0;
          for (int k = 0; k < kc; k++) panel[k * NR + j] = col[k];
        } else {
          for (int k = 0; k < kc; k++) panel[k * NR + j] = 0.f;
        }
      }
    }
  }
}

/* The MR×NR register tile: c (ldc) = (zero ? +0 : c) + a_panel · b_panel over kc, increasing k.
 * Starting from zero in registers (first k slice of an overwrite) saves a memset pass over C. */
static void wg__kernel_4x8(int kc, const float *a, const float *b, float *c, int ldc, int zero) {
  wg_v4 c00, c01, c10, c11, c20, c21, c30, c31;
  if (zero) {
    c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = wg_v4_zero();
  } else {
    c00 = wg_v4_load(c); c01 = wg_v4_load(c + 4);
    c10 = wg_v4_load(c + ldc); c11 = wg_v4_load(c + ldc + 4);
    c20 = wg_v4_load(c + 2 * ldc); c21 = wg_v4_load(c + 2 * ldc + 4);
    c30 = wg_v4_load(c + 3 * ldc); c31 = wg_v4_load(c + 3 * ldc + 4);
  }
  for (int k = 0; k < kc; k++) {
    wg_v4 b0 = wg_v4_load(b), b1 = wg_v4_load(b + 4);
    wg_v4 a0 = wg_v4_load_splat(a), a1 = wg_v4_load_splat(a + 1);
    c00 = wg_v4_add(c00, wg_v4_mul(a0, b0)); c01 = wg_v4_add(c01, wg_v4_mul(a0, b1));
    c10 = wg_v4_add(c10, wg_v4_mul(a1, b0)); c11 = wg_v4_add(c11, wg_v4_mul(a1, b1));
    wg_v4 a2 = wg_v4_load_splat(a + 2), a3 = wg_v4_load_splat(a + 3);
    c20 = wg_v4_add(c20, wg_v4_mul(a2, b0)); c21 = wg_v4_add(c21, wg_v4_mul(a2, b1));
    c30 = wg_v4_add(c30, wg_v4_mul(a3, b0)); c31 = wg_v4_add(c31, wg_v4_mul(a3, b1));
    a += MR; b += NR;
  }
  wg_v4_store(c, c00); wg_v4_store(c + 4, c01);
  wg_v4_store(c + ldc, c10); wg_v4_store(c + ldc + 4, c11);
  wg_v4_store(c + 2 * ldc, c20); wg_v4_store(c + 2 * ldc + 4, c21);
  wg_v4_store(c + 3 * ldc, c30); wg_v4_store(c + 3 * ldc + 4, c31);
}

/* Column kernel for Aᵀ (tn): t[0..15] = (zero ? +0 : t) + Σ_k a[k*lda + 0..15] · b[k*bs], increasing
 * k. Vectorised over rows (which are contiguous in Aᵀ), so it needs no packing. */
static void wg__kernel_16x1(int kc, const float *a, size_t lda, const float *b, size_t bs, float *t,
                            int zero) {
  wg_v4 c0 = wg_v4_zero(), c1 = c0, c2 = c0, c3 = c0;
  if (!zero) { c0 = wg_v4_load(t); c1 = wg_v4_load(t + 4); c2 = wg_v4_load(t + 8); c3 = wg_v4_load(t + 12); }
  for (int k = 0; k < kc; k++) {
    wg_v4 bk = wg_v4_load_splat(b);
    c0 = wg_v4_add(c0, wg_v4_mul(wg_v4_load(a), bk));
    c1 = wg_v4_add(c1, wg_v4_mul(wg_v4_load(a + 4), bk));
    c2 = wg_v4_add(c2, wg_v4_mul(wg_v4_load(a + 8), bk));
    c3 = wg_v4_add(c3, wg_v4_mul(wg_v4_load(a + 12), bk));
    a += lda; b += bs;
  }
  wg_v4_store(t, c0); wg_v4_store(t + 4, c1); wg_v4_store(t + 8, c2); wg_v4_store(t + 12, c3);
}

/* N < NARROW_N (matrix·vector-like): a 4×8 tile would be mostly padding, and packing would cost
 * more than the arithmetic. Each C column j is computed on its own, reading A in place:
 *   Aᵀ (tn): rows are contiguous, so 16 rows at a time go through the column kernel;
 *   A (nn, nt): rows are strided, so 4 rows run as 4 independent scalar chains (hides most of the
 *   add latency; more rows thrash L1 when lda is a multiple of 1 KB, and vectorising over i would
 *   need a transpose). */
static void wg__gemm_narrow_n(int trans_a, int trans_b, int M, int N, int K, const float *A,
                              int lda, const float *B, int ldb, float *C, int ldc, int accumulate) {
  size_t bs = trans_b ? 1 : (size_t)ldb;   /* step between consecutive k of one op(B) column */
  for (int j = 0; j < N; j++) {
    const float *bj = trans_b ? B + (size_t)j * ldb : B + j;
    float *cj = C + j;
    int i = 0;
    if (trans_a) {
      float t[CR];
      for (; i + CR <= M; i += CR) {
        for (int r = 0; r < CR; r++) t[r] = accumulate ? cj[(size_t)(i + r) * ldc] : 0.f;
        wg__kernel_16x1(K, A + i, (size_t)lda, bj, bs, t, 0);
        for (int r = 0; r < CR; r++) cj[(size_t)(i + r) * ldc] = t[r];
      }
    } else {
      for (; i + 4 <= M; i += 4) {
        const float *a0 = A + (size_t)i * lda, *a1 = a0 + lda, *a2 = a1 + lda, *a3 = a2 + lda;
        const float *b = bj;
        float s0 = 0.f, s1 = 0.f, s2 = 0.f, s3 = 0.f;
        if (accumulate) {
          s0 = cj[(size_t)i * ldc]; s1 = cj[(size_t)(i + 1) * ldc];
          s2 = cj[(size_t)(i + 2) * ldc]; s3 = cj[(size_t)(i + 3) * ldc];
        }
        for (int k = 0; k < K; k++) {
          float bk = *b;
          s0 = s0 + a0[k] * bk; s1 = s1 + a1[k] * bk; s2 = s2 + a2[k] * bk; s3 = s3 + a3[k] * bk;
          b += bs;
        }
        cj[(size_t)i * ldc] = s0; cj[(size_t)(i + 1) * ldc] = s1;
        cj[(size_t)(i + 2) * ldc] = s2; cj[(size_t)(i + 3) * ldc] = s3;
      }
    }
    for (; i < M; i++) {   /* leftover rows: plain scalar chain */
      float acc = accumulate ? cj[(size_t)i * ldc] : 0.f;
      const float *b = bj;
      for (int k = 0; k < K; k++) {
        acc = acc + (trans_a ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k]) * *b;
        b += bs;
      }
      cj[(size_t)i * ldc] = acc;
    }
  }
}

/* M < MR, B not transposed: each C row is a vector sweep over j reading B rows in place
 * (no packing: every B element is used by at most three rows). */
static void wg__gemm_short_m(int trans_a, int M, int N, int K, const float *A, int lda,
                             const float *B, int ldb, float *C, int ldc, int accumulate) {
  size_t as = trans_a ? (size_t)lda : 1;   /* step between consecutive k of one op(A) row */
  for (int i = 0; i < M; i++) {
    const float *arow = trans_a ? A + i : A + (size_t)i * lda;
    float *c = C + (size_t)i * ldc;
    int j = 0;
    for (; j + 16 <= N; j += 16) {   /* 16 columns: 4 independent add chains hide add latency */
      wg_v4 c0 = wg_v4_zero(), c1 = c0, c2 = c0, c3 = c0;
      if (accumulate) { c0 = wg_v4_load(c + j); c1 = wg_v4_load(c + j + 4); c2 = wg_v4_load(c + j + 8); c3 = wg_v4_load(c + j + 12); }
      const float *a = arow, *b = B + j;
      for (int k = 0; k < K; k++) {
        wg_v4 ak = wg_v4_load_splat(a);
        c0 = wg_v4_add(c0, wg_v4_mul(ak, wg_v4_load(b)));
        c1 = wg_v4_add(c1, wg_v4_mul(ak, wg_v4_load(b + 4)));
        c2 = wg_v4_add(c2, wg_v4_mul(ak, wg_v4_load(b + 8)));
        c3 = wg_v4_add(c3, wg_v4_mul(ak, wg_v4_load(b + 12)));
        a += as; b += ldb;
      }
      wg_v4_store(c + j, c0); wg_v4_store(c + j + 4, c1); wg_v4_store(c + j + 8, c2); wg_v4_store(c + j + 12, c3);
    }
    for (; j + 4 <= N; j += 4) {
      wg_v4 c0 = accumulate ? wg_v4_load(c + j) : wg_v4_zero();
      const float *a = arow, *b = B + j;
      for (int k = 0; k < K; k++) { c0 = wg_v4_add(c0, wg_v4_mul(wg_v4_load_splat(a), wg_v4_load(b))); a += as; b += ldb; }
      wg_v4_store(c + j, c0);
    }
    for (; j < N; j++) {
      float acc = accumulate ? c[j] : 0.f;
      const float *a = arow, *b = B + j;
      for (int k = 0; k < K; k++) { acc = acc + *a * *b; a += as; b += ldb; }
      c[j] = acc;
    }
  }
}

/* One block of C, computed by `thread` with its own packing buffers (which must exist). */
static void wg__gemm_block(int thread, int trans_a, int trans_b, int M, int N, int K,
                           const float *A, int lda, const float *B, int ldb, float *C, int ldc,
                           int accumulate) {
  if (M < MR && !trans_b) {
    wg__gemm_short_m(trans_a, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
    return;
  }
  if (N < NARROW_N) {
    wg__gemm_narrow_n(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
    return;
  }
  float *pack_a = wg__pack_a[thread], *pack_b = wg__pack_b[thread];
  float edge[MR * NR];
  for (int j0 = 0; j0 < N; j0 += NC) {
    int nc = N - j0 < NC ? N - j0 : NC;
    for (int k0 = 0; k0 < K; k0 += KC) {
      int kc = K - k0 < KC ? K - k0 : KC;
      int zero = k0 == 0 && !accumulate;   /* first slice of an overwrite: C is not read */
      wg__pack_b_block(pack_b, B, ldb, trans_b, k0, kc, j0, nc);
      for (int i0 = 0; i0 < M; i0 += MR) {
        int mr = M - i0 < MR ? M - i0 : MR;
        wg__pack_a_strip(pack_a, MR, A, lda, trans_a, i0, mr, k0, kc);
        for (int p = 0; p * NR < nc; p++) {
          int jw = nc - p * NR < NR ? nc - p * NR : NR;
          float *c = C + (size_t)i0 * ldc + j0 + p * NR;
          const float *bp = pack_b + (size_t)p * kc * NR;
          if (mr == MR && jw == NR) {
            wg__kernel_4x8(kc, pack_a, bp, c, ldc, zero);
          } else {   /* ragged edge: run the full tile on a copy, write back the valid part */
            if (!zero)
              for (int i = 0; i < mr; i++) memcpy(edge + i * NR, c + (size_t)i * ldc, sizeof(float) * jw);
            wg__kernel_4x8(kc, pack_a, bp, edge, NR, zero);
            for (int i = 0; i < mr; i++) memcpy(c + (size_t)i * ldc, edge + i * NR, sizeof(float) * jw);
          }
        }
      }
    }
  }
}

/* Threads: C is cut into a grid of blocks that depends only on (M, N, K); each block is one tile
 * computed whole (all of K, in order) by one thread. Every element of C is computed the same way
 * whichever block or path it falls in (see the header comment), so results are the same bits for
 * any thread count. Products below PAR_MIN_WORK multiply-adds stay on one thread; blocks are cut
 * at multiples of 16 rows / 16 columns (whole column-kernel strips and row-kernel sweeps) and are
 * not cut below TILE_MIN_WORK. */
#define PAR_MIN_WORK (1.0 * (1 << 19))
#define TILE_MIN_WORK (1.0 * (1 << 17))
enum { GRID_ROWS = 16, GRID_COLS = 16, MAX_TILES = 16 };

static int wg__round_up(int x, int m) { return (x + m - 1) / m * m; }

/* Block size (tm × tn) of the grid for an M×N×K product; returns the number of blocks. */
static int wg__grid(int M, int N, int K, int *tm, int *tn) {
  *tm = M; *tn = N;
  if ((double)M * N * K < PAR_MIN_WORK) return 1;
  for (;;) {
    int tiles = ((M + *tm - 1) / *tm) * ((N + *tn - 1) / *tn);
    if (tiles >= MAX_TILES) return tiles;
    int rm = wg__round_up((*tm + 1) / 2, GRID_ROWS), rn = wg__round_up((*tn + 1) / 2, GRID_COLS);
    int can_rows = rm < *tm, can_cols = rn < *tn;
    if (can_rows && (*tm >= *tn / 4 || !can_cols)) {   /* cut rows first: B is packed per block */
      if ((double)rm * *tn * K < TILE_MIN_WORK) return tiles;
      *tm = rm;
    } else if (can_cols) {
      if ((double)*tm * rn * K < TILE_MIN_WORK) return tiles;
      *tn = rn;
    } else {
      return tiles;
    }
  }
}

typedef struct {
  int trans_a, trans_b, M, N, K, lda, ldb, ldc, accumulate, tm, tn, cols;
  const float *A, *B;
  float *C;
} wg__gemm_job;

static void wg__gemm_tile(void *ctx, int tile, int thread) {
  const wg__gemm_job *j = ctx;
  int i0 = tile / j->cols * j->tm, j0 = tile % j->cols * j->tn;
  int m = j->M - i0 < j->tm ? j->M - i0 : j->tm, n = j->N - j0 < j->tn ? j->N - j0 : j->tn;
  const float *A = j->A + (j->trans_a ? (size_t)i0 : (size_t)i0 * j->lda);
  const float *B = j->B + (j->trans_b ? (size_t)j0 * j->ldb : (size_t)j0);
  wg__gemm_block(thread, j->trans_a, j->trans_b, m, n, j->K, A, j->lda, B, j->ldb,
                 j->C + (size_t)i0 * j->ldc + j0, j->ldc, j->accumulate);
}

static void wg__gemm(int trans_a, int trans_b, int M, int N, int K, const float *A, int lda,
                     const float *B, int ldb, float *C, int ldc, int accumulate) {
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accumulate)
      for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, sizeof(float) * (size_t)N);
    return;
  }
  int threads = wg_threads_count();
  if (wg__ensure_buffers(threads) < threads) {   /* out of memory: the scalar path needs no scratch */
    wg_gemm_ref(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
    return;
  }
  wg__gemm_job job = {trans_a, trans_b, M, N, K, lda, ldb, ldc, accumulate, 0, 0, 0, A, B, C};
  int tiles = threads > 1 ? wg__grid(M, N, K, &job.tm, &job.tn) : 1;
  if (tiles == 1) {
    wg__gemm_block(0, trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
    return;
  }
  job.cols = (N + job.tn - 1) / job.tn;
  wg_parallel_for(tiles, wg__gemm_tile, &job);
}

void wg_gemm_nn(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                float *C, int ldc, int accumulate) {
  wg__gemm(0, 0, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}
void wg_gemm_nt(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                float *C, int ldc, int accumulate) {
  wg__gemm(0, 1, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}
void wg_gemm_tn(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                float *C, int ldc, int accumulate) {
  wg__gemm(1, 0, M, N, K, A, lda, B, ldb, C, ldc, accumulate);
}

void wg_gemm_ref(int trans_a, int trans_b, int M, int N, int K, const float *A, int lda,
                 const float *B, int ldb, float *C, int ldc, int accumulate) {
  for (int i = 0; i < M; i++) {
    for (int j = 0; j < N; j++) {
      float acc = accumulate ? C[(size_t)i * ldc + j] : 0.f;
      for (int k = 0; k < K; k++) {
        float a = trans_a ? A[(size_t)k * lda + i] : A[(size_t)i * lda + k];
        float b = trans_b ? B[(size_t)j * ldb + k] : B[(size_t)k * ldb + j];
        acc = acc + a * b;
      }
      C[(size_t)i * ldc + j] = acc;
    }
  }
}
