/* rng.c — PCG32 (O'Neill's XSH-RR output) and the polar method for normals. */
#include "rng.h"
#include <math.h>
#include "mathf.h"

uint32_t wg_rng_u32(wg_rng *r) {
  uint64_t old = r->state;
  r->state = old * 6364136223846793005ULL + r->inc;
  uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
  uint32_t rot = (uint32_t)(old >> 59u);
  return (xorshifted >> rot) | (xorshifted << ((32u - rot) & 31u));
}

void wg_rng_seed(wg_rng *r, uint64_t seed, uint64_t stream) {
  r->state = 0;
  r->inc = (stream << 1u) | 1u;
  r->has_spare = 0;
  r->spare = 0.f;
  wg_rng_u32(r);
  r->state += seed;
  wg_rng_u32(r);
}

float wg_rng_uniform(wg_rng *r) { return (float)(wg_rng_u32(r) >> 8) * (1.f / 16777216.f); }

uint32_t wg_rng_below(wg_rng *r, uint32_t n) {
  /* Lemire-free rejection: drop the top partial range so every value is equally likely. */
  uint32_t limit = (uint32_t)(-n) % n;
  for (;;) {
    uint32_t x = wg_rng_u32(r);
    if (x >= limit) return x % n;
  }
}

float wg_rng_normal(wg_rng *r) {
  if (r->has_spare) { r->has_spare = 0; return r->spare; }
  for (;;) {
    float u = 2.f * wg_rng_uniform(r) - 1.f;
    float v = 2.f * wg_rng_uniform(r) - 1.f;
    float s = u * u + v * v;
    if (s >= 1.f || s == 0.f) continue;
    float f = sqrtf(-2.f * wg_logf(s) / s);
    r->spare = v * f;
    r->has_spare = 1;
    return u * f;
  }
}

void wg_rng_fill_normal(wg_rng *r, float *out, int n, float mean, float std) {
  for (int i = 0; i < n; i++) out[i] = mean + std * wg_rng_normal(r);
}
