/* layers.c — dense, activations, batch norm and dropout (see layers.h for the conventions). */
#include "layers.h"
#include <math.h>
#include <string.h>
#include "gemm.h"
#include "mathf.h"

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

void wg_relu_forward(float *y, const float *x, int n) {
  for (int i = 0; i < n; i++) y[i] = x[i] > 0.f ? x[i] : 0.f;
}
void wg_relu_backward(float *dx, const float *dy, const float *y, int n) {
  for (int i = 0; i < n; i++) dx[i] = y[i] > 0.f ? dy[i] : 0.f;
}

void wg_leaky_relu_forward(float *y, const float *x, int n, float slope) {
  for (int i = 0; i < n; i++) y[i] = x[i] > 0.f ? x[i] : slope * x[i];
}
void wg_leaky_relu_backward(float *dx, const float *dy, const float *y, int n, float slope) {
  for (int i = 0; i < n; i++) dx[i] = y[i] > 0.f ? dy[i] : slope * dy[i];
}

void wg_tanh_forward(float *y, const float *x, int n) {
  for (int i = 0; i < n; i++) y[i] = wg_tanhf(x[i]);
}
void wg_tanh_backward(float *dx, const float *dy, const float *y, int n) {
  for (int i = 0; i < n; i++) dx[i] = dy[i] * (1.f - y[i] * y[i]);
}

void wg_sigmoid_forward(float *y, const float *x, int n) {
  for (int i = 0; i < n; i++) y[i] = wg_sigmoidf(x[i]);
}
void wg_sigmoid_backward(float *dx, const float *dy, const float *y, int n) {
  for (int i = 0; i < n; i++) dx[i] = dy[i] * (y[i] * (1.f - y[i]));
}

/* Per-channel sums over (B, S) in a fixed order: batch outer, position inner. */
static void wg__channel_sums(float *sum, const float *x, int B, int C, int S) {
  memset(sum, 0, sizeof(float) * (size_t)C);
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++) {
      const float *p = x + ((size_t)b * C + c) * S;
      float s = sum[c];
      for (int k = 0; k < S; k++) s += p[k];
      sum[c] = s;
    }
}

void wg_batchnorm_forward_train(float *y, float *xhat, float *invstd, const float *x,
                                const float *gamma, const float *beta, float *run_mean,
                                float *run_var, int B, int C, int S, float momentum, float eps) {
  float n = (float)B * (float)S;
  /* invstd doubles as scratch: first the channel sums, then the variances. */
  float *mean = invstd;
  wg__channel_sums(mean, x, B, C, S);
  for (int c = 0; c < C; c++) mean[c] /= n;
  /* xhat temporarily holds x - mean so the variance is a second, stable pass. */
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++) {
      const float *p = x + ((size_t)b * C + c) * S;
      float *q = xhat + ((size_t)b * C + c) * S;
      for (int k = 0; k < S; k++) q[k] = p[k] - mean[c];
    }
  for (int c = 0; c < C; c++) {
    float m = mean[c];
    run_mean[c] = momentum * run_mean[c] + (1.f - momentum) * m;
  }
  float *var = invstd;
  memset(var, 0, sizeof(float) * (size_t)C);
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++) {
      const float *q = xhat + ((size_t)b * C + c) * S;
      float s = var[c];
      for (int k = 0; k < S; k++) s += q[k] * q[k];
      var[c] = s;
    }
  for (int c = 0; c < C; c++) {
    float v = var[c] / n;
    float unbiased = n > 1.f ? var[c] / (n - 1.f) : v;
    run_var[c] = momentum * run_var[c] + (1.f - momentum) * unbiased;
    invstd[c] = 1.f / sqrtf(v + eps);
  }
  for (int b = 0; b < B; b++)
    for (int c = 0; c < C; c++) {
      float *q = xhat + ((size_t)b * C + c) * S;
      float *o = y + ((size_t)b * C + c) * S;
      float is = invstd[c], g = gamma[c], be = beta[c];
      for (int k = 0; k < S; k++) { q[k] = q[k] * is; o[k] = q[k] * g + be; }
    }
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

void wg_batchnorm_backward(float *dx, float *dgamma, float *dbeta, const float *dy,
                           const float *xhat, const float *invstd, const float *gamma,
                           int B, int C, int S) {
  /* dx = invstd * gamma / n * (n*dy - sum(dy) - xhat * sum(dy*xhat)), sums per channel. */
  float n = (float)B * (float)S;
  for (int c = 0; c < C; c++) {
    float sdy = 0.f, sdyx = 0.f;
    for (int b = 0; b < B; b++) {
      const float *g = dy + ((size_t)b * C + c) * S;
      const float *h = xhat + ((size_t)b * C + c) * S;
      for (int k = 0; k < S; k++) { sdy += g[k]; sdyx += g[k] * h[k]; }
    }
    if (dgamma) dgamma[c] += sdyx;
    if (dbeta) dbeta[c] += sdy;
    if (!dx) continue;
    float scale = gamma[c] * invstd[c] / n;
    for (int b = 0; b < B; b++) {
      const float *g = dy + ((size_t)b * C + c) * S;
      const float *h = xhat + ((size_t)b * C + c) * S;
      float *d = dx + ((size_t)b * C + c) * S;
      for (int k = 0; k < S; k++) d[k] = scale * (n * g[k] - sdy - h[k] * sdyx);
    }
  }
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
