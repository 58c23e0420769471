/* transform.c — image transforms on planar float images (see transform.h for the conventions).
 *
 * Blur: separable symmetric filters. The row pass reads a padded copy of the row (reflected
 * borders) so the inner loop has no branches; the column pass reads reflected row indices from
 * a small table. Both have a wg_v4 version (4 adjacent columns per vector) and a scalar twin
 * that does the same float operations in the same order for each output value.
 *
 * Rotation and resize follow Pillow's libImaging (Geometry.c, Resample.c) operation by
 * operation, in double, so that results match Pillow's mode 'F' output to the float rounding.
 */
#include "transform.h"
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "mathf.h"
#include "simd.h"
#include "threads.h"

/* ---- argument checks ------------------------------------------------------------------------- */

static wg_status wg__check_image(const char *fn, const void *out, const void *in, int C, int H, int W) {
  if (!out || !in) return wg_fail(WG_ERR_ARG, "%s: image pointer is NULL", fn);
  if (C < 1 || H < 1 || W < 1)
    return wg_fail(WG_ERR_ARG, "%s: image size must be at least 1 in every dimension, got C=%d H=%d W=%d",
                   fn, C, H, W);
  if (H > WG_TRANSFORM_MAX_SIDE || W > WG_TRANSFORM_MAX_SIDE)
    return wg_fail(WG_ERR_ARG, "%s: image side over %d (H=%d W=%d)", fn, WG_TRANSFORM_MAX_SIDE, H, W);
  if ((long long)C * H * W > WG_TRANSFORM_MAX_VALUES)
    return wg_fail(WG_ERR_ARG, "%s: image of %d x %d x %d values is over the limit of %d", fn, C, H, W,
                   WG_TRANSFORM_MAX_VALUES);
  return WG_OK;
}

static wg_status wg__check_distinct(const char *fn, const void *out, const void *in) {
  if (out == in) return wg_fail(WG_ERR_ARG, "%s cannot work in place: out and in must be different buffers", fn);
  return WG_OK;
}

static size_t wg__count(int C, int H, int W) { return (size_t)C * (size_t)H * (size_t)W; }

/* Index i reflected into [0, n) as SciPy's mode 'reflect': period 2n, d c b a | a b c d | d c b a. */
static inline int wg__reflect(int i, int n) {
  int p = 2 * n, m = i % p;
  if (m < 0) m += p;
  return m < n ? m : p - 1 - m;
}

static inline float wg__clamp01(float v) { return v < 0.f ? 0.f : v > 1.f ? 1.f : v; }

/* ---- blur ------------------------------------------------------------------------------------- */

int wg_gaussian_radius(float sigma) {
  if (!(sigma > 0.f) || !isfinite(sigma)) return -1;
  double r = 4.0 * (double)sigma + 0.5;   /* SciPy: int(truncate * sigma + 0.5) */
  return r > (double)WG_TRANSFORM_MAX_RADIUS ? WG_TRANSFORM_MAX_RADIUS + 1 : (int)r;
}

static wg_status wg__check_sigma(const char *fn, float sigma) {
  if (!(sigma > 0.f) || !isfinite(sigma))
    return wg_fail(WG_ERR_ARG, "%s: sigma must be positive and finite, got %g", fn, (double)sigma);
  if (wg_gaussian_radius(sigma) > WG_TRANSFORM_MAX_RADIUS)
    return wg_fail(WG_ERR_ARG, "%s: sigma %g needs a kernel radius over %d", fn, (double)sigma,
                   WG_TRANSFORM_MAX_RADIUS);
  return WG_OK;
}

/* w[0..R]: exp(-j^2 / (2 sigma^2)) / (w0 + 2 * sum_{j>=1} w_j). */
static void wg__gaussian_weights(float *w, float sigma, int R) {
  float k = -0.5f / (sigma * sigma);
  w[0] = 1.f;
  for (int j = 1; j <= R; j++) w[j] = wg_expf(k * (float)(j * j));
  float tail = 0.f;
  for (int j = R; j >= 1; j--) tail += w[j];   /* smallest first */
  float sum = w[0] + 2.f * tail;
  for (int j = 0; j <= R; j++) w[j] = w[j] / sum;
}

wg_status wg_gaussian_weights(float *w, float sigma) {
  wg_status st = wg__check_sigma("gaussian_weights", sigma);
  if (st) return st;
  if (!w) return wg_fail(WG_ERR_ARG, "gaussian_weights: w is NULL");
  wg__gaussian_weights(w, sigma, wg_gaussian_radius(sigma));
  return WG_OK;
}

/* out[x] = w0 * p[x] + w1 * (p[x-1] + p[x+1]) + ... with p = pad + R (pad holds W + 2R values). */
static void wg__row_pass_ref(float *out, const float *pad, int W, const float *w, int R) {
  for (int x = 0; x < W; x++) {
    const float *p = pad + R + x;
    float acc = w[0] * p[0];
    for (int j = 1; j <= R; j++) acc = acc + w[j] * (p[-j] + p[j]);
    out[x] = acc;
  }
}

static void wg__row_pass_simd(float *out, const float *pad, int W, const float *w, int R) {
  int x = 0;
  wg_v4 w0 = wg_v4_splat(w[0]);
  for (; x + 4 <= W; x += 4) {
    const float *p = pad + R + x;
    wg_v4 acc = wg_v4_mul(w0, wg_v4_load(p));
    for (int j = 1; j <= R; j++)
      acc = wg_v4_add(acc, wg_v4_mul(wg_v4_splat(w[j]), wg_v4_add(wg_v4_load(p - j), wg_v4_load(p + j))));
    wg_v4_store(out + x, acc);
  }
  if (x < W) wg__row_pass_ref(out + x, pad + x, W - x, w, R);
}

/* One output row: out[x] = (w0 * t[y][x] + w1 * (t[y-1][x] + t[y+1][x]) + ...) / div for
 * x < n, rows reflected (lo[j], hi[j] are the reflected indices of y - j and y + j), t has row
 * stride `stride`. */
static void wg__col_pass_ref(float *out, const float *t, int stride, int n, const int *lo, const int *hi,
                             const float *w, int R, float div) {
  for (int x = 0; x < n; x++) {
    float acc = w[0] * t[(size_t)lo[0] * stride + x];
    for (int j = 1; j <= R; j++)
      acc = acc + w[j] * (t[(size_t)lo[j] * stride + x] + t[(size_t)hi[j] * stride + x]);
    out[x] = acc / div;
  }
}

static void wg__col_pass_simd(float *out, const float *t, int stride, int n, const int *lo, const int *hi,
                              const float *w, int R, float div) {
  int x = 0;
  wg_v4 w0 = wg_v4_splat(w[0]), vdiv = wg_v4_splat(div);
  for (; x + 4 <= n; x += 4) {
    wg_v4 acc = wg_v4_mul(w0, wg_v4_load(t + (size_t)lo[0] * stride + x));
    for (int j = 1; j <= R; j++) {
      wg_v4 s = wg_v4_add(wg_v4_load(t + (size_t)lo[j] * stride + x), wg_v4_load(t + (size_t)hi[j] * stride + x));
      acc = wg_v4_add(acc, wg_v4_mul(wg_v4_splat(w[j]), s));
    }
    wg_v4_store(out + x, wg_v4_div(acc, vdiv));
  }
  if (x < n) wg__col_pass_ref(out + x, t + x, stride, n - x, lo, hi, w, R, div);
}

/* Gaussian (sigma > 0) or box (sigma == 0, weights 1 and one division by (2R+1)^2). */
/* The blur runs two parallel regions per plane (row pass into tmp, then column pass into dst), over
 * fixed groups of rows; each thread has its own padded-row and tap-index scratch. Every output is
 * computed by the same operations whatever the thread count. The whole plane goes through the row
 * pass into tmp before dst is written, so in place works. */
typedef struct {
  const float *src; float *dst, *tmp, *scratch; const float *w;
  int H, W, R, simd, rows_per_tile;
  size_t scratch_floats;   /* per thread: a padded row, then lo and hi tap rows */
  float div;
} wg__blur_job;

static void wg__blur_rows_tile(void *ctx, int tile, int thread) {
  const wg__blur_job *j = ctx;
  float *pad = j->scratch + (size_t)thread * j->scratch_floats;
  int y0 = tile * j->rows_per_tile, y1 = y0 + j->rows_per_tile < j->H ? y0 + j->rows_per_tile : j->H;
  for (int y = y0; y < y1; y++) {
    const float *row = j->src + (size_t)y * j->W;
    for (int i = 0; i < j->W + 2 * j->R; i++) pad[i] = row[wg__reflect(i - j->R, j->W)];
    if (j->simd) wg__row_pass_simd(j->tmp + (size_t)y * j->W, pad, j->W, j->w, j->R);
    else wg__row_pass_ref(j->tmp + (size_t)y * j->W, pad, j->W, j->w, j->R);
  }
}

static void wg__blur_cols_tile(void *ctx, int tile, int thread) {
  const wg__blur_job *j = ctx;
  int *lo = (int *)(j->scratch + (size_t)thread * j->scratch_floats + j->W + 2 * (size_t)j->R);
  int *hi = lo + j->R + 1;
  int y0 = tile * j->rows_per_tile, y1 = y0 + j->rows_per_tile < j->H ? y0 + j->rows_per_tile : j->H;
  for (int y = y0; y < y1; y++) {
    for (int k = 0; k <= j->R; k++) { lo[k] = wg__reflect(y - k, j->H); hi[k] = wg__reflect(y + k, j->H); }
    float *o = j->dst + (size_t)y * j->W;
    if (j->simd) wg__col_pass_simd(o, j->tmp, j->W, j->W, lo, hi, j->w, j->R, j->div);
    else wg__col_pass_ref(o, j->tmp, j->W, j->W, lo, hi, j->w, j->R, j->div);
  }
}

static wg_status wg__blur(const char *fn, float *out, const float *in, int C, int H, int W, int R,
                          float sigma, int simd) {
  size_t plane = (size_t)H * W;
  int threads = wg_threads_count();
  /* per thread: padded row (W + 2R floats), then lo and hi (R + 1 ints each; int and float
   * have the same size and alignment on every target we build for) */
  size_t per_thread = (size_t)W + 2 * (size_t)R + 2 * ((size_t)R + 1);
  size_t nfloat = plane + (size_t)R + 1 + per_thread * (size_t)threads;
  float *buf = malloc(nfloat * sizeof(float));
  if (!buf) return wg_fail(WG_ERR_NOMEM, "%s: out of memory for a %d x %d scratch plane", fn, H, W);
  float *tmp = buf, *w = tmp + plane, *scratch = w + R + 1;
  float div = 1.f;
  if (sigma > 0.f) {
    wg__gaussian_weights(w, sigma, R);
  } else {
    for (int k = 0; k <= R; k++) w[k] = 1.f;
    div = (float)((2 * R + 1) * (2 * R + 1));   /* exact: (2R+1)^2 < 2^24 for R <= 2047 */
  }
  int rows_per_tile = W >= WG_ELEMENTWISE_CHUNK ? 1 : WG_ELEMENTWISE_CHUNK / W;
  int tiles = (H + rows_per_tile - 1) / rows_per_tile;
  for (int c = 0; c < C; c++) {
    wg__blur_job job = {in + (size_t)c * plane, out + (size_t)c * plane, tmp, scratch, w, H, W, R, simd,
                        rows_per_tile, per_thread, div};
    wg_parallel_for(tiles, wg__blur_rows_tile, &job);
    wg_parallel_for(tiles, wg__blur_cols_tile, &job);
  }
  free(buf);
  return WG_OK;
}

static wg_status wg__gaussian(const char *fn, float *out, const float *in, int C, int H, int W, float sigma,
                              int simd) {
  wg_status st = wg__check_image(fn, out, in, C, H, W);
  if (!st) st = wg__check_sigma(fn, sigma);
  if (st) return st;
  return wg__blur(fn, out, in, C, H, W, wg_gaussian_radius(sigma), sigma, simd);
}

wg_status wg_gaussian_blur(float *out, const float *in, int C, int H, int W, float sigma) {
  return wg__gaussian("gaussian_blur", out, in, C, H, W, sigma, 1);
}
wg_status wg_gaussian_blur_ref(float *out, const float *in, int C, int H, int W, float sigma) {
  return wg__gaussian("gaussian_blur_ref", out, in, C, H, W, sigma, 0);
}

static wg_status wg__box(const char *fn, float *out, const float *in, int C, int H, int W, int radius, int simd) {
  wg_status st = wg__check_image(fn, out, in, C, H, W);
  if (st) return st;
  if (radius < 0 || radius > WG_TRANSFORM_MAX_RADIUS)
    return wg_fail(WG_ERR_ARG, "%s: radius must be in [0, %d], got %d", fn, WG_TRANSFORM_MAX_RADIUS, radius);
  return wg__blur(fn, out, in, C, H, W, radius, 0.f, simd);
}

wg_status wg_box_blur(float *out, const float *in, int C, int H, int W, int radius) {
  return wg__box("box_blur", out, in, C, H, W, radius, 1);
}
wg_status wg_box_blur_ref(float *out, const float *in, int C, int H, int W, int radius) {
  return wg__box("box_blur_ref", out, in, C, H, W, radius, 0);
}

/* ---- crop ------------------------------------------------------------------------------------- */

static void wg__copy_box(float *out, const float *in, int C, int H, int W, int x, int y, int w, int h) {
  for (int c = 0; c < C; c++)
    for (int r = 0; r < h; r++)
      memcpy(out + ((size_t)c * h + r) * w, in + ((size_t)c * H + y + r) * W + x, sizeof(float) * (size_t)w);
}

static wg_status wg__check_crop_size(const char *fn, int H, int W, int w, int h) {
  if (w < 1 || h < 1 || w > W || h > H)
    return wg_fail(WG_ERR_ARG, "%s: crop size %d x %d (w x h) must be at least 1 and fit the %d x %d image",
                   fn, w, h, W, H);
  return WG_OK;
}

wg_status wg_crop(float *out, const float *in, int C, int H, int W, int x, int y, int w, int h) {
  wg_status st = wg__check_image("crop", out, in, C, H, W);
  if (!st) st = wg__check_distinct("crop", out, in);
  if (st) return st;
  if (w < 1 || h < 1 || x < 0 || y < 0 || (long long)x + w > W || (long long)y + h > H)
    return wg_fail(WG_ERR_ARG, "crop: box x=%d y=%d w=%d h=%d is not inside the %d x %d (W x H) image",
                   x, y, w, h, W, H);
  wg__copy_box(out, in, C, H, W, x, y, w, h);
  return WG_OK;
}

wg_status wg_center_crop(float *out, const float *in, int C, int H, int W, int w, int h) {
  wg_status st = wg__check_image("center_crop", out, in, C, H, W);
  if (!st) st = wg__check_distinct("center_crop", out, in);
  if (!st) st = wg__check_crop_size("center_crop", H, W, w, h);
  if (st) return st;
  wg__copy_box(out, in, C, H, W, (W - w) / 2, (H - h) / 2, w, h);
  return WG_OK;
}

wg_status wg_random_crop(float *out, int *x_out, int *y_out, const float *in, int C, int H, int W,
                         int w, int h, wg_rng *rng) {
  wg_status st = wg__check_image("random_crop", out, in, C, H, W);
  if (!st) st = wg__check_distinct("random_crop", out, in);
  if (!st) st = wg__check_crop_size("random_crop", H, W, w, h);
  if (st) return st;
  if (!rng) return wg_fail(WG_ERR_ARG, "random_crop: rng is NULL");
  int x = (int)wg_rng_below(rng, (uint32_t)(W - w + 1));
  int y = (int)wg_rng_below(rng, (uint32_t)(H - h + 1));
  wg__copy_box(out, in, C, H, W, x, y, w, h);
  if (x_out) *x_out = x;
  if (y_out) *y_out = y;
  return WG_OK;
}

/* ---- flips and quarter turns ------------------------------------------------------------------- */

wg_status wg_flip_horizontal(float *out, const float *in, int C, int H, int W) {
  wg_status st = wg__check_image("flip_horizontal", out, in, C, H, W);
  if (st) return st;
  size_t rows = (size_t)C * H;
  for (size_t r = 0; r < rows; r++) {
    const float *s = in + r * W;
    float *d = out + r * W;
    for (int x = 0; x <= (W - 1) / 2; x++) {   /* read both ends before writing: in place works */
      float a = s[x], b = s[W - 1 - x];
      d[x] = b;
      d[W - 1 - x] = a;
    }
  }
  return WG_OK;
}

wg_status wg_flip_vertical(float *out, const float *in, int C, int H, int W) {
  wg_status st = wg__check_image("flip_vertical", out, in, C, H, W);
  if (st) return st;
  for (int c = 0; c < C; c++) {
    const float *s = in + (size_t)c * H * W;
    float *d = out + (size_t)c * H * W;
    for (int y = 0; y <= (H - 1) / 2; y++) {
      const float *s0 = s + (size_t)y * W, *s1 = s + (size_t)(H - 1 - y) * W;
      float *d0 = d + (size_t)y * W, *d1 = d + (size_t)(H - 1 - y) * W;
      for (int x = 0; x < W; x++) {
        float a = s0[x], b = s1[x];
        d0[x] = b;
        d1[x] = a;
      }
    }
  }
  return WG_OK;
}

wg_status wg_rot90(float *out, const float *in, int C, int H, int W, int k) {
  wg_status st = wg__check_image("rot90", out, in, C, H, W);
  if (!st) st = wg__check_distinct("rot90", out, in);
  if (st) return st;
  k = ((k % 4) + 4) % 4;
  size_t plane = (size_t)H * W;
  for (int c = 0; c < C; c++) {
    const float *s = in + (size_t)c * plane;
    float *d = out + (size_t)c * plane;
    if (k == 0) {
      memcpy(d, s, sizeof(float) * plane);
    } else if (k == 2) {   /* out[i][j] = in[H-1-i][W-1-j] */
      for (size_t i = 0; i < plane; i++) d[i] = s[plane - 1 - i];
    } else {               /* output is W rows of H values */
      for (int i = 0; i < W; i++)
        for (int j = 0; j < H; j++)
          d[(size_t)i * H + j] = k == 1 ? s[(size_t)j * W + (W - 1 - i)]    /* numpy.rot90(m, 1) */
                                        : s[(size_t)(H - 1 - j) * W + i];  /* numpy.rot90(m, 3) */
    }
  }
  return WG_OK;
}

/* ---- rotation ----------------------------------------------------------------------------------- */

/* sin and cos of deg degrees with +, -, *, / only (plus the exact fmod and floor), so every
 * build gets the same bits. The angle is reduced exactly in degrees to r in about [-45, 45] and
 * a quadrant; Taylor series to t^17 / t^18 on |t| <= pi/4 (measured within 2 ulp of a long
 * double reference over 8 million angles). */
static void wg__sincos_deg(double deg, double *s, double *c) {
  double d = fmod(deg, 360.0);                 /* exact */
  double q = floor(d / 90.0 + 0.5);
  double r = d - 90.0 * q;                     /* exact: |r| <= 45 + tiny */
  double t = r * (3.141592653589793 / 180.0), z = t * t;
  double sn = t + t * z * (-1.0 / 6 + z * (1.0 / 120 + z * (-1.0 / 5040 + z * (1.0 / 362880 +
              z * (-1.0 / 39916800 + z * (1.0 / 6227020800.0 + z * (-1.0 / 1307674368000.0 +
              z * (1.0 / 355687428096000.0))))))));
  double cs = 1.0 + z * (-1.0 / 2 + z * (1.0 / 24 + z * (-1.0 / 720 + z * (1.0 / 40320 +
              z * (-1.0 / 3628800 + z * (1.0 / 479001600.0 + z * (-1.0 / 87178291200.0 +
              z * (1.0 / 20922789888000.0 + z * (-1.0 / 6402373705728000.0)))))))));
  int quadrant = ((int)q % 4 + 4) % 4;
  switch (quadrant) {
    case 0: *s = sn; *c = cs; break;
    case 1: *s = cs; *c = -sn; break;
    case 2: *s = -sn; *c = -cs; break;
    default: *s = -cs; *c = sn; break;
  }
}

/* Python's round(v, 15) up to ties (Pillow rounds its cos/sin so): 0 and +-1 come out exact. */
static double wg__round15(double v) {
  double a = floor(fabs(v) * 1e15 + 0.5) / 1e15;
  return v < 0 ? -a : a;
}

wg_status wg_rotation_matrix(double m[6], int H, int W, double angle_deg) {
  if (!m) return wg_fail(WG_ERR_ARG, "rotation_matrix: m is NULL");
  if (H < 1 || W < 1) return wg_fail(WG_ERR_ARG, "rotation_matrix: image size must be at least 1, got H=%d W=%d", H, W);
  if (!isfinite(angle_deg)) return wg_fail(WG_ERR_ARG, "rotation_matrix: angle must be finite, got %g", angle_deg);
  double s, c;
  wg__sincos_deg(angle_deg, &s, &c);
  /* Pillow: theta = -radians(angle); [cos theta, sin theta, 0, -sin theta, cos theta, 0]. */
  double cr = wg__round15(c), sr = wg__round15(s);
  double cx = W / 2.0, cy = H / 2.0;
  m[0] = cr; m[1] = -sr; m[3] = sr; m[4] = cr;
  m[2] = m[0] * -cx + m[1] * -cy + 0.0;
  m[5] = m[3] * -cx + m[4] * -cy + 0.0;
  m[2] += cx;
  m[5] += cy;
  return WG_OK;
}

wg_status wg_rotate(float *out, const float *in, int C, int H, int W, double angle_deg,
                    wg_fill_mode fill, float fill_value) {
  wg_status st = wg__check_image("rotate", out, in, C, H, W);
  if (!st) st = wg__check_distinct("rotate", out, in);
  if (st) return st;
  if (!isfinite(angle_deg)) return wg_fail(WG_ERR_ARG, "rotate: angle must be finite, got %g", angle_deg);
  if (fill != WG_FILL_CONSTANT && fill != WG_FILL_NEAREST)
    return wg_fail(WG_ERR_ARG, "rotate: unknown fill mode %d (use WG_FILL_CONSTANT or WG_FILL_NEAREST)", (int)fill);
  if (fill == WG_FILL_CONSTANT && !isfinite(fill_value))
    return wg_fail(WG_ERR_ARG, "rotate: fill value must be finite, got %g", (double)fill_value);
  double m[6];
  wg_rotation_matrix(m, H, W, angle_deg);
  size_t plane = (size_t)H * W;
  for (int y = 0; y < H; y++) {
    for (int x = 0; x < W; x++) {
      /* Pillow's affine_transform and bilinear_filter32F, step for step. */
      double X = x + 0.5, Y = y + 0.5;
      double sx = m[0] * X + m[1] * Y + m[2];
      double sy = m[3] * X + m[4] * Y + m[5];
      size_t o = (size_t)y * W + x;
      if (fill == WG_FILL_CONSTANT && (sx < 0.0 || sx >= W || sy < 0.0 || sy >= H)) {
        for (int c = 0; c < C; c++) out[(size_t)c * plane + o] = fill_value;
        continue;
      }
      /* In nearest mode the point may lie far outside; clamping it to a box one pixel larger
       * than the image changes nothing (indices are clamped below) and keeps the ints small. */
      if (sx < -1.0) sx = -1.0;
      if (sx > W + 1.0) sx = W + 1.0;
      if (sy < -1.0) sy = -1.0;
      if (sy > H + 1.0) sy = H + 1.0;
      sx -= 0.5;
      sy -= 0.5;
      int ix = (int)floor(sx), iy = (int)floor(sy);
      double dx = sx - ix, dy = sy - iy;
      int x0 = ix < 0 ? 0 : ix < W ? ix : W - 1;
      int x1 = ix + 1 < 0 ? 0 : ix + 1 < W ? ix + 1 : W - 1;
      int y0 = iy < 0 ? 0 : iy < H ? iy : H - 1;
      int has_y1 = iy + 1 >= 0 && iy + 1 < H;
      for (int c = 0; c < C; c++) {
        const float *r0 = in + (size_t)c * plane + (size_t)y0 * W;
        float d0 = r0[x1] - r0[x0];   /* float difference, as Pillow's FLOAT32 macro computes it */
        double v1 = r0[x0] + d0 * dx, v2 = v1;
        if (has_y1) {
          const float *r1 = in + (size_t)c * plane + (size_t)(iy + 1) * W;
          float d1 = r1[x1] - r1[x0];
          v2 = r1[x0] + d1 * dx;
        }
        out[(size_t)c * plane + o] = (float)(v1 + (v2 - v1) * dy);
      }
    }
  }
  return WG_OK;
}

/* ---- resize -------------------------------------------------------------------------------------- */

/* Resampling taps along one axis: output i reads count[i] source samples from first[i] with
 * weights w[i * ksize + t]. */
typedef struct { int *first, *count; double *w; int ksize; } wg__taps;

static void wg__taps_free(wg__taps *t) {
  free(t->first); free(t->count); free(t->w);
  t->first = t->count = NULL;
  t->w = NULL;
}

static wg_status wg__taps_alloc(wg__taps *t, int out_size, int ksize) {
  t->ksize = ksize;
  t->first = malloc(sizeof(int) * (size_t)out_size);
  t->count = malloc(sizeof(int) * (size_t)out_size);
  t->w = calloc((size_t)out_size * (size_t)ksize, sizeof(double));
  if (!t->first || !t->count || !t->w) {
    wg__taps_free(t);
    return wg_fail(WG_ERR_NOMEM, "resize: out of memory for resampling weights");
  }
  return WG_OK;
}

static double wg__triangle(double x) {
  if (x < 0.0) x = -x;
  return x < 1.0 ? 1.0 - x : 0.0;
}

/* Pillow's precompute_coeffs with the BILINEAR (triangle, support 1) filter, box (0, in_size). */
static wg_status wg__taps_bilinear(wg__taps *t, int in_size, int out_size) {
  double scale = (double)in_size / out_size, filterscale = scale < 1.0 ? 1.0 : scale;
  double support = 1.0 * filterscale;
  wg_status st = wg__taps_alloc(t, out_size, (int)ceil(support) * 2 + 1);
  if (st) return st;
  for (int i = 0; i < out_size; i++) {
    double center = 0.0 + (i + 0.5) * scale, ss = 1.0 / filterscale, ww = 0.0;
    int xmin = (int)(center - support + 0.5), xmax = (int)(center + support + 0.5);
    if (xmin < 0) xmin = 0;
    if (xmax > in_size) xmax = in_size;
    xmax -= xmin;
    double *k = t->w + (size_t)i * t->ksize;
    for (int x = 0; x < xmax; x++) {
      k[x] = wg__triangle((x + xmin - center + 0.5) * ss);
      ww += k[x];
    }
    for (int x = 0; x < xmax; x++)
      if (ww != 0.0) k[x] /= ww;
    t->first[i] = xmin;
    t->count[i] = xmax;
  }
  return WG_OK;
}

/* Exact area: output i covers source [i in/out, (i+1) in/out); in units of 1/out that is
 * [i in, (i+1) in) and pixel j is [j out, (j+1) out), so overlaps are exact integers and each
 * weight overlap / in is one correctly rounded division. */
static wg_status wg__taps_area(wg__taps *t, int in_size, int out_size) {
  int ksize = (in_size + out_size - 1) / out_size + 1;
  wg_status st = wg__taps_alloc(t, out_size, ksize);
  if (st) return st;
  for (int i = 0; i < out_size; i++) {
    long long lo = (long long)i * in_size, hi = lo + in_size;
    int j0 = (int)(lo / out_size), j1 = (int)((hi - 1) / out_size);
    double *k = t->w + (size_t)i * ksize;
    for (int j = j0; j <= j1; j++) {
      long long a = (long long)j * out_size, b = a + out_size;
      long long ov = (b < hi ? b : hi) - (a > lo ? a : lo);
      k[j - j0] = (double)ov / (double)in_size;
    }
    t->first[i] = j0;
    t->count[i] = j1 - j0 + 1;
  }
  return WG_OK;
}

static wg_status wg__taps_make(wg__taps *t, int in_size, int out_size, wg_resize_filter filter) {
  return filter == WG_RESIZE_AREA ? wg__taps_area(t, in_size, out_size) : wg__taps_bilinear(t, in_size, out_size);
}

/* Both resize passes run over fixed groups of output rows; every output value is one sum in tap
 * order (Pillow's), computed by one thread, so the thread count changes no bit. */
typedef struct {
  const float *src; float *dst; double *acc;   /* acc: out_w doubles per thread (vertical pass) */
  const wg__taps *taps;
  int H, W, out_w, out_h, rows_per_tile, rows;
} wg__resize_job;

static int wg__resize_rows_per_tile(int out_w) {
  return out_w >= WG_ELEMENTWISE_CHUNK ? 1 : WG_ELEMENTWISE_CHUNK / out_w;
}

/* Horizontal pass: rows of (C·H, W) -> rows of (C·H, out_w). */
static void wg__resize_h_tile(void *ctx, int tile, int thread) {
  (void)thread;
  const wg__resize_job *j = ctx;
  const wg__taps *th = j->taps;
  int r0 = tile * j->rows_per_tile, r1 = r0 + j->rows_per_tile < j->rows ? r0 + j->rows_per_tile : j->rows;
  for (int r = r0; r < r1; r++) {
    const float *s = j->src + (size_t)r * j->W;
    float *d = j->dst + (size_t)r * j->out_w;
    for (int i = 0; i < j->out_w; i++) {
      const double *k = th->w + (size_t)i * th->ksize;
      const float *p = s + th->first[i];
      double ss = 0.0;
      for (int t = 0; t < th->count[i]; t++) ss += p[t] * k[t];
      d[i] = (float)ss;
    }
  }
}

/* Vertical pass: output rows (c, i) of (C, out_h, out_w) from (C, H, out_w). */
static void wg__resize_v_tile(void *ctx, int tile, int thread) {
  const wg__resize_job *j = ctx;
  const wg__taps *tv = j->taps;
  double *acc = j->acc + (size_t)thread * j->out_w;
  int out_w = j->out_w;
  int r0 = tile * j->rows_per_tile, r1 = r0 + j->rows_per_tile < j->rows ? r0 + j->rows_per_tile : j->rows;
  for (int r = r0; r < r1; r++) {
    int c = r / j->out_h, i = r % j->out_h;
    const float *s = j->src + (size_t)c * j->H * out_w;
    float *d = j->dst + ((size_t)c * j->out_h + i) * out_w;
    /* Per output value: ss = 0; ss += src * k[t] for t = 0, 1, ... (Pillow's order). */
    const double *k = tv->w + (size_t)i * tv->ksize;
    for (int x = 0; x < out_w; x++) acc[x] = 0.0;
    for (int t = 0; t < tv->count[i]; t++) {
      const float *p = s + (size_t)(tv->first[i] + t) * out_w;
      for (int x = 0; x < out_w; x++) acc[x] += p[x] * k[t];
    }
    for (int x = 0; x < out_w; x++) d[x] = (float)acc[x];
  }
}

wg_status wg_resize(float *out, const float *in, int C, int H, int W, int out_w, int out_h,
                    wg_resize_filter filter) {
  wg_status st = wg__check_image("resize", out, in, C, H, W);
  if (!st) st = wg__check_distinct("resize", out, in);
  if (st) return st;
  if (filter != WG_RESIZE_BILINEAR && filter != WG_RESIZE_AREA)
    return wg_fail(WG_ERR_ARG, "resize: unknown filter %d (use WG_RESIZE_BILINEAR or WG_RESIZE_AREA)", (int)filter);
  if (out_w < 1 || out_h < 1 || out_w > WG_TRANSFORM_MAX_SIDE || out_h > WG_TRANSFORM_MAX_SIDE)
    return wg_fail(WG_ERR_ARG, "resize: output size %d x %d (w x h) must be in [1, %d]", out_w, out_h,
                   WG_TRANSFORM_MAX_SIDE);
  if ((long long)C * out_h * out_w > WG_TRANSFORM_MAX_VALUES || (long long)C * H * out_w > WG_TRANSFORM_MAX_VALUES)
    return wg_fail(WG_ERR_ARG, "resize: %d x %d x %d output is over the limit of %d values", C, out_h, out_w,
                   WG_TRANSFORM_MAX_VALUES);
  wg__taps th = {0}, tv = {0};
  float *tmp = NULL;
  double *acc = NULL;
  const float *src = in;   /* (C, H, out_w) after the horizontal pass */
  if (out_w != W) {
    st = wg__taps_make(&th, W, out_w, filter);
    if (st) goto done;
    tmp = out_h == H ? out : malloc(sizeof(float) * wg__count(C, H, out_w));
    if (!tmp) { st = wg_fail(WG_ERR_NOMEM, "resize: out of memory for a %d x %d x %d scratch image", C, H, out_w); goto done; }
    wg__resize_job job = {in, tmp, NULL, &th, H, W, out_w, out_h, wg__resize_rows_per_tile(out_w), C * H};
    wg_parallel_for((job.rows + job.rows_per_tile - 1) / job.rows_per_tile, wg__resize_h_tile, &job);
    src = tmp;
  }
  if (out_h != H) {
    st = wg__taps_make(&tv, H, out_h, filter);
    if (st) goto done;
    acc = malloc(sizeof(double) * (size_t)out_w * (size_t)wg_threads_count());
    if (!acc) { st = wg_fail(WG_ERR_NOMEM, "resize: out of memory"); goto done; }
    wg__resize_job job = {src, out, acc, &tv, H, W, out_w, out_h, wg__resize_rows_per_tile(out_w), C * out_h};
    wg_parallel_for((job.rows + job.rows_per_tile - 1) / job.rows_per_tile, wg__resize_v_tile, &job);
  } else if (src == in) {
    memcpy(out, in, sizeof(float) * wg__count(C, H, W));   /* same size: a copy */
  }
done:
  if (tmp && tmp != out) free(tmp);
  free(acc);
  wg__taps_free(&th);
  wg__taps_free(&tv);
  return st;
}

/* ---- intensity ------------------------------------------------------------------------------------ */

static void wg__brightness_contrast(float *out, const float *in, size_t n, float brightness, float contrast) {
  double sum = 0.0;
  for (size_t i = 0; i < n; i++) sum += in[i];
  float mean = (float)(sum / (double)n);
  for (size_t i = 0; i < n; i++) out[i] = wg__clamp01((in[i] - mean) * contrast + mean + brightness);
}

wg_status wg_adjust_brightness_contrast(float *out, const float *in, int C, int H, int W,
                                        float brightness, float contrast) {
  wg_status st = wg__check_image("adjust_brightness_contrast", out, in, C, H, W);
  if (st) return st;
  if (!isfinite(brightness) || !isfinite(contrast) || contrast < 0.f)
    return wg_fail(WG_ERR_ARG, "adjust_brightness_contrast: brightness must be finite and contrast finite and >= 0, got %g and %g",
                   (double)brightness, (double)contrast);
  wg__brightness_contrast(out, in, wg__count(C, H, W), brightness, contrast);
  return WG_OK;
}

wg_status wg_jitter_brightness_contrast(float *out, const float *in, int C, int H, int W,
                                        float max_brightness, float max_contrast, wg_rng *rng) {
  wg_status st = wg__check_image("jitter_brightness_contrast", out, in, C, H, W);
  if (st) return st;
  if (!rng) return wg_fail(WG_ERR_ARG, "jitter_brightness_contrast: rng is NULL");
  if (!isfinite(max_brightness) || !isfinite(max_contrast) || max_brightness < 0.f || max_contrast < 0.f)
    return wg_fail(WG_ERR_ARG, "jitter_brightness_contrast: ranges must be finite and >= 0, got %g and %g",
                   (double)max_brightness, (double)max_contrast);
  float b = (2.f * wg_rng_uniform(rng) - 1.f) * max_brightness;
  float lo = 1.f - max_contrast < 0.f ? 0.f : 1.f - max_contrast;
  float c = lo + wg_rng_uniform(rng) * (1.f + max_contrast - lo);
  wg__brightness_contrast(out, in, wg__count(C, H, W), b, c);
  return WG_OK;
}

wg_status wg_add_gaussian_noise(float *out, const float *in, int C, int H, int W, float std, wg_rng *rng) {
  wg_status st = wg__check_image("add_gaussian_noise", out, in, C, H, W);
  if (st) return st;
  if (!rng) return wg_fail(WG_ERR_ARG, "add_gaussian_noise: rng is NULL");
  if (!isfinite(std) || std < 0.f)
    return wg_fail(WG_ERR_ARG, "add_gaussian_noise: std must be finite and >= 0, got %g", (double)std);
  size_t n = wg__count(C, H, W);
  for (size_t i = 0; i < n; i++) out[i] = wg__clamp01(in[i] + std * wg_rng_normal(rng));
  return WG_OK;
}
