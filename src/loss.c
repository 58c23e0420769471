/* loss.c — BCE with logits, MSE, L1 and the Gaussian KL term of the VAE. */
#include "loss.h"
#include <stddef.h>
#include "mathf.h"

double wg_bce_logits(float *grad, const float *logits, const float *targets, float target, int n,
                     float scale) {
  double total = 0.0;
  for (int i = 0; i < n; i++) {
    float x = logits[i], t = targets ? targets[i] : target;
    float a = x < 0.f ? -x : x;
    float e = wg_expf(-a);
    float loss = (x > 0.f ? x : 0.f) - x * t + wg_log1pf(e);
    total += (double)loss;
    if (grad) {
      float s = x >= 0.f ? 1.f / (1.f + e) : e / (1.f + e);   /* sigmoid(x), reusing e */
      grad[i] = scale * (s - t);
    }
  }
  return total;
}

double wg_mse(float *grad, const float *pred, const float *target, int n, float scale) {
  double total = 0.0;
  for (int i = 0; i < n; i++) {
    float d = pred[i] - target[i];
    total += (double)(d * d);
    if (grad) grad[i] = scale * 2.f * d;
  }
  return total;
}

double wg_l1(float *grad, const float *pred, const float *target, int n, float scale) {
  double total = 0.0;
  for (int i = 0; i < n; i++) {
    float d = pred[i] - target[i];
    total += (double)(d < 0.f ? -d : d);
    if (grad) grad[i] = d > 0.f ? scale : (d < 0.f ? -scale : 0.f);
  }
  return total;
}

double wg_gaussian_kl(float *dmu, float *dlogvar, const float *mu, const float *logvar, int n,
                      float scale) {
  double total = 0.0;
  for (int i = 0; i < n; i++) {
    float ev = wg_expf(logvar[i]);
    total += (double)(-0.5f * (1.f + logvar[i] - mu[i] * mu[i] - ev));
    if (dmu) dmu[i] = scale * mu[i];
    if (dlogvar) dlogvar[i] = scale * 0.5f * (ev - 1.f);
  }
  return total;
}

double wg_softmax_xent(float *grad, float *probs, const float *logits, const int *labels, int n,
                       int classes, float scale) {
  double total = 0.0;
  for (int i = 0; i < n; i++) {
    const float *x = logits + (size_t)i * classes;
    float mx = x[0];
    for (int c = 1; c < classes; c++) mx = x[c] > mx ? x[c] : mx;
    double sum = 0.0;   /* of exp(x - max): the largest term is 1, so sum >= 1 */
    for (int c = 0; c < classes; c++) sum += (double)wg_expf(x[c] - mx);
    float lse = wg_logf((float)sum);
    if (labels) total += (double)(lse - (x[labels[i]] - mx));
    for (int c = 0; c < classes; c++) {
      float p = wg_expf(x[c] - mx - lse);
      if (probs) probs[(size_t)i * classes + c] = p;
      if (grad && labels) grad[(size_t)i * classes + c] = scale * (p - (c == labels[i] ? 1.f : 0.f));
    }
  }
  return total;
}
