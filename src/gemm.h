/* gemm.h — single-precision matrix products in the three layouts training needs.
 *
 * All matrices are row-major with a leading dimension (row stride, in floats).
 *   wg_gemm_nn: C (+)= A·B     A (M×K), B (K×N)   — dense forward of x·W when W is (in,out), dx = dy·W
 *   wg_gemm_nt: C (+)= A·Bᵀ    A (M×K), B (N×K)   — dense forward y = x·Wᵀ with W (out,in)
 *   wg_gemm_tn: C (+)= Aᵀ·B    A (K×M), B (K×N)   — weight gradient dW = dyᵀ·x
 * With accumulate = 0, C is overwritten; otherwise the product is added to it.
 *
 * Every element is computed as c = ((c0 + a0·b0) + a1·b1) + ... in increasing k, with separate
 * rounding of each product and sum (no FMA). The SIMD path (packed panels, 4×8 register tiles)
 * and the scalar reference wg_gemm_ref share this order, so they agree to the last bit, and so do
 * the wasm and native builds.
 *
 *   wg_gemm_nt(batch, out, in, x, in, w, in, y, out, 0);
 */
#ifndef WG_GEMM_H
#define WG_GEMM_H

void wg_gemm_nn(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                float *C, int ldc, int accumulate);
void wg_gemm_nt(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                float *C, int ldc, int accumulate);
void wg_gemm_tn(int M, int N, int K, const float *A, int lda, const float *B, int ldb,
                float *C, int ldc, int accumulate);

/* Scalar twin: trans_a / trans_b select the layouts above. Used by tests and as the definition. */
void wg_gemm_ref(int trans_a, int trans_b, int M, int N, int K, const float *A, int lda,
                 const float *B, int ldb, float *C, int ldc, int accumulate);

/* Allocates the packing buffers now (they are kept between calls to avoid per-call allocation),
 * so that later allocations are not interleaved with them; returns 0 when out of memory. */
int wg_gemm_reserve(void);
/* Releases the packing buffers. */
void wg_gemm_release(void);

#endif
