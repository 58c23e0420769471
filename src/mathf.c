/* mathf.c — portable expf/logf/tanhf built from +, -, *, / and bit operations only.
 *
 * Range reduction plus minimax polynomials with the classic Cephes single-precision
 * coefficients. Written so the compiler cannot contract or reorder (we build with
 * -ffp-contract=off), which makes the result identical in wasm and native builds.
 */
#include "mathf.h"
#include <stdint.h>
#include <string.h>

static inline uint32_t wg__bits(float x) { uint32_t u; memcpy(&u, &x, 4); return u; }
static inline float wg__float(uint32_t u) { float x; memcpy(&x, &u, 4); return x; }
/* 2^n for n in [-126, 127], exact. */
static inline float wg__pow2i(int n) { return wg__float((uint32_t)(n + 127) << 23); }

float wg_expf(float x) {
  if (x != x) return x;
  if (x > 88.72283935546875f) return wg__float(0x7f800000u);  /* overflow to +inf */
  if (x < -103.972084045410f) return 0.f;                     /* underflow to 0 */
  /* x = n ln2 + r with |r| <= ln2/2; ln2 split in two so n*ln2_hi is exact. */
  float fn = x * 1.44269504088896341f;
  int n = (int)(fn >= 0.f ? fn + 0.5f : fn - 0.5f);
  float r = x - (float)n * 0.693359375f;
  r = r - (float)n * -2.12194440e-4f;
  float z = r * r;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * z + r;
  p = p + 1.f;
  if (n > 127) return p * wg__pow2i(127) * wg__pow2i(n - 127);
  if (n < -126) return p * wg__pow2i(n + 64) * wg__pow2i(-64);
  return p * wg__pow2i(n);
}

float wg_logf(float x) {
  uint32_t u = wg__bits(x);
  if (x != x) return x;
  if (x < 0.f) return wg__float(0x7fc00000u);                 /* NaN */
  if (x == 0.f) return wg__float(0xff800000u);                /* -inf */
  if (u == 0x7f800000u) return x;                             /* +inf */
  int e = 0;
  if (u < 0x00800000u) { x *= 8388608.f; u = wg__bits(x); e = -23; }  /* subnormal */
  /* x = m * 2^e with m in [sqrt(1/2), sqrt(2)) so the polynomial argument is small. */
  e += (int)(u >> 23) - 126;
  float m = wg__float((u & 0x007fffffu) | 0x3f000000u);       /* [0.5, 1) */
  if (m < 0.707106781186547524f) { e -= 1; m = m + m - 1.f; } else { m = m - 1.f; }
  float z = m * m;
  float y = 7.0376836292e-2f;
  y = y * m + -1.1514610310e-1f;
  y = y * m + 1.1676998740e-1f;
  y = y * m + -1.2420140846e-1f;
  y = y * m + 1.4249322787e-1f;
  y = y * m + -1.6668057665e-1f;
  y = y * m + 2.0000714765e-1f;
  y = y * m + -2.4999993993e-1f;
  y = y * m + 3.3333331174e-1f;
  y = y * m * z;
  float fe = (float)e;
  y = y + fe * -2.12194440e-4f;
  y = y - 0.5f * z;
  float r = m + y;
  return r + fe * 0.693359375f;
}

float wg_log1pf(float x) {
  /* Goldberg's trick: u = 1 + x rounds, but log(u) * x / (u - 1) cancels the rounding error. */
  float u = 1.f + x;
  if (u == 1.f) return x;
  if (u == wg__float(0x7f800000u)) return u;
  return wg_logf(u) * (x / (u - 1.f));
}

float wg_tanhf(float x) {
  if (x != x) return x;
  float a = x < 0.f ? -x : x;
  if (a < 0.625f) {
    float z = x * x;
    float p = -5.70498872745e-3f;
    p = p * z + 2.06390887954e-2f;
    p = p * z + -5.37397155531e-2f;
    p = p * z + 1.33314422036e-1f;
    p = p * z + -3.33332819422e-1f;
    return p * z * x + x;
  }
  float t = a > 9.f ? 1.f : 1.f - 2.f / (wg_expf(a + a) + 1.f);
  return x < 0.f ? -t : t;
}

float wg_sigmoidf(float x) {
  if (x >= 0.f) return 1.f / (1.f + wg_expf(-x));
  float e = wg_expf(x);
  return e / (1.f + e);
}

float wg_softplusf(float x) {
  float a = x < 0.f ? -x : x;
  float tail = wg_log1pf(wg_expf(-a));
  return x > 0.f ? x + tail : tail;
}
