/* conv.c — convolutions via im2col + GEMM, and the other spatial layers (see conv.h).
 *
 * Layout trick: a chunk of nb images is lowered to one matrix col (C·KH·KW, nb·P) whose columns
 * are output positions of all images in the chunk, so each GEMM is wide even for small images.
 * Results are gathered/scattered between (B, C, P) tensors and (C, nb·P) matrices.
 */
#include "conv.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "gemm.h"
#include "threads.h"

/* Two scratch matrices from the caller's arena; NULL when out of memory. */
/* Images per chunk so that a (rows, nb·P) matrix stays within ~512 Ki floats (2 MiB): wide
 * enough for an efficient GEMM, small enough for the memory budget of in-browser training. */
static int wg__chunk(int B, size_t rows, size_t P) {
  size_t budget = (size_t)1 << 19, per_image = rows * P;
  size_t nb = per_image ? budget / per_image : (size_t)B;
  if (nb < 1) nb = 1;
  return nb > (size_t)B ? B : (int)nb;
}

/* The scratch every convolution pass works in, a chunk of nb images at a time: a column matrix
 * (K, nb·P) and a (C, nb·P) matrix, both from the arena, given back by wg__scratch_end. */
typedef struct { int nb; wg_arena_mark mark; float *col; float *mat; } wg__conv_scratch;

static wg_status wg__scratch_begin(wg__conv_scratch *s, wg_arena *arena, int B, size_t K, size_t C,
                                   size_t P) {
  s->nb = wg__chunk(B, K > C ? K : C, P);
  s->mark = wg_arena_save(arena);
  s->col = wg_arena_floats(arena, K * s->nb * P);
  s->mat = wg_arena_floats(arena, C * s->nb * P);
  if (s->col && s->mat) return WG_OK;
  wg_arena_restore(arena, s->mark);
  return wg_fail(WG_ERR_NOMEM, "out of memory for convolution scratch");
}

static wg_status wg__scratch_end(wg__conv_scratch *s, wg_arena *arena) {
  wg_arena_restore(arena, s->mark);
  return WG_OK;
}

/* Lowering between images (nb, C, IH, IW) and a column matrix (C·KH·KW, nb·OH·OW). Both directions
 * run as parallel regions over fixed groups (rows of col for im2col, whole channels for col2im,
 * whose rows all add into that channel's planes only), so each value is produced by the same
 * operations in the same order whatever the thread count. */
typedef struct {
  float *col_out; const float *col_in;   /* im2col writes col_out, col2im reads col_in */
  const float *img_in; float *img_out;
  int nb, C, IH, IW, OH, OW, KH, KW, SH, SW, PH, PW;
  int per_tile;   /* rows (im2col) or channels (col2im) per tile */
} wg__lowering;

enum { LOWER_TILE_FLOATS = 1 << 15 };   /* about 32 Ki outputs per tile; depends on sizes only */

static int wg__lower_tiles(wg__lowering *L, int units, size_t floats_per_unit) {
  size_t per = floats_per_unit ? LOWER_TILE_FLOATS / floats_per_unit : (size_t)units;
  L->per_tile = per < 1 ? 1 : per > (size_t)units ? units : (int)per;
  return (units + L->per_tile - 1) / L->per_tile;
}

static void wg__im2col_tile(void *ctx, int tile, int thread) {
  (void)thread;
  const wg__lowering *L = ctx;
  size_t P = (size_t)L->OH * L->OW, N = (size_t)L->nb * P;
  int r0 = tile * L->per_tile, rows = L->C * L->KH * L->KW;
  int r1 = r0 + L->per_tile < rows ? r0 + L->per_tile : rows;
  for (int r = r0; r < r1; r++) {
    int c = r / (L->KH * L->KW), ki = r / L->KW % L->KH, kj = r % L->KW;
    float *row = L->col_out + (size_t)r * N;
    for (int b = 0; b < L->nb; b++) {
      const float *plane = L->img_in + ((size_t)b * L->C + c) * L->IH * L->IW;
      for (int oy = 0; oy < L->OH; oy++) {
        float *dst = row + (size_t)b * P + (size_t)oy * L->OW;
        int iy = oy * L->SH - L->PH + ki;
        if (iy < 0 || iy >= L->IH) { memset(dst, 0, sizeof(float) * L->OW); continue; }
        const float *src = plane + (size_t)iy * L->IW;
        for (int ox = 0; ox < L->OW; ox++) {
          int ix = ox * L->SW - L->PW + kj;
          dst[ox] = ix >= 0 && ix < L->IW ? src[ix] : 0.f;
        }
      }
    }
  }
}

static void wg__col2im_tile(void *ctx, int tile, int thread) {
  (void)thread;
  const wg__lowering *L = ctx;
  size_t P = (size_t)L->OH * L->OW, N = (size_t)L->nb * P;
  int c0 = tile * L->per_tile, c1 = c0 + L->per_tile < L->C ? c0 + L->per_tile : L->C;
  for (int c = c0; c < c1; c++)
    for (int ki = 0; ki < L->KH; ki++)
      for (int kj = 0; kj < L->KW; kj++) {
        const float *row = L->col_in + (((size_t)c * L->KH + ki) * L->KW + kj) * N;
        for (int b = 0; b < L->nb; b++) {
          float *plane = L->img_out + ((size_t)b * L->C + c) * L->IH * L->IW;
          for (int oy = 0; oy < L->OH; oy++) {
            int iy = oy * L->SH - L->PH + ki;
            if (iy < 0 || iy >= L->IH) continue;
            const float *src = row + (size_t)b * P + (size_t)oy * L->OW;
            float *dst = plane + (size_t)iy * L->IW;
            for (int ox = 0; ox < L->OW; ox++) {
              int ix = ox * L->SW - L->PW + kj;
              if (ix >= 0 && ix < L->IW) dst[ix] += src[ox];
            }
          }
        }
      }
}

/* col (C·KH·KW, nb·OH·OW) from images (nb, C, IH, IW); out-of-image taps are 0. */
static void wg__im2col(float *col, const float *img, int nb, int C, int IH, int IW, int OH, int OW,
                       int KH, int KW, int SH, int SW, int PH, int PW) {
  wg__lowering L = {col, NULL, img, NULL, nb, C, IH, IW, OH, OW, KH, KW, SH, SW, PH, PW, 0};
  int tiles = wg__lower_tiles(&L, C * KH * KW, (size_t)nb * OH * OW);
  wg_parallel_for(tiles, wg__im2col_tile, &L);
}

/* images (nb, C, IH, IW) += col2im(col); the caller zeroes the images first. */
static void wg__col2im_add(float *img, const float *col, int nb, int C, int IH, int IW, int OH,
                           int OW, int KH, int KW, int SH, int SW, int PH, int PW) {
  wg__lowering L = {NULL, col, NULL, img, nb, C, IH, IW, OH, OW, KH, KW, SH, SW, PH, PW, 0};
  int tiles = wg__lower_tiles(&L, C, (size_t)KH * KW * nb * OH * OW);
  wg_parallel_for(tiles, wg__col2im_tile, &L);
}

/* (nb, C, P) tensor <-> (C, nb·P) matrix. */
static void wg__to_matrix(float *m, const float *t, int nb, int C, size_t P) {
  for (int b = 0; b < nb; b++)
    for (int c = 0; c < C; c++)
      memcpy(m + (size_t)c * nb * P + (size_t)b * P, t + ((size_t)b * C + c) * P, sizeof(float) * P);
}
static void wg__from_matrix(float *t, const float *m, int nb, int C, size_t P, const float *bias) {
  for (int b = 0; b < nb; b++)
    for (int c = 0; c < C; c++) {
      float *dst = t + ((size_t)b * C + c) * P;
      const float *src = m + (size_t)c * nb * P + (size_t)b * P;
      if (bias) { for (size_t p = 0; p < P; p++) dst[p] = src[p] + bias[c]; }
      else memcpy(dst, src, sizeof(float) * P);
    }
}

/* db[c] += sum of dy over batch and positions, batch-major. */
static void wg__bias_grad(float *db, const float *dy, int B, int C, size_t P) {
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++) {
      const float *g = dy + ((size_t)b * C + c) * P;
      float s = db[c];
      for (size_t p = 0; p < P; p++) s += g[p];
      db[c] = s;
    }
}

wg_status wg_conv2d_forward(float *y, const float *x, const float *w, const float *b, int B,
                            const wg_conv_geom *g, wg_arena *scratch) {
  size_t K = (size_t)g->ic * g->kh * g->kw, P = (size_t)g->oh * g->ow;
  wg__conv_scratch s;
  wg_status st = wg__scratch_begin(&s, scratch, B, K, (size_t)g->oc, P);
  if (st) return st;
  int nb = s.nb;
  float *col = s.col, *Y = s.mat;
  for (int b0 = 0; b0 < B; b0 += nb) {
    int n = B - b0 < nb ? B - b0 : nb;
    wg__im2col(col, x + (size_t)b0 * g->ic * g->h * g->w, n, g->ic, g->h, g->w, g->oh, g->ow,
               g->kh, g->kw, g->sh, g->sw, g->ph, g->pw);
    wg_gemm_nn(g->oc, (int)(n * P), (int)K, w, (int)K, col, (int)(n * P), Y, (int)(n * P), 0);
    wg__from_matrix(y + (size_t)b0 * g->oc * P, Y, n, g->oc, P, b);
  }
  return wg__scratch_end(&s, scratch);
}

wg_status wg_conv2d_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                             const float *w, int B, const wg_conv_geom *g, wg_arena *scratch) {
  size_t K = (size_t)g->ic * g->kh * g->kw, P = (size_t)g->oh * g->ow, HW = (size_t)g->h * g->w;
  if (db) wg__bias_grad(db, dy, B, g->oc, P);
  wg__conv_scratch s;
  wg_status st = wg__scratch_begin(&s, scratch, B, K, (size_t)g->oc, P);
  if (st) return st;
  int nb = s.nb;
  float *col = s.col, *dY = s.mat;
  for (int b0 = 0; b0 < B; b0 += nb) {
    int n = B - b0 < nb ? B - b0 : nb;
    int N = (int)(n * P);
    wg__to_matrix(dY, dy + (size_t)b0 * g->oc * P, n, g->oc, P);
    if (dw) {
      wg__im2col(col, x + (size_t)b0 * g->ic * HW, n, g->ic, g->h, g->w, g->oh, g->ow, g->kh,
                 g->kw, g->sh, g->sw, g->ph, g->pw);
      wg_gemm_nt(g->oc, (int)K, N, dY, N, col, N, dw, (int)K, 1);   /* dW += dY · colᵀ */
    }
    if (dx) {
      wg_gemm_tn((int)K, N, g->oc, w, (int)K, dY, N, col, N, 0);   /* dcol = Wᵀ · dY */
      float *dxb = dx + (size_t)b0 * g->ic * HW;
      memset(dxb, 0, sizeof(float) * (size_t)n * g->ic * HW);
      wg__col2im_add(dxb, col, n, g->ic, g->h, g->w, g->oh, g->ow, g->kh, g->kw, g->sh, g->sw,
                     g->ph, g->pw);
    }
  }
  return wg__scratch_end(&s, scratch);
}

wg_status wg_conv_transpose2d_forward(float *y, const float *x, const float *w, const float *b,
                                      int B, const wg_conv_geom *g, wg_arena *scratch) {
  /* The adjoint of conv2d: col = Wᵀ·X, then col2im onto the output grid. */
  size_t KO = (size_t)g->oc * g->kh * g->kw, HW = (size_t)g->h * g->w, OP = (size_t)g->oh * g->ow;
  wg__conv_scratch s;
  wg_status st = wg__scratch_begin(&s, scratch, B, KO, (size_t)g->ic, HW);
  if (st) return st;
  int nb = s.nb;
  float *col = s.col, *X = s.mat;
  for (int b0 = 0; b0 < B; b0 += nb) {
    int n = B - b0 < nb ? B - b0 : nb;
    int N = (int)(n * HW);
    wg__to_matrix(X, x + (size_t)b0 * g->ic * HW, n, g->ic, HW);
    wg_gemm_tn((int)KO, N, g->ic, w, (int)KO, X, N, col, N, 0);
    float *yb = y + (size_t)b0 * g->oc * OP;
    memset(yb, 0, sizeof(float) * (size_t)n * g->oc * OP);
    wg__col2im_add(yb, col, n, g->oc, g->oh, g->ow, g->h, g->w, g->kh, g->kw, g->sh, g->sw,
                   g->ph, g->pw);
    if (b)
      for (int i = 0; i < n; i++)
        for (int c = 0; c < g->oc; c++) {
          float *p = yb + ((size_t)i * g->oc + c) * OP;
          for (size_t k = 0; k < OP; k++) p[k] += b[c];
        }
  }
  return wg__scratch_end(&s, scratch);
}

wg_status wg_conv_transpose2d_backward(float *dx, float *dw, float *db, const float *dy,
                                       const float *x, const float *w, int B,
                                       const wg_conv_geom *g, wg_arena *scratch) {
  size_t KO = (size_t)g->oc * g->kh * g->kw, HW = (size_t)g->h * g->w, OP = (size_t)g->oh * g->ow;
  if (db) wg__bias_grad(db, dy, B, g->oc, OP);
  wg__conv_scratch s;
  wg_status st = wg__scratch_begin(&s, scratch, B, KO, (size_t)g->ic, HW);
  if (st) return st;
  int nb = s.nb;
  float *dcol = s.col, *X = s.mat;
  for (int b0 = 0; b0 < B; b0 += nb) {
    int n = B - b0 < nb ? B - b0 : nb;
    int N = (int)(n * HW);
    wg__im2col(dcol, dy + (size_t)b0 * g->oc * OP, n, g->oc, g->oh, g->ow, g->h, g->w, g->kh,
               g->kw, g->sh, g->sw, g->ph, g->pw);
    if (dw) {
      wg__to_matrix(X, x + (size_t)b0 * g->ic * HW, n, g->ic, HW);
      wg_gemm_nt(g->ic, (int)KO, N, X, N, dcol, N, dw, (int)KO, 1);   /* dW += X · dcolᵀ */
    }
    if (dx) {
      wg_gemm_nn(g->ic, N, (int)KO, w, (int)KO, dcol, N, X, N, 0);    /* dX = W · dcol */
      wg__from_matrix(dx + (size_t)b0 * g->ic * HW, X, n, g->ic, HW, NULL);
    }
  }
  return wg__scratch_end(&s, scratch);
}

void wg_instancenorm_forward(float *y, float *xhat, float *invstd, const float *x,
                             const float *gamma, const float *beta, int B, int C, int S, float eps) {
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++) {
      size_t off = ((size_t)b * C + c) * S;
      const float *p = x + off;
      float *q = xhat + off, *o = y + off;
      float mean = 0.f, var = 0.f;
      for (int k = 0; k < S; k++) mean += p[k];
      mean /= (float)S;
      for (int k = 0; k < S; k++) { q[k] = p[k] - mean; var += q[k] * q[k]; }
      float is = 1.f / sqrtf(var / (float)S + eps);
      invstd[(size_t)b * C + c] = is;
      float g = gamma ? gamma[c] : 1.f, be = beta ? beta[c] : 0.f;
      for (int k = 0; k < S; k++) { q[k] *= is; o[k] = q[k] * g + be; }
    }
}

void wg_instancenorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                              const float *xhat, const float *invstd, const float *gamma, int B,
                              int C, int S) {
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++) {
      size_t off = ((size_t)b * C + c) * S;
      const float *g = dy + off, *h = xhat + off;
      float sdy = 0.f, sdyx = 0.f;
      for (int k = 0; k < S; k++) { sdy += g[k]; sdyx += g[k] * h[k]; }
      if (dgamma) dgamma[c] += sdyx;
      if (dbeta) dbeta[c] += sdy;
      if (!dx) continue;
      float n = (float)S, scale = (gamma ? gamma[c] : 1.f) * invstd[(size_t)b * C + c] / n;
      float *d = dx + off;
      /* With gamma applied, sums over dxhat = gamma * dy scale by gamma; folded into `scale`. */
      for (int k = 0; k < S; k++) d[k] = scale * (n * g[k] - sdy - h[k] * sdyx);
    }
}

/* Source index of padded coordinate o (in [0, size + 2 * pad)), or -1 for a zero cell. */
static int wg__pad_src(int o, int size, int pad, wg_pad_mode mode) {
  int i = o - pad;
  if (i >= 0 && i < size) return i;
  if (mode == WG_PAD_ZERO) return -1;
  if (mode == WG_PAD_REPLICATE) return i < 0 ? 0 : size - 1;
  return i < 0 ? -i : 2 * (size - 1) - i;   /* reflect about the edge cell, which is not repeated */
}

void wg_pad2d_forward(float *y, const float *x, int N, int H, int W, int ph, int pw, wg_pad_mode mode) {
  int OH = H + 2 * ph, OW = W + 2 * pw;
  for (int n = 0; n < N; n++) {
    const float *p = x + (size_t)n * H * W;
    float *o = y + (size_t)n * OH * OW;
    for (int i = 0; i < OH; i++) {
      int si = wg__pad_src(i, H, ph, mode);
      for (int j = 0; j < OW; j++) {
        int sj = wg__pad_src(j, W, pw, mode);
        o[(size_t)i * OW + j] = si < 0 || sj < 0 ? 0.f : p[(size_t)si * W + sj];
      }
    }
  }
}

void wg_pad2d_backward(float *dx, const float *dy, int N, int H, int W, int ph, int pw, wg_pad_mode mode) {
  int OH = H + 2 * ph, OW = W + 2 * pw;
  for (int n = 0; n < N; n++) {
    float *d = dx + (size_t)n * H * W;
    const float *g = dy + (size_t)n * OH * OW;
    for (int k = 0; k < H * W; k++) d[k] = 0.f;
    /* Row-major order over the padded plane: a fixed summation order in every build. */
    for (int i = 0; i < OH; i++) {
      int si = wg__pad_src(i, H, ph, mode);
      if (si < 0) continue;
      for (int j = 0; j < OW; j++) {
        int sj = wg__pad_src(j, W, pw, mode);
        if (sj >= 0) d[(size_t)si * W + sj] += g[(size_t)i * OW + j];
      }
    }
  }
}

void wg_upsample_nearest2x_forward(float *y, const float *x, int N, int H, int W) {
  int OW = 2 * W;
  for (int n = 0; n < N; n++)
    for (int i = 0; i < H; i++) {
      const float *src = x + ((size_t)n * H + i) * W;
      float *r0 = y + ((size_t)n * 2 * H + 2 * i) * OW, *r1 = r0 + OW;
      for (int j = 0; j < W; j++) r0[2 * j] = r0[2 * j + 1] = r1[2 * j] = r1[2 * j + 1] = src[j];
    }
}

void wg_upsample_nearest2x_backward(float *dx, const float *dy, int N, int H, int W) {
  int OW = 2 * W;
  for (int n = 0; n < N; n++)
    for (int i = 0; i < H; i++) {
      float *dst = dx + ((size_t)n * H + i) * W;
      const float *r0 = dy + ((size_t)n * 2 * H + 2 * i) * OW, *r1 = r0 + OW;
      for (int j = 0; j < W; j++) dst[j] = (r0[2 * j] + r0[2 * j + 1]) + (r1[2 * j] + r1[2 * j + 1]);
    }
}

/* Source index and weights of output coordinate o for align_corners=False at scale 2. */
static void wg__bilinear_src(int o, int size, int *i0, int *i1, float *l0, float *l1) {
  float src = ((float)o + 0.5f) * 0.5f - 0.5f;
  if (src < 0.f) src = 0.f;
  *i0 = (int)src;
  if (*i0 > size - 1) *i0 = size - 1;
  *i1 = *i0 < size - 1 ? *i0 + 1 : *i0;
  *l1 = src - (float)*i0;
  *l0 = 1.f - *l1;
}

void wg_upsample_bilinear2x_forward(float *y, const float *x, int N, int H, int W) {
  int OH = 2 * H, OW = 2 * W;
  for (int n = 0; n < N; n++) {
    const float *p = x + (size_t)n * H * W;
    float *o = y + (size_t)n * OH * OW;
    for (int oy = 0; oy < OH; oy++) {
      int y0, y1; float hy0, hy1;
      wg__bilinear_src(oy, H, &y0, &y1, &hy0, &hy1);
      for (int ox = 0; ox < OW; ox++) {
        int x0, x1; float wx0, wx1;
        wg__bilinear_src(ox, W, &x0, &x1, &wx0, &wx1);
        o[(size_t)oy * OW + ox] = hy0 * (wx0 * p[y0 * W + x0] + wx1 * p[y0 * W + x1]) +
                                  hy1 * (wx0 * p[y1 * W + x0] + wx1 * p[y1 * W + x1]);
      }
    }
  }
}

void wg_upsample_bilinear2x_backward(float *dx, const float *dy, int N, int H, int W) {
  int OH = 2 * H, OW = 2 * W;
  memset(dx, 0, sizeof(float) * (size_t)N * H * W);
  for (int n = 0; n < N; n++) {
    float *d = dx + (size_t)n * H * W;
    const float *g = dy + (size_t)n * OH * OW;
    for (int oy = 0; oy < OH; oy++) {
      int y0, y1; float hy0, hy1;
      wg__bilinear_src(oy, H, &y0, &y1, &hy0, &hy1);
      for (int ox = 0; ox < OW; ox++) {
        int x0, x1; float wx0, wx1;
        wg__bilinear_src(ox, W, &x0, &x1, &wx0, &wx1);
        float v = g[(size_t)oy * OW + ox];
        d[y0 * W + x0] += hy0 * wx0 * v;
        d[y0 * W + x1] += hy0 * wx1 * v;
        d[y1 * W + x0] += hy1 * wx0 * v;
        d[y1 * W + x1] += hy1 * wx1 * v;
      }
    }
  }
}

/* Window [start, end) of output index o clipped to the input, and PyTorch's divisor size. */
static void wg__pool_window(int o, int S, int P, int K, int size, int *start, int *end, int *span) {
  int s = o * S - P, e = s + K;
  if (e > size + P) e = size + P;
  *span = e - s;
  *start = s < 0 ? 0 : s;
  *end = e > size ? size : e;
}

void wg_avgpool2d_forward(float *y, const float *x, int N, int H, int W, int OH, int OW, int KH,
                          int KW, int SH, int SW, int PH, int PW) {
  for (int n = 0; n < N; n++) {
    const float *p = x + (size_t)n * H * W;
    for (int oy = 0; oy < OH; oy++) {
      int ys, ye, yspan;
      wg__pool_window(oy, SH, PH, KH, H, &ys, &ye, &yspan);
      for (int ox = 0; ox < OW; ox++) {
        int xs, xe, xspan;
        wg__pool_window(ox, SW, PW, KW, W, &xs, &xe, &xspan);
        float s = 0.f;
        for (int i = ys; i < ye; i++)
          for (int j = xs; j < xe; j++) s += p[i * W + j];
        y[((size_t)n * OH + oy) * OW + ox] = s / (float)(yspan * xspan);
      }
    }
  }
}

void wg_avgpool2d_backward(float *dx, const float *dy, int N, int H, int W, int OH, int OW,
                           int KH, int KW, int SH, int SW, int PH, int PW) {
  memset(dx, 0, sizeof(float) * (size_t)N * H * W);
  for (int n = 0; n < N; n++) {
    float *d = dx + (size_t)n * H * W;
    for (int oy = 0; oy < OH; oy++) {
      int ys, ye, yspan;
      wg__pool_window(oy, SH, PH, KH, H, &ys, &ye, &yspan);
      for (int ox = 0; ox < OW; ox++) {
        int xs, xe, xspan;
        wg__pool_window(ox, SW, PW, KW, W, &xs, &xe, &xspan);
        float g = dy[((size_t)n * OH + oy) * OW + ox] / (float)(yspan * xspan);
        for (int i = ys; i < ye; i++)
          for (int j = xs; j < xe; j++) d[i * W + j] += g;
      }
    }
  }
}
