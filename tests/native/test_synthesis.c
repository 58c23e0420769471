/* test_synthesis.c — blending and diffusion fill: exact where exact, measured otherwise. */
#include <stdlib.h>
#include <string.h>
#include "gradcheck.h"
#include "synthesis.h"
#include "test.h"

static void test_alpha_blend(void) {
  float a[6] = {1, 1, 1, 0, 0, 0}, b[6] = {0, 0, 0, 1, 1, 1}, m[3] = {1, 0, 0.25f}, out[6];
  CHECK(wg_blend_alpha(out, a, b, m, 0, 2, 1, 3) == WG_OK);
  CHECK(out[0] == 1 && out[1] == 0 && out[2] == 0.25f && out[3] == 0 && out[4] == 1 && out[5] == 0.75f);
  CHECK(wg_blend_alpha(out, a, b, NULL, 0.5f, 2, 1, 3) == WG_OK && out[0] == 0.5f && out[5] == 0.5f);
  CHECK(wg_blend_alpha(out, a, b, NULL, 1.5f, 2, 1, 3) == WG_ERR_ARG && strstr(wg_last_error(), "alpha"));
}

static void test_pyramid_blend(void) {
  enum { C = 2, H = 37, W = 45 };
  float *a = malloc(sizeof(float) * C * H * W), *b = malloc(sizeof(float) * C * H * W);
  float *m = malloc(sizeof(float) * H * W), *out = malloc(sizeof(float) * C * H * W);
  unsigned seed = 3;
  fill_uniform(a, C * H * W, 0.f, 1.f, &seed);
  fill_uniform(b, C * H * W, 0.f, 1.f, &seed);
  /* A mask of ones reconstructs a: the pyramid collapses back exactly up to rounding. */
  for (int i = 0; i < H * W; i++) m[i] = 1.f;
  CHECK(wg_blend_pyramid(out, a, b, m, 0, C, H, W) == WG_OK);
  double worst = 0;
  for (int i = 0; i < C * H * W; i++) worst = fmax(worst, fabs(out[i] - a[i]));
  CHECK_MSG(worst < 1e-5, "ones mask: max diff %g", worst);
  /* Left half a, right half b: far from the seam each side keeps its image; near it, a mix. */
  for (int y = 0; y < H; y++) for (int x = 0; x < W; x++) m[y * W + x] = x < W / 2 ? 1.f : 0.f;
  CHECK(wg_blend_pyramid(out, a, b, m, 3, C, H, W) == WG_OK);
  double left = 0, right = 0;
  for (int c = 0; c < C; c++)
    for (int y = 0; y < H; y++) {
      left = fmax(left, fabs(out[(c * H + y) * W + 2] - a[(c * H + y) * W + 2]));
      right = fmax(right, fabs(out[(c * H + y) * W + W - 3] - b[(c * H + y) * W + W - 3]));
    }
  CHECK_MSG(left < 0.1 && right < 0.1, "edges: %g %g", left, right);
  CHECK(wg_blend_pyramid(out, a, b, m, 40, C, H, W) == WG_ERR_ARG && strstr(wg_last_error(), "levels"));
  CHECK(wg_blend_pyramid(out, a, b, NULL, 0, C, H, W) == WG_ERR_ARG);
  free(a); free(b); free(m); free(out);
}

static void test_diffusion_fill(void) {
  enum { H = 20, W = 24 };
  float img[H * W], truth[H * W], mask[H * W];
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      truth[y * W + x] = 0.1f + 0.03f * x + 0.01f * y;   /* harmonic: Laplace's solution is exact */
      int hole = x >= 6 && x < 16 && y >= 5 && y < 13;
      mask[y * W + x] = hole ? 1.f : 0.f;
      img[y * W + x] = hole ? 0.f : truth[y * W + x];
    }
  CHECK(wg_fill_diffusion(img, mask, 2000, 1, H, W) == WG_OK);
  double worst = 0;
  for (int i = 0; i < H * W; i++) {
    if (mask[i] == 0.f) CHECK(img[i] == truth[i]);   /* known pixels untouched */
    worst = fmax(worst, fabs(img[i] - truth[i]));
  }
  CHECK_MSG(worst < 1e-3, "max error %g", worst);
  CHECK(wg_fill_diffusion(img, mask, -1, 1, H, W) == WG_ERR_ARG);
}

/* A hole 100 pixels wide: from the mean of the known pixels, 60 Jacobi sweeps would barely move
 * its middle (information travels ~1 pixel per sweep); coarse to fine, they reach the solution. */
static void test_diffusion_fill_large_hole(void) {
  enum { H = 128, W = 128 };
  float *img = malloc(sizeof(float) * H * W), *truth = malloc(sizeof(float) * H * W), *mask = malloc(sizeof(float) * H * W);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      truth[y * W + x] = 0.1f + 0.006f * x + 0.001f * y;   /* harmonic */
      int hole = x >= 14 && x < 114 && y >= 14 && y < 114;
      mask[y * W + x] = hole ? 1.f : 0.f;
      img[y * W + x] = hole ? 0.f : truth[y * W + x];
    }
  CHECK(wg_fill_diffusion(img, mask, 60, 1, H, W) == WG_OK);
  double worst = 0;
  for (int i = 0; i < H * W; i++) worst = fmax(worst, fabs(img[i] - truth[i]));
  CHECK_MSG(worst < 0.02, "max error %g after 60 sweeps (values span 0.1 to 0.99)", worst);
  for (int i = 0; i < H * W; i++) mask[i] = 1.f;
  CHECK(wg_fill_diffusion(img, mask, 10, 1, H, W) == WG_OK && img[0] == 0.5f && img[H * W - 1] == 0.5f);
  free(img); free(truth); free(mask);
}

void suite_synthesis(void) {
  RUN(test_alpha_blend);
  RUN(test_pyramid_blend);
  RUN(test_diffusion_fill);
  RUN(test_diffusion_fill_large_hole);
}
