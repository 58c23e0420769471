/* test_optim.c — Adam's SIMD update against its scalar twin, and both optimisers on a quadratic. */
#include <stdlib.h>
#include <string.h>
#include "gradcheck.h"
#include "optim.h"
#include "test.h"

static void test_adam_simd_matches_scalar(void) {
  enum { N = 103 };   /* not a multiple of 4: exercises the tail */
  float p1[N], p2[N], g[N], m1[N], m2[N], v1[N], v2[N];
  unsigned seed = 2;
  fill_uniform(p1, N, -1.f, 1.f, &seed);
  fill_uniform(g, N, -1.f, 1.f, &seed);
  fill_uniform(m1, N, -0.1f, 0.1f, &seed);
  fill_uniform(v1, N, 0.f, 0.1f, &seed);
  memcpy(p2, p1, sizeof p1); memcpy(m2, m1, sizeof m1); memcpy(v2, v1, sizeof v1);
  wg_optim_config cfg = {WG_OPTIM_ADAM, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.f};
  wg_optim_state st; wg_optim_state_init(&st);
  wg_optim_step(&cfg, &st, p1, g, m1, v1, N);
  wg_adam_update_ref(p2, g, m2, v2, N, 1e-3f, 0.9f, 0.999f, 1e-8f, 1.f - 0.9f, 1.f - 0.999f);
  CHECK(memcmp(p1, p2, sizeof p1) == 0 && memcmp(m1, m2, sizeof m1) == 0 && memcmp(v1, v2, sizeof v1) == 0);
}

static void test_first_adam_step_is_lr_sign(void) {
  /* With bias correction, Adam's first step is lr * g/|g| (up to eps). */
  float p[3] = {1.f, 1.f, 1.f}, g[3] = {0.5f, -2.f, 1e-3f}, m[3] = {0}, v[3] = {0};
  wg_optim_config cfg = {WG_OPTIM_ADAM, 0.1f, 0.5f, 0.999f, 1e-8f, 0.f};
  wg_optim_state st; wg_optim_state_init(&st);
  wg_optim_step(&cfg, &st, p, g, m, v, 3);
  CHECK_NEAR(p[0], 0.9, 1e-5);
  CHECK_NEAR(p[1], 1.1, 1e-5);
  CHECK_NEAR(p[2], 0.9, 1e-4);
}

static void test_optimisers_minimise_quadratic(void) {
  for (int kind = 0; kind < 2; kind++) {
    float p[8], g[8], m[8] = {0}, v[8] = {0};
    for (int i = 0; i < 8; i++) p[i] = (float)(i - 4);
    wg_optim_config cfg = {kind ? WG_OPTIM_SGD : WG_OPTIM_ADAM, kind ? 0.05f : 0.1f, 0.9f, 0.999f, 1e-8f, 0.9f};
    wg_optim_state st; wg_optim_state_init(&st);
    for (int t = 0; t < 500; t++) {
      for (int i = 0; i < 8; i++) g[i] = 2.f * (p[i] - 1.f);   /* d/dp (p-1)^2 */
      wg_optim_step(&cfg, &st, p, g, m, v, 8);
    }
    for (int i = 0; i < 8; i++) CHECK_NEAR(p[i], 1.0, 1e-2);
  }
}

void suite_optim(void) {
  RUN(test_adam_simd_matches_scalar);
  RUN(test_first_adam_step_is_lr_sign);
  RUN(test_optimisers_minimise_quadratic);
}
