/* test_augment.c — transform chains: parsing errors, exact fixed chains, and random augmentation
 * that is deterministic per stream and keeps images in range. */
#include <stdlib.h>
#include <string.h>
#include "augment.h"
#include "gradcheck.h"
#include "test.h"

static void test_parse_errors(void) {
  const char *cases[][2] = {
    {"flip:x", "flip takes h or v"}, {"rotate", "rotate takes 1 to 2 numbers, got 0"},
    {"crop:1,2", "crop takes 4 numbers, got 2"}, {"sharpen:2", "unknown operation \"sharpen\""},
    {"blur:-1", "non-negative"}, {"resize:a,b", "resize needs a number"}, {"", "no operations"},
  };
  wg_ops ops;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    CHECK_MSG(wg_ops_parse(&ops, cases[i][0], 0) == WG_ERR_ARG && strstr(wg_last_error(), cases[i][1]), "%s -> %s", cases[i][0], wg_last_error());
  CHECK(wg_ops_parse(&ops, "crop:24", 1) == WG_OK && ops.op[0].kind == WG_OP_CROP);
  CHECK(wg_ops_parse(&ops, "rot90:1", 1) == WG_ERR_ARG);   /* fixed-only op in the random reading */
  CHECK(wg_ops_parse(&ops, "flip:h,rotate:30,blur:1.5,crop:2,2,20,20,resize:40,40", 0) == WG_OK && ops.n == 5);
  CHECK(ops.op[3].n_args == 4 && ops.op[3].args[2] == 20 && ops.op[4].args[1] == 40);
}

static void test_fixed_chains_exact(void) {
  enum { C = 3, H = 7, W = 5 };
  float img[C * H * W], *out;
  unsigned seed = 1;
  fill_uniform(img, C * H * W, 0.f, 1.f, &seed);
  wg_ops ops;
  int h, w;
  wg_rng r; wg_rng_seed(&r, 1, 5);
  CHECK(wg_ops_parse(&ops, "flip:h,flip:v,flip:h,flip:v,rot90:1,rot90:3", 0) == WG_OK);
  CHECK(wg_ops_apply(&ops, img, C, H, W, &out, &h, &w, &r) == WG_OK);
  CHECK(h == H && w == W && memcmp(out, img, sizeof img) == 0);
  free(out);
  CHECK(wg_ops_parse(&ops, "rot90:1,crop:1,1,3,4", 0) == WG_OK);
  CHECK(wg_ops_apply(&ops, img, C, H, W, &out, &h, &w, &r) == WG_OK);
  CHECK(h == 4 && w == 3);
  free(out);
  CHECK(wg_ops_parse(&ops, "crop:4,4,4,4", 0) == WG_OK);
  CHECK(wg_ops_apply(&ops, img, C, H, W, &out, &h, &w, &r) == WG_ERR_ARG && out == NULL && strstr(wg_last_error(), "step 1: crop"));
}

static void test_augment_deterministic_and_in_range(void) {
  enum { C = 1, H = 16, W = 16 };
  float base[C * H * W], a[C * H * W], b[C * H * W], c[C * H * W];
  unsigned seed = 4;
  fill_uniform(base, C * H * W, 0.f, 1.f, &seed);
  wg_ops ops;
  CHECK(wg_ops_parse(&ops, "flip,rotate:15,crop:12,blur:1,jitter:0.1,0.2,noise:0.05", 1) == WG_OK);
  wg_rng r1, r2, r3;
  wg_rng_seed(&r1, 7, 5); wg_rng_seed(&r2, 7, 5); wg_rng_seed(&r3, 8, 5);
  memcpy(a, base, sizeof base); memcpy(b, base, sizeof base); memcpy(c, base, sizeof base);
  CHECK(wg_ops_augment(&ops, a, C, H, W, &r1) == WG_OK);
  CHECK(wg_ops_augment(&ops, b, C, H, W, &r2) == WG_OK);
  CHECK(wg_ops_augment(&ops, c, C, H, W, &r3) == WG_OK);
  CHECK(memcmp(a, b, sizeof a) == 0);
  CHECK(memcmp(a, c, sizeof a) != 0);
  CHECK(memcmp(a, base, sizeof a) != 0);
  for (int i = 0; i < C * H * W; i++) CHECK(a[i] >= 0.f && a[i] <= 1.f);
  CHECK(wg_ops_parse(&ops, "crop:20", 1) == WG_OK);
  CHECK(wg_ops_augment(&ops, a, C, H, W, &r1) == WG_ERR_ARG && strstr(wg_last_error(), "does not fit"));
}

/* rotate's fill: corners 0 by default, FILL when given, the edge pixels with `edge` — in the
 * fixed and the random reading alike. A constant image shows it: only the corners could change. */
static void test_rotate_fill(void) {
  enum { C = 2, H = 9, W = 11 };
  float img[C * H * W], *out;
  for (int i = 0; i < C * H * W; i++) img[i] = 0.5f;
  const struct { const char *ops; float corner; } cases[] = {{"rotate:45", 0.f}, {"rotate:45,0.75", 0.75f}, {"rotate:45,edge", 0.5f}};
  wg_ops ops;
  int h, w;
  wg_rng r; wg_rng_seed(&r, 1, 5);
  for (int k = 0; k < 3; k++) {
    CHECK(wg_ops_parse(&ops, cases[k].ops, 0) == WG_OK);
    CHECK(wg_ops_apply(&ops, img, C, H, W, &out, &h, &w, &r) == WG_OK);
    CHECK_MSG(out[0] == cases[k].corner && out[H * W + W - 1] == cases[k].corner, "%s: corner %g", cases[k].ops, (double)out[0]);
    CHECK(out[(H / 2) * W + W / 2] == 0.5f);
    free(out);
  }
  float aug[C * H * W];
  memcpy(aug, img, sizeof img);
  CHECK(wg_ops_parse(&ops, "rotate:40,edge", 1) == WG_OK && ops.op[0].edge);
  for (int t = 0; t < 5; t++) CHECK(wg_ops_augment(&ops, aug, C, H, W, &r) == WG_OK);
  for (int i = 0; i < C * H * W; i++) CHECK(aug[i] == 0.5f);
  CHECK(wg_ops_parse(&ops, "rotate:40,0.25", 1) == WG_OK);
  CHECK(wg_ops_augment(&ops, aug, C, H, W, &r) == WG_OK);
  int filled = 0;
  for (int i = 0; i < C * H * W; i++) filled += aug[i] != 0.5f;
  CHECK_MSG(filled > 0, "the random reading honours FILL");
  CHECK(wg_ops_parse(&ops, "rotate:30,edge,0.5", 0) == WG_ERR_ARG && strstr(wg_last_error(), "not both"));
  CHECK(wg_ops_parse(&ops, "rotate:30,0.5,edge", 0) == WG_ERR_ARG && strstr(wg_last_error(), "fill number or edge"));
  CHECK(wg_ops_parse(&ops, "blur:1,edge", 0) == WG_ERR_ARG);
}

void suite_augment(void) {
  RUN(test_rotate_fill);
  RUN(test_parse_errors);
  RUN(test_fixed_chains_exact);
  RUN(test_augment_deterministic_and_in_range);
}
