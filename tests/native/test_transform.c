/* test_transform.c — image transforms (src/transform.h): SciPy / Pillow references from
 * tests/reference/transform_fixtures (make_transform_fixtures.py), SIMD blur kernels against
 * their scalar twins bit for bit, exact flips / quarter turns / crops, identities, random
 * transforms' reproducibility and statistics, and argument errors.
 *
 * Reference tolerances (max |ours - reference| over all values, images in [0, 1)):
 *   gaussian, box   1e-5    vs SciPy in float64 (measured 2.6e-7 and 9.4e-8: float32 weights
 *                           and sums)
 *   rotate          0       vs Pillow mode 'F': bit-identical, as the README says (the same double
 *                           arithmetic; our cos/sin could in principle differ from Pillow's libm
 *                           by 1e-15 and move a rounding, but no fixture shows it, native or wasm)
 *   resize bilinear 0       vs Pillow mode 'F': bit-identical (same reasoning)
 *   resize area     0       vs Pillow BOX for integer ratios (measured 0); 1e-6 vs the exact area
 *                           mean in float64 for fractional ratios (measured 4.5e-8: our float
 *                           intermediate between the two passes)
 * Pillow's outputs are compared after rounding the stored decimals back to float.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "rng.h"
#include "fixture.h"
#include "test.h"
#include "transform.h"

/* ---- helpers -------------------------------------------------------------------------------- */

static const char *fixture_dir(void) {
  const char *d = getenv("WG_TRANSFORM_FIXTURES");
  return d ? d : "tests/reference/transform_fixtures";
}

static float *json_floats(const wg_json *arr, size_t *n) {
  if (!arr || arr->type != WG_JSON_ARRAY) return NULL;
  float *out = malloc(sizeof(float) * (arr->length + 1));
  for (size_t i = 0; i < arr->length; i++) out[i] = (float)arr->items[i].number;
  if (n) *n = arr->length;
  return out;
}

static double json_num(const wg_json *obj, const char *key) {
  const wg_json *v = wg_json_get(obj, key);
  return v && v->type == WG_JSON_NUMBER ? v->number : 0.0;
}

/* max |got - ref|; as_float compares with the reference rounded to float (Pillow's outputs are
 * float32, stored as 9-digit decimals that round back to exactly those floats). */
static double max_abs_diff_json(const float *got, const wg_json *ref, size_t n, int as_float) {
  if (!ref || ref->type != WG_JSON_ARRAY || ref->length != n) return 1e30;
  double m = 0;
  for (size_t i = 0; i < n; i++) {
    double r = as_float ? (double)(float)ref->items[i].number : ref->items[i].number;
    double d = fabs((double)got[i] - r);
    if (!(d <= m)) m = d != d ? 1e30 : d;
  }
  return m;
}

static void fill_uniform(float *x, size_t n, uint64_t seed) {
  wg_rng r;
  wg_rng_seed(&r, seed, WG_STREAM_EVAL);
  for (size_t i = 0; i < n; i++) x[i] = wg_rng_uniform(&r);
}

static int same_bits(const float *a, const float *b, size_t n) { return memcmp(a, b, sizeof(float) * n) == 0; }

/* ---- reference fixtures ------------------------------------------------------------------------ */

typedef struct { const char *op; double tol, worst; int cases; } op_stats;

static void test_transform_fixtures(void) {
  char path[512];
  snprintf(path, sizeof path, "%s/MANIFEST", fixture_dir());
  size_t mlen;
  char *manifest = read_text(path, &mlen);
  CHECK_MSG(manifest != NULL, "cannot read %s (run from the repository root)", path);
  op_stats stats[] = {{"gaussian", 1e-5, 0, 0}, {"box", 1e-5, 0, 0}, {"rotate", 0, 0, 0},
                      {"resize bilinear", 0, 0, 0}, {"resize area (Pillow BOX)", 0, 0, 0},
                      {"resize area (exact)", 1e-6, 0, 0}};
  double worst_coef = 0, worst_offset = 0, box_vs_pillow = 0;
  int failures = 0, total = 0;
  for (char *line = strtok(manifest, "\n"); line; line = strtok(NULL, "\n")) {
    if (!*line) continue;
    snprintf(path, sizeof path, "%s/%s", fixture_dir(), line);
    size_t len;
    char *text = read_text(path, &len);
    CHECK_MSG(text != NULL, "cannot read %s", path);
    wg_json *doc = NULL;
    wg_status pst = wg_json_parse(text, len, &doc);
    free(text);
    CHECK_MSG(pst == WG_OK, "%s: %s", path, wg_last_error());
    const char *op = wg_json_get(doc, "op")->string, *name = wg_json_get(doc, "name")->string;
    const wg_json *p = wg_json_get(doc, "params"), *ishape = wg_json_get(doc, "input_shape");
    const wg_json *oshape = wg_json_get(doc, "output_shape");
    int C = (int)ishape->items[0].number, H = (int)ishape->items[1].number, W = (int)ishape->items[2].number;
    size_t n_in, n_out = (size_t)(oshape->items[0].number * oshape->items[1].number * oshape->items[2].number);
    float *x = json_floats(wg_json_get(doc, "input"), &n_in);
    float *y = calloc(n_out + 1, sizeof(float));
    wg_status st = WG_ERR_STATE;
    op_stats *s = NULL;
    if (!strcmp(op, "gaussian")) {
      s = &stats[0];
      st = wg_gaussian_blur(y, x, C, H, W, (float)json_num(p, "sigma"));
      if (wg_gaussian_radius((float)json_num(p, "sigma")) != (int)json_num(p, "radius")) {
        fprintf(stderr, "  %s: radius %d, SciPy %d\n", name, wg_gaussian_radius((float)json_num(p, "sigma")),
                (int)json_num(p, "radius"));
        failures++;
      }
    } else if (!strcmp(op, "box")) {
      s = &stats[1];
      st = wg_box_blur(y, x, C, H, W, (int)json_num(p, "radius"));
    } else if (!strcmp(op, "rotate")) {
      s = &stats[2];
      double angle = json_num(p, "angle"), m[6];
      st = wg_rotate(y, x, C, H, W, angle, WG_FILL_CONSTANT, (float)json_num(p, "fill"));
      wg_rotation_matrix(m, H, W, angle);
      const wg_json *pm = wg_json_get(doc, "matrix");
      for (int i = 0; i < 6; i++) {
        double d = fabs(m[i] - pm->items[i].number);
        if (i == 2 || i == 5) { if (d > worst_offset) worst_offset = d; }
        else if (d > worst_coef) worst_coef = d;
      }
    } else if (!strcmp(op, "resize")) {
      const char *filter = wg_json_get(p, "filter")->string;
      const char *ref = wg_json_get(doc, "reference")->string;
      int area = !strcmp(filter, "area");
      s = !area ? &stats[3] : strstr(ref, "BOX") ? &stats[4] : &stats[5];
      st = wg_resize(y, x, C, H, W, (int)json_num(p, "out_w"), (int)json_num(p, "out_h"),
                     area ? WG_RESIZE_AREA : WG_RESIZE_BILINEAR);
      const wg_json *pb = wg_json_get(doc, "pillow_box");
      if (pb) {
        double d = max_abs_diff_json(y, pb, n_out, 1);
        if (d > box_vs_pillow) box_vs_pillow = d;
      }
    }
    total++;
    if (!s || st != WG_OK) {
      fprintf(stderr, "  %s: %s\n", name, s ? wg_last_error() : "unknown op");
      failures++;
    } else {
      int pillow = !strncmp(wg_json_get(doc, "reference")->string, "PIL", 3);
      double d = max_abs_diff_json(y, wg_json_get(doc, "output"), n_out, pillow);
      if (d > s->worst) s->worst = d;
      s->cases++;
      if (d > s->tol) {
        fprintf(stderr, "  %s: max |diff| %.3g > %.3g\n", name, d, s->tol);
        failures++;
      }
    }
    free(x);
    free(y);
    wg_json_free(doc);
  }
  free(manifest);
  for (size_t i = 0; i < sizeof stats / sizeof stats[0]; i++)
    printf("# transform %-26s %2d cases, max |diff| %.3g (tolerance %.3g)\n", stats[i].op, stats[i].cases,
           stats[i].worst, stats[i].tol);
  printf("# rotation matrix vs Pillow: cos/sin max |diff| %.3g, offsets %.3g\n", worst_coef, worst_offset);
  printf("# (exact area vs Pillow BOX on fractional ratios differs by up to %.3g: not the same filter)\n",
         box_vs_pillow);
  CHECK(total >= 30);
  CHECK(failures == 0);
  CHECK(worst_coef <= 2e-15);
  CHECK(worst_offset <= 1e-13);
}

/* ---- SIMD vs scalar ----------------------------------------------------------------------------- */

static void test_blur_simd_matches_scalar(void) {
  static const int sizes[][3] = {{1, 1, 1}, {1, 1, 9}, {1, 7, 1}, {3, 5, 3}, {1, 4, 4}, {2, 6, 5},
                                 {3, 9, 13}, {1, 16, 17}, {3, 31, 30}, {1, 3, 64}};
  static const float sigmas[] = {0.1f, 0.5f, 0.8f, 1.f, 1.5f, 2.2f, 3.f, 7.3f};
  static const int radii[] = {0, 1, 2, 3, 5, 12};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    int C = sizes[s][0], H = sizes[s][1], W = sizes[s][2];
    size_t n = (size_t)C * H * W;
    float *x = malloc(sizeof(float) * n), *a = malloc(sizeof(float) * n), *b = malloc(sizeof(float) * n);
    fill_uniform(x, n, 100 + s);
    for (size_t k = 0; k < sizeof sigmas / sizeof sigmas[0]; k++) {
      CHECK(wg_gaussian_blur(a, x, C, H, W, sigmas[k]) == WG_OK);
      CHECK(wg_gaussian_blur_ref(b, x, C, H, W, sigmas[k]) == WG_OK);
      CHECK_MSG(same_bits(a, b, n), "gaussian sigma %g on %dx%dx%d", (double)sigmas[k], C, H, W);
    }
    for (size_t k = 0; k < sizeof radii / sizeof radii[0]; k++) {
      CHECK(wg_box_blur(a, x, C, H, W, radii[k]) == WG_OK);
      CHECK(wg_box_blur_ref(b, x, C, H, W, radii[k]) == WG_OK);
      CHECK_MSG(same_bits(a, b, n), "box radius %d on %dx%dx%d", radii[k], C, H, W);
    }
    free(x); free(a); free(b);
  }
}

static void test_blur_properties(void) {
  enum { C = 3, H = 11, W = 10, N = C * H * W };
  float x[N], a[N], b[N], w[16];
  fill_uniform(x, N, 7);
  /* in place == out of place */
  CHECK(wg_gaussian_blur(a, x, C, H, W, 1.3f) == WG_OK);
  memcpy(b, x, sizeof b);
  CHECK(wg_gaussian_blur(b, b, C, H, W, 1.3f) == WG_OK);
  CHECK(same_bits(a, b, N));
  CHECK(wg_box_blur(a, x, C, H, W, 2) == WG_OK);
  memcpy(b, x, sizeof b);
  CHECK(wg_box_blur_ref(b, b, C, H, W, 2) == WG_OK);
  CHECK(same_bits(a, b, N));
  /* radius 0 copies; a tiny sigma has radius 0 (SciPy's rule int(4 sigma + 0.5)) */
  CHECK(wg_box_blur(a, x, C, H, W, 0) == WG_OK);
  CHECK(same_bits(a, x, N));
  CHECK(wg_gaussian_radius(0.1f) == 0 && wg_gaussian_radius(0.125f) == 1 && wg_gaussian_radius(1.5f) == 6);
  CHECK(wg_gaussian_radius(0.3f) == 1);   /* ceil(4 sigma) would say 2; SciPy rounds */
  CHECK(wg_gaussian_blur(a, x, C, H, W, 0.1f) == WG_OK);
  CHECK(same_bits(a, x, N));
  /* weights are symmetric-normalised and decreasing */
  CHECK(wg_gaussian_weights(w, 2.f) == WG_OK);
  double sum = w[0];
  for (int j = 1; j <= 8; j++) { sum += 2.0 * w[j]; CHECK(w[j] < w[j - 1]); }
  CHECK_NEAR(sum, 1.0, 1e-6);
  /* a constant image stays constant; a blur keeps the mean of a periodic-ish image close */
  for (int i = 0; i < N; i++) x[i] = 0.625f;
  CHECK(wg_gaussian_blur(a, x, C, H, W, 2.5f) == WG_OK);
  CHECK(wg_box_blur(b, x, C, H, W, 3) == WG_OK);
  for (int i = 0; i < N; i++) { CHECK_NEAR(a[i], 0.625, 1e-6); CHECK_NEAR(b[i], 0.625, 1e-6); }
}

/* ---- exact geometry ----------------------------------------------------------------------------- */

static void test_flips_exact(void) {
  enum { C = 2, H = 3, W = 5, N = C * H * W };
  float x[N], a[N], b[N];
  for (int i = 0; i < N; i++) x[i] = (float)i;
  CHECK(wg_flip_horizontal(a, x, C, H, W) == WG_OK);
  CHECK(wg_flip_vertical(b, x, C, H, W) == WG_OK);
  for (int c = 0; c < C; c++)
    for (int y = 0; y < H; y++)
      for (int xx = 0; xx < W; xx++) {
        CHECK(a[(c * H + y) * W + xx] == x[(c * H + y) * W + (W - 1 - xx)]);
        CHECK(b[(c * H + y) * W + xx] == x[(c * H + (H - 1 - y)) * W + xx]);
      }
  /* in place, and twice = identity, for even and odd sides */
  for (int h = 1; h <= 4; h++)
    for (int w = 1; w <= 4; w++) {
      memcpy(a, x, sizeof a);
      CHECK(wg_flip_horizontal(a, a, 1, h, w) == WG_OK);
      CHECK(wg_flip_vertical(a, a, 1, h, w) == WG_OK);
      CHECK(wg_rot90(b, x, 1, h, w, 2) == WG_OK);   /* both flips = half turn */
      CHECK(same_bits(a, b, (size_t)h * w));
      CHECK(wg_flip_vertical(a, a, 1, h, w) == WG_OK);
      CHECK(wg_flip_horizontal(a, a, 1, h, w) == WG_OK);
      CHECK(same_bits(a, x, (size_t)h * w));
    }
}

static void test_rot90_exact(void) {
  /* numpy.rot90([[0,1,2],[3,4,5]]) = [[2,5],[1,4],[0,3]]; k=3: [[3,0],[4,1],[5,2]] */
  const float m[6] = {0, 1, 2, 3, 4, 5};
  const float k1[6] = {2, 5, 1, 4, 0, 3}, k3[6] = {3, 0, 4, 1, 5, 2}, k2[6] = {5, 4, 3, 2, 1, 0};
  float o[6];
  CHECK(wg_rot90(o, m, 1, 2, 3, 1) == WG_OK && same_bits(o, k1, 6));
  CHECK(wg_rot90(o, m, 1, 2, 3, 3) == WG_OK && same_bits(o, k3, 6));
  CHECK(wg_rot90(o, m, 1, 2, 3, -1) == WG_OK && same_bits(o, k3, 6));
  CHECK(wg_rot90(o, m, 1, 2, 3, 2) == WG_OK && same_bits(o, k2, 6));
  CHECK(wg_rot90(o, m, 1, 2, 3, 4) == WG_OK && same_bits(o, m, 6));
  CHECK(wg_rot90(o, m, 1, 2, 3, -8) == WG_OK && same_bits(o, m, 6));
  /* four quarter turns of a non-square RGB image = identity */
  enum { C = 3, H = 5, W = 7, N = C * H * W };
  float x[N], a[N], b[N];
  fill_uniform(x, N, 11);
  CHECK(wg_rot90(a, x, C, H, W, 1) == WG_OK);
  CHECK(wg_rot90(b, a, C, W, H, 1) == WG_OK);
  CHECK(wg_rot90(a, b, C, H, W, 1) == WG_OK);
  CHECK(wg_rot90(b, a, C, W, H, 1) == WG_OK);
  CHECK(same_bits(b, x, N));
}

static void test_rotate_identities(void) {
  enum { C = 3, H = 9, W = 13, N = C * H * W, S = 10, NS = C * S * S };
  float x[N], a[N], xs[NS], p[NS], q[NS];
  fill_uniform(x, N, 21);
  static const double zero_angles[] = {0.0, -0.0, 360.0, -720.0, 1080.0};
  for (size_t i = 0; i < sizeof zero_angles / sizeof zero_angles[0]; i++) {
    CHECK(wg_rotate(a, x, C, H, W, zero_angles[i], WG_FILL_CONSTANT, 0.f) == WG_OK);
    CHECK_MSG(same_bits(a, x, N), "angle %g", zero_angles[i]);
    CHECK(wg_rotate(a, x, C, H, W, zero_angles[i], WG_FILL_NEAREST, 0.f) == WG_OK);
    CHECK(same_bits(a, x, N));
  }
  /* 180 degrees on any size is the exact half turn */
  float h[N];
  CHECK(wg_rotate(a, x, C, H, W, 180.0, WG_FILL_CONSTANT, 0.f) == WG_OK);
  CHECK(wg_rot90(h, x, C, H, W, 2) == WG_OK);
  CHECK(same_bits(a, h, N));
  CHECK(wg_rotate(a, x, C, H, W, -180.0, WG_FILL_CONSTANT, 0.f) == WG_OK);
  CHECK(same_bits(a, h, N));
  /* on a square image 90 degrees = numpy.rot90 (k=1), -90 = k=3, and 4 x 90 = identity */
  for (int side = 1; side <= S; side += 3) {   /* 1, 4, 7, 10: odd and even */
    int n = C * side * side;
    fill_uniform(xs, (size_t)n, 30 + side);
    CHECK(wg_rotate(p, xs, C, side, side, 90.0, WG_FILL_CONSTANT, -1.f) == WG_OK);
    CHECK(wg_rot90(q, xs, C, side, side, 1) == WG_OK);
    CHECK_MSG(same_bits(p, q, (size_t)n), "90 degrees on %dx%d", side, side);
    CHECK(wg_rotate(p, xs, C, side, side, -90.0, WG_FILL_CONSTANT, -1.f) == WG_OK);
    CHECK(wg_rot90(q, xs, C, side, side, 3) == WG_OK);
    CHECK(same_bits(p, q, (size_t)n));
    memcpy(p, xs, sizeof(float) * (size_t)n);
    for (int t = 0; t < 4; t++) {
      CHECK(wg_rotate(q, p, C, side, side, 90.0, WG_FILL_CONSTANT, -1.f) == WG_OK);
      memcpy(p, q, sizeof(float) * (size_t)n);
    }
    CHECK(same_bits(p, xs, (size_t)n));
  }
  /* the angle is periodic: 30 and 30 + 360 k give the same bits */
  float b[N];
  CHECK(wg_rotate(a, x, C, H, W, 30.0, WG_FILL_CONSTANT, 0.f) == WG_OK);
  CHECK(wg_rotate(b, x, C, H, W, 750.0, WG_FILL_CONSTANT, 0.f) == WG_OK);
  CHECK(same_bits(a, b, N));
  CHECK(wg_rotate(b, x, C, H, W, -330.0, WG_FILL_CONSTANT, 0.f) == WG_OK);
  CHECK(same_bits(a, b, N));
}

static void test_rotate_fill_modes(void) {
  enum { C = 2, H = 8, W = 11, N = C * H * W };
  float x[N], cst[N], near[N];
  /* nearest-edge fill of a constant image stays constant at any angle */
  for (int i = 0; i < N; i++) x[i] = 0.375f;
  CHECK(wg_rotate(near, x, C, H, W, 37.0, WG_FILL_NEAREST, 0.f) == WG_OK);
  for (int i = 0; i < N; i++) CHECK(near[i] == 0.375f);
  /* where the constant fill did not apply, both modes agree exactly; elsewhere nearest-edge
   * values stay within the input range */
  fill_uniform(x, N, 41);
  static const double angles[] = {15.0, -45.0, 123.4, 271.0};
  for (size_t k = 0; k < sizeof angles / sizeof angles[0]; k++) {
    CHECK(wg_rotate(cst, x, C, H, W, angles[k], WG_FILL_CONSTANT, -7.f) == WG_OK);
    CHECK(wg_rotate(near, x, C, H, W, angles[k], WG_FILL_NEAREST, 0.f) == WG_OK);
    int filled = 0;
    for (int i = 0; i < N; i++) {
      if (cst[i] == -7.f) { filled++; CHECK(near[i] >= 0.f && near[i] < 1.f); }
      else CHECK(near[i] == cst[i]);
    }
    CHECK(filled > 0);   /* corners are outside at these angles */
  }
}

static void test_crops(void) {
  enum { C = 3, H = 6, W = 7, N = C * H * W };
  float x[N], o[N], r[N];
  for (int i = 0; i < N; i++) x[i] = (float)i;
  CHECK(wg_crop(o, x, C, H, W, 2, 1, 4, 3) == WG_OK);
  for (int c = 0; c < C; c++)
    for (int y = 0; y < 3; y++)
      for (int xx = 0; xx < 4; xx++) CHECK(o[(c * 3 + y) * 4 + xx] == x[(c * H + 1 + y) * W + 2 + xx]);
  CHECK(wg_crop(o, x, C, H, W, 0, 0, W, H) == WG_OK && same_bits(o, x, N));   /* whole image */
  /* centre crop rounds the offset down: (7-4)/2 = 1, (6-3)/2 = 1 */
  CHECK(wg_center_crop(r, x, C, H, W, 4, 3) == WG_OK);
  CHECK(wg_crop(o, x, C, H, W, 1, 1, 4, 3) == WG_OK && same_bits(o, r, 36));
  /* random crop: reproducible, inside, equal to wg_crop at the reported corner, all corners hit */
  wg_rng g1, g2;
  wg_rng_seed(&g1, 5, WG_STREAM_AUGMENT);
  wg_rng_seed(&g2, 5, WG_STREAM_AUGMENT);
  int seen[4][3] = {{0}};
  for (int t = 0; t < 200; t++) {
    int cx = -1, cy = -1;
    CHECK(wg_random_crop(r, &cx, &cy, x, C, H, W, 4, 4, &g1) == WG_OK);
    CHECK(cx >= 0 && cx <= W - 4 && cy >= 0 && cy <= H - 4);
    CHECK(wg_crop(o, x, C, H, W, cx, cy, 4, 4) == WG_OK && same_bits(o, r, 48));
    CHECK((int)wg_rng_below(&g2, W - 4 + 1) == cx && (int)wg_rng_below(&g2, H - 4 + 1) == cy);
    seen[cx][cy] = 1;
  }
  for (int i = 0; i < 4; i++)
    for (int j = 0; j < 3; j++) CHECK(seen[i][j]);
  CHECK(wg_random_crop(r, NULL, NULL, x, C, H, W, W, H, &g1) == WG_OK && same_bits(r, x, N));
}

/* ---- resize properties ------------------------------------------------------------------------- */

static void test_resize_properties(void) {
  enum { C = 2, H = 9, W = 12, N = C * H * W };
  float x[N], o[4 * N];
  fill_uniform(x, N, 51);
  /* same size: a copy for both filters */
  CHECK(wg_resize(o, x, C, H, W, W, H, WG_RESIZE_BILINEAR) == WG_OK && same_bits(o, x, N));
  CHECK(wg_resize(o, x, C, H, W, W, H, WG_RESIZE_AREA) == WG_OK && same_bits(o, x, N));
  /* area keeps the mean of each plane (weights sum to 1) for any ratio */
  static const int outs[][2] = {{4, 3}, {5, 4}, {7, 2}, {1, 1}, {11, 8}};
  for (size_t k = 0; k < sizeof outs / sizeof outs[0]; k++) {
    int ow = outs[k][0], oh = outs[k][1];
    CHECK(wg_resize(o, x, C, H, W, ow, oh, WG_RESIZE_AREA) == WG_OK);
    for (int c = 0; c < C; c++) {
      double m_in = 0, m_out = 0;
      for (int i = 0; i < H * W; i++) m_in += x[c * H * W + i];
      for (int i = 0; i < oh * ow; i++) m_out += o[c * oh * ow + i];
      CHECK_NEAR(m_out / (oh * ow), m_in / (H * W), 1e-6);
    }
  }
  /* bilinear enlarging a constant gives the constant; 1x1 to anything too */
  float one = 0.25f;
  CHECK(wg_resize(o, &one, 1, 1, 1, 5, 3, WG_RESIZE_BILINEAR) == WG_OK);
  for (int i = 0; i < 15; i++) CHECK(o[i] == 0.25f);
  CHECK(wg_resize(o, &one, 1, 1, 1, 5, 3, WG_RESIZE_AREA) == WG_OK);
  for (int i = 0; i < 15; i++) CHECK(o[i] == 0.25f);
}

/* ---- intensity ---------------------------------------------------------------------------------- */

static void test_brightness_contrast(void) {
  enum { C = 3, H = 4, W = 5, N = C * H * W };
  float x[N], o[N];
  fill_uniform(x, N, 61);
  double sum = 0;
  for (int i = 0; i < N; i++) sum += x[i];
  float mean = (float)(sum / N);
  CHECK(wg_adjust_brightness_contrast(o, x, C, H, W, 0.1f, 0.5f) == WG_OK);
  for (int i = 0; i < N; i++) {
    float want = (x[i] - mean) * 0.5f + mean + 0.1f;
    want = want < 0.f ? 0.f : want > 1.f ? 1.f : want;
    CHECK(o[i] == want);
  }
  CHECK(wg_adjust_brightness_contrast(o, x, C, H, W, 0.f, 1.f) == WG_OK);
  for (int i = 0; i < N; i++) CHECK_NEAR(o[i], x[i], 1.2e-7);
  /* contrast 0 gives the mean everywhere; large values clamp */
  CHECK(wg_adjust_brightness_contrast(o, x, C, H, W, 0.f, 0.f) == WG_OK);
  for (int i = 0; i < N; i++) CHECK(o[i] == mean);
  CHECK(wg_adjust_brightness_contrast(o, x, C, H, W, 0.f, 50.f) == WG_OK);
  for (int i = 0; i < N; i++) CHECK(o[i] >= 0.f && o[i] <= 1.f);
  /* jitter: two uniform draws (brightness, then contrast), then the same formula; in place */
  wg_rng g, h;
  wg_rng_seed(&g, 9, WG_STREAM_AUGMENT);
  wg_rng_seed(&h, 9, WG_STREAM_AUGMENT);
  memcpy(o, x, sizeof o);
  CHECK(wg_jitter_brightness_contrast(o, o, C, H, W, 0.2f, 0.3f, &g) == WG_OK);
  float b = (2.f * wg_rng_uniform(&h) - 1.f) * 0.2f;
  float c = 0.7f + wg_rng_uniform(&h) * (1.3f - 0.7f);
  float ref[N];
  CHECK(wg_adjust_brightness_contrast(ref, x, C, H, W, b, c) == WG_OK);
  CHECK(same_bits(o, ref, N));
  CHECK(wg_rng_u32(&g) == wg_rng_u32(&h));   /* exactly two draws consumed */
}

static void test_gaussian_noise(void) {
  enum { N = 20000 };
  static float x[N], o[N];
  for (int i = 0; i < N; i++) x[i] = 0.5f;
  wg_rng g, h;
  wg_rng_seed(&g, 3, WG_STREAM_NOISE);
  wg_rng_seed(&h, 3, WG_STREAM_NOISE);
  CHECK(wg_add_gaussian_noise(o, x, 1, 100, 200, 0.1f, &g) == WG_OK);
  double m = 0, v = 0;
  for (int i = 0; i < N; i++) {
    float want = 0.5f + 0.1f * wg_rng_normal(&h);
    CHECK(o[i] == (want < 0.f ? 0.f : want > 1.f ? 1.f : want));
    m += o[i] - 0.5;
  }
  m /= N;
  for (int i = 0; i < N; i++) v += (o[i] - 0.5 - m) * (o[i] - 0.5 - m);
  CHECK(fabs(m) < 0.003);                       /* 4 standard errors */
  CHECK_NEAR(sqrt(v / (N - 1)), 0.1, 0.003);
  /* clamped to [0, 1]; std = 0 is the clamp alone but still draws; in place */
  CHECK(wg_add_gaussian_noise(o, x, 1, 100, 200, 2.f, &g) == WG_OK);
  int lo = 0, hi = 0;
  for (int i = 0; i < N; i++) { CHECK(o[i] >= 0.f && o[i] <= 1.f); lo += o[i] == 0.f; hi += o[i] == 1.f; }
  CHECK(lo > N / 10 && hi > N / 10);
  wg_rng_seed(&g, 4, WG_STREAM_NOISE);
  wg_rng_seed(&h, 4, WG_STREAM_NOISE);
  memcpy(o, x, sizeof o);
  CHECK(wg_add_gaussian_noise(o, o, 1, 100, 200, 0.f, &g) == WG_OK);
  CHECK(same_bits(o, x, N));
  for (int i = 0; i < N; i++) wg_rng_normal(&h);
  CHECK(wg_rng_u32(&g) == wg_rng_u32(&h));
}

/* ---- errors --------------------------------------------------------------------------------------- */

#define CHECK_ARG_ERROR(call) do { wg_clear_error(); wg_status wg__s = (call); \
    CHECK_MSG(wg__s == WG_ERR_ARG, "%s returned %d", #call, (int)wg__s); \
    CHECK_MSG(wg_last_error() && wg_last_error()[0], "%s: no message", #call); } while (0)

static void test_transform_errors(void) {
  enum { N = 3 * 8 * 8 };
  float x[N], o[N], w[8];
  fill_uniform(x, N, 71);
  wg_rng g;
  wg_rng_seed(&g, 1, WG_STREAM_AUGMENT);
  /* sizes and pointers */
  CHECK_ARG_ERROR(wg_gaussian_blur(o, x, 0, 8, 8, 1.f));
  CHECK_ARG_ERROR(wg_gaussian_blur(o, x, 1, 0, 8, 1.f));
  CHECK_ARG_ERROR(wg_gaussian_blur(o, x, 1, 8, -3, 1.f));
  CHECK_ARG_ERROR(wg_gaussian_blur(NULL, x, 1, 8, 8, 1.f));
  CHECK_ARG_ERROR(wg_box_blur(o, NULL, 1, 8, 8, 1));
  CHECK_ARG_ERROR(wg_flip_horizontal(o, x, 1, 8, 0));
  CHECK_ARG_ERROR(wg_flip_vertical(NULL, x, 1, 8, 8));
  CHECK_ARG_ERROR(wg_gaussian_blur(o, x, 1, WG_TRANSFORM_MAX_SIDE + 1, 1, 1.f));
  CHECK_ARG_ERROR(wg_gaussian_blur(o, x, 1 << 12, 1 << 12, 1 << 12, 1.f));   /* over the value cap */
  /* sigma and radius */
  CHECK_ARG_ERROR(wg_gaussian_blur(o, x, 1, 8, 8, 0.f));
  CHECK_ARG_ERROR(wg_gaussian_blur(o, x, 1, 8, 8, -1.f));
  CHECK_ARG_ERROR(wg_gaussian_blur(o, x, 1, 8, 8, NAN));
  CHECK_ARG_ERROR(wg_gaussian_blur_ref(o, x, 1, 8, 8, INFINITY));
  CHECK_ARG_ERROR(wg_gaussian_blur(o, x, 1, 8, 8, 1e6f));
  CHECK_ARG_ERROR(wg_gaussian_weights(w, -2.f));
  CHECK(wg_gaussian_radius(0.f) == -1 && wg_gaussian_radius(NAN) == -1);
  CHECK_ARG_ERROR(wg_box_blur(o, x, 1, 8, 8, -1));
  CHECK_ARG_ERROR(wg_box_blur_ref(o, x, 1, 8, 8, WG_TRANSFORM_MAX_RADIUS + 1));
  /* crops */
  CHECK_ARG_ERROR(wg_crop(o, x, 3, 8, 8, 5, 0, 4, 4));    /* x + w > W */
  CHECK_ARG_ERROR(wg_crop(o, x, 3, 8, 8, 0, 6, 4, 4));    /* y + h > H */
  CHECK_ARG_ERROR(wg_crop(o, x, 3, 8, 8, -1, 0, 4, 4));
  CHECK_ARG_ERROR(wg_crop(o, x, 3, 8, 8, 0, 0, 0, 4));
  CHECK_ARG_ERROR(wg_crop(o, x, 3, 8, 8, 2147483000, 0, 2000, 4));   /* x + w overflows int */
  CHECK_ARG_ERROR(wg_crop(x, x, 3, 8, 8, 0, 0, 4, 4));
  CHECK_ARG_ERROR(wg_center_crop(o, x, 3, 8, 8, 9, 4));
  CHECK_ARG_ERROR(wg_random_crop(o, NULL, NULL, x, 3, 8, 8, 4, 9, &g));
  CHECK_ARG_ERROR(wg_random_crop(o, NULL, NULL, x, 3, 8, 8, 4, 4, NULL));
  /* rotation */
  CHECK_ARG_ERROR(wg_rotate(o, x, 3, 8, 8, NAN, WG_FILL_CONSTANT, 0.f));
  CHECK_ARG_ERROR(wg_rotate(o, x, 3, 8, 8, INFINITY, WG_FILL_NEAREST, 0.f));
  CHECK_ARG_ERROR(wg_rotate(o, x, 3, 8, 8, 10.0, (wg_fill_mode)7, 0.f));
  CHECK_ARG_ERROR(wg_rotate(o, x, 3, 8, 8, 10.0, WG_FILL_CONSTANT, NAN));
  CHECK_ARG_ERROR(wg_rotate(x, x, 3, 8, 8, 10.0, WG_FILL_CONSTANT, 0.f));
  CHECK_ARG_ERROR(wg_rot90(x, x, 3, 8, 8, 1));
  double m[6];
  CHECK_ARG_ERROR(wg_rotation_matrix(m, 0, 8, 10.0));
  CHECK_ARG_ERROR(wg_rotation_matrix(NULL, 8, 8, 10.0));
  /* resize */
  CHECK_ARG_ERROR(wg_resize(o, x, 3, 8, 8, 0, 4, WG_RESIZE_AREA));
  CHECK_ARG_ERROR(wg_resize(o, x, 3, 8, 8, 4, -4, WG_RESIZE_BILINEAR));
  CHECK_ARG_ERROR(wg_resize(o, x, 3, 8, 8, 4, 4, (wg_resize_filter)3));
  CHECK_ARG_ERROR(wg_resize(x, x, 3, 8, 8, 4, 4, WG_RESIZE_AREA));
  CHECK_ARG_ERROR(wg_resize(o, x, 3, 8, 8, 1 << 15, 1 << 15, WG_RESIZE_AREA));
  /* intensity */
  CHECK_ARG_ERROR(wg_adjust_brightness_contrast(o, x, 3, 8, 8, 0.f, -0.5f));
  CHECK_ARG_ERROR(wg_adjust_brightness_contrast(o, x, 3, 8, 8, NAN, 1.f));
  CHECK_ARG_ERROR(wg_jitter_brightness_contrast(o, x, 3, 8, 8, -0.1f, 0.1f, &g));
  CHECK_ARG_ERROR(wg_jitter_brightness_contrast(o, x, 3, 8, 8, 0.1f, INFINITY, &g));
  CHECK_ARG_ERROR(wg_jitter_brightness_contrast(o, x, 3, 8, 8, 0.1f, 0.1f, NULL));
  CHECK_ARG_ERROR(wg_add_gaussian_noise(o, x, 3, 8, 8, -1.f, &g));
  CHECK_ARG_ERROR(wg_add_gaussian_noise(o, x, 3, 8, 8, NAN, &g));
  CHECK_ARG_ERROR(wg_add_gaussian_noise(o, x, 3, 8, 8, 0.1f, NULL));
  /* a message names the problem */
  wg_crop(o, x, 3, 8, 8, 5, 0, 4, 4);
  CHECK(strstr(wg_last_error(), "not inside") != NULL);
  wg_gaussian_blur(o, x, 1, 8, 8, -1.f);
  CHECK(strstr(wg_last_error(), "sigma") != NULL);
}

void suite_transform(void) {
  RUN(test_transform_fixtures);
  RUN(test_blur_simd_matches_scalar);
  RUN(test_blur_properties);
  RUN(test_flips_exact);
  RUN(test_rot90_exact);
  RUN(test_rotate_identities);
  RUN(test_rotate_fill_modes);
  RUN(test_crops);
  RUN(test_resize_properties);
  RUN(test_brightness_contrast);
  RUN(test_gaussian_noise);
  RUN(test_transform_errors);
}
