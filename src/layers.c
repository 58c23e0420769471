/* layers.c — dense, activations, batch norm and dropout (see layers.h for the conventions). */
#include "layers.h"
#include <math.h>
#include <string.h>
#include "gemm.h"
#include "mathf.h"
#include "threads.h"

/* Element-wise kernels run in fixed chunks over the threads (chunking changes no result). */
typedef struct { float *out; const float *a, *b; float slope; } wg__ew;
#define WG__EW(name, expr) \
  static void wg__##name##_range(void *ctx, size_t lo, size_t hi) { \
    const wg__ew *e = ctx; float *out = e->out; const float *a = e->a, *b = e->b; \
    float slope = e->slope; (void)b; (void)slope; \
    for (size_t i = lo; i < hi; i++) out[i] = (expr); \
  }
/* forward: a = x; backward: a = dy, b = y */
WG__EW(relu_f, a[i] > 0.f ? a[i] : 0.f)
WG__EW(relu_b, b[i] > 0.f ? a[i] : 0.f)
WG__EW(leaky_f, a[i] > 0.f ? a[i] : slope * a[i])
WG__EW(leaky_b, b[i] > 0.f ? a[i] : slope * a[i])
WG__EW(tanh_f, wg_tanhf(a[i]))
WG__EW(tanh_b, a[i] * (1.f - b[i] * b[i]))
WG__EW(sigmoid_f, wg_sigmoidf(a[i]))
WG__EW(sigmoid_b, a[i] * (b[i] * (1.f - b[i])))
#undef WG__EW

static void wg__ew_run(wg_range_fn fn, float *out, const float *a, const float *b, float slope, int n) {
  wg__ew e = {out, a, b, slope};
  wg_parallel_range(n > 0 ? (size_t)n : 0, WG_ELEMENTWISE_CHUNK, fn, &e);
}

void wg_dense_forward(float *y, const float *x, const float *w, const float *b, int B, int IN, int OUT) {
  if (b) {
    for (int i = 0; i < B; i++) memcpy(y + (size_t)i * OUT, b, sizeof(float) * (size_t)OUT);
  }
  wg_gemm_nt(B, OUT, IN, x, IN, w, IN, y, OUT, b != NULL);
}

void wg_dense_backward(float *dx, float *dw, float *db, const float *dy, const float *x,
                       const float *w, int B, int IN, int OUT) {
  if (dx) wg_gemm_nn(B, IN, OUT, dy, OUT, w, IN, dx, IN, 0);
  if (dw) wg_gemm_tn(OUT, IN, B, dy, OUT, x, IN, dw, IN, 1);
  if (db) {
    for (int i = 0; i < B; i++) {
      const float *row = dy + (size_t)i * OUT;
      for (int o = 0; o < OUT; o++) db[o] += row[o];
    }
  }
}

void wg_relu_forward(float *y, const float *x, int n) { wg__ew_run(wg__relu_f_range, y, x, NULL, 0.f, n); }
void wg_relu_backward(float *dx, const float *dy, const float *y, int n) {
  wg__ew_run(wg__relu_b_range, dx, dy, y, 0.f, n);
}

void wg_leaky_relu_forward(float *y, const float *x, int n, float slope) {
  wg__ew_run(wg__leaky_f_range, y, x, NULL, slope, n);
}
void wg_leaky_relu_backward(float *dx, const float *dy, const float *y, int n, float slope) {
  wg__ew_run(wg__leaky_b_range, dx, dy, y, slope, n);
}

void wg_tanh_forward(float *y, const float *x, int n) { wg__ew_run(wg__tanh_f_range, y, x, NULL, 0.f, n); }
void wg_tanh_backward(float *dx, const float *dy, const float *y, int n) {
  wg__ew_run(wg__tanh_b_range, dx, dy, y, 0.f, n);
}

void wg_sigmoid_forward(float *y, const float *x, int n) { wg__ew_run(wg__sigmoid_f_range, y, x, NULL, 0.f, n); }
void wg_sigmoid_backward(float *dx, const float *dy, const float *y, int n) {
  wg__ew_run(wg__sigmoid_b_range, dx, dy, y, 0.f, n);
}

/* Batch norm in training runs one parallel region over groups of whole channels: every statistic
 * of a channel is a sum over (batch outer, position inner) computed by one thread, in the same
 * order whatever the thread count. */
typedef struct {
  float *y, *xhat, *invstd, *run_mean, *run_var, *dx, *dgamma, *dbeta;
  const float *x, *dy, *gamma, *beta;
  int B, C, S, per_tile;
  float momentum, eps;
} wg__bn_job;

static int wg__bn_tiles(wg__bn_job *j) {
  size_t per_channel = (size_t)j->B * j->S;
  size_t per = per_channel ? WG_ELEMENTWISE_CHUNK / per_channel : (size_t)j->C;
  j->per_tile = per < 1 ? 1 : per > (size_t)j->C ? j->C : (int)per;
  return (j->C + j->per_tile - 1) / j->per_tile;
}

static void wg__bn_forward_tile(void *ctx, int tile, int thread) {
  (void)thread;
  const wg__bn_job *j = ctx;
  int B = j->B, C = j->C, S = j->S;
  float n = (float)B * (float)S;
  int c0 = tile * j->per_tile, c1 = c0 + j->per_tile < C ? c0 + j->per_tile : C;
  for (int c = c0; c < c1; c++) {
    float sum = 0.f;
    for (int b = 0; b < B; b++) {
      const float *p = j->x + ((size_t)b * C + c) * S;
      for (int k = 0; k < S; k++) sum += p[k];
    }
    float mean = sum / n;
    /* xhat first holds x - mean, so the variance is a second, stable pass. */
    float var = 0.f;
    for (int b = 0; b < B; b++) {
      const float *p = j->x + ((size_t)b * C + c) * S;
      float *q = j->xhat + ((size_t)b * C + c) * S;
      for (int k = 0; k < S; k++) q[k] = p[k] - mean;
    }
    for (int b = 0; b < B; b++) {
      const float *q = j->xhat + ((size_t)b * C + c) * S;
      for (int k = 0; k < S; k++) var += q[k] * q[k];
    }
    j->run_mean[c] = j->momentum * j->run_mean[c] + (1.f - j->momentum) * mean;
    float v = var / n;
    float unbiased = n > 1.f ? var / (n - 1.f) : v;
    j->run_var[c] = j->momentum * j->run_var[c] + (1.f - j->momentum) * unbiased;
    float is = 1.f / sqrtf(v + j->eps), g = j->gamma[c], be = j->beta[c];
    j->invstd[c] = is;
    for (int b = 0; b < B; b++) {
      float *q = j->xhat + ((size_t)b * C + c) * S;
      float *o = j->y + ((size_t)b * C + c) * S;
      for (int k = 0; k < S; k++) { q[k] = q[k] * is; o[k] = q[k] * g + be; }
    }
  }
}

void wg_batchnorm_forward_train(float *y, float *xhat, float *invstd, const float *x,
                                const float *gamma, const float *beta, float *run_mean,
                                float *run_var, int B, int C, int S, float momentum, float eps) {
  wg__bn_job j = {.y = y, .xhat = xhat, .invstd = invstd, .run_mean = run_mean, .run_var = run_var,
                  .x = x, .gamma = gamma, .beta = beta, .B = B, .C = C, .S = S,
                  .momentum = momentum, .eps = eps};
  wg_parallel_for(wg__bn_tiles(&j), wg__bn_forward_tile, &j);
}

void wg_batchnorm_forward_eval(float *y, const float *x, const float *gamma, const float *beta,
                               const float *run_mean, const float *run_var, int B, int C, int S,
                               float eps) {
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++) {
      const float *p = x + ((size_t)b * C + c) * S;
      float *o = y + ((size_t)b * C + c) * S;
      float is = 1.f / sqrtf(run_var[c] + eps), m = run_mean[c], g = gamma[c], be = beta[c];
      for (int k = 0; k < S; k++) o[k] = (p[k] - m) * is * g + be;
    }
}

static void wg__bn_backward_tile(void *ctx, int tile, int thread) {
  (void)thread;
  const wg__bn_job *j = ctx;
  int B = j->B, C = j->C, S = j->S;
  float n = (float)B * (float)S;
  int c0 = tile * j->per_tile, c1 = c0 + j->per_tile < C ? c0 + j->per_tile : C;
  for (int c = c0; c < c1; c++) {
    float sdy = 0.f, sdyx = 0.f;
    for (int b = 0; b < B; b++) {
      const float *g = j->dy + ((size_t)b * C + c) * S;
      const float *h = j->xhat + ((size_t)b * C + c) * S;
      for (int k = 0; k < S; k++) { sdy += g[k]; sdyx += g[k] * h[k]; }
    }
    if (j->dgamma) j->dgamma[c] += sdyx;
    if (j->dbeta) j->dbeta[c] += sdy;
    if (!j->dx) continue;
    float scale = j->gamma[c] * j->invstd[c] / n;
    for (int b = 0; b < B; b++) {
      const float *g = j->dy + ((size_t)b * C + c) * S;
      const float *h = j->xhat + ((size_t)b * C + c) * S;
      float *d = j->dx + ((size_t)b * C + c) * S;
      for (int k = 0; k < S; k++) d[k] = scale * (n * g[k] - sdy - h[k] * sdyx);
    }
  }
}

void wg_batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                           const float *xhat, const float *invstd, const float *gamma,
                           int B, int C, int S) {
  /* dx = invstd * gamma / n * (n*dy - sum(dy) - xhat * sum(dy*xhat)), sums per channel. */
  wg__bn_job j = {.dx = dx, .dgamma = dgamma, .dbeta = dbeta, .dy = dy, .xhat = (float *)xhat,
                  .invstd = (float *)invstd, .gamma = gamma, .B = B, .C = C, .S = S};
  wg_parallel_for(wg__bn_tiles(&j), wg__bn_backward_tile, &j);
}

void wg_batchnorm_backward_eval(float *dx, float *dgamma, float *dbeta, const float *dy,
                                const float *x, const float *gamma, const float *run_mean,
                                const float *run_var, int B, int C, int S, float eps) {
  for (int c = 0; c < C; c++) {
    float is = 1.f / sqrtf(run_var[c] + eps), m = run_mean[c], sdy = 0.f, sdyx = 0.f;
    for (int b = 0; b < B; b++) {
      size_t off = ((size_t)b * C + c) * S;
      for (int k = 0; k < S; k++) {
        float g = dy[off + k];
        sdy += g;
        sdyx += g * ((x[off + k] - m) * is);
        if (dx) dx[off + k] = g * gamma[c] * is;
      }
    }
    if (dgamma) dgamma[c] += sdyx;
    if (dbeta) dbeta[c] += sdy;
  }
}

void wg_dropout_forward(float *y, float *mask, const float *x, int n, float p, wg_rng *rng) {
  float keep = 1.f / (1.f - p);
  for (int i = 0; i < n; i++) {
    mask[i] = wg_rng_uniform(rng) < p ? 0.f : keep;
    y[i] = x[i] * mask[i];
  }
}
void wg_dropout_backward(float *dx, const float *dy, const float *mask, int n) {
  for (int i = 0; i < n; i++) dx[i] = dy[i] * mask[i];
}
