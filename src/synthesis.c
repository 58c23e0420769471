/* synthesis.c — alpha and Laplacian-pyramid blending, diffusion fill (see synthesis.h). */
#include "synthesis.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

static wg_status wg__check(int C, int H, int W) {
  if (C < 1 || C > 4 || H < 1 || W < 1 || H > 8192 || W > 8192)
    return wg_fail(WG_ERR_ARG, "synthesis: invalid image size %dx%dx%d", C, H, W);
  return WG_OK;
}

wg_status wg_blend_alpha(float *out, const float *a, const float *b, const float *mask, float alpha,
                         int C, int H, int W) {
  wg_status st = wg__check(C, H, W);
  if (st) return st;
  if (!mask && !(alpha >= 0.f && alpha <= 1.f))
    return wg_fail(WG_ERR_ARG, "blend: alpha must be in [0, 1], got %g", (double)alpha);
  size_t plane = (size_t)H * W;
  for (int c = 0; c < C; c++)
    for (size_t p = 0; p < plane; p++) {
      float m = mask ? mask[p] : alpha;
      size_t i = (size_t)c * plane + p;
      out[i] = m * a[i] + (1.f - m) * b[i];
    }
  return WG_OK;
}

/* Index reflected into [0, n) (d c b | a b c d | c b a: the edge pixel is not repeated). */
static int wg__reflect(int i, int n) {
  if (n == 1) return 0;
  while (i < 0 || i >= n) i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
}

static const float wg__binomial[5] = {1.f / 16, 4.f / 16, 6.f / 16, 4.f / 16, 1.f / 16};

/* Blur with the 5-tap binomial kernel and keep every second pixel: (H, W) -> (ceil(H/2), ceil(W/2)). */
static void wg__reduce(float *dst, const float *src, int H, int W, float *tmp) {
  int h2 = (H + 1) / 2, w2 = (W + 1) / 2;
  for (int y = 0; y < H; y++)
    for (int x = 0; x < w2; x++) {
      float s = 0.f;
      for (int k = 0; k < 5; k++) s += wg__binomial[k] * src[(size_t)y * W + wg__reflect(2 * x + k - 2, W)];
      tmp[(size_t)y * w2 + x] = s;
    }
  for (int y = 0; y < h2; y++)
    for (int x = 0; x < w2; x++) {
      float s = 0.f;
      for (int k = 0; k < 5; k++) s += wg__binomial[k] * tmp[(size_t)wg__reflect(2 * y + k - 2, H) * w2 + x];
      dst[(size_t)y * w2 + x] = s;
    }
}

/* The adjoint-style expansion: (h, w) -> (H, W) by inserting zeros and blurring with 2x the kernel. */
static void wg__expand(float *dst, const float *src, int H, int W, float *tmp) {
  int h = (H + 1) / 2, w = (W + 1) / 2;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < W; x++) {
      float s = 0.f;
      for (int k = 0; k < 5; k++) {
        int sx = x + k - 2;
        if (sx & 1) continue;   /* only the even taps land on source pixels */
        s += 2.f * wg__binomial[k] * src[(size_t)y * w + wg__reflect(sx, 2 * w - 1) / 2];
      }
      tmp[(size_t)y * W + x] = s;
    }
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++) {
      float s = 0.f;
      for (int k = 0; k < 5; k++) {
        int sy = y + k - 2;
        if (sy & 1) continue;
        s += 2.f * wg__binomial[k] * tmp[(size_t)(wg__reflect(sy, 2 * h - 1) / 2) * W + x];
      }
      dst[(size_t)y * W + x] = s;
    }
}

wg_status wg_blend_pyramid(float *out, const float *a, const float *b, const float *mask, int levels,
                           int C, int H, int W) {
  wg_status st = wg__check(C, H, W);
  if (st) return st;
  if (!mask) return wg_fail(WG_ERR_ARG, "pyramid blend needs a mask");
  int max_levels = 1;
  for (int h = H, w = W; (h + 1) / 2 >= 4 && (w + 1) / 2 >= 4; h = (h + 1) / 2, w = (w + 1) / 2) max_levels++;
  if (levels <= 0 || levels > max_levels) levels = levels <= 0 ? max_levels : levels;
  if (levels > max_levels)
    return wg_fail(WG_ERR_ARG, "pyramid blend: %d levels do not fit a %dx%d image (at most %d)", levels, H, W, max_levels);
  /* Per level: sizes, and buffers for a's and b's Gaussian levels and the mask's. */
  int hs[16], ws[16];
  size_t total = 0;
  hs[0] = H; ws[0] = W;
  for (int l = 0; l < levels; l++) {
    if (l) { hs[l] = (hs[l - 1] + 1) / 2; ws[l] = (ws[l - 1] + 1) / 2; }
    total += (size_t)hs[l] * ws[l];
  }
  float *ga = malloc(sizeof(float) * total), *gb = malloc(sizeof(float) * total);
  float *gm = malloc(sizeof(float) * total), *tmp = malloc(sizeof(float) * (size_t)H * W);
  float *up = malloc(sizeof(float) * (size_t)H * W), *acc = malloc(sizeof(float) * (size_t)H * W);
  if (!ga || !gb || !gm || !tmp || !up || !acc) {
    st = wg_fail(WG_ERR_NOMEM, "out of memory for a %d-level pyramid", levels);
    goto done;
  }
  size_t off[16];
  off[0] = 0;
  for (int l = 1; l < levels; l++) off[l] = off[l - 1] + (size_t)hs[l - 1] * ws[l - 1];
  memcpy(gm, mask, sizeof(float) * (size_t)H * W);
  for (int l = 1; l < levels; l++) wg__reduce(gm + off[l], gm + off[l - 1], hs[l - 1], ws[l - 1], tmp);
  size_t plane = (size_t)H * W;
  for (int c = 0; c < C; c++) {
    memcpy(ga, a + (size_t)c * plane, sizeof(float) * plane);
    memcpy(gb, b + (size_t)c * plane, sizeof(float) * plane);
    for (int l = 1; l < levels; l++) {
      wg__reduce(ga + off[l], ga + off[l - 1], hs[l - 1], ws[l - 1], tmp);
      wg__reduce(gb + off[l], gb + off[l - 1], hs[l - 1], ws[l - 1], tmp);
    }
    /* Laplacian levels, finest first, so level l+1 is still Gaussian when level l needs it. */
    for (int l = 0; l + 1 < levels; l++) {
      size_t nl = (size_t)hs[l] * ws[l];
      wg__expand(up, ga + off[l + 1], hs[l], ws[l], tmp);
      for (size_t i = 0; i < nl; i++) ga[off[l] + i] -= up[i];
      wg__expand(up, gb + off[l + 1], hs[l], ws[l], tmp);
      for (size_t i = 0; i < nl; i++) gb[off[l] + i] -= up[i];
    }
    /* Blend every level with the mask's Gaussian level, then collapse from the coarsest:
     * acc = blend(top); acc = expand(acc) + blend(L_l). */
    int L = levels - 1;
    size_t n = (size_t)hs[L] * ws[L];
    for (size_t i = 0; i < n; i++) {
      float m = gm[off[L] + i];
      acc[i] = m * ga[off[L] + i] + (1.f - m) * gb[off[L] + i];
    }
    for (int l = L - 1; l >= 0; l--) {
      size_t nl = (size_t)hs[l] * ws[l];
      wg__expand(up, acc, hs[l], ws[l], tmp);
      for (size_t i = 0; i < nl; i++) {
        float m = gm[off[l] + i];
        acc[i] = up[i] + (m * ga[off[l] + i] + (1.f - m) * gb[off[l] + i]);
      }
    }
    memcpy(out + (size_t)c * plane, acc, sizeof(float) * plane);
  }
done:
  free(ga); free(gb); free(gm); free(tmp); free(up); free(acc);
  return st;
}

/* One plane (H, W): masked pixels start from a coarse-to-fine guess — the half-size image, its
 * pixels the mean of their known children, filled the same way — and then take `iterations`
 * Jacobi sweeps over the masked pixels alone (hole[] lists them). A large hole converges in
 * the same sweeps as a small one, and the cost follows the hole, not the image. */
static wg_status wg__fill_plane(float *p, const float *mask, int iterations, int H, int W) {
  size_t plane = (size_t)H * W, n_hole = 0;
  for (size_t i = 0; i < plane; i++) n_hole += mask[i] >= 0.5f;
  if (n_hole == 0) return WG_OK;
  if (n_hole == plane) { for (size_t i = 0; i < plane; i++) p[i] = 0.5f; return WG_OK; }
  wg_status st = WG_OK;
  size_t *hole = malloc(sizeof(size_t) * n_hole);
  float *next = malloc(sizeof(float) * n_hole);
  if (!hole || !next) { st = wg_fail(WG_ERR_NOMEM, "out of memory for diffusion fill"); goto done; }
  n_hole = 0;
  for (size_t i = 0; i < plane; i++) if (mask[i] >= 0.5f) hole[n_hole++] = i;
  if (H >= 8 && W >= 8) {   /* the starting guess from half size */
    int h2 = (H + 1) / 2, w2 = (W + 1) / 2;
    float *cp = calloc((size_t)h2 * w2, sizeof(float)), *cm = malloc(sizeof(float) * (size_t)h2 * w2);
    if (!cp || !cm) { free(cp); free(cm); st = wg_fail(WG_ERR_NOMEM, "out of memory for diffusion fill"); goto done; }
    for (int y = 0; y < h2; y++)
      for (int x = 0; x < w2; x++) {
        float sum = 0.f; int known = 0;
        for (int dy = 0; dy < 2; dy++)
          for (int dx = 0; dx < 2; dx++) {
            int yy = 2 * y + dy, xx = 2 * x + dx;
            if (yy < H && xx < W && mask[(size_t)yy * W + xx] < 0.5f) { sum += p[(size_t)yy * W + xx]; known++; }
          }
        cp[(size_t)y * w2 + x] = known ? sum / (float)known : 0.f;
        cm[(size_t)y * w2 + x] = known ? 0.f : 1.f;
      }
    st = wg__fill_plane(cp, cm, iterations, h2, w2);
    if (!st)
      for (size_t k = 0; k < n_hole; k++) {
        size_t i = hole[k];
        p[i] = cp[(i / W / 2) * w2 + (i % W) / 2];
      }
    free(cp); free(cm);
    if (st) goto done;
  } else {                  /* small: start from the mean of the known pixels */
    double sum = 0;
    for (size_t i = 0; i < plane; i++) if (mask[i] < 0.5f) sum += p[i];
    float start = (float)(sum / (double)(plane - n_hole));
    for (size_t k = 0; k < n_hole; k++) p[hole[k]] = start;
  }
  for (int it = 0; it < iterations; it++) {
    for (size_t k = 0; k < n_hole; k++) {
      size_t i = hole[k];
      int y = (int)(i / W), x = (int)(i % W);
      float s = 0.f; int n = 0;
      if (y > 0) { s += p[i - W]; n++; }
      if (y < H - 1) { s += p[i + W]; n++; }
      if (x > 0) { s += p[i - 1]; n++; }
      if (x < W - 1) { s += p[i + 1]; n++; }
      next[k] = s / (float)n;
    }
    for (size_t k = 0; k < n_hole; k++) p[hole[k]] = next[k];
  }
done:
  free(hole); free(next);
  return st;
}

wg_status wg_fill_diffusion(float *img, const float *mask, int iterations, int C, int H, int W) {
  wg_status st = wg__check(C, H, W);
  if (st) return st;
  if (iterations < 0 || iterations > 100000) return wg_fail(WG_ERR_ARG, "fill: iterations must be in [0, 100000]");
  for (int c = 0; c < C && !st; c++) st = wg__fill_plane(img + (size_t)c * H * W, mask, iterations, H, W);
  return st;
}
