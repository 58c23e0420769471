/* rng.h — PCG32 random numbers with independent streams.
 *
 * Each model keeps one generator per purpose (weight init, data shuffling, noise, dropout,
 * augmentation), all derived from the user's seed with different stream ids, so that e.g. adding
 * augmentation never changes the shuffling order. Normals use the Marsaglia polar method, which
 * needs only our own logf and sqrtf (exactly rounded by IEEE), so draws match across builds.
 *
 *   wg_rng r; wg_rng_seed(&r, seed, WG_STREAM_NOISE);
 *   float u = wg_rng_uniform(&r);          // [0, 1)
 *   float n = wg_rng_normal(&r);           // N(0, 1)
 *   uint32_t k = wg_rng_below(&r, 10);      // 0..9, unbiased
 */
#ifndef WG_RNG_H
#define WG_RNG_H
#include <stdint.h>

enum { WG_STREAM_INIT = 1, WG_STREAM_SHUFFLE = 2, WG_STREAM_NOISE = 3, WG_STREAM_DROPOUT = 4,
       WG_STREAM_AUGMENT = 5, WG_STREAM_SAMPLE = 6, WG_STREAM_EVAL = 7,
       WG_STREAM_METRICS = 8 /* KID subsets */, WG_STREAM_DOMAIN_B = 9 /* second domain's draws */,
       WG_STREAM_FAMILY = 10 /* a family's own draws (CycleGAN's image pools) */ };

typedef struct {
  uint64_t state, inc;
  float spare; int has_spare;   /* second value of the last polar-method pair */
} wg_rng;

void wg_rng_seed(wg_rng *r, uint64_t seed, uint64_t stream);
uint32_t wg_rng_u32(wg_rng *r);
float wg_rng_uniform(wg_rng *r);
float wg_rng_normal(wg_rng *r);
uint32_t wg_rng_below(wg_rng *r, uint32_t n);
void wg_rng_fill_normal(wg_rng *r, float *out, int n, float mean, float std);

#endif
