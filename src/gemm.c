/* gemm.c — packed, register-tiled GEMM on 4-wide vectors.
 *
 * Structure (GotoBLAS style): for each KC×NC block of B, pack it into NR-column panels
 * (contiguous, zero padded); for each MR-row strip of A, pack it into an MR×KC micro-panel; then a
 * micro-kernel keeps an MR×NR tile of C in registers and walks k. Transposed layouts differ only
 * in how the packing routines read A and B, so one micro-kernel serves all three layouts.
 * The tile accumulates from the current C values in increasing k, which is exactly the scalar
 * reference's order (see gemm.h).
 */
#include "gemm.h"
#include <stdlib.h>
#include <string.h>
#include "simd.h"

enum { MR = 4, NR = 8, KC = 256, NC = 512 };

static float *wg__pack_a, *wg__pack_b;   /* MR×KC and KC×NC scratch, kept between calls */

static int wg__ensure_buffers(void) {
  if (!wg__pack_a) wg__pack_a = aligned_alloc(64, sizeof(float) * MR * KC);
  if (!wg__pack_b) wg__pack_b = aligned_alloc(64, sizeof(float) * KC * NC);
  return wg__pack_a && wg__pack_b;
}

void wg_gemm_release(void) {
  free(wg__pack_a); free(wg__pack_b);
  wg__pack_a = wg__pack_b = NULL;
}

/* Packs rows [i0, i0+mr) × k [k0, k0+kc) of op(A) into dst[k*MR + i], zero padding rows >= mr. */
static void wg__pack_a_strip(float *dst, const float *A, int lda, int trans_a, int i0, int mr,
                             int k0, int kc) {
  if (!trans_a) {
    for (int i = 0; i < MR; i++) {
      if (i < mr) {
        const float *row = A + (size_t)(i0 + i) * lda + k0;
        for (int k = 0; k < kc; k++) dst[k * MR + i] = row[k];
      } else {
        for (int k = 0; k < kc; k++) dst[k * MR + i] = 0.f;
      }
    }
  } else {
    for (int k = 0; k < kc; k++) {
      const float *row = A + (size_t)(k0 + k) * lda + i0;
      int i = 0;
      for (; i < mr; i++) dst[k * MR + i] = row[i];
      for (; i < MR; i++) dst[k * MR + i] = 0.f;
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
        int j = 0;
        if (jw == NR) {
          wg_v4_store(panel + k * NR, wg_v4_load(row));
          wg_v4_store(panel + k * NR + 4, wg_v4_load(row + 4));
          continue;
        }
        for (; j < jw; j++) panel[k * NR + j] = row[j];
        for (; j < NR; j++) panel[k * NR + j] = 0.f;
      }
    } else {
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

/* The MR×NR register tile: c (ldc) += a_panel · b_panel over kc, in increasing k. */
static void wg__kernel_4x8(int kc, const float *a, const float *b, float *c, int ldc) {
  wg_v4 c00 = wg_v4_load(c), c01 = wg_v4_load(c + 4);
  wg_v4 c10 = wg_v4_load(c + ldc), c11 = wg_v4_load(c + ldc + 4);
  wg_v4 c20 = wg_v4_load(c + 2 * ldc), c21 = wg_v4_load(c + 2 * ldc + 4);
  wg_v4 c30 = wg_v4_load(c + 3 * ldc), c31 = wg_v4_load(c + 3 * ldc + 4);
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

static void wg__gemm(int trans_a, int trans_b, int M, int N, int K, const float *A, int lda,
                     const float *B, int ldb, float *C, int ldc, int accumulate) {
  if (M <= 0 || N <= 0) return;
  if (!accumulate)
    for (int i = 0; i < M; i++) memset(C + (size_t)i * ldc, 0, sizeof(float) * (size_t)N);
  if (K <= 0) return;
  if (!wg__ensure_buffers()) {   /* out of memory: the scalar path needs no scratch */
    wg_gemm_ref(trans_a, trans_b, M, N, K, A, lda, B, ldb, C, ldc, 1);
    return;
  }
  float edge[MR * NR];
  for (int j0 = 0; j0 < N; j0 += NC) {
    int nc = N - j0 < NC ? N - j0 : NC;
    for (int k0 = 0; k0 < K; k0 += KC) {
      int kc = K - k0 < KC ? K - k0 : KC;
      wg__pack_b_block(wg__pack_b, B, ldb, trans_b, k0, kc, j0, nc);
      for (int i0 = 0; i0 < M; i0 += MR) {
        int mr = M - i0 < MR ? M - i0 : MR;
        wg__pack_a_strip(wg__pack_a, A, lda, trans_a, i0, mr, k0, kc);
        for (int p = 0; p * NR < nc; p++) {
          int jw = nc - p * NR < NR ? nc - p * NR : NR;
          float *c = C + (size_t)i0 * ldc + j0 + p * NR;
          const float *bp = wg__pack_b + (size_t)p * kc * NR;
          if (mr == MR && jw == NR) {
            wg__kernel_4x8(kc, wg__pack_a, bp, c, ldc);
          } else {   /* ragged edge: run the full tile on a copy, write back the valid part */
            memset(edge, 0, sizeof edge);
            for (int i = 0; i < mr; i++) memcpy(edge + i * NR, c + (size_t)i * ldc, sizeof(float) * jw);
            wg__kernel_4x8(kc, wg__pack_a, bp, edge, NR);
            for (int i = 0; i < mr; i++) memcpy(c + (size_t)i * ldc, edge + i * NR, sizeof(float) * jw);
          }
        }
      }
    }
  }
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
