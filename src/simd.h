/* simd.h — the only place SIMD intrinsics appear: 4-wide float vectors for kernels, and 2-wide
 * double vectors (wg_d2: add, mul, lanes) for the float64 sums of the metrics.
 *
 * In wasm (-msimd128) the type is v128_t from <wasm_simd128.h>; natively it is SSE's __m128;
 * with WG_NO_SIMD (or on other targets) a plain struct of four floats. Every operation here is an
 * IEEE single-precision operation per lane (no fused multiply-add, no approximations), so a kernel
 * gives bit-identical results in all three builds, and kernels keep the reduction order of
 * their scalar twins.
 *
 *   wg_v4 acc = wg_v4_load(c);
 *   acc = wg_v4_add(acc, wg_v4_mul(wg_v4_splat(a), wg_v4_load(b)));
 *   wg_v4_store(c, acc);
 */
#ifndef WG_SIMD_H
#define WG_SIMD_H

#if defined(__wasm_simd128__) && !defined(WG_NO_SIMD)
#include <wasm_simd128.h>
#define WG_SIMD_NAME "wasm-simd128"
typedef v128_t wg_v4;
static inline wg_v4 wg_v4_load(const float *p) { return wasm_v128_load(p); }
static inline void wg_v4_store(float *p, wg_v4 v) { wasm_v128_store(p, v); }
static inline wg_v4 wg_v4_splat(float x) { return wasm_f32x4_splat(x); }
static inline wg_v4 wg_v4_load_splat(const float *p) { return wasm_v128_load32_splat(p); }
static inline wg_v4 wg_v4_zero(void) { return wasm_f32x4_const(0.f, 0.f, 0.f, 0.f); }
static inline wg_v4 wg_v4_add(wg_v4 a, wg_v4 b) { return wasm_f32x4_add(a, b); }
static inline wg_v4 wg_v4_sub(wg_v4 a, wg_v4 b) { return wasm_f32x4_sub(a, b); }
static inline wg_v4 wg_v4_mul(wg_v4 a, wg_v4 b) { return wasm_f32x4_mul(a, b); }
static inline wg_v4 wg_v4_div(wg_v4 a, wg_v4 b) { return wasm_f32x4_div(a, b); }
static inline wg_v4 wg_v4_sqrt(wg_v4 a) { return wasm_f32x4_sqrt(a); }
/* max(a, 0) written as a select so NaN handling matches the SSE and scalar versions. */
static inline wg_v4 wg_v4_gt_select(wg_v4 x, wg_v4 a, wg_v4 b) {
  return wasm_v128_bitselect(a, b, wasm_f32x4_gt(x, wasm_f32x4_const(0.f, 0.f, 0.f, 0.f)));
}
typedef v128_t wg_d2;
static inline wg_d2 wg_d2_load(const double *p) { return wasm_v128_load(p); }
static inline wg_d2 wg_d2_zero(void) { return wasm_f64x2_const(0.0, 0.0); }
static inline wg_d2 wg_d2_add(wg_d2 a, wg_d2 b) { return wasm_f64x2_add(a, b); }
static inline wg_d2 wg_d2_mul(wg_d2 a, wg_d2 b) { return wasm_f64x2_mul(a, b); }
static inline double wg_d2_lane0(wg_d2 a) { return wasm_f64x2_extract_lane(a, 0); }
static inline double wg_d2_lane1(wg_d2 a) { return wasm_f64x2_extract_lane(a, 1); }

#elif (defined(__SSE2__) || defined(_M_X64)) && !defined(WG_NO_SIMD)
#include <emmintrin.h>
#define WG_SIMD_NAME "sse2"
typedef __m128 wg_v4;
static inline wg_v4 wg_v4_load(const float *p) { return _mm_loadu_ps(p); }
static inline void wg_v4_store(float *p, wg_v4 v) { _mm_storeu_ps(p, v); }
static inline wg_v4 wg_v4_splat(float x) { return _mm_set1_ps(x); }
static inline wg_v4 wg_v4_load_splat(const float *p) { return _mm_load1_ps(p); }
static inline wg_v4 wg_v4_zero(void) { return _mm_setzero_ps(); }
static inline wg_v4 wg_v4_add(wg_v4 a, wg_v4 b) { return _mm_add_ps(a, b); }
static inline wg_v4 wg_v4_sub(wg_v4 a, wg_v4 b) { return _mm_sub_ps(a, b); }
static inline wg_v4 wg_v4_mul(wg_v4 a, wg_v4 b) { return _mm_mul_ps(a, b); }
static inline wg_v4 wg_v4_div(wg_v4 a, wg_v4 b) { return _mm_div_ps(a, b); }
static inline wg_v4 wg_v4_sqrt(wg_v4 a) { return _mm_sqrt_ps(a); }
static inline wg_v4 wg_v4_gt_select(wg_v4 x, wg_v4 a, wg_v4 b) {
  __m128 m = _mm_cmpgt_ps(x, _mm_setzero_ps());
  return _mm_or_ps(_mm_and_ps(m, a), _mm_andnot_ps(m, b));
}
typedef __m128d wg_d2;
static inline wg_d2 wg_d2_load(const double *p) { return _mm_loadu_pd(p); }
static inline wg_d2 wg_d2_zero(void) { return _mm_setzero_pd(); }
static inline wg_d2 wg_d2_add(wg_d2 a, wg_d2 b) { return _mm_add_pd(a, b); }
static inline wg_d2 wg_d2_mul(wg_d2 a, wg_d2 b) { return _mm_mul_pd(a, b); }
static inline double wg_d2_lane0(wg_d2 a) { return _mm_cvtsd_f64(a); }
static inline double wg_d2_lane1(wg_d2 a) { return _mm_cvtsd_f64(_mm_unpackhi_pd(a, a)); }

#else
#define WG_SIMD_NAME "scalar"
typedef struct { float v[4]; } wg_v4;
static inline wg_v4 wg_v4_load(const float *p) { wg_v4 r; for (int i = 0; i < 4; i++) r.v[i] = p[i]; return r; }
static inline void wg_v4_store(float *p, wg_v4 a) { for (int i = 0; i < 4; i++) p[i] = a.v[i]; }
static inline wg_v4 wg_v4_splat(float x) { wg_v4 r; for (int i = 0; i < 4; i++) r.v[i] = x; return r; }
static inline wg_v4 wg_v4_load_splat(const float *p) { return wg_v4_splat(*p); }
static inline wg_v4 wg_v4_zero(void) { return wg_v4_splat(0.f); }
#define WG__V4_BINOP(name, expr) \
  static inline wg_v4 name(wg_v4 a, wg_v4 b) { wg_v4 r; for (int i = 0; i < 4; i++) { float x = a.v[i], y = b.v[i]; r.v[i] = (expr); } return r; }
WG__V4_BINOP(wg_v4_add, x + y)
WG__V4_BINOP(wg_v4_sub, x - y)
WG__V4_BINOP(wg_v4_mul, x * y)
WG__V4_BINOP(wg_v4_div, x / y)
#undef WG__V4_BINOP
#include <math.h>
static inline wg_v4 wg_v4_sqrt(wg_v4 a) { wg_v4 r; for (int i = 0; i < 4; i++) r.v[i] = sqrtf(a.v[i]); return r; }
static inline wg_v4 wg_v4_gt_select(wg_v4 x, wg_v4 a, wg_v4 b) {
  wg_v4 r; for (int i = 0; i < 4; i++) r.v[i] = x.v[i] > 0.f ? a.v[i] : b.v[i]; return r;
}
typedef struct { double v[2]; } wg_d2;
static inline wg_d2 wg_d2_load(const double *p) { wg_d2 r = {{p[0], p[1]}}; return r; }
static inline wg_d2 wg_d2_zero(void) { wg_d2 r = {{0.0, 0.0}}; return r; }
static inline wg_d2 wg_d2_add(wg_d2 a, wg_d2 b) { wg_d2 r = {{a.v[0] + b.v[0], a.v[1] + b.v[1]}}; return r; }
static inline wg_d2 wg_d2_mul(wg_d2 a, wg_d2 b) { wg_d2 r = {{a.v[0] * b.v[0], a.v[1] * b.v[1]}}; return r; }
static inline double wg_d2_lane0(wg_d2 a) { return a.v[0]; }
static inline double wg_d2_lane1(wg_d2 a) { return a.v[1]; }
#endif

#endif
